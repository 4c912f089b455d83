/// \file test_rerank.c
/// The summary over questions of judgesim rerank: means and standard errors of known rows,
/// optima with edge flags, the best-of-k fit recovering a known law exactly, the share of
/// questions where the judge helps, the expansion from the mean moments; and one question's
/// row as the subset estimators give it.
#include "testutil.h"

#include "rerank/rerank.h"

static int ks[] = {1, 2, 4, 8, 16};
static double Ts[] = {0, 0.5, 2, INFINITY};
enum { NK = 5, NT = 4, NQ = 6 };

/// Rows of NQ questions with delta(T=0, k) = a_q k^-0.8 (so the mean follows the same law),
/// delta(T>0, k) with its minimum at k = 4 for T = 0.5, and known moments.
static void make_rows(const js_rerank_opts *o, double *rows) {
  int w = js_rerank_payload(o);
  for (int q = 0; q < NQ; q++) {
    double *r = rows + q * w, a = 0.5 + 0.1 * q;
    for (int ik = 0; ik < NK; ik++) {
      double lk = log2(ks[ik]);
      r[0 * NK + ik] = a * pow(ks[ik], -0.8);
      r[1 * NK + ik] = a + 0.05 * (lk - 2) * (lk - 2);  /* k_opt = 4 inside the grid */
      r[2 * NK + ik] = a - 0.01 * lk;                  /* k_opt = 16, at the edge */
      r[3 * NK + ik] = a;                              /* flat (T = inf): any k */
      r[NT * NK + ik] = a / (1 + ik);                  /* oracle */
    }
    double *m = r + NT * NK + NK;
    m[0] = a, m[1] = 1, m[2] = q % 3 ? -0.02 : 0.01, m[3] = 0.003;
    m[4] = q != 0; /* question 0: samples of equal loss (no choice can matter) */
  }
}

static void summary_of_known_rows(void **state) {
  (void)state;
  js_rerank_opts o = {NK, NT, ks, Ts, 200, 7, 2, 16};
  int w = js_rerank_payload(&o);
  assert_int_equal(w, NT * NK + NK + 5);
  double rows[NQ * (NT * NK + NK + 5)];
  make_rows(&o, rows);
  js_rerank_summary s;
  assert_int_equal(js_rerank_summarize(&o, NQ, rows, &s), JS_OK);
  double abar = 0.75, asd = sqrt(0.175 / 5); /* a = 0.5..1.0 step 0.1: sum of squares 0.175 */
  for (int ik = 0; ik < NK; ik++) {
    assert_close(s.delta[ik], abar * pow(ks[ik], -0.8), 1e-14);
    assert_close(s.delta_se[ik], asd * pow(ks[ik], -0.8) / sqrt(NQ), 1e-14);
    assert_true(s.delta_lo[ik] < s.delta[ik] && s.delta[ik] < s.delta_hi[ik]);
    assert_close(s.oracle[ik], abar / (1 + ik), 1e-14);
  }
  assert_close(s.k_opt[0], 16, 0); assert_int_equal(s.k_edge[0], 1);
  assert_close(s.k_opt[1], 4, 0); assert_int_equal(s.k_edge[1], 0);
  assert_close(s.k_lo[1], 4, 0); assert_close(s.k_hi[1], 4, 0);
  assert_close(s.k_opt[2], 16, 0); assert_int_equal(s.k_edge[2], 1);
  assert_true(isnan(s.k_opt[3])); assert_int_equal(s.k_edge[3], 0); /* T = inf: any k */
  assert_true(isnan(s.k_lo[3]) && isnan(s.k_hi[3]));
  assert_true(isnan(s.T_opt[0])); assert_int_equal(s.T_edge[0], 0); /* k = 1: any T */
  assert_close(s.T_opt[4], 0, 0); /* k = 16: T = 0 is lowest */
  assert_int_equal(s.fit_n, 4);   /* k = 2..16 */
  assert_close(s.expo, 0.8, 1e-12);
  assert_close(s.expo_lo, 0.8, 1e-12); assert_close(s.expo_hi, 0.8, 1e-12);
  assert_close(s.beta, 2 / 0.8 - 1, 1e-12);
  assert_close(s.A, abar, 1e-12);
  assert_true(s.A_lo < abar && abar < s.A_hi);
  assert_int_equal(s.nmatter, NQ - 1);
  assert_close(s.help_share, 4.0 / 5, 1e-15); /* of the questions where the choice matters */
  for (int ik = 0; ik < NK; ik++) {
    int c0 = ik, cinf = 3 * NK + ik; /* T = 0 and T = inf */
    assert_close(s.gain[c0], abar * pow(ks[ik], -0.8) - abar, 1e-14);
    assert_true(s.gain_lo[c0] <= s.gain[c0] + 1e-15 && s.gain[c0] <= s.gain_hi[c0] + 1e-15);
    /* paired: the uniform pick against itself has no spread at all (unpaired, the two
       means' intervals would overlap widely) */
    assert_close(s.gain[cinf], 0, 1e-15);
    assert_close(s.gain_lo[cinf], 0, 1e-15);
    assert_close(s.gain_hi[cinf], 0, 1e-15);
    assert_int_equal(s.helps[c0], ks[ik] > 1 ? NQ - 1 : 0); /* question 0 not counted */
    assert_int_equal(s.hurts[c0], 0);
    assert_int_equal(s.helps[cinf] + s.hurts[cinf], 0);
  }
  assert_true(s.gain_hi[NK - 1] < 0); /* k = 16, T = 0: the judge helps, significantly */
  assert_close(s.mom[2], (4 * -0.02 + 2 * 0.01) / 6, 1e-15);
  js_moments m = {abar, 1, s.mom[2], 0.003};
  assert_close(s.expand2[1 * NK + 3], js_subsets_expansion(&m, 8, 0.5, 2), 1e-15);
  assert_true(isnan(s.expand1[3])); /* T = 0 has no expansion */
  assert_close(s.expand1[3 * NK + 2], abar, 1e-15);
  js_rerank_summary_free(&s);
}

/// The same rows and seed give the same bits; another seed other intervals.
static void bootstrap_reproducible(void **state) {
  (void)state;
  js_rerank_opts o = {NK, NT, ks, Ts, 100, 7, 2, 16};
  double rows[NQ * (NT * NK + NK + 5)];
  make_rows(&o, rows);
  js_rerank_summary a, b, c;
  assert_int_equal(js_rerank_summarize(&o, NQ, rows, &a), JS_OK);
  assert_int_equal(js_rerank_summarize(&o, NQ, rows, &b), JS_OK);
  o.seed = 8;
  assert_int_equal(js_rerank_summarize(&o, NQ, rows, &c), JS_OK);
  int differ = 0;
  for (int i = 0; i < NK * NT; i++) {
    assert_same_bits(a.delta_lo[i], b.delta_lo[i]);
    differ += a.delta_lo[i] != c.delta_lo[i];
  }
  assert_true(differ > 0);
  js_rerank_summary_free(&a), js_rerank_summary_free(&b), js_rerank_summary_free(&c);
}

/// One question's row holds the subset estimators' values in its documented layout.
static void question_row(void **state) {
  (void)state;
  double l[] = {1, 0, 0, 1, 0}, r[] = {3, 5, 5, 1, 2};
  js_question q = {5, l, r};
  js_rerank_opts o = {3, NT, (int[]){1, 2, 4}, Ts, 20, 1, 1, 4};
  double row[NT * 3 + 3 + 5], d[NT * 3], orc[3];
  assert_int_equal(js_rerank_question(&o, &q, row), JS_OK);
  assert_int_equal(js_subsets_delta(&q, 3, o.k, NT, Ts, d), JS_OK);
  assert_int_equal(js_subsets_oracle(&q, 3, o.k, orc), JS_OK);
  for (int i = 0; i < NT * 3; i++) assert_same_bits(row[i], d[i]);
  for (int i = 0; i < 3; i++) assert_same_bits(row[NT * 3 + i], orc[i]);
  assert_close(row[NT * 3 + 3], 0.4, 1e-15);     /* mu_l */
  assert_close(row[NT * 3 + 3 + 1], 3.2, 1e-15); /* mu_r */
  assert_close(row[NT * 3 + 3 + 4], 1, 0);       /* the losses differ: the choice can matter */
  double same[] = {1, 1, 1, 1, 1};
  js_question q1 = {5, same, r};
  assert_int_equal(js_rerank_question(&o, &q1, row), JS_OK);
  assert_close(row[NT * 3 + 3 + 4], 0, 0);       /* all equal: it cannot */
  assert_close(d[0 * 3 + 1], 0.2, 1e-15); /* T = 0, k = 2: of 10 pairs, {3, 1} and {3, 2} pick a loss */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(summary_of_known_rows),
      cmocka_unit_test(bootstrap_reproducible),
      cmocka_unit_test(question_row),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
