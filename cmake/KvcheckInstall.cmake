# Install rules and the kvcheck:: package (KVCHECK_INSTALL, on when kvcheck is the top project).
#
#   <prefix>/bin/kvcheck                      the stock checker, exported as kvcheck::kvcheck
#   <prefix>/lib/cmake/kvcheck/               kvcheckConfig.cmake, kvcheckConfigVersion.cmake,
#                                             kvcheckTargets*.cmake, KvcheckAddChecker.cmake
#   <prefix>/share/kvcheck/src/               the sources a team's own checker is built from
#                                             (kvcheck_add_checker): the top CMakeLists.txt,
#                                             cmake/ and every product folder; no tests, bench,
#                                             configs, data or docs
#
# A policy is a template compiled into every backend, so a new policy means a new kvcheck
# executable: the package ships the sources, not libraries (docs/adding-a-policy.md, "Your own
# policy, out of tree").
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(KVCHECK_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/kvcheck"
    CACHE STRING "Where kvcheckConfig.cmake is installed, relative to the prefix")
set(KVCHECK_INSTALL_SRCDIR "${CMAKE_INSTALL_DATADIR}/kvcheck/src"
    CACHE STRING "Where the sources for kvcheck_add_checker are installed, relative to the prefix")

install(TARGETS kvcheck EXPORT kvcheck-targets RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
install(EXPORT kvcheck-targets NAMESPACE kvcheck:: FILE kvcheckTargets.cmake
        DESTINATION "${KVCHECK_INSTALL_CMAKEDIR}")

install(FILES "${PROJECT_SOURCE_DIR}/CMakeLists.txt" DESTINATION "${KVCHECK_INSTALL_SRCDIR}")
set(_kvcheck_source_folders models properties io sim theory cluster counterexamples checkers gpu_replay
    gate importers cli cmake)
foreach(folder IN LISTS _kvcheck_source_folders)
  # The trace corpus (counterexamples/corpus, counterexamples/confirmed) is test data.
  install(DIRECTORY "${PROJECT_SOURCE_DIR}/${folder}" DESTINATION "${KVCHECK_INSTALL_SRCDIR}"
          PATTERN "*.itf.json" EXCLUDE PATTERN "corpus" EXCLUDE PATTERN "confirmed" EXCLUDE)
endforeach()

configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/cmake/kvcheckConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/package/kvcheckConfig.cmake"
  INSTALL_DESTINATION "${KVCHECK_INSTALL_CMAKEDIR}"
  PATH_VARS KVCHECK_INSTALL_SRCDIR)
# 0.x: a minor version may break the package.
write_basic_package_version_file("${PROJECT_BINARY_DIR}/package/kvcheckConfigVersion.cmake"
                                 COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/package/kvcheckConfig.cmake"
              "${PROJECT_BINARY_DIR}/package/kvcheckConfigVersion.cmake"
              "${PROJECT_SOURCE_DIR}/cmake/KvcheckAddChecker.cmake"
        DESTINATION "${KVCHECK_INSTALL_CMAKEDIR}")
