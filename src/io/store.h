/// \file store.h
/// The result cube (the only user of NetCDF): a self-describing NetCDF-4/CF-1.8 file,
/// written to a temporary file in the same folder and renamed into place.
#ifndef JS_STORE_H
#define JS_STORE_H

#include "study/config.h"
#include "core/error.h"
#include "analysis/analysis.h"
#include "units/results.h"
#include "theory/theoryplan.h"

typedef struct {
  const char *config_text; ///< canonical study text
  const char *history;     ///< timestamp and command line
  const char *source;      ///< program version and commit
  const char *build;       ///< compiler and flags
} js_cube_meta;

/// Write the cube atomically, replacing any file at cfg->out_path, in two steps, so that a run
/// defines its cube while the work goes on: begin creates OUT.tmp.XXXXXX beside
/// cfg->out_path with every dimension, variable and attribute
/// (Monte Carlo variables when mc, theory when theory); finish writes the data, closes and
/// renames it into place, and frees f whatever happens; abort removes it (NULL is fine).
typedef struct js_cube_file js_cube_file;
js_status js_store_begin(const js_config *cfg, int mc, int theory, const js_cube_meta *meta,
                         js_cube_file **f);
js_status js_store_finish(js_cube_file *f, const js_results *res, const js_theory *th);
/// finish in two steps, so that the cube replaces the old one only after the final
/// checkpoint is safe: close writes the data and closes the temporary file (f stays, abort
/// removes it); commit renames it into place and frees f whatever happens.
js_status js_store_close(js_cube_file *f, const js_results *res, const js_theory *th);
js_status js_store_commit(js_cube_file *f);
/// Write the Monte Carlo slices of (d, n) block g (id_d * nn + id_n) now, its trials being
/// complete and reduced (finish then skips it), so little is left to write at the end.
js_status js_store_put_block(js_cube_file *f, const js_results *res, int g);
/// Write the theory's variables now (finish then skips them; th may be freed after).
js_status js_store_put_theory(js_cube_file *f, const js_theory *th);
void js_store_abort(js_cube_file *f);
/// Record the run's verification (global attributes `verification`, the summary line, and
/// `verification_k1`: PASS, FAIL or "not run") in a cube being made.
js_status js_store_put_verification(js_cube_file *f, const char *summary, const char *k1);

/// A cube described by tables (e.g. judgesim rerank's): dimensions, variables over them
/// (type 'd' double, 'i' int, 'b' byte, 's' string; data in C order), global text and
/// double attributes.
typedef struct {
  const char *name;
  size_t len;
} js_table_dim;
typedef struct {
  const char *name;
  char type;
  int ndims;
  const char *dims[4];
  const char *long_name, *units; ///< units NULL for none
  const void *data;
} js_table_var;
typedef struct {
  const char *name, *text; ///< a text attribute, or (text NULL) a double
  double value;
} js_table_attr;
/// Write such a cube atomically to path (replacing any file there).
js_status js_store_write_table(const char *path, const js_table_dim *dims, int ndims,
                               const js_table_var *vars, int nvars, const js_table_attr *attrs,
                               int nattrs);

/// A cube read back for analysis (arrays malloc'd; theory and v NULL when absent).
typedef struct {
  js_config cfg;
  double *mean, *se, *trial, *theory, *v;
} js_cube;

/// Before any other NetCDF call (main): keep HDF5 from tearing down at exit (see store.c).
js_status js_store_init(void);
/// The NetCDF library's version text.
const char *js_store_library(void);
/// Read a run cube's study and Monte Carlo results (input error if it has none, or if any
/// variable fails its checksum, naming it).
js_status js_store_read(const char *path, js_cube *cube);
/// Free a cube read back.
void js_store_cube_free(js_cube *cube);
/// What a file at an output path is: nothing, a judgesim cube of run (or merge), theory or
/// rerank, or a file judgesim did not write (not NetCDF, or no judgesim attributes).
typedef enum { JS_CUBE_NONE, JS_CUBE_RUN, JS_CUBE_THEORY, JS_CUBE_RERANK, JS_CUBE_FOREIGN } js_cube_kind;
typedef struct {
  js_cube_kind kind;
  char *config; ///< run and theory cubes: the study text (NULL otherwise)
  char *files;  ///< rerank cubes: the sample files as given, one per line (NULL otherwise)
} js_cube_id;
/// Identify the file at path (never fails on its content: a bad file is JS_CUBE_FOREIGN).
js_status js_store_identify(const char *path, js_cube_id *id);
/// Free what js_store_identify allocated.
void js_cube_id_free(js_cube_id *id);
/// Add (or replace) the analysis variables of a cube, atomically (copy, edit, rename).
js_status js_store_add_analysis(const char *path, const js_analysis *a);

#endif
