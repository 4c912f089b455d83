/// \file test_layout.c
/// The distribution's bookkeeping: guided batches hand out every unit exactly once and stay
/// within their target; the layout gives every rank one role and one server; each rank's
/// share of the implied first round is the one the root deals; theory pieces round-trip
/// through their values and a (d, n) pair shares the pieces of its ratio; the cost order is
/// that of sorting every unit by (cost descending, id ascending).
#include "testutil.h"

#include "units/grid.h"
#include "mc/kernel.h"
#include "units/unit.h"
#include "dist/layout.h"
#include "dist/queue.h"
#include "theory/theoryplan.h"

static int g_d[] = {8, 16, 24}, g_n[] = {16, 32, 40};
static int64_t g_k[] = {1, 4, 16};
static double g_T[] = {0, 0.5, INFINITY};
static js_reward g_r[] = {{1, 0, 0, 0}, {1, 0.5, 0, 0}};

/// A study of 3 x 3 (d, n) with 40 trials (360 Monte Carlo units) and its theory.
static js_config make_cfg(void) {
  js_config cfg = {0};
  cfg.sigma = 0.5, cfg.gamma = 1, cfg.input_scale = 1;
  cfg.nd = 3, cfg.nn = 3, cfg.nk = 3, cfg.nT = 3, cfg.nr = 2;
  cfg.d = g_d, cfg.n = g_n, cfg.k = g_k, cfg.T = g_T, cfg.reward = g_r;
  cfg.trials = 40, cfg.test_points = 100, cfg.seed = 1;
  return cfg;
}

/// Guided batches: every unit once, in cost order, none above its target unless alone.
static void batches_cover_every_unit_once(void **state) {
  (void)state;
  js_config cfg = make_cfg();
  js_grid grid;
  assert_int_equal(js_grid_build(&cfg, &grid), JS_OK);
  assert_int_equal(js_grid_order(&grid), JS_OK);
  unsigned char *done = calloc((size_t)grid.nunits, 1), *seen = calloc((size_t)grid.nunits, 1);
  for (int i = 0; i < grid.nunits; i += 7) done[i] = 1; /* resumed units are skipped */
  js_work work;
  js_unit_runner *runner;
  assert_int_equal(js_unit_runner_create(&grid, JS_KERNEL_CHUNK, NULL, &runner), JS_OK);
  js_unit_work(runner, &work);
  js_queue q;
  js_queue_init(&q, &work, done);
  int ids[JS_CHUNK_MAX_UNITS], taken = 0, batches = 0, expected = q.left_units;
  double prev_cost = INFINITY;
  int prev_kind = 1; /* theory pieces, then Monte Carlo units */
  for (int n; (n = js_queue_take(&q, 5, 0.5, 64, 1, 0, ids)) > 0; batches++) {
    double cost = 0;
    for (int i = 0; i < n; i++) {
      assert_false(done[ids[i]]);
      assert_false(seen[ids[i]]);
      seen[ids[i]] = 1;
      double c = js_grid_cost(&grid, ids[i]);
      if (ids[i] < grid.nmc && prev_kind == 1) prev_cost = INFINITY; /* theory came first */
      assert_true(ids[i] >= grid.nmc || prev_kind == 0 || prev_cost == INFINITY);
      assert_true(c <= prev_cost); /* most expensive first within a kind */
      prev_cost = c, cost += c, prev_kind = ids[i] < grid.nmc ? 0 : 1;
    }
    taken += n;
    assert_true(n == 1 || cost <= 0.5 + 1e-12);
  }
  assert_int_equal(taken, expected);
  assert_int_equal(q.left_units, 0);
  assert_true(batches > 5 && batches < taken); /* batches grow early, shrink at the end */
  /* a group's chunk: at least min_units units while they fit in the fair share */
  js_queue_init(&q, &work, done);
  int left = q.left_units;
  double share = q.left_cost / 3, cost = 0;
  int n = js_queue_take(&q, 3, INFINITY, JS_CHUNK_MAX_UNITS, left, 0, ids);
  for (int i = 0; i < n; i++) cost += js_grid_cost(&grid, ids[i]);
  assert_true(cost <= share + 1e-12 && cost + js_grid_cost(&grid, work.order[n + 1]) > share * 0.9);
  assert_true(n > 1 && n < left);
  /* a floor: a batch short of min_cost stopped only where the next unit passed the share
     of what was left (or nothing was), so the end takes fewer batches than guided alone */
  double floor = 4 * js_grid_cost(&grid, work.order[work.nwork - 1]);
  int with_floor = 0;
  js_queue_init(&q, &work, done);
  for (int m; (m = js_queue_take(&q, 5, 0.5, 64, 1, floor, ids)) > 0; with_floor++) {
    double c = 0;
    for (int i = 0; i < m; i++) c += js_grid_cost(&grid, ids[i]);
    int next = q.next;
    while (next < work.nwork && done[work.order[next]]) next++;
    if (c < floor && next < work.nwork)
      assert_true(c + js_grid_cost(&grid, work.order[next]) > fmin((q.left_cost + c) / 5, 0.5));
  }
  assert_int_equal(q.left_units, 0);
  assert_true(with_floor < batches);
  free(done), free(seen);
  js_unit_runner_free(runner);
  js_grid_free(&grid);
}

/// Every rank has one role; servers and groups are consistent.
static void layout_roles(void **state) {
  (void)state;
  int sizes[] = {1, 2, 31, 32, 192, 511, 512, 1024, 4096, 5000};
  for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
    js_layout L = js_layout_of(sizes[i], NULL);
    assert_int_equal(L.computes, sizes[i] < JS_SERVE_ONLY_RANKS);
    assert_int_equal(L.group > 0, sizes[i] >= JS_GROUP_FROM_RANKS);
    assert_true(L.group <= JS_GROUP_RANKS); /* no leader serves more than 63 workers */
    int leaders = 0, workers = 0;
    for (int r = 1; r < L.size; r++) {
      if (js_layout_is_leader(&L, r)) {
        leaders++;
        assert_int_equal(js_layout_server(&L, r), 0);
        continue;
      }
      workers++;
      int s = js_layout_server(&L, r), first, last;
      if (!L.group) {
        assert_int_equal(s, 0);
        continue;
      }
      assert_true(js_layout_is_leader(&L, s));
      js_layout_group(&L, r, &first, &last);
      assert_true(first <= r && r <= last && s == first - 1);
    }
    assert_int_equal(leaders, L.ngroups);
    assert_int_equal(workers + L.computes, js_layout_computing(&L));
    for (int r = 1; L.group && r < L.size; r++) { /* group sizes differ by one at most */
      int first, last;
      js_layout_group(&L, r, &first, &last);
      assert_true(last - first + 2 == L.group || last - first + 3 == L.group);
      assert_true(last - first + 1 <= js_layout_group_workers(&L));
    }
  }
}

/// The layout's knobs: whole numbers in their ranges are read, junk is an input error (it
/// used to turn into a flat layout, or be ignored).
static void knobs_refuse_junk(void **state) {
  (void)state;
  js_layout_knobs k;
  unsetenv("JUDGESIM_GROUP_SIZE"), unsetenv("JUDGESIM_MASTER_COMPUTES");
  assert_int_equal(js_layout_knobs_read(&k), JS_OK);
  assert_int_equal(k.group, -1), assert_int_equal(k.computes, -1);
  setenv("JUDGESIM_GROUP_SIZE", "8", 1), setenv("JUDGESIM_MASTER_COMPUTES", "0", 1);
  assert_int_equal(js_layout_knobs_read(&k), JS_OK);
  assert_int_equal(k.group, 8), assert_int_equal(k.computes, 0);
  const char *bad_group[] = {"abc", "1", "-3", "8x", " ", "99999"};
  for (int i = 0; i < 6; i++) {
    setenv("JUDGESIM_GROUP_SIZE", bad_group[i], 1);
    assert_int_equal(js_layout_knobs_read(&k), JS_ERR_INPUT);
  }
  setenv("JUDGESIM_GROUP_SIZE", "0", 1);
  const char *bad_computes[] = {"2", "yes", "1.0", "-1"};
  for (int i = 0; i < 4; i++) {
    setenv("JUDGESIM_MASTER_COMPUTES", bad_computes[i], 1);
    assert_int_equal(js_layout_knobs_read(&k), JS_ERR_INPUT);
  }
  unsetenv("JUDGESIM_GROUP_SIZE"), unsetenv("JUDGESIM_MASTER_COMPUTES");
}

/// A worker's or leader's share of the implied first round is what the root dealt it.
static void first_round_shares_agree(void **state) {
  (void)state;
  js_config cfg = make_cfg();
  js_grid grid;
  assert_int_equal(js_grid_build(&cfg, &grid), JS_OK);
  assert_int_equal(js_grid_order(&grid), JS_OK);
  unsigned char *done = calloc((size_t)grid.nunits, 1);
  js_layout_knobs knobs = {4, -1};
  js_layout L = js_layout_of(14, &knobs); /* root, groups {1..3}, {4..6}, {7..9}, {10..13} */
  assert_int_equal(L.ngroups, 4);
  assert_true(js_layout_is_leader(&L, 4) && js_layout_is_leader(&L, 10));
  assert_int_equal(js_layout_server(&L, 13), 10);
  int held[14], units[14], all[JS_CHUNK_MAX_UNITS], mine[JS_CHUNK_MAX_UNITS];
  js_work work;
  js_unit_runner *runner;
  assert_int_equal(js_unit_runner_create(&grid, JS_KERNEL_CHUNK, NULL, &runner), JS_OK);
  js_unit_work(runner, &work);
  for (int r = 1; r < 14; r++) {
    js_queue root, own;
    js_queue_init(&root, &work, done);
    js_queue_init(&own, &work, done);
    js_dealt everything = {0, all, 0, held, units}, share = {r, mine, 0, NULL, NULL};
    js_layout_deal(&root, &L, &everything);
    js_layout_deal(&own, &L, &share);
    assert_true(share.n > 0);
    assert_int_equal(held[r], 1);
    if (!js_layout_is_leader(&L, r)) assert_int_equal(units[r], share.n);
  }
  free(done);
  js_unit_runner_free(runner);
  js_grid_free(&grid);
}

/// Theory pieces: found again from their values; pairs with one ratio share pieces.
static void theory_pieces_round_trip(void **state) {
  (void)state;
  js_config cfg = make_cfg();
  js_theory_plan plan;
  assert_int_equal(js_theory_plan_build(&cfg, &plan), JS_OK);
  /* ratios: 8/16 = 16/32 = 1/2, 8/32 = 1/4, 8/40 = 1/5, 16/16 = 1, 16/40 = 2/5, 24/16 = 3/2,
     24/32 = 3/4, 24/40 = 3/5: 8 distinct among 9 pairs */
  assert_int_equal(plan.nratio, 8);
  assert_int_equal(plan.ratio_of[0 * 3 + 0], plan.ratio_of[1 * 3 + 1]);
  assert_int_equal(plan.nfin, 2);
  for (int i = 0; i < plan.npieces; i++) {
    js_theory_piece_id id = js_theory_plan_piece(&cfg, &plan, i);
    int found = js_theory_plan_find(&cfg, &plan, plan.p[id.ratio], plan.q[id.ratio],
                                    cfg.T[id.iT], id.node);
    assert_int_equal(found, i);
  }
  assert_int_equal(js_theory_plan_find(&cfg, &plan, 7, 9, 0.5, 0), -1); /* no such ratio */
  assert_int_equal(js_theory_plan_find(&cfg, &plan, 1, 2, 0.25, 0), -1); /* no such T */
  js_theory_plan_free(&plan);
}

/// Reference order: theory pieces first, then by cost, descending, then id.
static const js_grid *g_sort_grid;
static int by_cost_then_id(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  int tx = x >= g_sort_grid->nmc, ty = y >= g_sort_grid->nmc;
  if (tx != ty) return ty - tx;
  double cx = js_grid_cost(g_sort_grid, x), cy = js_grid_cost(g_sort_grid, y);
  if (cx != cy) return cx < cy ? 1 : -1;
  return (x > y) - (x < y);
}

/// js_grid_order (a counting sort over cost classes) equals sorting the units themselves
/// (theory pieces first, then by cost).
static void order_is_cost_then_id(void **state) {
  (void)state;
  js_config cfg = make_cfg();
  js_grid grid = {0};
  assert_int_equal(js_grid_build(&cfg, &grid), JS_OK);
  assert_int_equal(js_grid_order(&grid), JS_OK);
  int *ref = malloc(sizeof(int) * (size_t)grid.nunits);
  double total = 0;
  for (int i = 0; i < grid.nunits; i++) ref[i] = i, total += js_grid_cost(&grid, i);
  g_sort_grid = &grid;
  qsort(ref, (size_t)grid.nunits, sizeof(int), by_cost_then_id);
  for (int i = 0; i < grid.nunits; i++) assert_int_equal(grid.order[i], ref[i]);
  assert_close(grid.total_cost, total, 1e-12 * total); /* summed by class, not by unit */
  assert_true(grid.nth > 0 && grid.nmc > 0); /* both kinds, in one order */
  free(ref);
  js_grid_free(&grid);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(batches_cover_every_unit_once),
      cmocka_unit_test(layout_roles),
      cmocka_unit_test(first_round_shares_agree),
      cmocka_unit_test(knobs_refuse_junk),
      cmocka_unit_test(theory_pieces_round_trip),
      cmocka_unit_test(order_is_cost_then_id),
  };
  return cmocka_run_group_tests_name("layout", tests, NULL, NULL);
}
