#include "checkers/fuzz/corpus.h"

#include <algorithm>
#include <sstream>

#include "counterexamples/itf.h"
#include "counterexamples/recorder.h"
#include "io/config.h"
#include "models/choice_source.h"

namespace kvcheck::fuzz {
namespace {

std::string field_after(const std::string& note, const std::string& key) {
  const auto at = note.find(key);
  if (at == std::string::npos) return {};
  const auto from = at + key.size();
  const auto end = note.find(';', from);
  return note.substr(from, end == std::string::npos ? std::string::npos : end - from);
}

}  // namespace

std::string make_note(const std::string& reproduce, const Expectation& e) {
  return "RC_PARAMS=\"" + reproduce + "\"; fuzz_verdict=" + e.verdict +
         "; fuzz_property=" + e.property;
}

bool parse_note(const std::string& note, Expectation& out, std::string* reproduce) {
  out.verdict = field_after(note, "fuzz_verdict=");
  out.property = field_after(note, "fuzz_property=");
  if (reproduce) {
    auto r = field_after(note, "RC_PARAMS=\"");
    if (!r.empty() && r.back() == '"') r.pop_back();
    *reproduce = r;
  }
  return out.verdict == "violated" || out.verdict == "ok";
}

Expectation expectation_of(const CaseResult& r) {
  return r.failed() ? Expectation{"violated", r.what} : Expectation{"ok", ""};
}

FuzzCase case_from_trace(const Trace& t) {
  FuzzCase c;
  c.shape = "corpus";
  c.choice_seed = t.meta.seed;
  std::int64_t prev = 0;
  for (const auto& r : t.workload.requests) {
    if (r.in_flight_at_start()) continue;  // the model's, re-added by case_workload
    c.groups.push_back(Group{r.arrival_step - prev, 1, r.prompt, r.output, r.klass});
    prev = r.arrival_step;
  }
  return c;
}

Trace counterexample_trace(const FuzzModel& m, const Failure& f) {
  auto opts = case_options(m);
  // end the trace at the violating step (starvation is judged outside the simulator)
  opts.max_steps = std::min(opts.max_steps, f.result.verdict.depth + 1);
  TraceMeta meta;
  meta.source = "fuzz";
  meta.config_name = m.name;
  meta.config_hash = m.config_hash;
  meta.seed = f.minimal.choice_seed;
  meta.note = make_note(f.reproduce, expectation_of(f.result));
  SeededChoices choices(f.minimal.choice_seed);
  return record_run(m.params, m.time, m.case_workload(f.minimal), choices, opts,
                    std::move(meta));
}

std::vector<CorpusCheck> replay_corpus(const FuzzModel& m, const std::filesystem::path& dir) {
  std::vector<CorpusCheck> out;
  if (dir.empty() || !std::filesystem::is_directory(dir)) return out;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().string().ends_with(".itf.json")) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    const auto t = read_itf(f);
    Expectation exp;
    if (t.meta.source != "fuzz" || t.meta.config_name != m.name || !parse_note(t.meta.note, exp))
      continue;
    CorpusCheck c;
    c.file = f;
    c.expected = exp;
    const auto fc = case_from_trace(t);
    c.requests = fc.requests();
    c.actual = run_case(m, fc);
    const auto got = expectation_of(c.actual);
    c.matched = got.verdict == exp.verdict && got.property == exp.property;
    out.push_back(std::move(c));
  }
  return out;
}

std::filesystem::path save_to_corpus(const Trace& t, const std::filesystem::path& dir) {
  std::ostringstream key;
  key << t.meta.config_hash << ':' << t.meta.seed;
  for (const auto& r : t.workload.requests)
    key << ';' << r.arrival_step << ',' << r.prompt << ',' << r.output << ',' << r.klass;
  const auto path = dir / (t.meta.config_name + "-" + fnv1a_hex(key.str()).substr(0, 10) + ".itf.json");
  write_itf(t, path);
  return path;
}

}  // namespace kvcheck::fuzz
