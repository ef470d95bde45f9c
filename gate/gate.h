#pragma once
/// \file gate.h
/// The CI gate: run every applicable checker on every config and compare the verdicts with the
/// configs' expectations ([meta] expect / expect_property). A config expected "ok" must get no
/// VIOLATED from any checker; a config expected "violated" (a policy broken on purpose: the
/// vacuity check of verification.md B.6) must be VIOLATED by at least one checker, on the
/// expected property when one is named.
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "gate/checker.h"

namespace kvcheck {

struct GateRow {
  std::string checker;
  CheckResult result;
  std::filesystem::path trace;  ///< written counterexample, if any
  /// For an ERROR verdict: the exit code it stands for. 255 (a kvcheck bug) unless the row is
  /// a bad input (checker "config": the config could not be read; 150 / 151 from a checker's
  /// own input, e.g. a malformed workload CSV).
  ExitCode error_code = ExitCode::InternalError;
};

struct GateEntry {
  std::filesystem::path config;
  std::string name, expect, expect_property;
  std::vector<GateRow> rows;
  std::vector<std::string> skipped;  ///< checkers not run: an earlier one found a counterexample
  bool met = true;           ///< the expectation holds
  std::string why;           ///< when not met
  ExitCode code = ExitCode::Ok;  ///< this entry's contribution to the gate's exit code
  /// After a PROVED: the mutated twin's BMC result (gate/mutation_twin.h); it must be VIOLATED
  /// or UNKNOWN, else the proof is vacuous and the entry fails. `twin_note` says why none ran.
  std::optional<GateRow> twin;
  std::string twin_note;
  /// The entry failed on an error (a bad input, 150 / 151, or a kvcheck bug, 255), not on a
  /// verdict: JUnit reports it as an <error>, SARIF as a tool-execution notification.
  bool errored() const {
    return code == ExitCode::InternalError || code == ExitCode::ConfigError ||
           code == ExitCode::TraceParseError;
  }
};

struct GateReport {
  std::vector<GateEntry> entries;
  std::string z3_version;  ///< of the linked solver, printed with every report
  /// 0 when every expectation holds; else 12/13 for an unexpected violation, 5 for an expected
  /// violation not found or an inconclusive check (the most severe wins).
  ExitCode exit_code() const;
};

using CheckerSet = std::vector<std::unique_ptr<Checker>>;
/// Makes a fresh set of checkers: one per worker, so no checker object is shared by threads.
using CheckerFactory = std::function<CheckerSet()>;

struct GateOptions {
  std::vector<std::string> only;     ///< checkers by name (empty: all)
  CheckBudget budget;
  std::filesystem::path out_dir;     ///< counterexamples as <config>.<checker>.itf.json
  /// One line per config and checker as each finishes: config, checker, verdict, seconds.
  std::ostream* progress = nullptr;
  int jobs = 1;                      ///< configs checked at once (each on its own thread)
};

/// Runs the gate. Entries come back in the order of `configs` whatever `jobs` is, and each
/// config's checks run in the same order on one thread, so the report does not depend on
/// `jobs`. A config that cannot be read is an entry with one ERROR row (checker "config") and
/// its input error's exit code; a checker that throws is an ERROR row; the other configs still
/// run. Past budget.deadline the checkers not yet run are UNKNOWN rows ("not run: the gate's
/// time limit was reached").
GateReport run_gate(const std::vector<std::filesystem::path>& configs,
                    const CheckerFactory& make_checkers, const GateOptions& options);

/// The entry's judgement from its rows and twin alone (met, why, code; the earlier values are
/// discarded): the expectation rules of the file comment, then judge_twin. `--merge` re-judges
/// every entry it reads, so a report whose `met` disagrees with its own rows cannot pass.
void judge_entry(GateEntry& e);

/// The twin rule (gate/mutation_twin.h): an entry whose mutated twin is PROVED or BOUNDED_OK
/// fails as a vacuous proof (exit 5); an ERROR twin is an internal error; VIOLATED and
/// UNKNOWN twins leave the entry as it is.
void judge_twin(GateEntry& e);

/// The verdict table in GitHub-flavoured Markdown (also for $GITHUB_STEP_SUMMARY).
void write_markdown(const GateReport& r, std::ostream& os);

}  // namespace kvcheck
