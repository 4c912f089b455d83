/// \file config.h
/// The study: model scalars, the (d, n, k, T, reward) grid, sampling and output settings,
/// read from a YAML study file with --set overrides and validated before any work.
#ifndef JS_CONFIG_H
#define JS_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/// A judge reward w_R = alpha w_T + beta w_perp (docs/model.md).
/// A judge: {alpha, beta} (w_R = alpha w_T + beta w_perp; is_c 0, c unused) or the
/// authors' {c} (is_c 1: mu_R = mu_T - c (m - mu_T), tied to the model's own error; alpha
/// and beta are NaN).
typedef struct {
  double alpha, beta;
  int is_c;
  double c;
} js_reward;

/// Whether a judge is a {c} judge.
static inline int js_reward_is_c(const js_reward *r) { return r->is_c; }

/// m - mu_R for a test point with posterior mean m, teacher mean mu_T and w_perp
/// projection p: mu_R = alpha mu_T + beta p, or mu_R = mu_T - c (m - mu_T).
static inline double js_reward_gap(const js_reward *r, double m, double muT, double p) {
  if (js_reward_is_c(r)) return (1 + r->c) * (m - muT);
  return m - (r->alpha * muT + r->beta * p);
}

/// A judge as text: "(alpha, beta)" or "c=C" (at most size bytes, NUL included).
const char *js_reward_label(const js_reward *r, char *buf, int size);

/// The teacher's law: the sphere |w_T|^2 = d (default), or w_T ~ N(0, tau^2 I) drawn fresh
/// per trial (w_perp then has |w_T|'s norm).
typedef enum { JS_TEACHER_SPHERE, JS_TEACHER_GAUSSIAN } js_teacher_law;

/// How T = 0 cells are estimated (docs/model.md, "Estimators").
typedef enum {
  JS_BOK_AUTO,       ///< exact when k_max > JS_BOK_AUTO_KMAX, else candidates
  JS_BOK_EXACT,      ///< exact conditional expectation per test point (any k up to 2^53)
  JS_BOK_CANDIDATES  ///< the argmax of the drawn candidates
} js_bestofk_mode;

/// sampling.best_of_k: auto picks the exact estimator above this k_max.
#define JS_BOK_AUTO_KMAX 65536
/// Most candidates a test point may draw (finite T, or best_of_k: candidates).
#define JS_KDRAW_MAX 2147483647

typedef struct {
  double sigma, gamma, input_scale; ///< label noise, prior std, input scale S
  js_teacher_law teacher;           ///< model.teacher.law
  double teacher_scale;             ///< model.teacher.scale tau (1 for the sphere)
  int nd, nn, nk, nT, nr;           ///< axis lengths
  int *d, *n;                       ///< ascending, distinct
  int64_t *k;                       ///< ascending, distinct, 1 .. 2^53
  double *T;                        ///< ascending, distinct; 0 = argmax, +inf = uniform
  js_reward *reward;                ///< in the order given
  int trials, test_points;
  int unit_points;                  ///< sampling.unit_points: test points per Monte Carlo
                                    ///< unit at least (0: the automatic rule, grid.h)
  long seed;                        ///< 0 .. 2^31-1
  js_bestofk_mode best_of_k;        ///< as given (sampling.best_of_k, default auto)
  double tilt;                      ///< sampling.tilt >= 1: importance-sampled test inputs
  char *out_path;
  double checkpoint_every;          ///< seconds between checkpoint commits (default 60)
} js_config;

/// Read and validate a study file, apply "section.key=value" overrides and an optional
/// output path override (NULL for none). Input errors name file, line and key (exit 2).
js_status js_config_load(const char *path, const char *const *sets, int nsets,
                         const char *out_override, js_config *cfg);
/// Parse and validate study text (e.g. the canonical text broadcast by the master).
js_status js_config_parse_text(const char *text, const char *origin, js_config *cfg);
/// Canonical YAML text of a validated study (malloc'd); parsing it gives the same study.
js_status js_config_to_yaml(const js_config *cfg, char **text);
/// Canonical text of the result-relevant sections only (model, grid, sampling).
js_status js_config_study_text(const js_config *cfg, char **text);
/// Parse and validate such a study text (no output section needed).
js_status js_config_parse_study(const char *text, const char *origin, js_config *cfg);
/// How a study b relates to an earlier study a whose finished units were checkpointed.
typedef enum {
  JS_STUDY_SAME,       ///< every finished unit is reused
  JS_STUDY_MORE_UNITS, ///< more d, n or trials: every finished unit is reused
  JS_STUDY_MORE_CELLS, ///< more k (same k_max), T or reward values: units are recomputed
  JS_STUDY_CHANGED     ///< finished numbers would change: refused
} js_study_change;
/// Compare studies; *key names the key that changed (NULL when the same).
js_study_change js_config_compare(const js_config *a, const js_config *b, const char **key);
/// Largest k of the grid.
int64_t js_config_kmax(const js_config *cfg);
/// Does the study use the exact estimator at T = 0 (and exact k = 1 and T = inf cells)?
int js_config_exact(const js_config *cfg);
/// Temperatures of the grid that are finite and positive (neither argmax nor uniform).
int js_config_nfinite(const js_config *cfg);
/// Candidates each test point draws: k_max, or 0 when the exact estimator serves every cell
/// (no finite T).
int js_config_kdraw(const js_config *cfg);
/// Index of cell (k, T, reward) within a unit's cells.
static inline size_t js_cell(const js_config *cfg, int ik, int iT, int ir) {
  return ((size_t)ik * (size_t)cfg->nT + (size_t)iT) * (size_t)cfg->nr + (size_t)ir;
}
/// Release the arrays of a study.
void js_config_free(js_config *cfg);

#endif
