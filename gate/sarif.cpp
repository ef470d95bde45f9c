#include "gate/sarif.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cstdio>
#include <string>

#include "gate/config_lines.h"
#include "properties/findings.h"
#include "properties/property.h"

namespace kvcheck {
namespace {

using nlohmann::json;

constexpr const char* kInconclusive = "kvcheck.inconclusive";
constexpr const char* kVacuous = "kvcheck.vacuous-proof";

json rule(std::string id, std::string text, std::string kind) {
  return {{"id", std::move(id)},
          {"shortDescription", {{"text", std::move(text)}}},
          {"defaultConfiguration", {{"level", "error"}}},
          {"properties", {{"kind", std::move(kind)}}}};
}

std::string kind_name(PropertyKind k) {
  return k == PropertyKind::Liveness ? "liveness" : "safety";
}

json rules() {
  json out = json::array();
  for (const auto& p : kProperties)
    out.push_back(rule(std::string(p.name), std::string(p.description), kind_name(p.kind)));
  for (const auto& f : kFindings)
    out.push_back(rule(std::string(f.name),
                       std::string(f.description) + " (" + std::string(f.found_by) + ")",
                       kind_name(f.kind)));
  out.push_back(rule(kInconclusive,
                     "the gate could not decide: a check ended UNKNOWN (solver limit, timeout, "
                     "state limit), or no checker found the violation the config expects",
                     "gate"));
  out.push_back(rule(kVacuous,
                     "a proof that also holds for the config's mutated twin, which is "
                     "concretely unsafe: the proof is vacuous",
                     "gate"));
  return out;
}

int rule_index(const json& rules, const std::string& id) {
  for (std::size_t i = 0; i < rules.size(); ++i)
    if (rules[i]["id"] == id) return static_cast<int>(i);
  return -1;
}

json location(const std::string& uri, int line, const std::string& text = {}) {
  json phys = {{"artifactLocation", {{"uri", uri}, {"uriBaseId", "SRCROOT"}}}};
  if (line > 0) phys["region"] = {{"startLine", line}};
  json loc = {{"physicalLocation", phys}};
  if (!text.empty()) loc["message"] = {{"text", text}};
  return loc;
}

std::string ids(const std::vector<std::int32_t>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

/// One step of a counterexample: what the iteration did as the message, the state's
/// variables (as text, as SARIF's state bag requires) beside it.
json step_location(const StepState& s, const Trace& t, const std::string& uri, int line) {
  std::string what = "step " + std::to_string(s.step) + ": admitted " + ids(s.admitted) +
                     ", preempted " + ids(s.preempted) + ", evicted " + ids(s.evicted) +
                     ", completed " + ids(s.completed) + "; " + std::to_string(s.used_blocks) +
                     " blocks used, " + std::to_string(s.demand_blocks) + " demanded" +
                     (s.overflow ? ", OVERFLOW" : "");
  const auto text = [](auto v) { return json{{"text", std::to_string(v)}}; };
  json state = {{"used_blocks", text(s.used_blocks)},
                {"demand_blocks", text(s.demand_blocks)},
                {"overflow", {{"text", s.overflow ? "true" : "false"}}},
                {"waiting", {{"text", ids(s.waiting)}}},
                {"running", {{"text", ids(s.running)}}},
                {"admitted", {{"text", ids(s.admitted)}}},
                {"preempted", {{"text", ids(s.preempted)}}},
                {"evicted", {{"text", ids(s.evicted)}}},
                {"completed", {{"text", ids(s.completed)}}}};
  json loc = {{"executionOrder", s.step}, {"location", location(uri, line, what)},
              {"state", state}};
  if (s.step == t.meta.violation_step) loc["importance"] = "essential";
  return loc;
}

json code_flow(const Trace& t, const std::string& uri, int line) {
  json locs = json::array();
  for (const auto& s : t.states) locs.push_back(step_location(s, t, uri, line));
  return {{"message", {{"text", "counterexample: " + std::to_string(t.states.size()) +
                                    " steps from the empty engine"}}},
          {"threadFlows", json::array({{{"locations", locs}}})}};
}

/// The config line a result about `property` found by `checker` points at.
int property_line(const ConfigLines& lines, const std::string& property,
                  const std::string& checker) {
  if (int l = lines.quoted(property)) return l;
  const std::string section = checker == "prove" || checker == "bmc" ? "bmc"
                              : checker == "simulate"                ? "workload"
                                                                     : checker;
  if (int l = lines.section(section)) return l;
  return lines.section("meta");
}

json violation_result(const GateEntry& e, const GateRow& row, const json& rules,
                      const std::string& uri, const ConfigLines& lines) {
  const auto& v = row.result.verdict;
  const int line = property_line(lines, v.reason, row.checker);
  const bool expected = e.expect == "violated";
  json res = {{"ruleId", v.reason},
              {"level", expected ? "note" : "error"},
              {"message", {{"text", e.name + ": " + row.checker + " found " + v.reason +
                                        " violated at step " + std::to_string(v.depth) +
                                        (expected ? " (expected)" : "")}}},
              {"locations", json::array({location(uri, line)})}};
  if (const int i = rule_index(rules, v.reason); i >= 0) res["ruleIndex"] = i;
  if (row.result.counterexample)
    res["codeFlows"] = json::array({code_flow(*row.result.counterexample, uri, line)});
  return res;
}

/// Every byte outside RFC 3986's unreserved set and '/' percent-encoded.
std::string percent_encoded(const std::string& s) {
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
      out += ch;
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

}  // namespace

std::string relative_uri(const std::filesystem::path& path, const std::filesystem::path& root) {
  const auto abs = std::filesystem::absolute(path).lexically_normal();
  const auto rel = abs.lexically_relative(std::filesystem::absolute(root).lexically_normal());
  return percent_encoded((rel.empty() ? abs : rel).generic_string());
}

void write_sarif(const GateReport& r, const SarifOptions& o, std::ostream& os) {
  const json rule_list = rules();
  json results = json::array(), notifications = json::array();
  for (const auto& e : r.entries) {
    const auto uri = relative_uri(e.config, o.source_root);
    const auto lines = ConfigLines::read(e.config);
    bool unexpected = false;
    for (const auto& row : e.rows) {
      if (row.result.verdict.kind == VerdictKind::Violated) {
        results.push_back(violation_result(e, row, rule_list, uri, lines));
        unexpected = unexpected || e.expect != "violated";
      }
      if (row.result.verdict.kind == VerdictKind::Error)
        notifications.push_back(
            {{"level", "error"},
             {"message", {{"text", e.name + ": " + row.checker + ": " +
                                       row.result.verdict.reason}}},
             {"locations", json::array({location(uri, 0)})}});
    }
    if (e.met || unexpected || e.errored()) continue;
    const bool vacuous = e.twin && (e.twin->result.verdict.kind == VerdictKind::Proved ||
                                    e.twin->result.verdict.kind == VerdictKind::BoundedOk);
    const std::string id = vacuous ? kVacuous : kInconclusive;
    results.push_back({{"ruleId", id},
                       {"ruleIndex", rule_index(rule_list, id)},
                       {"level", "error"},
                       {"message", {{"text", e.name + ": " + e.why}}},
                       {"locations", json::array({location(uri, lines.key("expect"))})}});
  }
  const auto root = std::filesystem::absolute(o.source_root).lexically_normal();
  std::string root_uri = "file://" + percent_encoded(root.generic_string());
  if (root_uri.back() != '/') root_uri += '/';
  json invocation = {{"executionSuccessful", notifications.empty()}};
  if (!notifications.empty()) invocation["toolExecutionNotifications"] = notifications;
  json run = {{"tool", {{"driver", {{"name", "kvcheck"},
                                    {"version", KVCHECK_VERSION},
                                    {"rules", rule_list}}}}},
              {"originalUriBaseIds", {{"SRCROOT", {{"uri", root_uri}}}}},
              {"invocations", json::array({invocation})},
              {"properties", {{"z3_version", r.z3_version}}},
              {"results", results}};
  json doc = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
              {"version", "2.1.0"},
              {"runs", json::array({run})}};
  os << doc.dump(2) << "\n";
}

}  // namespace kvcheck
