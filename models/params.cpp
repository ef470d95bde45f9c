#include "models/params.h"

#include <array>
#include <utility>

#include "models/policy.h"

namespace kvcheck {
namespace {
struct PolicyEntry {
  PolicyKind kind;
  std::string_view name;
  const PolicyTraits* traits;
};
constexpr PolicyEntry kPolicies[] = {
#define KVCHECK_POLICY_ENTRY(kind, name) {PolicyKind::kind, #name, &name##_traits},
    KVCHECK_POLICIES(KVCHECK_POLICY_ENTRY)
#undef KVCHECK_POLICY_ENTRY
};
}  // namespace

std::string_view to_string(PolicyKind k) {
  for (const auto& e : kPolicies)
    if (e.kind == k) return e.name;
  return "unknown";
}

std::vector<PolicyKind> all_policy_kinds() {
  std::vector<PolicyKind> out;
  for (const auto& e : kPolicies) out.push_back(e.kind);
  return out;
}

const PolicyTraits& policy_traits(PolicyKind k) {
  for (const auto& e : kPolicies)
    if (e.kind == k) return *e.traits;
  static constexpr PolicyTraits kNone{"", "", false, false};
  return kNone;
}

bool parse_policy_kind(std::string_view s, PolicyKind& out) {
  for (const auto& e : kPolicies)
    if (e.name == s) {
      out = e.kind;
      return true;
    }
  return false;
}

std::string_view knob_key(Knob k) {
  switch (k) {
    case Knob::NumBlocks: return "num_blocks";
    case Knob::WatermarkBlocks: return "watermark_blocks";
    case Knob::MaxNumSeqs: return "max_num_seqs";
    case Knob::MaxBatchedTokens: return "max_batched_tokens";
    case Knob::BlockSize: return "block_size";
    case Knob::Lookahead: return "lookahead";
  }
  return "?";
}

std::string_view to_string(Requeue r) { return r == Requeue::Front ? "front" : "back"; }
std::string_view to_string(PreemptionMode m) {
  return m == PreemptionMode::Swap ? "swap" : "recompute";
}

}  // namespace kvcheck

#include "models/time_model.h"

namespace kvcheck {
namespace {
constexpr std::array<std::pair<TimeModelKind, std::string_view>, 5> kTimeNames{{
    {TimeModelKind::Unit, "unit"},
    {TimeModelKind::P2Linear, "p2_linear"},
    {TimeModelKind::P4Step, "p4_step"},
    {TimeModelKind::Linear, "linear"},
    {TimeModelKind::Roofline, "roofline"},
}};
}  // namespace

std::string_view to_string(TimeModelKind k) {
  for (const auto& [kind, name] : kTimeNames)
    if (kind == k) return name;
  return "unknown";
}

bool parse_time_model_kind(std::string_view s, TimeModelKind& out) {
  for (const auto& [kind, name] : kTimeNames)
    if (name == s) {
      out = kind;
      return true;
    }
  return false;
}

}  // namespace kvcheck
