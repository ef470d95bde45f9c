#pragma once
/// \file heap_setup.h
/// The process's heap policy, set once at the start of main: keep large allocations on the
/// brk heap, grow it in 64 MiB steps and ask for transparent huge pages on it. A command such as
/// `simulate` on the Azure trace touches ~10 MB of fresh heap; on this paravirtualised machine
/// each 4 KiB page fault costs ~7 us, and the ~1,500 of them were a quarter of the command's
/// time (docs/perf.md "Simulator"). Nothing else changes: the same allocations, the same
/// results. A no-op where the platform has no such knobs (non-glibc, no madvise).
namespace kvcheck::cli {

void set_up_heap();

}  // namespace kvcheck::cli
