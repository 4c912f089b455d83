#!/usr/bin/python3
"""Check the model's facts (docs/model.md, "Judges (reward vectors) and the estimand") on a judgesim cube; prints PASS/FAIL lines, exits 1 on FAIL.

All comparisons are paired across trials (common random numbers): the standard error of a
difference is computed from the per-trial differences, the trial being the independent unit.
"""
import sys

import netCDF4
import numpy as np

Z = 4.0  # allowed deviation, in standard errors


def mean_se(x):
    """Mean over trials (axis 0) and its standard error."""
    return x.mean(axis=0), x.std(axis=0, ddof=1) / np.sqrt(x.shape[0])


def interior_minimum(curve):
    """Index of the minimum of the trial-mean curve (trials x points) and how far, in paired
    standard errors, each end lies above it (0, 0 when the minimum is at an end)."""
    i = int(np.argmin(curve.mean(axis=0)))
    if not 0 < i < curve.shape[1] - 1:
        return i, 0.0, 0.0
    a, ase = mean_se(curve[:, 0] - curve[:, i])
    b, bse = mean_se(curve[:, -1] - curve[:, i])
    return i, a / ase, b / bse


def main(path):
    nc = netCDF4.Dataset(path)
    k, T = nc["k"][:], nc["T"][:]
    al, be = nc["reward_alpha"][:], nc["reward_beta"][:]
    x = np.asarray(nc["delta_trial"][0, 0])  # trial, k, T, reward
    ref = np.asarray(nc["delta_ref_trial"][0, 0])
    perfect = int(np.nonzero((al == 1) & (be == 0))[0][0])
    bad = int(np.nonzero((al == 1) & (be == 1))[0][0])
    it0, itinf = int(np.nonzero(T == 0)[0][0]), int(np.nonzero(np.isinf(T))[0][0])
    ok = True

    def report(name, passed, detail):
        nonlocal ok
        ok &= bool(passed)
        print(f"{'PASS' if passed else 'FAIL'}  {name}: {detail}")

    m, se = mean_se(x[:, 0, it0, perfect] - ref)
    report("k=1 matches E[s^2+(m-mu_T)^2] from the same draws", abs(m) <= Z * se,
           f"difference {m:.3g} +- {se:.2g} (|z| = {abs(m) / se:.2f} <= {Z})")

    zs = [abs(a) / b for a, b in (mean_se(x[:, i, itinf, bad] - ref) for i in range(len(k)))]
    report("T=inf matches the same reference at every k", max(zs) <= Z,
           f"largest |z| over k = {max(zs):.2f} <= {Z}")

    tail = k >= 64
    logk = np.log(k[tail])
    slopes = np.array([np.polyfit(logk, np.log(x[t, tail, it0, perfect]), 1)[0]
                       for t in range(x.shape[0])])
    s, sse = mean_se(slopes)
    report("perfect judge, T=0: delta ~ k^-2", abs(s + 2) <= 0.1 + Z * sse,
           f"log-log slope over k={k[tail][0]}..{k[tail][-1]}: {s:.3f} +- {sse:.3f} "
           f"(|slope+2| <= 0.1 + {Z} SE)")

    i, z1, z2 = interior_minimum(x[:, :, it0, bad])
    report("misaligned judge (1,1), T=0: U shape in k", min(z1, z2) >= Z,
           f"minimum at k={k[i]}, ends above it by {z1:.1f} and {z2:.1f} SE (>= {Z})")

    ik = int(np.nonzero(k == 16)[0][0])
    j, z1, z2 = interior_minimum(x[:, ik, :, bad])
    report("misaligned judge (1,1), k=16: interior minimum in T", min(z1, z2) >= Z,
           f"minimum at T={T[j]:g}, T=0 and T=inf above it by {z1:.1f} and {z2:.1f} SE (>= {Z})")

    mc, mse = nc["delta"][0, 0], nc["delta_se"][0, 0]
    th = nc["delta_theory"][0, 0]
    z = np.abs(mc - th) / mse
    gap = np.abs(mc - th) / th
    report("Monte Carlo (d=40) agrees with the d -> inf theory in every cell", z.max() <= Z,
           f"largest |MC - theory| = {z.max():.2f} SE (<= {Z}); relative gaps up to "
           f"{100 * gap.max():.1f}% (a 1/d effect is 2.5%)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
