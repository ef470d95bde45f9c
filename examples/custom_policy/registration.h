// Force-included into every kvcheck source of this project's checker (kvcheck_add_checker in
// CMakeLists.txt). One line per policy, exactly as in kvcheck's models/policies/registry.h,
// and the header that defines them (found beside this file).
#define KVCHECK_EXTRA_POLICIES(X) X(PacedFcfs, paced_fcfs)
#define KVCHECK_EXTRA_POLICY_HEADER "paced_fcfs.h"
