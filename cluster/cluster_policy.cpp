#include "cluster/cluster_policy.h"

namespace kvcheck::cluster {

const std::vector<NamedPolicy>& named_policies() {
  using G = GatePolicy;
  using E = Execution;
  using P = Planning;
  using R = Router;
  static const std::vector<NamedPolicy> table = {
      {"gate_and_route", "section 4.1", {G::GateAndRoute, E::DecodeFirst, P::Static, R::Greedy}},
      {"prioritize_and_route", "section 4.2",
       {G::PrioritizeAndRoute, E::DecodeFirst, P::Static, R::Greedy}},
      {"sli_gate_and_route", "section 5.1", {G::GateAndRoute, E::DecodeFirst, P::Static, R::Sli}},
      {"gg_sp", "section 6.3", {G::GateAndRoute, E::DecodeFirst, P::Static, R::Greedy}},
      {"fi_wsp", "section 6.3", {G::Fcfs, E::Coupled, P::None, R::Greedy}},
      {"gi_wsp", "section 6.3", {G::GateAndRoute, E::Coupled, P::None, R::Greedy}},
      {"gf_wsp", "section 6.3", {G::GateAndRoute, E::PrefillFirst, P::None, R::Greedy}},
      {"fg_sp", "section 6.3", {G::Fcfs, E::DecodeFirst, P::Static, R::Greedy}},
  };
  return table;
}

std::optional<ClusterPolicy> find_policy(const std::string& name) {
  for (const auto& row : named_policies())
    if (name == row.name) return row.policy;
  return std::nullopt;
}

const char* to_string(GatePolicy g) {
  switch (g) {
    case GatePolicy::GateAndRoute: return "gate_and_route";
    case GatePolicy::PrioritizeAndRoute: return "prioritize_and_route";
    case GatePolicy::Fcfs: return "fcfs";
  }
  return "?";
}

const char* to_string(Execution e) {
  switch (e) {
    case Execution::DecodeFirst: return "decode_first";
    case Execution::PrefillFirst: return "prefill_first";
    case Execution::Coupled: return "coupled";
  }
  return "?";
}

const char* to_string(Planning p) { return p == Planning::Static ? "static" : "none"; }

const char* to_string(Router r) { return r == Router::Greedy ? "greedy" : "sli"; }

std::string to_string(const ClusterPolicy& p) {
  for (const auto& row : named_policies())
    if (row.policy == p) return row.name;
  return std::string(to_string(p.gate)) + "/" + to_string(p.execution) + "/" +
         to_string(p.planning) + "/" + to_string(p.router);
}

std::string policy_error(const ClusterPolicy& p) {
  if (p.execution == Execution::Coupled && p.planning == Planning::Static)
    return "coupled execution needs planning none (a solo GPU never prefills, so it could never "
           "hold a coupled request)";
  if (p.router == Router::Sli && p.planning != Planning::Static)
    return "the SLI router needs static planning (its groups are the plan's mixed and solo GPUs)";
  if (p.router == Router::Sli && p.execution == Execution::Coupled)
    return "the SLI router needs decoupled execution (a coupled decode is never routed)";
  return "";
}

}  // namespace kvcheck::cluster
