/// \file checkpoint.h
/// The checkpoint beside a cube (OUT.ckpt): the finished units of a study, committed
/// crash-consistently. Format version 3, little-endian:
///   "JSCKPT03", u64 study hash, u64 text length, study text, u64 build length, the build
///   identity (buildid.h) of the program that wrote it, u64 ncells, u64 nvalues
///   (judges x k), u64 records, f64 commit time (Unix seconds), then per finished unit a
///   record: i32 kind, i32 a, i32 b, i32 c, f64 x, f64 y, f64 z, then its values:
///   kind 0, a Monte Carlo unit: a, b, c = d, n, trial, x = its test-point split and y = the
///           trial's splits (grid.h; x, y = 0 for a trial of one split), z = 0;
///           f64 ref, f64 cells[ncells]
///   kind 1, a theory piece: a/b = d/n in lowest terms, c = node of the outer integral,
///           x = T, y = the quadrature's version (JS_THEORY_RULE; 0 in records before it),
///           z = 0; f64 values[nvalues]. Pieces of another version are not loaded (their
///           nodes are other points): they are computed again
/// and last a u64 FNV-1a checksum of every byte before it. Units are keyed by their values,
/// not by grid position, so an extended study finds them. Version 2 (the same without the
/// build) is read too; its build is unknown.
#ifndef JS_CHECKPOINT_H
#define JS_CHECKPOINT_H

#include <stdint.h>

#include "study/config.h"
#include "core/error.h"
#include "units/grid.h"
#include "units/results.h"

typedef struct {
  char *path;          ///< where it was read from
  uint64_t hash;       ///< FNV-1a of the study text
  char *study_text;    ///< result-relevant study
  char *build;         ///< the build identity of its writer ("unknown ..." for version 2)
  uint64_t ncells, nk, nrec; ///< nk: values per theory piece (judges x k)
  int ndone_mc, ndone_th; ///< records of each kind
  double commit_time;
  unsigned char *image; ///< the validated file (records start at records_at)
  size_t image_len, records_at;
} js_ckpt;

/// Path of the checkpoint of an output cube (malloc'd): OUT.ckpt.
char *js_ckpt_path(const char *out);
/// FNV-1a 64-bit hash of a text (the study hash).
uint64_t js_ckpt_hash(const char *text);
/// Commit the units of res marked in done[nunits] to the checkpoint of cfg->out_path.
js_status js_ckpt_write(const js_config *cfg, const char *study_text, const js_grid *grid,
                        const js_results *res, const unsigned char *done);
/// Was the checkpoint written by this build (buildid.h)? If not: an input error, or with
/// allow a loud warning (units of two builds then meet in one cube: valid numbers, not
/// bitwise reproducible).
js_status js_ckpt_check_build(const js_ckpt *ck, int allow);
/// Read and validate a checkpoint (checksum, version, header, record sizes); a damaged file
/// is an input error and is left untouched.
js_status js_ckpt_open(const char *path, js_ckpt *ck);
/// Store the checkpoint's units into res by their values (*loaded_mc and *loaded_th count
/// the new ones). A unit outside the study is an error; a unit already done must be bit-equal.
js_status js_ckpt_load(const js_ckpt *ck, const js_config *cfg, const js_grid *grid,
                       js_results *res, int *loaded_mc, int *loaded_th);
/// Free an opened checkpoint.
void js_ckpt_close(js_ckpt *ck);

#endif
