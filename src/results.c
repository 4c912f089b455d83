/// \file results.c
/// Storage of unit results and the trial-order reduction to mean and standard error.
#include "results.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

js_status js_results_alloc(const js_config *cfg, const js_grid *grid, js_results *res) {
  memset(res, 0, sizeof *res);
  res->nd = cfg->nd, res->nn = cfg->nn, res->trials = cfg->trials;
  res->nk = cfg->nr * cfg->nk; /* a theory piece's values */
  res->nmc = grid->nmc, res->nth = grid->nth;
  res->ncells = grid->ncells;
  size_t units = (size_t)grid->nmc, groups = (size_t)cfg->nd * cfg->nn;
  res->trial = calloc(units * res->ncells, sizeof(double));
  res->ref_trial = calloc(units, sizeof(double));
  res->theory = calloc((size_t)grid->nth * (size_t)res->nk + 1, sizeof(double));
  res->done = calloc((size_t)grid->nunits, 1);
  res->mean = calloc(groups * res->ncells, sizeof(double));
  res->se = calloc(groups * res->ncells, sizeof(double));
  res->ref_mean = calloc(groups, sizeof(double));
  res->ref_se = calloc(groups, sizeof(double));
  res->block_left = malloc(sizeof(int) * groups);
  res->reduced = calloc(groups, 1);
  int ok = res->trial && res->ref_trial && res->theory && res->done && res->mean && res->se &&
           res->ref_mean && res->ref_se && res->block_left && res->reduced;
  for (size_t g = 0; ok && g < groups; g++) res->block_left[g] = cfg->trials;
  if (!ok) js_results_free(res);
  JS_CHECK(ok, JS_ERR_SYS, "out of memory for the result cube (%zu units x %zu cells)", units,
           grid->ncells);
  return JS_OK;
}

int js_results_put(js_results *res, int id, const double *payload) {
  int block = -1;
  if (id < res->nmc) {
    res->ref_trial[id] = payload[0];
    memcpy(res->trial + (size_t)id * res->ncells, payload + 1, res->ncells * sizeof(double));
    if (!res->done[id] && --res->block_left[id / res->trials] == 0) block = id / res->trials;
  } else {
    memcpy(res->theory + (size_t)(id - res->nmc) * res->nk, payload, sizeof(double) * res->nk);
  }
  res->done[id] = 1;
  return block;
}

void js_results_get(const js_results *res, int id, double *payload) {
  if (id < res->nmc) {
    payload[0] = res->ref_trial[id];
    memcpy(payload + 1, res->trial + (size_t)id * res->ncells, res->ncells * sizeof(double));
  } else {
    memcpy(payload, res->theory + (size_t)(id - res->nmc) * res->nk, sizeof(double) * res->nk);
  }
}

void js_results_count(const js_results *res, int *mc, int *theory) {
  *mc = *theory = 0;
  for (int u = 0; u < res->nmc + res->nth; u++) *(u < res->nmc ? mc : theory) += res->done[u];
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

void js_results_reduce_block(js_results *res, int g) {
  size_t T = (size_t)res->trials, C = res->ncells;
  mean_se_rows(res->trial + (size_t)g * T * C, T, C, res->mean + (size_t)g * C,
               res->se + (size_t)g * C);
  mean_se_rows(res->ref_trial + (size_t)g * T, T, 1, &res->ref_mean[g], &res->ref_se[g]);
  res->reduced[g] = 1;
}

js_status js_results_reduce(js_results *res) {
  for (size_t u = 0; u < (size_t)res->nmc + res->nth; u++)
    JS_CHECK(res->done[u], JS_ERR_SYS, "internal: unit %zu has no result", u);
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
  memset(res, 0, sizeof *res);
}
