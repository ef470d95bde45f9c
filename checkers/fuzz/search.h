#pragma once
/// \file search.h
/// The RapidCheck search: generates cases (generators.h), runs and judges each (case_runner.h),
/// tags coverage with RC_TAG / RC_CLASSIFY, and on a failure lets RapidCheck shrink it. Runs
/// through rc::detail::checkProperty with explicit TestParams so the seed, run count and size
/// come from the command line, and a listener counts cases, discards, tags and shrink steps.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "checkers/fuzz/case_runner.h"
#include "checkers/fuzz/fuzz_case.h"
#include "checkers/fuzz/fuzz_model.h"

namespace kvcheck::fuzz {

struct SearchParams {
  std::uint64_t seed = 0;
  int runs = 0;            ///< RapidCheck max_success (0: the config's [fuzz] runs)
  int max_size = 100;      ///< RapidCheck max_size
  bool shrink = true;
  std::string reproduce;   ///< a RC_PARAMS string holding `reproduce=...` (empty: search)
};

/// Counters gathered while searching (generation phase only; shrink attempts counted apart).
struct SearchStats {
  std::int64_t cases = 0;       ///< cases run to a verdict (not discarded)
  std::int64_t discarded = 0;   ///< every request unservable: nothing to test
  std::int64_t shrinks_tried = 0, shrinks_accepted = 0;
  std::map<std::string, std::int64_t> tags;  ///< RC_TAG / RC_CLASSIFY counts
  bool operator==(const SearchStats&) const = default;

  std::int64_t tag(const std::string& t) const {
    const auto it = tags.find(t);
    return it == tags.end() ? 0 : it->second;
  }
  double share(const std::string& t) const {
    return cases == 0 ? 0.0 : static_cast<double>(tag(t)) / static_cast<double>(cases);
  }
};

struct Failure {
  FuzzCase minimal;          ///< the shrunk case
  CaseResult result;         ///< its judgement
  std::string reproduce;     ///< `reproduce=...` (RC_PARAMS syntax)
  std::string description;   ///< RapidCheck's failure description
  int tests_before = 0;      ///< successful cases before the failing one
  bool reproduced = false;   ///< re-running the reproduce string gave the same failing case
};

struct SearchResult {
  SearchStats stats;
  std::optional<Failure> failure;
  std::string gave_up;  ///< non-empty when RapidCheck gave up (too many discards)
};

/// The RapidCheck test id of a model (the key of its reproduce string).
std::string test_id(const FuzzModel& m);

/// Searches for a failing case; shrinks and re-checks the reproduce string on failure.
SearchResult search(const ModelPtr& m, const SearchParams& p);

}  // namespace kvcheck::fuzz
