// `kvcheck import vllm` (docs/import-vllm.md): every expectation below is computed by hand in
// the comment beside it, never copied from the importer's output.
#include <gtest/gtest.h>

#include "cli_harness.h"
#include "importers/kv_pool.h"
#include "importers/model_dims.h"
#include "io/config.h"
#include "io/workload.h"

namespace kvcheck::testing {
namespace {

bool has(const std::string& text, const std::string& s) {
  return text.find(s) != std::string::npos;
}

Config parsed(const CliRun& r) { return parse_config(r.out, "imported.toml"); }

const std::string kLlama8B = "meta-llama/Llama-3.1-8B-Instruct";

// The flags of vLLM's docs example: the pool and the batch limits are copied, less the null
// block: 8576 GPU blocks, of which block 0 is V1's null block -> 8575 usable.
TEST(ImportVllm, OverrideFlagsMapExactly) {
  const auto r = run_kvcheck("import vllm -- vllm serve " + kLlama8B +
                             " --num-gpu-blocks-override 8576 --block-size 16"
                             " --max-num-seqs 256 --max-num-batched-tokens 8192");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto c = parsed(r);
  EXPECT_EQ(c.model.engine.block_size, 16);
  EXPECT_EQ(c.model.engine.num_blocks, 8575);
  EXPECT_EQ(c.model.engine.max_num_seqs, 256);
  EXPECT_EQ(c.model.engine.max_batched_tokens, 8192);
  EXPECT_TRUE(c.model.engine.chunked_prefill);  // V1 default
  EXPECT_EQ(c.model.policy.watermark_blocks, 0);
  EXPECT_TRUE(has(r.out, "--num-gpu-blocks-override 8576")) << r.out;
  EXPECT_TRUE(has(r.out, "# --max-num-seqs 256")) << r.out;
  EXPECT_TRUE(has(r.out, "vllm/v1/core/sched/scheduler.py")) << r.out;
}

// The vLLM version rules (docs/vllm.md), by hand: --watermark 0.01 on 8576 GPU blocks keeps
// int(0.01 x 8576) = int(85.76) = 85 blocks (KVCacheManager counts the null block), only while
// something runs; --no-scheduler-reserve-full-isl is the first-chunk family; recompute keeps
// the output; no rejection but --max-model-len 4096; --long-prefill-token-threshold copied.
TEST(ImportVllm, VersionRulesMapToTheProfile) {
  const auto r = run_kvcheck("import vllm -- vllm serve " + kLlama8B +
                             " --num-gpu-blocks-override 8576 --max-num-seqs 256"
                             " --max-num-batched-tokens 8192 --watermark 0.01"
                             " --max-model-len 4096 --long-prefill-token-threshold 512"
                             " --no-scheduler-reserve-full-isl");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto c = parsed(r);
  EXPECT_EQ(c.model.engine.num_blocks, 8575);
  EXPECT_EQ(c.model.engine.null_blocks, 1);
  EXPECT_EQ(c.model.policy.watermark_blocks, 85);
  EXPECT_TRUE(c.model.policy.watermark_only_when_busy);
  EXPECT_FALSE(c.model.policy.full_sequence_admission);
  EXPECT_TRUE(c.model.engine.recompute_keeps_output);
  EXPECT_FALSE(c.model.engine.reject_unservable);
  EXPECT_EQ(c.model.engine.max_model_len, 4096);
  EXPECT_EQ(c.model.engine.long_prefill_token_threshold, 512);
  // Without the switch: the current default, full-sequence admission.
  const auto d = run_kvcheck("import vllm -- vllm serve " + kLlama8B +
                             " --num-gpu-blocks-override 8576 --max-num-seqs 256"
                             " --max-num-batched-tokens 8192");
  ASSERT_EQ(d.status, 0) << d.err;
  EXPECT_TRUE(parsed(d).model.policy.full_sequence_admission);
}

// Speculative decoding: V1 reserves num_speculative_tokens lookahead slots for EAGLE and
// draft-model proposers, none for ngram (scheduler.py Scheduler.__init__); others are refused.
TEST(ImportVllm, SpeculativeConfigSetsTheLookahead) {
  const std::string base = "import vllm -- vllm serve m --num-gpu-blocks-override 100"
                           " --max-num-seqs 8 --max-num-batched-tokens 512 --speculative-config ";
  const auto eagle = run_kvcheck(base + "'{\"method\": \"eagle\", \"num_speculative_tokens\": 3}'");
  ASSERT_EQ(eagle.status, 0) << eagle.err;
  EXPECT_EQ(parsed(eagle).model.engine.lookahead, 3);
  const auto ngram = run_kvcheck(base + "'{\"method\": \"ngram\", \"num_speculative_tokens\": 4}'");
  ASSERT_EQ(ngram.status, 0) << ngram.err;
  EXPECT_EQ(parsed(ngram).model.engine.lookahead, 0);
  const auto medusa = run_kvcheck(base + "'{\"method\": \"medusa\", \"num_speculative_tokens\": 3}'");
  EXPECT_EQ(medusa.status, 151);
  EXPECT_TRUE(has(medusa.err, "--speculative-config")) << medusa.err;
}

// `--flag=value`, underscores, and `--no-` switches: 100 GPU blocks -> 99.
TEST(ImportVllm, EqualsFormsAndNegatedSwitches) {
  const auto r = run_kvcheck(
      "import vllm -- serve m --block_size=32 --num-gpu-blocks-override=100"
      " --no-enable-chunked-prefill --max-num-seqs=8"
      " --max-num-batched-tokens=4096");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto c = parsed(r);
  EXPECT_EQ(c.model.engine.block_size, 32);
  EXPECT_EQ(c.model.engine.num_blocks, 99);
  EXPECT_EQ(c.model.engine.max_num_seqs, 8);
  EXPECT_FALSE(c.model.engine.chunked_prefill);
}

// Llama-3.1-8B (config.json: 32 layers, 8 KV heads, head_dim 4096/32 = 128, bfloat16):
// KV per token = 2 x 32 x 8 x 128 x 2 B = 131,072 B; per 16-token block 2,097,152 B (2 MiB).
// Parameters: embeddings 2 x 128256 x 4096 = 1,050,673,152; per layer q 4096^2 + k, v
// 2 x 4096 x 1024 + o 4096^2 + MLP 3 x 4096 x 14336 + norms 2 x 4096 = 218,112,000, x 32 =
// 6,979,584,000; final norm 4096: 8,030,261,248 (the model card's 8.03B). Weights x 2 B =
// 16,060,522,496 B. Budget 80 GiB x 0.9 = 77,309,411,328 B; reserve 2 GiB = 2,147,483,648 B;
// available 59,101,405,184 B; / 2,097,152 = 28,181.66 -> 28,181 GPU blocks, 28,180 usable.
TEST(ImportVllm, MemoryFormulaByHand) {
  const auto m = *importers::builtin_model(kLlama8B);
  EXPECT_EQ(importers::kv_bytes_per_token(m, 8, 2), 131072);
  EXPECT_EQ(importers::dense_param_count(m), 8030261248);
  importers::PoolInputs in{m, 16, 2, 2, 1, 80.0, 0.9, 2.0, std::nullopt, std::nullopt};
  const auto p = importers::pool_from_memory(in, "test");
  EXPECT_EQ(p.bytes_per_block, 2097152);
  EXPECT_EQ(p.num_blocks, 28181);
  const auto r = run_kvcheck("import vllm --gpu-memory-gib 80 -- vllm serve " + kLlama8B +
                             " --max-num-seqs 256 --max-num-batched-tokens 8192");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(parsed(r).model.engine.num_blocks, 28180);
  EXPECT_TRUE(has(r.out, "131072 B")) << r.out;
}

// Tensor parallelism 2: 4 KV heads and half the weights per GPU. KV per token 65,536 B, per
// block 1,048,576 B; weights 8,030,261,248 B; available 77,309,411,328 - 8,030,261,248 -
// 2,147,483,648 = 67,131,666,432 B; / 1,048,576 = 64,021.4 -> 64,021 blocks.
TEST(ImportVllm, TensorParallelSplitsHeadsAndWeights) {
  const auto m = *importers::builtin_model(kLlama8B);
  importers::PoolInputs in{m, 16, 2, 2, 2, 80.0, 0.9, 2.0, std::nullopt, std::nullopt};
  EXPECT_EQ(importers::pool_from_memory(in, "test").num_blocks, 64021);
}

// Qwen2.5-7B-Instruct's config.json (28 layers, hidden 3584, 28 heads, 4 KV heads, MLP 18944,
// vocab 152064, q/k/v biases): 7,615,616,512 parameters (its model card), from the file too.
TEST(ImportVllm, HfConfigGivesTheSameModel) {
  const auto dir = scratch_dir();
  write_text(dir / "config.json",
             R"({"model_type": "qwen2", "num_hidden_layers": 28, "hidden_size": 3584,
                 "intermediate_size": 18944, "num_attention_heads": 28,
                 "num_key_value_heads": 4, "vocab_size": 152064,
                 "tie_word_embeddings": false, "torch_dtype": "bfloat16"})");
  const auto m = importers::model_from_hf_config(dir / "config.json");
  EXPECT_EQ(m.head_dim, 128);  // 3584 / 28
  EXPECT_EQ(importers::dense_param_count(m), 7615616512);
  EXPECT_EQ(importers::dense_param_count(*importers::builtin_model("Qwen/Qwen2.5-7B-Instruct")),
            7615616512);
}

// vLLM's `vllm serve` defaults (arg_utils.py get_batch_defaults): >= 70 GiB and not an A100:
// 1024 sequences, 8192 tokens; otherwise 256 and 2048.
TEST(ImportVllm, BatchDefaultsFollowTheGpu) {
  const std::string serve = " -- vllm serve m --num-gpu-blocks-override 1000";
  const auto big = run_kvcheck("import vllm --gpu-memory-gib 79" + serve);
  ASSERT_EQ(big.status, 0) << big.err;
  EXPECT_EQ(parsed(big).model.engine.max_num_seqs, 1024);
  EXPECT_EQ(parsed(big).model.engine.max_batched_tokens, 8192);
  const auto a100 =
      run_kvcheck("import vllm --gpu-memory-gib 79 --gpu-name 'NVIDIA A100-SXM4-80GB'" + serve);
  ASSERT_EQ(a100.status, 0) << a100.err;
  EXPECT_EQ(parsed(a100).model.engine.max_num_seqs, 256);
  EXPECT_EQ(parsed(a100).model.engine.max_batched_tokens, 2048);
  expect_error(run_kvcheck("import vllm" + serve), 151, {"command line", "--max-num-seqs"});
}

const std::string kSmall =
    " -- vllm serve m --num-gpu-blocks-override 200 --max-num-seqs 16"
    " --max-num-batched-tokens 2048";

TEST(ImportVllm, UnmappableFlagsAreOneLineErrors) {
  expect_error(run_kvcheck("import vllm" + kSmall + " --frobnicate 3"), 151,
               {"command line", "--frobnicate"});
  expect_error(run_kvcheck("import vllm" + kSmall + " --preemption-mode swap"), 151,
               {"command line", "--preemption-mode", "no swap"});
  expect_error(run_kvcheck("import vllm" + kSmall + " --scheduling-policy lottery"), 151,
               {"command line", "--scheduling-policy", "fcfs", "priority"});
  expect_error(run_kvcheck("import vllm" + kSmall + " stray"), 151, {"command line", "stray"});
  expect_error(run_kvcheck("import vllm -- vllm serve m --max-num-seqs 16"), 151,
               {"command line", "--num-gpu-blocks-override"});
  expect_error(run_kvcheck("import vllm --bench '--max-concurrency 0'" + kSmall), 151,
               {"--bench", "--max-concurrency"});
  expect_error(run_kvcheck("import vllm --bench '--request-rate 10'" + kSmall), 151,
               {"--bench", "--request-rate", "--step-seconds"});
}

// `--scheduling-policy` names the policy (vLLM's SchedulingPolicy: fcfs, the default, or
// priority): vllm_fcfs or vllm_priority, same engine keys either way.
TEST(ImportVllm, SchedulingPolicyNamesThePolicy) {
  const auto f = run_kvcheck("import vllm" + kSmall + " --scheduling-policy fcfs");
  ASSERT_EQ(f.status, 0) << f.err;
  EXPECT_EQ(parsed(f).model.policy.kind, PolicyKind::VllmFcfs);
  const auto r = run_kvcheck("import vllm" + kSmall + " --scheduling-policy priority");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto c = parsed(r);
  EXPECT_EQ(c.model.policy.kind, PolicyKind::VllmPriority);
  EXPECT_EQ(c.model.engine.num_blocks, parsed(f).model.engine.num_blocks);
  EXPECT_TRUE(has(r.out, "# What vllm_priority does NOT model faithfully:")) << r.out;
  EXPECT_TRUE(has(r.out, "every request has\n#     priority 0")) << r.out;
}

TEST(ImportVllm, IgnoredFlagsAreListed) {
  const auto r = run_kvcheck("import vllm" + kSmall + " --port 8000 --enforce-eager");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(has(r.out, "# ignored (do not change scheduling): --port, --enforce-eager")) << r.out;
}

// `vllm bench serve` flags map one to one onto the `random` workload (docs/vllm.md): 40
// prompts of 512 + 64 tokens at 10 requests per second with gamma gaps of shape 2, at most 8
// in flight; --step-seconds 0.05 writes the unit time model the per-second rate needs.
TEST(ImportVllm, BenchRateAndLengths) {
  const auto r = run_kvcheck(
      "import vllm --step-seconds 0.05 --bench '--dataset-name random"
      " --random-input-len 512 --random-output-len 64 --num-prompts 40"
      " --request-rate 10 --burstiness 2 --max-concurrency 8 --ignore-eos'" +
      kSmall);
  ASSERT_EQ(r.status, 0) << r.err;
  const auto c = parsed(r);
  EXPECT_EQ(c.workload.kind, WorkloadKind::Random);
  EXPECT_DOUBLE_EQ(c.workload.request_rate, 10.0);
  EXPECT_DOUBLE_EQ(c.workload.burstiness, 2.0);
  EXPECT_EQ(c.workload.max_concurrency, 8);
  EXPECT_EQ(c.workload.num_prompts, 40);
  EXPECT_EQ(c.workload.input_len, 512);
  EXPECT_EQ(c.workload.output_len, 64);
  EXPECT_DOUBLE_EQ(c.time.unit, 0.05);
  // A finite rate without an iteration time is refused, naming the flag.
  const auto bad = run_kvcheck("import vllm --bench '--request-rate 10'" + kSmall);
  EXPECT_EQ(bad.status, 151);
  EXPECT_TRUE(has(bad.err, "--request-rate")) << bad.err;
}

// Range ratio 0.5: prompts floor(1024 x 0.5) = 512 .. ceil(1024 x 1.5) = 1536, outputs
// 64 .. 192 (vLLM's RandomDataset); the built workload stays inside, and so does the envelope.
TEST(ImportVllm, BenchRangeRatioListsDrawsInsideVllmsRanges) {
  const auto r = run_kvcheck(
      "import vllm --bench '--random-input-len 1024 --random-output-len 128"
      " --random-range-ratio 0.5 --num-prompts 50'" +
      kSmall);
  ASSERT_EQ(r.status, 0) << r.err;
  const auto c = parsed(r);
  EXPECT_DOUBLE_EQ(c.workload.range_ratio, 0.5);
  const auto w = build_workload(c);
  ASSERT_EQ(w.requests.size(), 50u);
  for (const auto& q : w.requests) {
    EXPECT_GE(q.prompt, 512);
    EXPECT_LE(q.prompt, 1536);
    EXPECT_GE(q.output, 64);
    EXPECT_LE(q.output, 192);
  }
}

// The imported config runs: simulate exits 0; check and buffer load it and reach a verdict.
TEST(ImportVllm, ImportedConfigRunsUnderSimulateCheckAndBuffer) {
  const auto dir = scratch_dir();
  const auto file = (dir / "imported.toml").string();
  const auto r = run_kvcheck("import vllm -o " + sh_quote(file) +
                             " --bench '--random-input-len 64 --random-output-len 16"
                             " --num-prompts 30' -- vllm serve m --num-gpu-blocks-override 64"
                             " --max-num-seqs 8 --max-num-batched-tokens 256 --block-size 16");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto c = load_config(file);
  EXPECT_EQ(c.model.engine.num_blocks, 63);
  const auto sim =
      run_kvcheck("simulate " + sh_quote(file) + " --out " + sh_quote((dir / "sim").string()));
  EXPECT_EQ(sim.status, 0) << sim.err << sim.out;
  const auto chk =
      run_kvcheck("check " + sh_quote(file) + " --depth 4 --out " + sh_quote((dir / "c").string()));
  EXPECT_TRUE(chk.status == 0 || chk.status == 12) << chk.status << chk.err << chk.out;
  const auto buf = run_kvcheck("buffer " + sh_quote(file) +
                               " --param policy.watermark_blocks --hi 2"
                               " --time-limit 60 --out " +
                               sh_quote((dir / "b").string()));
  EXPECT_TRUE(buf.status == 0 || buf.status == 5) << buf.status << buf.err << buf.out;
}

}  // namespace
}  // namespace kvcheck::testing
