/// \file layout.c
/// Roles of the ranks and the implied first round (see layout.h).
#include "dist/layout.h"

#include <stdlib.h>
#include <string.h>

/// The group size from JUDGESIM_GROUP_SIZE or the rank count (0: flat).
static int group_size(int size) {
  const char *env = getenv("JUDGESIM_GROUP_SIZE");
  if (env && *env) {
    int g = atoi(env);
    return g >= 2 && g < size - 1 ? g : 0;
  }
  return size < JS_GROUP_FROM_RANKS ? 0 : JS_GROUP_RANKS;
}

/// Does rank 0 compute units too? Flat and below JS_SERVE_ONLY_RANKS, unless overridden.
static int root_computes(int size, int grouped) {
  const char *env = getenv("JUDGESIM_MASTER_COMPUTES");
  if (size == 1) return 1;
  if (grouped) return 0;
  if (env && (env[0] == '0' || env[0] == '1') && !env[1]) return env[0] == '1';
  return size < JS_SERVE_ONLY_RANKS;
}

js_layout js_layout_of(int size) {
  js_layout L = {size, group_size(size), 0, 0};
  if (L.group) { /* as few groups as fit, of sizes that differ by one at most */
    L.ngroups = (size - 1 + L.group - 1) / L.group;
    if (L.ngroups > (size - 1) / 2) L.ngroups = (size - 1) / 2; /* a worker in each */
    L.group = (size - 1 + L.ngroups - 1) / L.ngroups;
  }
  L.computes = root_computes(size, L.group > 0);
  return L;
}

/// The leader of group g (g = ngroups: size, one past the last rank).
static int group_start(const js_layout *L, int g) {
  return 1 + (int)((long)g * (L->size - 1) / L->ngroups);
}

/// The group of rank r >= 1 (grouped layout).
static int group_of(const js_layout *L, int r) {
  int g = (int)((long)(r - 1) * L->ngroups / (L->size - 1));
  while (g + 1 < L->ngroups && group_start(L, g + 1) <= r) g++;
  while (g > 0 && group_start(L, g) > r) g--;
  return g;
}

int js_layout_is_leader(const js_layout *L, int r) {
  return L->group && r >= 1 && r < L->size && group_start(L, group_of(L, r)) == r;
}

int js_layout_group(const js_layout *L, int r, int *first, int *last) {
  int g = group_of(L, r);
  *first = group_start(L, g) + 1;
  *last = group_start(L, g + 1) - 1;
  return g;
}

int js_layout_server(const js_layout *L, int r) {
  if (!L->group || js_layout_is_leader(L, r)) return 0;
  return group_start(L, group_of(L, r));
}

int js_layout_computing(const js_layout *L) {
  return L->group ? L->size - 1 - L->ngroups : L->size - 1 + L->computes;
}

int js_layout_group_workers(const js_layout *L) {
  return L->group ? L->group - 1 : L->size - 1;
}

double js_layout_floor(const js_layout *L) {
  return js_layout_group_workers(L) * JS_SERVICE_S;
}

/// Record one rank's share of the first round; returns 1 when it is the wanted rank's.
static int keep(js_dealt *d, int r, const int *ids, int n) {
  if (d->held) d->held[r] = n > 0;
  if (d->units) d->units[r] = n;
  if (r != d->rank) return 0;
  memcpy(d->ids, ids, sizeof(int) * (size_t)n);
  d->n = n;
  return 1;
}

void js_layout_deal(js_queue *q, const js_layout *L, js_dealt *d) {
  int scratch[JS_CHUNK_MAX_UNITS];
  for (int r = 1; r < L->size; r++) {
    if (js_layout_is_leader(L, r)) continue;
    int n = js_queue_take(q, js_layout_computing(L), JS_BATCH_MAX_S, JS_BATCH_MAX_UNITS, 1,
                          js_layout_floor(L), scratch);
    if (keep(d, r, scratch, n)) return;
  }
  for (int g = 0; g < L->ngroups; g++) {
    int w = js_layout_group_workers(L);
    int n = js_queue_take(q, L->ngroups, JS_BATCH_MAX_S * w, JS_CHUNK_MAX_UNITS, w,
                          w * js_layout_floor(L), scratch);
    if (keep(d, group_start(L, g), scratch, n)) return;
  }
}
