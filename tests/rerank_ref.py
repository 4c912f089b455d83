#!/usr/bin/python3
"""Brute-force reference for judgesim rerank: enumerate every k-subset of each question.

rerank_ref.py SAMPLES.csv CUBE.nc: reads a CSV (question, correct or loss, reward), takes
the k and T axes from the cube, averages the judge's pick's loss over all k-subsets (T = 0:
best reward, ties uniform; T = inf: uniform; else softmax of r / T) and the oracle, and
exits 1 when a cube value differs by more than 1e-9."""
import csv
import itertools
import math
import sys

import netCDF4
import numpy as np


def pick_loss(sub, T):
    """Expected loss of the judge's pick from one subset of (loss, reward) pairs."""
    r = np.array([x[1] for x in sub])
    l = np.array([x[0] for x in sub])
    if T == 0:
        top = r == r.max()
        return l[top].mean()
    if math.isinf(T):
        return l.mean()
    w = np.exp((r - r.max()) / T)
    return float((w * l).sum() / w.sum())


def main():
    rows = list(csv.DictReader(open(sys.argv[1])))
    qs = {}
    for row in rows:
        loss = float(row["loss"]) if "loss" in row else 1 - float(row["correct"])
        qs.setdefault(row["question"], []).append((loss, float(row["reward"])))
    cube = netCDF4.Dataset(sys.argv[2])
    ks, Ts = cube["k"][:], cube["T"][:]
    delta = np.zeros((len(Ts), len(ks)))
    oracle = np.zeros(len(ks))
    for samples in qs.values():
        for ik, k in enumerate(ks):
            subs = list(itertools.combinations(samples, int(k)))
            for iT, T in enumerate(Ts):
                delta[iT, ik] += np.mean([pick_loss(s, T) for s in subs]) / len(qs)
            oracle[ik] += np.mean([min(x[0] for x in s) for s in subs]) / len(qs)
    err = max(np.abs(delta - cube["delta"][:]).max(), np.abs(oracle - cube["delta_oracle"][:]).max())
    print(f"largest difference from enumeration: {err:.3g}")
    sys.exit(0 if err < 1e-9 else 1)


main()
