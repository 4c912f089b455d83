/// \file theory.h
/// Deterministic-equivalent theory (MODEL.md section 4; the only GSL user): the
/// Marchenko-Pastur quantities of a (d, n), the conditional one-dimensional selection
/// problem, and delta on a study's grid, with the k -> inf limit and the best-of-k
/// coefficient of the perfect judge.
#ifndef JS_THEORY_H
#define JS_THEORY_H

#include "config.h"
#include "error.h"

/// The limit's scalars at one ratio d/n (they depend on d and n only through it).
typedef struct {
  double ratio, lam, S, sigma;
  double tau1, tau2, tauF; ///< (1/d) tr (F + lam)^-1, its -d/dlam, tau1 - lam tau2
  double s2;               ///< predictive variance sigma^2 (1 + S^2 tau1)
  double vu;               ///< Var(m - mu_T) = S^2 e_g
  double cov_ut;           ///< Cov(m - mu_T, mu_T) = -S^2 lam tau1
} js_theory_base;

/// Per study (d, n) block: delta_theory[(id_d nn + id_n) ncells + cell], the k -> inf limit
/// kinf[(id_d nn + id_n) nT nr + iT nr + ir], and per (d, n) the perfect judge's T = 0
/// best-of-k coefficient (delta ~ coef / k^2; NaN when v >= 1/2) and v = S^2 e_g / s^2.
typedef struct {
  double *delta, *kinf, *coef, *v;
  double *invT; ///< [(id_d nn + id_n) nr + ir] E[Cov(l, r)]: delta ~ delta(inf) + (k-1)/k invT / T
  double *alpha_opt; ///< [(id_d nn + id_n) nT + iT] best alpha of judges alpha w_T as k -> inf
} js_theory;

/// The limit's scalars for a ratio d/n and the model.
js_theory_base js_theory_base_at(double ratio, double sigma, double gamma, double S);
/// delta at k = 1 or T = inf: s^2 + Var(m - mu_T) (every reward).
double js_theory_k1(const js_theory_base *b);
/// k -> inf limit at temperature T (0 and inf included) for a reward.
double js_theory_kinf(const js_theory_base *b, double T, js_reward r);
/// The large-T coefficient E[Cov(l, r)] = -(2 s^4 + 4 s^2 (Var u - Cov(u, b))) of the
/// poster's expansion delta = E[l] + ((k - 1) / k) E[Cov(l, r)] / T + O(1 / T^2).
double js_theory_invT(const js_theory_base *b, js_reward r);
/// The alpha minimising the k -> inf delta among judges alpha w_T (beta = 0):
/// 1 + lam tau1 T / (2 s^2) (> 1 at every T > 0: the best judge is not the teacher).
double js_theory_alpha_opt(const js_theory_base *b, double T);
/// Perfect judge, T = 0: v = S^2 e_g / s^2 and the k^-2 coefficient pi s^2 / sqrt(1 - 2v).
double js_theory_bestofk_v(const js_theory_base *b);
double js_theory_bestofk_coef(const js_theory_base *b);
/// The conditional problem: k candidates y_i ~ N(c, s^2) (y = Y - mu_R), chosen by softmax
/// of -y^2 / T. For each k[i] the selected candidate's E[y] (g1) and E[y^2] (g2), and
/// the total selection weight g0 (1 up to quadrature error).
js_status js_theory_conditional(const double *k, int nk, double T, double c, double s,
                                double *g0, double *g1, double *g2);
/// delta_theory for every cell of a study (the k, T, reward grid at each d, n).
js_status js_theory_study(const js_config *cfg, js_theory *th);
/// Free a theory.
void js_theory_free(js_theory *th);

#endif
