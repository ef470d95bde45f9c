# One INTERFACE target carrying the project's warning flags; every first-party target links it PRIVATE.
add_library(kvcheck_warnings INTERFACE)
add_library(kvcheck::warnings ALIAS kvcheck_warnings)
target_compile_options(kvcheck_warnings INTERFACE
  $<$<COMPILE_LANG_AND_ID:CXX,GNU,Clang>:-Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion>
  $<$<AND:$<BOOL:${KVCHECK_WERROR}>,$<COMPILE_LANG_AND_ID:CXX,GNU,Clang>>:-Werror>)
# Debug builds (the dev preset, the fast tier, mutation testing) check every standard-library
# index and precondition: an out-of-range vector index aborts instead of reading a neighbour.
target_compile_definitions(kvcheck_warnings INTERFACE $<$<CONFIG:Debug>:_GLIBCXX_ASSERTIONS>)
