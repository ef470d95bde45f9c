/// \file csv_fuzz.cpp
/// libFuzzer target: the Azure-format CSV trace reader (`load_azure_csv`, io/workload.h).
/// The reader only takes a path, so each input is written to an in-memory file (memfd) and read
/// back through /proc/self/fd/N; a text-level `parse_azure_csv(text, name, time_scale, limit)`
/// in io/ would let this target call the parser directly.
/// Contract: a parse succeeds or throws InputError; anything else is a finding. A successful
/// parse must also be a workload the simulator can take: arrival times finite, >= 0 and in order
/// (a `nan` seconds field once made every one NaN), prompt and output >= 1.
#include <sys/mman.h>
#include <unistd.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "io/input_error.h"
#include "io/workload.h"

namespace {

/// One memfd for the whole run, rewritten for every input.
int input_fd() {
  static const int fd = [] {
    const int f = memfd_create("kvcheck_csv_fuzz", 0);
    if (f < 0) {
      std::perror("csv_fuzz: memfd_create");
      std::abort();
    }
    return f;
  }();
  return fd;
}

void write_all(int fd, const std::uint8_t* data, std::size_t size) {
  if (ftruncate(fd, 0) != 0) std::abort();
  std::size_t done = 0;
  while (done < size) {
    const auto n = pwrite(fd, data + done, size - done, static_cast<off_t>(done));
    if (n <= 0) std::abort();
    done += static_cast<std::size_t>(n);
  }
}

/// Aborts (a finding) when a parsed workload breaks the reader's postcondition.
void check_workload(const kvcheck::Workload& w) {
  double last = 0.0;
  for (const auto& r : w.requests) {
    if (!std::isfinite(r.arrival_time) || r.arrival_time < last || r.prompt < 1 || r.output < 1) {
      std::fprintf(stderr, "csv_fuzz: parsed request breaks the postcondition: arrival_time %g "
                   "(previous %g), prompt %lld, output %lld\n", r.arrival_time, last,
                   static_cast<long long>(r.prompt), static_cast<long long>(r.output));
      std::abort();
    }
    last = r.arrival_time;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const int fd = input_fd();
  write_all(fd, data, size);
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  try {
    check_workload(kvcheck::load_azure_csv(path, 1.0, 0));
  } catch (const kvcheck::InputError&) {
  }
  return 0;
}
