/// \file test_verify.c
/// The run's verification on synthetic results: the k = 1 self-check passes when the k = 1
/// cells scatter around delta_ref, fails (naming the block) when one block is off by many
/// standard errors, is not run without a k = 1 cell; the hash sees any change of one bit.
#include "testutil.h"

#include "units/verify.h"

static int64_t ks1[] = {1, 4}, ks2[] = {2, 4};
static int ds[] = {8, 16}, ns[] = {32};
static double Ts[] = {0, INFINITY};
static js_reward rw[] = {{1, 0, 0, 0}};
enum { TRIALS = 40 };

/// Deterministic noise in [-1, 1].
static double noise(int t, int salt) {
  unsigned x = (unsigned)(t * 2654435761u) ^ (unsigned)(salt * 40503u + 17u);
  x ^= x >> 13, x *= 0x5bd1e995u, x ^= x >> 15;
  return (x % 2001) / 1000.0 - 1.0;
}

/// Results of 2 (d, n) blocks, k = 1 cells = reference + noise + offset[block].
static void make(js_config *cfg, js_results *res, int64_t *k, const double offset[2]) {
  memset(cfg, 0, sizeof *cfg);
  cfg->nd = 2, cfg->nn = 1, cfg->nk = 2, cfg->nT = 2, cfg->nr = 1;
  cfg->d = ds, cfg->n = ns, cfg->k = k, cfg->T = Ts, cfg->reward = rw, cfg->trials = TRIALS;
  memset(res, 0, sizeof *res);
  res->nd = 2, res->nn = 1, res->trials = TRIALS, res->nmc = 2 * TRIALS, res->ncells = 4;
  res->trial = calloc((size_t)res->nmc * res->ncells, sizeof(double));
  res->ref_trial = calloc((size_t)res->nmc, sizeof(double));
  for (int g = 0; g < 2; g++)
    for (int t = 0; t < TRIALS; t++) {
      int u = g * TRIALS + t;
      res->ref_trial[u] = 1 + 0.1 * noise(t, g);
      for (size_t c = 0; c < res->ncells; c++)
        res->trial[(size_t)u * res->ncells + c] = res->ref_trial[u] + 0.05 * noise(t, 7 + g) + offset[g];
    }
}

static void self_check(void **state) {
  (void)state;
  js_config cfg;
  js_results res;
  char line[512];
  make(&cfg, &res, ks1, (double[]){0, 0});
  js_verification ok = js_verify(&cfg, &res, NULL);
  assert_int_equal(ok.checked, 2);
  assert_true(ok.pass && ok.max_z < 4);
  js_verify_text(&ok, line, sizeof line);
  assert_non_null(strstr(line, "PASS"));
  double *x = &res.trial[5 * res.ncells + 3]; /* the last bit of one cell: another hash */
  *x = nextafter(*x, INFINITY);
  assert_true(js_verify(&cfg, &res, NULL).hash != ok.hash);
  *x = nextafter(*x, -INFINITY);
  js_verify_parts vp; /* parts computed early (one block) give the same verification */
  assert_int_equal(js_verify_parts_alloc(&cfg, &vp), JS_OK);
  js_verify_block(&cfg, &res, 1, &vp);
  js_verification early = js_verify(&cfg, &res, &vp);
  assert_true(early.hash == ok.hash && early.max_z == ok.max_z && early.checked == 2);
  js_verify_parts_free(&vp);
  free(res.trial), free(res.ref_trial);

  make(&cfg, &res, ks1, (double[]){0, 0.05}); /* block (16, 32) off by many se */
  js_verification bad = js_verify(&cfg, &res, NULL);
  assert_false(bad.pass);
  assert_true(bad.max_z > JS_VERIFY_Z);
  assert_int_equal(bad.worst_d, 16);
  js_verify_text(&bad, line, sizeof line);
  assert_non_null(strstr(line, "FAIL"));
  assert_non_null(strstr(line, "d=16 n=32"));
  free(res.trial), free(res.ref_trial);

  make(&cfg, &res, ks2, (double[]){0, 0.05}); /* no k = 1 cell: nothing to check */
  js_verification none = js_verify(&cfg, &res, NULL);
  assert_int_equal(none.checked, 0);
  assert_true(none.pass);
  free(res.trial), free(res.ref_trial);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(self_check)};
  return cmocka_run_group_tests_name("verify", tests, NULL, NULL);
}
