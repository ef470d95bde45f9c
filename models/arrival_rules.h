#pragma once
/// \file arrival_rules.h
/// The arrival rule every view applies at the start of an iteration, written once over a value
/// domain: a request whose arrival step (or time) has come enters the engine in workload order,
/// and under a closed loop (Workload::max_concurrency = c > 0) only while fewer than c requests
/// are in flight (arrived, neither completed nor rejected). This is `vllm bench serve
/// --max-concurrency c`: each request task holds an asyncio.Semaphore(c) for its whole
/// lifetime, and the waiters are woken in FIFO order, so a later request never overtakes an
/// earlier one (vllm/benchmarks/serve.py, benchmark(): `limited_request_func`).
/// ConcreteView::begin_step and SymbolicView::begin_step call `may_enter` for each request in
/// turn; an entering request that the engine cannot serve is rejected at once (engine_rules.h)
/// and so never counts as in flight.
#include <cstdint>

namespace kvcheck {

/// Whether the next request in workload order enters now.
/// \param due             its arrival step (time) has come
/// \param earlier_entered every earlier request in workload order has entered (FIFO)
/// \param in_flight       requests in flight now, the ones that entered before it this step
///                        included
/// \param max_concurrency 0 = open loop: arrival order alone decides (earlier requests are due
///                        before it, so they enter first), and `earlier_entered` and
///                        `in_flight` are not used
template <class D>
typename D::Bool may_enter(const typename D::Bool& due, const typename D::Bool& earlier_entered,
                           const typename D::Int& in_flight, std::int64_t max_concurrency) {
  if (max_concurrency <= 0) return due;
  return due && earlier_entered && in_flight < D::lit(max_concurrency);
}

}  // namespace kvcheck
