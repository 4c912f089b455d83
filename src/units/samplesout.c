/// \file samplesout.c
/// A study's candidates as sample files for judgesim rerank (see samplesout.h).
#include "units/samplesout.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/// The open files (one per judge) and their names.
static FILE **g_file;
static char **g_name;
static int g_count;

/// Close every file; the first failure names its file.
static js_status close_all(void) {
  js_status s = JS_OK;
  for (int j = 0; j < g_count; j++) {
    if (!g_file[j]) continue;
    int bad = ferror(g_file[j]);
    if (fclose(g_file[j]) != 0) bad = 1;
    if (bad && s == JS_OK)
      s = js_fail(JS_ERR_SYS, __FILE__, __LINE__, __func__, "%s: write failed: %s",
                  g_name[j], strerror(errno));
    free(g_name[j]);
  }
  free(g_file), free(g_name);
  g_file = NULL, g_name = NULL, g_count = 0;
  return s;
}

js_status js_samples_out_open(const char *prefix, const js_config *cfg) {
  g_file = calloc((size_t)cfg->nr, sizeof *g_file);
  g_name = calloc((size_t)cfg->nr, sizeof *g_name);
  JS_CHECK(g_file && g_name, JS_ERR_SYS, "out of memory for --samples-out");
  g_count = cfg->nr;
  for (int j = 0; j < cfg->nr; j++) {
    size_t len = strlen(prefix) + 32;
    g_name[j] = malloc(len);
    if (g_name[j]) snprintf(g_name[j], len, "%s-judge%d.csv", prefix, j);
    g_file[j] = g_name[j] ? fopen(g_name[j], "w") : NULL;
    if (!g_file[j]) {
      int err = errno;
      char *name = g_name[j] ? strdup(g_name[j]) : NULL;
      close_all();
      js_status s = js_fail(JS_ERR_INPUT, __FILE__, __LINE__, __func__,
                            "--samples-out: cannot create '%s': %s", name ? name : prefix,
                            strerror(err));
      free(name);
      return s;
    }
    fputs("question,loss,reward\n", g_file[j]);
  }
  return JS_OK;
}

int js_samples_out_on(void) { return g_count > 0; }

js_status js_samples_out_point(int d, int n, int trial, int point, const double *l,
                               const double *r, size_t stride, int count) {
  for (int j = 0; j < g_count; j++) {
    const double *rj = r + (size_t)j * stride;
    for (int i = 0; i < count; i++)
      if (fprintf(g_file[j], "d%d-n%d-t%d-x%d,%.17g,%.17g\n", d, n, trial, point, l[i],
                  rj[i]) < 0)
        JS_FAIL(JS_ERR_SYS, "%s: write failed: %s", g_name[j], strerror(errno));
  }
  return JS_OK;
}

js_status js_samples_out_close(void) {
  JS_CALL(close_all());
  return JS_OK;
}
