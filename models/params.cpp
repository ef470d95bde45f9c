#include "models/params.h"

#include <array>
#include <utility>

namespace kvcheck {
namespace {
constexpr std::array<std::pair<PolicyKind, std::string_view>, 9> kPolicyNames{{
    {PolicyKind::VllmFcfs, "vllm_fcfs"},
    {PolicyKind::P1ClassBudgets, "p1_class_budgets"},
    {PolicyKind::P1FlowControl, "p1_flow_control"},
    {PolicyKind::P2Fcfs, "p2_fcfs"},
    {PolicyKind::P2Wait, "p2_wait"},
    {PolicyKind::Sarathi, "sarathi"},
    {PolicyKind::Orca, "orca"},
    {PolicyKind::FasterTransformer, "faster_transformer"},
    {PolicyKind::VanillaVllm, "vanilla_vllm"},
}};
}  // namespace

std::string_view to_string(PolicyKind k) {
  for (const auto& [kind, name] : kPolicyNames)
    if (kind == k) return name;
  return "unknown";
}

std::vector<PolicyKind> all_policy_kinds() {
  std::vector<PolicyKind> out;
  for (const auto& [kind, name] : kPolicyNames) out.push_back(kind);
  return out;
}

bool parse_policy_kind(std::string_view s, PolicyKind& out) {
  for (const auto& [kind, name] : kPolicyNames)
    if (name == s) {
      out = kind;
      return true;
    }
  return false;
}

std::string_view to_string(Requeue r) { return r == Requeue::Front ? "front" : "back"; }

}  // namespace kvcheck

#include "models/time_model.h"

namespace kvcheck {
namespace {
constexpr std::array<std::pair<TimeModelKind, std::string_view>, 4> kTimeNames{{
    {TimeModelKind::Unit, "unit"},
    {TimeModelKind::P2Linear, "p2_linear"},
    {TimeModelKind::P4Step, "p4_step"},
    {TimeModelKind::Linear, "linear"},
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
