// Backend selection (declared in backend.h). The CUDA backend is linked in only when the build
// found a CUDA compiler (KVCHECK_WITH_CUDA_BACKEND).
#include <string>

#include "gpu_replay/backend.h"
#include "gpu_replay/cpu_backend.h"
#include "io/input_error.h"
#ifdef KVCHECK_WITH_CUDA_BACKEND
#include "gpu_replay/cuda/cuda_backend.h"
#endif

namespace kvcheck::engine {

bool parse_backend_kind(std::string_view s, BackendKind& out) {
  if (s == "cpu") { out = BackendKind::Cpu; return true; }
  if (s == "cuda") { out = BackendKind::Cuda; return true; }
  return false;
}

std::string_view to_string(BackendKind k) { return k == BackendKind::Cpu ? "cpu" : "cuda"; }

bool cuda_backend_built() {
#ifdef KVCHECK_WITH_CUDA_BACKEND
  return true;
#else
  return false;
#endif
}

int cuda_device_count() {
#ifdef KVCHECK_WITH_CUDA_BACKEND
  return cuda::device_count();
#else
  return 0;
#endif
}

std::unique_ptr<Backend> make_backend(BackendKind kind, const Weights& w, PoolShape pool, DType dtype) {
  if (pool.num_blocks <= 0 || pool.block_size <= 0)
    throw config_error("engine", "num_blocks", "the KV pool needs num_blocks > 0 and block_size > 0");
  if (kind == BackendKind::Cpu) {
    if (dtype != DType::F32) throw config_error("engine", "dtype", "the CPU backend is fp32 only");
    return make_cpu_backend(w, pool);
  }
#ifdef KVCHECK_WITH_CUDA_BACKEND
  if (cuda::device_count() == 0) throw config_error("engine", "backend", "no CUDA device is visible");
  return cuda::make_cuda_backend(w, pool, dtype);
#else
  throw config_error("engine", "backend", "this kvcheck was built without CUDA (no nvcc at configure time)");
#endif
}

}  // namespace kvcheck::engine
