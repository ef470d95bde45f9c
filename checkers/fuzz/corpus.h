#pragma once
/// \file corpus.h
/// Counterexamples as ITF traces, and the persistent regression corpus
/// (counterexamples/corpus/*.itf.json). A shrunk failure is recorded with `record_run` (the
/// simulator's own recorder) and written with `write_itf`, so `kvcheck replay` handles it. Its
/// TraceMeta: source "fuzz", config name and hash, seed = the case's choice seed, and a note
///   RC_PARAMS="reproduce=..."; fuzz_verdict=violated; fuzz_property=<name>
/// holding the reproduce string and the expected verdict (the property may be "starvation",
/// a fuzz-only liveness check, so it is kept in the note, not in meta.violated_property).
/// A corpus entry is replayed FIRST by `kvcheck fuzz` on the config of the same name: the
/// recorded workload is re-judged under the current model and must give the expected verdict.
#include <filesystem>
#include <string>
#include <vector>

#include "checkers/fuzz/case_runner.h"
#include "checkers/fuzz/search.h"
#include "counterexamples/trace.h"

namespace kvcheck::fuzz {

struct Expectation {
  std::string verdict;   ///< "violated" | "ok"
  std::string property;  ///< the violated property ("starvation", "stalled", a property name)
};

struct CorpusCheck {
  std::filesystem::path file;
  Expectation expected;
  CaseResult actual;
  bool matched = false;
  std::int64_t requests = 0;
};

/// The note of a fuzz counterexample trace.
std::string make_note(const std::string& reproduce, const Expectation& e);
/// Parses a note written by make_note; false when it is not one.
bool parse_note(const std::string& note, Expectation& out, std::string* reproduce = nullptr);

/// The expectation a case result establishes.
Expectation expectation_of(const CaseResult& r);

/// The fuzz case a trace's workload and seed describe (one group per request).
FuzzCase case_from_trace(const Trace& t);

/// Records the failing case as a Trace (ends at the violating step).
Trace counterexample_trace(const FuzzModel& m, const Failure& f);

/// Replays every fuzz entry of `dir` whose config name is `m.name`, in file-name order.
/// Throws InputError (150) when an entry cannot be read.
std::vector<CorpusCheck> replay_corpus(const FuzzModel& m, const std::filesystem::path& dir);

/// Writes `t` into `dir` as <config>-<digest>.itf.json (digest of the workload: idempotent).
std::filesystem::path save_to_corpus(const Trace& t, const std::filesystem::path& dir);

}  // namespace kvcheck::fuzz
