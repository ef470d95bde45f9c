// Force-included into every source of this test's binary (CMakeLists.txt). The first line is
// the policy's registration, exactly the line docs/adding-a-policy.md asks for in
// models/policies/registry.h; the second names its header, as models/policy.h's #include would.
#define KVCHECK_EXTRA_POLICIES(X) X(OneAdmission, one_admission)
#define KVCHECK_EXTRA_POLICY_HEADER "test_policy.h"
