/// \file test_grid.c
/// Test-point splits (grid.h): the split counts the rule gives; every trial's test points
/// are covered once by its splits and unit ids run pair, trial, split; a trial's value is
/// the sum of its splits in split order whatever order they arrive in, and its block
/// completes with its last split; split streams are distinct and one beyond SPRNG's range is
/// an input error; split 0 draws what the unsplit trial draws for the same points.
#include "testutil.h"

#include "units/grid.h"
#include "units/results.h"
#include "mc/rng.h"
#include "mc/kernel.h"
#include "units/unit.h"

static int g_d[] = {8, 48}, g_n[] = {12, 96};
static int64_t g_k[] = {1, 4, 256};
static double g_T[] = {0, 0.5, INFINITY};
static js_reward g_r[] = {{1, 0, 0, 0}, {1, 0.5, 0, 0}};

/// A study of 2 x 2 (d, n), 5 trials, test_points points per trial.
static js_config make_cfg(int test_points, int unit_points) {
  js_config cfg = {0};
  cfg.sigma = 0.5, cfg.gamma = 1, cfg.input_scale = 1, cfg.tilt = 1;
  cfg.nd = 2, cfg.nn = 2, cfg.nk = 3, cfg.nT = 3, cfg.nr = 2;
  cfg.d = g_d, cfg.n = g_n, cfg.k = g_k, cfg.T = g_T, cfg.reward = g_r;
  cfg.trials = 5, cfg.test_points = test_points, cfg.unit_points = unit_points, cfg.seed = 7;
  cfg.best_of_k = JS_BOK_CANDIDATES;
  return cfg;
}

/// unit_points set: floor(test_points / unit_points), at least 1. Not set: test_points x
/// k_max / 2^18 rounded, at most 4 and test_points / 256, at least 1.
static void split_counts(void **state) {
  (void)state;
  js_config cfg = make_cfg(3000, 0); /* k_max 256: 768,000 candidates a trial */
  assert_int_equal(js_grid_splits(&cfg), 3);
  cfg.test_points = 600; /* 153,600: 0.59 rounds to 1 */
  assert_int_equal(js_grid_splits(&cfg), 1);
  cfg.test_points = 1000; /* 256,000: 0.98 rounds to 1 */
  assert_int_equal(js_grid_splits(&cfg), 1);
  cfg.test_points = 1600; /* 409,600: 1.56 rounds to 2 */
  assert_int_equal(js_grid_splits(&cfg), 2);
  cfg.test_points = 100000; /* 98 rounded, at most 4 */
  assert_int_equal(js_grid_splits(&cfg), 4);
  int64_t big[] = {1, 4, (int64_t)1 << 20};
  cfg.k = big, cfg.test_points = 700; /* 2,800 rounded; 700 / 256 = 2 points-wise */
  assert_int_equal(js_grid_splits(&cfg), 2);
  cfg.test_points = 255; /* fewer than 256 points: one unit */
  assert_int_equal(js_grid_splits(&cfg), 1);
  cfg.k = g_k, cfg.test_points = 3000;
  cfg.unit_points = 1000;
  assert_int_equal(js_grid_splits(&cfg), 3);
  cfg.unit_points = 1001;
  assert_int_equal(js_grid_splits(&cfg), 2);
  cfg.unit_points = 5000;
  assert_int_equal(js_grid_splits(&cfg), 1);
  cfg.unit_points = 20, cfg.test_points = 70;
  assert_int_equal(js_grid_splits(&cfg), 3);
}

/// Ids run pair, trial, split; each trial's splits cover its points once, in order.
static void splits_cover_points(void **state) {
  (void)state;
  js_config cfg = make_cfg(70, 20);
  js_grid grid;
  assert_int_equal(js_grid_build(&cfg, &grid), JS_OK);
  assert_int_equal(grid.nmc, 2 * 2 * 5 * 3);
  int next = 0;
  for (int id = 0; id < grid.nmc; id++) {
    js_unit u = js_grid_unit(&grid, id);
    assert_int_equal(u.nsplit, 3);
    assert_int_equal(id, ((u.id_d * 2 + u.id_n) * 5 + u.trial) * 3 + u.split);
    assert_int_equal(js_grid_pair(&grid, id), u.id_d * 2 + u.id_n);
    assert_int_equal(u.first, u.split == 0 ? 0 : next);
    assert_true(u.points >= 23 && u.points <= 24);
    next = u.first + u.points;
    if (u.split == 2) assert_int_equal(next, 70);
    assert_close(js_grid_count(&grid, id), u.points * 256.0, 0);
  }
  js_unit t = js_grid_unit(&grid, grid.nmc); /* the first theory piece */
  assert_int_equal(t.kind, JS_UNIT_THEORY);
  js_grid_free(&grid);
}

/// Splits arriving in any order sum in split order (when the block is reduced); the block
/// completes with its last unit.
static void trial_sums_splits_in_order(void **state) {
  (void)state;
  js_config cfg = make_cfg(70, 20);
  js_grid grid;
  js_results res;
  assert_int_equal(js_grid_build(&cfg, &grid), JS_OK);
  assert_int_equal(js_results_alloc(&cfg, &grid, &res), JS_OK);
  size_t P = grid.ncells + 1;
  double *pay = malloc(sizeof(double) * P * (size_t)grid.nmc), *got = malloc(sizeof(double) * P);
  uint64_t seed = 3;
  for (size_t i = 0; i < P * (size_t)grid.nmc; i++) pay[i] = test_uniform(&seed) * 1e3;
  int blocks = 0;
  for (int id = grid.nmc - 1; id >= 0; id--) { /* backwards: split 2, 1, then 0 */
    int b = js_results_put(&res, id, pay + (size_t)id * P);
    js_unit u = js_grid_unit(&grid, id);
    int last = u.split == 0 && u.trial == 0;
    assert_int_equal(b, last ? js_grid_pair(&grid, id) : -1);
    if (b >= 0) js_results_reduce_block(&res, b);
    blocks += b >= 0;
    js_results_get(&res, id, got); /* a split's own result comes back */
    assert_memory_equal(got, pay + (size_t)id * P, P * sizeof(double));
  }
  assert_int_equal(blocks, 4);
  for (int t = 0; t < 4 * 5; t++) {
    const double *s0 = pay + (size_t)t * 3 * P, *s1 = s0 + P, *s2 = s1 + P;
    assert_same_bits(res.ref_trial[t], s0[0] + s1[0] + s2[0]);
    for (size_t c = 0; c < grid.ncells; c++)
      assert_same_bits(res.trial[(size_t)t * grid.ncells + c],
                       s0[1 + c] + s1[1 + c] + s2[1 + c]);
  }
  free(pay), free(got);
  js_results_free(&res);
  js_grid_free(&grid);
}

/// Runs of consecutive units laid out as in a result message (id, then payload) store what
/// unit-by-unit puts store, stop after the unit that completes a block, and refuse nothing
/// a single put takes (theory pieces go unit by unit).
static void runs_store_as_units(void **state) {
  (void)state;
  js_config cfg = make_cfg(70, 20);
  js_grid grid;
  js_results one, run;
  assert_int_equal(js_grid_build(&cfg, &grid), JS_OK);
  assert_int_equal(js_results_alloc(&cfg, &grid, &one), JS_OK);
  assert_int_equal(js_results_alloc(&cfg, &grid, &run), JS_OK);
  size_t P = grid.ncells + 1, R = P + 1;
  double *rec = malloc(sizeof(double) * R * (size_t)grid.nmc), *a = malloc(sizeof(double) * P),
         *b = malloc(sizeof(double) * P);
  uint64_t seed = 5;
  for (int id = 0; id < grid.nmc; id++) {
    rec[(size_t)id * R] = id;
    for (size_t c = 0; c < P; c++) rec[(size_t)id * R + 1 + c] = test_uniform(&seed);
  }
  int per_block = grid.nmc / 4, blocks = 0;
  for (int id = 0; id < grid.nmc;) { /* runs of 7 */
    int n = id + 7 <= grid.nmc ? 7 : grid.nmc - id, block;
    int stored = js_results_put_run(&run, id, n, rec + (size_t)id * R, &block);
    int expect = -1, i = 0;
    for (; i < n && expect < 0; i++)
      expect = js_results_put(&one, id + i, rec + (size_t)(id + i) * R + 1);
    assert_int_equal(stored, i);
    assert_int_equal(block, expect);
    if (block >= 0) {
      assert_int_equal((id + stored) % per_block, 0); /* the block's last unit ended the run */
      js_results_reduce_block(&run, block), js_results_reduce_block(&one, block), blocks++;
    }
    id += stored;
  }
  assert_int_equal(blocks, 4);
  for (int id = 0; id < grid.nmc; id++) {
    assert_true(run.done[id]);
    js_results_get(&run, id, a), js_results_get(&one, id, b);
    assert_memory_equal(a, b, P * sizeof(double));
  }
  assert_memory_equal(run.trial, one.trial, sizeof(double) * 4 * 5 * grid.ncells);
  assert_memory_equal(run.mean, one.mean, sizeof(double) * 4 * grid.ncells);
  free(rec), free(a), free(b);
  js_results_free(&one), js_results_free(&run);
  js_grid_free(&grid);
}

/// A split stream differs from the trial's and from the next trial's; out of range refused.
static void split_streams(void **state) {
  (void)state;
  js_rng *a, *b, *c;
  double x[4], y[4], z[4];
  assert_int_equal(js_rng_open(7, 48, 96, 1, &a), JS_OK);
  assert_int_equal(js_rng_open_split(7, 48, 96, 0, 2, 3, &b), JS_OK); /* stream 2^27 + 1 */
  assert_int_equal(js_rng_open_split(7, 48, 96, 1, 1, 3, &c), JS_OK); /* stream 2^27 + 2 */
  js_rng_normals(a, x, 4), js_rng_normals(b, y, 4), js_rng_normals(c, z, 4);
  assert_true(x[0] != y[0] && y[0] != z[0] && x[0] != z[0]);
  js_rng_close(a), js_rng_close(b), js_rng_close(c);
  assert_int_equal(js_rng_open_split(7, 48, 96, 100000000, 30, 31, &a), JS_ERR_INPUT);
}

/// Split 0 of 3 (points 0-63 of 192) is the unsplit trial of 64 points, its sums divided
/// by 192 instead of 64: the same fit from the trial's stream, the same points after it.
static void split0_continues_trial_stream(void **state) {
  (void)state;
  js_config three = make_cfg(192, 64), one = make_cfg(64, 64);
  js_grid g3, g1;
  assert_int_equal(js_grid_build(&three, &g3), JS_OK);
  assert_int_equal(js_grid_build(&one, &g1), JS_OK);
  assert_int_equal(js_grid_unit(&g3, 0).nsplit, 3);
  assert_int_equal(js_grid_unit(&g1, 0).nsplit, 1);
  double *p3 = malloc(sizeof(double) * (g3.ncells + 1));
  double *p1 = malloc(sizeof(double) * (g1.ncells + 1));
  js_unit_runner *r3, *r1;
  assert_int_equal(js_unit_runner_create(&g3, JS_KERNEL_CHUNK, NULL, &r3), JS_OK);
  assert_int_equal(js_unit_runner_create(&g1, JS_KERNEL_CHUNK, NULL, &r1), JS_OK);
  assert_int_equal(js_unit_run(r3, 0, p3, NULL), JS_OK);
  assert_int_equal(js_unit_run(r1, 0, p1, NULL), JS_OK);
  for (size_t c = 0; c <= g3.ncells; c++) assert_close(p3[c] * 3, p1[c], 1e-12 * fabs(p1[c]));
  assert_int_equal(js_unit_run(r3, 1, p3, NULL), JS_OK); /* split 1: other points */
  assert_true(fabs(p3[0] * 3 - p1[0]) > 1e-9 * fabs(p1[0]));
  free(p1), free(p3);
  js_unit_runner_free(r3), js_unit_runner_free(r1);
  js_grid_free(&g3), js_grid_free(&g1);
}

/// A split computed right after another split of its trial (the kept fit) has the bits of
/// the same split computed alone (its own fit), and so does the next trial's.
static void kept_fit_same_bits(void **state) {
  (void)state;
  js_config cfg = make_cfg(192, 64);
  js_grid g;
  assert_int_equal(js_grid_build(&cfg, &g), JS_OK);
  size_t P = g.ncells + 1;
  double *kept = malloc(sizeof(double) * P * 3), *alone = malloc(sizeof(double) * P);
  int ids[] = {0 * 3 + 0, 0 * 3 + 2, 1 * 3 + 1}; /* trial 0 split 0, its split 2, trial 1 */
  js_unit_runner *r;
  assert_int_equal(js_unit_runner_create(&g, JS_KERNEL_CHUNK, NULL, &r), JS_OK);
  for (int i = 0; i < 3; i++) /* in a row: the workspace and trial 0's fit are kept */
    assert_int_equal(js_unit_run(r, ids[i], kept + (size_t)i * P, NULL), JS_OK);
  js_unit_runner_free(r);
  for (int i = 0; i < 3; i++) { /* a new runner each: each unit fits its trial itself */
    assert_int_equal(js_unit_runner_create(&g, JS_KERNEL_CHUNK, NULL, &r), JS_OK);
    assert_int_equal(js_unit_run(r, ids[i], alone, NULL), JS_OK);
    js_unit_runner_free(r);
    assert_memory_equal(kept + (size_t)i * P, alone, P * sizeof(double));
  }
  assert_true(kept[P] != kept[0]); /* split 2 is not split 0 again */
  free(kept), free(alone);
  js_grid_free(&g);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(split_counts),
      cmocka_unit_test(splits_cover_points),
      cmocka_unit_test(trial_sums_splits_in_order),
      cmocka_unit_test(runs_store_as_units),
      cmocka_unit_test(split_streams),
      cmocka_unit_test(split0_continues_trial_stream),
      cmocka_unit_test(kept_fit_same_bits),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
