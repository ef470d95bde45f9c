#include "io/envelope.h"

#include <algorithm>
#include <map>

#include "io/bench_workload.h"
#include "io/input_error.h"
#include "io/limits.h"
#include "io/toml_section.h"
#include "io/workload.h"

namespace kvcheck {
namespace {

std::string range_text(LengthRange r) {
  return r.lo == r.hi ? std::to_string(r.lo)
                      : "[" + std::to_string(r.lo) + ", " + std::to_string(r.hi) + "]";
}

/// The hull of the workload's own lengths (classless configs).
void workload_lengths(const Config& cfg, LengthRange& p, LengthRange& o) {
  const auto& w = cfg.workload;
  switch (w.kind) {
    case WorkloadKind::Explicit: {
      p = {limits::kMaxTokens, 1};
      o = {limits::kMaxTokens, 1};
      for (const auto& r : w.requests) {
        p = {std::min(p.lo, r.prompt), std::max(p.hi, r.prompt)};
        o = {std::min(o.lo, r.output), std::max(o.hi, r.output)};
      }
      return;
    }
    case WorkloadKind::Trace:  // any length a trace row may hold
    case WorkloadKind::Dataset:
      p = o = {1, limits::kMaxTokens};
      return;
    case WorkloadKind::Random: {  // vLLM's RandomDataset bounds (io/bench_workload.h)
      const auto in = random_input_bounds(w.input_len, w.range_ratio);
      const auto out = random_output_bounds(w.output_len, w.range_ratio);
      p = {w.prefix_len + in.lo, w.prefix_len + in.hi};
      o = {out.lo, out.hi};
      return;
    }
    default:
      p = {w.prompt, w.prompt};
      o = {w.output, w.output};
  }
}

std::int64_t workload_count(const Config& cfg) {
  const auto& w = cfg.workload;
  switch (w.kind) {
    case WorkloadKind::Explicit: return static_cast<std::int64_t>(w.requests.size());
    case WorkloadKind::Trace: return w.limit;
    case WorkloadKind::Random:
    case WorkloadKind::Dataset: return w.num_prompts;  // dataset: 0 = every row, unbounded
    default: return w.count + w.backlog;
  }
}

}  // namespace

std::int64_t Envelope::prompt_hi() const { return prompt_hull().hi; }
std::int64_t Envelope::output_hi() const { return output_hull().hi; }

LengthRange Envelope::prompt_hull() const {
  LengthRange r{limits::kMaxTokens, 1};
  for (const auto& c : classes) r = {std::min(r.lo, c.prompt.lo), std::max(r.hi, c.prompt.hi)};
  return r;
}

LengthRange Envelope::output_hull() const {
  LengthRange r{limits::kMaxTokens, 1};
  for (const auto& c : classes) r = {std::min(r.lo, c.output.lo), std::max(r.hi, c.output.hi)};
  return r;
}

Envelope workload_envelope(const Config& cfg) {
  check_has_workload(cfg);
  const std::string file = cfg.path.string();
  const toml::table root = parse_toml(cfg.text, file);
  TomlSection t(toml_table_at(root, file, "envelope"), file, "envelope");
  Envelope e;
  if (!cfg.model.classes.empty()) {
    if (t.has("prompt") || t.has("output"))
      t.fail(t.has("prompt") ? "prompt" : "output",
             "the lengths of a config with [[classes]] are the classes' own");
    e.from_classes = true;
    for (std::size_t k = 0; k < cfg.model.classes.size(); ++k) {
      const auto& c = cfg.model.classes[k];
      e.classes.push_back({c.name.empty() ? "class" + std::to_string(k) : c.name,
                           {c.prompt, c.prompt}, {c.output, c.output}});
    }
  } else {
    EnvelopeClass c{"", {}, {}};
    workload_lengths(cfg, c.prompt, c.output);
    t.int_range("prompt", c.prompt.lo, c.prompt.hi);
    t.int_range("output", c.output.lo, c.output.hi);
    for (const auto* k : {"prompt", "output"})
      if ((k[0] == 'p' ? c.prompt : c.output).hi > limits::kMaxTokens)
        t.fail(k, "longer than 2^30 tokens");
    e.classes.push_back(c);
  }
  e.max_requests = t.integer("max_requests", workload_count(cfg));
  e.max_arrivals_per_step = t.integer("max_arrivals_per_step", 0);
  e.last_arrival = t.integer("last_arrival", -1);
  e.max_concurrency = cfg.workload.max_concurrency;
  t.reject_unknown();
  // The config's own explicit workload is one of the envelope's workloads.
  if (cfg.workload.kind == WorkloadKind::Explicit) {
    const auto& rs = cfg.workload.requests;
    if (e.max_requests > 0 && static_cast<std::int64_t>(rs.size()) > e.max_requests)
      t.fail("max_requests", "the [workload] has " + std::to_string(rs.size()) +
                                 " requests, more than the envelope's " +
                                 std::to_string(e.max_requests));
    std::map<std::int64_t, std::int64_t> per_step;
    for (std::size_t i = 0; i < rs.size(); ++i) {
      const auto& r = rs[i];
      const auto& c = e.classes[e.from_classes ? static_cast<std::size_t>(r.klass) : 0];
      if (!c.prompt.contains(r.prompt) || !c.output.contains(r.output))
        throw config_error(file, "workload.requests[" + std::to_string(i) + "]",
                           "prompt " + std::to_string(r.prompt) + ", output " +
                               std::to_string(r.output) + " lies outside the workload envelope (" +
                               (e.from_classes ? "class " + c.name + ": " : std::string()) +
                               "prompt " + range_text(c.prompt) + ", output " +
                               range_text(c.output) + ")");
      if (e.last_arrival >= 0 && r.arrival_step > e.last_arrival)
        t.fail("last_arrival", "the [workload] has an arrival at step " +
                                   std::to_string(r.arrival_step));
      if (e.max_arrivals_per_step > 0 && ++per_step[r.arrival_step] > e.max_arrivals_per_step)
        t.fail("max_arrivals_per_step", "the [workload] has more arrivals at step " +
                                            std::to_string(r.arrival_step));
    }
  }
  return e;
}

std::string bound_text(std::int64_t v, bool steps) {
  if (steps ? v < 0 : v <= 0) return "unbounded";
  return std::to_string(v);
}

std::string describe_envelope(const Envelope& e) {
  std::string s = "workloads of ";
  s += e.max_requests > 0 ? "<= " + std::to_string(e.max_requests) : "any number of";
  s += " requests";
  if (e.from_classes) {
    s += " of the classes ";
    for (std::size_t k = 0; k < e.classes.size(); ++k) {
      const auto& c = e.classes[k];
      s += (k ? ", " : "") + c.name + " (prompt " + range_text(c.prompt) + ", output " +
           range_text(c.output) + ")";
    }
  } else {
    s += " with prompt " + range_text(e.classes.front().prompt) + ", output " +
         range_text(e.classes.front().output);
  }
  s += e.max_arrivals_per_step > 0
           ? "; <= " + std::to_string(e.max_arrivals_per_step) + " arriving per step"
           : "; any number arriving per step";
  s += e.last_arrival >= 0 ? "; arrivals at steps 0.." + std::to_string(e.last_arrival)
                           : "; arrivals at any step";
  if (e.max_concurrency > 0)
    s += "; closed loop: at most " + std::to_string(e.max_concurrency) + " in flight";
  return s;
}

std::string describe_coverage(const Envelope& e, const EnvelopeCoverage& c) {
  std::vector<std::string> parts;
  const auto narrower = [](std::int64_t mine, std::int64_t env, bool steps) {
    const auto unb = [steps](std::int64_t v) { return steps ? v < 0 : v <= 0; };
    return !unb(mine) && (unb(env) || mine < env);
  };
  if (narrower(c.max_requests, e.max_requests, false))
    parts.push_back("N <= " + std::to_string(c.max_requests) + " requests of the envelope's " +
                    bound_text(e.max_requests) + " count");
  if (narrower(c.max_arrivals_per_step, e.max_arrivals_per_step, false))
    parts.push_back("<= " + std::to_string(c.max_arrivals_per_step) +
                    " arrivals per step of the envelope's " + bound_text(e.max_arrivals_per_step));
  if (narrower(c.last_arrival, e.last_arrival, true))
    parts.push_back("arrival steps <= " + std::to_string(c.last_arrival) + " of the envelope's " +
                    (e.last_arrival < 0 ? std::string("any step")
                                        : "<= " + std::to_string(e.last_arrival)));
  if (!e.from_classes) {
    const auto& ec = e.classes.front();
    if (c.prompt.hi > 0 && !(c.prompt == ec.prompt))
      parts.push_back("prompt " + range_text(c.prompt) + " of the envelope's " +
                      range_text(ec.prompt));
    if (c.output.hi > 0 && !(c.output == ec.output))
      parts.push_back("output " + range_text(c.output) + " of the envelope's " +
                      range_text(ec.output));
  }
  if (!c.note.empty()) parts.push_back(c.note);
  if (parts.empty()) return "all of the envelope";
  std::string s = "part of the envelope: ";
  for (std::size_t i = 0; i < parts.size(); ++i) s += (i ? "; " : "") + parts[i];
  return s;
}

std::string envelope_report_lines(const Envelope& e, const EnvelopeCoverage& c,
                                  const std::string& checker) {
  return "envelope: " + describe_envelope(e) + "\n" + checker + " covers: " +
         describe_coverage(e, c) + "\n";
}

std::string widens(const std::string& what, std::int64_t value, std::int64_t envelope_bound) {
  return "widens the workload envelope: " + what + " " + bound_text(value) + " where the " +
         "envelope allows " + bound_text(envelope_bound) +
         " (a checker section may only narrow it; declare the wider space in [envelope])";
}

std::string widens_range(const std::string& what, LengthRange value, LengthRange envelope) {
  return "widens the workload envelope: " + what + " " + range_text(value) + " where the " +
         "envelope allows " + range_text(envelope) +
         " (a checker section may only narrow it; declare the wider space in [envelope])";
}

}  // namespace kvcheck
