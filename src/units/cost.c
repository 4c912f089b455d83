/// \file cost.c
/// The cost model (see cost.h).
#include "units/cost.h"

#include <math.h>

double js_cost_train_rows(int d, double rows) {
  double dd = d;
  return rows * (dd * dd / 40e9 + dd * 4e-9);
}

double js_cost_solve(int d) {
  double dd = d;
  return dd * dd * dd / 3.0 / 40e9;
}

double js_cost_points(int d, double points) {
  double dd = d;
  return points * ((dd * dd + 4 * dd) / 20e9 + dd * 4e-9);
}

double js_cost_exact_point(const js_config *cfg) {
  return js_config_exact(cfg) && js_config_kmax(cfg) > 1 ? 6e-6 * cfg->nr : 0;
}

double js_cost_candidate(const js_config *cfg) {
  return 4e-9 + cfg->nr * (1e-9 + 0.5e-9 * js_config_nfinite(cfg));
}

double js_cost_mc_unit(const js_config *cfg, int d, int n, double points) {
  double per_point = js_cost_exact_point(cfg) + js_config_kdraw(cfg) * js_cost_candidate(cfg);
  return js_cost_train_rows(d, n) + js_cost_solve(d) + js_cost_points(d, points) +
         points * per_point;
}

/// Measured on the reference machine (0.16-0.22 ms at finite T, 0.06-0.08 ms at T = 0 on
/// four studies): the inner integrals grow with log k_max, the k loop with nk, the
/// weighting with judges x k.
double js_cost_theory_piece(const js_config *cfg, int finite) {
  double per_k = 0.02 * cfg->nk, logk = log2((double)js_config_kmax(cfg) + 1);
  double weights = 2e-8 * cfg->nr * cfg->nk;
  return weights + (finite ? 0.12e-3 * (1 + per_k) * (1 + 0.05 * logk) : 0.06e-3 * (1 + per_k));
}
