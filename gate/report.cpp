// Gate reports: Markdown (GitHub step summary), JUnit XML, SARIF 2.1.0.
#include <nlohmann/json.hpp>

#include <cstdio>

#include "gate/gate.h"
#include "properties/property.h"
#include "sim/xml_escape.h"

namespace kvcheck {
namespace {

std::string verdict_cell(const CheckResult& r) {
  std::string s = to_string(r.verdict);
  if (r.verdict.kind == VerdictKind::Violated)
    s += " " + r.verdict.reason + " @" + std::to_string(r.verdict.depth);
  if (r.verdict.kind == VerdictKind::Unknown) s += " (" + r.verdict.reason + ")";
  return s;
}

std::string seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s);
  return buf;
}

nlohmann::json thread_flow(const Trace& t) {
  nlohmann::json locs = nlohmann::json::array();
  for (const auto& s : t.states) {
    nlohmann::json props = {{"used_blocks", s.used_blocks}, {"demand_blocks", s.demand_blocks},
                            {"overflow", s.overflow}, {"admitted", s.admitted},
                            {"preempted", s.preempted}, {"evicted", s.evicted},
                            {"completed", s.completed}, {"waiting", s.waiting.size()},
                            {"running", s.running.size()}};
    locs.push_back({{"executionOrder", s.step},
                    {"location", {{"message", {{"text", "step " + std::to_string(s.step)}}}}},
                    {"state", props}});
  }
  return {{"threadFlows", nlohmann::json::array({{{"locations", locs}}})}};
}

}  // namespace

void write_markdown(const GateReport& r, std::ostream& os) {
  os << "kvcheck " << KVCHECK_VERSION << ", Z3 " << r.z3_version << "\n\n";
  os << "| config | expect | checker | verdict | time (s) | details |\n"
     << "|---|---|---|---|---|---|\n";
  for (const auto& e : r.entries) {
    for (const auto& row : e.rows)
      os << "| " << e.name << " | " << (e.expect.empty() ? "-" : e.expect) << " | "
         << row.checker << " | " << verdict_cell(row.result) << " | " << seconds(row.result.seconds)
         << " | " << row.result.summary << " |\n";
    if (e.twin)
      os << "| " << e.name << " | twin must fail | " << e.twin->checker << " | "
         << verdict_cell(e.twin->result) << " | " << seconds(e.twin->result.seconds) << " | "
         << e.twin->result.summary << " |\n";
    else if (!e.twin_note.empty())
      os << "| " << e.name << " | | twin | - | | " << e.twin_note << " |\n";
    std::string skipped;
    for (const auto& s : e.skipped) skipped += (skipped.empty() ? "skipped after the counterexample: " : ", ") + s;
    os << "| **" << e.name << "** | | | " << (e.met ? "**met**" : "**NOT MET**") << " | | "
       << e.why << (e.why.empty() || skipped.empty() ? "" : "; ") << skipped << " |\n";
  }
}

void write_junit(const GateReport& r, std::ostream& os) {
  std::size_t tests = 0, failures = 0;
  for (const auto& e : r.entries) {
    tests += e.rows.size() + (e.twin ? 1 : 0);
    failures += e.met ? 0 : 1;
  }
  os << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"kvcheck gate\" tests=\""
     << tests << "\" failures=\"" << failures << "\">\n";
  for (const auto& e : r.entries) {
    os << "  <testsuite name=\"" << xml_escape(e.name) << "\" tests=\""
       << e.rows.size() + (e.twin ? 1 : 0) << "\" failures=\"" << (e.met ? 0 : 1) << "\">\n";
    auto rows = e.rows;
    if (e.twin) rows.push_back(*e.twin);
    for (const auto& row : rows) {
      os << "    <testcase classname=\"" << xml_escape(e.name) << "\" name=\""
         << xml_escape(row.checker) << "\" time=\"" << row.result.seconds << "\">";
      if (!e.met)
        os << "<failure message=\"" << xml_escape(e.why) << "\">"
           << xml_escape(verdict_cell(row.result)) << "</failure>";
      os << "</testcase>\n";
    }
    os << "  </testsuite>\n";
  }
  os << "</testsuites>\n";
}

void write_sarif(const GateReport& r, std::ostream& os) {
  nlohmann::json rules = nlohmann::json::array();
  for (const auto& p : kProperties)
    rules.push_back({{"id", std::string(p.name)},
                     {"shortDescription", {{"text", std::string(p.description)}}}});
  nlohmann::json results = nlohmann::json::array();
  for (const auto& e : r.entries)
    for (const auto& row : e.rows) {
      const auto& v = row.result.verdict;
      if (v.kind != VerdictKind::Violated) continue;
      nlohmann::json res = {
          {"ruleId", v.reason},
          {"level", e.expect == "violated" ? "note" : "error"},
          {"message", {{"text", e.name + ": " + row.checker + " found " + v.reason +
                                    " violated at step " + std::to_string(v.depth)}}},
          {"locations", nlohmann::json::array({{{"physicalLocation",
                                                 {{"artifactLocation",
                                                   {{"uri", e.config.generic_string()}}}}}}})}};
      if (row.result.counterexample)
        res["codeFlows"] = nlohmann::json::array({thread_flow(*row.result.counterexample)});
      results.push_back(res);
    }
  nlohmann::json doc = {
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs", nlohmann::json::array({{{"tool", {{"driver", {{"name", "kvcheck"},
                                                             {"version", KVCHECK_VERSION},
                                                             {"rules", rules}}}}},
                                       {"properties", {{"z3_version", r.z3_version}}},
                                       {"results", results}}})}};
  os << doc.dump(2) << "\n";
}

}  // namespace kvcheck
