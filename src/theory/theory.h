/// \file theory.h
/// Deterministic-equivalent theory (docs/model.md, "Theory"; the only GSL user): the
/// Marchenko-Pastur quantities of a ratio d/n, the closed forms (k = 1, T = inf, k -> inf,
/// the best-of-k coefficient, the large-T coefficient), the conditional one-dimensional
/// selection problem, and delta cut into nodes of the outer integral (the work units that
/// theoryplan.h schedules and assembles).
#ifndef JS_THEORY_H
#define JS_THEORY_H

#include "study/config.h"
#include "core/error.h"

/// The limit's scalars at one ratio d/n (they depend on d and n only through it).
typedef struct {
  double ratio, lam, S, sigma;
  double tau1, tau2, tauF; ///< (1/d) tr (F + lam)^-1, its -d/dlam, tau1 - lam tau2
  double s2;               ///< predictive variance sigma^2 (1 + S^2 tau1)
  double vu;               ///< Var(m - mu_T) = S^2 e_g
  double cov_ut;           ///< Cov(m - mu_T, mu_T) = -S^2 lam tau1
} js_theory_base;

/// The limit's scalars for a ratio d/n and the model.
js_theory_base js_theory_base_at(double ratio, double sigma, double gamma, double S);
/// delta at k = 1 or T = inf: s^2 + Var(m - mu_T) (every reward).
double js_theory_k1(const js_theory_base *b);
/// k -> inf limit at temperature T (0 and inf included) for a reward.
double js_theory_kinf(const js_theory_base *b, double T, js_reward r);
/// The large-T coefficient E[Cov(l, r)] = -(2 s^4 + 4 s^2 (Var u - Cov(u, b))) of the
/// poster's expansion delta = E[l] + ((k - 1) / k) E[Cov(l, r)] / T + O(1 / T^2).
double js_theory_invT(const js_theory_base *b, js_reward r);
/// The per-test-point moments of the large-T expansion averaged over the test point's
/// law: mom = {E[Cov(l, r)], E[Cov(l, rc^2)], E[Cov(l, rc^3)], E[Cov(l, r) Var r]} with
/// rc = r - E[r | x] (exact: polynomials in Gaussians, by Gauss-Hermite).
js_status js_theory_expansion_moments(const js_theory_base *b, js_reward r, double mom[4]);
/// The expansion of delta in 1/T to orders 1, 2 and 3 (out[0..2]) from those moments:
/// E[l] + (k-1)/k m1/T + (k-1)(k-2)/(2k^2) m2/T^2 + ((k-1)(k^2-6k+6)/(6k^3) m3 -
/// (k-1)(k^2-4k+6)/(2k^3) m4)/T^3; NaN at T = 0, E[l] at T = inf.
void js_theory_expansion(const js_theory_base *b, const double mom[4], double k, double T,
                         double out[3]);
/// The alpha minimising the k -> inf delta among judges alpha w_T (beta = 0):
/// 1 + lam tau1 T / (2 s^2) (> 1 at every T > 0: the best judge is not the teacher).
double js_theory_alpha_opt(const js_theory_base *b, double T);
/// Perfect judge, T = 0: v = S^2 e_g / s^2 and the k^-2 coefficient pi s^2 / sqrt(1 - 2v).
double js_theory_bestofk_v(const js_theory_base *b);
double js_theory_bestofk_coef(const js_theory_base *b);
/// The quadrature rules (GSL's Gauss-Legendre tables) and the buffers the theory reuses from
/// call to call: scratch for the nodes, and the last outer panel grid (consecutive pieces
/// mostly share their ratio). One per thread that computes theory; results do not depend on
/// what a cache computed before.
typedef struct js_theory_cache js_theory_cache;
/// A new cache with the rules made.
js_status js_theory_cache_create(js_theory_cache **out);
/// Free a cache (NULL allowed).
void js_theory_cache_free(js_theory_cache *q);

/// The conditional problem: k candidates y_i ~ N(c, s^2) (y = Y - mu_R), chosen by softmax
/// of -y^2 / T. For each k[i] the selected candidate's E[y] (g1) and E[y^2] (g2), and
/// the total selection weight g0 (1 up to quadrature error).
js_status js_theory_conditional(js_theory_cache *q, const double *k, int nk, double T,
                                double c, double s, double *g0, double *g1, double *g2);
/// The quadrature's version, kept with checkpointed theory pieces: a node index means another
/// point under another version (1: 8 nodes per panel everywhere; 2: docs/model.md).
#define JS_THEORY_RULE 2
/// The outer integral over c = m - mu_R uses Gauss-Legendre panels placed at the scales of
/// every judge's law of c and of s, one grid for all judges (8 nodes per panel at T = 0, 6 at
/// finite T); how many nodes at T.
js_status js_theory_node_count(js_theory_cache *q, const js_theory_base *b, double T,
                               const js_reward *r, int nr, int *nodes);
/// One node's share of delta at T (0 <= T < inf) for every judge r[0..nr) and k[0..nk):
/// out[ir * nk + ik]. delta is the sum of the shares over the nodes in order; each node is
/// one work unit, solving the one-dimensional selection problem at one c for every k and
/// weighting it for every judge.
js_status js_theory_piece(js_theory_cache *q, const js_theory_base *b, double T,
                          const js_reward *r, int nr, const double *k, int nk, int node,
                          double *out);

#endif
