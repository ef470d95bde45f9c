#pragma once
/// \file cuda_check.h
/// The one layer that checks CUDA and cuBLAS return codes: every runtime / cuBLAS call in
/// gpu_replay/cuda goes through KVC_CUDA / KVC_CUBLAS, and kernel launches are followed by
/// KVC_LAUNCH(). A failure throws CudaError naming the call, file and line.
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

namespace kvcheck::engine::cuda {

class CudaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline void check(cudaError_t e, const char* what, const char* file, int line) {
  if (e != cudaSuccess)
    throw CudaError(std::string(file) + ":" + std::to_string(line) + ": " + what + ": " +
                    cudaGetErrorName(e) + " (" + cudaGetErrorString(e) + ")");
}

inline void check(cublasStatus_t s, const char* what, const char* file, int line) {
  if (s != CUBLAS_STATUS_SUCCESS)
    throw CudaError(std::string(file) + ":" + std::to_string(line) + ": " + what +
                    ": cuBLAS status " + std::to_string(static_cast<int>(s)));
}

}  // namespace kvcheck::engine::cuda

#define KVC_CUDA(expr) ::kvcheck::engine::cuda::check((expr), #expr, __FILE__, __LINE__)
#define KVC_CUBLAS(expr) ::kvcheck::engine::cuda::check((expr), #expr, __FILE__, __LINE__)
#define KVC_LAUNCH() ::kvcheck::engine::cuda::check(cudaGetLastError(), "kernel launch", __FILE__, __LINE__)
