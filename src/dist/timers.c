/// \file timers.c
/// Phase timers and per-kind unit figures, gathered over the ranks (see timers.h).
#include "dist/timers.h"

#include "dist/parallel.h"

static double g_total[JS_TM_COUNT], g_since[JS_TM_COUNT];
static double g_units[2], g_unit_s[2], g_unit_max[2];   /* this rank: count, total, longest */
static double g_all[4], g_all_max[2];                    /* rank 0 after gathering */
static double g_busy_max;                                /* busiest rank's unit seconds */
static double g_leader_service_max;                      /* busiest leader's answering */
static double g_at[JS_AT_COUNT];                         /* moments (js_timer_mark) */
static double g_idle[4];          /* workers' idle seconds: sum, max, min; last waits' sum */

void js_timer_start(js_timer_id t) { g_since[t] = js_par_time(); }

void js_timer_mark(js_mark_id m) { g_at[m] = js_par_time(); }

void js_timer_stop(js_timer_id t) { g_total[t] += js_par_time() - g_since[t]; }

void js_timer_add(js_timer_id t, double seconds) { g_total[t] += seconds; }


void js_timer_unit(int kind, double seconds) {
  g_units[kind] += 1;
  g_unit_s[kind] += seconds;
  if (seconds > g_unit_max[kind]) g_unit_max[kind] = seconds;
}

js_status js_timers_gather(void) {
  double sums[6] = {g_units[0], g_units[1], g_unit_s[0], g_unit_s[1], g_total[JS_TM_IDLE],
                    g_total[JS_TM_IDLE_END]};
  int worker = g_units[0] + g_units[1] > 0 && js_par_rank() != 0; /* (a leader computes none) */
  double maxes[6] = {g_unit_max[0], g_unit_max[1], g_unit_s[0] + g_unit_s[1],
                     g_total[JS_TM_IDLE], worker ? -g_total[JS_TM_IDLE] : -1e300,
                     js_par_rank() != 0 ? g_total[JS_TM_SERVICE] : 0}, got[6];
  JS_CALL(js_par_reduce_doubles(sums, got, 6, 0));
  for (int i = 0; i < 4; i++) g_all[i] = got[i];
  g_idle[0] = got[4], g_idle[3] = got[5];
  JS_CALL(js_par_reduce_doubles(maxes, got, 6, 1));
  g_leader_service_max = got[5];
  g_all_max[0] = got[0], g_all_max[1] = got[1], g_busy_max = got[2], g_idle[1] = got[3];
  g_idle[2] = got[4] > -1e300 ? -got[4] : 0;
  return JS_OK;
}

void js_timers_print(FILE *out, int ranks) {
  static const char *names[JS_TM_IDLE] = {"startup_s", "work_s", "master_service_s", "reduce_s",
                                          "theory_assembly_s", "cube_write_s", "final_commit_s"};
  double n = ranks > 1 ? ranks - 1 : 1;
  fprintf(out, "timing ranks %d\n", ranks);
  for (int t = 0; t < JS_TM_IDLE; t++) fprintf(out, "timing %s %.6f\n", names[t], g_total[t]);
  fprintf(out, "timing worker_idle_s_mean %.6f\ntiming worker_idle_s_max %.6f\n"
          "timing worker_idle_s_min %.6f\ntiming worker_last_wait_s_mean %.6f\n",
          g_idle[0] / n, g_idle[1], g_idle[2], g_idle[3] / n);
  fprintf(out, "timing master_blocks_s %.6f\n", g_total[JS_TM_BLOCKS]);
  double work = g_total[JS_TM_WORK];
  fprintf(out, "timing master_busy_fraction %.4f\n", work > 0 ? g_total[JS_TM_SERVICE] / work : 0);
  fprintf(out, "timing leader_busy_fraction_max %.4f\n",
          work > 0 ? g_leader_service_max / work : 0);
  const char *kind[2] = {"mc", "theory"};
  for (int k = 0; k < 2; k++)
    fprintf(out, "timing %s_units %.0f\ntiming %s_core_s %.6f\ntiming %s_longest_unit_s %.6f\n",
            kind[k], g_all[k], kind[k], g_all[2 + k], kind[k], g_all_max[k]);
  fprintf(out, "timing busiest_rank_compute_s %.6f\n", g_busy_max);
  static const char *at[JS_AT_COUNT] = {"init", "work_end", "gathered", "epilog"};
  for (int m = 0; m < JS_AT_COUNT; m++) fprintf(out, "timing at_%s_s %.6f\n", at[m], g_at[m]);
}
