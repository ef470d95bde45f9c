#pragma once
/// \file prove_ranges.h
/// The `[prove]` section: parameters the every-N proof (generic_proof.h) covers as ranges
/// instead of their configured values. Keys and bounds are in the config schema
/// (io/config_schema.cpp); errors are "file: prove.key: reason" (InputError, exit 151).
///
/// ```toml
/// [prove]
/// num_blocks = [8, 1_000_000]      # every pool of 8..10^6 blocks
/// watermark_blocks = [0, 100_000]  # every watermark in the range
/// class_budget = [0, 4]            # p1_class_budgets: every b_k in 0..4, each class
/// ```
#include "checkers/z3/prove_pipeline.h"
#include "io/config.h"

namespace kvcheck {

/// The declared ranges, knobs in Knob order; empty when [prove] is absent or names none.
/// `class_budget` on a policy other than p1_class_budgets (which alone reads b_k) is a config
/// error.
ProveRanges parse_prove_ranges(const Config& cfg);

}  // namespace kvcheck
