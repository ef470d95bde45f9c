#pragma once
/// \file request.h
/// A request as the workload gives it: the inputs of the model, fixed for the whole run.
#include <cstdint>
#include <vector>

namespace kvcheck {

struct Request {
  std::int64_t arrival_step = 0;  ///< the step at whose start the request joins the queue
  double arrival_time = 0.0;      ///< seconds, for timed workloads (informational in step mode)
  std::int64_t prompt = 1;        ///< prompt tokens s >= 1
  std::int64_t output = 1;        ///< output tokens o >= 1, hidden from policies until completion
  std::int64_t klass = 0;         ///< class / type index into ModelParams::classes (0 if none)
  /// In flight at time 0 when >= 0: the request was admitted and prefilled before the run and
  /// has since gone through this many decode iterations, so it starts running with
  /// computed = prompt + k, generated = k + 1 (the prefill sampled the first output token) and
  /// the blocks the engine holds after such a step (ConcreteView::place_in_flight). Requires
  /// k + 1 < output (else it would be done). -1: an ordinary request that arrives by
  /// arrival_step / arrival_time. In-flight requests come first in a workload (its prefix),
  /// arrive at step 0 / time 0, and are admitted in workload order before anything else.
  std::int64_t decoded_at_start = -1;
  bool in_flight_at_start() const { return decoded_at_start >= 0; }
};

/// How arrival times map to steps: `Steps` uses Request::arrival_step as given; `Timed` releases a
/// request at the first step whose start time is >= its arrival_time, with step durations from
/// the configured time model.
enum class ArrivalClock { Steps, Timed };

/// The workload: requests in arrival order (ties keep index order); in-flight requests
/// (Request::decoded_at_start >= 0) form its prefix.
struct Workload {
  std::vector<Request> requests;
  ArrivalClock clock = ArrivalClock::Steps;
  /// Closed loop (`vllm bench serve --max-concurrency`): a request whose arrival has come enters
  /// only while fewer than this many requests are in flight, in workload order
  /// (models/arrival_rules.h); its latency clock starts when it enters. 0 = open loop.
  std::int64_t max_concurrency = 0;
  /// The number of in-flight requests at the front of `requests` (they end where the first
  /// ordinary request is).
  std::size_t in_flight_count() const {
    std::size_t n = 0;
    while (n < requests.size() && requests[n].in_flight_at_start()) ++n;
    return n;
  }
};

}  // namespace kvcheck
