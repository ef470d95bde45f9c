// The explicit-state explorer against expectations worked out by hand (issue 19: the fast tier
// must notice a planted bug in checkers/explicit/). Two kinds of test:
//  - graphs written by hand (ExploredGraph filled directly): BFS distances and tree paths, the
//    shortest violation, SCC counts, starvation lassos, maximum cycle ratios and their lassos;
//  - tiny p2_fcfs models whose whole reachable graph is derived in the comments, step by step,
//    and compared state by state and edge by edge with what the explorer builds.
// Nothing here compares the explorer with a second call of itself.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <set>

#include "checkers/explicit/choice_enumerator.h"
#include "checkers/explicit/explorer.h"
#include "checkers/explicit/instability.h"
#include "checkers/explicit/shortest_counterexample.h"
#include "checkers/explicit/starvation.h"
#include "checkers/explicit/state_graph.h"
#include "checkers/explicit/successors.h"
#include "checkers/explicit/witness_trace.h"
#include "counterexamples/itf.h"
#include "counterexamples/replay.h"
#include "io/input_error.h"

namespace kvcheck::explicit_state {
namespace {

// ---------------------------------------------------------------------------------------------
// ChoiceEnumerator: the odometer over a step's picks.

/// A "step" whose first pick is in [lo0, hi0] and whose second pick, asked only when the first
/// is at least 1, is in [0, first]. Returns the picks it saw.
std::vector<std::int64_t> dependent_step(ChoiceSource& c, std::int64_t lo0, std::int64_t hi0) {
  std::vector<std::int64_t> got{c.pick(0, 0, lo0, hi0)};
  if (got[0] >= 1) got.push_back(c.pick(0, 1, 0, got[0]));
  return got;
}

TEST(ChoiceEnumeratorByHand, EnumeratesEveryDependentSequenceInOdometerOrder) {
  // first in [0, 2]; second (asked when first >= 1) in [0, first]:
  //   (0) (1,0) (1,1) (2,0) (2,1) (2,2)
  const std::vector<std::vector<std::int64_t>> expected = {{0},    {1, 0}, {1, 1},
                                                           {2, 0}, {2, 1}, {2, 2}};
  ChoiceEnumerator e;
  std::vector<std::vector<std::int64_t>> seen;
  do {
    const auto got = dependent_step(e, 0, 2);
    EXPECT_EQ(e.picks(), got);
    seen.push_back(got);
    ASSERT_LE(seen.size(), 20U) << "the enumeration does not end";
  } while (e.advance());
  EXPECT_EQ(seen, expected);
}

TEST(ChoiceEnumeratorByHand, RangesNotStartingAtZeroAndAStepWithoutPicks) {
  // one pick in [3, 5]: 3, 4, 5
  ChoiceEnumerator e;
  std::vector<std::int64_t> seen;
  do {
    seen.push_back(e.pick(0, 0, 3, 5));
    ASSERT_LE(seen.size(), 10U);
  } while (e.advance());
  EXPECT_EQ(seen, (std::vector<std::int64_t>{3, 4, 5}));
  // a step that asks nothing runs exactly once
  ChoiceEnumerator none;
  EXPECT_TRUE(none.picks().empty());
  EXPECT_FALSE(none.advance());
  // a one-value range runs once
  ChoiceEnumerator one;
  EXPECT_EQ(one.pick(0, 0, 7, 7), 7);
  EXPECT_FALSE(one.advance());
}

TEST(ChoiceEnumeratorByHand, APrefixOutsideANewRangeRestartsAtItsLow) {
  // the defensive reset: run 1 asks [0, 3] and moves the odometer to 1; run 2 asks [2, 3]
  ChoiceEnumerator e;
  EXPECT_EQ(e.pick(0, 0, 0, 3), 0);
  ASSERT_TRUE(e.advance());
  EXPECT_EQ(e.pick(0, 0, 2, 3), 2);  // 1 < 2: restarts at 2
  ASSERT_TRUE(e.advance());
  EXPECT_EQ(e.pick(0, 0, 0, 1), 0);  // 3 > 1: restarts at 0
}

// ---------------------------------------------------------------------------------------------
// Graphs written by hand.

/// Adds edge u -> v carrying transition t (the id is the next index).
void add_edge(ExploredGraph& g, Vertex u, Vertex v, Transition t = {}) {
  add_transition(g, u, v, std::move(t));
}

/// A graph of n vertices whose states have the given waiting-queue lengths.
ExploredGraph graph_of(const std::vector<std::size_t>& waiting_lengths) {
  ExploredGraph g;
  for (auto n : waiting_lengths) {
    boost::add_vertex(g.g);
    ExplicitState s;
    s.waiting.resize(n);
    g.states.push_back(s);
  }
  return g;
}

Transition violating(std::uint32_t bits) {
  Transition t;
  t.violated = bits;
  return t;
}

Transition drift(std::int64_t arrivals, std::int64_t completions) {
  Transition t;
  t.arrival_count = arrivals;
  t.completions = completions;
  return t;
}

ExploreOptions three_properties() {
  ExploreOptions o;
  o.properties = {PropertyId::KvNoOverflow, PropertyId::Conservation, PropertyId::NoPreemption};
  return o;
}

//   e0: 0 -> 1   e1: 1 -> 2 (violates bits 1, 2)   e2: 0 -> 3   e3: 3 -> 4 (violates bit 2)
//   e4: 2 -> 4 (violates bit 0)   e5: 5 -> 0 (violates bit 0; 5 is unreachable)
// BFS from 0 visits 0's out-edges in insertion order (e0, e2), so distances are
// 0:0 1:1 3:1 2:2 4:2 5:-1, and 4's tree edge is e3 (3 is dequeued before 2).
// Violations with the shallowest source (depth 1): e1 (from 1) and e3 (from 3); the first in
// edge order, e1, is reported, with its lowest failing property (bit 1: conservation).
ExploredGraph violation_graph() {
  auto g = graph_of({0, 0, 0, 0, 0, 0});
  add_edge(g, 0, 1);
  add_edge(g, 1, 2, violating(0b110));
  add_edge(g, 0, 3);
  add_edge(g, 3, 4, violating(0b100));
  add_edge(g, 2, 4, violating(0b001));
  add_edge(g, 5, 0, violating(0b001));
  return g;
}

TEST(ShortestViolationByHand, BfsDistancesAndTreePaths) {
  const auto g = violation_graph();
  const auto t = bfs_tree(g);
  EXPECT_EQ(t.dist, (std::vector<std::int64_t>{0, 1, 2, 1, 2, -1}));
  EXPECT_EQ(path_to(g, t, 0), std::vector<std::uint32_t>{});
  EXPECT_EQ(path_to(g, t, 2), (std::vector<std::uint32_t>{0, 1}));
  EXPECT_EQ(path_to(g, t, 4), (std::vector<std::uint32_t>{2, 3}));
}

TEST(ShortestViolationByHand, ShallowestFirstInEdgeOrderLowestProperty) {
  const auto g = violation_graph();
  const auto w = shortest_violation(g, bfs_tree(g), three_properties());
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(w->edges, (std::vector<std::uint32_t>{0, 1}));
  EXPECT_FALSE(w->loop.has_value());
  EXPECT_EQ(w->property, "conservation");
  EXPECT_EQ(w->kind, PropertyKind::Safety);
  EXPECT_EQ(w->detail, "conservation fails after step 1 (shortest: 2 steps)");
}

TEST(ShortestViolationByHand, AViolationOutOfTheInitialStateIsOneStep) {
  auto g = graph_of({0, 0, 0});
  add_edge(g, 0, 1);
  add_edge(g, 1, 2, violating(0b001));
  add_edge(g, 0, 2, violating(0b100));
  const auto w = shortest_violation(g, bfs_tree(g), three_properties());
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(w->edges, std::vector<std::uint32_t>{2});
  EXPECT_EQ(w->property, "no_preemption");
  EXPECT_EQ(w->detail, "no_preemption fails after step 0 (shortest: 1 steps)");
}

TEST(ShortestViolationByHand, NoViolationAndOnlyUnreachableViolationsGiveNone) {
  auto g = graph_of({0, 0, 0});
  add_edge(g, 0, 1);
  add_edge(g, 1, 1);
  add_edge(g, 2, 0, violating(0b001));  // 2 is unreachable from 0
  EXPECT_FALSE(shortest_violation(g, bfs_tree(g), three_properties()).has_value());
}

//   0 -> 1, 1 -> 2, 2 -> 1, 2 -> 3, 3 -> 3, 4 -> 3
// components {0} {1,2} {3} {4}: 4 in all; non-trivial: {1,2} (a cycle) and {3} (a self-loop).
TEST(SccCountByHand, CyclesAndSelfLoopsAreNontrivial) {
  auto g = graph_of({0, 0, 0, 0, 0});
  add_edge(g, 0, 1);
  add_edge(g, 1, 2);
  add_edge(g, 2, 1);
  add_edge(g, 2, 3);
  add_edge(g, 3, 3);
  add_edge(g, 4, 3);
  const auto c = count_sccs(g);
  EXPECT_EQ(c.total, 4);
  EXPECT_EQ(c.nontrivial, 2);
}

// Starvation: states 0 (empty), 1 and 2 (two waiting each). Product vertices (state, position):
// p0 = (1,0), p1 = (1,1), p2 = (2,0), p3 = (2,1).
//   e0: 0 -> 1  (the queue was empty before the step: no product edge)
//   e1: 1 -> 2  position 0 admitted (-1), position 1 stays at 1, no room for it: p1 -> p3
//   e2: 2 -> 1  position 0 admitted, position 1 stays at 1, room for it:     p3 -> p1 (room)
// The only edge with room inside a cycle is p3 -> p1: the lasso is the BFS path to state 2
// (e0, e1), then e2 and back along e1: edges (0, 1, 2, 1), the cycle starting at index 2.
ExploredGraph starving_graph(bool room_on_the_cycle) {
  auto g = graph_of({0, 2, 2});
  add_edge(g, 0, 1);
  Transition t1;
  t1.waiting_next = {-1, 1};
  t1.capacity = {true, false};
  add_edge(g, 1, 2, t1);
  Transition t2;
  t2.waiting_next = {-1, 1};
  t2.capacity = {true, room_on_the_cycle};
  add_edge(g, 2, 1, t2);
  return g;
}

TEST(StarvationByHand, LassoAroundATwoStepCycleWithRoom) {
  const auto g = starving_graph(true);
  const auto w = find_starvation(g, bfs_tree(g));
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(w->edges, (std::vector<std::uint32_t>{0, 1, 2, 1}));
  ASSERT_TRUE(w->loop.has_value());
  EXPECT_EQ(*w->loop, 2U);
  EXPECT_EQ(w->property, "starvation");
  EXPECT_EQ(w->kind, PropertyKind::Liveness);
  EXPECT_EQ(w->detail,
            "the request at queue position 1 waits forever on a 2-step cycle although the pool "
            "has room for it");
}

TEST(StarvationByHand, NoRoomOnTheCycleOrRoomOffTheCycleIsNotStarvation) {
  const auto g = starving_graph(false);
  EXPECT_FALSE(find_starvation(g, bfs_tree(g)).has_value());
  // room only on an edge that leaves the cycle (1 -> 3, and 3 never comes back)
  auto h = starving_graph(false);
  h.states.push_back(h.states[1]);
  boost::add_vertex(h.g);
  Transition t;
  t.waiting_next = {-1, 0};
  t.capacity = {true, true};
  add_edge(h, 1, 3, t);
  EXPECT_FALSE(find_starvation(h, bfs_tree(h)).has_value());
}

TEST(StarvationByHand, ASelfLoopWithRoomAtTheHead) {
  // 0 -> 1 (arrival), 1 -> 1: the head (position 0) stays at 0 with room
  auto g = graph_of({0, 1});
  add_edge(g, 0, 1);
  Transition t;
  t.waiting_next = {0};
  t.capacity = {true};
  add_edge(g, 1, 1, t);
  const auto w = find_starvation(g, bfs_tree(g));
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(w->edges, (std::vector<std::uint32_t>{0, 1}));
  EXPECT_EQ(*w->loop, 1U);
  EXPECT_NE(w->detail.find("queue position 0 waits forever on a 1-step cycle"), std::string::npos)
      << w->detail;
}

// A saturated start has its queue already full: the initial state's own first edge (edge 0)
// can be the starving cycle. State 0 with one waiting request, e0: 0 -> 0, the head stays at
// position 0 with room: the lasso is that one edge, looping from index 0.
TEST(StarvationByHand, TheInitialStatesFirstEdgeCanBeTheCycle) {
  auto g = graph_of({1});
  Transition t;
  t.waiting_next = {0};
  t.capacity = {true};
  add_edge(g, 0, 0, t);
  const auto w = find_starvation(g, bfs_tree(g));
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(w->edges, (std::vector<std::uint32_t>{0}));
  ASSERT_TRUE(w->loop.has_value());
  EXPECT_EQ(*w->loop, 0U);
}

// The way back around the cycle is a SHORTEST product path. States: 0 empty; A, B, C, D (1..4)
// with one waiting request each, so product vertices p0..p3 = (A..D, position 0). Base edges
// e0: 0 -> A, e1: A -> B, e2: A -> C, e3: B -> C, e4: C -> D, e5: D -> A; the request stays at
// position 0 on each, and only e5 has room for it. The lasso is the BFS path to D (e0, e2, e4:
// A's edges are explored in order, so C is first reached from A), the room edge e5, then back
// from A to D by the shortest way, A -> C -> D (e2, e4), not A -> B -> C -> D (e1, e3, e4).
TEST(StarvationByHand, TheWayBackIsTheShortestProductPath) {
  auto g = graph_of({0, 1, 1, 1, 1});
  add_edge(g, 0, 1);
  Transition stay;
  stay.waiting_next = {0};
  stay.capacity = {false};
  add_edge(g, 1, 2, stay);
  add_edge(g, 1, 3, stay);
  add_edge(g, 2, 3, stay);
  add_edge(g, 3, 4, stay);
  Transition room = stay;
  room.capacity = {true};
  add_edge(g, 4, 1, room);
  const auto w = find_starvation(g, bfs_tree(g));
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(w->edges, (std::vector<std::uint32_t>{0, 2, 4, 5, 2, 4}));
  ASSERT_TRUE(w->loop.has_value());
  EXPECT_EQ(*w->loop, 3U);
  EXPECT_NE(w->detail.find("queue position 0 waits forever on a 3-step cycle"), std::string::npos)
      << w->detail;
}

// Instability: w1 = arrivals - completions, w2 = 1 per edge.
//   e0: 0 -> 1 (+1)   e1: 1 -> 2 (+2)   e2: 2 -> 1 (-1): cycle {1,2}, ratio (2 - 1) / 2 = 0.5
//   e3: 2 -> 3 (0)    e4: 3 -> 3 (+1): self-loop, ratio 1
// The maximum is 1, on e4: lasso = BFS path to 3 (e0, e1, e3), then e4.
TEST(InstabilityByHand, MaximumRatioDownstream) {
  auto g = graph_of({0, 0, 0, 0});
  add_edge(g, 0, 1, drift(1, 0));
  add_edge(g, 1, 2, drift(2, 0));
  add_edge(g, 2, 1, drift(0, 1));
  add_edge(g, 2, 3, drift(0, 0));
  add_edge(g, 3, 3, drift(1, 0));
  const auto r = find_instability(g, bfs_tree(g));
  EXPECT_NEAR(r.max_ratio, 1.0, 1e-12);
  ASSERT_TRUE(r.witness.has_value());
  EXPECT_EQ(r.witness->edges, (std::vector<std::uint32_t>{0, 1, 3, 4}));
  EXPECT_EQ(*r.witness->loop, 3U);
  EXPECT_EQ(r.witness->property, "instability");
  EXPECT_EQ(r.witness->kind, PropertyKind::Liveness);
  EXPECT_EQ(r.witness->detail, "backlog grows by +1.000 requests per iteration on a 1-step cycle");
}

// The larger cycle upstream: e0: 0 -> 0 (+1, ratio 1), e1: 0 -> 1, e2: 1 -> 2 (+2),
// e3: 2 -> 1 (-1): ratio 0.5. The maximum, 1, is the self-loop at the initial state: lasso (e0).
TEST(InstabilityByHand, MaximumRatioUpstream) {
  auto g = graph_of({0, 0, 0});
  add_edge(g, 0, 0, drift(1, 0));
  add_edge(g, 0, 1, drift(0, 0));
  add_edge(g, 1, 2, drift(2, 0));
  add_edge(g, 2, 1, drift(0, 1));
  const auto r = find_instability(g, bfs_tree(g));
  EXPECT_NEAR(r.max_ratio, 1.0, 1e-12);
  ASSERT_TRUE(r.witness.has_value());
  EXPECT_EQ(r.witness->edges, std::vector<std::uint32_t>{0});
  EXPECT_EQ(*r.witness->loop, 0U);
}

// A two-edge critical cycle: e0: 0 -> 1 (0), e1: 1 -> 2 (+3), e2: 2 -> 1 (-1): ratio 1. The
// lasso enters the cycle where it starts: (e0 | e1 e2) or (e0 e1 | e2 e1).
TEST(InstabilityByHand, TwoStepCycleIsOrderedAndClosed) {
  auto g = graph_of({0, 0, 0});
  add_edge(g, 0, 1, drift(0, 0));
  add_edge(g, 1, 2, drift(3, 0));
  add_edge(g, 2, 1, drift(0, 1));
  const auto r = find_instability(g, bfs_tree(g));
  EXPECT_NEAR(r.max_ratio, 1.0, 1e-12);
  ASSERT_TRUE(r.witness.has_value());
  const auto& w = *r.witness;
  const bool a = w.edges == std::vector<std::uint32_t>{0, 1, 2} && *w.loop == 1;
  const bool b = w.edges == std::vector<std::uint32_t>{0, 1, 2, 1} && *w.loop == 2;
  EXPECT_TRUE(a || b) << ::testing::PrintToString(w.edges);
  EXPECT_EQ(w.detail, "backlog grows by +1.000 requests per iteration on a 2-step cycle");
}

// Balanced and shrinking cycles are no witness: e0: 0 -> 1 (+1), e1: 1 -> 2 (+1), e2: 2 -> 1 (-1)
// (ratio 0), e3: 0 -> 3 (0), e4: 3 -> 4 (0), e5: 4 -> 3 (-1) (ratio -0.5). Maximum 0; a graph
// without cycles keeps -infinity. (Two-step cycles: Boost's Howard answers -infinity, with no
// critical cycle, for a lone self-loop of non-positive ratio.)
TEST(InstabilityByHand, NonPositiveCyclesGiveNoWitness) {
  auto g = graph_of({0, 0, 0, 0, 0});
  add_edge(g, 0, 1, drift(1, 0));
  add_edge(g, 1, 2, drift(1, 0));
  add_edge(g, 2, 1, drift(0, 1));
  add_edge(g, 0, 3, drift(0, 0));
  add_edge(g, 3, 4, drift(0, 0));
  add_edge(g, 4, 3, drift(0, 1));
  const auto r = find_instability(g, bfs_tree(g));
  EXPECT_NEAR(r.max_ratio, 0.0, 1e-12);
  EXPECT_FALSE(r.witness.has_value());
  auto acyclic = graph_of({0, 0});
  add_edge(acyclic, 0, 1, drift(5, 0));
  const auto none = find_instability(acyclic, bfs_tree(acyclic));
  EXPECT_TRUE(std::isinf(none.max_ratio) && none.max_ratio < 0);
  EXPECT_FALSE(none.witness.has_value());
}

// witness_workload: saturated, queue_window 3, edges admitting 2 then 1 with 2 then 1 arrivals:
// a backlog of 3 + 2 + 1 = 6 at step 0, then 2 arrivals at step 0 and 1 at step 1 (9 requests).
TEST(WitnessWorkloadByHand, SaturatedBacklogAndArrivals) {
  auto g = graph_of({0, 0, 0});
  auto t0 = drift(2, 0);
  t0.admitted = 2;
  auto t1 = drift(1, 1);
  t1.admitted = 1;
  add_edge(g, 0, 1, t0);
  add_edge(g, 1, 2, t1);
  ExploreOptions o;
  o.mode = ExploreMode::Saturated;
  o.queue_window = 3;
  o.shapes = {{4, 5, 0}};
  Witness w;
  w.edges = {0, 1};
  const auto wl = witness_workload(g, w, o);
  ASSERT_EQ(wl.requests.size(), 9U);
  std::vector<std::int64_t> steps;
  for (const auto& r : wl.requests) {
    steps.push_back(r.arrival_step);
    EXPECT_EQ(r.prompt, 4);
    EXPECT_EQ(r.output, 5);
  }
  EXPECT_EQ(steps, (std::vector<std::int64_t>{0, 0, 0, 0, 0, 0, 0, 0, 1}));
}

TEST(WitnessWorkloadByHand, BoundedArrivalsFollowTheChosenShapes) {
  auto g = graph_of({0, 0, 0});
  Transition t0, t1;
  t0.arrivals = {1, 0};
  t1.arrivals = {1};
  add_edge(g, 0, 1, t0);
  add_edge(g, 1, 2, t1);
  ExploreOptions o;
  o.shapes = {{1, 2, 0}, {3, 4, 1}};
  Witness w;
  w.edges = {0, 1};
  const auto wl = witness_workload(g, w, o);
  ASSERT_EQ(wl.requests.size(), 3U);
  EXPECT_EQ(wl.requests[0].arrival_step, 0);
  EXPECT_EQ(wl.requests[0].prompt, 3);
  EXPECT_EQ(wl.requests[0].klass, 1);
  EXPECT_EQ(wl.requests[1].arrival_step, 0);
  EXPECT_EQ(wl.requests[1].prompt, 1);
  EXPECT_EQ(wl.requests[2].arrival_step, 1);
  EXPECT_EQ(wl.requests[2].output, 4);
}

// ---------------------------------------------------------------------------------------------
// Tiny p2_fcfs models, explored by hand. Block size 1, lookahead 0, one arrival shape
// (prompt 1, output 2). A request admitted in a step takes 1 block for its prompt, finishes the
// prompt and samples its first token (computed 1, generated 1, blocks 1, tokens 1: "R"); the
// next step it decodes its second token (needs a 2nd block) and completes. "W" is a waiting
// request with no progress. p2_fcfs serves the running requests first (LIFO preemption when one
// cannot grow), then admits FCFS while the prompt's block fits.

std::string p2_fcfs_tiny(int num_blocks, const std::string& props, const std::string& explore) {
  return "[engine]\nblock_size = 1\nnum_blocks = " + std::to_string(num_blocks) +
         "\n[policy]\nname = \"p2_fcfs\"\n[workload]\nkind = \"deterministic\"\ncount = 4\n"
         "prompt = 1\noutput = 2\n[check]\nproperties = " + props +
         // the workload envelope these tests explore: any shape up to 8 tokens, any count
         "\n[envelope]\nprompt = [1, 8]\noutput = [1, 8]\nmax_requests = 0\n"
         // a state limit far above these graphs (at most 7 states) but far below the default
         // 200,000: a planted bug that unbounds the arrivals fails at once, not by a timeout
         "[explore]\nprompts = [1]\noutputs = [2]\nmax_states = 64\n" + explore;
}

Config config_of(const std::string& text) { return parse_config(text, "hand.toml"); }

const ResidentRequest kW{1, 2, 0, 0, 0, 0, 0};
const ResidentRequest kR{1, 2, 0, 1, 1, 1, 1};

ExplicitState state(std::int64_t arrived, std::vector<ResidentRequest> waiting,
                    std::vector<ResidentRequest> running) {
  ExplicitState s;
  s.arrived = arrived;
  s.waiting = std::move(waiting);
  s.running = std::move(running);
  return s;
}

// Pool of 2 blocks, up to 2 arrivals per step, 2 requests in all. Discovery order:
//   S0 = (0 arrived, -, -)    [] -> S0   [a] -> S1   [a,a] -> X
//   S1 = (1, -, R)            [] -> S2 (R completes)   [a] -> S3 (R grows to 2 blocks: no room)
//   X  = (2, -, R R)          [] -> S3: the oldest R needs a 2nd block, the pool is full, so the
//                             newest is preempted (no_preemption fails) and re-queued as W
//   S2 = (1, -, -)            [] -> S2   [a] -> S4
//   S3 = (2, W, -)            [] -> S4 (W admitted)
//   S4 = (2, -, R)            [] -> S5
//   S5 = (2, -, -)            [] -> S5
// 7 states, 11 transitions; the one violation is X -> S3, so the shortest counterexample is
// (S0 -[a,a]-> X -> S3): 2 steps, failing after step 1.
const std::string kTwoBlocks =
    p2_fcfs_tiny(2, R"(["kv_no_overflow", "no_preemption"])",
                 "max_arrivals_per_step = 2\nmax_requests = 2\n");

TEST(ExplorerByHand, TwoBlockPoolGraphStateByState) {
  const auto cfg = config_of(kTwoBlocks);
  const auto opts = read_explore_options(cfg);
  const SuccessorGenerator gen(cfg.model, cfg.time, opts);
  const auto g = build_graph(gen, opts.max_states);
  EXPECT_TRUE(g.complete);
  const std::vector<ExplicitState> states = {
      state(0, {}, {}),   state(1, {}, {kR}), state(2, {}, {kR, kR}), state(1, {}, {}),
      state(2, {kW}, {}), state(2, {}, {kR}), state(2, {}, {})};
  EXPECT_EQ(g.states, states);
  // (source, target, arrivals, completions, admitted, violated) per edge, in discovery order
  struct E {
    Vertex u, v;
    std::size_t arrivals;
    std::int64_t completions, admitted;
    std::uint32_t violated;
  };
  const std::vector<E> edges = {{0, 0, 0, 0, 0, 0}, {0, 1, 1, 0, 1, 0}, {0, 2, 2, 0, 2, 0},
                                {1, 3, 0, 1, 0, 0}, {1, 4, 1, 1, 0, 0}, {2, 4, 0, 1, 0, 0b10},
                                {3, 3, 0, 0, 0, 0}, {3, 5, 1, 0, 1, 0}, {4, 5, 0, 0, 1, 0},
                                {5, 6, 0, 1, 0, 0}, {6, 6, 0, 0, 0, 0}};
  ASSERT_EQ(g.edges.size(), edges.size());
  for (std::size_t i = 0; i < edges.size(); ++i) {
    SCOPED_TRACE("edge " + std::to_string(i));
    EXPECT_EQ(g.edge_source[i], edges[i].u);
    EXPECT_EQ(g.edge_target[i], edges[i].v);
    EXPECT_EQ(g.edges[i].arrivals.size(), edges[i].arrivals);
    EXPECT_EQ(g.edges[i].arrival_count, static_cast<std::int64_t>(edges[i].arrivals));
    EXPECT_EQ(g.edges[i].completions, edges[i].completions);
    EXPECT_EQ(g.edges[i].admitted, edges[i].admitted);
    EXPECT_EQ(g.edges[i].violated, edges[i].violated);
    EXPECT_TRUE(g.edges[i].picks.empty());  // p2_fcfs has no choose()
  }
  // S3 -> S4: W (position 0) had room (2 free blocks) and left the queue
  EXPECT_EQ(g.edges[8].waiting_next, std::vector<std::int32_t>{-1});
  EXPECT_EQ(g.edges[8].capacity, std::vector<bool>{true});
  // edge weights: arrivals - completions
  std::vector<double> w1;
  for (auto [e, end] = boost::edges(g.g); e != end; ++e) w1.push_back(g.g[*e].w1);
  std::sort(w1.begin(), w1.end());
  EXPECT_EQ(w1, (std::vector<double>{-1, -1, -1, 0, 0, 0, 0, 0, 1, 1, 2}));
}

TEST(ExplorerByHand, TwoBlockPoolVerdictAndReplayedCounterexample) {
  const auto cfg = config_of(kTwoBlocks);
  const auto r = explore(cfg, read_explore_options(cfg));
  // The safety pass stops in layer 1 at X's first transition: S0's 3 transitions store S1 and
  // X, S1's 2 store S2 and S3, X's one (X -> S3) violates. S4 and S5 are never reached, and no
  // graph is built (no SCC counts, no starvation analysis).
  EXPECT_EQ(r.states, 5);
  EXPECT_EQ(r.transitions, 6);
  EXPECT_FALSE(r.complete);
  EXPECT_FALSE(r.graph);
  EXPECT_EQ(r.sccs, 0);
  ASSERT_TRUE(r.safety.has_value());
  EXPECT_FALSE(r.starvation.has_value());
  EXPECT_EQ(r.verdict.kind, VerdictKind::Violated);
  EXPECT_EQ(r.verdict.depth, 1);
  EXPECT_EQ(to_exit_code(r.verdict), ExitCode::SafetyViolation);
  const auto& w = r.safety->witness;
  EXPECT_EQ(w.edges, (std::vector<std::uint32_t>{0, 1}));  // the path's own two edges
  EXPECT_EQ(w.property, "no_preemption");
  EXPECT_EQ(w.detail, "no_preemption fails after step 1 (shortest: 2 steps)");
  // the re-recorded trace: two requests at step 0; after step 0 both run (1 block each);
  // after step 1 request 0 has completed and request 1 was preempted back to the queue
  const auto& t = r.safety->trace;
  EXPECT_EQ(t.meta.source, "explore");
  EXPECT_EQ(t.meta.violated_property, "no_preemption");
  EXPECT_EQ(t.meta.violation_step, 1);
  EXPECT_FALSE(t.loop.has_value());
  ASSERT_EQ(t.workload.requests.size(), 2U);
  for (const auto& q : t.workload.requests) {
    EXPECT_EQ(q.arrival_step, 0);
    EXPECT_EQ(q.prompt, 1);
    EXPECT_EQ(q.output, 2);
  }
  ASSERT_EQ(t.states.size(), 2U);
  EXPECT_EQ(t.states[0].running, (std::vector<std::int32_t>{0, 1}));
  EXPECT_EQ(t.states[0].used_blocks, 2);
  EXPECT_EQ(t.states[1].completed, std::vector<std::int32_t>{0});
  EXPECT_EQ(t.states[1].preempted, std::vector<std::int32_t>{1});
  EXPECT_EQ(t.states[1].waiting, std::vector<std::int32_t>{1});
  EXPECT_TRUE(t.states[1].running.empty());
}

TEST(ExplorerByHand, TraceMatchesRejectsEveryKindOfMismatch) {
  const auto cfg = config_of(kTwoBlocks);
  const auto opts = read_explore_options(cfg);
  const SuccessorGenerator gen(cfg.model, cfg.time, opts);
  const auto g = build_graph(gen, opts.max_states);
  Witness w;
  w.edges = {2, 5};
  w.property = "no_preemption";
  const auto t = witness_trace(g, w, cfg, opts);
  std::string why;
  EXPECT_TRUE(trace_matches(t, g, w, opts, why)) << why;
  auto shorter = t;
  shorter.states.pop_back();
  EXPECT_FALSE(trace_matches(shorter, g, w, opts, why));
  EXPECT_EQ(why, "replay ran 1 steps, the witness has 2");
  auto edited = t;
  edited.states[0].requests[0].computed += 1;
  EXPECT_FALSE(trace_matches(edited, g, w, opts, why));
  EXPECT_EQ(why, "replayed state after step 0 differs from the explored one");
  auto other = t;
  other.meta.violated_property = "kv_no_overflow";
  EXPECT_FALSE(trace_matches(other, g, w, opts, why));
  EXPECT_EQ(why, "replay does not fail no_preemption at step 1");
  auto later = t;
  later.meta.violation_step = 0;
  EXPECT_FALSE(trace_matches(later, g, w, opts, why));
  // a lasso is not judged by the recorded property
  auto lasso = w;
  lasso.loop = 1;
  EXPECT_TRUE(trace_matches(other, g, lasso, opts, why)) << why;
}

// witness_trace replays exactly the witness's steps and judges nothing the witness does not:
// idle steps are not a stall. p2_wait with threshold 2 never admits a lone request of its type.
// Witness (a hand graph; witness_trace reads only the edges' arrivals and picks): one arrival
// of (2, 3) at step 0, then three edges without arrivals. Replay: after step 0 request 0 waits
// (it arrived: progress); steps 1, 2, 3 run nothing and admit nothing (3 idle steps in a row,
// the whole rest of the witness). Nothing is violated and the witness has no loop, so the
// trace is "ok" with 4 states, request 0 waiting in each, and no violated property.
TEST(WitnessTraceByHand, IdleStepsToTheEndAreNotAStall) {
  const auto cfg = config_of(R"([engine]
block_size = 1
num_blocks = 8
[policy]
name = "p2_wait"
[[classes]]
name = "t"
prompt = 2
output = 3
threshold = 2
[workload]
kind = "deterministic"
count = 1
prompt = 2
output = 3
[check]
properties = ["kv_no_overflow"]
)");
  ExploreOptions opts;
  opts.properties = {PropertyId::KvNoOverflow};
  opts.shapes = {{2, 3, 0}};
  auto g = graph_of({0, 1});
  g.states[1].waiting = {ResidentRequest{2, 3, 0, 0, 0, 0, 0}};
  Transition arrive;
  arrive.arrivals = {0};
  arrive.arrival_count = 1;
  add_edge(g, 0, 1, arrive);
  add_edge(g, 1, 1);
  Witness w;
  w.edges = {0, 1, 1, 1};
  w.property = "kv_no_overflow";
  const auto t = witness_trace(g, w, cfg, opts);
  ASSERT_EQ(t.states.size(), 4U);
  for (const auto& s : t.states) {
    EXPECT_EQ(s.waiting, std::vector<std::int32_t>{0});
    EXPECT_TRUE(s.running.empty());
  }
  EXPECT_EQ(t.meta.status, "ok");
  EXPECT_EQ(t.meta.violated_property, "");
  EXPECT_EQ(t.meta.depth, 4);
  EXPECT_FALSE(t.loop.has_value());
  // every replayed state is the graph's; as a safety witness it is refused for its verdict
  std::string why;
  EXPECT_FALSE(trace_matches(t, g, w, opts, why));
  EXPECT_EQ(why, "replay does not fail kv_no_overflow at step 3");
  auto lasso = w;
  lasso.loop = 1;
  EXPECT_TRUE(trace_matches(t, g, lasso, opts, why)) << why;
}

// The idle limit of a replay is one past the witness's length, so no witness replay can stall:
// a 1-edge witness whose only arrival is a request too large for the pool (prompt 8 + output 3
// - 1 = 10 tokens > 8 blocks of 1 token: rejected at arrival). Replay: step 0 rejects it; a
// rejection is not progress (nothing arrives into the queue, nothing runs), so that iteration
// is idle: 1 idle iteration, the whole witness, against a limit of 1 + 1 = 2: not a stall. All
// requests are rejected, so the run ends there: status "ok", 1 state, nothing violated.
TEST(WitnessTraceByHand, AnIdleFirstIterationIsNotAStall) {
  const auto cfg = config_of(R"([engine]
block_size = 1
num_blocks = 8
[policy]
name = "p2_wait"
[[classes]]
name = "t"
prompt = 2
output = 3
threshold = 2
[workload]
kind = "deterministic"
count = 1
prompt = 2
output = 3
[check]
properties = ["kv_no_overflow"]
)");
  ExploreOptions opts;
  opts.properties = {PropertyId::KvNoOverflow};
  opts.shapes = {{8, 3, 0}};
  auto g = graph_of({0, 0});
  Transition arrive;
  arrive.arrivals = {0};
  arrive.arrival_count = 1;
  add_edge(g, 0, 1, arrive);
  Witness w;
  w.edges = {0};
  w.property = "kv_no_overflow";
  const auto t = witness_trace(g, w, cfg, opts);
  EXPECT_EQ(t.meta.status, "ok");
  EXPECT_EQ(t.meta.violated_property, "");
  ASSERT_EQ(t.states.size(), 1U);
  EXPECT_TRUE(t.states[0].waiting.empty());
  EXPECT_TRUE(t.states[0].running.empty());
}

// The same pool with at least one arrival per step (while arrivals are allowed):
//   S0: [a] -> S1, [a,a] -> X     S1: [a] -> S3     X: [] -> S3     S3: [] -> S4
//   S4: [] -> S5     S5: [] -> S5          6 states, 7 transitions
TEST(ExplorerByHand, MinimumArrivalsPerStep) {
  const auto cfg = config_of(p2_fcfs_tiny(2, R"(["kv_no_overflow"])",
                                          "min_arrivals_per_step = 1\nmax_arrivals_per_step = 2\n"
                                          "max_requests = 2\n"));
  const auto r = explore(cfg, read_explore_options(cfg));
  EXPECT_EQ(r.states, 6);
  EXPECT_EQ(r.transitions, 7);
  EXPECT_EQ(r.verdict.kind, VerdictKind::Proved) << r.verdict.reason;
  EXPECT_EQ(r.verdict.reason, "whole reachable graph explored (6 states) within the configured bounds");
  EXPECT_EQ(to_exit_code(r.verdict), ExitCode::Ok);
}

// Queue bound instead of an arrival bound (arrivals uncounted), one arrival per step at most,
// at most 1 waiting:   T0 = (-, -): [] -> T0, [a] -> T1     T1 = (-, R): [] -> T0, [a] -> T2
//   T2 = (W, -): the queue is full, [] -> T1.     3 states, 5 transitions, one component.
TEST(ExplorerByHand, QueueBoundWithoutArrivalBound) {
  const auto cfg = config_of(p2_fcfs_tiny(2, R"(["kv_no_overflow", "no_preemption"])",
                                          "max_requests = 0\nmax_waiting = 1\n"));
  const auto opts = read_explore_options(cfg);
  EXPECT_EQ(opts.max_requests, 0);
  EXPECT_EQ(opts.max_waiting, 1);
  const SuccessorGenerator gen(cfg.model, cfg.time, opts);
  const auto g = build_graph(gen, opts.max_states);
  EXPECT_EQ(g.states, (std::vector<ExplicitState>{state(0, {}, {}), state(0, {}, {kR}),
                                                  state(0, {kW}, {})}));
  EXPECT_EQ(g.edges.size(), 5U);
  const auto r = explore(cfg, opts);
  EXPECT_EQ(r.sccs, 1);
  EXPECT_EQ(r.nontrivial_sccs, 1);
  EXPECT_EQ(r.verdict.kind, VerdictKind::Proved) << r.verdict.reason;
}

TEST(ExplorerByHand, StateLimitStopsAtTheLimit) {
  const auto cfg = config_of(kTwoBlocks);
  auto opts = read_explore_options(cfg);
  opts.max_states = 3;  // S0, S1, X; X's successor S3 would be the 4th
  const SuccessorGenerator gen(cfg.model, cfg.time, opts);
  const auto g = build_graph(gen, opts.max_states);
  EXPECT_FALSE(g.complete);
  EXPECT_EQ(g.states.size(), 3U);
  opts.max_states = 7;  // exactly the reachable graph: complete
  EXPECT_TRUE(build_graph(gen, opts.max_states).complete);
  opts.analyses = {false, true, true};  // safety off: the state limit decides
  opts.max_states = 3;
  const auto r = explore(cfg, opts);
  EXPECT_EQ(r.verdict.kind, VerdictKind::Unknown);
  EXPECT_EQ(r.verdict.reason, "state limit reached after 3 states");
}

// expand() on states written by hand (2 requests already arrived, max_requests 2: no arrival).
TEST(SuccessorsByHand, WaitingRequestWithRoomThatTheRunningOneTakes) {
  // pool 2: R holds 1 block, W waits. At the step's start W has room (1 free >= 1), but R grows
  // first to 2 blocks, so W stays at position 0; R completes.
  const auto cfg = config_of(kTwoBlocks);
  const auto opts = read_explore_options(cfg);
  const SuccessorGenerator gen(cfg.model, cfg.time, opts);
  std::vector<Transition> out;
  gen.expand(state(2, {kW}, {kR}), out);
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(out[0].waiting_next, std::vector<std::int32_t>{0});
  EXPECT_EQ(out[0].capacity, std::vector<bool>{true});
  EXPECT_EQ(out[0].completions, 1);
  EXPECT_EQ(out[0].admitted, 0);
  EXPECT_EQ(out[0].next, state(2, {kW}, {}));
  // R holding both blocks: no room for W at the start
  auto full = kR;
  full.blocks = full.tokens = 2;
  out.clear();
  gen.expand(state(2, {kW}, {full}), out);
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(out[0].capacity, std::vector<bool>{false});
}

TEST(SuccessorsByHand, FirstOfTwoWaitingAdmittedSecondMovesToTheHead) {
  // pool 3: R (1 block) grows to 2, W1 takes the 3rd block, W2 has none left; R completes.
  const auto cfg = config_of(p2_fcfs_tiny(3, R"(["kv_no_overflow"])", "max_requests = 3\n"));
  const auto opts = read_explore_options(cfg);
  const SuccessorGenerator gen(cfg.model, cfg.time, opts);
  std::vector<Transition> out;
  gen.expand(state(3, {kW, kW}, {kR}), out);
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(out[0].waiting_next, (std::vector<std::int32_t>{-1, 0}));
  EXPECT_EQ(out[0].capacity, (std::vector<bool>{true, true}));
  EXPECT_EQ(out[0].admitted, 1);
  EXPECT_EQ(out[0].completions, 1);
  EXPECT_EQ(out[0].next, state(3, {kW}, {kR}));
}

TEST(SuccessorsByHand, ARunningSlotLimitMeansNoRoom) {
  // max_num_seqs = 1 and one running: W has blocks but no slot
  auto text = kTwoBlocks;
  text.replace(text.find("num_blocks = 2"), 14, "num_blocks = 4\nmax_num_seqs = 1");
  const auto cfg = config_of(text);
  const auto opts = read_explore_options(cfg);
  const SuccessorGenerator gen(cfg.model, cfg.time, opts);
  std::vector<Transition> out;
  gen.expand(state(2, {kW}, {kR}), out);
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(out[0].capacity, std::vector<bool>{false});
  EXPECT_EQ(out[0].waiting_next, std::vector<std::int32_t>{0});
}

TEST(SuccessorsByHand, ArrivalChoicesOverTwoShapes) {
  // shapes (1,1) and (1,2) [prompts x outputs], up to 2 arrivals, 3 requests in all. From the
  // initial state: [], [0], [1], [0,0], [0,1], [1,0], [1,1] (7); after 2 arrivals only [], [0],
  // [1] (3); with min 1 and 1 left: [0], [1] (2); with none left and min 1: [] (1).
  auto text = p2_fcfs_tiny(8, R"(["kv_no_overflow"])",
                           "max_arrivals_per_step = 2\nmax_requests = 3\n");
  text.replace(text.find("outputs = [2]"), 13, "outputs = [1, 2]");
  const auto cfg = config_of(text);
  auto opts = read_explore_options(cfg);
  ASSERT_EQ(opts.shapes.size(), 2U);
  const auto arrivals_of = [&](const ExplicitState& s) {
    const SuccessorGenerator gen(cfg.model, cfg.time, opts);
    std::vector<Transition> out;
    gen.expand(s, out);
    std::vector<std::vector<std::int32_t>> a;
    for (const auto& t : out) a.push_back(t.arrivals);
    return a;
  };
  using A = std::vector<std::vector<std::int32_t>>;
  EXPECT_EQ(arrivals_of(state(0, {}, {})), (A{{}, {0}, {1}, {0, 0}, {0, 1}, {1, 0}, {1, 1}}));
  EXPECT_EQ(arrivals_of(state(2, {}, {})), (A{{}, {0}, {1}}));
  opts.min_arrivals = 1;
  EXPECT_EQ(arrivals_of(state(2, {}, {})), (A{{0}, {1}}));
  EXPECT_EQ(arrivals_of(state(3, {}, {})), (A{{}}));
  // a queue bound of 2 with one waiting leaves room for one arrival
  opts.min_arrivals = 0;
  opts.max_requests = 0;
  opts.max_waiting = 2;
  EXPECT_EQ(arrivals_of(state(0, {kW}, {})), (A{{}, {0}, {1}}));
  EXPECT_EQ(arrivals_of(state(0, {kW, kW}, {})), (A{{}}));
  // one request in all: at most 1 - 0 = 1 arrives from the initial state, none after it
  opts.max_waiting = 0;
  opts.max_requests = 1;
  EXPECT_EQ(arrivals_of(state(0, {}, {})), (A{{}, {0}, {1}}));
  EXPECT_EQ(arrivals_of(state(1, {}, {})), (A{{}}));
}

// Saturated mode, pool 2, window 3 fresh (1,2) requests, 1 arrival per step:
//   E = (no running): 2 of the window are admitted (blocks 1 + 1; the 3rd has none) -> Y = (R R),
//       +1 arrival, 0 completions
//   Y: the oldest R needs a 2nd block, the newest is preempted back to the backlog, the oldest
//       completes -> E, +1 arrival, 1 completion
// Cycle E -> Y -> E: backlog +1 +0 over 2 iterations: ratio 0.5 > 0: unstable.
// With 1 or 2 arrivals per step every edge is doubled; the worst cycle takes 2 arrivals on both
// edges: (2 + 1) / 2 = 1.5.
std::string saturated_tiny(int min_arrivals, int max_arrivals, const std::string& extra) {
  return p2_fcfs_tiny(2, R"(["kv_no_overflow"])",
                      "mode = \"saturated\"\nqueue_window = 3\nmin_arrivals_per_step = " +
                          std::to_string(min_arrivals) + "\nmax_arrivals_per_step = " +
                          std::to_string(max_arrivals) + "\n" + extra);
}

TEST(ExplorerByHand, SaturatedCycleGrowsHalfARequestPerIteration) {
  const auto cfg = config_of(saturated_tiny(1, 1, ""));
  const auto r = explore(cfg, read_explore_options(cfg));
  EXPECT_EQ(r.states, 2);
  EXPECT_EQ(r.transitions, 2);
  EXPECT_FALSE(r.window_exhausted);
  ASSERT_TRUE(r.max_cycle_ratio.has_value());
  EXPECT_NEAR(*r.max_cycle_ratio, 0.5, 1e-9);
  ASSERT_TRUE(r.instability.has_value());
  const auto& w = r.instability->witness;
  ASSERT_TRUE(w.loop.has_value());
  EXPECT_EQ(w.edges.size() - *w.loop, 2U);
  EXPECT_EQ(w.detail, "backlog grows by +0.500 requests per iteration on a 2-step cycle");
  EXPECT_EQ(r.verdict.kind, VerdictKind::Violated) << r.verdict.reason;
  EXPECT_EQ(r.verdict.depth, static_cast<std::int64_t>(w.edges.size()) - 1);
  EXPECT_EQ(to_exit_code(r.verdict), ExitCode::LivenessViolation);
  const auto& t = r.instability->trace;
  ASSERT_TRUE(t.loop.has_value());
  EXPECT_EQ(*t.loop, static_cast<std::int64_t>(*w.loop));
  EXPECT_EQ(t.meta.status, "violated");
  EXPECT_EQ(t.meta.violated_property, "instability");
  EXPECT_EQ(t.meta.violation_step, static_cast<std::int64_t>(w.edges.size()) - 1);
  // backlog: the window (3) plus one per admission on the path, then one arrival per step
  std::int64_t admitted = 0;
  for (const auto& s : t.states) admitted += static_cast<std::int64_t>(s.admitted.size());
  EXPECT_EQ(static_cast<std::int64_t>(t.workload.requests.size()),
            3 + admitted + static_cast<std::int64_t>(w.edges.size()));
}

TEST(ExplorerByHand, SaturatedArrivalCountsCopyEveryStep) {
  const auto cfg = config_of(saturated_tiny(1, 2, ""));
  const auto r = explore(cfg, read_explore_options(cfg));
  EXPECT_EQ(r.states, 2);
  EXPECT_EQ(r.transitions, 4);
  ASSERT_TRUE(r.max_cycle_ratio.has_value());
  EXPECT_NEAR(*r.max_cycle_ratio, 1.5, 1e-9);
  // no arrivals at all: the backlog only shrinks (E -> Y 0, Y -> E -1)
  const auto none = config_of(saturated_tiny(0, 0, ""));
  const auto q = explore(none, read_explore_options(none));
  ASSERT_TRUE(q.max_cycle_ratio.has_value());
  EXPECT_NEAR(*q.max_cycle_ratio, -0.5, 1e-9);
  EXPECT_FALSE(q.instability.has_value());
  EXPECT_EQ(q.verdict.kind, VerdictKind::Proved) << q.verdict.reason;
}

TEST(ExplorerByHand, SaturatedWindowAdmittedWholeIsUnknown) {
  // window 3, 2 admitted per step at most: not exhausted (safety only: proved)
  const auto ok = config_of(saturated_tiny(1, 1, "analyses = [\"safety\"]\n"));
  const auto a = explore(ok, read_explore_options(ok));
  EXPECT_FALSE(a.window_exhausted);
  EXPECT_FALSE(a.max_cycle_ratio.has_value());  // the instability analysis did not run
  EXPECT_EQ(a.verdict.kind, VerdictKind::Proved) << a.verdict.reason;
  // window 2: both are admitted at once
  auto text = saturated_tiny(1, 1, "analyses = [\"safety\"]\n");
  text.replace(text.find("queue_window = 3"), 16, "queue_window = 2");
  const auto small = config_of(text);
  const auto b = explore(small, read_explore_options(small));
  EXPECT_TRUE(b.window_exhausted);
  EXPECT_EQ(b.verdict.kind, VerdictKind::Unknown);
  EXPECT_EQ(b.verdict.reason,
            "saturated mode: a step admitted the whole queue window; raise explore.queue_window");
}

TEST(ExplorerByHand, SafetyIsReportedBeforeInstability) {
  // the saturated cycle preempts on Y -> E: with no_preemption both analyses would find
  // something; the safety pass ends the run at the shortest violation (E -> Y -> E, failing
  // after step 1), so the instability analysis does not run
  auto text = saturated_tiny(1, 1, "");
  text.replace(text.find(R"(["kv_no_overflow"])"), 18, R"(["no_preemption"])");
  const auto cfg = config_of(text);
  const auto r = explore(cfg, read_explore_options(cfg));
  ASSERT_TRUE(r.safety.has_value());
  EXPECT_FALSE(r.instability.has_value());
  EXPECT_FALSE(r.max_cycle_ratio.has_value());
  EXPECT_EQ(r.verdict.kind, VerdictKind::Violated);
  EXPECT_EQ(r.verdict.property_kind, PropertyKind::Safety);
  EXPECT_EQ(r.verdict.depth, 1);
  EXPECT_EQ(to_exit_code(r.verdict), ExitCode::SafetyViolation);
}

// ---------------------------------------------------------------------------------------------
// The [explore] reader: documented defaults (docs/explorer.md) and the limits of each field.

const std::string kClasses = R"([engine]
block_size = 1
num_blocks = 8
[policy]
name = "p2_fcfs"
[[classes]]
name = "a"
prompt = 1
output = 2
[[classes]]
name = "b"
prompt = 3
output = 1
[workload]
kind = "class_mix"
count = 4
[check]
properties = ["kv_no_overflow", "conservation"]
[envelope]
max_requests = 0
)";

TEST(ExploreOptionsByHand, BoundedDefaults) {
  const auto o = read_explore_options(config_of(kClasses));
  EXPECT_EQ(o.mode, ExploreMode::Bounded);
  EXPECT_EQ(o.min_arrivals, 0);
  EXPECT_EQ(o.max_arrivals, 1);
  EXPECT_EQ(o.max_requests, 3);
  EXPECT_EQ(o.max_waiting, 0);
  EXPECT_EQ(o.queue_window, 0);
  EXPECT_EQ(o.max_states, 200000);
  EXPECT_EQ(o.shapes, (std::vector<ArrivalShape>{{1, 2, 0}, {3, 1, 1}}));
  EXPECT_EQ(o.properties,
            (std::vector<PropertyId>{PropertyId::KvNoOverflow, PropertyId::Conservation}));
  EXPECT_TRUE(o.analyses.safety && o.analyses.starvation && o.analyses.instability);
}

/// Classless, with an envelope of lengths 1..4 that explore.prompts / outputs pick from.
const std::string kClasslessWide = R"([engine]
block_size = 1
num_blocks = 8
[policy]
name = "p2_fcfs"
[workload]
kind = "deterministic"
count = 4
[check]
properties = ["kv_no_overflow", "conservation"]
[envelope]
prompt = [1, 4]
output = [1, 4]
max_requests = 0
)";

TEST(ExploreOptionsByHand, PromptsTimesOutputsPropertiesAndAnalyses) {
  const auto o = read_explore_options(config_of(
      kClasslessWide + "[explore]\nprompts = [1, 2]\noutputs = [3, 4]\nproperties = [\"no_preemption\"]\n"
                 "analyses = [\"starvation\"]\n"));
  EXPECT_EQ(o.shapes, (std::vector<ArrivalShape>{{1, 3, 0}, {1, 4, 0}, {2, 3, 0}, {2, 4, 0}}));
  EXPECT_EQ(o.properties, std::vector<PropertyId>{PropertyId::NoPreemption});
  EXPECT_FALSE(o.analyses.safety);
  EXPECT_TRUE(o.analyses.starvation);
  EXPECT_FALSE(o.analyses.instability);
  const auto s = read_explore_options(config_of(kClasses + "[explore]\nanalyses = [\"safety\"]\n"));
  EXPECT_TRUE(s.analyses.safety);
  EXPECT_FALSE(s.analyses.starvation);
  const auto i =
      read_explore_options(config_of(kClasses + "[explore]\nanalyses = [\"instability\"]\n"));
  EXPECT_TRUE(i.analyses.instability);
  EXPECT_FALSE(i.analyses.safety);
}

TEST(ExploreOptionsByHand, SaturatedDefaults) {
  const auto o = read_explore_options(
      config_of(kClasslessWide + "[explore]\nmode = \"saturated\"\nprompts = [2]\noutputs = [2]\n"));
  EXPECT_EQ(o.mode, ExploreMode::Saturated);
  EXPECT_EQ(o.max_requests, 0);
  EXPECT_EQ(o.queue_window, 9);  // num_blocks + 1
  // what it covers of the envelope: a saturated queue has no request count (0 = unbounded)
  const auto c = explore_coverage(o);
  EXPECT_EQ(c.max_requests, 0);
  EXPECT_EQ(c.max_arrivals_per_step, 1);
}

// Bounded: the coverage states the explorer's own request and arrival bounds.
TEST(ExploreOptionsByHand, BoundedCoverageIsTheExplorersBounds) {
  const auto c = explore_coverage(read_explore_options(config_of(kClasses)));
  EXPECT_EQ(c.max_requests, 3);
  EXPECT_EQ(c.max_arrivals_per_step, 1);
}

// Without explore.prompts / outputs every shape of the envelope is an arrival choice, at most
// 64 of them (explore_options.cpp): prompts 1..16 x outputs 1..4 = 64 shapes are read,
// prompts 1..13 x outputs 1..5 = 65 are the one-line error naming explore.prompts.
TEST(ExploreOptionsByHand, AtMost64DefaultShapes) {
  const auto wide = [](int prompts, int outputs) {
    return "[engine]\nblock_size = 1\nnum_blocks = 32\n[policy]\nname = \"p2_fcfs\"\n"
           "[workload]\nkind = \"deterministic\"\ncount = 4\n"
           "[check]\nproperties = [\"kv_no_overflow\"]\n[envelope]\nprompt = [1, " +
           std::to_string(prompts) + "]\noutput = [1, " + std::to_string(outputs) +
           "]\nmax_requests = 0\n";
  };
  EXPECT_EQ(read_explore_options(config_of(wide(16, 4))).shapes.size(), 64U);
  try {
    (void)read_explore_options(config_of(wide(13, 5)));
    ADD_FAILURE() << "65 default shapes were accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), "explore.prompts");
    EXPECT_NE(e.reason().find("more than 64 request shapes"), std::string::npos) << e.reason();
  }
}

bool accepted(const std::string& text) {
  try {
    (void)read_explore_options(config_of(text));
    return true;
  } catch (const InputError& e) {
    EXPECT_EQ(e.code(), ExitCode::ConfigError);
    return false;
  }
}

TEST(ExploreOptionsByHand, EachFieldAtAndPastItsLimits) {
  const auto with = [](const std::string& lines) { return kClasses + "[explore]\n" + lines; };
  // min_arrivals_per_step, max_arrivals_per_step, max_requests, max_waiting: [0, 64]
  // with one shape the schema's 64 is the limit; with kClasses' two shapes, 2^k arrival
  // sequences of length k are enumerated per state, at most 10^6: k = 19 (524,288) is the most
  const auto one_shape = [](const std::string& lines) {
    return kClasses + "[explore]\nprompts = [1]\noutputs = [2]\n" + lines;
  };
  EXPECT_TRUE(accepted(one_shape("max_arrivals_per_step = 64\n")));
  EXPECT_FALSE(accepted(with("max_arrivals_per_step = 65\n")));
  EXPECT_TRUE(accepted(one_shape("min_arrivals_per_step = 64\nmax_arrivals_per_step = 64\n")));
  EXPECT_TRUE(accepted(with("max_arrivals_per_step = 19\n")));
  EXPECT_FALSE(accepted(with("max_arrivals_per_step = 20\n")));
  EXPECT_FALSE(accepted(with("min_arrivals_per_step = 65\nmax_arrivals_per_step = 64\n")));
  EXPECT_TRUE(accepted(with("min_arrivals_per_step = 0\n")));
  EXPECT_FALSE(accepted(with("max_arrivals_per_step = -1\n")));
  EXPECT_TRUE(accepted(with("max_requests = 64\n")));
  EXPECT_FALSE(accepted(with("max_requests = 65\n")));
  EXPECT_FALSE(accepted(with("max_requests = -1\n")));
  EXPECT_TRUE(accepted(with("max_waiting = 64\n")));
  EXPECT_FALSE(accepted(with("max_waiting = 65\n")));
  EXPECT_FALSE(accepted(with("max_waiting = -1\n")));
  // max_states: [1, 10^7]
  EXPECT_TRUE(accepted(with("max_states = 1\n")));
  EXPECT_FALSE(accepted(with("max_states = 0\n")));
  EXPECT_TRUE(accepted(with("max_states = 10000000\n")));
  EXPECT_FALSE(accepted(with("max_states = 10000001\n")));
  // queue_window: [0, 4096]
  EXPECT_TRUE(accepted(with("queue_window = 4096\n")));
  EXPECT_FALSE(accepted(with("queue_window = 4097\n")));
  EXPECT_FALSE(accepted(with("queue_window = -1\n")));
  // min <= max
  EXPECT_TRUE(accepted(with("min_arrivals_per_step = 2\nmax_arrivals_per_step = 2\n")));
  EXPECT_FALSE(accepted(with("min_arrivals_per_step = 2\nmax_arrivals_per_step = 1\n")));
  // bounded mode needs a bound unless nothing ever arrives
  EXPECT_FALSE(accepted(with("max_requests = 0\n")));
  EXPECT_TRUE(accepted(with("max_requests = 0\nmax_waiting = 1\n")));
  EXPECT_TRUE(accepted(with("max_requests = 0\nmax_arrivals_per_step = 0\n")));
  // shapes: prompts and outputs together
  EXPECT_FALSE(accepted(with("prompts = [1]\n")));
  EXPECT_FALSE(accepted(with("outputs = [1]\n")));
  EXPECT_FALSE(accepted(with("properties = [\"nope\"]\n")));
}

TEST(ExploreOptionsByHand, SaturatedModeChecks) {
  const auto sat = [](int num_blocks, const std::string& lines) {
    return "[engine]\nblock_size = 1\nnum_blocks = " + std::to_string(num_blocks) +
           "\n[policy]\nname = \"p2_fcfs\"\n[workload]\nkind = \"deterministic\"\ncount = 1\n"
           "[check]\nproperties = [\"kv_no_overflow\"]\n"
           "[envelope]\nprompt = [1, 8]\noutput = [1, 8]\nmax_requests = 0\n"
           "[explore]\nmode = \"saturated\"\n" +
           lines;
  };
  // exactly one shape
  EXPECT_TRUE(accepted(sat(8, "prompts = [1]\noutputs = [2]\n")));
  EXPECT_FALSE(accepted(sat(8, "prompts = [1]\noutputs = [2, 3]\n")));
  // a shape the engine can serve: prompt + output - 1 <= 8 blocks
  EXPECT_TRUE(accepted(sat(8, "prompts = [4]\noutputs = [5]\n")));
  EXPECT_FALSE(accepted(sat(8, "prompts = [4]\noutputs = [6]\n")));
  // the default window num_blocks + 1 must stay <= 4096
  EXPECT_TRUE(accepted(sat(4095, "prompts = [1]\noutputs = [1]\n")));
  EXPECT_FALSE(accepted(sat(4096, "prompts = [1]\noutputs = [1]\n")));
  EXPECT_TRUE(accepted(sat(4096, "prompts = [1]\noutputs = [1]\nqueue_window = 5\n")));
  const auto o = read_explore_options(config_of(sat(4095, "prompts = [1]\noutputs = [1]\n")));
  EXPECT_EQ(o.queue_window, 4096);
}

// vllm_priority orders by arrival, so the explorer keeps the residents' arrival order in the
// state (ResidentRequest::arrival). 2 blocks of 1 token; running in admission order X, Y (prompt
// 1, output 3, one token computed and sampled, 1 block each), but Y arrived first (X was
// re-admitted after a preemption): X = (class 0, arrival 1), Y = (class 0, arrival 0).
// No arrivals: X needs a 2nd block, none is free; the victim is the largest (priority,
// arrival), X itself: X is preempted (recompute, back to waiting) and the running loop stops,
// Y keeps its state. Ranked in the state: Y 0, X 1. Were the order lost (residents ranked
// waiting first, then running: X 0, Y 1), the victim would be Y and X would decode.
TEST(ExplorerByHand, PriorityKeepsTheResidentsArrivalOrder) {
  const auto cfg = config_of(
      "[engine]\nblock_size = 1\nnum_blocks = 2\n[policy]\nname = \"vllm_priority\"\n"
      "[workload]\nkind = \"deterministic\"\ncount = 2\nprompt = 1\noutput = 3\n[check]\n"
      "properties = [\"no_preemption\"]\n[envelope]\nprompt = [1, 8]\noutput = [1, 8]\n"
      "max_requests = 0\n[explore]\nprompts = [1]\noutputs = [3]\nmax_states = 64\n"
      "max_arrivals_per_step = 1\nmax_requests = 2\n");
  const auto opts = read_explore_options(cfg);
  const SuccessorGenerator gen(cfg.model, cfg.time, opts);
  const ResidentRequest x{1, 3, 0, 1, 1, 1, 1, 1}, y{1, 3, 0, 1, 1, 1, 1, 0};
  std::vector<Transition> out;
  gen.expand(state(2, {}, {x, y}), out);
  ASSERT_FALSE(out.empty());
  const auto& t = out.front();
  ASSERT_TRUE(t.arrivals.empty());
  EXPECT_EQ(t.violated, 1U);  // no_preemption
  const ResidentRequest x_requeued{1, 3, 0, 0, 0, 0, 0, 1};
  EXPECT_EQ(t.next, state(2, {x_requeued}, {y}));
}

// ---------------------------------------------------------------------------------------------
// vLLM V0's swap mode (models/policies/vllm_v0.h rules 8-12), explored by hand. Block size 1,
// lookahead 0, watermark 0, a GPU pool of 5 blocks, a CPU pool of 3; one shape (prompt 2,
// output 3): admitted, a request computes its prompt and samples token 1 (computed 2,
// generated 1, 2 blocks: "(2,1,2)"); each decode needs >= 1 free block (V0's
// can_append_slots), takes one more block and samples one more token; the second decode
// completes it. A swap out asks the CPU pool for blocks_for(computed + 1) = 3 blocks and moves
// the 2 blocks held; a swap in asks free GPU - 3 >= 0. Exactly 2 arrivals at step 0 and 1 at
// step 1 (min = max = 2 per step, 3 in all: from S1 the cap is 1 arrival, then 0), so the
// graph is one path:
//   S0 = (0 arrived; -; -; -)                 [A, B] -> both admitted: 4 of 5 blocks
//   S1 = (2; -; A(2,1,2) B(2,1,2); -)         [C]: C needs 2 blocks, 1 free: not admitted (no
//        room), so a decode step: A takes the free block; B finds none, is last and SWAPS
//        ITSELF OUT (CPU 3 free >= 3: no abort; CPU 2 of 3); nothing swapped in after a swap out
//   S2 = (3; C; A(3,2,3); B(2,1,2))           C has room (2 free >= 2) but NO PREFILL WHILE B IS
//        SWAPPED; A decodes and completes (5 - 4 = 1 free at the swap-in check: 1 < 3, LATER)
//   S3 = (3; C; -; B(2,1,2))                  admission blocked again; nothing runs, B SWAPS IN
//        (5 free - 3 >= 0: its 2 blocks back) and decodes at once
//   S4 = (3; C; B(3,2,3); -)                  the swapped queue is empty: C admitted (2 free)
//   S5 = (3; -; B(3,2,3) C(2,1,2); -)         B needs a free block, none: C (last) swapped out
//        (CPU 3 free >= 3), B decodes and completes
//   S6 = (3; -; -; C(2,1,2))                  C swapped in (5 free - 3 >= 0) and decodes
//   S7 = (3; -; C(3,2,3); -)                  C completes
//   S8 = (3; -; -; -)                         self-loop
// 9 states, 9 transitions, swap_space never fails: PROVED. Were the swapped queue dropped from
// the state, S6 (only C, swapped) would read as S8 (empty) and S2 / S3 would lose B.
const std::string kSwapTiny =
    "[engine]\nblock_size = 1\nnum_blocks = 5\ncpu_blocks = 3\nmax_batched_tokens = 16\n"
    "[policy]\nname = \"vllm_v0\"\nwatermark_blocks = 0\npreemption_mode = \"swap\"\n"
    "[workload]\nkind = \"deterministic\"\ncount = 3\nprompt = 2\noutput = 3\n[check]\n"
    "properties = [\"swap_space\", \"kv_within_capacity\", \"conservation\"]\n"
    "[envelope]\nprompt = [1, 8]\noutput = [1, 8]\nmax_requests = 0\n[explore]\n"
    "prompts = [2]\noutputs = [3]\nmax_states = 64\nmin_arrivals_per_step = 2\n"
    "max_arrivals_per_step = 2\nmax_requests = 3\n";

ExplicitState swap_state(std::int64_t arrived, std::vector<ResidentRequest> waiting,
                         std::vector<ResidentRequest> running,
                         std::vector<ResidentRequest> swapped) {
  auto s = state(arrived, std::move(waiting), std::move(running));
  s.swapped = std::move(swapped);
  return s;
}

TEST(ExplorerByHand, SwapOutBlockedAdmissionSwapInStateByState) {
  const auto cfg = config_of(kSwapTiny);
  const auto opts = read_explore_options(cfg);
  const SuccessorGenerator gen(cfg.model, cfg.time, opts);
  const auto g = build_graph(gen, opts.max_states);
  EXPECT_TRUE(g.complete);
  const ResidentRequest w{2, 3, 0, 0, 0, 0, 0}, p{2, 3, 0, 2, 1, 2, 2}, d{2, 3, 0, 3, 2, 3, 3};
  const std::vector<ExplicitState> states = {
      swap_state(0, {}, {}, {}),  swap_state(2, {}, {p, p}, {}), swap_state(3, {w}, {d}, {p}),
      swap_state(3, {w}, {}, {p}), swap_state(3, {w}, {d}, {}),  swap_state(3, {}, {d, p}, {}),
      swap_state(3, {}, {}, {p}),  swap_state(3, {}, {d}, {}),   swap_state(3, {}, {}, {})};
  EXPECT_EQ(g.states, states);
  // (arrivals, completions, admitted) per edge; edge i is S_i -> S_{i+1}, edge 8 S8 -> S8
  const std::vector<std::array<std::int64_t, 3>> edges = {
      {2, 0, 2}, {1, 0, 0}, {0, 1, 0}, {0, 0, 0}, {0, 0, 1},
      {0, 1, 0}, {0, 0, 0}, {0, 1, 0}, {0, 0, 0}};
  ASSERT_EQ(g.edges.size(), edges.size());
  for (std::size_t i = 0; i < edges.size(); ++i) {
    SCOPED_TRACE("edge " + std::to_string(i));
    EXPECT_EQ(g.edge_source[i], i);
    EXPECT_EQ(g.edge_target[i], std::min<std::size_t>(i + 1, 8));
    EXPECT_EQ(g.edges[i].arrival_count, edges[i][0]);
    EXPECT_EQ(g.edges[i].completions, edges[i][1]);
    EXPECT_EQ(g.edges[i].admitted, edges[i][2]);
    EXPECT_EQ(g.edges[i].violated, 0U);
  }
  // C at the head of the queue had room at S2 and S3 (free 2 and 5 >= 2) but stayed: rule 8
  EXPECT_EQ(g.edges[2].capacity, std::vector<bool>{true});
  EXPECT_EQ(g.edges[2].waiting_next, std::vector<std::int32_t>{0});
  EXPECT_EQ(g.edges[3].capacity, std::vector<bool>{true});
  EXPECT_EQ(g.edges[3].waiting_next, std::vector<std::int32_t>{0});
  const auto r = explore(cfg, opts);
  EXPECT_EQ(r.states, 9);
  EXPECT_EQ(r.verdict.kind, VerdictKind::Proved);
  EXPECT_FALSE(r.starvation.has_value());  // C waits two steps, on no cycle
  // the safety pass alone (the byte-encoded store, no graph) finds the same 9 states
  auto safety_only = opts;
  safety_only.analyses = {true, false, false};
  const auto s = explore(cfg, safety_only);
  EXPECT_FALSE(s.graph);
  EXPECT_EQ(s.states, 9);
  EXPECT_EQ(s.transitions, 9);
  EXPECT_EQ(s.verdict.kind, VerdictKind::Proved);
}

// The path S0 ... S8 as a witness: the re-recorded trace has the swap events the hand
// derivation names, matches the explored states step by step (swapped queue included) and
// replays through ITF. (The run ends when the last request completes, so the path stops at S8;
// nothing fails on it, so trace_matches' last check, the violated property, is the one that
// answers: every state before it matched.)
TEST(ExplorerByHand, SwapPathWitnessReplaysWithItsSwapEvents) {
  const auto cfg = config_of(kSwapTiny);
  const auto opts = read_explore_options(cfg);
  const SuccessorGenerator gen(cfg.model, cfg.time, opts);
  const auto g = build_graph(gen, opts.max_states);
  ASSERT_EQ(g.edges.size(), 9U);
  Witness wit;
  wit.edges = {0, 1, 2, 3, 4, 5, 6, 7};
  wit.property = "swap_space";
  const auto t = witness_trace(g, wit, cfg, opts);
  std::string why;
  EXPECT_FALSE(trace_matches(t, g, wit, opts, why));
  EXPECT_EQ(why, "replay does not fail swap_space at step 7");
  ASSERT_EQ(t.states.size(), 8U);
  // requests: A = 0, B = 1 (step 0), C = 2 (step 1)
  EXPECT_EQ(t.states[1].swapped_out, std::vector<std::int32_t>{1});
  EXPECT_EQ(t.states[1].swapped, std::vector<std::int32_t>{1});
  EXPECT_EQ(t.states[1].cpu_used_blocks, 2);
  EXPECT_EQ(t.states[2].waiting, std::vector<std::int32_t>{2});
  EXPECT_TRUE(t.states[2].swapped_in.empty());
  EXPECT_EQ(t.states[3].swapped_in, std::vector<std::int32_t>{1});
  EXPECT_EQ(t.states[3].cpu_used_blocks, 0);
  EXPECT_EQ(t.states[5].swapped_out, std::vector<std::int32_t>{2});
  EXPECT_EQ(t.states[6].swapped_in, std::vector<std::int32_t>{2});
  for (const auto& s : t.states) EXPECT_FALSE(s.swap_abort);
  const auto back = parse_itf(to_itf_json(t), "swap_tiny.itf.json");
  EXPECT_TRUE(replay(back).reproduced);
  // a swapped queue edited out of an explored state no longer matches the replay
  auto g2 = build_graph(gen, opts.max_states);
  g2.states[3].swapped.clear();
  EXPECT_FALSE(trace_matches(t, g2, wit, opts, why));
  EXPECT_EQ(why, "replayed state after step 2 differs from the explored one");
}

// The same model with a CPU pool of 2: B's swap out at S1 asks for 3 CPU blocks and finds 2:
// swap_space fails after step 1, the shortest counterexample (2 steps). The safety pass stores
// S0 and S1 and stops at S1's one transition (2 transitions in all).
TEST(ExplorerByHand, SwapTinyWithATwoBlockCpuPoolFailsSwapSpaceAtStep1) {
  auto text = kSwapTiny;
  text.replace(text.find("cpu_blocks = 3"), 14, "cpu_blocks = 2");
  const auto cfg = config_of(text);
  const auto r = explore(cfg, read_explore_options(cfg));
  ASSERT_TRUE(r.safety.has_value());
  EXPECT_EQ(r.verdict.kind, VerdictKind::Violated);
  EXPECT_EQ(r.verdict.depth, 1);
  EXPECT_EQ(r.states, 2);
  EXPECT_EQ(r.transitions, 2);
  EXPECT_EQ(r.safety->witness.property, "swap_space");
  EXPECT_EQ(r.safety->trace.states[1].swapped_out, std::vector<std::int32_t>{1});
  EXPECT_TRUE(r.safety->trace.states[1].swap_abort);
  EXPECT_TRUE(replay(parse_itf(to_itf_json(r.safety->trace), "t.itf.json")).reproduced);
}

}  // namespace
}  // namespace kvcheck::explicit_state
