// `kvcheck schema --markdown | --update-docs FILE`: the one config schema (io/config_schema.h)
// as Markdown key tables, or rewritten in place between the `<!-- schema:NAME -->` markers of a
// doc (docs/config.md, docs/explorer.md). tests/io/config_schema_test.cpp checks that the
// committed docs equal what --update-docs would write.
#include <fmt/format.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "cli/command.h"
#include "io/config_schema.h"
#include "io/input_error.h"

namespace kvcheck::cli {
namespace {

class SchemaCommand final : public Command {
 public:
  void configure(CLI::App& sub) override {
    auto* md = sub.add_flag("--markdown", markdown_,
                            "Print every section's key table (Markdown, between docs markers)");
    auto* up = sub.add_option("--update-docs", update_,
                              "Rewrite the key tables between the schema markers of this file");
    md->excludes(up);
    sub.require_option(1);
  }

  int run() override {
    if (update_.empty()) {
      fmt::print("{}", schema::markdown_all());
      return 0;
    }
    std::ifstream in(update_, std::ios::binary);
    if (!in) throw config_error(update_, "--update-docs", "cannot open file");
    std::ostringstream ss;
    ss << in.rdbuf();
    std::string updated;
    try {
      updated = schema::update_markdown(ss.str());
    } catch (const std::runtime_error& e) {
      throw config_error(update_, "--update-docs", e.what());
    }
    in.close();
    std::ofstream out(update_, std::ios::binary);
    if (!(out << updated)) throw config_error(update_, "--update-docs", "cannot write file");
    return 0;
  }

 private:
  bool markdown_ = false;
  std::string update_;
};

}  // namespace

std::unique_ptr<Command> make_schema_command() { return std::make_unique<SchemaCommand>(); }

}  // namespace kvcheck::cli
