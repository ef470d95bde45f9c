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
};

/// How arrival times map to steps: `Steps` uses Request::arrival_step as given; `Timed` releases a
/// request at the first step whose start time is >= its arrival_time, with step durations from
/// the configured time model.
enum class ArrivalClock { Steps, Timed };

/// The workload: requests in arrival order (ties keep index order).
struct Workload {
  std::vector<Request> requests;
  ArrivalClock clock = ArrivalClock::Steps;
  /// Closed loop (`vllm bench serve --max-concurrency`): a request whose arrival has come enters
  /// only while fewer than this many requests are in flight, in workload order
  /// (models/arrival_rules.h); its latency clock starts when it enters. 0 = open loop.
  std::int64_t max_concurrency = 0;
};

}  // namespace kvcheck
