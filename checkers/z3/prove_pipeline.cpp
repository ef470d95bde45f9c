#include "checkers/z3/prove_pipeline.h"

#include <algorithm>
#include <ostream>

#include "checkers/z3/population_proof.h"

namespace kvcheck {
namespace {

/// Z3 resource units per population query when no --rlimit is given: P1 §4.1 at the paper's
/// scale needs ~10^8 (docs/z3-backend.md "Population encoding").
constexpr std::uint64_t kPopulationQueryWork = 400'000'000;

/// The requested properties the every-N proof implies, and the others.
struct Split {
  std::vector<PropertyId> every_n, rest;
};

Split split_properties(const std::vector<PropertyId>& requested) {
  Split s;
  const auto& implied = every_n_properties();
  for (const auto id : requested)
    (std::find(implied.begin(), implied.end(), id) != implied.end() ? s.every_n : s.rest)
        .push_back(id);
  return s;
}

std::string join_claims(const std::string& a, const std::string& b) {
  return a.empty() ? b : a + "; " + b;
}

/// The class policies the population encoding (population_proof.h) takes.
bool population_policy(const ModelParams& params) {
  return params.policy.kind == PolicyKind::P1ClassBudgets ||
         params.policy.kind == PolicyKind::P2Wait;
}

/// The population encoding (population_proof.h) for the class policies it takes: the
/// properties it supports among `rest`, for every workload of the classes at the config's own
/// scale. Proved ones leave `rest`; anything else is reported and left to k-induction.
/// Returns whether it proved (over `class_budget` when given).
bool population_part(const ModelParams& params, const SolverOptions& opts,
                     const std::optional<std::pair<std::int64_t, std::int64_t>>& class_budget,
                     std::vector<PropertyId>& rest, PipelineResult& out) {
  if (!population_policy(params)) return false;
  PopulationBounds b;
  b.class_budget = class_budget;
  for (const auto id : rest)
    if (population_supports(id)) b.properties.push_back(id);
  if (b.properties.empty()) return false;
  auto o = opts;
  if (o.rlimit == 0) o.rlimit = kPopulationQueryWork;
  const auto r = prove_population(params, b, o);
  if (opts.progress)
    *opts.progress << "population encoding: "
                   << (r.verdict.kind == VerdictKind::Proved
                           ? "holds for " + property_names(b.properties) + ": " + r.claim
                           : to_string(r.verdict) + ": " + r.verdict.reason +
                                 "; the [bmc] slots' proof follows")
                   << "\n";
  if (r.verdict.kind != VerdictKind::Proved) return false;
  for (const auto id : b.properties) {
    out.every_n.push_back(id);
    rest.erase(std::find(rest.begin(), rest.end(), id));
  }
  out.every_n_claim =
      join_claims(out.every_n_claim, property_names(b.properties) + ": " + r.claim);
  return true;
}

}  // namespace

std::string property_names(const std::vector<PropertyId>& ids) {
  std::string out;
  for (const auto id : ids) out += (out.empty() ? "" : ", ") + std::string(info(id).name);
  return out;
}

std::string describe_ranges(const ModelParams& params, const ProveRanges& ranges) {
  auto out = describe_knobs(params, ranges.knobs);
  if (ranges.class_budget) {
    PopulationBounds b;
    b.class_budget = ranges.class_budget;
    out += ", " + describe_class_budgets(params, b);
  }
  return out;
}

PipelineResult prove_pipeline(const ModelParams& params, const BmcSpec& spec,
                              const ProveRanges& ranges, const SolverOptions& opts,
                              bool every_n_only) {
  PipelineResult out;
  if (spec.properties.empty()) {
    out.result.verdict = Verdict::unknown("no property to prove: PROVED would be vacuous");
    return out;
  }
  const auto split = split_properties(spec.properties);
  auto rest = spec;
  rest.properties = split.rest;
  bool knobs_covered = false;
  if (!split.every_n.empty()) {
    out.generic = prove_every_n(params, ranges.knobs, opts);
    knobs_covered = out.generic->holds;
    if (out.generic->holds) {
      out.every_n = split.every_n;
      out.every_n_claim = property_names(split.every_n) + ": " + out.generic->claim;
    } else {
      rest.properties = spec.properties;
    }
    if (opts.progress)
      *opts.progress << (out.generic->holds ? "every N: holds for " + out.every_n_claim
                                            : "every N: not shown (" + out.generic->reason +
                                                  "); the [bmc] slots' proof follows")
                     << "\n";
  }
  const bool budgets_covered =
      population_part(params, opts, ranges.class_budget, rest.properties, out);
  // Declared knob ranges are covered by the every-N proof only, class budget ranges by the
  // population encoding only: anything else is for the configured values, so the verdict
  // cannot be PROVED (it would claim the ranges).
  const bool ranges_covered = (ranges.knobs.empty() || knobs_covered) &&
                              (!ranges.class_budget || budgets_covered);
  const auto ranges_unproved = [&](const std::string& claim) {
    out.result.verdict = Verdict::unknown(
        "the [prove] ranges (" + describe_ranges(params, ranges) +
        ") are not proved: no every-N argument (the generic request's, or the population "
        "encoding's for class budgets) covered them; for the configured values: " +
        claim);
  };
  if (rest.properties.empty()) {
    if (!ranges.empty() && !ranges_covered) {
      ranges_unproved(out.every_n_claim);
      return out;
    }
    out.result.verdict = Verdict::proved();
    out.result.claim = out.every_n_claim;
    return out;
  }
  if (every_n_only) {
    for (const auto id : rest.properties) {
      const bool population = population_policy(params) && population_supports(id);
      const auto& implied = every_n_properties();
      if (!population && std::find(implied.begin(), implied.end(), id) == implied.end())
        out.no_argument.push_back(id);
    }
    out.result.verdict = Verdict::unknown("not proved for every N: " +
                                          property_names(rest.properties) +
                                          " (only the [bmc] slots' proof could take them)");
    return out;
  }
  out.result = prove_k_induction(params, rest, opts);
  if (out.result.verdict.kind != VerdictKind::Proved) return out;
  const auto claim = [&](const std::string& at) {
    return out.every_n.empty() ? at + out.result.claim
                               : out.every_n_claim + "; " + property_names(rest.properties) +
                                     ": " + at + out.result.claim;
  };
  if (!ranges.empty() && !ranges_covered) {
    ranges_unproved(claim(""));
    return out;
  }
  out.result.claim = claim(ranges.empty() ? "" : "at the configured values, ");
  return out;
}

}  // namespace kvcheck
