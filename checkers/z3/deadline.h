#pragma once
/// \file deadline.h
/// The outer wall-clock guard of a solver run (`--time-limit`, the gate's budget), and the
/// progress heartbeat. Algorithms never branch on elapsed time: the guard only interrupts Z3
/// (Z3_interrupt, thread-safe) once the deadline has passed, so the query in flight and every
/// later one answer `unknown` ("canceled"), which callers report as UNKNOWN, never as a pass.
/// Until the deadline, the run takes exactly the path it takes without a guard.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <thread>

#include "checkers/z3/symbolic_domain.h"

namespace kvcheck {

using Deadline = std::optional<std::chrono::steady_clock::time_point>;

/// Whether `d` is set and has passed.
inline bool expired(const Deadline& d) {
  return d && std::chrono::steady_clock::now() >= *d;
}

/// Runs `fn` on a thread of its own at `first`, then every `period`, until destroyed.
class PeriodicTask {
 public:
  PeriodicTask() = default;
  PeriodicTask(std::chrono::steady_clock::time_point first, std::chrono::milliseconds period,
               std::function<void()> fn)
      : thread_([this, first, period, fn = std::move(fn)] {
          std::unique_lock lock(mu_);
          for (auto at = first; !cv_.wait_until(lock, at, [this] { return stop_; }); at += period)
            fn();
        }) {}
  ~PeriodicTask() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;  // last: started once the members it uses exist
};

/// Interrupts `ctx` every 50 ms from the deadline on, until destroyed (nothing when unset).
class DeadlineGuard {
 public:
  DeadlineGuard(z3::context& ctx, const Deadline& d) {
    if (d) task_.emplace(*d, std::chrono::milliseconds(50), [&ctx] { ctx.interrupt(); });
  }

 private:
  std::optional<PeriodicTask> task_;
};

/// How often a Heartbeat prints.
inline constexpr std::chrono::milliseconds kHeartbeatPeriod{5000};

/// A progress line on `os` every `every` (5 s) while a long solver call runs (`what`, seconds
/// so far), the first one `every` after the start, so a run is never silent for minutes and a
/// quick call prints nothing. Printing only: it changes nothing the solver does.
class Heartbeat {
 public:
  Heartbeat(std::ostream* os, std::string what,
            std::chrono::milliseconds every = kHeartbeatPeriod) {
    if (!os) return;
    const auto start = std::chrono::steady_clock::now();
    task_.emplace(start + every, every, [os, what = std::move(what), start] {
      const auto s = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::steady_clock::now() - start).count();
      *os << "  ... " << what << ": still solving after " << s << " s\n" << std::flush;
    });
  }

 private:
  std::optional<PeriodicTask> task_;
};

}  // namespace kvcheck
