// `kvcheck calibrate --backend cuda|cpu [--out FILE]`: sweeps batch compositions on the decode
// engine, times each iteration (CUDA events / steady clock), fits P2's d0 + d1*KV and the
// linear a + b*P + c*D + d*KV by non-negative least squares, prints coefficients, R^2 and
// MAPE, and writes the `[time]` TOML fragment the simulator and checkers load.
#include <fmt/format.h>

#include <fstream>

#include "cli/command.h"
#include "gpu_replay/calibrate.h"
#include "io/input_error.h"
#include "properties/exit_codes.h"

namespace kvcheck::cli {
namespace {

class CalibrateCommand final : public Command {
 public:
  void configure(CLI::App& sub) override {
    sub.add_option("--backend", backend_, "Engine backend to time")->check(CLI::IsMember({"cpu", "cuda"}))->capture_default_str();
    sub.add_option("--out", out_, "Write the [time] TOML fragment here (default: stdout only)");
    sub.add_option("--csv", csv_, "Write the timed points (P, D, KV, seconds) as CSV");
    sub.add_option("--model", preset_, "Decoder preset: tiny, stories15m, stories110m, llama1b")->capture_default_str();
    sub.add_option("--dtype", dtype_, "GEMM weights on CUDA: f32 or bf16")->check(CLI::IsMember({"f32", "bf16"}))->capture_default_str();
    sub.add_option("--block-size", block_size_, "KV block size in tokens")->check(CLI::Range(1, 1024))->capture_default_str();
    sub.add_option("--form", form_, "Model written as the [time] table: linear or p2_linear")->check(CLI::IsMember({"linear", "p2_linear"}))->capture_default_str();
    sub.add_option("--decode", spec_.decode_counts, "Decode batch sizes to sweep")->capture_default_str();
    sub.add_option("--context", spec_.contexts, "Context lengths to sweep")->capture_default_str();
    sub.add_option("--prefill", spec_.prefills, "Prefill chunk lengths to sweep")->capture_default_str();
    sub.add_option("--repeats", spec_.repeats, "Timed repeats per point (median)")->check(CLI::Range(1, 1000))->capture_default_str();
  }

  int run() override {
    using namespace engine;
    BackendKind kind{};
    parse_backend_kind(backend_, kind);
    ModelConfig m;
    if (!model_preset(preset_, m)) throw config_error("command line", "--model", "unknown preset \"" + preset_ + "\"");
    for (const auto c : spec_.contexts)
      if (c < 1 || c + 1 >= m.max_seq_len) throw config_error("command line", "--context", "contexts must be in 1..max_seq_len-2");
    const auto w = seeded_weights(m, 1);
    const auto blocks = sweep_blocks(spec_, block_size_);
    auto be = make_backend(kind, w, {blocks, block_size_}, dtype_ == "bf16" ? DType::BF16 : DType::F32);
    const auto cal = fit_time_models(sweep(*be, m, block_size_, spec_));
    print(cal);
    const auto toml = time_toml(cal, form_ == "p2_linear" ? TimeModelKind::P2Linear : TimeModelKind::Linear);
    fmt::print("\n{}", toml);
    if (!out_.empty()) write(out_, toml);
    if (!csv_.empty()) {
      std::string text = "prefill,decode,kv,seconds\n";
      for (const auto& p : cal.points) text += fmt::format("{},{},{},{:.9f}\n", p.prefill, p.decode, p.kv, p.seconds);
      write(csv_, text);
    }
    return to_int(ExitCode::Ok);
  }

 private:
  void print(const engine::Calibration& c) const {
    fmt::print("calibrate: {} backend, model {}, block size {}, {} points\n", backend_, preset_, block_size_, c.points.size());
    fmt::print("  p2_linear: d0 = {:.4e} s, d1 = {:.4e} s/KV token; R^2 = {:.4f}, MAPE = {:.2f}%\n",
               c.p2.coef[0], c.p2.coef[1], c.p2.r2, c.p2.mape);
    fmt::print("  linear:    a = {:.4e} s, b = {:.4e} s/prefill token, c = {:.4e} s/decode token, d = {:.4e} s/KV token;"
               " R^2 = {:.4f}, MAPE = {:.2f}%\n", c.linear.coef[0], c.linear.coef[1], c.linear.coef[2],
               c.linear.coef[3], c.linear.r2, c.linear.mape);
  }
  static void write(const std::string& path, const std::string& text) {
    std::ofstream f(path);
    if (!f) throw config_error(path, "", "cannot write file");
    f << text;
  }

  std::string backend_ = "cpu", out_, csv_, preset_ = "tiny", dtype_ = "f32", form_ = "linear";
  std::int32_t block_size_ = 16;
  engine::SweepSpec spec_;
};

}  // namespace

std::unique_ptr<Command> make_calibrate_command() { return std::make_unique<CalibrateCommand>(); }

}  // namespace kvcheck::cli
