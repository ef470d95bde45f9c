// `kvcheck cluster CONFIG [--n N] [--seed S] [--policy NAME] [--router R] [--json F]
// [--check-invariants]`: P3's n-GPU system (docs/p3.md). Solves the config's fluid LP (LP (40)
// bundled, LP (42) separate), plans M = ceil(n sum x*) mixed GPUs (unless the policy has no
// static planning), simulates the policy (cluster/cluster_policy.h: Gate-and-Route,
// Prioritize-and-Route, the SLI-aware router, section 6.3's baselines), and prints the per-GPU
// revenue beside R*, their ratio, and each class's normalised occupancies and queues beside
// the LP's. Exit 0; 13 when the LP has no optimum (no plan); 151 for bad input.
#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <optional>

#include "cli/command.h"
#include "cluster/cluster_config.h"
#include "io/config.h"
#include "io/input_error.h"
#include "properties/exit_codes.h"

namespace kvcheck::cli {
namespace {

/// A JSON string body: quotes, backslashes and control characters escaped.
std::string json_escape(const std::string& in) {
  std::string out;
  for (char ch : in) {
    if (ch == '"' || ch == '\\') out += '\\';
    if (static_cast<unsigned char>(ch) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<int>(ch));
      continue;
    }
    out += ch;
  }
  return out;
}

struct Row {
  const char* name;
  double sim, lp;
};

std::vector<Row> rows(const cluster::ClassResult& s, const theory::P3ClassPlan& p) {
  return {{"x", s.x, p.x}, {"y_m", s.y_m, p.y_m}, {"y_s", s.y_s, p.y_s},
          {"q_p", s.q_p, p.q_p}, {"q_d", s.q_d, p.q_d}};
}

class ClusterCommand final : public Command {
 public:
  void configure(CLI::App& sub) override {
    sub.add_option("config", config_, "Config file (TOML) with a [cluster] section")->required();
    sub.add_option("--n", n_, "Number of GPUs (default: cluster.gpus)")->check(CLI::Range(1, 1'000'000));
    sub.add_option("--seed", seed_, "Random seed (default: cluster.seed)");
    sub.add_option("--policy", policy_, "Policy by name (default: cluster.policy): " + names());
    sub.add_option("--router", router_, "Decode router, overriding the policy's: greedy or sli")
        ->check(CLI::IsMember({"greedy", "sli"}));
    sub.add_option("--json", json_, "Also write the numbers as JSON to this file");
    sub.add_flag("--check-invariants", check_,
                 "Check the model's invariants at every event (always on in Debug builds; a failure "
                 "is exit 255)");
  }

  int run() override {
    const auto cfg = load_config(config_);
    if (!cfg.cluster.present)
      throw config_error(config_, "cluster", "missing section [cluster] (P3's n-GPU system)");
    auto o = cluster::cluster_options(cfg);
    if (seed_) o.seed = *seed_;
    apply_policy_flags(o);
    if (check_) o.check = cluster::InvariantCheck::Touched;
    const auto n = n_ ? *n_ : cfg.cluster.gpus;
    const auto lp = theory::solve_p3_lp(o.instance, o.charging);
    if (!lp.optimal()) {
      fmt::print("{}: LP ({}) {}: {}; no plan to simulate\n", cfg.name,
                 o.charging == theory::P3Charging::Bundled ? 40 : 42, theory::to_string(lp.status),
                 lp.message);
      return to_int(ExitCode::LivenessViolation);
    }
    const auto plan = cluster::make_plan(lp, n);
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = cluster::simulate_cluster(o, plan);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    print(cfg, o, lp, r, wall);
    if (!r.p_solo.empty()) {
      fmt::print("SLI router p_s   ");
      for (std::size_t i = 0; i < r.p_solo.size(); ++i)
        fmt::print(" {}={:.5g}", o.instance.classes[i].name, r.p_solo[i]);
      fmt::print("\n");
    }
    if (!json_.empty()) write_json(cfg, o, lp, r);
    return 0;
  }

 private:
  static std::string names() {
    std::string out;
    for (const auto& row : cluster::named_policies())
      out += (out.empty() ? "" : ", ") + std::string(row.name);
    return out;
  }

  /// --policy and --router over the config's policy; a combination that cannot run is 151.
  void apply_policy_flags(cluster::ClusterOptions& o) const {
    if (!policy_.empty()) {
      const auto p = cluster::find_policy(policy_);
      if (!p)
        throw config_error(config_, "--policy",
                           "unknown policy '" + policy_ + "' (one of " + names() + ")");
      o.policy = *p;
    }
    if (!router_.empty())
      o.policy.router = router_ == "sli" ? cluster::Router::Sli : cluster::Router::Greedy;
    if (const auto why = cluster::policy_error(o.policy); !why.empty())
      throw config_error(config_, policy_.empty() ? "--router" : "--policy", why);
  }

  std::string plan_words(const cluster::ClusterOptions& o, const cluster::ClusterResult& r) const {
    if (o.policy.planning == cluster::Planning::None)
      return fmt::format("no static planning: a GPU is mixed while it prefills");
    return fmt::format("M = {} mixed, {} solo", r.mixed, r.n - r.mixed);
  }

  void print(const Config& cfg, const cluster::ClusterOptions& o, const theory::P3LpResult& lp,
             const cluster::ClusterResult& r, double wall) const {
    fmt::print("{}: {} over n = {} GPUs ({}), {} charging, {} service, seed {}\n",
               json_escape(cfg.name), cluster::to_string(o.policy), r.n, plan_words(o, r),
               theory::to_string(o.charging),
               o.service == cluster::Service::Exponential ? "exponential" : "deterministic", o.seed);
    fmt::print("simulated [{:g}, {:g}] s: {} requests, {} events, {:.2f} s wall\n", o.warmup,
               o.horizon, r.requests, r.events, wall);
    fmt::print("revenue per GPU   {:.6g} /s\nLP optimum R*     {:.6g} /s\nratio             {:.4f}\n",
               r.revenue_per_gpu, lp.objective, r.revenue_per_gpu / lp.objective);
    fmt::print("{:<16} {:>6} {:>12} {:>12}\n", "class", "", "simulated/n", "LP");
    for (std::size_t i = 0; i < r.classes.size(); ++i)
      for (const auto& row : rows(r.classes[i], lp.classes[i]))
        fmt::print("{:<16} {:>6} {:>12.5g} {:>12.5g}\n", o.instance.classes[i].name, row.name,
                   row.sim, row.lp);
  }

  void write_json(const Config& cfg, const cluster::ClusterOptions& o,
                  const theory::P3LpResult& lp, const cluster::ClusterResult& r) const {
    std::string classes;
    for (std::size_t i = 0; i < r.classes.size(); ++i) {
      const auto& c = r.classes[i];
      std::string fields;
      for (const auto& row : rows(c, lp.classes[i]))
        fields += fmt::format("\"{}\": {:.17g}, \"{}_lp\": {:.17g}, ", row.name, row.sim,
                              row.name, row.lp);
      if (!r.p_solo.empty()) fields += fmt::format("\"p_solo\": {:.17g}, ", r.p_solo[i]);
      classes += fmt::format(
          "{}{{\"name\": \"{}\", {}\"arrivals\": {}, \"prefills\": {}, \"completions\": {}, "
          "\"abandoned_prefill\": {}, \"abandoned_decode\": {}}}", i ? ", " : "",
          json_escape(o.instance.classes[i].name), fields, c.arrivals, c.prefills, c.completions,
          c.abandoned_prefill, c.abandoned_decode);
    }
    const auto text = fmt::format(
        "{{\"config\": \"{}\", \"policy\": \"{}\", \"router\": \"{}\", \"charging\": \"{}\", "
        "\"n\": {}, \"mixed\": {}, "
        "\"seed\": {}, \"horizon\": {:.17g}, \"warmup\": {:.17g}, \"revenue_per_gpu\": {:.17g}, "
        "\"r_star\": {:.17g}, \"ratio\": {:.17g}, \"requests\": {}, \"events\": {}, "
        "\"classes\": [{}]}}\n",
        json_escape(cfg.name), cluster::to_string(o.policy), cluster::to_string(o.policy.router),
        theory::to_string(o.charging), r.n, r.mixed,
        o.seed, o.horizon, o.warmup, r.revenue_per_gpu, lp.objective,
        r.revenue_per_gpu / lp.objective, r.requests, r.events, classes);
    std::ofstream out(json_, std::ios::binary);
    if (!(out << text)) throw config_error(json_, "--json", "cannot write the JSON report");
  }

  std::string config_, json_, policy_, router_;
  std::optional<std::int64_t> n_;
  std::optional<std::uint64_t> seed_;
  bool check_ = false;
};

}  // namespace

std::unique_ptr<Command> make_cluster_command() { return std::make_unique<ClusterCommand>(); }

}  // namespace kvcheck::cli
