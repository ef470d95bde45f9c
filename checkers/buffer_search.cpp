#include "checkers/buffer_search.h"

#include "io/input_error.h"

namespace kvcheck {

std::int64_t& param_ref(ModelParams& p, const std::string& name) {
  if (name == "engine.num_blocks") return p.engine.num_blocks;
  if (name == "engine.block_size") return p.engine.block_size;
  if (name == "engine.max_batched_tokens") return p.engine.max_batched_tokens;
  if (name == "engine.max_num_seqs") return p.engine.max_num_seqs;
  if (name == "engine.lookahead") return p.engine.lookahead;
  if (name == "policy.watermark_blocks") return p.policy.watermark_blocks;
  if (name == "policy.flow_budget_min") return p.policy.flow_budget_min;
  if (name == "policy.flow_budget_max") return p.policy.flow_budget_max;
  if (name == "policy.max_batch_seqs") return p.policy.max_batch_seqs;
  const std::string prefix = "classes.";
  if (name.rfind(prefix, 0) == 0) {
    const auto dot = name.rfind('.');
    const auto cls = name.substr(prefix.size(), dot - prefix.size());
    const auto field = name.substr(dot + 1);
    for (auto& c : p.classes) {
      if (c.name != cls) continue;
      if (field == "budget") return c.budget;
      if (field == "threshold") return c.threshold;
    }
  }
  throw config_error("", "--param", "unknown parameter \"" + name + "\"");
}

BufferResult search_buffer(const ModelParams& params, const BmcSpec& spec,
                           const std::string& name, std::int64_t lo, std::int64_t hi,
                           const SolverOptions& opts) {
  BufferResult out;
  ModelParams p = params;
  auto& knob = param_ref(p, name);
  for (std::int64_t v = lo; v <= hi; ++v) {
    knob = v;
    out.proof = prove_k_induction(p, spec, opts);
    out.tried.emplace_back(v, out.proof.verdict);
    if (out.proof.verdict.kind == VerdictKind::Proved) {
      out.value = v;
      break;
    }
  }
  if (out.value && *out.value - 1 >= 0) {
    knob = *out.value - 1;
    out.below = run_bmc(p, spec, spec.depth, opts);
  }
  return out;
}

}  // namespace kvcheck
