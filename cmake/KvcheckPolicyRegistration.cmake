# KVCHECK_POLICY_REGISTRATION: more policies without editing models/policies/registry.h.
#
# The cache variable names a header that defines KVCHECK_EXTRA_POLICIES(X) (one X(Enum, name)
# line per policy, as in registry.h) and KVCHECK_EXTRA_POLICY_HEADER (the header with their
# `name_step` templates and `name_traits`, which models/policy.h includes). The header is
# force-included (-include) into every C++ source of every kvcheck target defined after this
# point, and its folder joins their include path, so that every layer (the simulator, Z3, the
# fuzzer, the explorer, the gate) is compiled with the same policy list. Empty (the default):
# nothing is added and the build is the stock one. kvcheck_add_checker (kvcheckConfig.cmake)
# sets it for a team's own checker; docs/adding-a-policy.md, "Your own policy, out of tree".
if(NOT KVCHECK_POLICY_REGISTRATION)
  return()
endif()
get_filename_component(_kvcheck_registration "${KVCHECK_POLICY_REGISTRATION}" ABSOLUTE
                       BASE_DIR "${CMAKE_BINARY_DIR}")
if(NOT EXISTS "${_kvcheck_registration}" OR IS_DIRECTORY "${_kvcheck_registration}")
  message(FATAL_ERROR "KVCHECK_POLICY_REGISTRATION: no such file: ${_kvcheck_registration}")
endif()
get_filename_component(_kvcheck_registration_dir "${_kvcheck_registration}" DIRECTORY)
message(STATUS "kvcheck: extra policies registered by ${_kvcheck_registration}")
add_compile_options("$<$<COMPILE_LANGUAGE:CXX>:SHELL:-include \"${_kvcheck_registration}\">")
include_directories("${_kvcheck_registration_dir}")
