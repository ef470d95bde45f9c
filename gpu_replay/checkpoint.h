#pragma once
/// \file checkpoint.h
/// llama2.c `.bin` checkpoints (engines.md 4.1): v0 (28-byte header, negative vocab = unshared
/// classifier, freq_cis tables skipped) and v1 (256-byte "ak42" header, norms first). The writer
/// exists so tests can round-trip files the project makes itself.
#include <filesystem>

#include "gpu_replay/weights.h"

namespace kvcheck::engine {

enum class CheckpointVersion { V0, V1 };

/// Reads a v0 or v1 file (detected by the v1 magic). The RoPE style is llama2.c's
/// interleaved one. Throws InputError(TraceParseError) naming the file and field on any
/// problem (short file, bad header value, trailing bytes).
Weights read_llama2c(const std::filesystem::path& path);

/// Writes `w` in the given version. v0 writes zero freq_cis tables (readers skip them).
/// Throws InputError(ConfigError) when the file cannot be written.
void write_llama2c(const Weights& w, const std::filesystem::path& path, CheckpointVersion v);

}  // namespace kvcheck::engine
