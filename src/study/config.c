/// \file config.c
/// Validation of the study file into a js_config; every rejection names file, line and key.
#include "study/config.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "study/yamldoc.h"
#include "core/numutil.h"

#define MAX_AXIS 100000

/// A node's place as text, returned by value (lives to the end of the message's statement).
typedef struct {
  char s[512];
} place;

/// "file:line" (or the option) where a node came from.
static place where(const ynode *node) {
  place p;
  if (node->line > 0) snprintf(p.s, sizeof p.s, "%s:%d", node->origin, node->line);
  else snprintf(p.s, sizeof p.s, "%s", node->origin);
  return p;
}

/// Edit distance between two short strings (for "did you mean").
static int edit_distance(const char *a, const char *b) {
  int la = (int)strlen(a), lb = (int)strlen(b);
  if (la > 63 || lb > 63) return 99;
  int prev[64], cur[64];
  for (int j = 0; j <= lb; j++) prev[j] = j;
  for (int i = 1; i <= la; i++) {
    cur[0] = i;
    for (int j = 1; j <= lb; j++) {
      int sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
      int del = prev[j] + 1, ins = cur[j - 1] + 1;
      cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
    }
    memcpy(prev, cur, sizeof(int) * (size_t)(lb + 1));
  }
  return prev[lb];
}

/// Reject keys of a map that are not in the allowed list, suggesting the closest one.
static js_status check_keys(const ynode *map, const char *section, const char *const *allowed) {
  for (int i = 0; i < map->n; i++) {
    int best = 99, ok = 0;
    const char *closest = NULL;
    for (const char *const *a = allowed; *a; a++) {
      if (strcmp(*a, map->keys[i]) == 0) ok = 1;
      int dist = edit_distance(*a, map->keys[i]);
      if (dist < best) best = dist, closest = *a;
    }
    if (ok) continue;
    char hint[128] = "";
    if (closest && best <= 3) snprintf(hint, sizeof hint, " (did you mean '%s'?)", closest);
    int line = map->key_lines[i] ? map->key_lines[i] : map->items[i]->line;
    if (line > 0)
      JS_FAIL(JS_ERR_INPUT, "%s:%d: %s%s%s: unknown key%s", map->items[i]->origin, line, section,
              *section ? "." : "", map->keys[i], hint);
    JS_FAIL(JS_ERR_INPUT, "%s: %s%s%s: unknown key%s", map->items[i]->origin, section,
            *section ? "." : "", map->keys[i], hint);
  }
  return JS_OK;
}

/// Fetch a required sub-node of a map.
static js_status require(const ynode *map, const char *section, const char *key, ynode **out) {
  *out = yn_get(map, key);
  JS_CHECK(*out != NULL, JS_ERR_INPUT, "%s: %s%s%s: missing %s", where(map).s, section,
           *section ? "." : "", key, *section ? "key" : "section");
  return JS_OK;
}

/// Require a node to be a map.
static js_status expect_map(const ynode *node, const char *key) {
  JS_CHECK(node->kind == YN_MAP, JS_ERR_INPUT, "%s: %s: expected a map of keys", where(node).s,
           key);
  return JS_OK;
}

/// Magnitudes of model.sigma, model.gamma, model.input_scale, alpha and beta: their squares
/// and products must stay finite and normal (1e308 gave NaN or a LAPACK failure).
#define MODEL_MIN 1e-30
#define MODEL_MAX 1e30

/// Does v hold the integer written as decimal digits in s exactly? (Always below 2^53.)
static int exact_integer(const char *s, double v) {
  if (fabs(v) < 9007199254740992.0) return 1;
  errno = 0;
  long long ll = strtoll(s, NULL, 10);
  return errno == 0 && fabs(v) < 9.2e18 && (long long)v == ll;
}

/// Read a YAML number (including .inf/.nan); the key names it in errors.
static js_status get_number(const ynode *node, const char *key, double *out) {
  JS_CHECK(node->kind == YN_SCALAR && !node->quoted, JS_ERR_INPUT,
           "%s: %s: expected a number", where(node).s, key);
  const char *s = node->scalar;
  const char *body = (*s == '+' || *s == '-') ? s + 1 : s;
  if (!strcmp(body, ".inf") || !strcmp(body, ".Inf") || !strcmp(body, ".INF")) {
    *out = *s == '-' ? -INFINITY : INFINITY;
    return JS_OK;
  }
  if (!strcmp(s, ".nan") || !strcmp(s, ".NaN") || !strcmp(s, ".NAN")) {
    *out = NAN;
    return JS_OK;
  }
  char *end = NULL;
  errno = 0;
  double v = strtod(s, &end);
  int range = errno == ERANGE;
  JS_CHECK(*s && end && *end == '\0' && strpbrk(s, "xXpPnNiI") == NULL, JS_ERR_INPUT,
           "%s: %s: expected a number, got '%s'", where(node).s, key, s);
  JS_CHECK(!(range && isinf(v)), JS_ERR_INPUT, "%s: %s: %s is beyond the range of a double",
           where(node).s, key, s); /* (an underflow to 0 or a subnormal is kept) */
  JS_CHECK(!(s[strspn(s, "+-0123456789")] == '\0' && !exact_integer(s, v)), JS_ERR_INPUT, "%s: %s: %s is an integer above 2^53, which a double cannot hold "
           "exactly (it would be read as %.17g)", where(node).s, key, s, v);
  *out = v;
  return JS_OK;
}

/// Read a judge weight: 0 or a magnitude in [MODEL_MIN, MODEL_MAX] (positive: a model scale,
/// > 0 and in the range), so that its squares and products stay finite and normal.
static js_status get_weight(const ynode *node, const char *key, int positive, double *out) {
  JS_CALL(get_number(node, key, out));
  double a = fabs(*out);
  int ok = isfinite(*out) && a <= MODEL_MAX && (a >= MODEL_MIN || (!positive && a == 0)) &&
           (!positive || *out > 0);
  JS_CHECK(ok, JS_ERR_INPUT, "%s: %s: %s is out of range (must be %s%g to %g)", where(node).s,
           key, node->scalar, positive ? "positive, " : "0 or of magnitude ", MODEL_MIN,
           MODEL_MAX);
  return JS_OK;
}

/// Read a model scale: positive, in [MODEL_MIN, MODEL_MAX].
static js_status get_scale(const ynode *node, const char *key, double *out) {
  return get_weight(node, key, 1, out);
}

/// Read a finite integral number within [lo, hi].
static js_status get_int(const ynode *node, const char *key, long lo, long hi, long *out) {
  double v;
  JS_CALL(get_number(node, key, &v));
  JS_CHECK(isfinite(v) && v == floor(v), JS_ERR_INPUT, "%s: %s: expected an integer, got '%s'",
           where(node).s, key, node->scalar);
  JS_CHECK(v >= (double)lo && v <= (double)hi, JS_ERR_INPUT,
           "%s: %s: %s is out of range (must be between %ld and %ld)", where(node).s, key,
           node->scalar, lo, hi);
  *out = (long)v;
  return JS_OK;
}

/// Read a positive finite number.
static js_status get_positive(const ynode *node, const char *key, double *out) {
  JS_CALL(get_number(node, key, out));
  JS_CHECK(isfinite(*out) && *out > 0, JS_ERR_INPUT,
           "%s: %s: %s is out of range (must be positive and finite)", where(node).s, key,
           node->scalar);
  return JS_OK;
}


/// Values of a logspace/linspace generator map.
static js_status expand_generator(const ynode *node, const char *key, double **vals, int *count) {
  const char *kind = node->n == 1 ? node->keys[0] : "";
  int logsp = strcmp(kind, "logspace") == 0;
  JS_CHECK(logsp || strcmp(kind, "linspace") == 0, JS_ERR_INPUT,
           "%s: %s: a generator is {logspace: {...}} or {linspace: {...}}", where(node).s, key);
  const ynode *g = node->items[0];
  char sub[96];
  snprintf(sub, sizeof sub, "%s.%s", key, kind);
  JS_CALL(expect_map(g, sub));
  static const char *const keys[] = {"start", "stop", "num", NULL};
  JS_CALL(check_keys(g, sub, keys));
  ynode *ns, *ne, *nn;
  JS_CALL(require(g, sub, "start", &ns));
  JS_CALL(require(g, sub, "stop", &ne));
  JS_CALL(require(g, sub, "num", &nn));
  double a, b;
  long num;
  JS_CALL(get_number(ns, sub, &a));
  JS_CALL(get_number(ne, sub, &b));
  JS_CALL(get_int(nn, sub, 1, MAX_AXIS, &num));
  JS_CHECK(isfinite(a) && isfinite(b), JS_ERR_INPUT, "%s: %s: start and stop must be finite",
           where(g).s, sub);
  JS_CHECK(!logsp || (a > 0 && b > 0), JS_ERR_INPUT,
           "%s: %s: logspace needs start > 0 and stop > 0", where(g).s, sub);
  *vals = malloc(sizeof(double) * (size_t)num);
  JS_ALLOC_CHECK(*vals, "axis values");
  for (long i = 0; i < num; i++) {
    double f = num > 1 ? (double)i / (double)(num - 1) : 0.0;
    (*vals)[i] = logsp ? exp(log(a) + f * (log(b) - log(a))) : a + f * (b - a);
  }
  if (num > 1) (*vals)[num - 1] = b;
  *count = (int)num;
  return JS_OK;
}

/// Raw numbers of an axis (list or generator); *generated says whether rounding may dedupe.
static js_status axis_values(const ynode *node, const char *key, double **vals, int *count,
                             int *generated) {
  *generated = node->kind == YN_MAP;
  if (*generated) return expand_generator(node, key, vals, count);
  JS_CHECK(node->kind == YN_SEQ, JS_ERR_INPUT,
           "%s: %s: expected a list [..] or a generator {logspace: ...}", where(node).s, key);
  JS_CHECK(node->n > 0, JS_ERR_INPUT, "%s: %s: the axis is empty", where(node).s, key);
  JS_CHECK(node->n <= MAX_AXIS, JS_ERR_INPUT, "%s: %s: more than %d values", where(node).s, key,
           MAX_AXIS);
  *vals = malloc(sizeof(double) * (size_t)node->n);
  JS_ALLOC_CHECK(*vals, "axis values");
  *count = node->n;
  for (int i = 0; i < node->n; i++) {
    js_status s = get_number(node->items[i], key, &(*vals)[i]);
    if (s != JS_OK) {
      free(*vals);
      *vals = NULL; /* the caller's pointer (cfg->T) must not keep the freed array */
      return JS_TRACE(s);
    }
  }
  return JS_OK;
}

/// Find the first duplicate in a sorted array; returns its index or -1.
static int find_duplicate(const double *v, int count) {
  for (int i = 1; i < count; i++)
    if (v[i] == v[i - 1]) return i;
  return -1;
}

/// Line of the list item holding value v (for duplicate messages).
static const ynode *item_with_value(const ynode *node, double v) {
  if (node->kind != YN_SEQ) return node;
  const ynode *found = node;
  int seen = 0;
  for (int i = 0; i < node->n; i++) {
    double x;
    if (get_number(node->items[i], "", &x) == JS_OK && x == v && seen++) found = node->items[i];
  }
  js_error_clear();
  return found;
}

/// Parse an integer axis (d, n, k): integers in [1, max], sorted, distinct (as doubles);
/// generators are rounded and deduped.
static js_status parse_count_axis(const ynode *node, const char *key, double max, double **out,
                                  int *count) {
  double *v = NULL;
  int num, gen;
  JS_CALL(axis_values(node, key, &v, &num, &gen));
  for (int i = 0; i < num; i++) {
    if (gen) v[i] = round(v[i]);
    if (!(isfinite(v[i]) && v[i] == floor(v[i]) && v[i] >= 1 && v[i] <= max)) {
      double bad = v[i];
      free(v);
      const ynode *at = node->kind == YN_SEQ ? node->items[i] : node;
      if (isfinite(bad) && bad == floor(bad))
        JS_FAIL(JS_ERR_INPUT, "%s: %s: %.17g is out of range (must be an integer from 1 to "
                "%.17g)", where(at).s, key, bad, max);
      if (at->kind == YN_SCALAR)
        JS_FAIL(JS_ERR_INPUT, "%s: %s: expected integers, got '%s'", where(at).s, key,
                at->scalar);
      JS_FAIL(JS_ERR_INPUT, "%s: %s: expected integers, got %.17g", where(at).s, key, bad);
    }
  }
  qsort(v, (size_t)num, sizeof *v, js_cmp_double);
  int dup = find_duplicate(v, num);
  if (dup >= 0 && !gen) {
    double bad = v[dup];
    free(v);
    JS_FAIL(JS_ERR_INPUT, "%s: %s: duplicate value %.17g", where(item_with_value(node, bad)).s,
            key, bad);
  }
  *count = 0;
  for (int i = 0; i < num; i++)
    if (i == 0 || v[i] != v[i - 1]) v[(*count)++] = v[i];
  *out = v;
  return JS_OK;
}

/// An axis of ints (d, n).
static js_status parse_int_axis(const ynode *node, const char *key, int **out, int *count) {
  double *v;
  JS_CALL(parse_count_axis(node, key, INT_MAX, &v, count));
  *out = malloc(sizeof(int) * (size_t)*count);
  if (*out)
    for (int i = 0; i < *count; i++) (*out)[i] = (int)v[i];
  free(v);
  JS_ALLOC_CHECK(*out, "axis");
  return JS_OK;
}

/// The k axis: 1 .. 2^53 (beyond 2^31 - 1 only with the exact estimator and no finite T).
static js_status parse_k_axis(const ynode *node, int64_t **out, int *count) {
  double *v;
  JS_CALL(parse_count_axis(node, "grid.k", 9007199254740992.0, &v, count));
  *out = malloc(sizeof(int64_t) * (size_t)*count);
  if (*out)
    for (int i = 0; i < *count; i++) (*out)[i] = (int64_t)v[i];
  free(v);
  JS_ALLOC_CHECK(*out, "axis");
  return JS_OK;
}

/// Parse the temperature axis: T >= 0 (0 = argmax, .inf = uniform), no NaN, sorted.
static js_status parse_T_axis(const ynode *node, double **out, int *count) {
  int gen;
  JS_CALL(axis_values(node, "grid.T", out, count, &gen));
  for (int i = 0; i < *count; i++) {
    double t = (*out)[i];
    if (!(t >= 0)) {
      free(*out);
      *out = NULL;
      const ynode *at = node->kind == YN_SEQ ? node->items[i] : node;
      JS_FAIL(JS_ERR_INPUT, "%s: grid.T: %s is out of range (T must be >= 0: 0 is best-of-k, "
              ".inf is uniform)", where(at).s, at->kind == YN_SCALAR ? at->scalar : "value");
    }
  }
  qsort(*out, (size_t)*count, sizeof **out, js_cmp_double);
  int dup = find_duplicate(*out, *count);
  if (dup >= 0) {
    double bad = (*out)[dup];
    free(*out);
    *out = NULL;
    JS_FAIL(JS_ERR_INPUT, "%s: grid.T: duplicate value %g", where(item_with_value(node, bad)).s,
            bad);
  }
  return JS_OK;
}

/// One judge of the reward axis: {alpha, beta} or {c}.
static js_status parse_reward(const ynode *r, js_reward *w) {
  JS_CALL(expect_map(r, "grid.reward"));
  static const char *const keys[] = {"alpha", "beta", "c", NULL};
  JS_CALL(check_keys(r, "grid.reward", keys));
  ynode *a = yn_get(r, "alpha"), *b = yn_get(r, "beta"), *c = yn_get(r, "c");
  if (c) {
    JS_CHECK(!a && !b, JS_ERR_INPUT, "%s: grid.reward: a judge is {alpha: .., beta: ..} or "
             "{c: ..}, not both", where(r).s);
    JS_CALL(get_weight(c, "grid.reward.c", 0, &w->c));
    JS_CHECK(w->c != -1, JS_ERR_INPUT, "%s: grid.reward.c: -1 puts the judge's target on the "
             "model's own mean (mu_R = m), which the theory cannot average; take c near -1 "
             "instead", where(c).s);
    w->alpha = w->beta = NAN, w->is_c = 1;
    return JS_OK;
  }
  JS_CALL(require(r, "grid.reward", "alpha", &a));
  JS_CALL(require(r, "grid.reward", "beta", &b));
  JS_CALL(get_weight(a, "grid.reward.alpha", 0, &w->alpha));
  JS_CALL(get_weight(b, "grid.reward.beta", 0, &w->beta));
  w->is_c = 0, w->c = NAN;
  return JS_OK;
}

const char *js_reward_label(const js_reward *r, char *buf, int size) {
  if (js_reward_is_c(r)) snprintf(buf, (size_t)size, "c=%g", r->c);
  else snprintf(buf, (size_t)size, "(%g, %g)", r->alpha, r->beta);
  return buf;
}

/// Whether two judges are the same.
static int same_reward(const js_reward *x, const js_reward *y) {
  if (js_reward_is_c(x) || js_reward_is_c(y)) return x->is_c == y->is_c && x->c == y->c;
  return x->alpha == y->alpha && x->beta == y->beta;
}

/// Parse the reward axis: a list of {alpha, beta} and {c} maps, finite and distinct.
static js_status parse_rewards(const ynode *node, js_config *cfg) {
  JS_CHECK(node->kind == YN_SEQ, JS_ERR_INPUT,
           "%s: grid.reward: expected a list of {alpha: .., beta: ..} or {c: ..}", where(node).s);
  JS_CHECK(node->n > 0, JS_ERR_INPUT, "%s: grid.reward: the axis is empty", where(node).s);
  JS_CHECK(node->n <= MAX_AXIS, JS_ERR_INPUT, "%s: grid.reward: too many values", where(node).s);
  cfg->reward = calloc((size_t)node->n, sizeof *cfg->reward);
  JS_ALLOC_CHECK(cfg->reward, "reward axis");
  for (int i = 0; i < node->n; i++) {
    const ynode *r = node->items[i];
    js_reward *w = &cfg->reward[i];
    JS_CALL(parse_reward(r, w));
    for (int j = 0; j < i; j++) {
      if (!same_reward(&cfg->reward[j], w)) continue;
      if (js_reward_is_c(w))
        JS_FAIL(JS_ERR_INPUT, "%s: grid.reward: duplicate value {c: %g}", where(r).s, w->c);
      JS_FAIL(JS_ERR_INPUT, "%s: grid.reward: duplicate value {alpha: %g, beta: %g}",
              where(r).s, w->alpha, w->beta);
    }
  }
  cfg->nr = node->n;
  return JS_OK;
}

static const char *const g_teacher_names[] = {"sphere", "gaussian"};

/// model.teacher: {law: sphere} (the default) or {law: gaussian, scale: tau}.
static js_status parse_teacher(const ynode *m, js_config *cfg) {
  cfg->teacher = JS_TEACHER_SPHERE, cfg->teacher_scale = 1;
  const ynode *t = yn_get(m, "teacher");
  if (!t) return JS_OK;
  JS_CALL(expect_map(t, "model.teacher"));
  static const char *const keys[] = {"law", "scale", NULL};
  JS_CALL(check_keys(t, "model.teacher", keys));
  ynode *law, *v = yn_get(t, "scale");
  JS_CALL(require(t, "model.teacher", "law", &law));
  int ok = law->kind == YN_SCALAR && (!strcmp(law->scalar, "sphere") || !strcmp(law->scalar, "gaussian"));
  JS_CHECK(ok, JS_ERR_INPUT, "%s: model.teacher.law: expected sphere or gaussian, got '%s'",
           where(law).s, law->kind == YN_SCALAR ? law->scalar : "a collection");
  if (!strcmp(law->scalar, "sphere")) {
    JS_CHECK(!v, JS_ERR_INPUT, "%s: model.teacher.scale: only a gaussian teacher has a scale "
             "(the sphere's is |w_T|^2 = d; model.input_scale and model.gamma set the rest)",
             where(v).s);
    return JS_OK;
  }
  JS_CALL(require(t, "model.teacher", "scale", &v));
  JS_CALL(get_scale(v, "model.teacher.scale", &cfg->teacher_scale));
  cfg->teacher = JS_TEACHER_GAUSSIAN;
  return JS_OK;
}

/// Section model: sigma, gamma, optional input_scale.
static js_status parse_model(const ynode *root, js_config *cfg) {
  ynode *m, *v;
  JS_CALL(require(root, "", "model", &m));
  JS_CALL(expect_map(m, "model"));
  static const char *const keys[] = {"sigma", "gamma", "input_scale", "teacher", NULL};
  JS_CALL(check_keys(m, "model", keys));
  JS_CALL(parse_teacher(m, cfg));
  JS_CALL(require(m, "model", "sigma", &v));
  JS_CALL(get_scale(v, "model.sigma", &cfg->sigma));
  JS_CALL(require(m, "model", "gamma", &v));
  JS_CALL(get_scale(v, "model.gamma", &cfg->gamma));
  cfg->input_scale = 1.0;
  if ((v = yn_get(m, "input_scale"))) JS_CALL(get_scale(v, "model.input_scale", &cfg->input_scale));
  return JS_OK;
}

/// Section grid: the five axes.
static js_status parse_grid(const ynode *root, js_config *cfg) {
  ynode *g, *v;
  JS_CALL(require(root, "", "grid", &g));
  JS_CALL(expect_map(g, "grid"));
  static const char *const keys[] = {"d", "n", "k", "T", "reward", NULL};
  JS_CALL(check_keys(g, "grid", keys));
  JS_CALL(require(g, "grid", "d", &v));
  JS_CALL(parse_int_axis(v, "grid.d", &cfg->d, &cfg->nd));
  JS_CALL(require(g, "grid", "n", &v));
  JS_CALL(parse_int_axis(v, "grid.n", &cfg->n, &cfg->nn));
  JS_CALL(require(g, "grid", "k", &v));
  JS_CALL(parse_k_axis(v, &cfg->k, &cfg->nk));
  JS_CALL(require(g, "grid", "T", &v));
  JS_CALL(parse_T_axis(v, &cfg->T, &cfg->nT));
  JS_CALL(require(g, "grid", "reward", &v));
  JS_CALL(parse_rewards(v, cfg));
  return JS_OK;
}

static const char *const g_bok_names[] = {"auto", "exact", "candidates"};

/// sampling.best_of_k: auto (default), exact or candidates.
static js_status parse_bestofk(const ynode *s, js_config *cfg) {
  ynode *v = yn_get(s, "best_of_k");
  cfg->best_of_k = JS_BOK_AUTO;
  if (!v) return JS_OK;
  for (int m = 0; m < 3; m++)
    if (v->kind == YN_SCALAR && !strcmp(v->scalar, g_bok_names[m])) {
      cfg->best_of_k = (js_bestofk_mode)m;
      return JS_OK;
    }
  JS_FAIL(JS_ERR_INPUT, "%s: sampling.best_of_k: expected auto, exact or candidates, got '%s'",
          where(v).s, v->kind == YN_SCALAR ? v->scalar : "a collection");
}

/// Candidates are drawn only up to JS_KDRAW_MAX per test point.
static js_status check_draws(const ynode *root, const js_config *cfg) {
  if (js_config_kmax(cfg) <= JS_KDRAW_MAX || js_config_kdraw(cfg) == 0) return JS_OK;
  const ynode *g = yn_get(root, "grid"), *k = g ? yn_get(g, "k") : NULL;
  JS_FAIL(JS_ERR_INPUT, "%s: grid.k: k = %lld needs more candidates than can be drawn (at "
          "most %d per test point); such k work with sampling.best_of_k: exact (or auto) and "
          "no finite T in grid.T", k ? where(k).s : "grid", (long long)js_config_kmax(cfg),
          JS_KDRAW_MAX);
}

/// Largest condition number of the posterior's precision matrix taken: beyond it the
/// Cholesky factorisation keeps too few digits (it fails outright near 1e16).
#define COND_MAX 1e12

/// The precision X^T X / (d sigma^2) + I / gamma^2 must be factorable at every (d, n): its
/// condition number, estimated from the Marchenko-Pastur edges (n < d: the smallest
/// eigenvalue is 1 / gamma^2 exactly; n = d: about S^2 / (d n sigma^2)), at most COND_MAX.
static js_status check_conditioning(const ynode *root, const js_config *cfg) {
  double S2 = cfg->input_scale * cfg->input_scale, s2 = cfg->sigma * cfg->sigma;
  double g2 = 1 / (cfg->gamma * cfg->gamma);
  for (int i = 0; i < cfg->nd; i++)
    for (int j = 0; j < cfg->nn; j++) {
      double d = cfg->d[i], n = cfg->n[j], gap = sqrt(n) - sqrt(d);
      double hi = S2 * (sqrt(n) + sqrt(d)) * (sqrt(n) + sqrt(d)) / (d * s2) + g2;
      double lo = g2 + (n < d ? 0 : S2 * fmax(gap * gap, 1 / n) / (d * s2));
      if (!(hi / lo > COND_MAX)) continue;
      const ynode *m = yn_get(root, "model"), *g = m ? yn_get(m, "gamma") : NULL;
      JS_FAIL(JS_ERR_INPUT, "%s: model.gamma, model.sigma and model.input_scale: gamma = %g, "
              "sigma = %g, S = %g at d=%d n=%d give the posterior's precision matrix a "
              "condition number of about %.1e (above %.0e, the factorisation would lose its "
              "digits or fail); a smaller model.gamma (a prior, not a flat one, when n < d), a "
              "larger model.sigma or a smaller model.input_scale", g ? where(g).s : "model",
              cfg->gamma, cfg->sigma, cfg->input_scale, cfg->d[i], cfg->n[j], hi / lo, COND_MAX);
    }
  return JS_OK;
}

/// Section sampling: trials >= 2, test_points >= 1, seed, best_of_k, tilt, unit_points.
static js_status parse_sampling(const ynode *root, js_config *cfg) {
  ynode *s, *v;
  long x;
  JS_CALL(require(root, "", "sampling", &s));
  JS_CALL(expect_map(s, "sampling"));
  static const char *const keys[] = {"trials", "test_points", "seed", "best_of_k", "tilt",
                                     "unit_points", NULL};
  JS_CALL(check_keys(s, "sampling", keys));
  JS_CALL(parse_bestofk(s, cfg));
  cfg->tilt = 1;
  if ((v = yn_get(s, "tilt"))) {
    JS_CALL(get_number(v, "sampling.tilt", &cfg->tilt));
    JS_CHECK(cfg->tilt >= 1 && cfg->tilt <= 100, JS_ERR_INPUT, "%s: sampling.tilt: %s is out of "
             "range (1 = plain sampling, up to 100)", where(v).s, v->scalar);
  }
  JS_CALL(require(s, "sampling", "trials", &v));
  JS_CALL(get_int(v, "sampling.trials", 2, 100000000, &x));
  cfg->trials = (int)x;
  JS_CALL(require(s, "sampling", "test_points", &v));
  JS_CALL(get_int(v, "sampling.test_points", 1, INT_MAX, &x));
  cfg->test_points = (int)x;
  cfg->unit_points = 0;
  if ((v = yn_get(s, "unit_points"))) {
    JS_CALL(get_int(v, "sampling.unit_points", 1, INT_MAX, &x));
    cfg->unit_points = (int)x;
  }
  JS_CALL(require(s, "sampling", "seed", &v));
  JS_CALL(get_int(v, "sampling.seed", 0, 2147483647L, &cfg->seed));
  return JS_OK;
}

/// Section output: path (may be overridden by -o).
static js_status parse_output(const ynode *root, const char *out_override, js_config *cfg) {
  ynode *o = yn_get(root, "output"), *v = NULL;
  cfg->checkpoint_every = 60.0;
  if (o) {
    JS_CALL(expect_map(o, "output"));
    static const char *const keys[] = {"path", "checkpoint_every", NULL};
    JS_CALL(check_keys(o, "output", keys));
    v = yn_get(o, "path");
    ynode *every = yn_get(o, "checkpoint_every");
    if (every) JS_CALL(get_positive(every, "output.checkpoint_every", &cfg->checkpoint_every));
  }
  const char *path = out_override;
  if (!path && v) {
    JS_CHECK(v->kind == YN_SCALAR && v->scalar[0], JS_ERR_INPUT,
             "%s: output.path: expected a file name", where(v).s);
    int null = !v->quoted && (!strcmp(v->scalar, "~") || !strcmp(v->scalar, "null") ||
                              !strcmp(v->scalar, "Null") || !strcmp(v->scalar, "NULL"));
    JS_CHECK(!null, JS_ERR_INPUT, "%s: output.path: %s is YAML's null, not a file name (quote "
             "it, '%s', to name a file so)", where(v).s, v->scalar, v->scalar);
    path = v->scalar;
  }
  JS_CHECK(path != NULL, JS_ERR_INPUT, "%s: output.path: missing key (or give -o OUT.nc)",
           where(o ? o : root).s);
  cfg->out_path = strdup(path);
  JS_ALLOC_CHECK(cfg->out_path, "output path");
  return JS_OK;
}

/// Validate a whole tree into cfg.
static js_status from_tree(const ynode *root, const char *origin, const char *out_override,
                           js_config *cfg) {
  memset(cfg, 0, sizeof *cfg);
  JS_CHECK(root != NULL, JS_ERR_INPUT, "%s:1: the study is empty (missing section 'model')",
           origin);
  JS_CHECK(root->kind == YN_MAP, JS_ERR_INPUT, "%s: the study must be a map of sections",
           where(root).s);
  static const char *const keys[] = {"model", "grid", "sampling", "output", NULL};
  JS_CALL(check_keys(root, "", keys));
  JS_CALL(parse_model(root, cfg));
  JS_CALL(parse_grid(root, cfg));
  JS_CALL(parse_sampling(root, cfg));
  JS_CALL(check_draws(root, cfg));
  JS_CALL(check_conditioning(root, cfg));
  JS_CALL(parse_output(root, out_override, cfg));
  return JS_OK;
}

/// Option values have no file line: mark a subtree as coming from the option itself.
static void forget_lines(ynode *node) {
  node->line = 0;
  for (int i = 0; i < node->n; i++) {
    if (node->key_lines) node->key_lines[i] = 0;
    forget_lines(node->items[i]);
  }
}

/// Apply one "section.key=value" override to the tree.
static js_status apply_set(ynode **root, const char *set) {
  const char *eq = strchr(set, '=');
  char origin[512];
  snprintf(origin, sizeof origin, "--set %s", set);
  JS_CHECK(eq && eq > set && strchr(set, '.') && strchr(set, '.') < eq, JS_ERR_INPUT,
           "--set %s: expected section.key=value (e.g. --set sampling.trials=8)", set);
  char *path = strndup(set, (size_t)(eq - set));
  JS_ALLOC_CHECK(path, "option");
  ynode *value = NULL;
  js_status s = yn_load_string(eq + 1, origin, &value);
  if (s == JS_OK && !value) s = JS_ERROR(JS_ERR_INPUT, "%s: no value after '='", origin);
  if (s == JS_OK) forget_lines(value);
  if (s == JS_OK) s = yn_set_path(root, path, value, origin);
  else yn_free(value);
  free(path);
  return JS_TRACE(s);
}

js_status js_config_load(const char *path, const char *const *sets, int nsets,
                         const char *out_override, js_config *cfg) {
  ynode *root = NULL;
  memset(cfg, 0, sizeof *cfg);
  js_status s = yn_load_file(path, &root);
  for (int i = 0; s == JS_OK && i < nsets; i++) s = apply_set(&root, sets[i]);
  JS_TRY(s, from_tree(root, path, out_override, cfg));
  yn_free(root);
  if (s != JS_OK) js_config_free(cfg);
  return JS_TRACE(s);
}

js_status js_config_parse_text(const char *text, const char *origin, js_config *cfg) {
  ynode *root = NULL;
  memset(cfg, 0, sizeof *cfg);
  js_status s = yn_load_string(text, origin, &root);
  JS_TRY(s, from_tree(root, origin, NULL, cfg));
  yn_free(root);
  if (s != JS_OK) js_config_free(cfg);
  return JS_TRACE(s);
}

/// Append formatted text to a growing buffer.
static js_status appendf(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static js_status appendf(char **buf, size_t *len, size_t *cap, const char *fmt, ...) {
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(*buf ? *buf + *len : NULL, *buf ? *cap - *len : 0, fmt, ap);
    va_end(ap);
    JS_CHECK(w >= 0, JS_ERR_SYS, "formatting the study text failed");
    if (*buf && *len + (size_t)w < *cap) {
      *len += (size_t)w;
      return JS_OK;
    }
    size_t ncap = (*cap + (size_t)w + 1) * 2;
    char *nb = realloc(*buf, ncap);
    JS_ALLOC_CHECK(nb, "study text");
    *buf = nb;
    *cap = ncap;
  }
}

/// YAML spelling of a double that reads back bit for bit.
static const char *yaml_double(double v, char *buf, size_t size) {
  if (isinf(v)) snprintf(buf, size, "%s", v > 0 ? ".inf" : "-.inf");
  else
    for (int digits = 15; digits <= 17; digits++) { /* shortest text that reads back exactly */
      snprintf(buf, size, "%.*g", digits, v);
      if (strtod(buf, NULL) == v) break;
    }
  return buf;
}

/// Canonical text of the study; the output section only when with_output.
static js_status to_yaml(const js_config *c, int with_output, char **text) {
  char *b = NULL, x[40], y[40], z[40];
  size_t len = 0, cap = 0;
  JS_CALL(appendf(&b, &len, &cap, "model: {sigma: %s, gamma: %s, input_scale: %s",
                  yaml_double(c->sigma, x, 40), yaml_double(c->gamma, y, 40),
                  yaml_double(c->input_scale, z, 40)));
  if (c->teacher != JS_TEACHER_SPHERE) /* the default is not written: the text stays */
    JS_CALL(appendf(&b, &len, &cap, ", teacher: {law: %s, scale: %s}", g_teacher_names[c->teacher],
                    yaml_double(c->teacher_scale, x, 40)));
  JS_CALL(appendf(&b, &len, &cap, "}\ngrid:\n"));
  const char *names[2] = {"d", "n"};
  const int *axes[2] = {c->d, c->n}, counts[2] = {c->nd, c->nn};
  for (int a = 0; a < 2; a++) {
    JS_CALL(appendf(&b, &len, &cap, "  %s: [", names[a]));
    for (int i = 0; i < counts[a]; i++)
      JS_CALL(appendf(&b, &len, &cap, "%s%d", i ? ", " : "", axes[a][i]));
    JS_CALL(appendf(&b, &len, &cap, "]\n"));
  }
  JS_CALL(appendf(&b, &len, &cap, "  k: ["));
  for (int i = 0; i < c->nk; i++)
    JS_CALL(appendf(&b, &len, &cap, "%s%lld", i ? ", " : "", (long long)c->k[i]));
  JS_CALL(appendf(&b, &len, &cap, "]\n"));
  JS_CALL(appendf(&b, &len, &cap, "  T: ["));
  for (int i = 0; i < c->nT; i++)
    JS_CALL(appendf(&b, &len, &cap, "%s%s", i ? ", " : "", yaml_double(c->T[i], x, 40)));
  JS_CALL(appendf(&b, &len, &cap, "]\n  reward:\n"));
  for (int i = 0; i < c->nr; i++)
    if (js_reward_is_c(&c->reward[i]))
      JS_CALL(appendf(&b, &len, &cap, "    - {c: %s}\n", yaml_double(c->reward[i].c, x, 40)));
    else
      JS_CALL(appendf(&b, &len, &cap, "    - {alpha: %s, beta: %s}\n",
                      yaml_double(c->reward[i].alpha, x, 40), yaml_double(c->reward[i].beta, y, 40)));
  JS_CALL(appendf(&b, &len, &cap, "sampling: {trials: %d, test_points: %d, seed: %ld",
                  c->trials, c->test_points, c->seed));
  if (c->best_of_k != JS_BOK_AUTO) /* defaults are not written: the text stays as before */
    JS_CALL(appendf(&b, &len, &cap, ", best_of_k: %s", g_bok_names[c->best_of_k]));
  if (c->tilt != 1) JS_CALL(appendf(&b, &len, &cap, ", tilt: %s", yaml_double(c->tilt, x, 40)));
  if (c->unit_points) JS_CALL(appendf(&b, &len, &cap, ", unit_points: %d", c->unit_points));
  JS_CALL(appendf(&b, &len, &cap, "}\n"));
  if (!with_output) {
    *text = b;
    return JS_OK;
  }
  JS_CALL(appendf(&b, &len, &cap, "output:\n  checkpoint_every: %s\n  path: \"",
                  yaml_double(c->checkpoint_every, x, 40)));
  for (const char *p = c->out_path; *p; p++) {
    if (*p == '"' || *p == '\\') JS_CALL(appendf(&b, &len, &cap, "\\%c", *p));
    else if ((unsigned char)*p < 0x20) JS_CALL(appendf(&b, &len, &cap, "\\x%02x", (unsigned char)*p));
    else JS_CALL(appendf(&b, &len, &cap, "%c", *p));
  }
  JS_CALL(appendf(&b, &len, &cap, "\"\n"));
  *text = b;
  return JS_OK;
}

js_status js_config_to_yaml(const js_config *cfg, char **text) { return to_yaml(cfg, 1, text); }

js_status js_config_study_text(const js_config *cfg, char **text) { return to_yaml(cfg, 0, text); }

js_status js_config_parse_study(const char *text, const char *origin, js_config *cfg) {
  ynode *root = NULL;
  memset(cfg, 0, sizeof *cfg);
  js_status s = yn_load_string(text, origin, &root);
  JS_TRY(s, from_tree(root, origin, "(none)", cfg));
  yn_free(root);
  if (s != JS_OK) js_config_free(cfg);
  return JS_TRACE(s);
}

/// Is every element of axis a (na elements of size bytes) also in b, bit for bit?
static int within(const void *a, int na, const void *b, int nb, size_t size) {
  for (int i = 0; i < na; i++) {
    int found = 0;
    for (int j = 0; j < nb && !found; j++)
      found = !memcmp((const char *)a + i * size, (const char *)b + j * size, size);
    if (!found) return 0;
  }
  return 1;
}

/// The first key whose change would alter finished units' numbers, or NULL.
static const char *breaking_key(const js_config *a, const js_config *b) {
  if (a->sigma != b->sigma) return "model.sigma changed";
  if (a->gamma != b->gamma) return "model.gamma changed";
  if (a->input_scale != b->input_scale) return "model.input_scale changed";
  if (a->test_points != b->test_points) return "sampling.test_points changed";
  if (a->seed != b->seed) return "sampling.seed changed";
  if (js_config_kmax(a) != js_config_kmax(b)) return "grid.k: its largest value changed";
  if (js_config_exact(a) != js_config_exact(b)) return "sampling.best_of_k: the estimator changed";
  if (a->tilt != b->tilt) return "sampling.tilt changed";
  if (a->unit_points != b->unit_points) return "sampling.unit_points changed";
  if (!within(a->k, a->nk, b->k, b->nk, sizeof(int64_t))) return "grid.k: a value was removed";
  if (!within(a->T, a->nT, b->T, b->nT, sizeof(double))) return "grid.T: a value was removed";
  if (!within(a->reward, a->nr, b->reward, b->nr, sizeof(js_reward)))
    return "grid.reward: a value was removed";
  if (!within(a->d, a->nd, b->d, b->nd, sizeof(int))) return "grid.d: a value was removed";
  if (!within(a->n, a->nn, b->n, b->nn, sizeof(int))) return "grid.n: a value was removed";
  if (b->trials < a->trials) return "sampling.trials: fewer than before";
  return NULL;
}

js_study_change js_config_compare(const js_config *a, const js_config *b, const char **key) {
  *key = breaking_key(a, b);
  if (*key) return JS_STUDY_CHANGED;
  if (a->nk != b->nk || a->nT != b->nT || a->nr != b->nr) {
    *key = a->nk != b->nk   ? "grid.k extended"
           : a->nT != b->nT ? "grid.T extended"
                            : "grid.reward extended";
    return JS_STUDY_MORE_CELLS;
  }
  if (a->nd != b->nd || a->nn != b->nn || a->trials != b->trials) {
    *key = a->nd != b->nd   ? "grid.d extended"
           : a->nn != b->nn ? "grid.n extended"
                            : "sampling.trials extended";
    return JS_STUDY_MORE_UNITS;
  }
  if (memcmp(a->reward, b->reward, sizeof(js_reward) * (size_t)a->nr)) {
    *key = "grid.reward reordered"; /* same rewards in another order: cells move */
    return JS_STUDY_MORE_CELLS;
  }
  return JS_STUDY_SAME;
}

int64_t js_config_kmax(const js_config *cfg) { return cfg->k[cfg->nk - 1]; }

int js_config_exact(const js_config *cfg) {
  return cfg->best_of_k == JS_BOK_EXACT ||
         (cfg->best_of_k == JS_BOK_AUTO && js_config_kmax(cfg) > JS_BOK_AUTO_KMAX);
}

int js_config_nfinite(const js_config *cfg) { return js_count_finite_positive(cfg->T, cfg->nT); }

int js_config_kdraw(const js_config *cfg) {
  int finite = js_config_nfinite(cfg) > 0;
  if (js_config_exact(cfg) && !(finite && js_config_kmax(cfg) > 1)) return 0;
  int64_t k = js_config_kmax(cfg);
  return k > JS_KDRAW_MAX ? JS_KDRAW_MAX : (int)k; /* check_draws refuses beyond */
}

void js_config_free(js_config *cfg) {
  free(cfg->d);
  free(cfg->n);
  free(cfg->k);
  free(cfg->T);
  free(cfg->reward);
  free(cfg->out_path);
  memset(cfg, 0, sizeof *cfg);
}
