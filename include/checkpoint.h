/// \file checkpoint.h
/// The checkpoint beside a cube (OUT.ckpt): the finished units of a study, committed
/// crash-consistently. Format version 1, little-endian:
///   "JSCKPT01", u64 study hash, u64 text length, study text, u64 ncells, u64 units done,
///   f64 commit time (Unix seconds), then per unit: i32 d, i32 n, i32 trial, i32 0,
///   f64 ref, f64 cells[ncells]; last a u64 FNV-1a checksum of every byte before it.
/// Units are keyed by their (d, n, trial) values, not by grid position.
#ifndef JS_CHECKPOINT_H
#define JS_CHECKPOINT_H

#include <stdint.h>

#include "config.h"
#include "error.h"
#include "grid.h"
#include "results.h"

typedef struct {
  char *path;          ///< where it was read from
  uint64_t hash;       ///< FNV-1a of the study text
  char *study_text;    ///< result-relevant study
  uint64_t ncells, ndone;
  double commit_time;
  unsigned char *image; ///< the validated file (records start at records_at)
  size_t image_len, records_at;
} js_ckpt;

/// Path of the checkpoint of an output cube (malloc'd): OUT.ckpt.
char *js_ckpt_path(const char *out);
/// FNV-1a 64-bit hash of a text (the study hash).
uint64_t js_ckpt_hash(const char *text);
/// Commit the finished units of res to the checkpoint of cfg->out_path.
js_status js_ckpt_write(const js_config *cfg, const char *study_text, const js_grid *grid,
                        const js_results *res);
/// Read and validate a checkpoint (checksum, version, header, record sizes); a damaged file
/// is an input error and is left untouched.
js_status js_ckpt_open(const char *path, js_ckpt *ck);
/// Store the checkpoint's units into res by their (d, n, trial) values (*loaded counts the
/// new ones). A unit outside the study is an error; a unit already done must be bit-equal.
js_status js_ckpt_load(const js_ckpt *ck, const js_config *cfg, const js_grid *grid,
                       js_results *res, int *loaded);
/// Free an opened checkpoint.
void js_ckpt_close(js_ckpt *ck);

#endif
