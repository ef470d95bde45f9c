# kvcheck_add_test(<name> SOURCES ... [LIBS ...] [LABEL <label>] [FAST_CASES <gtest filter>]
#                  [COST <seconds>])
# One GoogleTest executable, linked to the project libraries, registered with CTest.
# LABEL labels every case (`fast`: the quick tier that mutation testing runs, see docs/testing.md).
# FAST_CASES (a GoogleTest filter, "Suite.Case:Suite2.*") labels just those cases `fast`; the
# binary's other cases keep LABEL (or none), so a slow binary can lend its quick cases to the tier.
function(kvcheck_add_test name)
  cmake_parse_arguments(ARG "" "LABEL;FAST_CASES;COST" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest_main kvcheck::warnings)
  target_compile_definitions(${name} PRIVATE
    KVCHECK_SOURCE_DIR="${PROJECT_SOURCE_DIR}" KVCHECK_BINARY_DIR="${PROJECT_BINARY_DIR}")
  set(props ENVIRONMENT "RC_PARAMS=max_success=200")
  set(rest_props ${props})
  if(ARG_LABEL)
    list(APPEND rest_props LABELS ${ARG_LABEL})
  endif()
  # COST: ctest -j starts the costliest tests first; a clean clone has no timing history, so
  # without it a minutes-long test declared late runs alone at the end on one of the 2 cores.
  if(ARG_COST)
    list(APPEND rest_props COST ${ARG_COST})
  endif()
  if(ARG_FAST_CASES)
    gtest_discover_tests(${name} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                         TEST_FILTER "${ARG_FAST_CASES}"
                         PROPERTIES ${props} LABELS fast DISCOVERY_TIMEOUT 60)
    gtest_discover_tests(${name} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                         TEST_FILTER "-${ARG_FAST_CASES}"
                         PROPERTIES ${rest_props} DISCOVERY_TIMEOUT 60)
  else()
    gtest_discover_tests(${name} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                         PROPERTIES ${rest_props} DISCOVERY_TIMEOUT 60)
  endif()
endfunction()
