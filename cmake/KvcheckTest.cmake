# kvcheck_add_test(<name> SOURCES ... [LIBS ...] [LABEL <label>])
# One GoogleTest executable, linked to the project libraries, registered with CTest.
function(kvcheck_add_test name)
  cmake_parse_arguments(ARG "" "LABEL" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest_main kvcheck::warnings)
  target_compile_definitions(${name} PRIVATE
    KVCHECK_SOURCE_DIR="${PROJECT_SOURCE_DIR}" KVCHECK_BINARY_DIR="${PROJECT_BINARY_DIR}")
  set(props ENVIRONMENT "RC_PARAMS=max_success=200")
  if(ARG_LABEL)
    list(APPEND props LABELS ${ARG_LABEL})
  endif()
  gtest_discover_tests(${name} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                       PROPERTIES ${props} DISCOVERY_TIMEOUT 60)
endfunction()
