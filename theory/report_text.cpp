#include "theory/report_text.h"

#include <fmt/format.h>

namespace kvcheck::theory {
namespace {

std::string condition_line(const Condition& c) {
  const auto side = c.holds ? "holds" : "FAILS";
  std::string out;
  if (c.numeric)
    out = fmt::format("  {:<10} {:<30} {:<40} {:>12.6g} {:<2} {:<12.6g} {}\n", to_string(c.role),
                      c.source, c.statement, c.lhs, c.relation, c.rhs, side);
  else
    out = fmt::format("  {:<10} {:<30} {:<40} {:>28} {}\n", to_string(c.role), c.source,
                      c.statement, "", side);
  if (!c.note.empty()) out += fmt::format("  {:<10}   ({})\n", "", c.note);
  return out;
}

std::string analysis_block(const PaperAnalysis& a) {
  std::string out = fmt::format("{}  {}\n", a.id == "p1"   ? "P1"
                                              : a.id == "p2" ? "P2"
                                              : a.id == "p3" ? "P3"
                                              : a.id == "p4" ? "P4"
                                                             : "vLLM",
                                a.title);
  if (!a.applicable)
    return out + fmt::format("  not applicable: {}: {}\n", a.missing_field, a.missing_reason);
  for (const auto& i : a.inputs) out += fmt::format("  input: {}\n", i);
  for (const auto& n : a.numbers)
    out += fmt::format("    {:<24} {:>14.8g}  {}\n", n.name, n.value, n.unit);
  for (const auto& c : a.conditions) out += condition_line(c);
  for (const auto& n : a.notes) out += fmt::format("  note: {}\n", n);
  return out;
}

std::string verdict_line(const AnalysisReport& r) {
  const auto v = report_verdict(r);
  const auto code = to_int(to_exit_code(v));
  const char* meaning = code == 0   ? "every applicable condition holds"
                        : code == 5 ? "only a sufficient condition fails: no guarantee"
                                    : "a necessary stability condition fails: instability is "
                                      "implied";
  auto out = fmt::format("verdict: {} (exit {}): {}\n", outcome_word(v), code, meaning);
  if (code != 0) out += fmt::format("  {}\n", v.reason);
  if (code == 0 && !has_sufficient_condition(r))
    out += "  no sufficient condition applies to this policy: stability is not ruled out, "
           "but not guaranteed either\n";
  return out;
}

}  // namespace

std::string format_report(const AnalysisReport& r) {
  std::string out = fmt::format("kvcheck analyze: {} ({})\n", r.name, r.config);
  out += fmt::format("rates: {}\n", r.rate_source.empty() ? "none found" : r.rate_source);
  for (const auto& n : r.notes) out += fmt::format("note: {}\n", n);
  for (const auto& a : r.analyses) {
    out += '\n';  // (not "\n" + s: GCC 12's -Wrestrict false positive, PR 105651)
    out += analysis_block(a);
  }
  out += '\n';
  return out + verdict_line(r);
}

}  // namespace kvcheck::theory
