#pragma once
/// \file fuzzer.h
/// One `kvcheck fuzz` run as a value: corpus replay first, then the RapidCheck search, the
/// stability experiment and the coverage gate, combined into a verdict and an exit code.
///
/// Exit codes (properties/exit_codes.h), in this order of precedence:
///   12 / 13  a case (from the corpus or the search) violates a safety / liveness property
///            (starvation and stalls are liveness);
///   13       positive queue drift at a load the theory says is carriable (stability.h);
///   20       a corpus entry no longer gives its expected verdict, or a reproduce string did
///            not reproduce its failing case (REPLAY_DIVERGED);
///   5        no violation, but a [fuzz.coverage] minimum was not met: the run may have been
///            vacuous, so it is UNKNOWN, never a pass;
///   0        none of the above: BOUNDED_OK over the generated cases.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "checkers/fuzz/corpus.h"
#include "checkers/fuzz/search.h"
#include "checkers/fuzz/stability.h"
#include "properties/exit_codes.h"
#include "properties/verdict.h"

namespace kvcheck::fuzz {

struct FuzzOptions {
  SearchParams search;
  std::filesystem::path corpus_dir;  ///< replayed first (empty or missing: none)
  std::filesystem::path out_dir;     ///< counterexample.itf.json goes here (empty: not written)
  bool save_to_corpus = false;       ///< also keep a new shrunk failure in corpus_dir
  bool stability = true;             ///< run the stability experiment
};

struct CoverageLine {
  std::string tag;
  double share = 0.0, minimum = 0.0;
  bool met() const { return share >= minimum; }
};

struct FuzzReport {
  std::string config_name;
  std::string envelope, envelope_coverage;  ///< describe_envelope / describe_coverage (io/envelope.h)
  std::string envelope_lines;      ///< envelope_report_lines, as the text report prints them
  Verdict verdict;
  ExitCode exit = ExitCode::Ok;
  std::string exit_reason;
  std::vector<CorpusCheck> corpus;
  SearchResult search;
  std::vector<CoverageLine> coverage;
  StabilityReport stability;
  std::filesystem::path counterexample;  ///< written ITF file (empty when none)
  std::filesystem::path saved_to_corpus;
  std::string replay_message;            ///< replay() of the written trace
  double seconds = 0.0;                  ///< wall time of the search (not deterministic)

  double cases_per_second() const {
    return seconds > 0.0 ? static_cast<double>(search.stats.cases) / seconds : 0.0;
  }
};

/// Runs everything for config `c`. Throws InputError for bad [fuzz] values or corpus files.
FuzzReport run_fuzz(const Config& c, const FuzzOptions& o);

}  // namespace kvcheck::fuzz
