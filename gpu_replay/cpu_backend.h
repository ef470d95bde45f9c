#pragma once
/// \file cpu_backend.h
/// The CPU backend: fp32 loops in the llama2.c style over the same paged KV layout the CUDA
/// backend uses, k[L][num_blocks][block_size][Hkv][hd] and the same for v, in one allocation.
#include <memory>

#include "gpu_replay/backend.h"

namespace kvcheck::engine {

std::unique_ptr<Backend> make_cpu_backend(const Weights& w, PoolShape pool);

}  // namespace kvcheck::engine
