/// \file csvread.c
/// Sample files in CSV through libcsv (see csvread.h).
#include "rerank/csvread.h"

#include <csv.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum { COL_Q, COL_L, COL_R, NCOL };

/// The parser's state between libcsv's callbacks.
typedef struct {
  const js_columns *cols;
  js_sink *sink;
  const char *name[NCOL]; /* the wanted columns' names */
  int correct;            /* the loss column holds a correctness */
  int idx[NCOL];          /* their positions in the header */
  int idx_correct;        /* cols->either: the position of the correctness column */
  int nfields;            /* fields in the header */
  int field;              /* position of the next field in this row */
  long line, row_line;    /* the next line; the line this row started on */
  char *val[NCOL];        /* this row's wanted fields */
  char *header;           /* the header's names, for messages */
  size_t hlen;
  js_status st;
} csv_state;

/// Record the first failure (later callbacks do nothing).
#define CSV_FAIL(S, ...)                                                                     \
  do {                                                                                       \
    if ((S)->st == JS_OK) (S)->st = JS_ERROR(JS_ERR_INPUT, __VA_ARGS__); \
  } while (0)

/// Keep a header name (for the list of columns in messages).
static void header_name(csv_state *S, const char *name) {
  size_t len = strlen(name), need = S->hlen + len + 3;
  char *h = realloc(S->header, need);
  if (!h) return;
  if (S->hlen) strcpy(h + S->hlen, ", "), S->hlen += 2;
  memcpy(h + S->hlen, name, len + 1);
  S->header = h, S->hlen += len;
}

/// A wanted column's name in the header at field f: its position, unless it came already.
static void header_take(csv_state *S, int *idx, int f, const char *name) {
  if (*idx >= 0 && *idx != f)
    CSV_FAIL(S, "%s: line %ld: column '%s' appears twice in the header (fields %d and %d): "
             "which one is meant?", js_sink_path(S->sink), S->row_line, name, *idx + 1, f + 1);
  else *idx = f;
}

/// libcsv: one field of the current row.
static void on_field(void *data, size_t len, void *ctx) {
  csv_state *S = ctx;
  const char *text = data ? data : "";
  for (size_t i = 0; i < len; i++) S->line += text[i] == '\n'; /* quoted newlines */
  if (S->st != JS_OK) return;
  int f = S->field++;
  if (S->nfields == 0) { /* the header */
    header_name(S, text);
    for (int c = 0; c < NCOL; c++)
      if (strcmp(text, S->name[c]) == 0) header_take(S, &S->idx[c], f, text);
    if (S->cols->either && strcmp(text, S->cols->correct) == 0)
      header_take(S, &S->idx_correct, f, text);
    return;
  }
  for (int c = 0; c < NCOL; c++)
    if (S->idx[c] == f) {
      free(S->val[c]);
      S->val[c] = strdup(text);
    }
}

/// The header is read: every wanted column must be there.
static void header_done(csv_state *S) {
  S->nfields = S->field;
  if (S->cols->either && S->idx[COL_L] < 0 && S->idx_correct >= 0)
    S->idx[COL_L] = S->idx_correct, S->correct = 1, S->name[COL_L] = S->cols->correct;
  for (int c = 0; c < NCOL; c++)
    if (S->idx[c] < 0)
      CSV_FAIL(S, "%s: line %ld: no column '%s'%s (the header has: %s)", js_sink_path(S->sink),
               S->row_line, S->name[c], c == COL_L && S->cols->either ? " or 'correct'" : "",
               S->header ? S->header : "");
}

/// A data row is read: parse its values and hand the sample over.
static void row_done(csv_state *S) {
  const char *path = js_sink_path(S->sink);
  if (S->field != S->nfields) {
    CSV_FAIL(S, "%s: line %ld: %d fields, the header has %d", path, S->row_line, S->field,
             S->nfields);
    return;
  }
  double v[NCOL];
  for (int c = 1; c < NCOL; c++) {
    int correct = c == COL_L && S->correct;
    const char *why = NULL;
    if (!S->val[c] || !js_parse_value(S->val[c], correct, &v[c])) why = "is not a finite number";
    else why = js_value_problem(v[c], correct, S->cols->graded, c == COL_R);
    if (why) {
      CSV_FAIL(S, "%s: line %ld: column '%s' (field %d): '%s' %s", path, S->row_line,
               S->name[c], S->idx[c] + 1, S->val[c] ? S->val[c] : "", why);
      return;
    }
  }
  if (S->correct) v[COL_L] = 1 - v[COL_L];
  js_status st = js_sink_add(S->sink, S->val[COL_Q], &v[COL_L], &v[COL_R], 1, S->row_line);
  if (st != JS_OK && S->st == JS_OK) S->st = st;
}

/// libcsv: the end of a row.
static void on_row(int end, void *ctx) {
  csv_state *S = ctx;
  if (S->st == JS_OK) {
    if (S->nfields == 0) header_done(S);
    else row_done(S);
  }
  S->field = 0;
  S->line += end == '\n' || end == '\r';
  S->row_line = S->line;
}

js_status js_csv_read(FILE *f, const js_columns *cols, char delim, js_sink *sink) {
  csv_state S;
  memset(&S, 0, sizeof S);
  S.cols = cols, S.sink = sink, S.line = S.row_line = 1;
  S.correct = cols->loss == NULL;
  S.name[COL_Q] = cols->question, S.name[COL_L] = S.correct ? cols->correct : cols->loss;
  S.name[COL_R] = cols->reward;
  for (int c = 0; c < NCOL; c++) S.idx[c] = -1;
  S.idx_correct = -1;
  struct csv_parser p;
  JS_CHECK(csv_init(&p, CSV_APPEND_NULL) == 0, JS_ERR_SYS, "libcsv: csv_init failed");
  csv_set_delim(&p, (unsigned char)delim);
  char buf[1 << 16];
  size_t got, skip = js_bom_length(f);
  while (S.st == JS_OK && (got = fread(buf, 1, sizeof buf, f)) > 0) {
    if (csv_parse(&p, buf + skip, got - skip, on_field, on_row, &S) != got - skip)
      CSV_FAIL(&S, "%s: line %ld: %s", js_sink_path(sink), S.line, csv_strerror(csv_error(&p)));
    skip = 0; /* the byte-order mark opens the first block only */
  }
  if (S.st == JS_OK && ferror(f))
    CSV_FAIL(&S, "%s: read error: %s", js_sink_path(sink), strerror(errno));
  if (S.st == JS_OK) csv_fini(&p, on_field, on_row, &S);
  csv_free(&p);
  for (int c = 0; c < NCOL; c++) free(S.val[c]);
  free(S.header);
  JS_CALL(S.st);
  return JS_OK;
}
