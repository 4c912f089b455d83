/// \file checkpoint.c
/// Writing and validating checkpoints (see checkpoint.h for the format).
#include "checkpoint.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fileio.h"

#define CKPT_MAGIC "JSCKPT01"
#define FNV_OFFSET 0xcbf29ce484222325ULL

/// Continue an FNV-1a hash over bytes.
static uint64_t fnv1a(uint64_t h, const void *data, size_t len) {
  const unsigned char *p = data;
  for (size_t i = 0; i < len; i++) h = (h ^ p[i]) * 0x100000001b3ULL;
  return h;
}

uint64_t js_ckpt_hash(const char *text) { return fnv1a(FNV_OFFSET, text, strlen(text)); }

char *js_ckpt_path(const char *out) {
  size_t len = strlen(out) + 6;
  char *p = malloc(len);
  if (p) snprintf(p, len, "%s.ckpt", out);
  return p;
}

typedef struct {
  FILE *f;
  uint64_t hash;
  int ok;
} writer;

/// Write bytes and fold them into the checksum.
static void put(writer *w, const void *data, size_t len) {
  w->hash = fnv1a(w->hash, data, len);
  if (w->ok && fwrite(data, 1, len, w->f) != len) w->ok = 0;
}

/// Write the whole checkpoint into an open file.
static void write_body(writer *w, const js_config *cfg, const char *text, const js_grid *grid,
                       const js_results *res) {
  uint64_t hash = js_ckpt_hash(text), tlen = strlen(text), ncells = grid->ncells, ndone = 0;
  for (int u = 0; u < grid->nunits; u++) ndone += res->done[u];
  double now = (double)time(NULL);
  put(w, CKPT_MAGIC, 8);
  put(w, &hash, 8);
  put(w, &tlen, 8);
  put(w, text, tlen);
  put(w, &ncells, 8);
  put(w, &ndone, 8);
  put(w, &now, 8);
  for (int u = 0; u < grid->nunits; u++) {
    if (!res->done[u]) continue;
    const js_unit *unit = &grid->units[u];
    int32_t key[4] = {cfg->d[unit->id_d], cfg->n[unit->id_n], unit->trial, 0};
    put(w, key, sizeof key);
    put(w, &res->ref_trial[u], 8);
    put(w, res->trial + (size_t)u * grid->ncells, grid->ncells * sizeof(double));
  }
  uint64_t sum = w->hash;
  put(w, &sum, 8);
}

js_status js_ckpt_write(const js_config *cfg, const char *study_text, const js_grid *grid,
                        const js_results *res) {
  char *path = js_ckpt_path(cfg->out_path), *tmp = NULL;
  JS_ALLOC_CHECK(path, "checkpoint path");
  js_status s = js_atomic_begin(path, &tmp);
  writer w = {s == JS_OK ? fopen(tmp, "wb") : NULL, FNV_OFFSET, 1};
  if (s == JS_OK && !w.f)
    s = js_fail(JS_ERR_SYS, __FILE__, __LINE__, __func__, "cannot open %s: %s", tmp,
                strerror(errno));
  if (s == JS_OK) {
    write_body(&w, cfg, study_text, grid, res);
    int closed = fclose(w.f) == 0;
    if (!w.ok || !closed)
      s = js_fail(JS_ERR_SYS, __FILE__, __LINE__, __func__, "writing checkpoint %s failed", tmp);
  }
  if (s == JS_OK) s = js_atomic_commit(tmp, path);
  else js_atomic_abort(tmp);
  free(path);
  return s == JS_OK ? JS_OK : js_trace(s, __FILE__, __LINE__, __func__);
}

/// Read a whole file into memory.
static js_status slurp(const char *path, unsigned char **data, size_t *len) {
  FILE *f = fopen(path, "rb");
  JS_CHECK(f, JS_ERR_INPUT, "checkpoint %s: cannot open: %s", path, strerror(errno));
  size_t cap = 1 << 16, n = 0, got;
  unsigned char *buf = malloc(cap);
  while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap) {
      unsigned char *nb = realloc(buf, cap *= 2);
      if (!nb) free(buf);
      buf = nb;
    }
  }
  int err = ferror(f);
  fclose(f);
  if (err) free(buf);
  JS_CHECK(buf && !err, JS_ERR_SYS, "checkpoint %s: read failed", path);
  *data = buf;
  *len = n;
  return JS_OK;
}

/// Bounds-checked reader over the file image.
typedef struct {
  const unsigned char *p;
  size_t len, at;
} reader;

/// Copy len bytes out, or report that the file ends too early.
static int take(reader *r, void *out, size_t len) {
  if (len > r->len - r->at) return 0;
  memcpy(out, r->p + r->at, len);
  r->at += len;
  return 1;
}

/// Unit id of (d, n, trial) values in the grid, or -1.
static int find_unit(const js_config *cfg, const int32_t key[4]) {
  int id = -1, in = -1;
  for (int i = 0; i < cfg->nd; i++) if (cfg->d[i] == key[0]) id = i;
  for (int i = 0; i < cfg->nn; i++) if (cfg->n[i] == key[1]) in = i;
  if (id < 0 || in < 0 || key[2] < 0 || key[2] >= cfg->trials) return -1;
  return (id * cfg->nn + in) * cfg->trials + key[2];
}

/// Parse the header of a validated image into ck.
static js_status parse_header(const char *path, reader *r, js_ckpt *ck) {
  char magic[8];
  uint64_t tlen;
  JS_CHECK(take(r, magic, 8) && memcmp(magic, CKPT_MAGIC, 6) == 0, JS_ERR_INPUT,
           "checkpoint %s: not a judgesim checkpoint", path);
  JS_CHECK(memcmp(magic, CKPT_MAGIC, 8) == 0, JS_ERR_INPUT,
           "checkpoint %s: format version %.2s, this judgesim reads version 01", path, magic + 6);
  JS_CHECK(take(r, &ck->hash, 8) && take(r, &tlen, 8) && tlen < r->len, JS_ERR_INPUT,
           "checkpoint %s: header damaged", path);
  ck->study_text = calloc(tlen + 1, 1);
  JS_ALLOC_CHECK(ck->study_text, "checkpoint text");
  JS_CHECK(take(r, ck->study_text, tlen) && take(r, &ck->ncells, 8) &&
               take(r, &ck->ndone, 8) && take(r, &ck->commit_time, 8),
           JS_ERR_INPUT, "checkpoint %s: header damaged", path);
  uint64_t rec = 16 + 8 * (ck->ncells + 1);
  JS_CHECK(ck->ncells < r->len && ck->ndone <= r->len && (r->len - r->at) == ck->ndone * rec,
           JS_ERR_INPUT, "checkpoint %s: unit records damaged", path);
  ck->records_at = r->at;
  return JS_OK;
}

js_status js_ckpt_open(const char *path, js_ckpt *ck) {
  size_t len = 0;
  memset(ck, 0, sizeof *ck);
  ck->path = strdup(path);
  JS_ALLOC_CHECK(ck->path, "checkpoint path");
  js_status s = slurp(path, &ck->image, &len);
  if (s != JS_OK) {
    js_ckpt_close(ck);
    return js_trace(s, __FILE__, __LINE__, __func__);
  }
  uint64_t stored = 0;
  int ok = len >= 16;
  if (ok) memcpy(&stored, ck->image + len - 8, 8);
  if (!ok || stored != fnv1a(FNV_OFFSET, ck->image, len - 8))
    s = js_fail(JS_ERR_INPUT, __FILE__, __LINE__, __func__,
                "checkpoint %s fails validation (checksum mismatch: truncated or damaged); it "
                "was left as it is: move it away to start the study over", path);
  reader r = {ck->image, ok ? len - 8 : 0, 0};
  if (s == JS_OK) s = parse_header(path, &r, ck);
  ck->image_len = r.len;
  if (s != JS_OK) js_ckpt_close(ck);
  return s == JS_OK ? JS_OK : js_trace(s, __FILE__, __LINE__, __func__);
}

js_status js_ckpt_load(const js_ckpt *ck, const js_config *cfg, const js_grid *grid,
                       js_results *res, int *loaded) {
  JS_CHECK(ck->ncells == grid->ncells, JS_ERR_INPUT, "checkpoint %s: %llu cells per unit, the "
           "study has %zu", ck->path, (unsigned long long)ck->ncells, grid->ncells);
  reader r = {ck->image, ck->image_len, ck->records_at};
  size_t bytes = grid->ncells * sizeof(double);
  *loaded = 0;
  for (uint64_t i = 0; i < ck->ndone; i++) {
    int32_t key[4];
    double ref;
    take(&r, key, sizeof key); /* sizes were checked by js_ckpt_open */
    take(&r, &ref, 8);
    const unsigned char *cells = r.p + r.at;
    r.at += bytes;
    int u = find_unit(cfg, key);
    JS_CHECK(u >= 0, JS_ERR_INPUT, "checkpoint %s: unit d=%d n=%d trial=%d is not in the study",
             ck->path, key[0], key[1], key[2]);
    double *dst = res->trial + (size_t)u * grid->ncells;
    if (res->done[u]) { /* the same unit from another part must agree bit for bit */
      JS_CHECK(!memcmp(dst, cells, bytes) && !memcmp(&res->ref_trial[u], &ref, 8), JS_ERR_INPUT,
               "checkpoint %s: unit d=%d n=%d trial=%d differs from another part's copy",
               ck->path, key[0], key[1], key[2]);
      continue;
    }
    memcpy(dst, cells, bytes);
    res->ref_trial[u] = ref;
    res->done[u] = 1;
    (*loaded)++;
  }
  return JS_OK;
}

void js_ckpt_close(js_ckpt *ck) {
  free(ck->study_text);
  free(ck->image);
  free(ck->path);
  memset(ck, 0, sizeof *ck);
}
