/// \file analysis.h
/// What a cube says, with error bars: optimal k and T, the best judge, the best-of-k
/// exponent and the Monte Carlo to theory gap. Intervals come from a bootstrap over trials
/// (the independent unit), drawn from a SPRNG stream of the study seed.
#ifndef JS_ANALYSIS_H
#define JS_ANALYSIS_H

#include "study/config.h"
#include "core/error.h"

/// The data an analysis needs (one (d, n) block after another; cells as js_cell()).
typedef struct {
  const js_config *cfg;
  const double *mean, *se; ///< [dn][cell]
  const double *trial;     ///< [dn][trial][cell]
  const double *theory;    ///< [dn][cell] or NULL
  const double *v;         ///< [dn] bestofk_v or NULL
} js_analysis_input;

/// Results; intervals are 95% bootstrap percentiles; "edge" = the point estimate sits at an
/// end of its grid axis (the optimum may lie beyond it).
typedef struct {
  int boot;                              ///< bootstrap resamples
  double *k_opt, *k_opt_lo, *k_opt_hi;   ///< [dn][T][reward] (k values)
  signed char *k_edge;
  double *T_opt, *T_opt_lo, *T_opt_hi;   ///< [dn][k][reward] (T values)
  signed char *T_edge;
  int *best;                             ///< [dn][k][T] reward index with the lowest delta
  double *best_prob, *best_lo, *best_hi; ///< how often it is best; interval of its delta
  double *expo, *expo_lo, *expo_hi;      ///< [dn] perfect judge, T = 0: -slope of log delta
  double *expo_theory;                   ///< [dn] 2 if v < 1/2, else 1/v (NaN if unknown)
  int expo_from;                         ///< first k index of the fitted tail (-1: no fit)
  double *gap_se;                        ///< [dn][cell] (delta - theory) / se, NaN if none
} js_analysis;

/// Analyse a cube with `boot` bootstrap resamples.
js_status js_analyze(const js_analysis_input *in, int boot, js_analysis *out);
/// Print the analysis as tables.
void js_analysis_print(const js_config *cfg, const js_analysis *a);
/// Free an analysis.
void js_analysis_free(js_analysis *a);

#endif
