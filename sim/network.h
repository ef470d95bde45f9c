#pragma once
/// \file network.h
/// A network of servers, each one kvcheck engine (the config's [engine] running its [policy]),
/// stepping in lockstep: P4 (Li, Dai, Peng) section 5.4's agent network (papers.md 4.4 item 3).
/// A request type arrives (Poisson per step) at the first server of its route; a task that
/// completes at one server enters the next server of its route at the next step, as a new
/// request with that task's prompt, output and priority (the server's class: 0 = first). The
/// run is one `ConcreteView` per server over a workload that grows as tasks are forwarded
/// (`ConcreteView::workload_grew`), so every server runs the one policy definition.
#include <cstdint>
#include <string>
#include <vector>

#include "io/config.h"

namespace kvcheck {

struct NetworkTask {
  std::int64_t server = 0, prompt = 1, output = 1, priority = 0;
};

struct NetworkType {
  std::string name;
  double rate = 0.0;  ///< Poisson arrivals per step at the first task's server
  std::vector<NetworkTask> tasks;
};

/// `[network]` (docs/network.md).
struct NetworkSpec {
  std::int64_t servers = 2;
  std::int64_t steps = 0;
  std::uint64_t seed = 1;
  std::vector<NetworkType> types;
};

/// Reads and validates `[network]` of `cfg` (InputError naming file, field and reason).
NetworkSpec read_network(const Config& cfg);

/// Work left in the network at one step: tokens still to process (prompt and decode) over
/// every request present at every server, plus the later tasks of requests still on their
/// route.
struct NetworkPoint {
  std::int64_t step = 0;
  std::int64_t tokens = 0;
  std::vector<std::int64_t> server_tokens;  ///< the part queued or running at each server
};

struct NetworkResult {
  std::vector<NetworkPoint> series;  ///< every `every`-th step
  std::int64_t every = 1;
  std::int64_t arrived = 0, completed = 0;  ///< requests (whole routes)
  std::int64_t peak_tokens = 0;  ///< the largest work over the series points (sampled)
  std::int64_t final_tokens = 0;
};

/// Simulates `spec.steps` steps. `points`: at most this many series points.
NetworkResult run_network(const Config& cfg, const NetworkSpec& spec, std::int64_t points = 400);

/// The result as JSON: arrived, completed, peak_tokens, final_tokens, every, series[] of
/// {step, tokens, server_tokens[]}.
std::string network_json(const NetworkResult& r);

}  // namespace kvcheck
