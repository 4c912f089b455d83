/// \file queue.c
/// Guided batches from the cost-ordered units (see queue.h).
#include "queue.h"

#include <math.h>
#include <string.h>

void js_queue_init(js_queue *q, const js_grid *grid, const unsigned char *done) {
  memset(q, 0, sizeof *q);
  q->grid = grid, q->done = done;
  for (int p = 0; p < grid->nwork; p++)
    if (!done[grid->order[p]]) q->left_units++, q->left_cost += js_grid_cost(grid, grid->order[p]);
}

int js_queue_take(js_queue *q, int sharers, double cap, int max, int *ids) {
  double target = fmin(q->left_cost / (JS_GUIDED * sharers), cap), cost = 0;
  int n = 0;
  while (n < max && q->next < q->grid->nwork) {
    int id = q->grid->order[q->next];
    if (q->done[id]) {
      q->next++;
      continue;
    }
    double c = js_grid_cost(q->grid, id);
    if (n > 0 && cost + c > target) break;
    ids[n++] = id;
    cost += c;
    q->next++;
  }
  q->left_cost -= cost;
  q->left_units -= n;
  return n;
}
