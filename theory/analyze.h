#pragma once
/// \file analyze.h
/// `kvcheck analyze`: evaluate the papers' stability and memory conditions for a config.
///
/// - P1 (Dong & Cao): needs per-slot rates (time model `unit`); Prop 3.2 always, Theorem 3.3
///   when the policy is p1_class_budgets (Algorithm 1).
/// - P2 (Ao et al.): needs the p2_linear time model; the fluid equilibrium and its region, and
///   Eq. 11 when the policy is p2_wait.
/// - P4 (Li, Dai, Peng): needs engine.max_batched_tokens and a p4_step (or unit) time model;
///   Theorem 2(a) always, 2(b) for P4's four stylized policies.
/// - P3 (Lin et al.): needs [cluster]; the fluid LP's optimum and structure, Prop 3.2.
/// - vLLM: needs engine.max_model_len; whether every request vLLM accepts fits the usable pool
///   (the null-block window: docs/vllm.md).
#include "io/config.h"
#include "theory/report.h"

namespace kvcheck::theory {

struct ResolvedRates;

/// Which analyses the user asked for; none set = every one that applies.
struct AnalyzeRequest {
  bool p1 = false, p2 = false, p3 = false, p4 = false, vllm = false;
  bool any() const { return p1 || p2 || p3 || p4 || vllm; }
};

/// Analyses `cfg`. Throws InputError (exit 151) naming the file, the missing field and the
/// reason when a requested analysis does not apply, or, with no request, when none applies.
AnalysisReport analyze(const Config& cfg, const AnalyzeRequest& request = {});

/// The single analyses; each returns applicable = false with the missing field and reason
/// instead of throwing. `rates` is null when the config has no rates.
PaperAnalysis analyze_p1(const Config& cfg, const ResolvedRates* rates);
PaperAnalysis analyze_p2(const Config& cfg, const ResolvedRates* rates);
PaperAnalysis analyze_p4(const Config& cfg, const ResolvedRates* rates);
/// P3's fluid LP from [cluster] (theory/analyze_p3.cpp).
PaperAnalysis analyze_p3(const Config& cfg);
/// vLLM's admission limits: max_model_len against the usable pool (theory/analyze_vllm.cpp).
PaperAnalysis analyze_vllm(const Config& cfg);

}  // namespace kvcheck::theory
