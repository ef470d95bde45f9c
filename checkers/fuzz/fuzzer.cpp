#include "checkers/fuzz/fuzzer.h"

#include <chrono>

#include "counterexamples/itf.h"
#include "counterexamples/replay.h"

namespace kvcheck::fuzz {
namespace {

std::vector<CoverageLine> coverage_lines(const FuzzModel& m, const SearchStats& s) {
  const auto& min = m.spec.min_coverage;
  return {{"high_occupancy", s.share("high_occupancy"), min.high_occupancy},
          {"preemption", s.share("preemption"), min.preemption},
          {"near_boundary", s.share("near_boundary"), min.near_boundary}};
}

/// Writes the shrunk failure as ITF (and into the corpus), and replays the written trace.
void write_counterexample(const FuzzModel& m, const FuzzOptions& o, const Failure& f,
                          FuzzReport& r) {
  const auto t = counterexample_trace(m, f);
  r.replay_message = replay(t).message();
  if (!o.out_dir.empty()) {
    r.counterexample = o.out_dir / "counterexample.itf.json";
    write_itf(t, r.counterexample);
  }
  if (o.save_to_corpus && !o.corpus_dir.empty()) r.saved_to_corpus = save_to_corpus(t, o.corpus_dir);
}

void set_exit(FuzzReport& r, ExitCode e, std::string why) {
  if (r.exit == ExitCode::Ok) {
    r.exit = e;
    r.exit_reason = std::move(why);
  }
}

/// Violations first (corpus, then search), then drift, divergence, coverage.
void decide(const FuzzModel& m, FuzzReport& r) {
  for (const auto& c : r.corpus)
    if (c.actual.failed()) {
      r.verdict = combine(r.verdict, c.actual.verdict);
      set_exit(r, to_exit_code(c.actual.verdict), "corpus case " + c.file.filename().string() +
                                                      ": " + c.actual.what);
    }
  if (r.search.failure) {
    const auto& v = r.search.failure->result.verdict;
    r.verdict = combine(r.verdict, v);
    set_exit(r, to_exit_code(v), "shrunk counterexample: " + r.search.failure->result.what);
  }
  if (r.stability.drift == Drift::Unstable) {
    r.verdict = combine(r.verdict, Verdict::violated(r.stability.horizon, PropertyKind::Liveness,
                                                     "queue drift at a carriable load"));
    set_exit(r, ExitCode::LivenessViolation, "unstable: positive drift at rho <= 1");
  }
  for (const auto& c : r.corpus)
    if (!c.matched) set_exit(r, ExitCode::ReplayDiverged, "corpus entry changed verdict: " + c.file.filename().string());
  if (r.search.failure && !r.search.failure->reproduced)
    set_exit(r, ExitCode::ReplayDiverged, "reproduce string did not reproduce the failure");
  if (!r.search.gave_up.empty()) {
    r.verdict = combine(r.verdict, Verdict::unknown("RapidCheck gave up: " + r.search.gave_up));
    set_exit(r, ExitCode::Inconclusive, "too many discarded cases");
  }
  for (const auto& l : r.coverage)
    if (!l.met() && !r.search.failure) {
      r.verdict = combine(r.verdict, Verdict::unknown("coverage minimum not met: " + l.tag));
      set_exit(r, ExitCode::Inconclusive, "coverage minimum not met: " + l.tag);
    }
  (void)m;
}

}  // namespace

FuzzReport run_fuzz(const Config& c, const FuzzOptions& o) {
  const auto m = make_fuzz_model(c);
  FuzzReport r;
  r.config_name = c.name;
  r.envelope = describe_envelope(m->envelope);
  r.envelope_coverage = describe_coverage(m->envelope, fuzz_coverage(*m));
  r.envelope_lines = envelope_report_lines(m->envelope, fuzz_coverage(*m), "fuzz");
  r.corpus = replay_corpus(*m, o.corpus_dir);
  const auto t0 = std::chrono::steady_clock::now();
  auto params = o.search;
  if (params.runs <= 0) params.runs = static_cast<int>(m->spec.runs);
  r.search = search(m, params);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.verdict = Verdict::bounded_ok(r.search.stats.cases);
  r.coverage = coverage_lines(*m, r.search.stats);
  if (r.search.failure) write_counterexample(*m, o, *r.search.failure, r);
  if (o.stability) r.stability = check_stability(c, *m);
  decide(*m, r);
  return r;
}

}  // namespace kvcheck::fuzz
