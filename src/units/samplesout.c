/// \file samplesout.c
/// A study's candidates as sample files for judgesim rerank (see samplesout.h).
#include "units/samplesout.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct js_samples_out {
  FILE **file; /* one per judge */
  char **name;
  int count;
};

js_status js_samples_out_close(js_samples_out *out) {
  if (!out) return JS_OK;
  js_status s = JS_OK;
  for (int j = 0; j < out->count; j++) {
    if (!out->file[j]) continue;
    int bad = ferror(out->file[j]);
    if (fclose(out->file[j]) != 0) bad = 1;
    if (bad && s == JS_OK)
      s = JS_ERROR(JS_ERR_SYS, "%s: write failed: %s", out->name[j], strerror(errno));
  }
  for (int j = 0; j < out->count; j++) free(out->name[j]);
  free(out->file), free(out->name), free(out);
  return s;
}

/// Create judge j's file and write its header.
static js_status open_one(js_samples_out *out, const char *prefix, int j) {
  size_t len = strlen(prefix) + 32;
  out->name[j] = malloc(len);
  JS_ALLOC_CHECK(out->name[j], "a --samples-out file name");
  snprintf(out->name[j], len, "%s-judge%d.csv", prefix, j);
  out->file[j] = fopen(out->name[j], "w");
  JS_CHECK(out->file[j], JS_ERR_INPUT, "--samples-out: cannot create '%s': %s", out->name[j],
           strerror(errno));
  fputs("question,loss,reward\n", out->file[j]);
  return JS_OK;
}

js_status js_samples_out_open(const char *prefix, const js_config *cfg, js_samples_out **out) {
  js_samples_out *o = calloc(1, sizeof *o);
  JS_ALLOC_CHECK(o, "--samples-out");
  o->file = calloc((size_t)cfg->nr, sizeof *o->file);
  o->name = calloc((size_t)cfg->nr, sizeof *o->name);
  o->count = cfg->nr;
  js_status s = o->file && o->name ? JS_OK : JS_ERROR(JS_ERR_SYS, "out of memory for "
                                                       "--samples-out");
  for (int j = 0; j < cfg->nr; j++) JS_TRY(s, open_one(o, prefix, j));
  if (s != JS_OK) {
    if (!o->file || !o->name) o->count = 0;
    JS_KEEP(s, js_samples_out_close(o));
    return s;
  }
  *out = o;
  return JS_OK;
}

js_status js_samples_out_point(js_samples_out *out, int d, int n, int trial, int point,
                               const double *l, const double *r, size_t stride, int count) {
  for (int j = 0; j < out->count; j++) {
    const double *rj = r + (size_t)j * stride;
    for (int i = 0; i < count; i++)
      if (fprintf(out->file[j], "d%d-n%d-t%d-x%d,%.17g,%.17g\n", d, n, trial, point, l[i],
                  rj[i]) < 0)
        JS_FAIL(JS_ERR_SYS, "%s: write failed: %s", out->name[j], strerror(errno));
  }
  return JS_OK;
}
