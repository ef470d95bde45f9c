#pragma once
/// \file generalize.h
/// Generalisation of a proof obligation over the subterms it does not need (the every-N
/// proof, generic_proof.h): a formula that stays valid after a subterm is replaced by a fresh
/// constant everywhere is valid for every value that subterm can take, in particular for the
/// values it takes at any position of any real step. Replacing is always sound; the rules below
/// only decide what to replace so that little precision is lost and the result does not depend
/// on how many positions came before.
///  1. every maximal Int subterm that contains no kept constant and is not a numeral becomes a
///     fresh constant x, with the sign of the interval that interval arithmetic gives the
///     subterm (from the numerals and the `ranges` of its constants) as hypothesis (x >= 1,
///     x >= 0, x <= 0): a watermark `running > 0 ? W : 0` stays >= 0;
///  2. then every maximal Boolean subterm that contains no kept constant, and none of whose
///     integers is used in arithmetic with a kept constant becomes a fresh Boolean (`budget > 0`
///     stays while `budget` is in the acting request's chunk; a ranged parameter, the same in
///     every iteration, and Boolean constants do not hold a subterm back).
/// The result's `shape` is the formula with every constant renamed in order of first
/// occurrence: two obligations with the same shape are the same formula up to renaming, so one
/// validity check answers both.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "checkers/z3/symbolic_domain.h"

namespace kvcheck {

/// A closed integer interval; an absent end is unbounded.
struct Interval {
  std::optional<std::int64_t> lo, hi;
};

struct Generalized {
  z3::expr formula;   ///< hypotheses of step 1 => the generalised input
  std::string shape;  ///< the formula up to renaming of constants
};

/// `f` generalised as above. `kept`: constants never replaced; `ranges`: known intervals of
/// constants (a ranged knob's declared range).
Generalized generalize(const z3::expr& f, const std::vector<z3::expr>& kept,
                       const std::vector<std::pair<z3::expr, Interval>>& ranges);

/// The interval of an Int term (numerals, `ranges`' constants, +, -, * by a numeral, `div` by
/// a positive numeral, if-then-else); unbounded where it cannot tell.
Interval interval_of(const z3::expr& t, const std::vector<std::pair<z3::expr, Interval>>& ranges);

}  // namespace kvcheck
