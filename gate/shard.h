#pragma once
/// \file shard.h
/// A deterministic slice of the gate's configs, so one gate can run on N machines (a CI matrix,
/// a Kubernetes indexed job): shard I of N (0-based, as GoogleTest's GTEST_SHARD_INDEX) takes
/// the configs at positions I, I + N, I + 2N, ... of the sorted list. Every config is in
/// exactly one shard, whatever N is.
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace kvcheck {

struct Shard {
  int index = 0;
  int total = 1;
};

/// "I/N" with 0 <= I < N <= 10,000; throws InputError (151) naming `field` otherwise.
Shard parse_shard(const std::string& text, const std::string& field);

/// The shard named by the environment, when any: KVCHECK_SHARD_INDEX and KVCHECK_TOTAL_SHARDS,
/// else GTEST_SHARD_INDEX and GTEST_TOTAL_SHARDS, else JOB_COMPLETION_INDEX (a Kubernetes
/// indexed job) with KVCHECK_TOTAL_SHARDS (that index alone is ignored). A half-set pair or a
/// bad value is an InputError (151) naming the variable. `getenv` is injectable for tests.
std::optional<Shard> shard_from_env(
    const std::function<const char*(const char*)>& getenv = [](const char* n) {
      return std::getenv(n);
    });

/// `configs` sorted, then every N-th from position I.
std::vector<std::filesystem::path> shard_slice(std::vector<std::filesystem::path> configs,
                                               Shard s);

}  // namespace kvcheck
