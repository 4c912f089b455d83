/// \file layout.c
/// Roles of the ranks and the implied first round (see layout.h).
#include "dist/layout.h"

#include <stdlib.h>
#include <string.h>

#include "core/env.h"

js_status js_layout_knobs_read(js_layout_knobs *k) {
  long group = -1, computes = -1;
  JS_CALL(js_env_int("JUDGESIM_GROUP_SIZE", 0, JS_GROUP_SIZE_MAX, 0, &group));
  JS_CHECK(group != 1, JS_ERR_INPUT, "environment variable JUDGESIM_GROUP_SIZE=1: give 0 (a "
           "flat layout) or a group size from 2 to %d", JS_GROUP_SIZE_MAX);
  JS_CALL(js_env_int("JUDGESIM_MASTER_COMPUTES", 0, 1, 0, &computes));
  k->group = (int)group, k->computes = (int)computes;
  return JS_OK;
}

/// The group size (0: flat): the knob's when set (flat when no two groups of 2 fit), else
/// JS_GROUP_RANKS from JS_GROUP_FROM_RANKS ranks on.
static int group_size(int size, const js_layout_knobs *k) {
  if (k && k->group >= 0) return k->group >= 2 && k->group < size - 1 ? k->group : 0;
  return size < JS_GROUP_FROM_RANKS ? 0 : JS_GROUP_RANKS;
}

/// Does rank 0 compute units too? Flat and below JS_SERVE_ONLY_RANKS, unless the knob says.
static int root_computes(int size, int grouped, const js_layout_knobs *k) {
  if (size == 1) return 1;
  if (grouped) return 0;
  if (k && k->computes >= 0) return k->computes;
  return size < JS_SERVE_ONLY_RANKS;
}

js_layout js_layout_of(int size, const js_layout_knobs *knobs) {
  js_layout L = {size, group_size(size, knobs), 0, 0};
  if (L.group) { /* as few groups as fit, of sizes that differ by one at most */
    L.ngroups = (size - 1 + L.group - 1) / L.group;
    if (L.ngroups > (size - 1) / 2) L.ngroups = (size - 1) / 2; /* a worker in each */
    L.group = (size - 1 + L.ngroups - 1) / L.ngroups;
  }
  L.computes = root_computes(size, L.group > 0, knobs);
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
