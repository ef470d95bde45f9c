#include "checkers/fuzz/report.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <sstream>

namespace kvcheck::fuzz {
namespace {

std::string show(const FuzzCase& c) {
  std::ostringstream os;
  showValue(c, os);
  return os.str();
}

void corpus_lines(const FuzzReport& r, std::string& out) {
  std::int64_t ok = 0;
  for (const auto& c : r.corpus) ok += c.matched ? 1 : 0;
  out += fmt::format("corpus: {} entries replayed first, {} gave their expected verdict\n",
                     r.corpus.size(), ok);
  for (const auto& c : r.corpus)
    out += fmt::format("  {} {}: expected {} {}, got {} {} ({} requests)\n",
                       c.matched ? "ok  " : "DIFF", c.file.filename().string(), c.expected.verdict,
                       c.expected.property, c.actual.failed() ? "violated" : "ok", c.actual.what,
                       c.requests);
}

void stats_lines(const FuzzReport& r, bool deterministic, std::string& out) {
  const auto& s = r.search.stats;
  out += fmt::format("cases: {} run, {} discarded, {} shrink steps tried ({} accepted)\n", s.cases,
                     s.discarded, s.shrinks_tried, s.shrinks_accepted);
  if (!deterministic)
    out += fmt::format("speed: {:.0f} cases/s ({:.3f} s, shrinking included)\n",
                       r.cases_per_second(), r.seconds);
  out += "coverage:\n";
  for (const auto& l : r.coverage)
    out += fmt::format("  {:<15} {:6.1f} %  (minimum {:.1f} %){}\n", l.tag, 100.0 * l.share,
                       100.0 * l.minimum, l.met() ? "" : "  NOT MET");
  out += "shapes:";
  for (const auto& [t, n] : s.tags)
    if (t != "high_occupancy" && t != "preemption" && t != "near_boundary")
      out += fmt::format(" {}={}", t, n);
  out += "\n";
}

void stability_lines(const FuzzReport& r, std::string& out) {
  const auto& st = r.stability;
  if (st.drift == Drift::NotApplicable) {
    out += "stability: not applicable (explicit/trace workload or disabled)\n";
    return;
  }
  out += fmt::format(
      "stability: {} (rate {:.3f}/step, rho {:.3f} binding {}, slope {:.4f} vs epsilon {:.4f} "
      "requests/step over {} steps, throughput {:.3f}/step, {} in system at the end)\n",
      to_string(st.drift), st.rate, st.load.rho(), st.load.binding(), st.slope, st.epsilon,
      st.horizon, st.throughput, st.final_in_system);
}

void failure_lines(const FuzzReport& r, std::string& out) {
  const auto& f = *r.search.failure;
  out += fmt::format("counterexample: {} at step {} after {} passing cases, shrunk to {} requests\n",
                     f.result.what, f.result.verdict.depth, f.tests_before, f.minimal.requests());
  out += fmt::format("  {}\n", show(f.minimal));
  out += fmt::format("  reproduce string {}\n", f.reproduced ? "re-checked" : "DID NOT REPRODUCE");
  out += fmt::format("  trace replay: {}\n", r.replay_message);
  if (!r.counterexample.empty()) out += fmt::format("  written: {}\n", r.counterexample.string());
  if (!r.saved_to_corpus.empty()) out += fmt::format("  kept in corpus: {}\n", r.saved_to_corpus.string());
  out += fmt::format("RC_PARAMS=\"{}\"\n", f.reproduce);
}

}  // namespace

std::string format_report(const FuzzReport& r, bool deterministic) {
  std::string out = fmt::format("{}: {}  (exit {}{}{})\n", r.config_name, to_string(r.verdict),
                                to_int(r.exit), r.exit_reason.empty() ? "" : ": ", r.exit_reason);
  out += r.envelope_lines;
  corpus_lines(r, out);
  stats_lines(r, deterministic, out);
  stability_lines(r, out);
  if (!r.search.gave_up.empty()) out += "RapidCheck gave up: " + r.search.gave_up + "\n";
  if (r.search.failure) failure_lines(r, out);
  return out;
}

std::string summary_json(const FuzzReport& r) {
  nlohmann::json j;
  j["config"] = r.config_name;
  j["verdict"] = to_string(r.verdict);
  j["exit_code"] = to_int(r.exit);
  j["exit_reason"] = r.exit_reason;
  j["envelope"] = r.envelope;
  j["envelope_coverage"] = r.envelope_coverage;
  const auto& s = r.search.stats;
  j["statistics"] = {{"cases", s.cases}, {"discarded", s.discarded},
                     {"shrinks_tried", s.shrinks_tried}, {"seconds", r.seconds},
                     {"cases_per_second", r.cases_per_second()}, {"tags", s.tags}};
  for (const auto& l : r.coverage)
    j["coverage"][l.tag] = {{"share", l.share}, {"minimum", l.minimum}, {"met", l.met()}};
  const auto& st = r.stability;
  j["stability"] = {{"drift", to_string(st.drift)}, {"rho", st.load.rho()},
                    {"slope", st.slope}, {"epsilon", st.epsilon}, {"horizon", st.horizon}};
  j["corpus"] = nlohmann::json::array();
  for (const auto& c : r.corpus)
    j["corpus"].push_back({{"file", c.file.filename().string()}, {"matched", c.matched}});
  if (r.search.failure) {
    const auto& f = *r.search.failure;
    j["counterexample"] = {{"property", f.result.what}, {"step", f.result.verdict.depth},
                           {"requests", f.minimal.requests()}, {"reproduce", f.reproduce},
                           {"itf", r.counterexample.string()}};
  }
  return j.dump(2);
}

}  // namespace kvcheck::fuzz
