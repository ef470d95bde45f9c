#pragma once
/// \file analyze_exact.h
/// `kvcheck analyze --exact`: beside a paper's closed-form pool, the exact smallest pool, from
/// `kvcheck buffer --every-n`: the smallest engine.num_blocks proved for every workload of the
/// classes, and a replayed counterexample one below. The closed forms: P1 Thm 3.3 ineq. (2)
/// (Algorithm 1 never holds more than sum_k b_k w_k entries); P2 Eq. 11 (a full WAIT batch holds
/// M^pi = sum_j n_j S_j); P2 Eq. 13 (a full Nested WAIT batch holds M^pi; Eq. 14's M_req, a
/// probability bound, is noted beside). A reader sees where the formula and the exact answer
/// differ (block rounding, lookahead) or that they agree.
#include <string>

#include "cli/z3_support.h"
#include "io/config.h"
#include "theory/report.h"

namespace kvcheck::cli {

/// Searches engine.num_blocks in [f - 1, f + kExactWindow], f = ceil(closed form in tokens /
/// block_size), adds the answer to the paper's analysis in `report` (number `exact_min_pool`,
/// a note) and prints the proof and the trace one below. Throws InputError(ConfigError) naming
/// --exact when no closed form applies (P1 Algorithm 1, P2 WAIT or Nested WAIT). Returns the exit code of the trace
/// one below (0 when replayed or when there is none; 255 when it does not replay).
int add_exact_pool(const Config& cfg, theory::AnalysisReport& report, const Z3Flags& flags);

/// Values above the formula that --exact tries before it gives up (each is one proof).
inline constexpr std::int64_t kExactWindow = 8;

}  // namespace kvcheck::cli
