/// \file store.h
/// The result cube (the only user of NetCDF): a self-describing NetCDF-4/CF-1.8 file,
/// written to a temporary file in the same folder and renamed into place.
#ifndef JS_STORE_H
#define JS_STORE_H

#include "config.h"
#include "error.h"
#include "results.h"
#include "theory.h"

typedef struct {
  const char *config_text; ///< canonical study text
  const char *history;     ///< timestamp and command line
  const char *source;      ///< program version and commit
  const char *build;       ///< compiler and flags
} js_cube_meta;

/// Check that the output's folder exists and is writable (before any work).
js_status js_store_check_path(const char *path);
/// Write the cube atomically, replacing any file at cfg->out_path: the Monte Carlo results
/// (reduced; NULL for a theory-only cube) and the theory (NULL for none).
js_status js_store_write(const js_config *cfg, const js_results *res, const js_theory *th,
                         const js_cube_meta *meta);

#endif
