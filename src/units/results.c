/// \file results.c
/// Storage of unit results and the trial-order reduction to mean and standard error.
#include "units/results.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#if defined(__SSE2__) && defined(__x86_64__)
#include <immintrin.h>
#endif

js_status js_results_alloc(const js_config *cfg, const js_grid *grid, js_results *res) {
  memset(res, 0, sizeof *res);
  res->nd = cfg->nd, res->nn = cfg->nn, res->trials = cfg->trials;
  res->nk = cfg->nr * cfg->nk; /* a theory piece's values */
  res->nmc = grid->nmc, res->nth = grid->nth;
  res->ncells = grid->ncells;
  res->grid = grid;
  size_t groups = (size_t)cfg->nd * cfg->nn, trials = groups * (size_t)cfg->trials;
  res->trial = calloc(trials * res->ncells, sizeof(double));
  res->ref_trial = calloc(trials, sizeof(double));
  res->theory = calloc((size_t)grid->nth * (size_t)res->nk + 1, sizeof(double));
  res->done = calloc((size_t)grid->nunits, 1);
  res->mean = calloc(groups * res->ncells, sizeof(double));
  res->se = calloc(groups * res->ncells, sizeof(double));
  res->ref_mean = calloc(groups, sizeof(double));
  res->ref_se = calloc(groups, sizeof(double));
  res->block_left = malloc(sizeof(int) * groups);
  res->reduced = calloc(groups, 1);
  res->flag = calloc(groups * res->ncells + 1, 1);
  int ok = res->trial && res->ref_trial && res->theory && res->done && res->mean && res->se &&
           res->ref_mean && res->ref_se && res->block_left && res->reduced && res->flag;
  if (ok && grid->nsplit > 1) { /* a trial has several splits */
    res->part = malloc(sizeof(double) * (size_t)grid->nmc * (res->ncells + 2));
    ok = res->part != NULL;
  }
  for (size_t g = 0; ok && g < groups; g++)
    res->block_left[g] = cfg->trials * grid->nsplit;
  res->theory_left = grid->nth;
  if (!ok) js_results_free(res);
  JS_CHECK(ok, JS_ERR_SYS, "out of memory for the result cube (%d units x %zu cells)",
           grid->nmc, grid->ncells);
  return JS_OK;
}

/// Copy n doubles to memory that will not be read soon (a unit's result: read again when
/// its (d, n) block is reduced or checkpointed): non-temporal stores where the CPU has
/// them, so storing a result does not first read its cold cache lines (under SMPI, rank 0
/// resumes with cold caches; copying into the part array cost it about 2 us per unit at
/// 1,024 simulated ranks). js_results_fence orders them before a reader on another thread.
static void store_doubles(double *restrict dst, const double *restrict src, size_t n) {
#if defined(__SSE2__) && defined(__x86_64__)
  long long *d = (long long *)dst;
  const long long *q = (const long long *)src;
  for (size_t i = 0; i < n; i++) _mm_stream_si64(d + i, q[i]);
#else
  memcpy(dst, src, n * sizeof(double));
#endif
}

void js_results_fence(void) {
#if defined(__SSE2__) && defined(__x86_64__)
  _mm_sfence();
#endif
}

/// Mark unit id done; returns the (d, n) block it completed, JS_THEORY_BLOCK(res) when it
/// was the last theory piece, or -1 (also when it was done already).
static int mark_done(js_results *res, int id) {
  int block = -1;
  if (res->done[id]) return block;
  if (id < res->nmc) {
    int g = js_grid_pair(res->grid, id);
    if (--res->block_left[g] == 0) block = g;
  } else if (--res->theory_left == 0) {
    block = JS_THEORY_BLOCK(res);
  }
  res->done[id] = 1;
  return block;
}

int js_results_put(js_results *res, int id, const double *payload) {
  size_t C = res->ncells;
  if (id < res->nmc && res->part) {
    double marker = id;
    store_doubles(res->part + (size_t)id * (C + 2), &marker, 1);
    store_doubles(res->part + (size_t)id * (C + 2) + 1, payload, C + 1);
  } else if (id < res->nmc) {
    store_doubles(&res->ref_trial[id], payload, 1);
    store_doubles(res->trial + (size_t)id * C, payload + 1, C);
  } else {
    memcpy(res->theory + (size_t)(id - res->nmc) * res->nk, payload, sizeof(double) * res->nk);
  }
  return mark_done(res, id);
}

int js_results_put_run(js_results *res, int id0, int n, const double *records, int *block) {
  size_t C = res->ncells;
  *block = -1;
  if (!res->part || id0 + n > res->nmc) { /* unit by unit */
    int i = 0;
    while (i < n && *block < 0) {
      *block = js_results_put(res, id0 + i, records + 1);
      records += 1 + js_grid_payload(res->grid, id0 + i++);
    }
    return i;
  }
  int i = 0;
  while (i < n && *block < 0) *block = mark_done(res, id0 + i++); /* ends at a full block */
  store_doubles(res->part + (size_t)id0 * (C + 2), records, (size_t)i * (C + 2));
  return i;
}

/// Map the pages of bytes at p writable and write each of them once, leaving their contents
/// as they are. MADV_POPULATE_WRITE (Linux 5.14 on) maps them in one call; an atomic OR of
/// 0 into one byte of each page then writes it without losing a store another thread makes
/// meanwhile. The write is needed: on this project's VMs a mapped page not yet written still
/// cost about 2.5 us at its first store (26,000 results of 328 bytes: 13 ms populated, 27 ms
/// not, 0.4 ms touched; the same 1,024-rank run spent 0.9 us per unit storing results
/// populated and 0.35 us touched).
static void populate(void *p, size_t bytes) {
  if (!p) return;
  long page = sysconf(_SC_PAGESIZE);
  if (page <= 0) page = 4096;
#ifdef MADV_POPULATE_WRITE
  uintptr_t a = ((uintptr_t)p + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
  uintptr_t b = ((uintptr_t)p + bytes) & ~((uintptr_t)page - 1);
  if (b > a) (void)madvise((void *)a, b - a, MADV_POPULATE_WRITE); /* else: the loop maps */
#endif
  for (size_t at = 0; at < bytes; at += (size_t)page)
    __atomic_fetch_or((unsigned char *)p + at, (unsigned char)0, __ATOMIC_RELAXED);
}

void js_results_populate(const js_results *res) {
  size_t trials = (size_t)res->nd * res->nn * (size_t)res->trials;
  if (res->part) populate(res->part, sizeof(double) * (size_t)res->nmc * (res->ncells + 2));
  populate(res->trial, sizeof(double) * trials * res->ncells);
  populate(res->ref_trial, sizeof(double) * trials);
}

void js_results_get(const js_results *res, int id, double *payload) {
  if (id < res->nmc && res->part) {
    memcpy(payload, res->part + (size_t)id * (res->ncells + 2) + 1,
           (res->ncells + 1) * sizeof(double));
  } else if (id < res->nmc) {
    payload[0] = res->ref_trial[id];
    memcpy(payload + 1, res->trial + (size_t)id * res->ncells, res->ncells * sizeof(double));
  } else {
    memcpy(payload, res->theory + (size_t)(id - res->nmc) * res->nk, sizeof(double) * res->nk);
  }
}

/// Mean and standard error of each of the cols columns of x[rows][cols], over its rows in
/// row order (x is read in order, row by row).
static void mean_se_rows(const double *x, size_t rows, size_t cols, double *mean, double *se) {
  memset(mean, 0, cols * sizeof(double));
  memset(se, 0, cols * sizeof(double));
  for (size_t t = 0; t < rows; t++)
    for (size_t c = 0; c < cols; c++) mean[c] += x[t * cols + c];
  for (size_t c = 0; c < cols; c++) mean[c] /= (double)rows;
  for (size_t t = 0; t < rows; t++)
    for (size_t c = 0; c < cols; c++) {
      double e = x[t * cols + c] - mean[c];
      se[c] += e * e;
    }
  for (size_t c = 0; c < cols; c++) se[c] = sqrt(se[c] / (double)(rows - 1) / (double)rows);
}

/// The JS_FLAG_* bits of each of the cols cells of x[rows][cols] with its mean and se.
static void flag_rows(const double *x, size_t rows, size_t cols, const double *mean,
                      const double *se, unsigned char *flag) {
  for (size_t c = 0; c < cols; c++) {
    double top = 0, sum = 0;
    for (size_t t = 0; t < rows; t++) {
      double a = fabs(x[t * cols + c]);
      sum += a, top = a > top ? a : top;
    }
    flag[c] = (rows >= 4 && top > 0.5 * sum ? JS_FLAG_ONE_TRIAL : 0) |
              (rows >= 2 && se[c] > JS_FLAG_SE_SHARE * fabs(mean[c]) ? JS_FLAG_SE : 0);
  }
}

/// Each trial of block g from its splits: the sum of their results in split order.
static void sum_splits(js_results *res, int g) {
  size_t C = res->ncells, P = C + 2, T = (size_t)res->trials;
  size_t S = (size_t)res->grid->nsplit;
  for (size_t t = 0; t < T; t++) {
    const double *p = res->part + (((size_t)g * T + t) * S) * P + 1; /* past the id */
    double *x = res->trial + ((size_t)g * T + t) * C, *ref = &res->ref_trial[(size_t)g * T + t];
    *ref = p[0];
    memcpy(x, p + 1, C * sizeof(double));
    for (size_t s = 1; s < S; s++) {
      p += P;
      *ref += p[0];
      for (size_t c = 0; c < C; c++) x[c] += p[1 + c];
    }
  }
}

void js_results_reduce_block(js_results *res, int g) {
  size_t T = (size_t)res->trials, C = res->ncells;
  if (res->part) sum_splits(res, g);
  mean_se_rows(res->trial + (size_t)g * T * C, T, C, res->mean + (size_t)g * C,
               res->se + (size_t)g * C);
  flag_rows(res->trial + (size_t)g * T * C, T, C, res->mean + (size_t)g * C,
            res->se + (size_t)g * C, res->flag + (size_t)g * C);
  mean_se_rows(res->ref_trial + (size_t)g * T, T, 1, &res->ref_mean[g], &res->ref_se[g]);
  res->reduced[g] = 1;
}

js_status js_results_reduce(js_results *res) {
  for (size_t u = 0; u < (size_t)res->nmc + res->nth; u++)
    JS_CHECK(res->done[u], JS_ERR_INTERNAL, "unit %zu has no result", u);
  for (int g = 0; g < res->nd * res->nn; g++)
    if (!res->reduced[g]) js_results_reduce_block(res, g);
  return JS_OK;
}

void js_results_free(js_results *res) {
  free(res->trial);
  free(res->ref_trial);
  free(res->theory);
  free(res->done);
  free(res->mean);
  free(res->se);
  free(res->ref_mean);
  free(res->ref_se);
  free(res->block_left);
  free(res->reduced);
  free(res->flag);
  free(res->part);
  memset(res, 0, sizeof *res);
}
