/// \file verify.c
/// The results hash and the k = 1 self-check (see verify.h).
#include "verify.h"

#include <math.h>
#include <stdio.h>
#include <string.h>


/// A 64-bit hash of n doubles' bits: four FNV-style lanes over the 64-bit words (fast
/// enough for tens of megabytes at the end of a run), folded and finalized (splitmix64).
static uint64_t hash_doubles(uint64_t h, const double *x, size_t n) {
  const uint64_t prime = 0x100000001b3ULL;
  uint64_t lane[4] = {h, h ^ 1, h ^ 2, h ^ 3}, w;
  size_t i = 0;
  for (; i + 4 <= n; i += 4)
    for (int j = 0; j < 4; j++) memcpy(&w, x + i + j, 8), lane[j] = (lane[j] ^ w) * prime;
  for (; i < n; i++) memcpy(&w, x + i, 8), lane[0] = (lane[0] ^ w) * prime;
  h = lane[0] ^ (lane[1] * 3) ^ (lane[2] * 5) ^ (lane[3] * 7) ^ (uint64_t)n;
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
  h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
  return h ^ (h >> 31);
}

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

js_verification js_verify(const js_config *cfg, const js_results *res) {
  js_verification v = {0xcbf29ce484222325ULL, 0, 0, 0, 0, 1};
  v.hash = hash_doubles(v.hash, res->trial, res->ncells * (size_t)res->nmc);
  v.hash = hash_doubles(v.hash, res->ref_trial, (size_t)res->nmc);
  int k1 = -1;
  for (int i = 0; i < cfg->nk; i++)
    if (cfg->k[i] == 1) k1 = i;
  if (k1 < 0 || res->trials < JS_VERIFY_MIN_TRIALS) return v;
  size_t cell = js_cell(cfg, k1, 0, 0); /* k = 1 cells are equal for every T and judge */
  for (int id = 0; id < cfg->nd; id++)
    for (int in = 0; in < cfg->nn; in++) {
      double z = fabs(block_z(res, id * cfg->nn + in, cell));
      v.checked++;
      if (!(z <= v.max_z)) v.max_z = z, v.worst_d = cfg->d[id], v.worst_n = cfg->n[in];
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
