#pragma once
/// \file limits.h
/// What the machine can hold: the bounds every size, rate, count and time read from a config or
/// a trace is checked against at load (docs/config.md states them). A value past one is a
/// one-line InputError naming the file and the field, never a hang, an out-of-memory exit or a
/// silently wrong verdict. One table, so the readers ([workload], [time], [fuzz], [explore]) and
/// the docs cannot disagree.
#include <cstdint>

namespace kvcheck::limits {

/// Requests one workload may hold (count + backlog, rows of a trace, a fuzz stability run). The
/// simulator keeps about 200 bytes per request: `simulate` of 10^7 requests peaks at 2.0 GB.
inline constexpr std::int64_t kMaxRequests = 10'000'000;
/// Tokens in one prompt or output (= [fuzz] max_prompt's maximum): a request's KV work
/// l*o + o^2/2 (theory/p1_work.h) stays below 2^61, inside int64.
inline constexpr std::int64_t kMaxTokens = std::int64_t{1} << 30;
/// The latest arrival step a workload may name (= check.max_steps' maximum).
inline constexpr std::int64_t kMaxStep = std::int64_t{1} << 40;
/// Arrival rates (requests per step): 0 < rate in [kMinRate, kMaxRate]. Below, arrivals are
/// astronomically far apart; above, a single step holds more than any workload can.
inline constexpr double kMinRate = 1e-6, kMaxRate = 1e6;
/// Time coefficients (seconds, seconds per token) and trace time scales: 0, or in
/// [kMinSeconds, kMaxSeconds]: a femtosecond up to about 11.6 days.
inline constexpr double kMinSeconds = 1e-15, kMaxSeconds = 1e6;
/// Largest config file read (bytes): 64 MiB.
inline constexpr std::uintmax_t kMaxConfigBytes = std::uintmax_t{64} << 20;
/// Largest trace file (Azure CSV) read (bytes): 256 MiB.
inline constexpr std::uintmax_t kMaxTraceBytes = std::uintmax_t{256} << 20;
/// Largest ITF counterexample trace read (bytes): 256 MiB (the shipped ones are < 1 MiB).
inline constexpr std::uintmax_t kMaxItfBytes = std::uintmax_t{256} << 20;

}  // namespace kvcheck::limits
