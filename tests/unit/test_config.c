/// \file test_config.c
/// Study-file validation: every rejection of issue section 2, generators, overrides and the
/// canonical text round trip.
#include "testutil.h"

#include "study/config.h"

static const char *GOOD =
    "model: {sigma: 0.5, gamma: 1.0}\n"                  /* 1 */
    "grid:\n"                                            /* 2 */
    "  d: [10, 20]\n"                                    /* 3 */
    "  n: [30]\n"                                        /* 4 */
    "  k: [1, 2, 4]\n"                                   /* 5 */
    "  T: [0, 0.5, .inf]\n"                              /* 6 */
    "  reward: [{alpha: 1, beta: 0}, {alpha: 1, beta: 1}]\n" /* 7 */
    "sampling: {trials: 4, test_points: 10, seed: 7}\n"  /* 8 */
    "output: {path: /tmp/x.nc}\n";                       /* 9 */

/// Replace the first occurrence of `from` in GOOD by `to`, write it, load it.
static js_status load_variant(const char *from, const char *to, js_config *cfg) {
  char text[2048];
  const char *at = strstr(GOOD, from);
  if (!at) fail_msg("fixture text '%s' not found", from);
  snprintf(text, sizeof text, "%.*s%s%s", (int)(at - GOOD), GOOD, to, at + strlen(from));
  js_error_clear();
  return js_config_load(write_temp(text), NULL, 0, NULL, cfg);
}

/// Expect an input error whose message contains every given fragment.
static void expect_reject(const char *from, const char *to, const char *frag1, const char *frag2) {
  js_config cfg;
  js_status s = load_variant(from, to, &cfg);
  if (s != JS_ERR_INPUT) fail_msg("'%s' -> '%s' was accepted (status %d)", from, to, s);
  const char *msg = js_error_message();
  if (!strstr(msg, frag1) || (frag2 && !strstr(msg, frag2)))
    fail_msg("message '%s' lacks '%s' / '%s'", msg, frag1, frag2 ? frag2 : "");
  if (!strstr(msg, "/tmp/judgesim-test-")) fail_msg("message '%s' does not name the file", msg);
}

static void test_good(void **state) {
  (void)state;
  js_config cfg;
  assert_int_equal(load_variant("d: [10, 20]", "d: [20, 10]", &cfg), JS_OK);
  assert_int_equal(cfg.nd, 2);
  assert_int_equal(cfg.d[0], 10); /* sorted */
  assert_int_equal(cfg.nT, 3);
  assert_true(cfg.T[0] == 0 && isinf(cfg.T[2]));
  assert_int_equal(cfg.nr, 2);
  assert_close(cfg.input_scale, 1.0, 0);
  assert_int_equal(cfg.seed, 7);
  assert_string_equal(cfg.out_path, "/tmp/x.nc");
  js_config_free(&cfg);
}

static void test_unknown_keys(void **state) {
  (void)state;
  expect_reject("sigma: 0.5", "sigm: 0.5", ":1: model.sigm: unknown key", "did you mean 'sigma'");
  expect_reject("  k: [1, 2, 4]", "  kk: [1, 2, 4]", ":5: grid.kk: unknown key", "'k'");
  expect_reject("seed: 7}", "seed: 7, extra: 1}",
                ":8: sampling.extra: unknown key", NULL);
  expect_reject("output:", "outptu:", ":9: outptu: unknown key", "did you mean 'output'");
}

static void test_types_and_sections(void **state) {
  (void)state;
  expect_reject("sigma: 0.5", "sigma: abc", ":1: model.sigma: expected a number", NULL);
  expect_reject("sigma: 0.5", "sigma: \"0.5\"", ":1: model.sigma: expected a number", NULL);
  expect_reject("d: [10, 20]", "d: [10.5]", ":3: grid.d: expected integers", NULL);
  expect_reject("d: [10, 20]", "d: 10", ":3: grid.d: expected a list", NULL);
  expect_reject("trials: 4", "trials: [4]", ":8: sampling.trials: expected a number", NULL);
  expect_reject("grid:", "grod:", "grod: unknown key", "did you mean 'grid'");
  expect_reject("model: {sigma: 0.5, gamma: 1.0}", "model: {sigma: 0.5}", ":1: model.gamma: missing key", NULL);
  expect_reject("reward: [{alpha: 1, beta: 0}, ", "reward: [{alpha: 1}, ", ":7: grid.reward.beta: missing key", NULL);
  expect_reject("  k: [1, 2, 4]\n", "", "grid.k: missing key", NULL);
}

static void test_ranges(void **state) {
  (void)state;
  expect_reject("d: [10, 20]", "d: [0, 20]", ":3: grid.d: 0 is out of range", NULL);
  expect_reject("n: [30]", "n: [-5]", ":4: grid.n: -5 is out of range", NULL);
  expect_reject("k: [1, 2, 4]", "k: [0, 2]", ":5: grid.k: 0 is out of range", NULL);
  expect_reject("test_points: 10", "test_points: 0", ":8: sampling.test_points: 0 is out of range", NULL);
  expect_reject("trials: 4", "trials: 1", ":8: sampling.trials: 1 is out of range", NULL);
  expect_reject("test_points: 10", "test_points: 10, unit_points: 0",
                ":8: sampling.unit_points: 0 is out of range", NULL);
  expect_reject("sigma: 0.5", "sigma: 0", ":1: model.sigma: 0 is out of range", NULL);
  expect_reject("gamma: 1.0", "gamma: -1", ":1: model.gamma: -1 is out of range", NULL);
  expect_reject("gamma: 1.0", "gamma: 1.0, input_scale: .inf", ":1: model.input_scale: .inf is out of range", NULL);
  expect_reject("sigma: 0.5", "sigma: .nan", ":1: model.sigma: .nan is out of range", NULL);
  expect_reject("T: [0, 0.5, .inf]", "T: [0, -0.5]", ":6: grid.T: -0.5 is out of range", NULL);
  expect_reject("T: [0, 0.5, .inf]", "T: [0, .nan]", ":6: grid.T: .nan is out of range", NULL);
  expect_reject("seed: 7", "seed: -1", ":8: sampling.seed: -1 is out of range", NULL);
  expect_reject("beta: 1}]", "beta: .inf}]", ":7: grid.reward.beta: .inf is out of range", NULL);
}

static void test_empty_and_duplicates(void **state) {
  (void)state;
  expect_reject("d: [10, 20]", "d: []", ":3: grid.d: the axis is empty", NULL);
  expect_reject("T: [0, 0.5, .inf]", "T: []", ":6: grid.T: the axis is empty", NULL);
  expect_reject("k: [1, 2, 4]", "k: [1, 2, 2]", ":5: grid.k: duplicate value 2", NULL);
  expect_reject("T: [0, 0.5, .inf]", "T: [.inf, 0, .inf]", ":6: grid.T: duplicate value inf", NULL);
  expect_reject("{alpha: 1, beta: 1}]", "{alpha: 1, beta: 0}]", ":7: grid.reward: duplicate value", NULL);
  expect_reject("d: [10, 20]", "d: {logspace: {start: 1, stop: 4, num: 0}}", "grid.d.logspace: 0 is out of range", NULL);
  expect_reject("T: [0, 0.5, .inf]", "T: {logspace: {start: 0, stop: 1, num: 3}}", "logspace needs start > 0", NULL);
}

static void test_yaml_syntax(void **state) {
  (void)state;
  expect_reject("d: [10, 20]", "d: [10, 20", "YAML syntax error", NULL);
  js_config cfg;
  js_error_clear();
  assert_int_equal(js_config_load("/nonexistent/study.yaml", NULL, 0, NULL, &cfg), JS_ERR_INPUT);
  assert_non_null(strstr(js_error_message(), "/nonexistent/study.yaml: cannot open"));
  assert_int_equal(js_config_load(write_temp(""), NULL, 0, NULL, &cfg), JS_ERR_INPUT);
  assert_non_null(strstr(js_error_message(), "missing section 'model'"));
}

static void test_generators(void **state) {
  (void)state;
  js_config cfg;
  assert_int_equal(load_variant("k: [1, 2, 4]", "k: {logspace: {start: 1, stop: 4096, num: 13}}", &cfg), JS_OK);
  assert_int_equal(cfg.nk, 13);
  for (int i = 0; i < 13; i++) assert_int_equal(cfg.k[i], 1 << i);
  js_config_free(&cfg);
  /* rounding to integers merges values: 1, 1.27, 1.62, ... 10 -> distinct rounded values */
  assert_int_equal(load_variant("k: [1, 2, 4]", "k: {logspace: {start: 1, stop: 10, num: 20}}", &cfg), JS_OK);
  assert_int_equal(cfg.k[0], 1);
  assert_int_equal(cfg.k[cfg.nk - 1], 10);
  assert_int_equal(cfg.nk, 10);
  js_config_free(&cfg);
  assert_int_equal(load_variant("T: [0, 0.5, .inf]", "T: {linspace: {start: 0, stop: 1, num: 5}}", &cfg), JS_OK);
  assert_int_equal(cfg.nT, 5);
  assert_close(cfg.T[1], 0.25, 1e-15);
  js_config_free(&cfg);
}

static void test_overrides(void **state) {
  (void)state;
  js_config cfg;
  const char *path = write_temp(GOOD);
  const char *sets[] = {"sampling.trials=8", "grid.k=[1, 2, 4, 8]", "model.input_scale=2"};
  assert_int_equal(js_config_load(path, sets, 3, "/tmp/o.nc", &cfg), JS_OK);
  assert_int_equal(cfg.trials, 8);
  assert_int_equal(cfg.nk, 4);
  assert_close(cfg.input_scale, 2, 0);
  assert_string_equal(cfg.out_path, "/tmp/o.nc");
  js_config_free(&cfg);
  const char *bad[] = {"sampling.trails=8"};
  assert_int_equal(js_config_load(path, bad, 1, NULL, &cfg), JS_ERR_INPUT);
  assert_non_null(strstr(js_error_message(), "--set sampling.trails=8: sampling.trails: unknown key"));
  assert_non_null(strstr(js_error_message(), "did you mean 'trials'"));
  const char *bad2[] = {"grid.k=[0]"};
  assert_int_equal(js_config_load(path, bad2, 1, NULL, &cfg), JS_ERR_INPUT);
  assert_non_null(strstr(js_error_message(), "--set grid.k=[0]: grid.k: 0 is out of range"));
  const char *bad3[] = {"trials"};
  assert_int_equal(js_config_load(path, bad3, 1, NULL, &cfg), JS_ERR_INPUT);
  assert_non_null(strstr(js_error_message(), "expected section.key=value"));
}

/// sampling.best_of_k and the k range: 2^53 with the exact estimator and no finite T; refused
/// when candidates would have to be drawn; the estimator in the canonical text; a change of
/// estimator refused on restart.
static void test_best_of_k(void **state) {
  (void)state;
  js_config a, b;
  assert_int_equal(load_variant("  k: [1, 2, 4]\n  T: [0, 0.5, .inf]",
                               "  k: [1, 2, 9007199254740992]\n  T: [0, .inf]", &a), JS_OK);
  assert_true(a.k[2] == (int64_t)1 << 53 && js_config_kmax(&a) == a.k[2]);
  assert_int_equal(a.best_of_k, JS_BOK_AUTO);
  assert_true(js_config_exact(&a)); /* auto: k_max > JS_BOK_AUTO_KMAX */
  js_config_free(&a);
  expect_reject("k: [1, 2, 4]", "k: [1, 9007199254740994]", ":5: grid.k: 9007199254740994 is "
                "out of range", NULL);
  expect_reject("k: [1, 2, 4]", "k: [1, 4294967296]", ":5: grid.k: k = 4294967296 needs more "
                "candidates", "no finite T"); /* T = 0.5 needs candidates */
  expect_reject("seed: 7}", "seed: 7, best_of_k: maybe}", ":8: sampling.best_of_k: expected "
                "auto, exact or candidates, got 'maybe'", NULL);
  assert_int_equal(load_variant("T: [0, 0.5, .inf]\n", "T: [0, .inf]\n", &a), JS_OK);
  assert_int_equal(load_variant("seed: 7}", "seed: 7, best_of_k: exact}", &b), JS_OK);
  assert_false(js_config_exact(&a));
  assert_true(js_config_exact(&b) && b.best_of_k == JS_BOK_EXACT);
  assert_int_equal(js_config_kdraw(&a), 4);
  assert_int_equal(js_config_kdraw(&b), 4); /* finite T 0.5 still needs candidates */
  const char *key;
  assert_int_equal(js_config_compare(&a, &b, &key), JS_STUDY_CHANGED);
  assert_non_null(strstr(key, "best_of_k"));
  char *text = NULL, *plain = NULL;
  assert_int_equal(js_config_study_text(&b, &text), JS_OK);
  assert_non_null(strstr(text, "best_of_k: exact"));
  assert_int_equal(js_config_study_text(&a, &plain), JS_OK);
  assert_null(strstr(plain, "best_of_k")); /* the default leaves the text as it was */
  free(text), free(plain);
  js_config_free(&a), js_config_free(&b);
  assert_int_equal(load_variant("T: [0, 0.5, .inf]\n", "T: [0, .inf]\n", &a), JS_OK);
  a.best_of_k = JS_BOK_EXACT;
  assert_int_equal(js_config_kdraw(&a), 0); /* nothing left for candidates */
  js_config_free(&a);
}

static void test_roundtrip(void **state) {
  (void)state;
  js_config a, b;
  assert_int_equal(load_variant("T: [0, 0.5, .inf]", "T: [0, 0.1, 0.30000000000000004, .inf]", &a), JS_OK);
  char *text = NULL, *text2 = NULL;
  assert_int_equal(js_config_to_yaml(&a, &text), JS_OK);
  assert_int_equal(js_config_parse_text(text, "canonical", &b), JS_OK);
  assert_int_equal(js_config_to_yaml(&b, &text2), JS_OK);
  assert_string_equal(text, text2);
  assert_int_equal(a.nT, b.nT);
  for (int i = 0; i < a.nT; i++) assert_same_bits(a.T[i], b.T[i]);
  assert_same_bits(a.sigma, b.sigma);
  free(text), free(text2);
  js_config_free(&a), js_config_free(&b);
}

/// The authors' judges {c} beside {alpha, beta} ones, and the Gaussian teacher: accepted,
/// kept through the canonical text, and every malformed form refused naming its key.
static void test_c_judges_and_teacher(void **state) {
  (void)state;
  js_config a, b;
  assert_int_equal(load_variant("{alpha: 1, beta: 1}]", "{c: 5}, {c: -0.5}, {alpha: 1, beta: 1}]", &a), JS_OK);
  assert_int_equal(a.nr, 4);
  assert_false(js_reward_is_c(&a.reward[0]));
  assert_true(js_reward_is_c(&a.reward[1]) && a.reward[1].c == 5 && isnan(a.reward[1].alpha));
  assert_true(js_reward_is_c(&a.reward[2]) && a.reward[2].c == -0.5);
  /* m - mu_R = (1 + c)(m - mu_T) for a {c} judge; alpha mu_T + beta p for the others */
  assert_true(js_reward_gap(&a.reward[1], 0.3, 0.1, 7) == 6 * (0.3 - 0.1));
  assert_true(js_reward_gap(&a.reward[3], 0.3, 0.1, 7) == 0.3 - (0.1 + 7));
  assert_int_equal(a.teacher, JS_TEACHER_SPHERE);
  char *text = NULL, *text2 = NULL;
  assert_int_equal(js_config_to_yaml(&a, &text), JS_OK);
  assert_non_null(strstr(text, "- {c: 5}"));
  assert_null(strstr(text, "teacher")); /* the default is not written */
  js_config_free(&a);
  free(text);
  assert_int_equal(load_variant("gamma: 1.0}", "gamma: 1.0, teacher: {law: gaussian, scale: 2}}", &a), JS_OK);
  assert_int_equal(a.teacher, JS_TEACHER_GAUSSIAN);
  assert_true(a.teacher_scale == 2);
  assert_int_equal(js_config_to_yaml(&a, &text), JS_OK);
  assert_int_equal(js_config_parse_text(text, "canonical", &b), JS_OK);
  assert_int_equal(js_config_to_yaml(&b, &text2), JS_OK);
  assert_string_equal(text, text2);
  assert_int_equal(b.teacher, JS_TEACHER_GAUSSIAN);
  assert_true(b.teacher_scale == 2);
  free(text), free(text2);
  js_config_free(&a), js_config_free(&b);
  expect_reject("{alpha: 1, beta: 1}]", "{c: 5, alpha: 1}]", ":7: grid.reward: a judge is", "not both");
  expect_reject("{alpha: 1, beta: 1}]", "{c: -1}]", ":7: grid.reward.c: -1 puts", NULL);
  expect_reject("{alpha: 1, beta: 1}]", "{c: 2}, {c: 2}]", ":7: grid.reward: duplicate value {c: 2}", NULL);
  expect_reject("{alpha: 1, beta: 1}]", "{c: .inf}]", ":7: grid.reward.c: .inf is out of range", NULL);
  expect_reject("{alpha: 1, beta: 1}]", "{c: x}]", ":7: grid.reward.c: expected a number", NULL);
  expect_reject("gamma: 1.0}", "gamma: 1.0, teacher: {law: gaussian}}", ":1: model.teacher.scale: missing key", NULL);
  expect_reject("gamma: 1.0}", "gamma: 1.0, teacher: {law: cube, scale: 1}}", ":1: model.teacher.law: expected sphere or gaussian", NULL);
  expect_reject("gamma: 1.0}", "gamma: 1.0, teacher: {law: sphere, scale: 2}}", ":1: model.teacher.scale: only a gaussian", NULL);
  expect_reject("gamma: 1.0}", "gamma: 1.0, teacher: {law: gaussian, scale: 0}}", ":1: model.teacher.scale: 0 is out of range", NULL);
  expect_reject("gamma: 1.0}", "gamma: 1.0, teacher: {law: gaussian, scale: 1, tau: 2}}", ":1: model.teacher.tau: unknown key", NULL);
  expect_reject("gamma: 1.0}", "gamma: 1.0, teacher: 2}", ":1: model.teacher: expected a map", NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_good),       cmocka_unit_test(test_unknown_keys),
      cmocka_unit_test(test_types_and_sections), cmocka_unit_test(test_ranges),
      cmocka_unit_test(test_empty_and_duplicates), cmocka_unit_test(test_yaml_syntax),
      cmocka_unit_test(test_generators), cmocka_unit_test(test_overrides),
      cmocka_unit_test(test_roundtrip), cmocka_unit_test(test_best_of_k),
      cmocka_unit_test(test_c_judges_and_teacher),
  };
  return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
