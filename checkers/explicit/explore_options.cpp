#include "checkers/explicit/explore_options.h"

#include <algorithm>
#include <set>
#include <string>
#include <toml++/toml.h>

#include "checkers/explicit/successors.h"
#include "io/input_error.h"
#include "io/limits.h"
#include "io/toml_section.h"
#include "models/domain.h"
#include "models/engine_rules.h"

namespace kvcheck::explicit_state {
namespace {

using ExploreSection = TomlSection;

/// The visible queue in saturated mode, explicit or defaulted: at most this many requests (the
/// schema's maximum for explore.queue_window). The schema's maximum for explore.max_states,
/// 10^7, bounds the states the explorer may store: each costs a few hundred bytes (twice: the
/// list and the index), plus its edges, so 10^7 is already several GB.
std::int64_t max_queue_window() { return schema::key("explore", "queue_window").ihi; }

/// At most this many default arrival shapes (an envelope's length ranges multiplied out).
constexpr std::size_t kMaxDefaultShapes = 64;

void read_shapes(ExploreSection& s, ExploreOptions& o) {
  const auto& env = o.envelope;
  const auto prompts = s.integers("prompts");
  const auto outputs = s.integers("outputs");
  if (prompts.empty() != outputs.empty())
    s.fail(prompts.empty() ? "prompts" : "outputs", "prompts and outputs go together");
  const auto& c0 = env.classes.front();
  for (auto p : prompts)
    if (!c0.prompt.contains(p)) s.fail("prompts", widens_range("prompt", {p, p}, c0.prompt));
  for (auto q : outputs)
    if (!c0.output.contains(q)) s.fail("outputs", widens_range("output", {q, q}, c0.output));
  for (auto p : prompts)
    for (auto q : outputs) o.shapes.push_back({p, q, 0});
  if (!o.shapes.empty()) return;
  for (std::size_t k = 0; k < env.classes.size(); ++k) {
    const auto& c = env.classes[k];
    const auto n = static_cast<double>(c.prompt.hi - c.prompt.lo + 1) *
                   static_cast<double>(c.output.hi - c.output.lo + 1);
    if (n + static_cast<double>(o.shapes.size()) > static_cast<double>(kMaxDefaultShapes))
      s.fail("prompts", "the envelope has more than " + std::to_string(kMaxDefaultShapes) +
                            " request shapes; give explore.prompts and explore.outputs");
    for (auto p = c.prompt.lo; p <= c.prompt.hi; ++p)
      for (auto q = c.output.lo; q <= c.output.hi; ++q)
        o.shapes.push_back({p, q, static_cast<std::int64_t>(k)});
  }
}

/// The request-count and arrival bounds stay inside the envelope.
void check_envelope(ExploreSection& s, const ExploreOptions& o) {
  const auto& env = o.envelope;
  if (env.last_arrival >= 0)
    s.fail("mode", "the explorer has no arrival-step bound, so it would widen the envelope's "
                   "last_arrival " + std::to_string(env.last_arrival));
  if (env.max_arrivals_per_step > 0 && o.max_arrivals > env.max_arrivals_per_step)
    s.fail("max_arrivals_per_step",
           widens("arrivals per step", o.max_arrivals, env.max_arrivals_per_step));
  // Closed loop: the explorer's arrivals are open loop, so it stays where the cap never binds
  // (no more requests than max_concurrency): those runs are the closed loop's own.
  if (env.max_concurrency > 0 && (o.max_requests == 0 || o.max_requests > env.max_concurrency))
    s.fail("max_requests", "the explorer's arrivals are open loop: more than the workload's "
                           "max_concurrency = " + std::to_string(env.max_concurrency) +
                           " requests would reach runs the closed loop never has");
  if (env.max_requests == 0) return;
  if (o.mode == ExploreMode::Saturated)
    s.fail("mode", "saturated mode is an unbounded stream: " +
                       widens("requests", 0, env.max_requests));
  if (o.max_requests == 0 && o.max_arrivals > 0)
    s.fail("max_requests", widens("requests", 0, env.max_requests));
  if (o.max_requests > env.max_requests)
    s.fail("max_requests", widens("requests", o.max_requests, env.max_requests));
}

void read_analyses(ExploreSection& s, const Config& cfg, ExploreOptions& o) {
  bool present = false;
  const auto props = s.strings("properties", present);
  o.properties = cfg.check.properties;
  if (present) {
    o.properties.clear();
    for (const auto& p : props) {
      const auto id = parse_property(p);
      if (!id) s.fail("properties", "unknown property \"" + p + "\"");
      o.properties.push_back(*id);
    }
  }
  const auto names = s.strings("analyses", present);
  if (present) {
    o.analyses = {false, false, false};
    for (const auto& n : names) {
      if (n == "safety") o.analyses.safety = true;
      else if (n == "starvation") o.analyses.starvation = true;
      else if (n == "instability") o.analyses.instability = true;
      else s.fail("analyses", "unknown analysis \"" + n + "\" (safety, starvation, instability)");
    }
  }
  // [check] properties may not be empty (io/config.cpp); the same holds for the explorer's own
  // list whenever the safety analysis runs: no property, no violation, a PROVED about nothing.
  if (o.analyses.safety && o.properties.empty())
    s.fail("properties", "empty: the safety analysis of no property would pass vacuously; name "
                         "at least one, or leave \"safety\" out of explore.analyses");
}

void check_bounds(ExploreSection& s, const Config& cfg, ExploreOptions& o) {
  if (o.min_arrivals > o.max_arrivals)
    s.fail("min_arrivals_per_step", "must not exceed max_arrivals_per_step");
  double choices = 1.0;  // arrival sequences of the longest length, enumerated per state
  for (std::int64_t k = 0; k < o.max_arrivals && o.mode == ExploreMode::Bounded; ++k) {
    choices *= static_cast<double>(o.shapes.size());
    if (choices > static_cast<double>(ArrivalSequences::kMaxSequences))
      s.fail("max_arrivals_per_step",
             std::to_string(o.shapes.size()) + " arrival shapes and " +
                 std::to_string(o.max_arrivals) + " arrivals per step are more than 10^6 "
                 "arrival choices per step; lower it or give fewer prompts / outputs");
  }
  if (o.mode == ExploreMode::Bounded) {
    if (o.max_requests == 0 && o.max_waiting == 0 && o.max_arrivals > 0)
      s.fail("max_requests", "bounded mode needs max_requests or max_waiting (finite graph)");
    return;
  }
  if (o.shapes.size() != 1)
    s.fail("mode", "saturated mode needs exactly one arrival shape, got " +
                       std::to_string(o.shapes.size()));
  const auto& sh = o.shapes.front();
  if (unservable<Concrete>(cfg.model.engine, sh.prompt, sh.output))
    s.fail("mode", "saturated mode: the arrival shape can never be served on this engine");
  // The default obeys the same cap as a given value (a 2^31-block pool used to get a window
  // of 2^31 + 1 requests, and exit 255 out of memory).
  if (o.queue_window == 0 && cfg.model.engine.num_blocks + 1 > max_queue_window())
    s.fail("queue_window", "the default, engine.num_blocks + 1 = " +
                               std::to_string(cfg.model.engine.num_blocks + 1) +
                               ", is more than the maximum " + std::to_string(max_queue_window()) +
                               "; give explore.queue_window or a smaller pool");
  if (o.queue_window == 0) o.queue_window = cfg.model.engine.num_blocks + 1;
}

}  // namespace

ExploreOptions read_explore_options(const Config& cfg) {
  const std::string file = cfg.path.string();
  const toml::table root = parse_toml(cfg.text, file);
  ExploreSection s(toml_table_at(root, file, "explore"), file, "explore");
  ExploreOptions o;
  o.envelope = workload_envelope(cfg);
  const auto env_requests = o.envelope.max_requests;
  if (s.choice("mode", "bounded") == "saturated") o.mode = ExploreMode::Saturated;
  o.min_arrivals = s.integer("min_arrivals_per_step", o.min_arrivals);
  o.max_arrivals = s.integer("max_arrivals_per_step", o.max_arrivals);
  // the explorer's budget: 3 requests, or fewer when the envelope has fewer (or a closed
  // loop's cap is lower)
  auto budget = env_requests > 0 ? std::min<std::int64_t>(3, env_requests) : 3;
  if (o.envelope.max_concurrency > 0) budget = std::min(budget, o.envelope.max_concurrency);
  o.max_requests =
      s.integer("max_requests", o.mode == ExploreMode::Bounded ? budget : 0);
  o.max_waiting = s.integer("max_waiting", 0);
  o.queue_window = s.integer("queue_window", 0);
  o.max_states = s.integer("max_states", o.max_states);
  if (s.choice("storage", "exact") == "hash_compaction") o.storage = StateStorage::HashCompaction;
  read_shapes(s, o);
  o.in_flight = cfg.workload.in_flight;
  read_analyses(s, cfg, o);
  s.reject_unknown();
  check_bounds(s, cfg, o);
  check_envelope(s, o);
  return o;
}

std::vector<ArrivalShape> resident_shapes(const ExploreOptions& o) {
  auto out = o.shapes;
  for (const auto& r : o.in_flight) {
    const ArrivalShape a{r.prompt, r.output, r.klass};
    if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
  }
  return out;
}

EnvelopeCoverage explore_coverage(const ExploreOptions& o) {
  EnvelopeCoverage c;
  c.max_requests = o.mode == ExploreMode::Bounded ? o.max_requests : 0;
  c.max_arrivals_per_step = o.max_arrivals;
  if (o.mode == ExploreMode::Saturated)
    c.note = "a saturated queue of the one shape (prompt " + std::to_string(o.shapes.front().prompt) +
             ", output " + std::to_string(o.shapes.front().output) + ")";
  else if (o.max_waiting > 0)
    c.note = "queue length <= " + std::to_string(o.max_waiting);
  if (o.min_arrivals > 0)
    c.note += (c.note.empty() ? "" : "; ") + std::string(">= ") +
              std::to_string(o.min_arrivals) + " arrivals per step";
  const auto& env = o.envelope;
  bool all_shapes = true;
  std::size_t n = 0;
  for (std::size_t k = 0; k < env.classes.size(); ++k) {
    const auto& cl = env.classes[k];
    n += static_cast<std::size_t>((cl.prompt.hi - cl.prompt.lo + 1) * (cl.output.hi - cl.output.lo + 1));
  }
  all_shapes = n == o.shapes.size();
  if (!all_shapes)
    c.note += (c.note.empty() ? "" : "; ") + std::to_string(o.shapes.size()) + " of the envelope's " +
              std::to_string(n) + " request shapes";
  return c;
}

}  // namespace kvcheck::explicit_state
