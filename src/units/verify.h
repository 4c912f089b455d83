/// \file verify.h
/// Verification of a run, as XSBench does it: a hash of the Monte Carlo results (equal for
/// any rank count, layout and restart: compare it between runs) and a self-check of the
/// k = 1 cells, whose expectation is delta_ref (one candidate, no selection) at every T and
/// judge: per (d, n), the mean over trials of delta(k = 1) - delta_ref must be within
/// JS_VERIFY_Z standard errors of 0. The standard error comes from the trials themselves, so
/// the ratio follows Student's t: the check runs from JS_VERIFY_MIN_TRIALS trials, where a
/// false FAIL has probability below 1e-8 per (d, n) (t with 29 degrees of freedom).
#ifndef JS_VERIFY_H
#define JS_VERIFY_H

#include <stdint.h>

#include "study/config.h"
#include "units/results.h"

#define JS_VERIFY_Z 8.0          /* P(|t_29| > 8) = 8e-9 */
#define JS_VERIFY_MIN_TRIALS 30

typedef struct {
  uint64_t hash;        ///< of the bits of every unit's per-trial cells and reference value
  int checked;          ///< (d, n) blocks self-checked (0: no k = 1 cell or < 30 trials)
  double max_z;         ///< the largest |z| over them
  int worst_d, worst_n; ///< where it is
  int pass;             ///< max_z <= JS_VERIFY_Z (1 when nothing could be checked)
} js_verification;

/// The per-(d, n) parts of a verification: each block's hash and z, computed when the block
/// completes (during the work), so that the end of a run only folds them.
typedef struct {
  int nblocks;
  uint64_t *hash;       ///< per block: hash of its per-trial cells and reference values
  double *z;            ///< per block: z of the k = 1 self-check (NaN: not checked)
  unsigned char *done;  ///< per block: computed
} js_verify_parts;

/// Allocate the parts of a study's blocks (none computed).
js_status js_verify_parts_alloc(const js_config *cfg, js_verify_parts *vp);
/// Compute block g's part from its complete results.
void js_verify_block(const js_config *cfg, const js_results *res, int g, js_verify_parts *vp);
/// Free the parts.
void js_verify_parts_free(js_verify_parts *vp);
/// Hash and self-check complete, reduced Monte Carlo results, from the parts already
/// computed (vp may be NULL) and the rest now. The hash folds the blocks' hashes in block
/// order, so it does not depend on when each was computed.
js_verification js_verify(const js_config *cfg, const js_results *res, js_verify_parts *vp);
/// One line: "results hash H; k = 1 self-check PASS (...)" into buf.
void js_verify_text(const js_verification *v, char *buf, size_t size);

#endif
