#include "checkers/fuzz/search.h"

#include <rapidcheck.h>
#include <rapidcheck/detail/Configuration.h>
#include <rapidcheck/detail/TestListener.h>

#include <memory>
#include <mutex>

#include "checkers/fuzz/generators.h"
#include "models/engine_rules.h"

namespace kvcheck::fuzz {
namespace {

/// RC_TAG shows its arguments with rc::show, which quotes strings.
std::string unquote(const std::string& t) {
  return t.size() >= 2 && t.front() == '"' && t.back() == '"' ? t.substr(1, t.size() - 2) : t;
}

/// RapidCheck keeps its implicit parameters (the generation scope stack) in process-wide
/// statics, not per thread: two properties checked at once on two threads would corrupt each
/// other's scopes. Every RapidCheck run in kvcheck goes through this lock (the gate's --jobs).
std::mutex& rapidcheck_lock() {
  static std::mutex m;
  return m;
}

/// Counts generated cases, discards, tags and shrink attempts.
class StatsListener final : public rc::detail::TestListener {
 public:
  explicit StatsListener(SearchStats& s) : s_(s) {}
  void onTestCaseFinished(const rc::detail::CaseDescription& d) override {
    if (d.result.type == rc::detail::CaseResult::Type::Discard) {
      ++s_.discarded;
      return;
    }
    ++s_.cases;
    for (const auto& t : d.tags) ++s_.tags[unquote(t)];
  }
  void onShrinkTried(const rc::detail::CaseDescription&, bool accepted) override {
    ++s_.shrinks_tried;
    if (accepted) ++s_.shrinks_accepted;
  }
  void onTestFinished(const rc::detail::TestMetadata&, const rc::detail::TestResult&) override {}

 private:
  SearchStats& s_;
};

/// The last failing case the property saw: after shrinking, the minimal one (every failing
/// candidate is accepted, so the last failure is the final shrink).
struct LastFailure {
  std::optional<FuzzCase> c;
  CaseResult r;
};

bool all_unservable(const FuzzModel& m, const FuzzCase& c) {
  for (const auto& g : c.groups)
    if (!unservable<Concrete>(m.params.engine, g.prompt, g.output)) return false;
  return true;
}

rc::detail::Property make_property(const ModelPtr& m, std::shared_ptr<LastFailure> last) {
  return rc::detail::toProperty([m, last] {
    const auto c = *gen_case(m);
    RC_PRE(!all_unservable(*m, c));
    const auto r = run_case(*m, c);
    RC_TAG(c.shape.substr(0, c.shape.find('/')));
    RC_CLASSIFY(r.coverage.high_occupancy, "high_occupancy");
    RC_CLASSIFY(r.coverage.preemption, "preemption");
    RC_CLASSIFY(r.coverage.near_boundary, "near_boundary");
    if (r.failed()) {
      last->c = c;
      last->r = r;
      RC_FAIL(r.verdict.reason + " at step " + std::to_string(r.verdict.depth));
    }
  });
}

rc::detail::TestParams test_params(const SearchParams& p) {
  rc::detail::TestParams t;
  t.seed = p.seed;
  t.maxSuccess = p.runs > 0 ? p.runs : 100;
  t.maxSize = p.max_size;
  t.disableShrinking = !p.shrink;
  return t;
}

std::string reproduce_string(const std::string& id, const rc::detail::Reproduce& r) {
  rc::detail::Configuration cfg;
  cfg.reproduce[id] = r;
  return rc::detail::configToMinimalString(cfg);
}

/// Re-runs the reproduce string: must fail again on the same minimal case.
bool reproduces(const ModelPtr& m, const SearchParams& p, const Failure& f) {
  auto last = std::make_shared<LastFailure>();
  const auto cfg = rc::detail::configFromString(f.reproduce);
  rc::detail::TestMetadata meta{test_id(*m), test_id(*m)};
  SearchStats ignored;
  StatsListener listener(ignored);
  const std::lock_guard<std::mutex> guard(rapidcheck_lock());
  const auto res = rc::detail::checkProperty(make_property(m, last), meta, test_params(p),
                                             listener, cfg.reproduce);
  return res.is<rc::detail::FailureResult>() && last->c && *last->c == f.minimal;
}

}  // namespace

std::string test_id(const FuzzModel& m) { return "kvcheck.fuzz." + m.name; }

SearchResult search(const ModelPtr& m, const SearchParams& p) {
  SearchResult out;
  auto last = std::make_shared<LastFailure>();
  rc::detail::TestMetadata meta{test_id(*m), test_id(*m)};
  std::unordered_map<std::string, rc::detail::Reproduce> repro;
  if (!p.reproduce.empty()) repro = rc::detail::configFromString(p.reproduce).reproduce;
  StatsListener listener(out.stats);
  auto res = [&] {
    const std::lock_guard<std::mutex> guard(rapidcheck_lock());
    return rc::detail::checkProperty(make_property(m, last), meta, test_params(p), listener,
                                     repro);
  }();
  rc::detail::FailureResult fail;
  rc::detail::GaveUpResult gave_up;
  if (res.match(gave_up)) out.gave_up = gave_up.description;
  if (!res.match(fail) || !last->c) return out;
  Failure f;
  f.minimal = *last->c;
  f.result = last->r;
  f.reproduce = reproduce_string(test_id(*m), fail.reproduce);
  f.description = fail.description;
  f.tests_before = fail.numSuccess;
  f.reproduced = reproduces(m, p, f);
  out.failure = std::move(f);
  return out;
}

}  // namespace kvcheck::fuzz
