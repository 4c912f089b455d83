/// \file layout.c
/// Roles of the ranks and the implied first round (see layout.h).
#include "layout.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/// The group size from JUDGESIM_GROUP_SIZE or the rank count (0: flat).
static int group_size(int size) {
  const char *env = getenv("JUDGESIM_GROUP_SIZE");
  if (env && *env) {
    int g = atoi(env);
    return g >= 2 && g < size - 1 ? g : 0;
  }
  if (size < JS_GROUP_FROM_RANKS) return 0;
  int g = (int)(4 * sqrt((double)size)); /* about sqrt(size) / 4 groups */
  return g < 64 ? 64 : g > 128 ? 128 : g; /* a leader of 255 workers falls behind */
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
  if (L.group) L.ngroups = (size - 1) / L.group;
  L.computes = root_computes(size, L.group > 0);
  return L;
}

int js_layout_is_leader(const js_layout *L, int r) {
  return L->group && r >= 1 && (r - 1) % L->group == 0 && (r - 1) / L->group < L->ngroups;
}

int js_layout_group(const js_layout *L, int r, int *first, int *last) {
  int g = (r - 1) / L->group;
  if (g >= L->ngroups) g = L->ngroups - 1;
  *first = 2 + g * L->group;
  *last = g == L->ngroups - 1 ? L->size - 1 : (g + 1) * L->group;
  return g;
}

int js_layout_server(const js_layout *L, int r) {
  if (!L->group || js_layout_is_leader(L, r)) return 0;
  int first, last;
  return 1 + js_layout_group(L, r, &first, &last) * L->group;
}

int js_layout_computing(const js_layout *L) {
  return L->group ? L->size - 1 - L->ngroups : L->size - 1 + L->computes;
}

int js_layout_group_workers(const js_layout *L) {
  return L->group ? L->group - 1 : L->size - 1;
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
    int n = js_queue_take(q, js_layout_computing(L), JS_BATCH_MAX_S, JS_BATCH_MAX_UNITS,
                          scratch);
    if (keep(d, r, scratch, n)) return;
  }
  for (int g = 0; g < L->ngroups; g++) {
    double cap = JS_BATCH_MAX_S * js_layout_group_workers(L);
    int n = js_queue_take(q, L->ngroups, cap, JS_CHUNK_MAX_UNITS, scratch);
    if (keep(d, 1 + g * L->group, scratch, n)) return;
  }
}
