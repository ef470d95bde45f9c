#include "cli/command.h"

namespace kvcheck::cli {

// One factory per subcommand, each defined in its own cli/<name>_command.cpp.
std::unique_ptr<Command> make_simulate_command();

const std::vector<CommandEntry>& all_commands() {
  static const std::vector<CommandEntry> kCommands{
      {"simulate", "Run a policy over a workload; write metrics, plots and (optionally) an ITF trace",
       &make_simulate_command},
  };
  return kCommands;
}

}  // namespace kvcheck::cli
