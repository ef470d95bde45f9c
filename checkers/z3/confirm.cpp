#include "checkers/z3/confirm.h"

#include "counterexamples/recorder.h"
#include "models/choice_source.h"
#include "properties/property.h"

namespace kvcheck {

std::string z3_version() {
  unsigned major = 0, minor = 0, build = 0, rev = 0;
  Z3_get_version(&major, &minor, &build, &rev);
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(build);
}

Confirmation confirm_counterexample(const ModelParams& params, const TimeModel& time,
                                    const Counterexample& cex, TraceMeta meta) {
  meta.z3_version = z3_version();
  ScriptedChoices choices(cex.picks);
  SimOptions opts;
  opts.properties = {cex.property};
  opts.stop_at_violation = true;
  opts.max_steps = cex.step + 1;
  Confirmation c;
  c.trace = record_run(params, time, cex.workload, choices, opts, std::move(meta));
  const auto name = std::string(info(cex.property).name);
  c.reproduced = !choices.exhausted() && c.trace.meta.violated_property == name &&
                 c.trace.meta.violation_step == cex.step;
  if (!c.reproduced)
    c.detail = "concrete replay: status " + c.trace.meta.status + ", property '" +
               c.trace.meta.violated_property + "' at step " +
               std::to_string(c.trace.meta.violation_step) + " (expected '" + name +
               "' at step " + std::to_string(cex.step) + ")" +
               (choices.exhausted() ? ", choices exhausted" : "");
  return c;
}

}  // namespace kvcheck

#include "counterexamples/itf.h"

namespace kvcheck {

Confirmation confirm_and_write(const ModelParams& params, const TimeModel& time,
                               const Counterexample& cex, TraceMeta meta,
                               const std::filesystem::path& out_dir, const std::string& stem,
                               std::filesystem::path& path) {
  auto c = confirm_counterexample(params, time, cex, std::move(meta));
  if (!c.reproduced) return c;
  path = out_dir / (stem + ".itf.json");
  write_itf(c.trace, path);
  return c;
}

}  // namespace kvcheck
