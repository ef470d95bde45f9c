#include "cli/command.h"

namespace kvcheck::cli {

// One factory per subcommand, each defined in its own cli/<name>_command.cpp.
std::unique_ptr<Command> make_simulate_command();
std::unique_ptr<Command> make_fuzz_command();
std::unique_ptr<Command> make_analyze_command();
std::unique_ptr<Command> make_cluster_command();
std::unique_ptr<Command> make_replay_command();
std::unique_ptr<Command> make_explore_command();
std::unique_ptr<Command> make_check_command();
std::unique_ptr<Command> make_prove_command();
std::unique_ptr<Command> make_buffer_command();
std::unique_ptr<Command> make_calibrate_command();
std::unique_ptr<Command> make_gate_command();
std::unique_ptr<Command> make_schema_command();
std::unique_ptr<Command> make_import_command();
std::unique_ptr<Command> make_network_command();

const std::vector<CommandEntry>& all_commands() {
  static const std::vector<CommandEntry> kCommands{
      {"simulate", "Run a policy over a workload; write metrics, plots and (optionally) an ITF trace",
       &make_simulate_command},
      {"fuzz", "RapidCheck randomized workloads: invariants, starvation, stability, shrunk ITF "
       "counterexamples, regression corpus", &make_fuzz_command},
      {"analyze", "Evaluate the papers' stability and memory conditions for a config (P1, P2, P4)",
       &make_analyze_command},
      {"cluster", "P3's n-GPU system: the fluid LP's plan, Gate-and-Route, Prioritize-and-Route, "
       "the SLI-aware router or a section 6.3 baseline simulated, revenue per GPU against the "
       "LP optimum", &make_cluster_command},
      {"replay", "Re-execute an ITF trace and check every recorded state (exit 20 on divergence)",
       &make_replay_command},
      {"explore", "Explicit-state exploration: shortest counterexamples, starvation lassos, "
       "positive-drift cycles", &make_explore_command},
      {"check", "Z3 bounded model checking: shortest counterexample or BOUNDED_OK(k)",
       &make_check_command},
      {"prove", "Z3: the pool properties for every N, the rest by k-induction over [bmc]; or a trace",
       &make_prove_command},
      {"buffer", "Smallest value of a parameter (e.g. policy.watermark_blocks) that prove accepts",
       &make_buffer_command},
      {"calibrate", "Time the decode engine over batch compositions; fit and write the [time] model",
       &make_calibrate_command},
      {"gate", "CI gate: every checker on every config with [meta] expect; Markdown, JUnit, SARIF",
       &make_gate_command},
      {"schema", "The config schema (every section and key) as Markdown tables; --update-docs "
       "rewrites a doc's generated tables", &make_schema_command},
      {"network", "A network of servers with routed request types (P4 section 5.4): the work in "
       "the network over time", &make_network_command},
      {"import", "Another engine's settings as a kvcheck config: `import vllm [...] -- vllm serve "
       "ARGS` (docs/import-vllm.md)", &make_import_command},
  };
  return kCommands;
}

}  // namespace kvcheck::cli
