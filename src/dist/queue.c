/// \file queue.c
/// Guided batches from the cost-ordered units (see queue.h).
#include "dist/queue.h"

#include <math.h>
#include <string.h>

void js_queue_init(js_queue *q, const js_work *work, const unsigned char *done) {
  memset(q, 0, sizeof *q);
  q->work = work, q->done = done;
  int known = work->total_cost > 0; /* then subtract what is done, usually nothing */
  double sum = 0;
  for (int p = 0; p < work->nwork; p++) {
    int id = work->order[p];
    if (!done[id]) q->left_units++;
    if (known ? done[id] != 0 : !done[id]) sum += work->cost(work->ctx, id);
  }
  q->left_cost = known ? fmax(work->total_cost - sum, 0) : sum;
}

int js_queue_take(js_queue *q, int sharers, double cap, int max, int min_units,
                  double min_cost, int *ids) {
  double target = fmin(q->left_cost / (JS_GUIDED * sharers), cap), cost = 0;
  double share = fmin(q->left_cost / sharers, cap);
  int n = 0;
  while (n < max && q->next < q->work->nwork) {
    int id = q->work->order[q->next];
    if (q->done[id]) {
      q->next++;
      continue;
    }
    double c = q->work->cost(q->work->ctx, id);
    if (n > 0 && cost + c > target && ((n >= min_units && cost >= min_cost) || cost + c > share))
      break;
    ids[n++] = id;
    cost += c;
    q->next++;
  }
  q->left_cost -= cost;
  q->left_units -= n;
  return n;
}
