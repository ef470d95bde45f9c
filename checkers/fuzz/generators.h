#pragma once
/// \file generators.h
/// RapidCheck generators of fuzz cases, bounded by a FuzzModel. Every generator shrinks towards
/// fewer, shorter requests: groups are removed, counts/gaps/lengths are drawn as table indices
/// or ranges whose minimum is the smallest value. With [[classes]], a group's lengths are its
/// class's (the class index shrinks towards 0); without, lengths follow a per-case distribution
/// (uniform, capped lognormal, capped Pareto) or, for the Azure shape, resampled trace rows.
#include <rapidcheck.h>

#include "checkers/fuzz/fuzz_case.h"
#include "checkers/fuzz/fuzz_model.h"

namespace kvcheck::fuzz {

/// Length distribution of the requests of one classless case.
enum class LengthDist { Uniform, LogNormal, Pareto };

/// A case of one shape.
rc::Gen<FuzzCase> gen_shape(const ModelPtr& m, Shape s);
/// A case of any of `m->shapes` (the shape index shrinks towards the first); with [[classes]]
/// the class_mix shape is drawn half the time.
rc::Gen<FuzzCase> gen_case(const ModelPtr& m);

}  // namespace kvcheck::fuzz
