// sim/network.h (P4 section 5.4's agent network) and the sarathi_priority policy it runs:
// hand-computed steps, the one-class reduction to Sarathi, the work accounting, the
// Rybko-Stolyar split, and the [network] reader's errors.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "io/config.h"
#include "io/input_error.h"
#include "io/workload.h"
#include "models/choice_source.h"
#include "models/concrete_view.h"
#include "models/engine_step.h"
#include "sim/network.h"

namespace kvcheck {
namespace {

ModelParams server(PolicyKind kind, std::int64_t b_max, int levels) {
  ModelParams p;
  p.engine.block_size = 16;
  p.engine.num_blocks = 100000;
  p.engine.max_batched_tokens = b_max;
  p.engine.chunked_prefill = true;
  p.policy.kind = kind;
  for (int c = 0; c < levels; ++c) p.classes.push_back(ClassSpec{});
  return p;
}

Request req(std::int64_t step, std::int64_t prompt, std::int64_t output, std::int64_t klass) {
  Request r;
  r.arrival_step = step;
  r.prompt = prompt;
  r.output = output;
  r.klass = klass;
  return r;
}

/// Tokens each request is scheduled in step 0.
std::vector<std::int64_t> first_step(const ModelParams& p, const Workload& w) {
  TimeModel t;
  SeededChoices ch(1);
  ConcreteView v(p, w, t, ch);
  engine_step(v);
  std::vector<std::int64_t> n;
  for (std::size_t r = 0; r < w.requests.size(); ++r)
    n.push_back(v.state(static_cast<ConcreteView::Ref>(r)).computed);
  return n;
}

// Budget 10, two prompts of 6 arriving together, the class-1 one first in the queue. Sarathi
// (FCFS) gives the first 6 and the second the 4 left; sarathi_priority serves class 0 first:
// 6 to the second, 4 to the first (hand-computed from the policy's definition).
TEST(SarathiPriority, HigherLevelTakesTheBudgetFirst) {
  Workload w;
  w.requests = {req(0, 6, 3, 1), req(0, 6, 3, 0)};
  EXPECT_EQ(first_step(server(PolicyKind::Sarathi, 10, 2), w),
            (std::vector<std::int64_t>{6, 4}));
  EXPECT_EQ(first_step(server(PolicyKind::SarathiPriority, 10, 2), w),
            (std::vector<std::int64_t>{4, 6}));
}

// With one class, the priority levels collapse: every step equals Sarathi's on random
// workloads (the batch, request by request).
TEST(SarathiPriority, OneClassIsSarathi) {
  std::mt19937_64 g(7);
  for (int trial = 0; trial < 40; ++trial) {
    Workload w;
    std::int64_t step = 0;
    for (int i = 0; i < 30; ++i) {
      step += static_cast<std::int64_t>(g() % 3);
      w.requests.push_back(req(step, 1 + static_cast<std::int64_t>(g() % 40),
                               1 + static_cast<std::int64_t>(g() % 20), 0));
    }
    const auto a = server(PolicyKind::Sarathi, 8 + static_cast<std::int64_t>(g() % 64), 1);
    auto b = a;
    b.policy.kind = PolicyKind::SarathiPriority;
    TimeModel t;
    SeededChoices ca(1), cb(1);
    ConcreteView va(a, w, t, ca), vb(b, w, t, cb);
    for (int s = 0; s < 200 && !va.finished(); ++s) {
      engine_step(va);
      engine_step(vb);
      ASSERT_EQ(va.last_step().batch, vb.last_step().batch) << "trial " << trial << " step " << s;
    }
  }
}

Config network_config(const std::string& network, const std::string& policy = "sarathi_priority",
                      int levels = 2) {
  std::string text =
      "[engine]\nblock_size = 16\nnum_blocks = 100000\nmax_batched_tokens = 100\n"
      "chunked_prefill = true\n[policy]\nname = \"" + policy + "\"\n";
  for (int c = 0; c < levels; ++c) text += "[[classes]]\nprompt = 1\noutput = 1\n";
  return parse_config(text + network, "net.toml");
}

// One type, route 0 -> 1, a prompt of 4 and one output token at each server, budget 100:
// a request arriving at step t is prefilled and done at server 0 in step t, enters server 1 at
// t + 1 and is done there in t + 1. So after T steps only the last step's arrivals are still
// in the network, each with its second task (4 + 1 tokens) pending: final work = 5 x
// (arrived - completed) (hand-derived from the engine's rules: the prefill samples the token).
TEST(Network, ForwardsFinishedTasksAndCountsTheWorkLeft) {
  const auto cfg = network_config(
      "[network]\nservers = 2\nsteps = 300\nseed = 5\n[[network.types]]\nrate = 0.7\n"
      "route = [0, 1]\nprompts = [4, 4]\noutputs = [1, 1]\npriorities = [0, 0]\n");
  const auto r = run_network(cfg, read_network(cfg));
  EXPECT_GT(r.arrived, 150);
  EXPECT_LE(r.arrived - r.completed, 8);  // Poisson(0.7) arrivals of one step
  EXPECT_EQ(r.final_tokens, 5 * (r.arrived - r.completed));
}

// Work of requests still at a server: one step, prompts of 6 and outputs of 2, budget 100:
// every arrival of step 0 (at most 16 fit the budget) is prefilled in that step and has
// sampled its first token, so each has exactly one output token left: work = arrivals
// (hand-derived from the engine's rules; a prompt still counted would add 6 each).
TEST(Network, WorkCountsWhatIsLeftOfRequestsAtAServer) {
  const auto cfg = network_config(
      "[network]\nservers = 1\nsteps = 1\nseed = 1\n[[network.types]]\nrate = 2.0\n"
      "route = [0]\nprompts = [6]\noutputs = [2]\npriorities = [0]\n");
  const auto r = run_network(cfg, read_network(cfg));
  ASSERT_GT(r.arrived, 0);
  ASSERT_LE(r.arrived, 16);
  EXPECT_EQ(r.completed, 0);
  EXPECT_EQ(r.final_tokens, r.arrived);
}

// The Rybko-Stolyar split (papers.md 4.4 item 3): each server is loaded 0.9, yet with the
// exiting tasks first the high-priority classes load their virtual station 2 x 0.9 x 544/608 =
// 1.61 > 1 and the work grows without bound; with the entering tasks first (0.19) it stays
// bounded. Short runs: growth of ~500 tokens a step against a level of ~45k.
TEST(Network, ExitPriorityDivergesEntryPriorityStaysBounded) {
  const auto run = [](const std::string& prio) {
    auto cfg = load_config(KVCHECK_SOURCE_DIR "/configs/p4_agents_" + prio + "_priority.toml");
    auto spec = read_network(cfg);
    spec.steps = 4000;
    return run_network(cfg, spec);
  };
  const auto exit = run("exit"), entry = run("entry");
  EXPECT_GT(exit.final_tokens, 1'000'000);
  EXPECT_LT(entry.peak_tokens, 150'000);
  EXPECT_GT(exit.final_tokens, 10 * entry.final_tokens);
}

TEST(Network, ReaderErrorsNameTheField) {
  const auto fails = [](const std::string& network, const std::string& field) {
    try {
      const auto cfg = network_config(network);
      (void)read_network(cfg);
      ADD_FAILURE() << "accepted: " << network;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
    }
  };
  const std::string type = "[[network.types]]\nrate = 1.0\n";
  fails("[network]\nsteps = 10\n" + type + "route = [2]\nprompts = [1]\noutputs = [1]\n"
        "priorities = [0]\n", "network.types[0].route");
  fails("[network]\nsteps = 10\n" + type + "route = [0, 1]\nprompts = [1]\noutputs = [1, 1]\n"
        "priorities = [0, 0]\n", "network.types[0].prompts");
  fails("[network]\nsteps = 10\n" + type + "route = [0]\nprompts = [1]\noutputs = [1]\n"
        "priorities = [2]\n", "network.types[0].priorities");
  fails("[network]\nservers = 2\n" + type + "route = [0]\nprompts = [1]\noutputs = [1]\n"
        "priorities = [0]\n", "network.steps");
  fails("[network]\nsteps = 10\n", "network.types");
}

// A [network] config has no workload: every other command refuses it, naming [workload].
TEST(Network, OtherCommandsRefuseANetworkConfig) {
  const auto cfg = network_config(
      "[network]\nsteps = 10\n[[network.types]]\nrate = 1.0\nroute = [0]\nprompts = [1]\n"
      "outputs = [1]\npriorities = [0]\n");
  EXPECT_TRUE(cfg.network_only);
  try {
    (void)build_workload(cfg);
    ADD_FAILURE() << "built a workload";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("workload"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace kvcheck
