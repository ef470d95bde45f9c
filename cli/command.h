#pragma once
/// \file command.h
/// One `kvcheck` subcommand: declares its options on a CLI11 sub-app and runs. Each subcommand
/// lives in its own file and is listed once in commands.cpp.
#include <CLI/CLI.hpp>
#include <memory>
#include <vector>

namespace kvcheck::cli {

class Command {
 public:
  virtual ~Command() = default;
  /// Adds the subcommand's options to `sub` (already named and described).
  virtual void configure(CLI::App& sub) = 0;
  /// Runs after parsing; returns the process exit code (properties/exit_codes.h).
  virtual int run() = 0;
};

struct CommandEntry {
  const char* name;
  const char* description;
  std::unique_ptr<Command> (*make)();
};

/// Every subcommand, in --help order.
const std::vector<CommandEntry>& all_commands();

}  // namespace kvcheck::cli
