#include "checkers/explicit/explore_options.h"

#include <set>
#include <string>
#include <toml++/toml.h>

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

void read_shapes(ExploreSection& s, const Config& cfg, ExploreOptions& o) {
  const auto prompts = s.integers("prompts");
  const auto outputs = s.integers("outputs");
  if (prompts.empty() != outputs.empty())
    s.fail(prompts.empty() ? "prompts" : "outputs", "prompts and outputs go together");
  for (auto p : prompts)
    for (auto q : outputs) o.shapes.push_back({p, q, 0});
  if (o.shapes.empty())
    for (std::size_t k = 0; k < cfg.model.classes.size(); ++k) {
      const auto& c = cfg.model.classes[k];
      o.shapes.push_back({c.prompt, c.output, static_cast<std::int64_t>(k)});
    }
  if (o.shapes.empty())
    s.fail("prompts", "no arrival shapes: give [[classes]] or explore.prompts/explore.outputs");
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
  if (!present) return;
  o.analyses = {false, false, false};
  for (const auto& n : names) {
    if (n == "safety") o.analyses.safety = true;
    else if (n == "starvation") o.analyses.starvation = true;
    else if (n == "instability") o.analyses.instability = true;
    else s.fail("analyses", "unknown analysis \"" + n + "\" (safety, starvation, instability)");
  }
}

void check_bounds(ExploreSection& s, const Config& cfg, ExploreOptions& o) {
  if (o.min_arrivals > o.max_arrivals)
    s.fail("min_arrivals_per_step", "must not exceed max_arrivals_per_step");
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
  if (s.choice("mode", "bounded") == "saturated") o.mode = ExploreMode::Saturated;
  o.min_arrivals = s.integer("min_arrivals_per_step", 0);
  o.max_arrivals = s.integer("max_arrivals_per_step", 1);
  o.max_requests = s.integer("max_requests", o.mode == ExploreMode::Bounded ? 3 : 0);
  o.max_waiting = s.integer("max_waiting", 0);
  o.queue_window = s.integer("queue_window", 0);
  o.max_states = s.integer("max_states", o.max_states);
  read_shapes(s, cfg, o);
  read_analyses(s, cfg, o);
  s.reject_unknown();
  check_bounds(s, cfg, o);
  return o;
}

}  // namespace kvcheck::explicit_state
