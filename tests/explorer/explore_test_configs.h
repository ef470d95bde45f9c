#pragma once
/// \file explore_test_configs.h
/// Tiny configurations for the explorer tests: known-safe and known-unsafe twins.
#include <string>

#include "io/config.h"

namespace kvcheck::explicit_state::testing {

inline Config config_from(const std::string& text) { return parse_config(text, "test.toml"); }

/// Dong & Cao Algorithm 1 on an 8-block pool: two classes (w_a = 5, w_b = 3 KV-token slots),
/// activation budget `budget` each; inequality (2) sum_k b_k w_k <= 8 holds for budget 1 only.
inline std::string p1_budgets(int budget, int max_requests) {
  return R"([engine]
block_size = 1
num_blocks = 8
lookahead = 1
[policy]
name = "p1_class_budgets"
[[classes]]
name = "a"
prompt = 1
output = 2
budget = )" + std::to_string(budget) + R"(
[[classes]]
name = "b"
prompt = 2
output = 1
budget = )" + std::to_string(budget) + R"(
[workload]
kind = "class_mix"
count = 4
[check]
properties = ["kv_no_overflow", "conservation", "exact_delivery"]
[explore]
max_arrivals_per_step = 2
max_requests = )" + std::to_string(max_requests) + "\n";
}

/// Ao et al. WAIT with one type whose threshold is `threshold`: above 1, a lone request waits
/// for a partner that never comes (max_requests bounds the arrivals).
inline std::string p2_wait(int threshold) {
  return R"([engine]
block_size = 1
num_blocks = 8
[policy]
name = "p2_wait"
[[classes]]
name = "t"
prompt = 1
output = 2
threshold = )" + std::to_string(threshold) + R"(
[workload]
kind = "class_mix"
count = 4
[check]
properties = ["kv_no_overflow", "conservation"]
[explore]
max_arrivals_per_step = 1
max_requests = 3
)";
}

/// Ao et al. Example 2 (configs/p2_example2.toml's shape) in saturated mode: P2 FCFS, C = 12,
/// one type (l = 1, o = 2), `arrivals` requests per iteration.
inline std::string p2_example2_saturated(int arrivals) {
  return R"([engine]
block_size = 1
num_blocks = 12
[policy]
name = "p2_fcfs"
[[classes]]
name = "p1d1"
prompt = 1
output = 2
rate = 4.0
[workload]
kind = "deterministic"
count = 10
[check]
properties = ["kv_no_overflow", "conservation", "exact_delivery"]
[envelope]
max_requests = 0
[explore]
mode = "saturated"
min_arrivals_per_step = )" + std::to_string(arrivals) + R"(
max_arrivals_per_step = )" + std::to_string(arrivals) + "\n";
}

}  // namespace kvcheck::explicit_state::testing
