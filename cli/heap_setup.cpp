#include "cli/heap_setup.h"

#include <cstdlib>  // defines __GLIBC__ on glibc

#if defined(__GLIBC__) && defined(__linux__)
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#endif

namespace kvcheck::cli {

void set_up_heap() {
#if defined(__GLIBC__) && defined(__linux__)
  constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;  // x86-64 huge page
  constexpr int kPad = 64 << 20;
  mallopt(M_MMAP_THRESHOLD, 32 << 20);  // large arrays from the heap (32 MiB: glibc's maximum)
  mallopt(M_TOP_PAD, kPad);            // grow the heap in 64 MiB steps
  mallopt(M_TRIM_THRESHOLD, 2 * kPad); // and do not give it back on every free
  // Extend the heap now (a block as large as the pad, freed: its pages stay the heap's top)
  // and advise the whole top; the pages are only touched, and backed, when used.
  void* probe = std::malloc(16 << 20);
  const auto lo = (reinterpret_cast<std::uintptr_t>(probe) + kHuge - 1) & ~(kHuge - 1);
  const auto hi = reinterpret_cast<std::uintptr_t>(sbrk(0)) & ~(kHuge - 1);
  if (hi > lo) madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_HUGEPAGE);  // a hint only
  std::free(probe);
#endif
}

}  // namespace kvcheck::cli
