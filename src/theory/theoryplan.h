/// \file theoryplan.h
/// The theory as work units. delta_theory depends on (d, n) only through d/n, so each
/// distinct ratio p/q (in lowest terms) is computed once and serves every (d, n) with that
/// ratio. Its cells with T < inf (T = 0 included) are cut into pieces, one per (ratio, T,
/// reward, node of the outer integral); the scheduler hands them out beside the Monte Carlo
/// units and the checkpoint keeps them. The assembler adds a cell's nodes in order and
/// fills the closed forms (k = 1, T = inf, k -> inf, best-of-k, large T, best alpha), so
/// the theory is the same bits however the pieces were spread over ranks, runs or shards.
#ifndef JS_THEORYPLAN_H
#define JS_THEORYPLAN_H

#include "study/config.h"
#include "theory/theory.h"
#include "core/error.h"

typedef struct {
  int nratio;    ///< distinct ratios, ascending by value
  int *p, *q;    ///< [ratio] d/n = p/q in lowest terms
  int *ratio_of; ///< [id_d * nn + id_n] its ratio
  int nfin;      ///< T values below inf (0 included)
  int *fin;      ///< their indices in the T axis
  int *nnode;    ///< [ratio * nfin + f] nodes of the outer integral at T index fin[f]
  long *first;   ///< [ratio * nfin + f] first piece; first[nratio * nfin] = npieces
  int npieces;
} js_theory_plan;

/// One piece: ratio, T index and node.
typedef struct {
  int ratio, iT, node;
} js_theory_piece_id;

/// The theory of a study (every array per (d, n) block at = id_d * nn + id_n):
/// delta[at * ncells + cell]; the k -> inf limit kinf[(at * nT + iT) * nr + ir]; the perfect
/// judge's T = 0 best-of-k coefficient coef[at] (delta ~ coef / k^2; NaN when v >= 1/2) and
/// v[at] = S^2 e_g / s^2; invT[at * nr + ir] = E[Cov(l, r)] (delta ~ delta(inf) +
/// (k-1)/k invT / T); alpha_opt[at * nT + iT], the best alpha of judges alpha w_T as k -> inf.
/// expansion[(order * blocks + at) * ncells + cell]: the large-T expansion to orders 1..3.
typedef struct {
  double *delta, *kinf, *coef, *v, *invT, *alpha_opt, *expansion;
} js_theory;

/// Plan the pieces of a study (every rank makes the same plan from the same study).
js_status js_theory_plan_build(const js_config *cfg, js_theory_plan *plan);
/// Free a plan.
void js_theory_plan_free(js_theory_plan *plan);
/// Which piece index i is (0 <= i < npieces).
js_theory_piece_id js_theory_plan_piece(const js_config *cfg, const js_theory_plan *plan,
                                        int i);
/// Index of the piece with these values (ratio p/q, T, node), or -1 when the study has none
/// (checkpoints key pieces by values, not positions).
int js_theory_plan_find(const js_config *cfg, const js_theory_plan *plan, int p, int q,
                        double T, int node);
/// Compute piece i with the quadrature cache q: its share of delta for every judge and k
/// (out[ir * nk + ik]).
js_status js_theory_plan_run(js_theory_cache *q, const js_config *cfg,
                             const js_theory_plan *plan, int i,
                             double *out);
/// Assemble the theory from every piece's values (vals[npieces][nr * nk]).
js_status js_theory_assemble(const js_config *cfg, const js_theory_plan *plan,
                             const double *vals, js_theory *th);
/// The whole theory on one core: plan, every piece in order, assemble (judgesim theory).
js_status js_theory_study(const js_config *cfg, js_theory *th);
/// Free an assembled theory.
void js_theory_free(js_theory *th);

#endif
