#pragma once
/// \file sli_split.h
/// The SLI-aware router's split (P3 section 5.1, papers.md 3.6): a class-i decode goes to the
/// solo group with probability
///   p_{s,i} = mu_{s,i} y*_{s,i} / (mu_{m,i} y*_{m,i} + mu_{s,i} y*_{s,i})   (1 if that is 0 / 0),
/// the share of class i's planned decode completions that the plan puts on solo GPUs, so that
/// each group receives the class-i flow it is planned to serve.
#include <vector>

#include "theory/p3_lp.h"

namespace kvcheck::cluster {

/// p_{s,i} for every class, from Eq. 4's rates and the plan's y*_m, y*_s (per GPU).
/// Throws std::invalid_argument when the vectors and the rates differ in classes.
std::vector<double> sli_solo_probabilities(const theory::P3Rates& rates,
                                           const std::vector<double>& y_m,
                                           const std::vector<double>& y_s);

}  // namespace kvcheck::cluster
