#include "theory/analyze.h"

#include "io/input_error.h"
#include "theory/rates.h"

namespace kvcheck::theory {

AnalysisReport analyze(const Config& cfg, const AnalyzeRequest& request) {
  AnalysisReport r;
  r.config = cfg.path.string();
  r.name = cfg.name;
  const auto rates = resolve_rates(cfg);
  if (rates) {
    r.rate_source = rates->source;
    r.notes = rates->notes;
  }
  const ResolvedRates* rp = rates ? &*rates : nullptr;
  const bool all = !request.any();
  if (all || request.p1) r.analyses.push_back(analyze_p1(cfg, rp));
  if (all || request.p2) r.analyses.push_back(analyze_p2(cfg, rp));
  if (all || request.p4) r.analyses.push_back(analyze_p4(cfg, rp));
  if (all || request.vllm) r.analyses.push_back(analyze_vllm(cfg));
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
