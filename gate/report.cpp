// The gate's Markdown verdict table (also the GitHub step summary). JUnit: junit.cpp; SARIF:
// sarif.cpp.
#include <cstdio>

#include "gate/gate.h"

namespace kvcheck {
namespace {

std::string verdict_cell(const CheckResult& r) {
  std::string s = to_string(r.verdict);
  if (r.verdict.kind == VerdictKind::Violated)
    s += " " + r.verdict.reason + " @" + std::to_string(r.verdict.depth);
  if (r.verdict.kind == VerdictKind::Unknown || r.verdict.kind == VerdictKind::Error)
    s += " (" + r.verdict.reason + ")";
  return s;
}

std::string seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s);
  return buf;
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

}  // namespace kvcheck
