/// \file sink.c
/// The readers' rows, kept in file order with their runs (see sink.h).
#include "rerank/sink.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/// Grow the sink's sample arrays to hold n more.
static js_status sink_grow(js_sink *s, size_t more) {
  if (s->n + more <= s->cap) return JS_OK;
  size_t cap = 2 * (s->n + more) + 1024;
  size_t *run = realloc(s->run, cap * sizeof *run);
  if (run) s->run = run;
  double *l = realloc(s->loss, cap * sizeof *l);
  if (l) s->loss = l;
  double *r = realloc(s->reward, cap * sizeof *r);
  if (r) s->reward = r;
  JS_CHECK(run && l && r, JS_ERR_SYS, "out of memory reading %s (%zu samples)", s->path, s->n);
  s->cap = cap;
  return JS_OK;
}

/// Start a new run for question id qid.
static js_status sink_run(js_sink *s, const char *qid, long line) {
  if (s->nruns == s->runcap) {
    size_t cap = 2 * s->runcap + 64;
    char **id = realloc(s->rid, cap * sizeof *id);
    if (id) s->rid = id;
    int *f = realloc(s->rfile, cap * sizeof *f);
    if (f) s->rfile = f;
    long *ln = realloc(s->rline, cap * sizeof *ln);
    if (ln) s->rline = ln;
    JS_CHECK(id && f && ln, JS_ERR_SYS, "out of memory reading %s", s->path);
    s->runcap = cap;
  }
  s->rid[s->nruns] = strdup(qid);
  JS_ALLOC_CHECK(s->rid[s->nruns], "a question id");
  s->rfile[s->nruns] = s->file, s->rline[s->nruns] = line;
  s->nruns++;
  return JS_OK;
}

js_status js_sink_add(js_sink *s, const char *qid, const double *loss, const double *reward,
                      int n, long line) {
  size_t last = s->nruns - 1;
  if (s->nruns == 0 || s->rfile[last] != s->file || strcmp(s->rid[last], qid) != 0)
    JS_CALL(sink_run(s, qid, line));
  JS_CALL(sink_grow(s, (size_t)n));
  for (int i = 0; i < n; i++, s->n++) {
    s->run[s->n] = s->nruns - 1;
    s->loss[s->n] = loss[i], s->reward[s->n] = reward[i];
  }
  return JS_OK;
}

const char *js_sink_path(const js_sink *s) { return s->path; }

void js_sink_free(js_sink *s) {
  for (size_t r = 0; r < s->nruns; r++) free(s->rid[r]);
  free(s->rid), free(s->rfile), free(s->rline), free(s->run), free(s->loss), free(s->reward);
  memset(s, 0, sizeof *s);
}

size_t js_bom_length(FILE *f) {
  unsigned char b[3] = {0};
  size_t got = fread(b, 1, 3, f);
  rewind(f);
  return got == 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF ? 3 : 0;
}

const char *js_value_problem(double v, int correctness, int graded, int reward) {
  if (reward) return NULL;
  if (correctness && graded && !(v >= 0 && v <= 1))
    return "is not a correctness in [0, 1] (--graded)";
  if (correctness && !graded && v != 0 && v != 1)
    return "is not a correctness 0 or 1 (true/false; --graded takes values in [0, 1])";
  if (!correctness && fabs(v) > JS_LOSS_MAX)
    return "is beyond the largest loss taken, +-1e150 (sums over subsets would overflow)";
  return NULL;
}

int js_parse_value(const char *text, int correctness, double *v) {
  while (isspace((unsigned char)*text)) text++;
  if (correctness && (!strcasecmp(text, "true") || !strcasecmp(text, "false"))) {
    *v = tolower((unsigned char)text[0]) == 't';
    return 1;
  }
  char *end;
  errno = 0;
  *v = strtod(text, &end);
  if (end == text || errno == ERANGE) return 0;
  while (isspace((unsigned char)*end)) end++;
  return *end == '\0' && isfinite(*v);
}
