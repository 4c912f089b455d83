#!/usr/bin/python3
"""Write a synthetic analysed cube for tools/paper's tests: every claim holds, unless
--break CLAIM (1..6) plants a counterexample to that one claim.

  tests/paper_cube.py OUT.nc [--break N]
  tests/paper_cube.py SCALING.nc --scaling [--break 7]   (claim 7's cube: one d, n and k
                                                          grids, the perfect judge at T = 0)
"""
import argparse

import netCDF4
import numpy as np

D, N = [8, 16, 32], [16, 32, 64]
K = np.array([1, 2, 4, 8, 16, 32, 64])
T = np.array([0, 0.1, 1, 10, 100, np.inf])
R = [(1.0, 0.0), (1.25, 0.0), (1.0, 1.0)]
TRIALS, REF = 16, 0.3
C1 = [-0.3, -0.33, -0.3]  # E[Cov(l, r)] per judge


def truth(k, t, r, brk):
    """delta in the d -> inf limit for judge r at (k, T)."""
    if np.isinf(t):
        return REF
    if r == 2 and t == 0:
        if brk == 2:
            return REF + 0.01 * np.log2(k)  # rises from k = 1: the minimum sits at the edge
        return REF + 0.05 * (np.log2(k) - 1) ** 2 - 0.05
    if t == 0:
        return REF / k**2 + (0.01 if r == 1 and brk != 4 else 0.0)
    scale = 1.1 if r == 1 and brk != 4 else 1.0  # judge (1.25, 0) keeps less of the excess
    val = REF * (1 - scale / (t + scale) * (k - 1) / k)
    if r == 2:
        val -= 0.01 * np.exp(-2 * np.log10(t) ** 2) * (k - 1) / k
    if brk == 1 and r == 0 and t == 1 and k == 8:
        val *= 1.3
    if brk == 3 and r == 2 and k == 16:
        val = REF + 0.01
    if brk == 4 and r == 1:
        val += 0.01
    return val


def scaling_cube(out, brk):
    """Claim 7's cube: delta(n, k) = (sigma^2 + bias(n)) / k^p(n), bias = sigma^2 d / (n - d),
    p = 2 (1 - d/n): the judge's gain grows with n/d (broken: p = 0.02, the judge barely helps)."""
    d, n, k, s2 = 32, np.array([40, 80, 160, 512, 1024]), K, 0.25
    p = np.full(len(n), 0.02) if brk == 7 else 2 * (1 - d / n)
    th = np.array([[(s2 + s2 * d / (nn - d)) / kk ** pp for kk in k] for nn, pp in zip(n, p)])
    nc = netCDF4.Dataset(out, "w")
    for name, size in (("d", 1), ("n", len(n)), ("k", len(k)), ("T", 1), ("reward", 1)):
        nc.createDimension(name, size)
    for name, data in (("d", [d]), ("n", n), ("k", k), ("T", [0.0])):
        nc.createVariable(name, "f8", (name,))[:] = data
    dims = ("d", "n", "k", "T", "reward")
    shape = (1, len(n), len(k), 1, 1)
    nc.createVariable("delta", "f8", dims)[:] = (th * 1.001).reshape(shape)
    nc.createVariable("delta_se", "f8", dims)[:] = (th * 0.002).reshape(shape)
    nc.createVariable("delta_theory", "f8", dims)[:] = th.reshape(shape)
    nc.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--break", dest="brk", type=int, default=0)
    ap.add_argument("--scaling", action="store_true")
    a = ap.parse_args()
    if a.scaling:
        return scaling_cube(a.out, a.brk)
    rng = np.random.default_rng(5)
    shape = (len(D), len(N), len(K), len(T), len(R))
    th = np.zeros(shape)
    for i in range(len(D)):
        for j in range(len(N)):
            for q, k in enumerate(K):
                for s, t in enumerate(T):
                    for r in range(len(R)):
                        th[i, j, q, s, r] = truth(k, t, r, a.brk if (i, j) == (2, 2) or a.brk == 5 else 0)
    finite_d = np.array([1 + (0.03 if a.brk == 5 else 0.2 / d) for d in D])
    common = 1 + 0.01 * rng.standard_normal(TRIALS)  # one factor per trial: paired differences are tight
    trial = np.empty((len(D), len(N), TRIALS) + shape[2:])
    for t in range(TRIALS):
        own = 1 + 1e-4 * rng.standard_normal(shape[2:])
        for i in range(len(D)):
            trial[i, :, t] = th[i] * finite_d[i] * common[t] * own
    mc, se = trial.mean(axis=2), trial.std(axis=2, ddof=1) / np.sqrt(TRIALS)
    th_store = th
    kopt = K[np.argmin(mc, axis=2)].astype(float)
    kedge = ((kopt == K[0]) | (kopt == K[-1])).astype(np.int8)
    topt = T[np.argmin(mc, axis=3)]
    tedge = ((topt == T[0]) | (topt == T[-1])).astype(np.int8)
    kinf = np.zeros((len(D), len(N), len(T), len(R)))
    for s, t in enumerate(T):
        for r in range(len(R)):
            kinf[:, :, s, r] = 0 if t == 0 else REF if np.isinf(t) else REF * t / (t + (1.1 if r == 1 and a.brk != 4 else 1.0))
    nc = netCDF4.Dataset(a.out, "w")
    for name, size in zip(("d", "n", "k", "T", "reward", "trial"), (3, 3, len(K), len(T), len(R), TRIALS)):
        nc.createDimension(name, size)

    def var(name, dims, data, kind="f8"):
        v = nc.createVariable(name, kind, dims)
        v[:] = data

    var("d", ("d",), D, "i4")
    var("n", ("n",), N, "i4")
    var("k", ("k",), K, "i4")
    var("T", ("T",), T)
    var("reward_alpha", ("reward",), [x for x, _ in R])
    var("reward_beta", ("reward",), [y for _, y in R])
    cube = ("d", "n", "k", "T", "reward")
    var("delta", cube, mc)
    var("delta_se", cube, se)
    var("delta_trial", ("d", "n", "trial", "k", "T", "reward"), trial)
    var("delta_theory", cube, th_store)
    var("delta_theory_kinf", ("d", "n", "T", "reward"), kinf)
    invT = np.array([[[c * (2 if a.brk == 6 else 1) for c in C1]] * 3] * 3)
    var("delta_theory_invT", ("d", "n", "reward"), invT)
    var("alpha_opt_kinf", ("d", "n", "T"), np.broadcast_to(1 + 0.05 * T, (3, 3, len(T))))
    var("k_opt", ("d", "n", "T", "reward"), kopt)
    var("k_opt_at_edge", ("d", "n", "T", "reward"), kedge, "i1")
    var("T_opt", ("d", "n", "k", "reward"), topt)
    var("T_opt_at_edge", ("d", "n", "k", "reward"), tedge, "i1")
    var("bestofk_exponent", ("d", "n"), np.full((3, 3), 2.0))
    var("bestofk_exponent_lo", ("d", "n"), np.full((3, 3), 1.97))
    var("bestofk_exponent_hi", ("d", "n"), np.full((3, 3), 2.03))
    var("bestofk_exponent_theory", ("d", "n"), np.full((3, 3), 2.0))
    nc.close()


if __name__ == "__main__":
    main()
