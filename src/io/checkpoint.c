/// \file checkpoint.c
/// Writing and validating checkpoints (see checkpoint.h for the format).
#include "io/checkpoint.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/hash.h"
#include "io/buildid.h"
#include "io/fileio.h"
#include "theory/theory.h"

#define CKPT_MAGIC "JSCKPT03"
#define CKPT_MAGIC_02 "JSCKPT02" /* read too: no build identity */

uint64_t js_ckpt_hash(const char *text) { return js_fnv1a(JS_FNV_OFFSET, text, strlen(text)); }

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
  w->hash = js_fnv1a(w->hash, data, len);
  if (w->ok && fwrite(data, 1, len, w->f) != len) w->ok = 0;
}

/// A record's key: kind, three integers and three doubles (see checkpoint.h).
typedef struct {
  int32_t kind, a, b, c;
  double x, y, z;
} record_key;

/// The key of unit id.
static record_key key_of(const js_config *cfg, const js_grid *grid, int id) {
  js_unit u = js_grid_unit(grid, id);
  record_key k = {0, 0, 0, 0, 0, 0, 0};
  if (u.kind == JS_UNIT_MC) {
    k.a = cfg->d[u.id_d], k.b = cfg->n[u.id_n], k.c = u.trial;
    if (u.nsplit > 1) k.x = u.split, k.y = u.nsplit; /* else 0, 0 as before splits */
    return k;
  }
  js_theory_piece_id p = js_theory_plan_piece(cfg, &grid->plan, u.piece);
  k.kind = 1, k.a = grid->plan.p[p.ratio], k.b = grid->plan.q[p.ratio], k.c = p.node;
  k.x = cfg->T[p.iT], k.y = JS_THEORY_RULE;
  return k;
}

/// Write the whole checkpoint into an open file.
static js_status write_body(writer *w, const js_config *cfg, const char *text,
                            const js_grid *grid, const js_results *res,
                            const unsigned char *done) {
  uint64_t hash = js_ckpt_hash(text), tlen = strlen(text), ncells = grid->ncells,
           nk = (uint64_t)cfg->nr * (uint64_t)cfg->nk, nrec = 0;
  for (int u = 0; u < grid->nunits; u++) nrec += done[u] != 0;
  double now = (double)time(NULL);
  double *payload = malloc(sizeof(double) * (grid->ncells + 1 + (size_t)nk));
  JS_ALLOC_CHECK(payload, "checkpoint record");
  put(w, CKPT_MAGIC, 8);
  put(w, &hash, 8);
  put(w, &tlen, 8);
  put(w, text, tlen);
  const char *build = js_build_identity();
  uint64_t blen = strlen(build);
  put(w, &blen, 8);
  put(w, build, blen);
  put(w, &ncells, 8);
  put(w, &nk, 8);
  put(w, &nrec, 8);
  put(w, &now, 8);
  for (int u = 0; u < grid->nunits; u++) {
    if (!done[u]) continue;
    record_key k = key_of(cfg, grid, u);
    put(w, &k, sizeof k);
    js_results_get(res, u, payload);
    put(w, payload, sizeof(double) * (size_t)js_grid_payload(grid, u));
  }
  free(payload);
  uint64_t sum = w->hash;
  put(w, &sum, 8);
  return JS_OK;
}

js_status js_ckpt_write(const js_config *cfg, const char *study_text, const js_grid *grid,
                        const js_results *res, const unsigned char *done) {
  char *path = js_ckpt_path(cfg->out_path), *tmp = NULL;
  JS_ALLOC_CHECK(path, "checkpoint path");
  js_status s = js_atomic_begin(path, &tmp);
  writer w = {s == JS_OK ? fopen(tmp, "wb") : NULL, JS_FNV_OFFSET, 1};
  if (s == JS_OK && !w.f)
    s = JS_ERROR(JS_ERR_SYS, "cannot open %s: %s", tmp, strerror(errno));
  if (s == JS_OK) {
    s = write_body(&w, cfg, study_text, grid, res, done);
    int closed = fclose(w.f) == 0;
    if (s == JS_OK && (!w.ok || !closed))
      s = JS_ERROR(JS_ERR_SYS, "writing checkpoint %s failed: %s", tmp, strerror(errno));
  }
  if (s == JS_OK) s = js_atomic_commit(tmp, path);
  else js_atomic_abort(tmp);
  free(path);
  return JS_TRACE(s);
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

/// Unit id of a record's key in the grid, or -1.
static int find_unit(const js_config *cfg, const js_grid *grid, const record_key *k) {
  if (k->kind == 1) {
    int i = js_theory_plan_find(cfg, &grid->plan, k->a, k->b, k->x, k->c);
    return i < 0 ? -1 : grid->nmc + i;
  }
  int id = -1, in = -1;
  for (int i = 0; i < cfg->nd; i++) if (cfg->d[i] == k->a) id = i;
  for (int i = 0; i < cfg->nn; i++) if (cfg->n[i] == k->b) in = i;
  if (k->kind != 0 || id < 0 || in < 0 || k->c < 0 || k->c >= cfg->trials) return -1;
  int S = grid->nsplit;
  if ((k->y == 0 ? 1 : k->y) != S || !(k->x >= 0 && k->x < S && k->x == (int)k->x)) return -1;
  return ((id * cfg->nn + in) * cfg->trials + k->c) * S + (int)k->x;
}

/// Describe a record's key for messages.
static void describe(const record_key *k, char *buf, size_t size) {
  if (k->kind == 0 && k->y > 1)
    snprintf(buf, size, "unit d=%d n=%d trial=%d test-point split %g of %g", k->a, k->b, k->c,
             k->x + 1, k->y);
  else if (k->kind == 0) snprintf(buf, size, "unit d=%d n=%d trial=%d", k->a, k->b, k->c);
  else snprintf(buf, size, "theory piece d/n=%d/%d T=%g node %d", k->a, k->b, k->x, k->c);
}

/// Walk the records of an image: check their kinds and sizes, count them by kind.
static js_status check_records(const char *path, reader *r, js_ckpt *ck) {
  size_t at = r->at;
  for (uint64_t i = 0; i < ck->nrec; i++) {
    record_key k;
    JS_CHECK(take(r, &k, sizeof k) && (k.kind == 0 || k.kind == 1), JS_ERR_INPUT,
             "checkpoint %s: unit records damaged", path);
    size_t values = k.kind == 0 ? ck->ncells + 1 : ck->nk;
    JS_CHECK(values * 8 <= r->len - r->at, JS_ERR_INPUT, "checkpoint %s: unit records damaged",
             path);
    r->at += values * 8;
    *(k.kind == 0 ? &ck->ndone_mc : &ck->ndone_th) += 1;
  }
  JS_CHECK(r->at == r->len, JS_ERR_INPUT, "checkpoint %s: unit records damaged", path);
  r->at = at;
  return JS_OK;
}

/// Parse the header of a validated image into ck.
static js_status parse_header(const char *path, reader *r, js_ckpt *ck) {
  char magic[8];
  uint64_t tlen;
  JS_CHECK(take(r, magic, 8) && memcmp(magic, CKPT_MAGIC, 6) == 0, JS_ERR_INPUT,
           "checkpoint %s: not a judgesim checkpoint", path);
  int v02 = memcmp(magic, CKPT_MAGIC_02, 8) == 0;
  JS_CHECK(v02 || memcmp(magic, CKPT_MAGIC, 8) == 0, JS_ERR_INPUT,
           "checkpoint %s: format version %.2s, this judgesim reads versions 02 and 03 (a "
           "checkpoint of another judgesim version: finish the study with that version, or "
           "move it away)", path, magic + 6);
  JS_CHECK(take(r, &ck->hash, 8) && take(r, &tlen, 8) && tlen < r->len, JS_ERR_INPUT,
           "checkpoint %s: header damaged", path);
  ck->study_text = calloc(tlen + 1, 1);
  JS_ALLOC_CHECK(ck->study_text, "checkpoint text");
  JS_CHECK(take(r, ck->study_text, tlen), JS_ERR_INPUT, "checkpoint %s: header damaged", path);
  uint64_t blen = 0;
  JS_CHECK(v02 || (take(r, &blen, 8) && blen < r->len), JS_ERR_INPUT,
           "checkpoint %s: header damaged", path);
  ck->build = v02 ? strdup("unknown (checkpoint format 02)") : calloc(blen + 1, 1);
  JS_ALLOC_CHECK(ck->build, "checkpoint build");
  JS_CHECK(v02 || take(r, ck->build, blen), JS_ERR_INPUT, "checkpoint %s: header damaged", path);
  JS_CHECK(take(r, &ck->ncells, 8) && take(r, &ck->nk, 8) &&
               take(r, &ck->nrec, 8) && take(r, &ck->commit_time, 8),
           JS_ERR_INPUT, "checkpoint %s: header damaged", path);
  JS_CHECK(ck->ncells < r->len && ck->nk < r->len && ck->nrec <= r->len, JS_ERR_INPUT,
           "checkpoint %s: header damaged", path);
  ck->records_at = r->at;
  JS_CALL(check_records(path, r, ck));
  return JS_OK;
}

js_status js_ckpt_check_build(const js_ckpt *ck, int allow) {
  const char *me = js_build_identity();
  if (strcmp(ck->build, me) == 0) return JS_OK;
  JS_CHECK(allow, JS_ERR_INPUT, "%s was written by another build:\n  it:   %s\n  this: %s\n"
           "its units and this build's would mix in one cube, which is then not bitwise "
           "reproducible; finish the study with the build that wrote it, or pass "
           "--allow-other-build", ck->path, ck->build, me);
  fprintf(stderr, "judgesim: WARNING: %s was written by another build:\n  it:   %s\n  this: %s\n"
          "judgesim: WARNING: --allow-other-build: its units are used; the cube mixes the two "
          "builds' bits\n", ck->path, ck->build, me);
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
    return JS_TRACE(s);
  }
  uint64_t stored = 0;
  int ok = len >= 16;
  if (ok) memcpy(&stored, ck->image + len - 8, 8);
  if (!ok || stored != js_fnv1a(JS_FNV_OFFSET, ck->image, len - 8))
    s = JS_ERROR(JS_ERR_INPUT,
                 "checkpoint %s fails validation (checksum mismatch: truncated or damaged); it "
                 "was left as it is: move it away to start the study over",
                 path);
  reader r = {ck->image, ok ? len - 8 : 0, 0};
  JS_TRY(s, parse_header(path, &r, ck));
  ck->image_len = r.len;
  if (s != JS_OK) js_ckpt_close(ck);
  return JS_TRACE(s);
}

js_status js_ckpt_load(const js_ckpt *ck, const js_config *cfg, const js_grid *grid,
                       js_results *res, int *loaded_mc, int *loaded_th) {
  size_t per = (size_t)cfg->nr * cfg->nk;
  JS_CHECK(ck->ncells == grid->ncells && ck->nk == per, JS_ERR_INPUT,
           "checkpoint %s: %llu cells per unit and %llu values per theory piece, the study has "
           "%zu and %zu", ck->path, (unsigned long long)ck->ncells,
           (unsigned long long)ck->nk, grid->ncells, per);
  reader r = {ck->image, ck->image_len, ck->records_at};
  double *payload = malloc(sizeof(double) * (grid->ncells + 1 + per));
  JS_ALLOC_CHECK(payload, "checkpoint record");
  *loaded_mc = *loaded_th = 0;
  js_status s = JS_OK;
  long stale = 0;
  for (uint64_t i = 0; i < ck->nrec && s == JS_OK; i++) {
    record_key k;
    char what[160];
    take(&r, &k, sizeof k); /* sizes were checked by js_ckpt_open */
    if (k.kind == 1 && k.y != JS_THEORY_RULE) { /* another quadrature: computed again */
      r.at += sizeof(double) * per;
      stale++;
      continue;
    }
    int u = find_unit(cfg, grid, &k), S = k.y == 0 ? 1 : (int)k.y;
    describe(&k, what, sizeof what);
    if (u < 0 && k.kind == 0 && S != grid->nsplit) {
      s = JS_ERROR(JS_ERR_INPUT, "checkpoint %s: its units split "
                   "each trial's test points into %d, this judgesim splits them into %d (it splits "
                   "large trials unless sampling.unit_points says otherwise): finish the study "
                   "with the judgesim that made it, or move the checkpoint away", ck->path, S,
                   grid->nsplit);
      break;
    }
    if (u < 0) {
      s = JS_ERROR(JS_ERR_INPUT, "checkpoint %s: %s is not in "
                   "the study", ck->path, what);
      break;
    }
    size_t bytes = sizeof(double) * (size_t)js_grid_payload(grid, u);
    const unsigned char *values = r.p + r.at;
    r.at += bytes;
    if (res->done[u]) { /* the same unit from another part must agree bit for bit */
      js_results_get(res, u, payload);
      if (memcmp(payload, values, bytes))
        s = JS_ERROR(JS_ERR_INPUT, "checkpoint %s: %s differs "
                     "from another part's copy", ck->path, what);
      continue;
    }
    memcpy(payload, values, bytes);
    js_results_put(res, u, payload);
    *(k.kind == 0 ? loaded_mc : loaded_th) += 1;
  }
  free(payload);
  if (s == JS_OK && stale)
    fprintf(stderr, "judgesim: note: %s: %ld theory pieces were computed by another version of "
            "the theory's quadrature; they are computed again\n", ck->path, stale);
  return JS_TRACE(s);
}

void js_ckpt_close(js_ckpt *ck) {
  free(ck->study_text);
  free(ck->build);
  free(ck->image);
  free(ck->path);
  memset(ck, 0, sizeof *ck);
}
