#include "gate/junit.h"

#include <string>
#include <vector>

#include "sim/xml_escape.h"

namespace kvcheck {
namespace {

enum class Outcome { Pass, Failure, Error, Skipped };

struct Case {
  std::string name;
  double seconds = 0.0;
  Outcome outcome = Outcome::Pass;
  std::string message, text;  ///< for a failure, an error or a skip; the case's output
};

Outcome row_outcome(const GateEntry& e, const GateRow& row) {
  const auto k = row.result.verdict.kind;
  if (k == VerdictKind::Error) return Outcome::Error;
  if (e.expect == "ok" && (k == VerdictKind::Violated || k == VerdictKind::Unknown))
    return Outcome::Failure;
  return Outcome::Pass;
}

Outcome twin_outcome(const GateRow& twin) {
  const auto k = twin.result.verdict.kind;
  if (k == VerdictKind::Error) return Outcome::Error;
  return k == VerdictKind::Proved || k == VerdictKind::BoundedOk ? Outcome::Failure
                                                                  : Outcome::Pass;
}

std::string row_text(const GateRow& row) {
  std::string s = to_string(row.result.verdict);
  if (!row.result.verdict.reason.empty()) s += " " + row.result.verdict.reason;
  if (row.result.verdict.kind == VerdictKind::Violated)
    s += " @" + std::to_string(row.result.verdict.depth);
  return s + "; " + row.result.summary;
}

std::vector<Case> cases(const GateEntry& e) {
  std::vector<Case> out;
  for (const auto& row : e.rows)
    out.push_back({row.checker, row.result.seconds, row_outcome(e, row), row_text(row),
                   row_text(row)});
  for (const auto& s : e.skipped)
    out.push_back({s, 0.0, Outcome::Skipped, "an earlier checker found a counterexample", {}});
  if (e.twin)
    out.push_back({"twin", e.twin->result.seconds, twin_outcome(*e.twin),
                   "the mutated twin must be VIOLATED or UNKNOWN: " + row_text(*e.twin),
                   row_text(*e.twin)});
  Case expect{"expect " + (e.expect.empty() ? std::string("-") : e.expect), 0.0, Outcome::Pass,
              e.why, e.why};
  if (!e.met) expect.outcome = e.errored() ? Outcome::Error : Outcome::Failure;
  out.push_back(expect);
  return out;
}

struct Totals {
  std::size_t tests = 0, failures = 0, errors = 0, skipped = 0;
  void add(const std::vector<Case>& cs) {
    for (const auto& c : cs) {
      ++tests;
      failures += c.outcome == Outcome::Failure;
      errors += c.outcome == Outcome::Error;
      skipped += c.outcome == Outcome::Skipped;
    }
  }
};

void write_counts(const Totals& t, std::ostream& os) {
  os << " tests=\"" << t.tests << "\" failures=\"" << t.failures << "\" errors=\"" << t.errors
     << "\" skipped=\"" << t.skipped << "\"";
}

void write_case(const std::string& suite, const Case& c, std::ostream& os) {
  os << "    <testcase classname=\"" << xml_escape(suite) << "\" name=\"" << xml_escape(c.name)
     << "\" time=\"" << c.seconds << "\">";
  const auto msg = xml_escape(c.message);
  switch (c.outcome) {
    case Outcome::Failure: os << "<failure message=\"" << msg << "\">" << msg << "</failure>"; break;
    case Outcome::Error: os << "<error message=\"" << msg << "\">" << msg << "</error>"; break;
    case Outcome::Skipped: os << "<skipped message=\"" << msg << "\"/>"; break;
    case Outcome::Pass: break;
  }
  if (!c.text.empty()) os << "<system-out>" << xml_escape(c.text) << "</system-out>";
  os << "</testcase>\n";
}

}  // namespace

void write_junit(const GateReport& r, std::ostream& os) {
  std::vector<std::vector<Case>> suites;
  Totals all;
  for (const auto& e : r.entries) {
    suites.push_back(cases(e));
    all.add(suites.back());
  }
  os << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"kvcheck gate\"";
  write_counts(all, os);
  os << ">\n";
  for (std::size_t i = 0; i < r.entries.size(); ++i) {
    Totals t;
    t.add(suites[i]);
    os << "  <testsuite name=\"" << xml_escape(r.entries[i].name) << "\"";
    write_counts(t, os);
    os << ">\n";
    for (const auto& c : suites[i]) write_case(r.entries[i].name, c, os);
    os << "  </testsuite>\n";
  }
  os << "</testsuites>\n";
}

}  // namespace kvcheck
