#include "gate/report_json.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <set>

#include "counterexamples/itf.h"
#include "io/input_error.h"
#include "io/input_file.h"
#include "io/limits.h"

namespace kvcheck {
namespace {

using nlohmann::json;

constexpr int kFormat = 1;  ///< bumped when the layout changes; readers refuse others

struct KindName {
  VerdictKind kind;
  const char* name;
};
constexpr KindName kKinds[] = {{VerdictKind::NotChecked, "not_checked"},
                               {VerdictKind::Proved, "proved"},
                               {VerdictKind::BoundedOk, "bounded_ok"},
                               {VerdictKind::Unknown, "unknown"},
                               {VerdictKind::Violated, "violated"},
                               {VerdictKind::Error, "error"}};

const char* kind_name(VerdictKind k) {
  for (const auto& kn : kKinds)
    if (kn.kind == k) return kn.name;
  return "error";
}

json row_json(const GateRow& row) {
  const auto& v = row.result.verdict;
  json j = {{"checker", row.checker},
            {"verdict", {{"kind", kind_name(v.kind)},
                         {"depth", v.depth},
                         {"liveness", v.property_kind == PropertyKind::Liveness},
                         {"reason", v.reason}}},
            {"summary", row.result.summary},
            {"seconds", row.result.seconds},
            {"trace", row.trace.generic_string()},
            {"error_code", to_int(row.error_code)},
            {"metrics", row.result.metrics}};
  if (row.result.counterexample)
    j["counterexample"] = json::parse(to_itf_json(*row.result.counterexample));
  return j;
}

json entry_json(const GateEntry& e) {
  json rows = json::array();
  for (const auto& row : e.rows) rows.push_back(row_json(row));
  json j = {{"config", e.config.generic_string()},
            {"name", e.name},
            {"expect", e.expect},
            {"expect_property", e.expect_property},
            {"rows", rows},
            {"skipped", e.skipped},
            {"met", e.met},
            {"why", e.why},
            {"exit_code", to_int(e.code)},
            {"twin_note", e.twin_note}};
  if (e.twin) j["twin"] = row_json(*e.twin);
  return j;
}

/// Reads fields of one JSON object, each failure an InputError naming the file and the path.
class Reader {
 public:
  Reader(std::string file, std::string path, const json& j)
      : file_(std::move(file)), path_(std::move(path)), j_(j) {
    if (!j_.is_object()) fail("", "not an object");
  }
  [[noreturn]] void fail(const std::string& field, const std::string& why) const {
    throw trace_error(file_, path_ + (field.empty() || path_.empty() ? "" : ".") + field, why);
  }
  const json& at(const std::string& f) const {
    if (!j_.contains(f)) fail(f, "missing");
    return j_.at(f);
  }
  std::string str(const std::string& f) const {
    if (!at(f).is_string()) fail(f, "not a string");
    return at(f).get<std::string>();
  }
  bool boolean(const std::string& f) const {
    if (!at(f).is_boolean()) fail(f, "not a boolean");
    return at(f).get<bool>();
  }
  std::int64_t integer(const std::string& f) const {
    if (!at(f).is_number_integer()) fail(f, "not an integer");
    return at(f).get<std::int64_t>();
  }
  double number(const std::string& f) const {
    if (!at(f).is_number()) fail(f, "not a number");
    return at(f).get<double>();
  }
  const json& array(const std::string& f) const {
    if (!at(f).is_array()) fail(f, "not an array");
    return at(f);
  }
  ExitCode exit_code(const std::string& f) const {
    const auto c = integer(f);
    for (const auto known : {ExitCode::Ok, ExitCode::Inconclusive, ExitCode::SafetyViolation,
                             ExitCode::LivenessViolation, ExitCode::ReplayDiverged,
                             ExitCode::TraceParseError, ExitCode::ConfigError,
                             ExitCode::InternalError})
      if (to_int(known) == c) return known;
    fail(f, "not a kvcheck exit code: " + std::to_string(c));
  }
  Reader sub(const std::string& path, const json& j) const {
    return Reader(file_, path_ + (path_.empty() ? "" : ".") + path, j);
  }
  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }

 private:
  std::string file_, path_;
  const json& j_;
};

VerdictKind parse_kind(const Reader& r, const std::string& name) {
  for (const auto& kn : kKinds)
    if (name == kn.name) return kn.kind;
  r.fail("kind", "unknown verdict kind '" + name + "'");
}

GateRow read_row(const Reader& r, const json& j) {
  GateRow row;
  row.checker = r.str("checker");
  const auto v = r.sub("verdict", r.at("verdict"));
  row.result.verdict.kind = parse_kind(v, v.str("kind"));
  row.result.verdict.depth = v.integer("depth");
  row.result.verdict.property_kind = v.boolean("liveness") ? PropertyKind::Liveness
                                                           : PropertyKind::Safety;
  row.result.verdict.reason = v.str("reason");
  row.result.summary = r.str("summary");
  row.result.seconds = r.number("seconds");
  row.trace = r.str("trace");
  row.error_code = r.exit_code("error_code");
  if (j.contains("metrics")) {
    const auto m = r.sub("metrics", j.at("metrics"));
    for (const auto& [name, value] : j.at("metrics").items())
      row.result.metrics[name] = m.number(name);
  }
  if (j.contains("counterexample"))
    row.result.counterexample =
        parse_itf(j.at("counterexample").dump(), r.file() + ": " + r.path() + ".counterexample");
  return row;
}

GateEntry read_entry(const Reader& r, const json& j) {
  GateEntry e;
  e.config = r.str("config");
  e.name = r.str("name");
  e.expect = r.str("expect");
  e.expect_property = r.str("expect_property");
  const auto& rows = r.array("rows");
  for (std::size_t i = 0; i < rows.size(); ++i)
    e.rows.push_back(read_row(r.sub("rows[" + std::to_string(i) + "]", rows[i]), rows[i]));
  const auto& skipped = r.array("skipped");
  for (std::size_t i = 0; i < skipped.size(); ++i) {
    if (!skipped[i].is_string()) r.fail("skipped[" + std::to_string(i) + "]", "not a string");
    e.skipped.push_back(skipped[i].get<std::string>());
  }
  e.met = r.boolean("met");
  e.why = r.str("why");
  e.code = r.exit_code("exit_code");
  e.twin_note = r.str("twin_note");
  if (j.contains("twin")) e.twin = read_row(r.sub("twin", j.at("twin")), j.at("twin"));
  // met / why / exit_code come from judging the rows again, never from the file's word.
  judge_entry(e);
  return e;
}

}  // namespace

void write_report_json(const GateReport& r, std::ostream& os) {
  json entries = json::array();
  for (const auto& e : r.entries) entries.push_back(entry_json(e));
  const json doc = {{"kvcheck_gate_report", kFormat},
                    {"kvcheck_version", KVCHECK_VERSION},
                    {"z3_version", r.z3_version},
                    {"exit_code", to_int(r.exit_code())},
                    {"entries", entries}};
  os << doc.dump(1) << "\n";
}

GateReport read_report_json(const std::filesystem::path& path) {
  const auto file = path.string();
  check_input_file(path, limits::kMaxTraceBytes, "256 MiB", ExitCode::TraceParseError);
  std::ifstream in(path);
  const std::string text{std::istreambuf_iterator<char>(in), {}};
  const json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) throw trace_error(file, "", "not JSON");
  const Reader top(file, "", doc);
  if (top.integer("kvcheck_gate_report") != kFormat)
    top.fail("kvcheck_gate_report", "not a kvcheck gate report of format " +
                                        std::to_string(kFormat));
  GateReport r;
  r.z3_version = top.str("z3_version");
  const auto& entries = top.array("entries");
  for (std::size_t i = 0; i < entries.size(); ++i)
    r.entries.push_back(
        read_entry(top.sub("entries[" + std::to_string(i) + "]", entries[i]), entries[i]));
  return r;
}

GateReport merge_reports(const std::vector<std::filesystem::path>& paths) {
  GateReport out;
  std::set<std::string> seen;
  bool first = true;
  for (const auto& p : paths) {
    auto r = read_report_json(p);
    if (!first) {
      if (r.z3_version != out.z3_version)
        throw trace_error(p.string(), "z3_version",
                          "'" + r.z3_version + "' differs from the first report's '" +
                              out.z3_version + "': shards must run the same build");
    } else {
      out.z3_version = r.z3_version;
      first = false;
    }
    for (auto& e : r.entries) {
      if (!seen.insert(e.config.generic_string()).second)
        throw trace_error(p.string(), "entries",
                          "config " + e.config.generic_string() + " is in two reports");
      out.entries.push_back(std::move(e));
    }
  }
  std::stable_sort(out.entries.begin(), out.entries.end(),
                   [](const GateEntry& a, const GateEntry& b) { return a.config < b.config; });
  return out;
}

}  // namespace kvcheck
