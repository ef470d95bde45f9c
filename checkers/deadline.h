#pragma once
/// \file deadline.h
/// (and Heartbeat, below: progress while a long query runs)
/// The outer wall-clock guard of a solver run (`--time-limit`, the gate's budget). Algorithms
/// never branch on elapsed time: the guard only interrupts Z3 (Z3_interrupt, thread-safe) once
/// the deadline has passed, so the query in flight and every later one answer `unknown`
/// ("canceled"), which callers report as UNKNOWN, never as a pass. Until the deadline, the run
/// takes exactly the path it takes without a guard.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <thread>

#include "checkers/symbolic_domain.h"

namespace kvcheck {

using Deadline = std::optional<std::chrono::steady_clock::time_point>;

/// Whether `d` is set and has passed.
inline bool expired(const Deadline& d) {
  return d && std::chrono::steady_clock::now() >= *d;
}

/// Interrupts `ctx` every 50 ms from the deadline on, until destroyed.
class DeadlineGuard {
 public:
  DeadlineGuard(z3::context& ctx, const Deadline& d) {
    if (!d) return;
    thread_ = std::thread([this, &ctx, at = *d] {
      std::unique_lock lock(mu_);
      if (cv_.wait_until(lock, at, [this] { return stop_; })) return;
      while (!stop_) {
        ctx.interrupt();
        cv_.wait_for(lock, std::chrono::milliseconds(50), [this] { return stop_; });
      }
    });
  }
  ~DeadlineGuard() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  DeadlineGuard(const DeadlineGuard&) = delete;
  DeadlineGuard& operator=(const DeadlineGuard&) = delete;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

/// A progress line on `os` every `every` while a long solver call runs (`what`, seconds so
/// far), so a run is never silent for minutes. Printing only: it changes nothing the solver
/// does. No thread when `os` is null.
class Heartbeat {
 public:
  Heartbeat(std::ostream* os, std::string what,
            std::chrono::milliseconds every = std::chrono::seconds(5)) {
    if (!os) return;
    thread_ = std::thread([this, os, what = std::move(what), every] {
      const auto start = std::chrono::steady_clock::now();
      std::unique_lock lock(mu_);
      while (!cv_.wait_for(lock, every, [this] { return stop_; })) {
        const auto s = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::steady_clock::now() - start).count();
        *os << "  ... " << what << ": still solving after " << s << " s\n" << std::flush;
      }
    });
  }
  ~Heartbeat() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  Heartbeat(const Heartbeat&) = delete;
  Heartbeat& operator=(const Heartbeat&) = delete;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace kvcheck
