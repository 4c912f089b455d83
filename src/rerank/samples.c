/// \file samples.c
/// Sample files grouped by question, with their provenance (see samples.h).
#define _GNU_SOURCE /* qsort_r */
#include "rerank/samples.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "io/fileio.h"
#include "rerank/csvread.h"
#include "rerank/jsonlread.h"

/// Fail naming the line and byte of the first NUL byte in a block read at byte total.
static js_status check_nul(const char *path, const unsigned char *buf, size_t got,
                           long *line, size_t *line_start, size_t total) {
  for (size_t i = 0; i < got; i++) {
    if (buf[i] == '\n') (*line)++, *line_start = total + i + 1;
    JS_CHECK(buf[i] != 0, JS_ERR_INPUT, "%s: line %ld: column %zu (byte %zu): a NUL byte; "
             "sample files are UTF-8 text (is it binary, or UTF-16?)", path, *line,
             total + i - *line_start + 1, total + i + 1);
  }
  return JS_OK;
}

/// Size and FNV-1a 64 checksum of a file's bytes (leaves f at its start); a NUL byte is
/// refused.
static js_status file_checksum(FILE *f, const char *path, size_t *bytes, uint64_t *sum) {
  unsigned char buf[1 << 16];
  uint64_t h = JS_FNV_OFFSET;
  size_t total = 0, got, line_start = 0;
  long line = 1;
  while ((got = fread(buf, 1, sizeof buf, f)) > 0) {
    JS_CALL(check_nul(path, buf, got, &line, &line_start, total));
    h = js_fnv1a(h, buf, got);
    total += got;
  }
  JS_CHECK(!ferror(f), JS_ERR_INPUT, "%s: read error: %s", path, strerror(errno));
  rewind(f);
  *bytes = total, *sum = h;
  return JS_OK;
}

/// The file's format: 'j' JSON Lines, ',' CSV, '\t' TSV; by its name, else by its first
/// non-blank character ('{') and its first line (tabs and no comma: TSV).
static char file_format(FILE *f, const char *path) {
  if (js_path_has_suffix(path, ".jsonl") || js_path_has_suffix(path, ".ndjson") ||
      js_path_has_suffix(path, ".json"))
    return 'j';
  if (js_path_has_suffix(path, ".tsv") || js_path_has_suffix(path, ".tab")) return '\t';
  int csv = js_path_has_suffix(path, ".csv"), c, first = 0, tabs = 0, commas = 0;
  fseek(f, (long)js_bom_length(f), SEEK_SET);
  while ((c = fgetc(f)) != EOF && c != '\n') {
    if (!first && !isspace(c)) first = c;
    tabs += c == '\t', commas += c == ',';
  }
  rewind(f);
  if (!csv && first == '{') return 'j';
  return tabs && !commas ? '\t' : ',';
}

/// Read one file into the sink.
static js_status read_one(js_sink *s, const js_columns *cols, js_samples *out) {
  FILE *f = fopen(s->path, "rb");
  JS_CHECK(f, JS_ERR_INPUT, "%s: cannot open: %s", s->path, strerror(errno));
  size_t before = s->n;
  js_status st = file_checksum(f, s->path, &out->bytes[s->file], &out->checksum[s->file]);
  if (st == JS_OK && out->bytes[s->file] == 0)
    st = JS_ERROR(JS_ERR_INPUT, "%s: the file is empty", s->path);
  char format = st == JS_OK ? file_format(f, s->path) : 'j';
  JS_TRY(st, format == 'j' ? js_jsonl_read(f, cols, s) : js_csv_read(f, cols, format, s));
  fclose(f);
  JS_CALL(st);
  out->fsamples[s->file] = s->n - before;
  JS_CHECK(s->n > before, JS_ERR_INPUT, "%s: no samples in the file", s->path);
  return JS_OK;
}

/// Order of runs by question id, then first appearance.
static int cmp_run(const void *a, const void *b, void *ctx) {
  char **rid = ctx;
  size_t x = *(const size_t *)a, y = *(const size_t *)b;
  int c = strcmp(rid[x], rid[y]);
  return c ? c : (x > y) - (x < y);
}

/// Number the questions by first appearance: qof[run] = question of each run.
static js_status number_questions(js_sink *s, size_t *qof, int *nq) {
  size_t *order = malloc(sizeof(size_t) * (s->nruns + 1));
  JS_ALLOC_CHECK(order, "question ids");
  for (size_t i = 0; i < s->nruns; i++) order[i] = i;
  qsort_r(order, s->nruns, sizeof(size_t), cmp_run, s->rid);
  for (size_t i = 0; i < s->nruns; i++) /* every run points at its id's first run */
    qof[order[i]] = i && !strcmp(s->rid[order[i]], s->rid[order[i - 1]]) ? qof[order[i - 1]]
                                                                         : order[i];
  free(order);
  size_t *num = malloc(sizeof(size_t) * (s->nruns + 1));
  JS_ALLOC_CHECK(num, "question ids");
  size_t q = 0;
  for (size_t i = 0; i < s->nruns; i++) num[i] = qof[i] == i ? q++ : num[qof[i]];
  for (size_t i = 0; i < s->nruns; i++) qof[i] = num[i];
  free(num);
  JS_CHECK(q <= 0x7fffffff, JS_ERR_INPUT, "more than 2^31 questions");
  *nq = (int)q;
  return JS_OK;
}

/// Group the sink's samples by question into out (samples keep their order).
static js_status group(js_sink *s, js_samples *out) {
  size_t *qof = malloc(sizeof(size_t) * (s->nruns + 1));
  JS_ALLOC_CHECK(qof, "question ids");
  js_status st = number_questions(s, qof, &out->nq);
  int nq = out->nq;
  out->ns = s->n;
  out->start = calloc((size_t)nq + 1, sizeof(size_t));
  out->qid = calloc((size_t)nq + 1, sizeof(char *));
  out->qfile = malloc(sizeof(int) * ((size_t)nq + 1));
  out->qline = malloc(sizeof(long) * ((size_t)nq + 1));
  out->loss = malloc(sizeof(double) * (s->n + 1));
  out->reward = malloc(sizeof(double) * (s->n + 1));
  if (st == JS_OK && !(out->start && out->qid && out->qfile && out->qline && out->loss &&
                       out->reward))
    st = JS_ERROR(JS_ERR_SYS, "out of memory grouping samples");
  for (size_t r = 0; st == JS_OK && r < s->nruns; r++) {
    int q = (int)qof[r];
    if (out->qid[q]) continue;
    out->qid[q] = s->rid[r], s->rid[r] = NULL; /* the question's first run names it */
    out->qfile[q] = s->rfile[r], out->qline[q] = s->rline[r];
  }
  for (size_t i = 0; st == JS_OK && i < s->n; i++) out->start[qof[s->run[i]] + 1]++;
  for (int q = 0; st == JS_OK && q < nq; q++) out->start[q + 1] += out->start[q];
  size_t *at = st == JS_OK ? malloc(sizeof(size_t) * ((size_t)nq + 1)) : NULL;
  if (st == JS_OK && !at) st = JS_ERROR(JS_ERR_SYS, "out of memory");
  if (at) memcpy(at, out->start, sizeof(size_t) * (size_t)nq);
  for (size_t i = 0; at && i < s->n; i++) {
    size_t p = at[qof[s->run[i]]]++;
    out->loss[p] = s->loss[i], out->reward[p] = s->reward[i];
  }
  free(at), free(qof);
  return st;
}

js_status js_samples_read(const char *const *paths, int npaths, const js_columns *cols,
                          js_samples *out) {
  memset(out, 0, sizeof *out);
  js_sink s;
  memset(&s, 0, sizeof s);
  out->nfiles = npaths;
  out->file = calloc((size_t)npaths + 1, sizeof(char *));
  out->bytes = calloc((size_t)npaths + 1, sizeof(size_t));
  out->checksum = calloc((size_t)npaths + 1, sizeof(uint64_t));
  out->fsamples = calloc((size_t)npaths + 1, sizeof(size_t));
  js_status st = JS_OK;
  if (!(out->file && out->bytes && out->checksum && out->fsamples))
    st = JS_ERROR(JS_ERR_SYS, "out of memory");
  for (int i = 0; st == JS_OK && i < npaths; i++) {
    out->file[i] = strdup(paths[i]);
    s.path = paths[i], s.file = i;
    st = out->file[i] ? read_one(&s, cols, out) : JS_ERROR(JS_ERR_SYS, "out of memory");
  }
  JS_TRY(st, group(&s, out));
  js_sink_free(&s);
  if (st != JS_OK) js_samples_free(out);
  JS_CALL(st);
  return JS_OK;
}

void js_samples_free(js_samples *s) {
  for (int q = 0; s->qid && q < s->nq; q++) free(s->qid[q]);
  for (int i = 0; s->file && i < s->nfiles; i++) free(s->file[i]);
  free(s->start), free(s->loss), free(s->reward), free(s->qid), free(s->qfile), free(s->qline);
  free(s->file), free(s->bytes), free(s->checksum), free(s->fsamples);
  memset(s, 0, sizeof *s);
}
