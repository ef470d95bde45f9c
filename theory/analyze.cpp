#include "theory/analyze.h"

#include "io/input_error.h"
#include "theory/condition_builder.h"
#include "theory/rates.h"

namespace kvcheck::theory {

AnalysisReport analyze(const Config& cfg, const AnalyzeRequest& request) {
  AnalysisReport r;
  r.config = cfg.path.string();
  r.name = cfg.name;
  const auto rates = resolve_rates(cfg);
  if (rates) {
    r.rate_source = cfg.cluster.only ? "[[classes]] rate (P3: lambda_i per GPU per second)"
                                     : rates->source;
    r.notes = rates->notes;
  }
  const ResolvedRates* rp = rates ? &*rates : nullptr;
  const bool all = !request.any();
  // A P3 cluster config (no [workload]) has no engine: only P3's analysis applies to it.
  const bool engine = !cfg.cluster.only;
  const auto run = [&](bool asked, const char* id, auto analysis) {
    if (engine && (all || asked)) r.analyses.push_back(analysis());
    if (engine || !asked) return;
    PaperAnalysis a;
    a.id = id;
    r.analyses.push_back(
        not_applicable(a, "engine", "a P3 [cluster] config has no engine (docs/p3.md)"));
  };
  run(request.p1, "p1", [&] { return analyze_p1(cfg, rp); });
  run(request.p2, "p2", [&] { return analyze_p2(cfg, rp); });
  run(request.p4, "p4", [&] { return analyze_p4(cfg, rp); });
  run(request.vllm, "vllm", [&] { return analyze_vllm(cfg); });
  if (all || request.p3) r.analyses.push_back(analyze_p3(cfg));  // last: the JSON's order holds
  std::string why;
  bool some = false;
  for (const auto& a : r.analyses) {
    if (a.applicable) {
      some = true;
      continue;
    }
    if (!all) throw config_error(r.config, a.missing_field, a.id + ": " + a.missing_reason);
    why += (why.empty() ? "" : "; ") + a.id + " needs " + a.missing_field + " (" +
           a.missing_reason + ")";
  }
  if (!some) throw config_error(r.config, "", "no analysis applies: " + why);
  return r;
}

}  // namespace kvcheck::theory
