#pragma once
/// \file cluster_policy.h
/// A P3 cluster policy as four independent dimensions (papers.md 3.4-3.7; docs/p3.md), each
/// implemented once in cluster_sim.cpp, and the paper's named policies as rows of one table:
///
/// | name                  | gate     | execution    | planning | router |
/// |-----------------------|----------|--------------|----------|--------|
/// | gate_and_route, gg_sp | xi       | decode_first | static   | greedy |
/// | prioritize_and_route  | priority | decode_first | static   | greedy |
/// | sli_gate_and_route    | xi       | decode_first | static   | sli    |
/// | fi_wsp                | fcfs     | coupled      | none     | greedy |
/// | gi_wsp                | xi       | coupled      | none     | greedy |
/// | gf_wsp                | xi       | prefill_first| none     | greedy |
/// | fg_sp                 | fcfs     | decode_first | static   | greedy |
///
/// Section 6.3's baselines are GG-SP, FI-WSP, GI-WSP, GF-WSP and FG-SP (the first letter the
/// admission, the second the execution, SP / WSP with or without static planning).
#include <optional>
#include <string>
#include <vector>

namespace kvcheck::cluster {

/// Admission: which waiting request a free prefill slot takes. Xi: Gate-and-Route's
/// occupancy-deviation index (section 4.1); Priority: the largest D_i / P_i (section 4.2);
/// Fcfs: no gate, the oldest waiting request of any class (section 6.3's "F").
enum class GatePolicy { GateAndRoute, PrioritizeAndRoute, Fcfs };

/// Execution: what happens after a prefill, and who gets a freed slot. DecodeFirst: the
/// decode is routed (decoupled) and a freed slot serves a waiting decode before a new
/// prefill (the greedy "G"); PrefillFirst: decoupled, but a freed slot starts a new prefill
/// first ("F" in GF-WSP); Coupled: the decode runs at once in the prefill's own slot until
/// done ("I", Immediate, Sarathi-Serve's execution).
enum class Execution { DecodeFirst, PrefillFirst, Coupled };

/// Planning: Static: M = ceil(n sum x*) mixed GPUs with a prefill slot reserved and n - M solo
/// GPUs that never prefill ("SP"); None: no partition ("WSP"): every GPU may prefill, and a
/// GPU is mixed (B - 1 decodes at the mixed speed) exactly while it runs a prefill, solo (B
/// decodes at gamma) otherwise (docs/p3.md, [INF]).
enum class Planning { Static, None };

/// Decode router: Greedy: solo first, then mixed, then one buffer (section 4.1); Sli: the
/// SLI-aware router of section 5.1, a class-i decode to the solo group with probability
/// p_{s,i} (sli_split.h), else the mixed group, each group with its own buffer.
enum class Router { Greedy, Sli };

struct ClusterPolicy {
  GatePolicy gate = GatePolicy::GateAndRoute;
  Execution execution = Execution::DecodeFirst;
  Planning planning = Planning::Static;
  Router router = Router::Greedy;
  /// A gate alone is the paper's section 4 policy: greedy decode-first router, static planning
  /// (so `options.policy = GatePolicy::PrioritizeAndRoute` keeps meaning what it meant).
  ClusterPolicy(GatePolicy g = GatePolicy::GateAndRoute) : gate(g) {}  // NOLINT: implicit
  ClusterPolicy(GatePolicy g, Execution e, Planning p, Router r)
      : gate(g), execution(e), planning(p), router(r) {}
  friend bool operator==(const ClusterPolicy&, const ClusterPolicy&) = default;
};

/// One row of the table above.
struct NamedPolicy {
  const char* name;
  const char* paper;  ///< where the paper defines it
  ClusterPolicy policy;
};
/// Every named policy, in the table's order (aliases included).
const std::vector<NamedPolicy>& named_policies();
/// The policy of a name from the table; nullopt for an unknown name.
std::optional<ClusterPolicy> find_policy(const std::string& name);

const char* to_string(GatePolicy g);
const char* to_string(Execution e);
const char* to_string(Planning p);
const char* to_string(Router r);
/// The first table name of `p`, else "gate/execution/planning/router" spelled out.
std::string to_string(const ClusterPolicy& p);

/// Why `p` cannot run, or empty: coupled execution needs planning None (a solo GPU could
/// never hold a coupled request), and the SLI router needs static planning and decoupled
/// execution (its groups are the plan's G_mix and G_solo).
std::string policy_error(const ClusterPolicy& p);

}  // namespace kvcheck::cluster
