// The parameter table (models/param_table.h) against the config schema (io/config_schema.h) and
// the config reader: every scalar is a schema key of its type, the reader's default is the one
// the schema documents, and ITF and `buffer --param` spell it the same (issue 13: one table).
#include <gtest/gtest.h>

#include <string>

#include "counterexamples/itf_names.h"
#include "io/config.h"
#include "io/config_schema.h"
#include "models/param_table.h"

namespace kvcheck {
namespace {

/// The smallest config: every scalar at its default.
Config defaults() {
  return parse_config("[engine]\nnum_blocks = 8\n[policy]\nname = \"vllm_fcfs\"\n"
                      "[workload]\nkind = \"explicit\"\nrequests = [{ arrival = 0, prompt = 1, "
                      "output = 1 }]\n",
                      "defaults.toml");
}

/// The documented default as a number: "unlimited" is kUnlimited, "`flow_budget_min`" the
/// value of that key; "—" (required) has none.
bool documented(const schema::Key& k, const ModelParams& m, std::int64_t& out) {
  if (k.def == "—") return false;
  if (k.def == "unlimited") out = kUnlimited;
  else if (k.def == "`flow_budget_min`") out = m.policy.flow_budget_min;
  else out = std::stoll(k.def);
  return true;
}

TEST(ParamTable, EveryIntegerIsASchemaKeyWithItsDocumentedDefault) {
  const auto m = defaults().model;
  for (const auto& ip : kIntParams) {
    const auto* k = schema::find_key(ip.section, ip.key);
    ASSERT_NE(k, nullptr) << ip.section << "." << ip.key;
    EXPECT_EQ(k->type, schema::Type::Int) << ip.key;
    std::int64_t want = 0;
    if (documented(*k, m, want)) {
      EXPECT_EQ(ip.get(m), want) << ip.key << " default " << k->def;
    }
  }
}

TEST(ParamTable, EveryBooleanIsASchemaKeyWithItsDocumentedDefault) {
  const auto m = defaults().model;
  for (const auto& bp : kBoolParams) {
    const auto* k = schema::find_key(bp.section, bp.key);
    ASSERT_NE(k, nullptr) << bp.section << "." << bp.key;
    EXPECT_EQ(k->type, schema::Type::Bool) << bp.key;
    EXPECT_EQ(bp.get(m) ? "true" : "false", k->def) << bp.key;
  }
}

// Every integer and boolean key of [engine] and [policy] is in the table (or is one of the
// keys the table leaves to the readers, named here).
TEST(ParamTable, CoversTheSchemaScalarsOfEngineAndPolicy) {
  for (const char* section : {"engine", "policy"})
    for (const auto& k : schema::find_section(section)->keys) {
      if (k.type != schema::Type::Int && k.type != schema::Type::Bool) continue;
      if (k.name == "kv_capacity_tokens") continue;  // another spelling of num_blocks
      // vLLM V0's CPU swap pool: read by the config reader itself and an ITF param of swap
      // traces only (itf_names.h, kSwapParamTypes), so other traces keep their bytes.
      if (k.name == "cpu_blocks") continue;
      const std::string dotted = std::string(section) + "." + k.name;
      bool found = find_int_param(dotted) != nullptr;
      for (const auto& bp : kBoolParams) found = found || (bp.section == section && bp.key == k.name);
      EXPECT_TRUE(found) << dotted;
    }
}

// ITF spells each scalar as its config key, typed Int or Bool in #meta.varTypes.
TEST(ParamTable, ItfListsEveryScalarWithItsType) {
  auto type_of = [](std::string_view name) {
    for (const auto& [n, t] : kVarTypes)
      if (n == name) return t;
    return std::string_view{};
  };
  auto listed = [](std::string_view name) {
    for (const auto n : kParamNames)
      if (n == name) return true;
    return false;
  };
  for (const auto& ip : kIntParams) {
    EXPECT_TRUE(listed(ip.key)) << ip.key;
    EXPECT_EQ(type_of(ip.key), "Int") << ip.key;
  }
  for (const auto& bp : kBoolParams) {
    EXPECT_TRUE(listed(bp.key)) << bp.key;
    EXPECT_EQ(type_of(bp.key), "Bool") << bp.key;
  }
}

TEST(ParamTable, FindsByTheDottedNameOnly) {
  ASSERT_NE(find_int_param("policy.watermark_blocks"), nullptr);
  EXPECT_EQ(find_int_param("policy.watermark_blocks")->key, "watermark_blocks");
  EXPECT_EQ(find_int_param("engine.watermark_blocks"), nullptr);
  EXPECT_EQ(find_int_param("watermark_blocks"), nullptr);
  EXPECT_EQ(find_int_param("policy.watermark_block"), nullptr);
  EXPECT_EQ(find_int_param("policyXwatermark_blocks"), nullptr);
  ModelParams m;
  find_int_param("engine.num_blocks")->field(m) = 77;
  EXPECT_EQ(m.engine.num_blocks, 77);
}

}  // namespace
}  // namespace kvcheck
