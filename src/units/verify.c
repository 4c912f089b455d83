/// \file verify.c
/// The results hash and the k = 1 self-check (see verify.h).
#include "units/verify.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"

/// z of the mean over trials of (cell - reference) in block g: 0 when it has no spread.
static double block_z(const js_results *res, int g, size_t cell) {
  int T = res->trials;
  const double *x = res->trial + (size_t)g * T * res->ncells, *ref = res->ref_trial + (size_t)g * T;
  double sum = 0;
  for (int t = 0; t < T; t++) sum += x[(size_t)t * res->ncells + cell] - ref[t];
  double mu = sum / T, ss = 0;
  for (int t = 0; t < T; t++) {
    double e = x[(size_t)t * res->ncells + cell] - ref[t] - mu;
    ss += e * e;
  }
  double se = sqrt(ss / (T - 1) / T);
  return se > 0 ? mu / se : (mu == 0 ? 0 : INFINITY);
}

/// The k = 1 cell index of a study, or -1 (no k = 1, or too few trials to check).
static long k1_cell(const js_config *cfg) {
  for (int i = 0; i < cfg->nk; i++)
    if (cfg->k[i] == 1 && cfg->trials >= JS_VERIFY_MIN_TRIALS)
      return (long)js_cell(cfg, i, 0, 0); /* k = 1 cells are equal for every T and judge */
  return -1;
}

js_status js_verify_parts_alloc(const js_config *cfg, js_verify_parts *vp) {
  vp->nblocks = cfg->nd * cfg->nn;
  vp->hash = malloc(sizeof(uint64_t) * (size_t)vp->nblocks);
  vp->z = malloc(sizeof(double) * (size_t)vp->nblocks);
  vp->done = calloc((size_t)vp->nblocks, 1);
  if (!vp->hash || !vp->z || !vp->done) js_verify_parts_free(vp);
  JS_CHECK(vp->done != NULL, JS_ERR_SYS, "out of memory for the verification");
  return JS_OK;
}

void js_verify_parts_free(js_verify_parts *vp) {
  free(vp->hash), free(vp->z), free(vp->done);
  vp->hash = NULL, vp->z = NULL, vp->done = NULL;
}

/// Block g's hash and z into the caller's slots.
static void block_part(const js_config *cfg, const js_results *res, int g, uint64_t *hash,
                       double *z) {
  size_t T = (size_t)res->trials;
  *hash = js_hash_doubles(JS_FNV_OFFSET, res->trial + (size_t)g * T * res->ncells,
                       T * res->ncells);
  *hash = js_hash_doubles(*hash, res->ref_trial + (size_t)g * T, T);
  long cell = k1_cell(cfg);
  *z = cell >= 0 ? fabs(block_z(res, g, (size_t)cell)) : NAN;
}

void js_verify_block(const js_config *cfg, const js_results *res, int g, js_verify_parts *vp) {
  block_part(cfg, res, g, &vp->hash[g], &vp->z[g]);
  vp->done[g] = 1;
}

js_verification js_verify(const js_config *cfg, const js_results *res, js_verify_parts *vp) {
  js_verification v = {JS_FNV_OFFSET, 0, 0, 0, 0, 1};
  for (int g = 0; g < cfg->nd * cfg->nn; g++) {
    uint64_t hg;
    double z;
    if (vp && vp->done[g]) hg = vp->hash[g], z = vp->z[g];
    else block_part(cfg, res, g, &hg, &z);
    v.hash = js_hash_doubles(v.hash, (const double *)&hg, 1); /* the blocks in block order */
    if (isnan(z)) continue;
    v.checked++;
    if (!(z <= v.max_z)) v.max_z = z, v.worst_d = cfg->d[g / cfg->nn], v.worst_n = cfg->n[g % cfg->nn];
  }
  v.pass = v.max_z <= JS_VERIFY_Z;
  return v;
}

void js_verify_text(const js_verification *v, char *buf, size_t size) {
  int at = snprintf(buf, size, "results hash %016llx; ", (unsigned long long)v->hash);
  if (at < 0 || (size_t)at >= size) return;
  if (!v->checked)
    snprintf(buf + at, size - (size_t)at, "k = 1 self-check not run (it needs a k = 1 cell "
             "and at least %d trials)", JS_VERIFY_MIN_TRIALS);
  else
    snprintf(buf + at, size - (size_t)at, "k = 1 self-check %s (largest |z| %.2f at d=%d n=%d "
             "over %d (d, n); limit %g)", v->pass ? "PASS" : "FAIL", v->max_z, v->worst_d,
             v->worst_n, v->checked, JS_VERIFY_Z);
}
