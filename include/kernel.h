/// \file kernel.h
/// The selection kernel: for one test point, score the same k_max candidates for every
/// (k, T, reward) cell and add each cell's reranked loss sum_i p_i l_i to an accumulator.
/// T = 0 is exactly the argmax, T = inf exactly the mean; finite T uses a per-segment
/// shift so tiny T neither overflows nor divides 0 by 0.
#ifndef JS_KERNEL_H
#define JS_KERNEL_H

#include "config.h"
#include "error.h"

typedef struct {
  int nk, nT, nr, kmax;
  const int *k;         ///< ascending k values (segment ends)
  int iT0, iTinf;       ///< index of T = 0 and T = inf in the T axis, or -1
  int nfin;             ///< number of finite positive T
  int *fin;             ///< their indices in the T axis
  double *invT;         ///< their 1/T
  double *l;            ///< kmax task losses (scratch)
  double *r;            ///< nr x kmax rewards (scratch)
  double *state;        ///< running per-reward state (scratch)
} js_kernel;

/// Set up a kernel for a study's k, T and reward axes (allocates scratch of O(nr k_max)).
js_status js_kernel_init(js_kernel *kern, const js_config *cfg);
/// Free a kernel's scratch.
void js_kernel_free(js_kernel *kern);
/// Candidates Y_i = m + s z_i (z: kmax standard normals); add each cell's reranked loss
/// to acc[(ik * nT + iT) * nr + ir]. aT = m - mu_T, aR[r] = m - mu_R for each reward.
void js_kernel_point(js_kernel *kern, double s, double aT, const double *aR, const double *z,
                     double *acc);

/// After js_kernel_point: the candidates' task losses (k_max), and the rewards of judge r
/// at rewards[r * js_kernel_stride(kern) + i].
const double *js_kernel_losses(const js_kernel *kern);
const double *js_kernel_rewards(const js_kernel *kern);
size_t js_kernel_stride(const js_kernel *kern);

#endif
