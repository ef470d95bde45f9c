#pragma once
/// \file envelope.h
/// The workload envelope: the one definition of the space of workloads a config describes, and
/// the one place every checker takes its default bounds from (docs/envelope.md).
///
/// - classes and their lengths: with `[[classes]]`, exactly each class's prompt and output; else
///   one class whose prompt and output ranges are `[envelope] prompt` / `output`, or the hull of
///   the `[workload]`'s own lengths (explicit requests, the generators' prompt / output);
/// - a request-count bound: `[envelope] max_requests`, else the workload's own count (explicit:
///   its requests; generators: count + backlog; trace: `limit`, else unbounded);
/// - an arrivals-per-step bound and a last arrival step (`[envelope] max_arrivals_per_step`,
///   `last_arrival`; unbounded when not given);
/// - closed loop: at most `max_concurrency` requests in flight, the `[workload]`'s own (an
///   arrival rule the engine applies, models/arrival_rules.h, so every checker explores only
///   runs that respect it; no checker section changes it).
///
/// A checker section (`[bmc]`, `[explore]`, `[fuzz]`) may narrow it (fewer requests, a shorter
/// horizon: the checker's budget) and its report says so (`describe_coverage`); a section value
/// that would widen it is a config error (`widens`), so every checker's verdict is about a
/// subset of the same set of workloads.
#include <cstdint>
#include <string>
#include <vector>

#include "io/config.h"

namespace kvcheck {

struct LengthRange {
  std::int64_t lo = 1, hi = 1;
  bool contains(std::int64_t v) const { return lo <= v && v <= hi; }
  bool operator==(const LengthRange&) const = default;
};

/// One class of the envelope: its index is the request's class id.
struct EnvelopeClass {
  std::string name;
  LengthRange prompt, output;
  bool operator==(const EnvelopeClass&) const = default;
};

struct Envelope {
  std::vector<EnvelopeClass> classes;       ///< non-empty; index = class id
  bool from_classes = false;                ///< lengths are [[classes]]' own, exactly
  std::int64_t max_requests = 0;            ///< 0 = unbounded
  std::int64_t max_arrivals_per_step = 0;   ///< 0 = unbounded
  std::int64_t last_arrival = -1;           ///< last arrival step; -1 = unbounded
  std::int64_t max_concurrency = 0;         ///< closed loop: most requests in flight; 0 = open

  /// Largest prompt / output of any class.
  std::int64_t prompt_hi() const;
  std::int64_t output_hi() const;
  /// One range over every class (the classes' hull).
  LengthRange prompt_hull() const;
  LengthRange output_hull() const;
};

/// Derives the envelope from a loaded config (reads its optional `[envelope]` section). Throws
/// InputError (exit 151) on a bad `[envelope]` value, or when the config's own explicit
/// workload lies outside the envelope it declares.
Envelope workload_envelope(const Config& cfg);

/// The envelope in the words every report uses: "workloads of <= 3 requests of the classes
/// a (prompt 1, output 2), b (prompt 2, output 1); any number arriving per step; arrivals at
/// any step".
std::string describe_envelope(const Envelope& e);

/// The part of the envelope one checker covers. Lengths are always the envelope's (a checker
/// may only narrow them by its own length ranges, given in `prompt` / `output` when set).
struct EnvelopeCoverage {
  std::int64_t max_requests = 0;           ///< 0 = unbounded
  std::int64_t max_arrivals_per_step = 0;  ///< 0 = unbounded
  std::int64_t last_arrival = -1;          ///< -1 = unbounded
  /// Classless envelopes: the checker's own prompt / output ranges (0..0 = the envelope's).
  LengthRange prompt{0, 0}, output{0, 0};
  std::string note;  ///< further limits in the checker's words ("state limit 200000")
};

/// "all of the envelope", or "part of the envelope: N <= 3 requests of the envelope's
/// unbounded count; arrival steps <= 3 of the envelope's any step" (one clause per bound).
std::string describe_coverage(const Envelope& e, const EnvelopeCoverage& c);

/// The two report lines every checker prints (text reports; JSON reports carry the same two
/// strings as "envelope" and "coverage"):
///   envelope: <describe_envelope>
///   <checker> covers: <describe_coverage>
std::string envelope_report_lines(const Envelope& e, const EnvelopeCoverage& c,
                                  const std::string& checker);

/// The reason a checker section value widens the envelope ("widens the workload envelope: 8
/// requests, more than its 3 (declare [envelope] max_requests to widen it)"), or "" when it
/// does not. `what` names the value ("requests", "arrivals per step", "last arrival step",
/// "prompt", "output").
std::string widens(const std::string& what, std::int64_t value, std::int64_t envelope_bound);
std::string widens_range(const std::string& what, LengthRange value, LengthRange envelope);

/// "unbounded" for 0 (or -1 for steps), else the number.
std::string bound_text(std::int64_t v, bool steps = false);

}  // namespace kvcheck
