// `kvcheck analyze CONFIG [--json FILE] [--only p1,p2,p3,p4,vllm] [--exact]`: the papers' stability
// and memory conditions for a config (theory/); --exact adds the exact smallest pool beside P1's
// ineq. (2) or P2's M^pi (analyze_exact.h). Exit 0 / 5 / 13 from the verdict, 151 for bad input.
#include <fmt/format.h>

#include <fstream>

#include "cli/analyze_exact.h"
#include "cli/command.h"
#include "io/config.h"
#include "io/input_error.h"
#include "properties/verdict.h"
#include "theory/analyze.h"
#include "theory/report_json.h"
#include "theory/report_text.h"

namespace kvcheck::cli {
namespace {

class AnalyzeCommand final : public Command {
 public:
  void configure(CLI::App& sub) override {
    sub.add_option("config", config_, "Config file (TOML)")->required();
    sub.add_option("--json", json_, "Also write every number as JSON to this file ('-': stdout)");
    sub.add_option("--only", only_, "Run only these analyses (p1, p2, p3, p4, vllm); each must apply")
        ->delimiter(',')
        ->check(CLI::IsMember({"p1", "p2", "p3", "p4", "vllm"}));
    sub.add_flag("--exact", exact_,
                 "Also the exact smallest pool, proved for every workload of the classes, with "
                 "a replayed counterexample one below, beside the closed form (P1 Algorithm "
                 "1: ineq. (2); P2 WAIT: Eq. 11's M^pi; P2 Nested WAIT: Eq. 13's M^pi)");
    sub.add_option("--out", flags_.out, "With --exact: directory for the trace one below");
  }

  int run() override {
    const auto cfg = load_config(config_);
    theory::AnalyzeRequest req;
    for (const auto& o : only_) {
      req.p1 = req.p1 || o == "p1";
      req.p2 = req.p2 || o == "p2";
      req.p3 = req.p3 || o == "p3";
      req.p4 = req.p4 || o == "p4";
      req.vllm = req.vllm || o == "vllm";
    }
    auto report = theory::analyze(cfg, req);
    int exact_rc = 0;
    if (exact_) {
      flags_.config = config_;
      exact_rc = add_exact_pool(cfg, report, flags_);
    }
    if (json_ != "-") fmt::print("{}", theory::format_report(report));
    if (!json_.empty()) write_json(theory::report_json(report));
    if (exact_rc != 0) return exact_rc;  // a trace that does not replay: internal error
    return to_int(to_exit_code(theory::report_verdict(report)));
  }

 private:
  void write_json(const std::string& text) const {
    if (json_ == "-") {
      fmt::print("{}", text);
      return;
    }
    std::ofstream out(json_, std::ios::binary);
    if (!(out << text)) throw config_error(json_, "--json", "cannot write the JSON report");
  }

  std::string config_, json_;
  std::vector<std::string> only_;
  bool exact_ = false;
  Z3Flags flags_;
};

}  // namespace

std::unique_ptr<Command> make_analyze_command() { return std::make_unique<AnalyzeCommand>(); }

}  // namespace kvcheck::cli
