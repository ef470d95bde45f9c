#pragma once
/// \file cuda_backend.h
/// The CUDA backend's entry points, free of CUDA headers so plain C++ can call them. The pool
/// is one cudaMalloc of exactly num_blocks blocks (K and V, every layer); kernels in kernels.cuh.
#include <memory>

#include "gpu_replay/backend.h"

namespace kvcheck::engine::cuda {

/// Devices visible to the CUDA runtime (0 when none or when the driver is missing).
int device_count();

/// A CUDA backend on the current device; GEMM weights in `dtype` (bf16 or fp32, no TF32).
std::unique_ptr<Backend> make_cuda_backend(const Weights& w, PoolShape pool, DType dtype);

}  // namespace kvcheck::engine::cuda
