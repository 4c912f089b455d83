/// \file store.c
/// NetCDF-4 result cube: coordinates, delta/delta_se/delta_trial, the exact k=1 reference,
/// and global attributes; written to OUT.tmp.XXXXXX, fsync'd, renamed, folder fsync'd.
#include "io/store.h"

#include "io/fileio.h"

#include <errno.h>
#include <math.h>
#include <H5Epublic.h>
#include <H5public.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

/// Turn a NetCDF return code into a status naming the call.
static js_status nc_check(int rc, const char *call, const char *file, int line) {
  if (rc == NC_NOERR) return JS_OK;
  int e = errno; /* HDF5 reports a full disk as "HDF error": say what the write met */
  int disk = e == ENOSPC || e == EDQUOT || e == EIO;
  return js_fail(JS_ERR_NETCDF, file, line, call, "%s failed: %s%s%s%s", call, nc_strerror(rc),
                 disk ? " (a write failed: " : "", disk ? strerror(e) : "", disk ? ")" : "");
}
#define NC_CALL(call) JS_CALL(nc_check((call), #call, __FILE__, __LINE__))

/// A NetCDF call reading a file the user gave: its failure is bad input naming the file.
#define NC_READ(path, call)                                                                 \
  do {                                                                                     \
    int rc_ = (call);                                                                      \
    JS_CHECK(rc_ == NC_NOERR, JS_ERR_INPUT, "%s: cannot be read (%s: %s): the file is "     \
             "damaged or not a judgesim cube", path, #call, nc_strerror(rc_));              \
  } while (0)

const char *js_store_library(void) { return nc_inq_libvers(); }

js_status js_store_init(void) {
  /* After a failed write (a full disk) NetCDF 4.9 can neither close nor abort the file
     (nc_close fails, nc_abort dereferences a freed object) and HDF5's exit handler, closing
     it once more, crashes; such a file is left open and removed, and HDF5 not torn down.
     H5dont_atexit fails only when it was called already (simulated SMPI ranks share one
     process): the state wanted either way, so its result is not an error. */
  (void)H5dont_atexit();
  return JS_OK;
}

/// No HDF5 error stack on stderr from this thread (a full disk printed 100 lines of it):
/// the failing NetCDF call is reported instead.
static void quiet_hdf5(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

/// Give up a cube being made after a failure: the file stays open (see js_store_init).
static void forsake(int *nc) { *nc = -1; }

/// Text attribute helper.
static js_status put_text(int nc, int var, const char *name, const char *text) {
  NC_CALL(nc_put_att_text(nc, var, name, strlen(text), text));
  return JS_OK;
}

/// Define a variable with long_name and units; arrays of numbers carry HDF5's Fletcher-32
/// checksum, so a reader finds a flipped bit (HDF5 filters neither scalars nor strings).
static js_status def_var(int nc, const char *name, nc_type type, int ndims, const int *dims,
                         const char *long_name, const char *units, int *var) {
  NC_CALL(nc_def_var(nc, name, type, ndims, dims, var));
  if (ndims > 0 && type != NC_STRING) NC_CALL(nc_def_var_fletcher32(nc, *var, NC_FLETCHER32));
  JS_CALL(put_text(nc, *var, "long_name", long_name));
  if (units) JS_CALL(put_text(nc, *var, "units", units));
  return JS_OK;
}

/// The judge coordinates of every per-judge variable.
#define JUDGE_COORDS "reward_alpha reward_beta reward_cos reward_c"

typedef struct {
  int d, n, k, T, trial, alpha, beta, cos, c, delta, se, dtrial, ref, ref_se, ref_trial, flag;
  int theory, kinf, coef, v, invT, aopt, order, expansion;
} var_ids;

/// Define the theory's variables.
static js_status define_theory(int nc, const int *cube, var_ids *v) {
  int kinf[4] = {cube[0], cube[1], cube[3], cube[4]};
  JS_CALL(def_var(nc, "delta_theory", NC_DOUBLE, 5, cube, "deterministic-equivalent prediction "
                  "of delta (d, n -> inf at d/n fixed)", "1", &v->theory));
  JS_CALL(def_var(nc, "delta_theory_kinf", NC_DOUBLE, 4, kinf, "theory's k -> inf limit of "
                  "delta (tilted Gaussian; T = 0: Var(mu_R - mu_T))", "1", &v->kinf));
  JS_CALL(def_var(nc, "bestofk_coef", NC_DOUBLE, 2, cube, "perfect judge, T = 0: delta ~ "
                  "bestofk_coef / k^2 for large k (NaN when bestofk_v >= 1/2)", "1", &v->coef));
  JS_CALL(def_var(nc, "bestofk_v", NC_DOUBLE, 2, cube, "v = Var(m - mu_T) / s^2: k^-2 decay "
                  "when v < 1/2, about k^(-1/v) when v > 1/2", "1", &v->v));
  int pr[3] = {cube[0], cube[1], cube[4]};
  JS_CALL(def_var(nc, "delta_theory_invT", NC_DOUBLE, 3, pr, "E[Cov(l, r)]: large-T expansion "
                  "delta = delta(T=inf) + ((k-1)/k) delta_theory_invT / T + O(1/T^2)", "1", &v->invT));
  int pT[3] = {cube[0], cube[1], cube[3]};
  JS_CALL(def_var(nc, "alpha_opt_kinf", NC_DOUBLE, 3, pT, "theory: the alpha minimising the "
                  "k -> inf delta among judges alpha w_T (1 + lam tau1 T / (2 s^2))", "1", &v->aopt));
  JS_CALL(put_text(nc, v->theory, "coordinates", JUDGE_COORDS));
  int dorder;
  NC_CALL(nc_def_dim(nc, "order", 3, &dorder));
  JS_CALL(def_var(nc, "order", NC_INT, 1, &dorder, "order in 1/T of the large-T expansion",
                  "1", &v->order));
  int ecube[6] = {dorder, cube[0], cube[1], cube[2], cube[3], cube[4]};
  JS_CALL(def_var(nc, "delta_expansion", NC_DOUBLE, 6, ecube, "large-T expansion of delta in "
                  "1/T up to the order, from per-test-point moments (Cov(l, r), Cov(l, "
                  "(r - mu_r)^2), Cov(l, (r - mu_r)^3) and Var r) averaged over the "
                  "deterministic-equivalent law of the test point (docs/model.md)", "1",
                  &v->expansion));
  JS_CALL(put_text(nc, v->expansion, "comment", "NaN at T = 0 (no expansion); at T = inf "
                   "the k = 1 value"));
  JS_CALL(put_text(nc, v->expansion, "coordinates", JUDGE_COORDS));
  return JS_OK;
}

/// Define delta_flag: the cells whose estimate is not to be trusted as it stands (CF flags).
static js_status define_flag(int nc, const int *cube, int *var) {
  JS_CALL(def_var(nc, "delta_flag", NC_BYTE, 5, cube, "cells whose delta cannot be trusted as "
                  "it stands (0: none of these)", NULL, var));
  signed char masks[2] = {JS_FLAG_ONE_TRIAL, JS_FLAG_SE};
  NC_CALL(nc_put_att_schar(nc, *var, "flag_masks", NC_BYTE, 2, masks));
  JS_CALL(put_text(nc, *var, "flag_meanings", "one_trial_carries_most_of_the_mean "
                   "standard_error_above_half_of_delta"));
  JS_CALL(put_text(nc, *var, "comment", "1: the largest trial holds more than half of the sum "
                   "over trials (4 trials or more): the mean is one rare event's and its "
                   "standard error meaningless; 2: delta_se > delta / 2 (the 2-SE interval reaches 0). Remedy: more trials "
                   "(sampling.trials), or for best-of-k at huge k an importance-sampled tilt "
                   "(sampling.tilt)"));
  return JS_OK;
}

/// Define the dimensions, coordinates and data variables (Monte Carlo when res is given,
/// theory when th is).
static js_status define_vars(int nc, const js_config *cfg, int mc, int theory, var_ids *v) {
  int dd, dn, dk, dT, dr, dt;
  NC_CALL(nc_def_dim(nc, "d", (size_t)cfg->nd, &dd));
  NC_CALL(nc_def_dim(nc, "n", (size_t)cfg->nn, &dn));
  NC_CALL(nc_def_dim(nc, "k", (size_t)cfg->nk, &dk));
  NC_CALL(nc_def_dim(nc, "T", (size_t)cfg->nT, &dT));
  NC_CALL(nc_def_dim(nc, "reward", (size_t)cfg->nr, &dr));
  NC_CALL(nc_def_dim(nc, "trial", (size_t)cfg->trials, &dt));
  JS_CALL(def_var(nc, "d", NC_INT, 1, &dd, "input dimension", "1", &v->d));
  JS_CALL(def_var(nc, "n", NC_INT, 1, &dn, "training set size", "1", &v->n));
  JS_CALL(def_var(nc, "k", NC_INT64, 1, &dk, "number of candidates sampled", "1", &v->k));
  JS_CALL(def_var(nc, "T", NC_DOUBLE, 1, &dT, "softmax selection temperature", "1", &v->T));
  JS_CALL(put_text(nc, v->T, "comment", "0 = best-of-k (argmax reward); inf = uniform selection"));
  JS_CALL(def_var(nc, "trial", NC_INT, 1, &dt, "independent trial index", "1", &v->trial));
  JS_CALL(def_var(nc, "reward_alpha", NC_DOUBLE, 1, &dr, "judge weight on teacher w_T", "1", &v->alpha));
  JS_CALL(def_var(nc, "reward_beta", NC_DOUBLE, 1, &dr, "judge weight on w_perp", "1", &v->beta));
  JS_CALL(def_var(nc, "reward_cos", NC_DOUBLE, 1, &dr, "cosine between w_R and w_T", "1", &v->cos));
  JS_CALL(def_var(nc, "reward_c", NC_DOUBLE, 1, &dr, "the authors' judge: mu_R = mu_T - c (m - "
                  "mu_T)", "1", &v->c));
  JS_CALL(put_text(nc, v->c, "comment", "NaN for {alpha, beta} judges; their reward_alpha, "
                   "reward_beta and reward_cos are NaN for {c} judges"));
  int cube[5] = {dd, dn, dk, dT, dr}, tcube[6] = {dd, dn, dt, dk, dT, dr};
  int pair[2] = {dd, dn}, tpair[3] = {dd, dn, dt};
  if (theory) JS_CALL(define_theory(nc, cube, v));
  if (!mc) return JS_OK;
  JS_CALL(def_var(nc, "delta", NC_DOUBLE, 5, cube,
                  "generalization error of the reranked answer (mean over trials)", "1", &v->delta));
  JS_CALL(def_var(nc, "delta_se", NC_DOUBLE, 5, cube,
                  "standard error of delta across trials", "1", &v->se));
  JS_CALL(define_flag(nc, cube, &v->flag));
  JS_CALL(def_var(nc, "delta_trial", NC_DOUBLE, 6, tcube,
                  "per-trial mean over test points of the reranked loss", "1", &v->dtrial));
  JS_CALL(def_var(nc, "delta_ref", NC_DOUBLE, 2, pair,
                  "E[s^2 + (m - mu_T)^2]: exact k=1 / T=inf value from the same draws", "1", &v->ref));
  JS_CALL(def_var(nc, "delta_ref_se", NC_DOUBLE, 2, pair, "standard error of delta_ref", "1", &v->ref_se));
  JS_CALL(def_var(nc, "delta_ref_trial", NC_DOUBLE, 3, tpair, "per-trial delta_ref", "1", &v->ref_trial));
  int vars[] = {v->delta, v->se, v->dtrial};
  for (int i = 0; i < 3; i++)
    JS_CALL(put_text(nc, vars[i], "coordinates", JUDGE_COORDS));
  return JS_OK;
}

/// Global attributes: conventions, provenance, study text and model scalars.
static js_status global_attrs(int nc, const js_config *cfg, const js_cube_meta *meta) {
  char date[64];
  time_t now = time(NULL);
  struct tm tm;
  strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
  JS_CALL(put_text(nc, NC_GLOBAL, "Conventions", "CF-1.8"));
  JS_CALL(put_text(nc, NC_GLOBAL, "title", "judgesim: generalization error of LLM-as-a-judge "
                   "reranking in Bayesian linear regression (Monte Carlo)"));
  JS_CALL(put_text(nc, NC_GLOBAL, "history", meta->history));
  JS_CALL(put_text(nc, NC_GLOBAL, "source", meta->source));
  JS_CALL(put_text(nc, NC_GLOBAL, "build", meta->build));
  JS_CALL(put_text(nc, NC_GLOBAL, "references", "Halder & Pehlevan, Demystifying LLM-as-a-Judge, "
                   "ICML 2026, arXiv:2512.19905"));
  JS_CALL(put_text(nc, NC_GLOBAL, "config", meta->config_text));
  JS_CALL(put_text(nc, NC_GLOBAL, "date_created", date));
  long long seed = cfg->seed;
  NC_CALL(nc_put_att_longlong(nc, NC_GLOBAL, "seed", NC_INT64, 1, &seed));
  NC_CALL(nc_put_att_double(nc, NC_GLOBAL, "sigma", NC_DOUBLE, 1, &cfg->sigma));
  NC_CALL(nc_put_att_double(nc, NC_GLOBAL, "gamma", NC_DOUBLE, 1, &cfg->gamma));
  NC_CALL(nc_put_att_double(nc, NC_GLOBAL, "input_scale", NC_DOUBLE, 1, &cfg->input_scale));
  JS_CALL(put_text(nc, NC_GLOBAL, "teacher", cfg->teacher == JS_TEACHER_GAUSSIAN ? "gaussian" : "sphere"));
  NC_CALL(nc_put_att_double(nc, NC_GLOBAL, "teacher_scale", NC_DOUBLE, 1, &cfg->teacher_scale));
  NC_CALL(nc_put_att_int(nc, NC_GLOBAL, "trials", NC_INT, 1, &cfg->trials));
  JS_CALL(put_text(nc, NC_GLOBAL, "best_of_k", js_config_exact(cfg) ? "exact" : "candidates"));
  NC_CALL(nc_put_att_int(nc, NC_GLOBAL, "test_points", NC_INT, 1, &cfg->test_points));
  return JS_OK;
}

/// Write the trial and reward coordinates (one call per variable: HDF5 costs microseconds
/// per call).
static js_status put_axes(int nc, const js_config *cfg, const var_ids *v) {
  int *trial = malloc(sizeof(int) * (size_t)cfg->trials);
  double *judge = malloc(sizeof(double) * 4 * (size_t)cfg->nr);
  if (!trial || !judge) free(trial), free(judge);
  JS_CHECK(trial && judge, JS_ERR_SYS, "out of memory for the cube's axes");
  for (int i = 0; i < cfg->trials; i++) trial[i] = i;
  for (int r = 0; r < cfg->nr; r++) {
    double a = cfg->reward[r].alpha, b = cfg->reward[r].beta, norm = hypot(a, b);
    judge[r] = a, judge[cfg->nr + r] = b, judge[2 * cfg->nr + r] = norm > 0 ? a / norm : NAN;
    judge[3 * cfg->nr + r] = js_reward_is_c(&cfg->reward[r]) ? cfg->reward[r].c : NAN;
  }
  int rc[5] = {nc_put_var_int(nc, v->trial, trial), nc_put_var_double(nc, v->alpha, judge),
               nc_put_var_double(nc, v->beta, judge + cfg->nr),
               nc_put_var_double(nc, v->cos, judge + 2 * cfg->nr),
               nc_put_var_double(nc, v->c, judge + 3 * cfg->nr)};
  free(trial);
  free(judge);
  for (int i = 0; i < 5; i++) NC_CALL(rc[i]);
  return JS_OK;
}

/// Write the theory's variables.
static js_status put_theory(int nc, const js_theory *th, const var_ids *v) {
  NC_CALL(nc_put_var_double(nc, v->theory, th->delta));
  NC_CALL(nc_put_var_double(nc, v->kinf, th->kinf));
  NC_CALL(nc_put_var_double(nc, v->coef, th->coef));
  NC_CALL(nc_put_var_double(nc, v->v, th->v));
  NC_CALL(nc_put_var_double(nc, v->invT, th->invT));
  NC_CALL(nc_put_var_double(nc, v->aopt, th->alpha_opt));
  int order[3] = {1, 2, 3};
  NC_CALL(nc_put_var_int(nc, v->order, order));
  NC_CALL(nc_put_var_double(nc, v->expansion, th->expansion));
  return JS_OK;
}

/// Write coordinate values and data.
static js_status put_data(int nc, const js_config *cfg, const js_results *res,
                          const js_theory *th, const var_ids *v) {
  NC_CALL(nc_put_var_int(nc, v->d, cfg->d));
  NC_CALL(nc_put_var_int(nc, v->n, cfg->n));
  long long *kk = malloc(sizeof(long long) * (size_t)cfg->nk);
  JS_ALLOC_CHECK(kk, "k axis");
  for (int i = 0; i < cfg->nk; i++) kk[i] = cfg->k[i];
  int rc = nc_put_var_longlong(nc, v->k, kk);
  free(kk);
  NC_CALL(rc);
  NC_CALL(nc_put_var_double(nc, v->T, cfg->T));
  JS_CALL(put_axes(nc, cfg, v));
  if (th) JS_CALL(put_theory(nc, th, v));
  if (!res) return JS_OK;
  NC_CALL(nc_put_var_double(nc, v->delta, res->mean));
  NC_CALL(nc_put_var_double(nc, v->se, res->se));
  NC_CALL(nc_put_var_uchar(nc, v->flag, res->flag));
  NC_CALL(nc_put_var_double(nc, v->dtrial, res->trial));
  NC_CALL(nc_put_var_double(nc, v->ref, res->ref_mean));
  NC_CALL(nc_put_var_double(nc, v->ref_se, res->ref_se));
  NC_CALL(nc_put_var_double(nc, v->ref_trial, res->ref_trial));
  return JS_OK;
}

/// Write the Monte Carlo slices of one (d, n) block g (its trials reduced).
static js_status put_block(int nc, const js_config *cfg, const js_results *res,
                           const var_ids *v, int g) {
  size_t id = (size_t)(g / cfg->nn), in = (size_t)(g % cfg->nn), T = (size_t)cfg->trials;
  size_t start[6] = {id, in, 0, 0, 0, 0};
  size_t cell[5] = {1, 1, (size_t)cfg->nk, (size_t)cfg->nT, (size_t)cfg->nr};
  size_t trial[6] = {1, 1, T, (size_t)cfg->nk, (size_t)cfg->nT, (size_t)cfg->nr};
  size_t one[3] = {1, 1, T};
  NC_CALL(nc_put_vara_double(nc, v->delta, start, cell, res->mean + g * res->ncells));
  NC_CALL(nc_put_vara_double(nc, v->se, start, cell, res->se + g * res->ncells));
  NC_CALL(nc_put_vara_uchar(nc, v->flag, start, cell, res->flag + g * res->ncells));
  NC_CALL(nc_put_vara_double(nc, v->dtrial, start, trial, res->trial + g * T * res->ncells));
  NC_CALL(nc_put_vara_double(nc, v->ref, start, one, res->ref_mean + g));
  NC_CALL(nc_put_vara_double(nc, v->ref_se, start, one, res->ref_se + g));
  NC_CALL(nc_put_vara_double(nc, v->ref_trial, start, one, res->ref_trial + g * T));
  return JS_OK;
}

struct js_cube_file {
  char *tmp;         /* OUT.tmp.XXXXXX while the cube is being made */
  const js_config *cfg;
  int nc, mc, theory;
  var_ids v;
  unsigned char *written; /* (d, n) blocks whose Monte Carlo slices are in the file */
  int nwritten;
  int theory_written;     /* the theory's variables are in the file */
};

/// Create the NetCDF file at path and define everything in it.
static js_status define_file(js_cube_file *f, const js_cube_meta *meta) {
  quiet_hdf5(); /* (on the background thread during a run) */
  NC_CALL(nc_create(f->tmp, NC_NETCDF4 | NC_CLOBBER, &f->nc));
  int old_fill;
  js_status s = nc_check(nc_set_fill(f->nc, NC_NOFILL, &old_fill), "nc_set_fill", __FILE__,
                         __LINE__);
  JS_TRY(s, define_vars(f->nc, f->cfg, f->mc, f->theory, &f->v));
  JS_TRY(s, global_attrs(f->nc, f->cfg, meta));
  JS_TRY(s, nc_check(nc_enddef(f->nc), "nc_enddef", __FILE__, __LINE__));
  if (s != JS_OK) forsake(&f->nc);
  return JS_TRACE(s);
}

js_status js_store_begin(const js_config *cfg, int mc, int theory, const js_cube_meta *meta,
                         js_cube_file **out) {
  js_cube_file *f = calloc(1, sizeof *f);
  JS_ALLOC_CHECK(f, "cube");
  f->cfg = cfg, f->mc = mc, f->theory = theory, f->nc = -1;
  f->written = calloc((size_t)cfg->nd * cfg->nn, 1);
  js_status s = f->written ? JS_OK : JS_ERROR(JS_ERR_SYS, "out of memory for the cube");
  JS_TRY(s, js_atomic_begin(cfg->out_path, &f->tmp));
  JS_TRY(s, define_file(f, meta));
  JS_TRY(s, put_text(f->nc, NC_GLOBAL, "judgesim_command", mc ? "run" : "theory"));
  if (s != JS_OK) js_store_abort(f), f = NULL;
  *out = f;
  return JS_TRACE(s);
}

js_status js_store_put_block(js_cube_file *f, const js_results *res, int g) {
  if (!f->mc || f->written[g]) return JS_OK;
  JS_CALL(put_block(f->nc, f->cfg, res, &f->v, g));
  f->written[g] = 1, f->nwritten++;
  return JS_OK;
}

js_status js_store_put_theory(js_cube_file *f, const js_theory *th) {
  if (!f->theory) return JS_OK;
  quiet_hdf5(); /* this thread may not be the one that made the file */
  JS_CALL(put_theory(f->nc, th, &f->v));
  f->theory_written = 1;
  return JS_OK;
}

js_status js_store_close(js_cube_file *f, const js_results *res, const js_theory *th) {
  JS_CHECK(f->nc >= 0, JS_ERR_INTERNAL, "the cube %s was closed already", f->tmp);
  quiet_hdf5();
  int blocks = f->cfg->nd * f->cfg->nn, some = f->nwritten > 0; /* else whole arrays at once */
  js_status s = put_data(f->nc, f->cfg, f->mc && !some ? res : NULL,
                         f->theory && !f->theory_written ? th : NULL, &f->v);
  for (int g = 0; some && s == JS_OK && g < blocks; g++) s = js_store_put_block(f, res, g);
  if (s != JS_OK) return JS_TRACE(s); /* abort discards the file */
  int rc = nc_close(f->nc);
  f->nc = -1;
  JS_CALL(nc_check(rc, "nc_close", __FILE__, __LINE__));
  return JS_OK;
}

js_status js_store_commit(js_cube_file *f) {
  JS_CHECK(f->nc < 0 && f->tmp, JS_ERR_INTERNAL, "the cube was not closed before its commit");
  js_status s = js_atomic_commit(f->tmp, f->cfg->out_path); /* frees tmp */
  f->tmp = NULL;
  js_store_abort(f);
  return JS_TRACE(s);
}

js_status js_store_finish(js_cube_file *f, const js_results *res, const js_theory *th) {
  js_status s = js_store_close(f, res, th);
  if (s == JS_OK) return js_store_commit(f);
  js_store_abort(f);
  return JS_TRACE(s);
}

js_status js_store_put_verification(js_cube_file *f, const char *summary, const char *k1) {
  quiet_hdf5();
  NC_CALL(nc_redef(f->nc));
  JS_CALL(put_text(f->nc, NC_GLOBAL, "verification", summary));
  JS_CALL(put_text(f->nc, NC_GLOBAL, "verification_k1", k1));
  NC_CALL(nc_enddef(f->nc));
  return JS_OK;
}

void js_store_abort(js_cube_file *f) {
  if (!f) return;
  if (f->nc >= 0) forsake(&f->nc); /* a failure: the temporary file is removed below */
  if (f->tmp) js_atomic_abort(f->tmp);
  free(f->written);
  free(f);
}

/// NetCDF type of a table variable's type letter.
static nc_type table_type(char t) {
  return t == 'd' ? NC_DOUBLE : t == 'i' ? NC_INT : t == 'b' ? NC_BYTE : NC_STRING;
}

/// Define a table's dimensions, variables and attributes in an open file.
static js_status define_table(int nc, const js_table_dim *dims, int ndims,
                              const js_table_var *vars, int nvars, const js_table_attr *attrs,
                              int nattrs, int *ids) {
  for (int i = 0, dim; i < ndims; i++) NC_CALL(nc_def_dim(nc, dims[i].name, dims[i].len, &dim));
  for (int i = 0; i < nvars; i++) {
    int d[4];
    for (int j = 0; j < vars[i].ndims; j++) NC_CALL(nc_inq_dimid(nc, vars[i].dims[j], &d[j]));
    JS_CALL(def_var(nc, vars[i].name, table_type(vars[i].type), vars[i].ndims, d,
                    vars[i].long_name, vars[i].units, &ids[i]));
  }
  for (int i = 0; i < nattrs; i++) {
    if (attrs[i].text) JS_CALL(put_text(nc, NC_GLOBAL, attrs[i].name, attrs[i].text));
    else NC_CALL(nc_put_att_double(nc, NC_GLOBAL, attrs[i].name, NC_DOUBLE, 1, &attrs[i].value));
  }
  return JS_OK;
}

/// Write a table's variables into an open file (defined, out of define mode).
static js_status put_table(int nc, const js_table_var *vars, int nvars, const int *ids) {
  for (int i = 0; i < nvars; i++) {
    const void *x = vars[i].data;
    switch (vars[i].type) {
    case 'd': NC_CALL(nc_put_var_double(nc, ids[i], x)); break;
    case 'i': NC_CALL(nc_put_var_int(nc, ids[i], x)); break;
    case 'b': NC_CALL(nc_put_var_schar(nc, ids[i], x)); break;
    default: NC_CALL(nc_put_var_string(nc, ids[i], (const char **)x)); break;
    }
  }
  return JS_OK;
}

js_status js_store_write_table(const char *path, const js_table_dim *dims, int ndims,
                               const js_table_var *vars, int nvars, const js_table_attr *attrs,
                               int nattrs) {
  char *tmp = NULL;
  int nc = -1, *ids = malloc(sizeof(int) * (size_t)(nvars + 1));
  JS_ALLOC_CHECK(ids, "variable ids");
  quiet_hdf5();
  js_status s = js_atomic_begin(path, &tmp);
  JS_TRY(s, nc_check(nc_create(tmp, NC_NETCDF4 | NC_CLOBBER, &nc), "nc_create", __FILE__,
                     __LINE__));
  JS_TRY(s, define_table(nc, dims, ndims, vars, nvars, attrs, nattrs, ids));
  JS_TRY(s, nc_check(nc_enddef(nc), "nc_enddef", __FILE__, __LINE__));
  JS_TRY(s, put_table(nc, vars, nvars, ids));
  if (nc >= 0) {
    int rc = nc_close(nc);
    JS_TRY(s, nc_check(rc, "nc_close", __FILE__, __LINE__));
  }
  free(ids);
  if (s == JS_OK) return js_atomic_commit(tmp, path);
  if (tmp) js_atomic_abort(tmp);
  return JS_TRACE(s);
}

/// Read a whole double variable (malloc'd); *out stays NULL when optional and absent.
static js_status read_var(int nc, const char *path, const char *name, size_t count, int optional,
                          double **out) {
  int var;
  *out = NULL;
  int rc = nc_inq_varid(nc, name, &var);
  if (rc != NC_NOERR && optional) return JS_OK;
  JS_CHECK(rc == NC_NOERR, JS_ERR_INPUT, "%s: no variable %s (analyze needs a cube written by "
           "judgesim run)", path, name);
  *out = malloc(sizeof(double) * count);
  JS_ALLOC_CHECK(*out, name);
  NC_READ(path, nc_get_var_double(nc, var, *out));
  return JS_OK;
}

/// Read the study text attribute and the variables of an open cube.
static js_status read_cube(int nc, const char *path, js_cube *c) {
  size_t len;
  JS_CHECK(nc_inq_attlen(nc, NC_GLOBAL, "config", &len) == NC_NOERR, JS_ERR_INPUT,
           "%s: not a judgesim cube (no config attribute)", path);
  char *text = calloc(len + 1, 1);
  JS_ALLOC_CHECK(text, "config text");
  int rc = nc_get_att_text(nc, NC_GLOBAL, "config", text);
  js_status s = rc == NC_NOERR ? js_config_parse_text(text, path, &c->cfg)
                               : JS_ERROR(JS_ERR_INPUT, "%s: cannot be read (nc_get_att_text "
                                          "config: %s)", path, nc_strerror(rc));
  free(text);
  JS_CALL(s);
  const js_config *g = &c->cfg;
  size_t blocks = (size_t)g->nd * g->nn, cells = blocks * g->nk * g->nT * g->nr;
  JS_CALL(read_var(nc, path, "delta", cells, 0, &c->mean));
  JS_CALL(read_var(nc, path, "delta_se", cells, 0, &c->se));
  JS_CALL(read_var(nc, path, "delta_trial", cells * g->trials, 0, &c->trial));
  JS_CALL(read_var(nc, path, "delta_theory", cells, 1, &c->theory));
  JS_CALL(read_var(nc, path, "bestofk_v", blocks, 1, &c->v));
  return JS_OK;
}

/// Read one variable whole (its checksums verified by HDF5) and drop the values; a variable
/// of a type judgesim never writes, or claiming more values than the file (of bytes) could
/// hold, is refused.
static js_status verify_var(int nc, const char *path, size_t bytes, int var) {
  char name[NC_MAX_NAME + 1];
  nc_type type;
  int ndims, dims[NC_MAX_VAR_DIMS];
  size_t count = 1, len, size;
  NC_READ(path, nc_inq_var(nc, var, name, &type, &ndims, dims, NULL));
  for (int i = 0; i < ndims; i++) {
    NC_READ(path, nc_inq_dimlen(nc, dims[i], &len));
    count *= len;
  }
  NC_READ(path, nc_inq_type(nc, type, NULL, &size));
  JS_CHECK(type >= NC_BYTE && type <= NC_STRING, JS_ERR_INPUT, "%s: variable %s has a type "
           "judgesim never writes (%d): not a judgesim cube", path, name, (int)type);
  JS_CHECK(count <= (bytes + (1 << 20)) / size, JS_ERR_INPUT, "%s: variable %s claims %zu "
           "values, more than the file's %zu bytes hold: the file is damaged", path, name, count,
           bytes);
  void *buf = malloc(count * size + 1);
  JS_ALLOC_CHECK(buf, name);
  int rc = nc_get_var(nc, var, buf);
  if (rc == NC_NOERR && type == NC_STRING) nc_free_string(count, (char **)buf);
  free(buf);
  JS_CHECK(rc == NC_NOERR, JS_ERR_INPUT, "%s: variable %s cannot be read (%s): the cube is "
           "damaged (a checksum fails or the file is cut); run the study again or restore the "
           "file", path, name, nc_strerror(rc));
  return JS_OK;
}

/// Read every variable of an open cube: the first damaged one is named.
static js_status verify_all(int nc, const char *path) {
  int nvars;
  struct stat st;
  JS_CHECK(stat(path, &st) == 0, JS_ERR_INPUT, "%s: %s", path, strerror(errno));
  NC_READ(path, nc_inq_nvars(nc, &nvars));
  for (int v = 0; v < nvars; v++) JS_CALL(verify_var(nc, path, (size_t)st.st_size, v));
  return JS_OK;
}

/// Open and read every variable of an existing file in a child process first. HDF5 1.10
/// does not survive every damaged file (fuzzing found one where it frees an invalid
/// pointer while opening it); a child that dies makes the file a refusal, not a crash of
/// judgesim. *clean: the child opened the file and read every variable without a failure
/// (else the caller reads them again in this process, to report what failed).
static js_status probe(const char *path, int *clean) {
  *clean = 0;
#ifdef JS_SMPI
  (void)path; /* simulated ranks are threads of one process: no fork */
  return JS_OK;
#else
  fflush(NULL);
  pid_t pid = fork();
  JS_CHECK(pid >= 0, JS_ERR_SYS, "fork (to read %s apart): %s", path, strerror(errno));
  if (pid == 0) {
    int quiet = open("/dev/null", O_WRONLY), nc;
    if (quiet >= 0) dup2(quiet, 1), dup2(quiet, 2);
    quiet_hdf5();
    int ok = nc_open(path, NC_NOWRITE, &nc) == NC_NOERR;
    if (ok) {
      ok = verify_all(nc, path) == JS_OK;
      nc_close(nc);
    }
    _exit(ok ? 0 : 3);
  }
  int st = 0;
  while (waitpid(pid, &st, 0) < 0)
    JS_CHECK(errno == EINTR, JS_ERR_SYS, "waitpid (reading %s apart): %s", path, strerror(errno));
  int code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  JS_CHECK(code == 0 || code == 3, JS_ERR_INPUT, "%s: cannot be read: the NetCDF-4/HDF5 "
           "library fails on it (%s %d): the file is damaged or not NetCDF-4", path,
           WIFSIGNALED(st) ? "signal" : "exit", WIFSIGNALED(st) ? WTERMSIG(st) : code);
  *clean = code == 0;
  return JS_OK;
#endif
}

js_status js_store_read(const char *path, js_cube *c) {
  int nc;
  memset(c, 0, sizeof *c);
  int clean;
  JS_CALL(probe(path, &clean));
  quiet_hdf5();
  int rc = nc_open(path, NC_NOWRITE, &nc);
  JS_CHECK(rc == NC_NOERR, JS_ERR_INPUT, "%s: cannot open as NetCDF: %s", path, nc_strerror(rc));
  js_status s = clean ? JS_OK : verify_all(nc, path); /* the child read them all already */
  JS_TRY(s, read_cube(nc, path, c));
  nc_close(nc);
  if (s != JS_OK) js_store_cube_free(c);
  return JS_TRACE(s);
}

void js_store_cube_free(js_cube *c) {
  free(c->mean), free(c->se), free(c->trial), free(c->theory), free(c->v);
  js_config_free(&c->cfg);
  memset(c, 0, sizeof *c);
}

/// Find or define a variable over named dimensions.
static js_status ensure_var(int nc, const char *name, nc_type type, int ndims,
                            const char *const *dims, const char *long_name, int *var) {
  if (nc_inq_varid(nc, name, var) == NC_NOERR) return JS_OK;
  int ids[5];
  for (int i = 0; i < ndims; i++) NC_CALL(nc_inq_dimid(nc, dims[i], &ids[i]));
  JS_CALL(def_var(nc, name, type, ndims, ids, long_name, type == NC_DOUBLE ? "1" : NULL, var));
  return JS_OK;
}

/// One analysis variable: name, type, dimensions, meaning and data.
typedef struct {
  const char *name;
  nc_type type;
  int ndims;
  const char *dims[5];
  const char *long_name;
  const void *data;
} avar;

/// Define and write the analysis variables into an open cube.
static js_status put_analysis(int nc, const js_analysis *a) {
  const avar vars[] = {
      {"k_opt", NC_DOUBLE, 4, {"d", "n", "T", "reward"}, "k with the lowest delta on the k grid", a->k_opt},
      {"k_opt_lo", NC_DOUBLE, 4, {"d", "n", "T", "reward"}, "k_opt: 2.5% bootstrap percentile over trials", a->k_opt_lo},
      {"k_opt_hi", NC_DOUBLE, 4, {"d", "n", "T", "reward"}, "k_opt: 97.5% bootstrap percentile over trials", a->k_opt_hi},
      {"k_opt_at_edge", NC_BYTE, 4, {"d", "n", "T", "reward"}, "1 when k_opt is the first or last k of the grid", a->k_edge},
      {"T_opt", NC_DOUBLE, 4, {"d", "n", "k", "reward"}, "T with the lowest delta on the T grid", a->T_opt},
      {"T_opt_lo", NC_DOUBLE, 4, {"d", "n", "k", "reward"}, "T_opt: 2.5% bootstrap percentile over trials", a->T_opt_lo},
      {"T_opt_hi", NC_DOUBLE, 4, {"d", "n", "k", "reward"}, "T_opt: 97.5% bootstrap percentile over trials", a->T_opt_hi},
      {"T_opt_at_edge", NC_BYTE, 4, {"d", "n", "k", "reward"}, "1 when T_opt is the first or last T of the grid", a->T_edge},
      {"best_reward", NC_INT, 4, {"d", "n", "k", "T"}, "index of the reward with the lowest delta", a->best},
      {"best_reward_prob", NC_DOUBLE, 4, {"d", "n", "k", "T"}, "fraction of bootstrap resamples in which best_reward is best", a->best_prob},
      {"best_delta_lo", NC_DOUBLE, 4, {"d", "n", "k", "T"}, "delta of best_reward: 2.5% bootstrap percentile", a->best_lo},
      {"best_delta_hi", NC_DOUBLE, 4, {"d", "n", "k", "T"}, "delta of best_reward: 97.5% bootstrap percentile", a->best_hi},
      {"bestofk_exponent", NC_DOUBLE, 2, {"d", "n"}, "perfect judge, T = 0: -slope of a weighted log-log fit of delta over the k tail", a->expo},
      {"bestofk_exponent_lo", NC_DOUBLE, 2, {"d", "n"}, "bestofk_exponent: 2.5% bootstrap percentile", a->expo_lo},
      {"bestofk_exponent_hi", NC_DOUBLE, 2, {"d", "n"}, "bestofk_exponent: 97.5% bootstrap percentile", a->expo_hi},
      {"bestofk_exponent_theory", NC_DOUBLE, 2, {"d", "n"}, "theory's rate: 2 when bestofk_v < 1/2, about 1/v otherwise", a->expo_theory},
      {"delta_gap_se", NC_DOUBLE, 5, {"d", "n", "k", "T", "reward"}, "(delta - delta_theory) / delta_se", a->gap_se},
  };
  int n = (int)(sizeof vars / sizeof vars[0]), ids[32];
  NC_CALL(nc_redef(nc));
  for (int i = 0; i < n; i++)
    JS_CALL(ensure_var(nc, vars[i].name, vars[i].type, vars[i].ndims, vars[i].dims,
                       vars[i].long_name, &ids[i]));
  NC_CALL(nc_enddef(nc));
  for (int i = 0; i < n; i++) {
    if (vars[i].type == NC_DOUBLE) NC_CALL(nc_put_var_double(nc, ids[i], vars[i].data));
    else if (vars[i].type == NC_INT) NC_CALL(nc_put_var_int(nc, ids[i], vars[i].data));
    else NC_CALL(nc_put_var_schar(nc, ids[i], vars[i].data));
  }
  return JS_OK;
}

/// Edit a copy of the cube.
static js_status edit_copy(const char *tmp, const js_analysis *a) {
  int nc;
  NC_CALL(nc_open(tmp, NC_WRITE, &nc));
  js_status s = put_analysis(nc, a);
  int rc = nc_close(nc);
  JS_CALL(s);
  NC_CALL(rc);
  return JS_OK;
}

js_status js_store_add_analysis(const char *path, const js_analysis *a) {
  char *tmp = NULL;
  JS_CALL(js_atomic_begin(path, &tmp));
  js_status s = js_copy_file(path, tmp);
  JS_TRY(s, edit_copy(tmp, a));
  if (s != JS_OK) {
    js_atomic_abort(tmp);
    return JS_TRACE(s);
  }
  JS_CALL(js_atomic_commit(tmp, path));
  return JS_OK;
}

/// A text attribute of an open file (malloc'd), or NULL when absent or longer than max.
static char *get_text(int nc, int var, const char *name, size_t max) {
  size_t len;
  if (nc_inq_attlen(nc, var, name, &len) != NC_NOERR || len > max) return NULL;
  char *text = calloc(len + 1, 1);
  if (text && nc_get_att_text(nc, var, name, text) != NC_NOERR) free(text), text = NULL;
  return text;
}

/// The kind of an open judgesim cube: its judgesim_command, or for cubes written before it
/// the title (rerank) and the presence of delta (run) or not (theory).
static js_cube_kind kind_of(int nc, const char *command, const char *title) {
  int var;
  if (command) return !strcmp(command, "rerank")   ? JS_CUBE_RERANK
                      : !strcmp(command, "theory") ? JS_CUBE_THEORY
                      : !strcmp(command, "run")    ? JS_CUBE_RUN
                                                   : JS_CUBE_FOREIGN;
  if (!title || strncmp(title, "judgesim", 8)) return JS_CUBE_FOREIGN;
  if (!strncmp(title, "judgesim rerank", 15)) return JS_CUBE_RERANK;
  return nc_inq_varid(nc, "delta", &var) == NC_NOERR ? JS_CUBE_RUN : JS_CUBE_THEORY;
}

js_status js_store_identify(const char *path, js_cube_id *id) {
  memset(id, 0, sizeof *id);
  if (access(path, F_OK) != 0) return JS_OK; /* JS_CUBE_NONE */
  int nc;
  id->kind = JS_CUBE_FOREIGN;
  quiet_hdf5();
  int clean;
  struct stat st;
  if (probe(path, &clean) != JS_OK) return js_error_clear(), JS_OK; /* not a cube of ours */
  if (stat(path, &st) != 0 || nc_open(path, NC_NOWRITE, &nc) != NC_NOERR) return JS_OK;
  size_t max = (size_t)st.st_size; /* no text of a damaged file longer than the file */
  char *command = get_text(nc, NC_GLOBAL, "judgesim_command", max);
  char *title = get_text(nc, NC_GLOBAL, "title", max);
  id->kind = kind_of(nc, command, title);
  if (id->kind == JS_CUBE_RUN || id->kind == JS_CUBE_THEORY)
    id->config = get_text(nc, NC_GLOBAL, "config", max);
  /* a rerank cube's sample files: its attribute (cubes before it have none: --force); not
     the file_name strings, whose damaged lengths made HDF5 allocate 4 GB (fuzzing) */
  if (id->kind == JS_CUBE_RERANK) id->files = get_text(nc, NC_GLOBAL, "sample_files", max);
  free(command), free(title);
  nc_close(nc);
  return JS_OK;
}

void js_cube_id_free(js_cube_id *id) {
  free(id->config), free(id->files);
  memset(id, 0, sizeof *id);
}
