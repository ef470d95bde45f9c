// ITF JSON reader (counterexamples/itf.h). Every failure is an InputError(TraceParseError)
// naming the file, the JSON path (e.g. `states[3].requests.#map[1][1].generated`) and the reason.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "counterexamples/itf.h"
#include "counterexamples/itf_names.h"
#include "io/input_file.h"
#include "io/limits.h"
#include "io/config_schema.h"
#include "io/input_error.h"
#include "models/domain.h"
#include "models/engine_rules.h"
#include "models/param_table.h"

namespace kvcheck {
namespace {

using json = nlohmann::json;
constexpr std::int64_t kMaxI64 = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMinI64 = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kMaxI32 = std::numeric_limits<std::int32_t>::max();

/// A JSON value with its path; typed accessors throw trace_error naming file and path.
class Node {
 public:
  Node(const json& j, std::string path, const std::string& file)
      : j_(&j), path_(std::move(path)), file_(&file) {}

  [[noreturn]] void fail(const std::string& reason) const {
    throw trace_error(*file_, path_.empty() ? "(document)" : path_, reason);
  }
  const json& raw() const { return *j_; }
  const std::string& path() const { return path_; }

  bool has(const std::string& key) const { return j_->is_object() && j_->contains(key); }
  Node at(const std::string& key) const {
    if (!j_->is_object()) fail("expected an object");
    const auto it = j_->find(key);
    const std::string p = path_.empty() ? key : path_ + "." + key;
    if (it == j_->end()) throw trace_error(*file_, p, "missing");
    return Node(*it, p, *file_);
  }
  std::size_t size() const {
    if (!j_->is_array()) fail("expected a JSON array");
    return j_->size();
  }
  Node operator[](std::size_t i) const {
    return Node((*j_)[i], path_ + "[" + std::to_string(i) + "]", *file_);
  }
  std::string str() const {
    if (!j_->is_string()) fail("expected a string");
    return j_->get<std::string>();
  }
  bool boolean() const {
    if (!j_->is_boolean()) fail("expected true or false");
    return j_->get<bool>();
  }
  std::int64_t integer(std::int64_t lo = kMinI64, std::int64_t hi = kMaxI64) const;
  std::uint64_t uinteger() const;
  double real() const;
  /// A real >= 0 (time model coefficients, rates, arrival times).
  double nonneg_real() const {
    const double v = real();
    if (v < 0.0) fail("must be >= 0");
    return v;
  }

 private:
  const json* j_;
  std::string path_;
  const std::string* file_;
};

/// The decimal digits of an ITF integer: `{"#bigint": "[-][0-9]+"}` or a plain JSON integer.
std::string integer_text(const Node& n) {
  const auto& j = n.raw();
  if (j.is_number_integer()) return j.dump();
  if (j.is_number()) n.fail("expected an integer, got a non-integral number");
  if (!j.is_object() || j.size() != 1 || !j.contains("#bigint"))
    n.fail("expected an integer {\"#bigint\": \"...\"}");
  const auto& b = j["#bigint"];
  if (!b.is_string()) n.fail("#bigint must hold a string of digits");
  const auto s = b.get<std::string>();
  const std::size_t start = !s.empty() && s[0] == '-' ? 1 : 0;
  if (s.size() == start || !std::all_of(s.begin() + static_cast<std::ptrdiff_t>(start), s.end(),
                                        [](char c) { return c >= '0' && c <= '9'; }))
    n.fail("#bigint \"" + s.substr(0, 40) + "\" is not a decimal integer");
  return s;
}

std::int64_t Node::integer(std::int64_t lo, std::int64_t hi) const {
  const auto s = integer_text(*this);
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size())
    fail("integer " + s.substr(0, 40) + " does not fit in 64 bits");
  if (v < lo || v > hi)
    fail("must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + s);
  return v;
}

std::uint64_t Node::uinteger() const {
  const auto s = integer_text(*this);
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size())
    fail("expected an unsigned 64-bit integer, got " + s.substr(0, 40));
  return v;
}

/// Reals are decimal strings (ITF has no real numbers); plain JSON numbers are accepted too.
double Node::real() const {
  double v = 0.0;
  if (j_->is_number()) {
    v = j_->get<double>();
  } else {
    const auto s = str();
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size())
      fail("expected a decimal number string, got \"" + s.substr(0, 40) + "\"");
  }
  if (!std::isfinite(v)) fail("must be finite");
  return v;
}

/// Elements of a sequence: a JSON array, or a `{"#set": [...]}`.
Node elements(const Node& n) {
  if (n.raw().is_object() && n.raw().size() == 1 && n.raw().contains("#set"))
    return n.at("#set");
  if (!n.raw().is_array()) n.fail("expected a list (JSON array)");
  return n;
}

std::vector<std::int32_t> id_list(const Node& n) {
  const Node e = elements(n);
  std::vector<std::int32_t> out;
  for (std::size_t i = 0; i < e.size(); ++i)
    out.push_back(static_cast<std::int32_t>(e[i].integer(0, kMaxI32)));
  return out;
}

/// A `{"tag": "Some"|"None", "value": ...}` variant; the value node when Some.
std::optional<Node> option(const Node& n) {
  const auto tag = n.at("tag").str();
  if (tag == "None") return std::nullopt;
  if (tag != "Some") n.at("tag").fail("expected \"Some\" or \"None\", got \"" + tag + "\"");
  return n.at("value");
}

PolicyKind policy_kind(const Node& n) {
  PolicyKind k{};
  const auto s = n.str();
  if (!parse_policy_kind(s, k)) n.fail("unknown policy \"" + s + "\"");
  return k;
}

bool added_later(std::string_view key) {
  for (const auto k : kParamsAddedLater)
    if (k == key) return true;
  return false;
}

/// The scalar parameters (models/param_table.h), each in its config schema range; a flow
/// budget's maximum also at least its minimum. A parameter added after a trace was written
/// (itf_names.h, kParamsAddedLater) may be absent and takes the config reader's default,
/// which is what the run that wrote it used; any other is required.
void read_scalars(const Node& s0, ModelParams& m) {
  for (const auto& ip : kIntParams) {
    const auto& k = schema::key(ip.section, ip.key);
    const auto lo = ip.key == "flow_budget_max" ? std::max(k.ilo, m.policy.flow_budget_min) : k.ilo;
    const std::string key(ip.key);
    if (!s0.has(key) && added_later(key)) {
      ip.field(m) = ip.def;
      continue;
    }
    ip.field(m) = s0.at(key).integer(lo, k.ihi);
  }
  for (const auto& bp : kBoolParams) {
    const std::string key(bp.key);
    bp.field(m) = !s0.has(key) && added_later(key) ? bp.def : s0.at(key).boolean();
  }
}

void read_engine(const Node& s0, EngineParams& e) {
  const Node rq = s0.at("requeue");
  const auto r = rq.str();
  if (r != "front" && r != "back") rq.fail("expected \"front\" or \"back\", got \"" + r + "\"");
  e.requeue = r == "front" ? Requeue::Front : Requeue::Back;
}

void read_policy(const Node& s0, PolicyParams& p) {
  p.kind = policy_kind(s0.at("policy"));
  if (!s0.has("preemption_mode")) return;  // recompute (every trace but a V0 swap trace)
  const Node pm = s0.at("preemption_mode");
  const auto m = pm.str();
  if (m != "recompute" && m != "swap")
    pm.fail("expected \"recompute\" or \"swap\", got \"" + m + "\"");
  p.preemption_mode = m == "swap" ? PreemptionMode::Swap : PreemptionMode::Recompute;
}

/// `cpu_blocks`: only in a swap trace (itf_names.h, kSwapParamTypes), in its schema range.
void read_cpu_blocks(const Node& s0, EngineParams& e) {
  if (!s0.has("cpu_blocks")) return;
  const auto& k = schema::key("engine", "cpu_blocks");
  e.cpu_blocks = s0.at("cpu_blocks").integer(k.ilo, k.ihi);
}

/// A swap trace's params agree with what the config reader accepts (io/config.cpp).
void check_swap_params(const Node& s0, const ModelParams& m) {
  const bool swap = m.policy.preemption_mode == PreemptionMode::Swap;
  if (swap && m.policy.kind != PolicyKind::VllmV0)
    s0.at("preemption_mode").fail("\"swap\" is vllm_v0's preemption mode only");
  if (swap && !s0.has("cpu_blocks"))
    s0.at("preemption_mode").fail("\"swap\" needs the param cpu_blocks");
  if (swap && m.engine.cpu_blocks < 1)
    s0.at("cpu_blocks").fail("preemption_mode = \"swap\" needs cpu_blocks >= 1");
}

void read_classes(const Node& n, std::vector<ClassSpec>& out) {
  for (std::size_t i = 0; i < n.size(); ++i) {
    const Node c = n[i];
    ClassSpec k;
    k.name = c.at("name").str();
    k.prompt = c.at("prompt").integer(1, kUnlimited);
    k.output = c.at("output").integer(1, kUnlimited);
    k.rate = c.at("rate").nonneg_real();
    k.budget = c.at("budget").integer(0, kUnlimited);
    k.threshold = c.at("threshold").integer(0, kUnlimited);
    out.push_back(std::move(k));
  }
}

void read_time(const Node& n, TimeModel& t) {
  const Node kind = n.at("kind");
  if (!parse_time_model_kind(kind.str(), t.kind))
    kind.fail("unknown time model \"" + kind.str() + "\"");
  t.unit = n.at("unit").nonneg_real();
  t.d0 = n.at("d0").nonneg_real();
  t.d1 = n.at("d1").nonneg_real();
  t.c = n.at("c").nonneg_real();
  t.a = n.at("a").nonneg_real();
  t.b0 = n.at("b0").integer(1, kUnlimited);
  t.la = n.at("la").nonneg_real();
  t.lb = n.at("lb").nonneg_real();
  t.lc = n.at("lc").nonneg_real();
  t.ld = n.at("ld").nonneg_real();
  if (t.kind == TimeModelKind::P2Linear && t.d0 + t.d1 <= 0.0)
    n.at("d0").fail("p2_linear needs d0 > 0 or d1 > 0");
  if (t.kind == TimeModelKind::Roofline && t.la + t.lb <= 0.0)
    n.at("la").fail("roofline needs la > 0 or lb > 0");
}

void read_requests(const Node& n, std::int64_t nclasses, Workload& w) {
  const auto max_class = nclasses == 0 ? 0 : nclasses - 1;
  for (std::size_t i = 0; i < n.size(); ++i) {
    const Node q = n[i];
    if (q.at("id").integer() != static_cast<std::int64_t>(i))
      q.at("id").fail("must equal the request's index " + std::to_string(i));
    Request r;
    r.arrival_step = q.at("arrival_step").integer(0, kUnlimited);
    r.arrival_time = q.at("arrival_time").nonneg_real();
    r.prompt = q.at("prompt").integer(1, kUnlimited);
    r.output = q.at("output").integer(1, kUnlimited);
    r.klass = q.at("class").integer(0, max_class);
    if (!w.requests.empty() && (r.arrival_step < w.requests.back().arrival_step ||
                                r.arrival_time < w.requests.back().arrival_time))
      q.fail("requests must be in arrival order");
    w.requests.push_back(r);
  }
}

/// `in_flight_decoded` (absent: none): request i < its length is in flight at time 0 with that
/// many decode iterations done (models/request.h), so it must arrive at step 0 / time 0 and
/// still have output to produce.
void read_in_flight(const Node& n, const EngineParams& e, Workload& w) {
  if (n.size() > w.requests.size()) n.fail("more entries than workload requests");
  if (static_cast<std::int64_t>(n.size()) > e.max_num_seqs)
    n.fail("more in-flight requests than max_num_seqs");
  std::int64_t blocks = 0;
  for (std::size_t i = 0; i < n.size(); ++i) {
    auto& r = w.requests[i];
    const Node d = n[i];
    r.decoded_at_start = d.integer(0, kUnlimited);
    if (r.decoded_at_start + 1 >= r.output)
      d.fail("decoded + 1 must be below the request's output (" + std::to_string(r.output) +
             "): it would be done");
    if (r.arrival_step != 0 || r.arrival_time != 0.0)
      d.fail("an in-flight request arrives at step 0, time 0");
    if (unservable<Concrete>(e, r.prompt, r.output))
      d.fail("the engine rejects this request at arrival, so it cannot be in flight");
    blocks += blocks_for<Concrete>(e, r.prompt + r.decoded_at_start + e.lookahead);
  }
  if (blocks > e.num_blocks) n.fail("the in-flight requests hold more blocks than num_blocks");
}

/// The params, all set in ITF state 0.
void read_params(const Node& s0, Trace& t) {
  read_scalars(s0, t.params);
  read_engine(s0, t.params.engine);
  read_policy(s0, t.params.policy);
  read_cpu_blocks(s0, t.params.engine);
  read_classes(s0.at("classes"), t.params.classes);
  read_time(s0.at("time_model"), t.time);
  const Node clock = s0.at("arrival_clock");
  const auto c = clock.str();
  if (c != "steps" && c != "timed") clock.fail("expected \"steps\" or \"timed\", got \"" + c + "\"");
  t.workload.clock = c == "steps" ? ArrivalClock::Steps : ArrivalClock::Timed;
  const auto nclasses = static_cast<std::int64_t>(t.params.classes.size());
  read_requests(s0.at("workload"), nclasses, t.workload);
  // Closed loop (models/arrival_rules.h); absent in open-loop traces.
  if (s0.has("max_concurrency"))
    t.workload.max_concurrency = s0.at("max_concurrency").integer(1, kUnlimited);
  if (s0.has("in_flight_decoded")) read_in_flight(s0.at("in_flight_decoded"), t.params.engine, t.workload);
  const auto kind = t.params.policy.kind;
  if (policy_traits(kind).needs_classes && nclasses == 0)
    s0.at("classes").fail("policy " + std::string(to_string(kind)) + " needs classes");
  if (t.params.policy.watermark_blocks >= t.params.engine.num_blocks)
    s0.at("watermark_blocks").fail("must be smaller than num_blocks");
  check_swap_params(s0, t.params);
}

void read_requests_map(const Node& n, std::vector<RequestSnapshot>& out) {
  const Node pairs = n.at("#map");
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const Node kv = pairs[i];
    if (kv.size() != 2) kv.fail("expected a [key, value] pair");
    RequestSnapshot r;
    r.id = static_cast<std::int32_t>(kv[0].integer(0, kMaxI32));
    const Node rec = kv[1];
    r.status = rec.at("status").str();
    r.computed = rec.at("computed").integer(0);
    r.generated = rec.at("generated").integer(0);
    r.blocks = rec.at("blocks").integer(0);
    if (!out.empty() && r.id <= out.back().id) kv[0].fail("keys must be unique and sorted");
    out.push_back(std::move(r));
  }
}

void read_batch(const Node& n, StepState& s) {
  for (std::size_t i = 0; i < n.size(); ++i) {
    const Node tup = n[i].at("#tup");
    if (tup.size() != 2) tup.fail("expected <<request, tokens>>");
    s.batch.emplace_back(static_cast<std::int32_t>(tup[0].integer(0, kMaxI32)),
                         tup[1].integer(0));
  }
}

/// `mbt::nondetPicks`: the choices become StepState::picks; the arrivals must match `arrived`.
void read_picks(const Node& n, StepState& s) {
  if (const auto choices = option(n.at("choices")))
    for (std::size_t i = 0; i < elements(*choices).size(); ++i)
      s.picks.push_back(elements(*choices)[i].integer());
  std::vector<std::int32_t> arrivals;
  if (const auto a = option(n.at("arrivals"))) arrivals = id_list(*a);
  std::vector<std::int32_t> arrived = s.arrived;
  std::sort(arrived.begin(), arrived.end());
  std::sort(arrivals.begin(), arrivals.end());
  if (arrivals != arrived) n.at("arrivals").fail("does not match the state's `arrived`");
}

/// A swap trace's variables (itf_names.h, kSwapVarTypes): required there, absent elsewhere.
void read_swap_vars(const Node& n, bool swap, StepState& s) {
  if (!swap) {
    if (n.has("swapped")) n.at("swapped").fail("only a trace with preemption_mode = \"swap\" has it");
    return;
  }
  s.swapped = id_list(n.at("swapped"));
  s.swapped_out = id_list(n.at("swapped_out"));
  s.swapped_in = id_list(n.at("swapped_in"));
  s.swap_abort = n.at("swap_abort").boolean();
  s.cpu_used_blocks = n.at("cpu_used_blocks").integer(0);
  for (const auto id : s.swapped) {
    const auto it = std::find_if(s.requests.begin(), s.requests.end(),
                                 [id](const RequestSnapshot& r) { return r.id == id; });
    if (it == s.requests.end() || it->status != "swapped")
      n.at("swapped").fail("request " + std::to_string(id) +
                           " is in the swapped queue but its status is not \"swapped\"");
  }
}

StepState read_state(const Node& n, bool swap) {
  StepState s;
  s.step = n.at("step").integer(0);
  s.action = n.at("mbt::actionTaken").str();
  s.arrived = id_list(n.at("arrived"));
  s.rejected = id_list(n.at("rejected"));
  s.admitted = id_list(n.at("admitted"));
  s.preempted = id_list(n.at("preempted"));
  s.evicted = id_list(n.at("evicted"));
  s.completed = id_list(n.at("completed"));
  read_batch(n.at("batch"), s);
  s.demand_blocks = n.at("demand_blocks").integer(0);
  s.used_blocks = n.at("used_blocks").integer(0);
  s.used_tokens = n.at("used_tokens").integer(0);
  s.overflow = n.at("overflow").boolean();
  s.waiting = id_list(n.at("waiting"));
  s.running = id_list(n.at("running"));
  read_requests_map(n.at("requests"), s.requests);
  read_picks(n.at("mbt::nondetPicks"), s);
  read_swap_vars(n, swap, s);
  return s;
}

std::string opt_str(const Node& meta, const std::string& key) {
  return meta.has(key) ? meta.at(key).str() : std::string();
}

void read_meta(const Node& root, Trace& t) {
  if (!root.has("#meta")) return;
  const Node m = root.at("#meta");
  if (!m.raw().is_object()) m.fail("expected an object");
  if (m.has("format") && m.at("format").str() != "ITF") m.at("format").fail("expected \"ITF\"");
  auto& tm = t.meta;
  tm.kvcheck_version = opt_str(m, "kvcheck_version");
  tm.source = opt_str(m, "source");
  tm.status = opt_str(m, "status");
  tm.config_name = opt_str(m, "config_name");
  tm.config_hash = opt_str(m, "config_hash");
  tm.violated_property = opt_str(m, "violated_property");
  tm.z3_version = opt_str(m, "z3_version");
  tm.note = opt_str(m, "note");
  if (m.has("seed")) tm.seed = m.at("seed").uinteger();
  if (m.has("depth")) tm.depth = m.at("depth").integer(0);
  if (m.has("violation_step")) tm.violation_step = m.at("violation_step").integer(-1);
  if (m.has("policy") && policy_kind(m.at("policy")) != t.params.policy.kind)
    m.at("policy").fail("does not match the policy param in states[0]");
}

void read_string_list(const Node& root, const std::string& key) {
  if (!root.has(key)) return;
  const Node n = root.at(key);
  for (std::size_t i = 0; i < n.size(); ++i) (void)n[i].str();
}

Trace read_document(const Node& root) {
  if (!root.raw().is_object()) root.fail("expected a JSON object (an ITF trace)");
  read_string_list(root, "params");
  read_string_list(root, "vars");
  const Node states = root.at("states");
  if (states.size() == 0) states.fail("expected at least the initial state");
  const Node s0 = states[0];
  if (s0.at("mbt::actionTaken").str() != "init")
    s0.at("mbt::actionTaken").fail("state 0 must be the initial state (\"init\")");
  Trace t;
  read_params(s0, t);
  const bool swap = t.params.policy.preemption_mode == PreemptionMode::Swap;
  for (std::size_t i = 1; i < states.size(); ++i) t.states.push_back(read_state(states[i], swap));
  read_meta(root, t);
  if (root.has("loop")) {
    const auto last = static_cast<std::int64_t>(states.size()) - 1;
    t.loop = root.at("loop").integer(1, std::max<std::int64_t>(last, 1)) - 1;
  }
  return t;
}

}  // namespace

Trace parse_itf(const std::string& text, const std::string& name) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    throw trace_error(name, "byte " + std::to_string(e.byte),
                      "JSON syntax: " + std::string(e.what()));
  } catch (const json::exception& e) {
    // Not only syntax: a number out of double's range (`1e400`) is out_of_range.406.
    throw trace_error(name, "(document)", "JSON: " + std::string(e.what()));
  }
  return read_document(Node(doc, "", name));
}

Trace read_itf(const std::filesystem::path& path) {
  check_input_file(path, limits::kMaxItfBytes, "256 MiB", ExitCode::TraceParseError);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw trace_error(path.string(), "", "cannot open file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_itf(ss.str(), path.string());
}

}  // namespace kvcheck
