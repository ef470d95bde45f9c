/*
 * vllm_fcfs.pml -- SPIN model of kvcheck's explicit-state explorer on
 * bench/spin/vllm_fcfs_n4.toml (vLLM V1 FCFS, papers engine profile), for the
 * explorer-vs-SPIN speed benchmark (run_spin.sh, README.md).
 *
 * Bounds (macros, each overridable with -D at `spin -a` time):
 *   N        requests in all ([explore] max_requests)           default 4
 *   NB       engine.num_blocks (block_size 1)                    default 12
 *   MAXSEQS  engine.max_num_seqs                                 default 4
 *   MAXTOK   engine.max_batched_tokens                           default 8
 *   MAXARR   [explore] max_arrivals_per_step (1 or 2)            default 2
 *   shapes   prompt in 1..3 x output in 1..3 ([explore] prompts, outputs), fixed below
 *   PROP_NO_PREEMPTION  also assert kvcheck's `no_preemption` (validation only)
 *   PROP_PROGRESS       also assert kvcheck's `progress`      (validation only)
 *   NOHIDDEN            per-step temporaries as ordinary globals (needed for pan -DBFS)
 *   MAXSTEPS            at most this many engine steps (validation only, see below)
 * The property of the benchmark, kv_no_overflow, is always asserted.
 *
 * STATE LAYOUT.  kvcheck's explicit state (checkers/explicit/explicit_state.h) is
 * positional: the waiting requests in queue order, the running requests in admission
 * order, each as (prompt, output, klass, computed, generated, blocks, tokens, arrival),
 * plus `arrived`; request identities and the clock are not in it.  This model stores
 * exactly that, by position, so the two state graphs are the same graph (the state
 * counts agree exactly, see README.md) instead of slot arrays indexed by request id,
 * which would split one kvcheck state into many (slot permutations, patterns of dead
 * slots).  So there are no request slots, and nothing is "reused": a request's record
 * moves between the waiting and running arrays, and every position past a list's length
 * is kept 0.  Fields left out, being equal in every reachable state:
 *   klass = 0, arrival = 0   (no classes; vllm_fcfs_traits.orders_by_arrival = false,
 *                             checkers/explicit/explicit_state.h, successors.cpp)
 *   tokens                    = blocks for every request (block_size 1, lookahead 0:
 *                             concrete_view.cpp do_schedule sets tokens = computed + n +
 *                             lookahead and blocks = ceil(tokens / 1); release zeroes both)
 *   computed, generated, blocks, tokens of a WAITING request = 0 (an arrival starts at 0;
 *                             preemption/eviction, concrete_view.cpp reset_progress +
 *                             release, zero them, recompute_keeps_output = false)
 * `sched` (tokens scheduled in this step) is 0 between steps (do_finish / release reset
 * it) and is kept in a hidden array, like the other per-step temporaries.
 *
 * RULES ENCODED (file of kvcheck each comes from; defaults from models/params.h,
 * models/param_table.h, models/engine_profiles.h profile "papers", io/config.cpp):
 *  P0 Parameters not in the toml: lookahead 0, requeue front, watermark_blocks 0,
 *     watermark_only_when_busy false, full_sequence_admission false, admit_after_preempt
 *     false, recompute_keeps_output false, reject_unservable true, max_model_len
 *     unlimited, long_prefill_token_threshold 0, null_blocks 0 (papers profile: num_blocks
 *     is the usable pool).
 *  E1 Environment (checkers/explicit/successors.cpp arrival_options, expand_with): per step
 *     0..min(MAXARR, N - arrived) arrivals, each of any shape, one transition per ordered
 *     sequence of shapes; `arrived` counts them all (state field `arrived`).
 *  E2 Arrivals enter at the start of the step, appended to the waiting queue in order
 *     (concrete_view.cpp begin_step/admit_arrivals/arrive; arrival_rules.h may_enter, open
 *     loop). One the engine cannot serve is rejected and never queued (engine_rules.h
 *     unservable: prompt + output - 1 + lookahead > num_blocks, or, without chunked
 *     prefill, prompt > max_batched_tokens); with the default bounds none is.
 *  S0 One engine step (engine_step.h engine_step): begin_step, policy, commit,
 *     evict_on_overflow, advance_batch, end_step.
 *  S1 Policy vllm_fcfs (policies/vllm_fcfs.h) = blocks::vllm_v1_step
 *     (policies/building_blocks.h): token budget = max_batched_tokens; serve running
 *     (serve_running_lifo); admit (admit_fcfs) only if nothing was preempted.
 *  S2 serve_running_lifo (building_blocks.h): for running position k = 0.. (oldest first)
 *     while k < cut, not stopped, budget > 0: n = next_tokens = min(prompt - computed,
 *     budget) while in prefill (computed < prompt, engine_rules.h in_prefill/known_tokens)
 *     else 1; need = blocks_after(n) - held = computed + n - blocks (view.h blocks_after);
 *     for j = last .. k+1 while free < need: preempt position j if j < cut, cut = j (LIFO
 *     recompute); then if still free < need preempt k itself and stop; else schedule k.
 *  S3 schedule(r, n) (concrete_view.cpp do_schedule): blocks = computed + n + lookahead
 *     (block_size 1), the pool's used count follows at once, sched = n, budget -= n.
 *  S4 preempt (concrete_view.cpp do_preempt/reset_progress/release): blocks, tokens,
 *     sched, computed, generated := 0; to the requeue-front list.
 *  S5 admit_fcfs + admission_check + admit_one (building_blocks.h; engine_rules.h
 *     admission_blocks): from the queue head while each fits, head-of-line blocking:
 *     prompt <= budget, free - prompt >= watermark (0), running < max_num_seqs, where
 *     running starts at num_running (concrete_view.h; preemptions already subtracted) and
 *     counts this step's admissions; an admitted request is scheduled with n = prompt
 *     (its blocks = prompt), budget -= prompt.
 *  S6 commit (concrete_view.cpp commit, remove_admitted_from_waiting, compact_running,
 *     apply_requeues): admitted leave the queue; preempted leave the running list; the
 *     admitted are appended to the running list in admission order; the preempted go to
 *     the queue front in admission (= running) order.
 *  S7 evict_on_overflow (engine_step.h): overflow := used > num_blocks (kv_no_overflow
 *     fails, properties/predicates.h step_overflow); then evict running positions from the
 *     newest while used > num_blocks (reset_progress, requeued at the front in admission
 *     order at end_step). Unreachable here: S2 and S5 never over-reserve (the assertion
 *     checks it), so kv_no_overflow holds.
 *  S8 advance_batch (engine_step.h; engine_rules.h progress_after; concrete_view.cpp
 *     do_finish): each running request with sched n > 0: computed += n; generated :=
 *     (generated == 0 ? (computed >= prompt ? 1 : 0) : generated + 1); done when
 *     generated >= output: release its blocks and drop it.
 *  S9 end_step (concrete_view.cpp): requeue evicted at the front, drop done/evicted from
 *     the running list.
 *  P1 Properties, evaluated after the step (properties/predicates.h holds):
 *     kv_no_overflow = !overflow of S7; no_preemption = nothing preempted in the step;
 *     progress = the batch (requests with sched > 0) is non-empty or nobody is waiting or
 *     running after the step.
 */

#ifndef N
#define N 4
#endif
#ifndef NB
#define NB 12
#endif
#ifndef MAXSEQS
#define MAXSEQS 4
#endif
#ifndef MAXTOK
#define MAXTOK 8
#endif
#ifndef MAXARR
#define MAXARR 2
#endif
#define LOOKAHEAD 0
#define WATERMARK 0

/* ---- the state: kvcheck's ExplicitState, positionally ---- */
byte arrived;                      /* arrivals so far (<= N) */
byte nw;                           /* waiting queue length, head = position 0 */
byte wp[N]; byte wo[N];            /* waiting: prompt, output */
byte nr;                           /* running list length, 0 = oldest admission */
byte rp[MAXSEQS]; byte ro[MAXSEQS];             /* running: prompt, output */
byte rc[MAXSEQS]; byte rg[MAXSEQS]; byte rb[MAXSEQS];  /* computed, generated, blocks */

/* ---- per-step temporaries, not part of the state vector ----
   pan refuses BFS (-DBFS) on a model with hidden variables: spin -DNOHIDDEN makes them
   ordinary globals, reset to 0 at the end of every step (reset_temps), so that they add
   nothing to the state space. */
#ifdef NOHIDDEN
#define HIDDEN
#else
#define HIDDEN hidden
#endif
HIDDEN short h_used, h_budget, h_need, h_n;
HIDDEN byte h_k, h_j, h_t, h_q, h_cut, h_stopped, h_npre, h_nevict, h_nadm, h_nrun, h_batch, h_ndone, h_overflow;
HIDDEN byte h_sched[MAXSEQS];
HIDDEN byte h_gone[MAXSEQS];         /* 1 = preempted, 2 = evicted, 3 = done */
HIDDEN byte h_tp[N]; HIDDEN byte h_to[N];

inline arrive(P, O) {
  d_step {
    arrived++;
    if
    :: (P + O - 1 + LOOKAHEAD > NB || P > MAXTOK) -> skip   /* rejected (E2) */
    :: else -> wp[nw] = P; wo[nw] = O; nw++
    fi
  }
}

inline arrive_any() {
  if
  :: arrive(1, 1) :: arrive(1, 2) :: arrive(1, 3)
  :: arrive(2, 1) :: arrive(2, 2) :: arrive(2, 3)
  :: arrive(3, 1) :: arrive(3, 2) :: arrive(3, 3)
  fi
}

/* S4: reset_progress of running position X; mark M (1 preempted, 2 evicted) */
inline release_at(X, M) {
  h_used = h_used - rb[X];
  rb[X] = 0; rc[X] = 0; rg[X] = 0; h_sched[X] = 0; h_gone[X] = M
}

/* requeue at the front (S6, S9), in two halves around compact_running:
   gather(M) copies the records of the running positions marked M, in running order
   (= admission order), into h_tp/h_to; merge(S) appends the queue from position S (the
   admitted prefix 0..S-1 leaves it) and makes h_tp/h_to the queue, zero tail. */
inline gather(M) {
  h_q = 0; h_k = 0;
  do
  :: h_k < nr -> if :: h_gone[h_k] == M -> h_tp[h_q] = rp[h_k]; h_to[h_q] = ro[h_k]; h_q++ :: else -> skip fi; h_k++
  :: else -> break
  od
}

inline merge(S) {
  h_k = S;
  do
  :: h_k < nw -> h_tp[h_q] = wp[h_k]; h_to[h_q] = wo[h_k]; h_q++; h_k++
  :: else -> break
  od;
  assert(h_q <= N);
  nw = h_q; h_k = 0;
  do
  :: h_k < N -> if :: h_k < nw -> wp[h_k] = h_tp[h_k]; wo[h_k] = h_to[h_k] :: else -> wp[h_k] = 0; wo[h_k] = 0 fi; h_k++
  :: else -> break
  od
}

/* drop the running positions with gone[] != 0, keep the order, zero the tail */
inline compact_running() {
  h_t = 0; h_k = 0;
  do
  :: h_k < nr ->
     if
     :: h_gone[h_k] == 0 ->
        rp[h_t] = rp[h_k]; ro[h_t] = ro[h_k]; rc[h_t] = rc[h_k]; rg[h_t] = rg[h_k]; rb[h_t] = rb[h_k];
        h_sched[h_t] = h_sched[h_k]; h_gone[h_t] = 0; h_t++
     :: else -> skip
     fi; h_k++
  :: else -> break
  od;
  nr = h_t;
  do
  :: h_t < MAXSEQS -> rp[h_t] = 0; ro[h_t] = 0; rc[h_t] = 0; rg[h_t] = 0; rb[h_t] = 0; h_sched[h_t] = 0; h_gone[h_t] = 0; h_t++
  :: else -> break
  od
}

inline engine_step() {
  /* begin_step: pool usage, no scheduling yet (S0) */
  h_used = 0; h_k = 0;
  do
  :: h_k < MAXSEQS -> h_used = h_used + rb[h_k]; h_sched[h_k] = 0; h_gone[h_k] = 0; h_k++
  :: else -> break
  od;
  h_budget = MAXTOK; h_cut = nr; h_stopped = 0; h_npre = 0; h_nevict = 0; h_nadm = 0; h_overflow = 0;

  /* S2 serve_running_lifo */
  h_k = 0;
  do
  :: (h_k < nr && h_k < h_cut && !h_stopped && h_budget > 0) ->
     h_n = (rc[h_k] < rp[h_k] -> (rp[h_k] - rc[h_k] < h_budget -> rp[h_k] - rc[h_k] : h_budget) : 1);
     h_need = rc[h_k] + h_n + LOOKAHEAD - rb[h_k];
     h_j = nr - 1;
     do
     :: (h_j > h_k && NB - h_used < h_need) ->
        if :: h_j < h_cut -> release_at(h_j, 1); h_npre++; h_cut = h_j :: else -> skip fi;
        h_j--
     :: else -> break
     od;
     if
     :: NB - h_used < h_need -> release_at(h_k, 1); h_npre++; h_stopped = 1
     :: else -> /* S3 schedule */
        h_used = h_used + (rc[h_k] + h_n + LOOKAHEAD) - rb[h_k];
        rb[h_k] = rc[h_k] + h_n + LOOKAHEAD; h_sched[h_k] = h_n; h_budget = h_budget - h_n
     fi;
     h_k++
  :: else -> break
  od;

  /* S5 admit_fcfs, only when nothing was preempted (admit_after_preempt = false) */
  if
  :: h_npre == 0 ->
     h_nrun = nr;                 /* num_running */
     do
     :: (h_nadm < nw && wp[h_nadm] <= h_budget && NB - h_used - (wp[h_nadm] + LOOKAHEAD) >= WATERMARK
         && h_nrun < MAXSEQS) ->
        h_used = h_used + wp[h_nadm] + LOOKAHEAD; h_budget = h_budget - wp[h_nadm]; h_nrun++; h_nadm++
     :: else -> break
     od
  :: else -> skip
  fi;

  /* S6 commit: admitted out of the queue, preempted out of the running list, admitted
     appended to it, preempted to the queue front (the ifs only skip work that would change
     nothing: a step preempts or admits, never both) */
  if
  :: h_npre > 0 -> gather(1); compact_running()
  :: else -> h_q = 0
  fi;
  h_k = 0;
  do
  :: h_k < h_nadm ->
     assert(nr < MAXSEQS);
     rp[nr] = wp[h_k]; ro[nr] = wo[h_k]; rc[nr] = 0; rg[nr] = 0;
     rb[nr] = wp[h_k] + LOOKAHEAD; h_sched[nr] = wp[h_k]; h_gone[nr] = 0; nr++; h_k++
  :: else -> break
  od;
  if :: h_npre + h_nadm > 0 -> merge(h_nadm) :: else -> skip fi;

  /* S7 evict_on_overflow */
  h_overflow = (h_used > NB);
  h_j = nr;
  do
  :: (h_j > 0 && h_used > NB) -> h_j--; release_at(h_j, 2); h_nevict++
  :: else -> break
  od;

  /* S8 advance_batch */
  h_batch = 0; h_ndone = 0; h_k = 0;
  do
  :: h_k < nr ->
     if
     :: h_sched[h_k] > 0 ->
        h_batch++;
        rc[h_k] = rc[h_k] + h_sched[h_k];
        rg[h_k] = (rg[h_k] == 0 -> (rc[h_k] >= rp[h_k] -> 1 : 0) : rg[h_k] + 1);
        h_sched[h_k] = 0;
        if
        :: rg[h_k] >= ro[h_k] ->
           h_used = h_used - rb[h_k]; rb[h_k] = 0; rc[h_k] = 0; rg[h_k] = 0; h_gone[h_k] = 3; h_ndone++
        :: else -> skip
        fi
     :: else -> skip
     fi; h_k++
  :: else -> break
  od;

  /* S9 end_step: evicted to the queue front, done and evicted out of the running list */
  if :: h_nevict > 0 -> gather(2); merge(0) :: else -> skip fi;
  if :: h_nevict + h_ndone > 0 -> compact_running() :: else -> skip fi
}

inline reset_temps() {
  h_used = 0; h_budget = 0; h_need = 0; h_n = 0;
  h_j = 0; h_t = 0; h_q = 0; h_cut = 0; h_stopped = 0; h_npre = 0; h_nevict = 0;
  h_nadm = 0; h_nrun = 0; h_batch = 0; h_ndone = 0; h_overflow = 0;
  h_k = 0;
  do
  :: h_k < N -> h_tp[h_k] = 0; h_to[h_k] = 0; h_k++
  :: else -> break
  od;
  h_k = 0;
  do
  :: h_k < MAXSEQS -> h_sched[h_k] = 0; h_gone[h_k] = 0; h_k++
  :: else -> break
  od;
  h_k = 0
}

#ifdef MAXSTEPS
/* validation only: bound the run to MAXSTEPS engine steps (a step counter in the state), so
   that the smallest MAXSTEPS with a violation is the shortest counterexample in steps */
byte steps;
#define STEP_GUARD steps < MAXSTEPS;
#define STEP_COUNT ; steps++
#else
#define STEP_GUARD
#define STEP_COUNT
#endif

active proctype engine() {
end:
  do
  :: atomic {
       STEP_GUARD
       /* E1: 0, 1 or 2 arrivals of any shape, in order (N bounds the total) */
       if
       :: skip
       :: arrived < N -> arrive_any();
          if
          :: skip
          :: (MAXARR >= 2 && arrived < N) -> arrive_any()
          fi
       fi;
       d_step {
         engine_step();
         /* P1, after the step */
         assert(!h_overflow)                      /* kv_no_overflow */
#ifdef PROP_NO_PREEMPTION
         ; assert(h_npre == 0)                    /* no_preemption */
#endif
#ifdef PROP_PROGRESS
         ; assert(h_batch > 0 || nw + nr == 0)    /* progress */
#endif
#ifdef NOHIDDEN
         ; reset_temps()
#endif
         STEP_COUNT
       }
     }
  od
}
