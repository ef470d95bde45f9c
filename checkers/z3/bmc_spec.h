#pragma once
/// \file bmc_spec.h
/// The `[bmc]` section of a config: the symbolic workload (N request slots and the ranges of
/// their inputs) and the checker's limits. Every bound defaults to the config's workload
/// envelope (io/envelope.h): lengths are the envelope's (exactly the [[classes]]' own when the
/// config has classes), slots = min(3, the envelope's request bound), arrival steps in
/// [0, min(3, the envelope's last arrival)]; a value that would widen the envelope is a config
/// error. io/ checks its keys against the config schema
/// (io/config_schema.cpp, which also holds the ranges); the values are parsed here from
/// Config::text with the same "file: field: reason" errors (InputError, exit 151).
///
/// ```toml
/// [bmc]
/// slots = 4                 # N request slots (1..16)
/// prompt = [1, 3]           # prompt length range (classless configs; inside the envelope's)
/// output = [1, 3]           # output length range (classless configs; inside the envelope's)
/// arrival = [0, 3]          # arrival step range
/// allow_absent = true       # a slot may stay empty (workloads of fewer than N requests)
/// max_arrivals_per_step = 0 # 0 = unlimited
/// depth = 10                # `check` default depth
/// max_k = 8                 # `prove`: largest induction depth tried
/// timeout_ms = 0            # per solver query; 0 = none
/// rlimit = 0                # Z3 resource units per query (deterministic); 0 = none
/// properties = ["kv_no_overflow"]   # default: [check] properties
/// invariants = ["(<= blocks_0 4)"]  # `prove`: strengthening invariants, SMT-LIB2 over the
///                                   # state names listed in docs/z3-backend.md
/// ```
#include <cstdint>
#include <string>
#include <vector>

#include "io/config.h"
#include "io/envelope.h"
#include "properties/property.h"

namespace kvcheck {

struct BmcSpec {
  int slots = 3;
  std::int64_t prompt_lo = 1, prompt_hi = 3;
  std::int64_t output_lo = 1, output_hi = 3;
  std::int64_t arrival_lo = 0, arrival_hi = 3;
  /// true: class in [0, #classes), prompt/output exactly the [[classes]]' own (the envelope of
  /// a config with classes); false: class 0..#classes-1 with the prompt/output ranges above.
  bool per_class = false;
  bool allow_absent = true;
  std::int64_t max_arrivals_per_step = 0;
  /// Closed loop: at most this many requests in flight (the envelope's, which is the
  /// [workload]'s `max_concurrency`: an engine-visible arrival rule, models/arrival_rules.h,
  /// that no checker section changes); 0 = open loop.
  std::int64_t max_concurrency = 0;
  std::int64_t depth = 10;
  std::int64_t max_k = 8;
  std::int64_t timeout_ms = 0;
  std::int64_t rlimit = 0;
  std::vector<PropertyId> properties;
  std::vector<std::string> invariants;
  Envelope envelope;  ///< the config's envelope (empty classes: a spec built by hand)
};

/// What the spec covers of its envelope (io/envelope.h describe_coverage).
EnvelopeCoverage bmc_coverage(const BmcSpec& spec);

/// Parses `[bmc]` from cfg.text (defaults when absent). Throws InputError(ConfigError).
BmcSpec parse_bmc_spec(const Config& cfg);

}  // namespace kvcheck
