// ITF JSON writer (counterexamples/itf.h). Conventions: docs/itf.md.
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "counterexamples/itf.h"
#include "counterexamples/itf_names.h"
#include "io/input_error.h"
#include "models/param_table.h"

namespace kvcheck {
namespace {

using J = nlohmann::ordered_json;

J big(std::int64_t v) { return J{{"#bigint", std::to_string(v)}}; }
J big_u(std::uint64_t v) { return J{{"#bigint", std::to_string(v)}}; }
/// ITF has no reals: a double is its shortest round-trip decimal string.
J real(double v) { return J(fmt::format("{}", v)); }

template <class T>
J int_list(const std::vector<T>& v) {
  J out = J::array();
  for (auto x : v) out.push_back(big(static_cast<std::int64_t>(x)));
  return out;
}

J some(J value) { return J{{"tag", "Some"}, {"value", std::move(value)}}; }
J none() { return J{{"tag", "None"}, {"value", J{{"#tup", J::array()}}}}; }

J class_record(const ClassSpec& c) {
  return J{{"name", c.name},         {"prompt", big(c.prompt)}, {"output", big(c.output)},
           {"rate", real(c.rate)},   {"budget", big(c.budget)},
           {"threshold", big(c.threshold)}};
}

J request_record(std::size_t id, const Request& r) {
  return J{{"id", big(static_cast<std::int64_t>(id))},
           {"arrival_step", big(r.arrival_step)},
           {"arrival_time", real(r.arrival_time)},
           {"prompt", big(r.prompt)},
           {"output", big(r.output)},
           {"class", big(r.klass)}};
}

J time_record(const TimeModel& t) {
  return J{{"kind", std::string(to_string(t.kind))},
           {"unit", real(t.unit)}, {"d0", real(t.d0)}, {"d1", real(t.d1)},
           {"c", real(t.c)},       {"a", real(t.a)},   {"b0", big(t.b0)},
           {"la", real(t.la)},     {"lb", real(t.lb)}, {"lc", real(t.lc)},
           {"ld", real(t.ld)}};
}

/// A vLLM V0 swap trace: it adds kSwapParamTypes and kSwapVarTypes (itf_names.h).
bool is_swap(const Trace& t) { return t.params.policy.preemption_mode == PreemptionMode::Swap; }

/// The scalar `params` (models/param_table.h's, requeue, policy), in kParamNames order so
/// the file's bytes stay those of earlier versions.
void put_scalars(const Trace& t, J& state) {
  for (const auto name : kParamNames) {
    const std::string key(name);
    for (const auto& ip : kIntParams)
      if (ip.key == name) state[key] = big(ip.get(t.params));
    for (const auto& bp : kBoolParams)
      if (bp.key == name) state[key] = bp.get(t.params);
    if (name == "requeue") state[key] = std::string(to_string(t.params.engine.requeue));
    if (name == "policy") state[key] = std::string(to_string(t.params.policy.kind));
  }
}

/// The `params` values, in itf_names.h's kParamNames order.
void put_params(const Trace& t, J& state) {
  put_scalars(t, state);
  J classes = J::array();
  for (const auto& c : t.params.classes) classes.push_back(class_record(c));
  state["classes"] = std::move(classes);
  state["time_model"] = time_record(t.time);
  state["arrival_clock"] = t.workload.clock == ArrivalClock::Steps ? "steps" : "timed";
  J reqs = J::array();
  for (std::size_t i = 0; i < t.workload.requests.size(); ++i)
    reqs.push_back(request_record(i, t.workload.requests[i]));
  state["workload"] = std::move(reqs);
  // Closed loop only (open-loop traces keep the bytes of earlier versions).
  if (t.workload.max_concurrency > 0) state["max_concurrency"] = big(t.workload.max_concurrency);
  // In flight at time 0 (models/request.h): the decode iterations done by each of the
  // workload's first requests; absent when none is, so other traces keep their bytes.
  if (const auto n = t.workload.in_flight_count(); n > 0) {
    std::vector<std::int64_t> decoded;
    for (std::size_t i = 0; i < n; ++i) decoded.push_back(t.workload.requests[i].decoded_at_start);
    state["in_flight_decoded"] = int_list(decoded);
  }
  if (is_swap(t)) {
    state["preemption_mode"] = std::string(to_string(t.params.policy.preemption_mode));
    state["cpu_blocks"] = big(t.params.engine.cpu_blocks);
  }
}

/// `mbt::nondetPicks`: the policy's choices (in the order asked) and the arrivals (a set).
J nondet_picks(const StepState& s) {
  std::vector<std::int32_t> arrivals = s.arrived;
  std::sort(arrivals.begin(), arrivals.end());
  J set = J{{"#set", int_list(arrivals)}};
  return J{{"choices", s.picks.empty() ? none() : some(int_list(s.picks))},
           {"arrivals", arrivals.empty() ? none() : some(std::move(set))}};
}

J requests_map(const std::vector<RequestSnapshot>& rs) {
  std::vector<RequestSnapshot> sorted = rs;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const RequestSnapshot& a, const RequestSnapshot& b) { return a.id < b.id; });
  J pairs = J::array();
  for (const auto& r : sorted) {
    J rec{{"status", r.status}, {"computed", big(r.computed)}, {"generated", big(r.generated)},
          {"blocks", big(r.blocks)}};
    pairs.push_back(J::array({big(r.id), std::move(rec)}));
  }
  return J{{"#map", std::move(pairs)}};
}

/// The state variables (itf_names.h's kVarNames order) of one ITF state.
J state_json(const StepState& s, std::int64_t index, bool swap) {
  J batch = J::array();
  for (const auto& [id, tokens] : s.batch)
    batch.push_back(J{{"#tup", J::array({big(id), big(tokens)})}});
  J out{{"#meta", J{{"index", index}}},
           {"step", big(s.step)},
           {"arrived", int_list(s.arrived)},
           {"rejected", int_list(s.rejected)},
           {"admitted", int_list(s.admitted)},
           {"preempted", int_list(s.preempted)},
           {"evicted", int_list(s.evicted)},
           {"completed", int_list(s.completed)},
           {"batch", std::move(batch)},
           {"demand_blocks", big(s.demand_blocks)},
           {"used_blocks", big(s.used_blocks)},
           {"used_tokens", big(s.used_tokens)},
           {"overflow", s.overflow},
           {"waiting", int_list(s.waiting)},
           {"running", int_list(s.running)},
           {"requests", requests_map(s.requests)},
           {"mbt::actionTaken", s.action},
           {"mbt::nondetPicks", nondet_picks(s)}};
  if (swap) {
    out["swapped"] = int_list(s.swapped);
    out["swapped_out"] = int_list(s.swapped_out);
    out["swapped_in"] = int_list(s.swapped_in);
    out["swap_abort"] = s.swap_abort;
    out["cpu_used_blocks"] = big(s.cpu_used_blocks);
  }
  return out;
}

/// The initial state: nothing has arrived, nothing runs; holds the params (ADR-015).
StepState initial_state() {
  StepState s;
  s.step = -1;
  s.action = "init";
  return s;
}

J var_types(const Trace& t) {
  J out = J::object();
  for (const auto& [name, type] : kVarTypes) out[std::string(name)] = std::string(type);
  if (t.workload.max_concurrency > 0) out["max_concurrency"] = "Int";
  if (t.workload.in_flight_count() > 0) out["in_flight_decoded"] = "Seq(Int)";
  if (is_swap(t)) {
    for (const auto& [name, type] : kSwapParamTypes) out[std::string(name)] = std::string(type);
    for (const auto& [name, type] : kSwapVarTypes) out[std::string(name)] = std::string(type);
  }
  return out;
}

J meta_json(const Trace& t) {
  const auto& m = t.meta;
  return J{{"format", "ITF"},
           {"format-description", "https://apalache-mc.org/docs/adr/015adr-trace.html"},
           {"description", "kvcheck trace; conventions in docs/itf.md"},
           {"kvcheck_version", m.kvcheck_version},
           {"source", m.source},
           {"status", m.status},
           {"policy", std::string(to_string(t.params.policy.kind))},
           {"config_name", m.config_name},
           {"config_hash", m.config_hash},
           {"seed", big_u(m.seed)},
           {"depth", big(m.depth)},
           {"violated_property", m.violated_property},
           {"violation_step", big(m.violation_step)},
           {"z3_version", m.z3_version},
           {"note", m.note},
           {"varTypes", var_types(t)}};
}

}  // namespace

std::string to_itf_json(const Trace& t) {
  J doc = J::object();
  doc["#meta"] = meta_json(t);
  J params = J::array();
  for (auto n : kParamNames) params.push_back(std::string(n));
  if (t.workload.max_concurrency > 0) params.push_back("max_concurrency");
  if (t.workload.in_flight_count() > 0) params.push_back("in_flight_decoded");
  if (is_swap(t))
    for (const auto& [name, type] : kSwapParamTypes) params.push_back(std::string(name));
  doc["params"] = std::move(params);
  J vars = J::array();
  for (auto n : kVarNames) vars.push_back(std::string(n));
  if (is_swap(t))
    for (const auto& [name, type] : kSwapVarTypes) vars.push_back(std::string(name));
  doc["vars"] = std::move(vars);
  J states = J::array();
  J init = state_json(initial_state(), 0, is_swap(t));
  put_params(t, init);
  states.push_back(std::move(init));
  for (std::size_t i = 0; i < t.states.size(); ++i)
    states.push_back(state_json(t.states[i], static_cast<std::int64_t>(i) + 1, is_swap(t)));
  doc["states"] = std::move(states);
  if (t.loop) doc["loop"] = *t.loop + 1;
  return doc.dump(1) + "\n";
}

void write_itf(const Trace& t, const std::filesystem::path& path) {
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  std::ofstream os(path, std::ios::binary | std::ios::trunc);
  if (!os) throw trace_error(path.string(), "", "cannot open for writing");
  os << to_itf_json(t);
  os.flush();
  if (!os) throw trace_error(path.string(), "", "write failed");
}

}  // namespace kvcheck
