#include "sim/network.h"

#include <algorithm>
#include <memory>
#include <utility>

#include <nlohmann/json.hpp>

#include "io/input_error.h"
#include "io/toml_section.h"
#include "io/workload.h"
#include "models/choice_source.h"
#include "models/concrete_view.h"
#include "models/engine_step.h"

namespace kvcheck {
namespace {

NetworkType read_type(const toml::table* t, const std::string& file, const std::string& prefix,
                      std::int64_t servers, std::int64_t levels) {
  TomlSection s(t, file, prefix, "network.types");
  NetworkType ty;
  ty.name = s.string("name", prefix);
  if (!s.has("rate")) s.fail("rate", "missing");
  ty.rate = s.number("rate", 0.0);
  for (const auto* k : {"route", "prompts", "outputs", "priorities"})
    if (!s.has(k)) s.fail(k, "missing");
  const auto route = s.integers("route"), prompts = s.integers("prompts"),
             outputs = s.integers("outputs"), prio = s.integers("priorities");
  const std::pair<const char*, std::size_t> lengths[] = {
      {"prompts", prompts.size()}, {"outputs", outputs.size()}, {"priorities", prio.size()}};
  for (const auto& [key, n] : lengths)
    if (n != route.size())
      s.fail(key, "has " + std::to_string(n) + " entries, the route " +
                      std::to_string(route.size()) + " (one per task)");
  for (std::size_t i = 0; i < route.size(); ++i) {
    if (route[i] >= servers)
      s.fail("route", "server " + std::to_string(route[i]) + " >= network.servers = " +
                          std::to_string(servers));
    if (prio[i] >= levels)
      s.fail("priorities", "level " + std::to_string(prio[i]) + " has no [[classes]] entry (" +
                               std::to_string(levels) + " levels)");
    ty.tasks.push_back({route[i], prompts[i], outputs[i], prio[i]});
  }
  s.reject_unknown();
  return ty;
}

/// Where a request at one server stands on its route.
struct Leg {
  std::int64_t job = 0;
  std::size_t type = 0, task = 0;
};

/// Tokens a task still needs: the prompt not yet computed and the outputs not yet generated.
std::int64_t remaining(const ConcreteView& v, ConcreteView::Ref r) {
  const auto& in = v.input(r);
  const auto& st = v.state(r);
  return std::max<std::int64_t>(0, in.prompt - st.computed) + (in.output - st.generated);
}

class Network {
 public:
  Network(const Config& cfg, const NetworkSpec& spec) : spec_(spec), rng_(spec.seed) {
    for (std::int64_t k = 0; k < spec.servers; ++k) {
      loads_.push_back(std::make_unique<Workload>());
      legs_.emplace_back();
      views_.push_back(std::make_unique<ConcreteView>(cfg.model, *loads_.back(), cfg.time,
                                                      choices_));
    }
  }

  void step(std::int64_t t) {
    arrive(t);
    std::vector<Leg> done;
    for (std::size_t k = 0; k < views_.size(); ++k) {
      auto& v = *views_[k];
      v.workload_grew();
      engine_step(v);
      for (auto r : v.last_step().completed) done.push_back(legs_[k][static_cast<std::size_t>(r)]);
    }
    for (const auto& d : done) forward(d);
  }

  NetworkPoint point(std::int64_t t) const {
    NetworkPoint p{t, 0, {}};
    for (std::size_t k = 0; k < views_.size(); ++k) {
      std::int64_t at = 0;
      const auto& v = *views_[k];
      const auto add = [&](ConcreteView::Ref r) {
        at += remaining(v, r) + later_tasks(legs_[k][static_cast<std::size_t>(r)]);
      };
      for (auto r : v.waiting()) add(r);
      for (auto r : v.running()) add(r);
      p.server_tokens.push_back(at);
      p.tokens += at;
    }
    for (const auto& leg : pending_) p.tokens += task_tokens(leg) + later_tasks(leg);
    return p;
  }

  std::int64_t arrived() const { return jobs_; }
  std::int64_t completed() const { return completed_; }

 private:
  /// External arrivals of step t at each type's first server.
  void arrive(std::int64_t t) {
    for (std::size_t i = 0; i < spec_.types.size(); ++i)
      for (auto n = poisson_sample(rng_, spec_.types[i].rate); n > 0; --n)
        enter({jobs_++, i, 0}, t);
    auto pending = std::move(pending_);
    pending_.clear();
    for (const auto& leg : pending) enter(leg, t);
  }

  void enter(const Leg& leg, std::int64_t t) {
    const auto& task = spec_.types[leg.type].tasks[leg.task];
    const auto k = static_cast<std::size_t>(task.server);
    Request r;
    r.arrival_step = t;
    r.arrival_time = static_cast<double>(t);
    r.prompt = task.prompt;
    r.output = task.output;
    r.klass = task.priority;
    loads_[k]->requests.push_back(r);
    legs_[k].push_back(leg);
  }

  /// A finished task: the route's next task enters at the next step, or the request leaves.
  void forward(Leg leg) {
    if (++leg.task >= spec_.types[leg.type].tasks.size()) {
      ++completed_;
      return;
    }
    pending_.push_back(leg);
  }

  std::int64_t task_tokens(const Leg& leg) const {
    const auto& task = spec_.types[leg.type].tasks[leg.task];
    return task.prompt + task.output;
  }
  std::int64_t later_tasks(const Leg& leg) const {
    std::int64_t n = 0;
    const auto& tasks = spec_.types[leg.type].tasks;
    for (auto i = leg.task + 1; i < tasks.size(); ++i) n += tasks[i].prompt + tasks[i].output;
    return n;
  }

  const NetworkSpec& spec_;
  std::uint64_t rng_;
  SeededChoices choices_{1};
  std::vector<std::unique_ptr<Workload>> loads_;
  std::vector<std::vector<Leg>> legs_;  ///< per server, per request: its place on its route
  std::vector<std::unique_ptr<ConcreteView>> views_;
  std::vector<Leg> pending_;  ///< forwarded tasks, entering at the next step
  std::int64_t jobs_ = 0, completed_ = 0;
};

}  // namespace

NetworkSpec read_network(const Config& cfg) {
  const std::string file = cfg.path.string();
  const toml::table root = parse_toml(cfg.text, file);
  TomlSection s(toml_table_at(root, file, "network"), file, "network");
  if (!s.present()) throw config_error(file, "network", "missing section [network]");
  if (cfg.model.policy.kind != PolicyKind::SarathiPriority && cfg.model.classes.size() > 1)
    throw config_error(file, "policy.name", "a network's priorities are class levels: use "
                                            "sarathi_priority (or one class)");
  NetworkSpec n;
  n.servers = s.integer("servers", n.servers);
  if (!s.has("steps")) s.fail("steps", "missing");
  n.steps = s.integer("steps", 0);
  n.seed = static_cast<std::uint64_t>(s.integer("seed", 1));
  const auto* arr = s.array("types");
  if (!arr || arr->empty()) s.fail("types", "missing: at least one [[network.types]]");
  const auto levels = std::max<std::int64_t>(1, static_cast<std::int64_t>(cfg.model.classes.size()));
  for (std::size_t i = 0; i < arr->size(); ++i)
    n.types.push_back(read_type((*arr)[i].as_table(), file,
                                "network.types[" + std::to_string(i) + "]", n.servers, levels));
  s.reject_unknown();
  return n;
}

NetworkResult run_network(const Config& cfg, const NetworkSpec& spec, std::int64_t points) {
  Network net(cfg, spec);
  NetworkResult r;
  r.every = std::max<std::int64_t>(1, (spec.steps + points - 1) / points);
  for (std::int64_t t = 0; t < spec.steps; ++t) {
    net.step(t);
    if ((t + 1) % r.every != 0 && t + 1 != spec.steps) continue;
    auto p = net.point(t);
    r.peak_tokens = std::max(r.peak_tokens, p.tokens);
    r.series.push_back(std::move(p));
  }
  r.arrived = net.arrived();
  r.completed = net.completed();
  r.final_tokens = r.series.empty() ? 0 : r.series.back().tokens;
  return r;
}

std::string network_json(const NetworkResult& r) {
  nlohmann::json j;
  j["arrived"] = r.arrived;
  j["completed"] = r.completed;
  j["peak_tokens"] = r.peak_tokens;
  j["final_tokens"] = r.final_tokens;
  j["every"] = r.every;
  auto& pts = j["series"] = nlohmann::json::array();
  for (const auto& p : r.series)
    pts.push_back({{"step", p.step}, {"tokens", p.tokens}, {"server_tokens", p.server_tokens}});
  return j.dump(1) + "\n";
}

}  // namespace kvcheck
