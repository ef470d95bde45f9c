// The one config schema (io/config_schema.h) against the readers, the shipped configs and the
// docs (issue 13), so that none of them can drift from it:
// - every shipped config loads, and its [bmc] / [fuzz] / [explore] sections parse;
// - a typo'd key in each section of each shipped config fails parse_config (every command)
//   with ConfigError naming `section.key` ("unknown field", docs/config.md);
// - every key of the table, set to each valid value the table states, is accepted by the reader
//   of its section (some base config with that key applying), so the table lists nothing a
//   reader refuses; a reader that reads a key the table lacks throws std::logic_error, which
//   fails the same runs;
// - docs/config.md and docs/explorer.md hold exactly the generated key tables.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <toml++/toml.h>

#include "checkers/z3/bmc_spec.h"
#include "checkers/explicit/explore_options.h"
#include "checkers/fuzz/fuzz_spec.h"
#include "io/config.h"
#include "io/config_schema.h"
#include "io/envelope.h"
#include "io/input_error.h"
#include "sim/network.h"

namespace kvcheck {
namespace {

namespace fs = std::filesystem;
using schema::Key;
using schema::Section;
using schema::Type;

const fs::path kSource = KVCHECK_SOURCE_DIR;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Every TOML config the repository ships: configs/ and the tests' configs.
std::vector<fs::path> shipped_configs() {
  std::vector<fs::path> out;
  for (const auto* dir : {"configs", "tests"})
    for (const auto& e : fs::recursive_directory_iterator(kSource / dir))
      if (e.is_regular_file() && e.path().extension() == ".toml") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

/// parse_config, then the checkers' readers of the sections the config has.
Config load_all(const std::string& text, const fs::path& path) {
  Config c = parse_config(text, path);
  // a P3 [cluster] and a [network] have no workload
  if (!c.cluster.only && !c.network_only) (void)workload_envelope(c);
  const auto root = toml::parse(text);
  if (root.contains("network")) (void)read_network(c);
  if (root.contains("bmc")) (void)parse_bmc_spec(c);
  if (root.contains("fuzz")) (void)fuzz::parse_fuzz_spec(c);
  if (root.contains("explore")) (void)explicit_state::read_explore_options(c);
  return c;
}

std::string to_text(const toml::table& t) {
  std::ostringstream ss;
  ss << t;
  return ss.str();
}

TEST(ConfigSchema, EveryShippedConfigLoads) {
  const auto configs = shipped_configs();
  ASSERT_GE(configs.size(), 40u);
  for (const auto& p : configs) {
    SCOPED_TRACE(p.string());
    try {
      (void)load_all(slurp(p), p);
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what();
    }
  }
}

/// Every (section path, table) pair of a parsed config, nested ones included: "classes[0]",
/// "workload.requests[0]", "fuzz.coverage".
void tables_of(toml::table& t, const Section& s, const std::string& path,
               std::vector<std::pair<std::string, toml::table*>>& out) {
  out.emplace_back(path, &t);
  for (auto& [name, node] : t) {
    const Key* k = schema::find_key(s.name, name.str());
    if (!k || k->sub.empty()) continue;
    const Section* sub = schema::find_section(k->sub);
    const std::string field = path + "." + std::string(name.str());
    if (auto* st = node.as_table()) tables_of(*st, *sub, field, out);
    if (auto* a = node.as_array())
      for (std::size_t i = 0; i < a->size(); ++i)
        if (auto* e = (*a)[i].as_table()) tables_of(*e, *sub, field + "[" + std::to_string(i) + "]", out);
  }
}

TEST(ConfigSchema, TypoInEverySectionOfEveryShippedConfigIsAConfigError) {
  std::set<std::string> sections_seen;
  for (const auto& p : shipped_configs()) {
    SCOPED_TRACE(p.string());
    toml::table root = toml::parse(slurp(p));
    std::vector<std::pair<std::string, toml::table*>> tables;
    for (auto& [name, node] : root) {
      const Section* s = schema::find_section(name.str());
      ASSERT_NE(s, nullptr) << name.str();
      if (auto* t = node.as_table()) tables_of(*t, *s, std::string(name.str()), tables);
      if (auto* a = node.as_array())
        for (std::size_t i = 0; i < a->size(); ++i)
          tables_of(*(*a)[i].as_table(), *s, std::string(name.str()) + "[" + std::to_string(i) + "]",
                    tables);
    }
    for (std::size_t n = 0; n < tables.size(); ++n) {
      // A fresh copy, the n-th table's first key renamed (or a stray key in an empty table).
      toml::table copy = toml::parse(slurp(p));
      std::vector<std::pair<std::string, toml::table*>> ct;
      for (auto& [name, node] : copy) {
        const Section* s = schema::find_section(name.str());
        if (auto* t = node.as_table()) tables_of(*t, *s, std::string(name.str()), ct);
        if (auto* a = node.as_array())
          for (std::size_t i = 0; i < a->size(); ++i)
            tables_of(*(*a)[i].as_table(), *s,
                      std::string(name.str()) + "[" + std::to_string(i) + "]", ct);
      }
      auto& [path, t] = ct[n];
      std::string typo = "typo_key";
      if (!t->empty()) {
        const std::string first(t->begin()->first.str());
        typo = first + "_typo";
        auto value = toml::table{};
        value.insert(typo, *t->get(first));
        t->erase(first);
        t->insert(typo, *value.get(typo));
      } else {
        t->insert(typo, 1);
      }
      const auto base = path.substr(0, path.find_first_of(".["));
      sections_seen.insert(base);
      try {
        (void)parse_config(to_text(copy), p);
        ADD_FAILURE() << "accepted a typo in " << path;
      } catch (const InputError& e) {
        EXPECT_EQ(e.code(), ExitCode::ConfigError);
        EXPECT_EQ(e.field(), path + "." + typo) << e.what();
        EXPECT_EQ(e.reason(), "unknown field") << e.what();
        EXPECT_EQ(e.file(), p.string());
      }
    }
  }
  // The shipped configs exercise every section the checkers read.
  for (const char* s : {"meta", "engine", "policy", "classes", "time", "workload", "check", "bmc",
                        "fuzz", "explore"})
    EXPECT_TRUE(sections_seen.count(s)) << s;
}

TEST(ConfigSchema, UnknownSectionAndNestedTypos) {
  const std::string base =
      "[engine]\nnum_blocks = 16\n[policy]\nname = \"vllm_fcfs\"\n"
      "[workload]\nkind = \"explicit\"\nrequests = [{ arrival = 0, prompt = 2, output = 2 }]\n";
  const std::vector<std::pair<std::string, std::string>> cases{
      {base + "[bmcc]\nslots = 2\n", "bmcc"},
      {base + "[bmc]\nslotz = 3\n", "bmc.slotz"},
      {base + "[fuzz.coverage]\nmin_preemptoin = 0.1\n", "fuzz.coverage.min_preemptoin"},
      {base + "[fuzz.stabilty]\nenabled = false\n", "fuzz.stabilty"},
      {base + "[explore]\nmax_state = 3\n", "explore.max_state"},
      {base + "[prove]\nmax_k = 3\n", "prove.max_k"},
      {base + "[gpu]\nbackend = \"cuda\"\n", "gpu.backend"},
      {base + "[[classes]]\nprompt = 1\noutput = 1\nbudjet = 2\n", "classes[0].budjet"},
      {"[engine]\nnum_blocks = 16\n[policy]\nname = \"vllm_fcfs\"\n[workload]\nkind = "
       "\"explicit\"\nrequests = [{ arrival = 0, prompt = 2, output = 2, klass = 0 }]\n",
       "workload.requests[0].klass"},
      {"bmc = 3\n" + base, "bmc"},
  };
  for (const auto& [text, field] : cases) {
    try {
      (void)parse_config(text, "c.toml");
      ADD_FAILURE() << "accepted:\n" << text;
    } catch (const InputError& e) {
      EXPECT_EQ(e.code(), ExitCode::ConfigError);
      EXPECT_EQ(e.field(), field) << e.what();
    }
  }
}

// ---- the table against the readers -------------------------------------------------------

/// Base configs between them use every key of the table: every workload kind, a p2_linear time
/// model, the pool given in tokens, classes, and every checker section. The classes' thresholds
/// decrease with the output, as p2_nested_wait requires.
std::vector<std::string> base_configs() {
  const std::string classes =
      "[[classes]]\nname = \"a\"\nprompt = 2\noutput = 2\nrate = 0.5\nbudget = 1\nthreshold = 2\n"
      "[[classes]]\nname = \"b\"\nprompt = 1\noutput = 3\nrate = 0.5\nbudget = 1\nthreshold = 1\n";
  const std::string common =
      "[meta]\nname = \"base\"\n[policy]\nname = \"vllm_fcfs\"\n" + classes +
      "[check]\nmax_steps = 100\n[envelope]\nmax_requests = 0\n[bmc]\nslots = 2\n[fuzz]\n"
      "runs = 1\n[fuzz.coverage]\n[fuzz.stability]\n[prove]\n[gpu]\n";
  const std::string rest = common + "[explore]\nmax_requests = 2\n[time]\nmodel = \"unit\"\n";
  const std::string pool = "[engine]\nnum_blocks = 64\n";
  const std::string expl =
      "[workload]\nkind = \"explicit\"\nrequests = [{ arrival = 0, prompt = 2, output = 2, "
      "class = 0 }]\n";
  // requests in flight at time 0 (models/request.h), a form every workload kind takes
  const std::string in_flight =
      "[[workload.in_flight]]\nprompt = 2\noutput = 2\ndecoded = 0\nclass = 0\ncount = 1\n";
  return {
      pool + rest + expl + in_flight,
      pool + rest + "[workload]\nkind = \"deterministic\"\ncount = 4\n",
      pool + rest + "[workload]\nkind = \"poisson\"\ncount = 4\nrate = 0.5\n",
      pool + rest + "[workload]\nkind = \"class_mix\"\ncount = 4\n",
      pool + rest + "[workload]\nkind = \"trace\"\npath = \"t.csv\"\n",
      // vLLM bench serve's workloads, closed loop
      pool + rest + "[workload]\nkind = \"random\"\nmax_concurrency = 4\n",
      pool + rest + "[workload]\nkind = \"dataset\"\npath = \"" KVCHECK_SOURCE_DIR
                    "/tests/io/data/bench_lengths.csv\"\n",
      pool + common + "[explore]\nmax_requests = 2\n" + expl +
          "[time]\nmodel = \"p2_linear\"\nd0 = 1.0\nla = 0.5\n",  // la: roofline needs it
      // one arrival shape and a queue bound: saturated mode, max_requests = 0
      pool + common + "[explore]\nmax_waiting = 2\nprompts = [2]\noutputs = [2]\n" + expl,
      "[engine]\nkv_capacity_tokens = 64\n" + rest + expl,
      // classless explicit: the envelope is the hull of the requests' own lengths
      pool + "[policy]\nname = \"vllm_fcfs\"\n[workload]\nkind = \"explicit\"\n"
             "requests = [{ arrival = 0, prompt = 2, output = 2 }]\n",
      // classless, with the envelope's length ranges (and without [explore], which refuses
      // envelope.last_arrival)
      pool + "[policy]\nname = \"vllm_fcfs\"\n[envelope]\nprompt = [1, 3]\noutput = [1, 3]\n"
             "max_requests = 0\n[bmc]\n[workload]\nkind = \"deterministic\"\ncount = 4\n",
      pool + "[policy]\nname = \"vllm_fcfs\"\n[envelope]\nprompt = [1, 3]\noutput = [1, 3]\n"
             "max_requests = 0\n[explore]\nprompts = [1]\noutputs = [1]\n"
             "[workload]\nkind = \"deterministic\"\ncount = 4\n",
      // a flow budget, which p1_flow_control needs (flow_budget_max >= 1)
      pool + "[policy]\nname = \"vllm_fcfs\"\nflow_budget_min = 1\nflow_budget_max = 2\n"
             "[workload]\nkind = \"explicit\"\nrequests = [{ arrival = 0, prompt = 2, output = 2 }]\n",
      // clock = "seconds": `period` (deterministic) instead of `interval`
      pool + rest + "[workload]\nkind = \"deterministic\"\nclock = \"seconds\"\ncount = 4\n"
                    "period = 0.5\n",
      // vLLM V0 with a CPU swap pool, which preemption_mode = "swap" needs
      "[engine]\nnum_blocks = 64\ncpu_blocks = 8\n[policy]\nname = \"vllm_v0\"\n"
      "[workload]\nkind = \"explicit\"\nrequests = [{ arrival = 0, prompt = 2, output = 2 }]\n",
      // a [network] (kvcheck network): no workload; one-task routes
      "[meta]\nname = \"base\"\n" + pool + "[policy]\nname = \"sarathi_priority\"\n" +
          classes +
          "[network]\nservers = 2\nsteps = 10\nseed = 1\n[[network.types]]\nname = \"A\"\n"
          "rate = 1.0\nroute = [0]\nprompts = [2]\noutputs = [2]\npriorities = [0]\n",
      // P3's cluster, the last base: no engine, policy or workload
      "[meta]\nname = \"base\"\n" + classes +
          "[cluster]\ngpus = 4\nbatch = 4\nchunk = 2\nalpha = 0.5\nbeta = 0.25\ngamma = 2.0\n",
  };
}

/// The table to set `key` in: `section` ("workload.requests", "fuzz.coverage", "classes")
/// resolved in `root`, arrays at their first element; nullptr when the base lacks it.
toml::table* table_at(toml::table& root, const std::string& section) {
  toml::node* node = &root;
  std::size_t pos = 0;
  while (pos <= section.size()) {
    const auto dot = section.find('.', pos);
    const auto part = section.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos);
    auto* t = node->as_table();
    if (!t || !t->contains(part)) return nullptr;
    node = t->get(part);
    if (auto* a = node->as_array()) {
      if (a->empty()) return nullptr;
      node = &(*a)[0];
    }
    if (dot == std::string::npos) break;
    pos = dot + 1;
  }
  return node->as_table();
}

/// The valid values the table states for `k`: each end of its range (the upper end only when
/// no further constraint, `note`, applies), each allowed string, both booleans.
std::vector<std::string> valid_values(const Key& k) {
  auto quote = [](const std::string& s) { return "\"" + s + "\""; };
  const bool hi_ok = k.note.empty() && k.range_text.empty();
  std::vector<std::string> v;
  switch (k.type) {
    case Type::Int:
      v.push_back(std::to_string(k.ilo));
      if (hi_ok) v.push_back(std::to_string(k.ihi));
      break;
    case Type::IntArray:
      v.push_back("[" + std::to_string(k.ilo) + "]");
      if (hi_ok) v.push_back("[" + std::to_string(k.ihi) + "]");
      break;
    case Type::IntRange:
      v.push_back("[" + std::to_string(k.ilo) + ", " + std::to_string(k.ilo) + "]");
      v.push_back("[" + std::to_string(k.ilo) + ", " + std::to_string(k.ilo + 2) + "]");
      break;
    case Type::Number: {
      auto num = [](double d) {
        std::ostringstream ss;
        ss.precision(17);
        ss << d;
        auto s = ss.str();
        if (s.find_first_of(".e") == std::string::npos) s += ".0";
        return s;
      };
      v.push_back(num(k.lo));
      if (hi_ok) v.push_back(num(k.hi));
      if (k.zero_or) v.push_back("0.0");
      break;
    }
    case Type::Bool:
      v = {"true", "false"};
      break;
    case Type::String:
      if (k.values.empty()) v.push_back(quote("x"));
      for (const auto& s : k.values) v.push_back(quote(s));
      break;
    case Type::StringArray:
      if (k.values.empty()) v.push_back("[\"true\"]");
      for (const auto& s : k.values) v.push_back("[" + quote(s) + "]");
      break;
    case Type::Table:
    case Type::TableArray:
      break;  // their keys are the sub-section's, checked there
  }
  return v;
}

TEST(ConfigSchema, EveryKeyAtEveryStatedValueIsAcceptedByItsReader) {
  const auto bases = base_configs();
  for (const auto& b : bases) ASSERT_NO_THROW((void)load_all(b, "base.toml")) << b;
  int checked = 0;
  for (const auto& s : schema::sections()) {
    for (const auto& k : s.keys) {
      for (const auto& value : valid_values(k)) {
        std::string last_error = "no base config has section " + s.name;
        bool accepted = false;
        for (const auto& b : bases) {
          toml::table root = toml::parse(b);
          toml::table* t = table_at(root, s.name);
          if (!t) continue;
          const toml::table v = toml::parse("v = " + value);
          t->insert_or_assign(k.name, *v.get("v"));
          try {
            (void)load_all(to_text(root), "base.toml");
            accepted = true;
            break;
          } catch (const InputError& e) {
            last_error = e.what();
          }  // a std::logic_error (a reader reading a key the table lacks) fails the test
        }
        EXPECT_TRUE(accepted) << s.name << "." << k.name << " = " << value
                              << " is in the table but no reader accepts it; last: "
                              << last_error;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 150);
}

TEST(ConfigSchema, ValuesOutsideTheTablesRangeAreRejected) {
  // The readers take their ranges from the table: one past each end fails, naming the field.
  const auto bases = base_configs();
  for (const auto& s : schema::sections())
    for (const auto& k : s.keys) {
      if (k.type != Type::Int || !k.range_text.empty()) continue;
      std::vector<std::int64_t> bad{k.ilo - 1};
      if (k.ihi < std::numeric_limits<std::int64_t>::max()) bad.push_back(k.ihi + 1);
      for (auto value : bad) {
        toml::table root = toml::parse(s.name == "workload"               ? bases[1]
                                       : k.name == "kv_capacity_tokens" ? bases[9]
                                       : s.name == "cluster"            ? bases.back()
                                       : s.name == "network" ? bases[bases.size() - 2]
                                                                        : bases[0]);
        toml::table* t = table_at(root, s.name);
        ASSERT_NE(t, nullptr) << s.name;
        t->insert_or_assign(k.name, value);
        try {
          (void)load_all(to_text(root), "base.toml");
          ADD_FAILURE() << s.name << "." << k.name << " = " << value << " accepted";
        } catch (const InputError& e) {
          EXPECT_NE(e.field().find(k.name), std::string::npos) << e.what();
        }
      }
    }
}

TEST(ConfigSchema, EveryFuzzShapeIsInTheTable) {
  const auto& shapes = schema::key("fuzz", "shapes").values;
  for (int i = 0; i <= static_cast<int>(fuzz::Shape::ClassMix); ++i) {
    const auto name = fuzz::to_string(static_cast<fuzz::Shape>(i));
    EXPECT_NE(std::find(shapes.begin(), shapes.end(), name), shapes.end()) << name;
  }
}

// ---- the docs -------------------------------------------------------------------------------

TEST(ConfigSchema, DocsKeyTablesAreTheGeneratedOnes) {
  for (const char* doc : {"docs/config.md", "docs/explorer.md", "docs/architecture.md"}) {
    const auto text = slurp(kSource / doc);
    const auto generated = schema::update_markdown(text);
    if (generated == text) continue;
    // The first line that differs, rather than both pages.
    std::istringstream a(text), b(generated);
    std::string la, lb;
    int line = 1;
    while (std::getline(a, la) && std::getline(b, lb) && la == lb) ++line;
    ADD_FAILURE() << doc << " differs from the schema at line " << line << ":\n  committed: "
                  << la << "\n  generated: " << lb << "\nrun `kvcheck schema --update-docs "
                  << doc << "`";
  }
  // docs/config.md documents every section that has keys.
  const auto documented = schema::documented_sections(slurp(kSource / "docs/config.md"));
  for (const auto& s : schema::sections()) {
    if (s.keys.empty()) continue;
    EXPECT_NE(std::find(documented.begin(), documented.end(), s.name), documented.end())
        << s.name;
  }
}

TEST(ConfigSchema, NumbersAsTheDocsPrintThem) {
  EXPECT_EQ(schema::format_int(1 << 20), "2^20");
  EXPECT_EQ(schema::format_int((std::int64_t{1} << 31) - 1), "2^31 - 1");
  EXPECT_EQ(schema::format_int(10'000'000), "10^7");
  EXPECT_EQ(schema::format_int(4096), "4096");
  EXPECT_EQ(schema::format_number(1e-6), "1e-6");
  EXPECT_EQ(schema::format_number(1e6), "1e6");
  EXPECT_EQ(schema::format_number(0.9), "0.9");
}

}  // namespace
}  // namespace kvcheck
