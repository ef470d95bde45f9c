// kvcheck: formal verification and property testing of LLM-inference scheduler policies.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <exception>
#include <new>
#include <stdexcept>
#include <string_view>

#include "cli/command.h"
#include "cli/heap_setup.h"
#include "io/input_error.h"
#include "properties/exit_codes.h"

int main(int argc, char** argv) {
  using namespace kvcheck;
  cli::set_up_heap();
  CLI::App app{"kvcheck: model checking and property testing of LLM-inference scheduler policies\n"
               "Exit codes: 0 ok, 5 inconclusive, 12 safety violation, 13 stability/liveness "
               "violation, 20 replay diverged, 150 trace parse error, 151 config error, "
               "255 internal error"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("kvcheck ") + KVCHECK_VERSION);
  std::vector<std::unique_ptr<cli::Command>> commands;
  std::vector<std::pair<CLI::App*, cli::Command*>> subs;
  for (const auto& e : cli::all_commands()) {
    commands.push_back(e.make());
    auto* sub = app.add_subcommand(e.name, e.description);
    commands.back()->configure(*sub);
    subs.emplace_back(sub, commands.back().get());
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "kvcheck: error: command line: {}\n", e.what());
    return to_int(ExitCode::ConfigError);
  }
  try {
    for (auto& [sub, cmd] : subs) {
      if (!sub->parsed()) continue;
      // Test-only fault injection (tests/cli): KVCHECK_FAULT_INJECT=internal makes the command
      // fail as a kvcheck bug would, to check that such failures exit 255 (docs/exit-codes.md).
      if (const char* fault = std::getenv("KVCHECK_FAULT_INJECT");
          fault && std::string_view(fault) == "internal")
        throw std::logic_error("fault injected by KVCHECK_FAULT_INJECT=internal");
      return cmd->run();
    }
  } catch (const InputError& e) {
    fmt::print(stderr, "kvcheck: error: {}\n", e.what());
    return to_int(e.code());
  } catch (const std::bad_alloc&) {
    fmt::print(stderr, "kvcheck: internal error: out of memory\n");
    return to_int(ExitCode::InternalError);
  } catch (const std::exception& e) {
    fmt::print(stderr, "kvcheck: internal error: {}\n", e.what());
    return to_int(ExitCode::InternalError);
  }
  return to_int(ExitCode::InternalError);
}
