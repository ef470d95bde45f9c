# kvcheck_layer(<target> <folder> [SUBDIRS <dir>...])
#
# Makes the layer rules a compile error (docs/architecture.md, "Layers"). A target no longer
# exports the repository root, through which every header of every folder was reachable: its
# public include root is a directory of its own, build/layers/<target>/, that holds <folder>/
# with a link to each header of <folder> (not its subfolders, which may be other targets) and a
# link to each subfolder named in SUBDIRS (models/policies/). A source file then sees the headers of its own target and of
# the targets it links, and nothing else: `#include "checkers/z3/bmc.h"` in models/ fails with "no
# such file". Includes keep their repository-relative spelling ("models/engine_step.h").
#
# The header list is globbed with CONFIGURE_DEPENDS, so a new header is linked at the next build.
function(kvcheck_layer target folder)
  cmake_parse_arguments(ARG "" "" "SUBDIRS" ${ARGN})
  set(root "${PROJECT_BINARY_DIR}/layers/${target}")
  set(dest "${root}/${folder}")
  file(GLOB headers CONFIGURE_DEPENDS RELATIVE "${PROJECT_SOURCE_DIR}/${folder}"
       "${PROJECT_SOURCE_DIR}/${folder}/*.h" "${PROJECT_SOURCE_DIR}/${folder}/*.cuh")
  # Rebuilt from scratch at every configure, so a deleted or renamed header disappears too.
  file(REMOVE_RECURSE "${root}")
  file(MAKE_DIRECTORY "${dest}")
  foreach(entry IN LISTS headers ARG_SUBDIRS)
    file(CREATE_LINK "${PROJECT_SOURCE_DIR}/${folder}/${entry}" "${dest}/${entry}" SYMBOLIC)
  endforeach()
  target_include_directories(${target} PUBLIC "$<BUILD_INTERFACE:${root}>")
endfunction()
