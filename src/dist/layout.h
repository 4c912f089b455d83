/// \file layout.h
/// Who does what in a run. Flat (below JS_GROUP_FROM_RANKS ranks): rank 0 serves every
/// other rank, and below JS_SERVE_ONLY_RANKS it computes units too. Grouped: the ranks
/// 1 .. P-1 form groups of at most JS_GROUP_RANKS consecutive ranks, as few as fit,
/// their sizes differing by one at most; the first of a group is its leader, which serves
/// the others; rank 0 serves the leaders. The first round of work is implied, not sent:
/// every rank deals it from the same queue and keeps its share.
#ifndef JS_LAYOUT_H
#define JS_LAYOUT_H

#include "core/error.h"
#include "dist/queue.h"

/// From this many ranks on, rank 0 only serves (JUDGESIM_MASTER_COMPUTES=0 or 1 overrides).
#define JS_SERVE_ONLY_RANKS 32
/// From this many ranks on, ranks form groups with a leader each (JUDGESIM_GROUP_SIZE=G
/// sets the group size; 0 keeps the layout flat). A server with about 255 clients falls
/// behind (measured: workers idle 24-27 ms against 8-9 ms with at most 127), so groups start
/// where two groups of 64 or more fit.
#define JS_GROUP_FROM_RANKS 192
/// Ranks per group at most, its leader included. At 1,024 simulated ranks with the batch
/// floor, groups of 64 left workers idle 2.9-5.6 ms on average, groups of 128 12 ms: a
/// leader's floor, and so the batches at the end, halve with its workers.
#define JS_GROUP_RANKS 64
/// Estimated seconds in a worker's batch, at most; units in a WORK message to a worker and
/// in a leader's chunk, at most.
#define JS_BATCH_MAX_S 0.5
#define JS_BATCH_MAX_UNITS 256
#define JS_CHUNK_MAX_UNITS 4096
/// What a server spends answering one message (take the results, pass them on, send the
/// next batch), as measured on simulated leaders: 30-40 us (a real fabric takes less).
#define JS_SERVICE_S 4e-5

typedef struct {
  int size;     ///< ranks
  int group;    ///< ranks per group at most, leader included (0: flat)
  int ngroups;  ///< groups (of group or group - 1 ranks)
  int computes; ///< flat: rank 0 computes units too
} js_layout;

/// What a rank keeps of the implied first round: its own batch (worker) or chunk (leader)
/// and, for a server, how many units each rank got.
typedef struct {
  int rank;    ///< the dealing stops after this rank's share (0: deal everything)
  int *ids, n; ///< this rank's batch or chunk (ids has JS_CHUNK_MAX_UNITS room)
  int *held;   ///< per rank: 1 when it got a batch or a chunk (NULL: not wanted)
  int *units;  ///< per rank: how many units it got (NULL: not wanted)
} js_dealt;

/// The layout's knobs: JUDGESIM_GROUP_SIZE (0: flat; -1: unset) and
/// JUDGESIM_MASTER_COMPUTES (0 or 1; -1: unset).
typedef struct {
  int group, computes;
} js_layout_knobs;
/// Largest group size JUDGESIM_GROUP_SIZE may set.
#define JS_GROUP_SIZE_MAX 4096

/// Read the knobs from the environment (every rank reads the same); junk is an input error.
js_status js_layout_knobs_read(js_layout_knobs *k);
/// The layout of a run on `size` ranks (knobs may be NULL: the defaults).
js_layout js_layout_of(int size, const js_layout_knobs *knobs);
/// Is rank r a group leader?
int js_layout_is_leader(const js_layout *L, int r);
/// The group of rank r >= 1 (grouped layout) and its first and last worker ranks.
int js_layout_group(const js_layout *L, int r, int *first, int *last);
/// The rank that serves rank r >= 1: 0, or its group's leader.
int js_layout_server(const js_layout *L, int r);
/// Ranks that compute units.
int js_layout_computing(const js_layout *L);
/// Workers in one group, at most (flat: every rank but 0).
int js_layout_group_workers(const js_layout *L);
/// Estimated seconds a worker's batch holds at least while work lasts: its server's clients
/// x JS_SERVICE_S, so that a server answering every client in turn keeps up (127 workers of
/// a leader: 5 ms). With single units of 2.4 ms a leader fell behind from mid-run on and
/// every worker waited 4-5 ms after each unit (1,024 simulated ranks).
double js_layout_floor(const js_layout *L);
/// Deal the implied first round: a batch for every computing rank in rank order (leaders
/// skipped; rank 0 takes its units later), then a chunk for every leader.
void js_layout_deal(js_queue *q, const js_layout *L, js_dealt *d);

#endif
