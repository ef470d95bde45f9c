#pragma once
/// \file config.h
/// A kvcheck configuration file (TOML; schema in docs/config.md): the model (engine, policy,
/// classes), the time model, the workload and the properties to check. Loading validates every
/// field and throws InputError naming file, field and reason.
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "models/params.h"
#include "models/request.h"
#include "models/time_model.h"
#include "properties/property.h"

namespace kvcheck {

enum class WorkloadKind { Explicit, Deterministic, Poisson, ClassMix, Trace, Random, Dataset };

/// How to build the workload. The generators (deterministic, poisson, class_mix) arrive per
/// step (ArrivalClock::Steps) unless `clock = "seconds"`: then their rates (and the classes')
/// are per second and arrivals carry times (ArrivalClock::Timed). `trace` timestamps are seconds
/// (Timed) scaled by `time_scale`; `random` / `dataset` (`vllm bench serve`'s workloads,
/// io/bench_workload.h) have `request_rate` in requests per second (Timed).
struct WorkloadSpec {
  WorkloadKind kind = WorkloadKind::Explicit;
  std::vector<Request> requests;    ///< explicit
  std::int64_t count = 0;           ///< generated requests
  /// deterministic / poisson / class_mix: Steps (rates per step) or Timed (`clock =
  /// "seconds"`: rates per second, arrivals at times).
  ArrivalClock clock = ArrivalClock::Steps;
  double rate = 1.0;                ///< poisson arrivals per step (per second when Timed)
  std::int64_t interval = 1;        ///< deterministic, steps clock: steps between arrivals
  double period = 0.0;              ///< deterministic, seconds clock: seconds between arrivals
  std::int64_t burst = 1;           ///< deterministic: requests per arrival instant
  std::int64_t backlog = 0;         ///< deterministic/poisson: extra requests waiting at step 0
  std::int64_t prompt = 1, output = 1;  ///< deterministic/poisson request shape
  std::uint64_t seed = 1;
  std::filesystem::path trace;      ///< trace: Azure-format CSV
  double time_scale = 1.0;          ///< trace: arrival times are multiplied by this
  std::int64_t limit = 0;           ///< trace: use the first `limit` rows (0 = all)
  /// Every kind: closed loop, at most this many requests in flight (Workload::max_concurrency);
  /// 0 = open loop.
  std::int64_t max_concurrency = 0;
  std::int64_t input_len = 1024;    ///< random: --random-input-len
  std::int64_t output_len = 128;    ///< random: --random-output-len
  double range_ratio = 0.0;         ///< random: --random-range-ratio, in [0, 1)
  std::int64_t prefix_len = 0;      ///< random: --random-prefix-len
  std::int64_t num_prompts = 1000;  ///< random: --num-prompts; dataset: first rows (0 = all)
  /// random / dataset: --request-rate, requests per second; infinity = all at time 0.
  double request_rate = std::numeric_limits<double>::infinity();
  double burstiness = 1.0;          ///< random / dataset: --burstiness (gamma shape; 1 = Poisson)
  std::filesystem::path dataset;    ///< dataset: CSV of `prompt,output` lengths
  /// Every kind: `[[workload.in_flight]]`, requests running at time 0 (Request::decoded_at_start
  /// >= 0), one entry per request (a table's `count` expanded), in config order; build_workload
  /// puts them before every other request.
  std::vector<Request> in_flight;
};

struct CheckSpec {
  std::vector<PropertyId> properties;  ///< checked after every iteration
  std::int64_t max_steps = 10'000'000;  ///< simulate: hard stop
  /// max_steps was declared (config or --max-steps): the run is a bounded check to that
  /// horizon, BOUNDED_OK when cut there. Not declared: a run cut short is UNKNOWN (incomplete).
  bool max_steps_declared = false;
  std::int64_t max_idle_steps = 10'000; ///< simulate: consecutive empty iterations = stalled
};

/// [cluster]: P3's n-GPU gate-and-route system (Lin et al., docs/p3.md), read by `kvcheck
/// analyze --only p3` and `kvcheck cluster`. Its classes are `[[classes]]` (prompt = P_i,
/// output = D_i, rate = lambda_i per GPU per second, abandon_rate = theta_i). A config with
/// [cluster] may leave out [engine], [policy] and [workload] (P3 has no KV pool).
struct ClusterSpec {
  bool present = false;
  /// No [workload]: only `kvcheck cluster` and `analyze --only p3` apply (build_workload refuses).
  bool only = false;
  std::int64_t gpus = 1;          ///< n
  std::int64_t batch = 2;         ///< B
  std::int64_t chunk = 1;         ///< C, tokens
  double alpha = 0.0, beta = 0.0; ///< tau = alpha + beta C, seconds
  double gamma = 1.0;             ///< solo tokens per second per stream
  double c_p = 0.0, c_d = 0.0;
  std::string charging = "bundled";       ///< "bundled" | "separate"
  std::string policy = "gate_and_route";  ///< "gate_and_route" | "prioritize_and_route"
  std::string service = "exponential";    ///< "exponential" | "deterministic"
  double horizon = 1000.0, warmup = 0.0;  ///< seconds
  std::uint64_t seed = 1;
};

struct Config {
  std::filesystem::path path;   ///< the file it came from
  std::string name;             ///< [meta] name, or the file stem
  std::string text;             ///< the file's text (other layers read their own sections)
  std::string hash;             ///< FNV-1a 64 of the text, hex
  /// [meta] expect: the verdict the gate requires ("ok", "violated"; empty = not gated) and,
  /// optionally, [meta] expect_property: the property that must be the one violated.
  std::string expect, expect_property;
  ModelParams model;
  TimeModel time;
  WorkloadSpec workload;
  /// No [workload], a [network] instead (sim/network.h): only `kvcheck network` runs it.
  bool network_only = false;
  CheckSpec check;
  ClusterSpec cluster;
};

/// Loads and validates a config file. Throws InputError (exit 151) on any problem.
Config load_config(const std::filesystem::path& path);
/// Same, from text (for tests); `path` names it in error messages and resolves relative paths.
Config parse_config(const std::string& text, const std::filesystem::path& path);

/// FNV-1a 64-bit hash, as 16 hex digits.
std::string fnv1a_hex(const std::string& text);

}  // namespace kvcheck
