# kvcheck_add_checker(<target> REGISTRATION <header>)
#
# Builds a kvcheck executable named <target> (in the calling directory's binary folder) from the
# installed sources, with the policies that <header> registers: it defines
# KVCHECK_EXTRA_POLICIES(X) (one X(EnumName, name) line per policy) and
# KVCHECK_EXTRA_POLICY_HEADER (their header, found beside <header>). The header is force-included
# into every kvcheck source (KVCHECK_POLICY_REGISTRATION, cmake/KvcheckPolicyRegistration.cmake),
# so the simulator, Z3, the fuzzer, the explorer and the gate all know the new policies.
#
# kvcheck's own targets (kvcheck, kvcheck_models, kvcheck::sim, ...) are global names, so a
# project builds ONE custom checker (register every policy in the one header), must not define
# targets named kvcheck_* itself, and may also use the installed kvcheck::kvcheck beside it.
# Tests, benchmarks, install rules and (unless the caller set KVCHECK_ENABLE_CUDA) CUDA are off;
# the build type and compiler flags are the calling project's.
function(kvcheck_add_checker target)
  cmake_parse_arguments(ARG "" "REGISTRATION" "" ${ARGN})
  if(NOT ARG_REGISTRATION OR ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "usage: kvcheck_add_checker(<target> REGISTRATION <header>)")
  endif()
  get_property(existing GLOBAL PROPERTY KVCHECK_CHECKER_TARGET)
  if(existing)
    message(FATAL_ERROR "kvcheck_add_checker(${target}): this project already builds the custom "
                        "checker '${existing}'; kvcheck's targets are global, so register every "
                        "policy in one registration header and build one checker")
  endif()
  if(TARGET ${target})
    message(FATAL_ERROR "kvcheck_add_checker: a target named '${target}' already exists")
  endif()
  get_property(source_dir GLOBAL PROPERTY KVCHECK_PACKAGE_SOURCE_DIR)
  get_filename_component(registration "${ARG_REGISTRATION}" ABSOLUTE
                         BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT EXISTS "${registration}")
    message(FATAL_ERROR "kvcheck_add_checker(${target}): no such file: ${registration}")
  endif()

  # Normal variables of this function's scope: kvcheck's option() and set(CACHE) keep them
  # (CMP0077, CMP0126), and nothing leaks into the caller's cache.
  set(KVCHECK_POLICY_REGISTRATION "${registration}")
  set(KVCHECK_BUILD_TESTS OFF)
  set(KVCHECK_BUILD_BENCHMARKS OFF)
  set(KVCHECK_INSTALL OFF)
  if(NOT DEFINED KVCHECK_ENABLE_CUDA)
    set(KVCHECK_ENABLE_CUDA OFF)
  endif()
  add_subdirectory("${source_dir}" "${CMAKE_CURRENT_BINARY_DIR}/kvcheck-${target}")

  set_target_properties(kvcheck PROPERTIES OUTPUT_NAME "${target}"
                        RUNTIME_OUTPUT_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}")
  if(TARGET kvcheck_engine_run)  # the decode engine's driver for GPU machines: not needed here
    set_target_properties(kvcheck_engine_run PROPERTIES EXCLUDE_FROM_ALL ON)
  endif()
  if(NOT target STREQUAL "kvcheck")
    if(TARGET ${target})
      message(FATAL_ERROR "kvcheck_add_checker: '${target}' is the name of one of kvcheck's own "
                          "targets; choose another")
    endif()
    add_executable(${target} ALIAS kvcheck)
  endif()
  set_property(GLOBAL PROPERTY KVCHECK_CHECKER_TARGET "${target}")
endfunction()
