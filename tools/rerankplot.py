"""Plots of a judgesim rerank cube (used by tools/plot): delta against k per T with 95%
bootstrap intervals and the oracle; delta against T per k; the best-of-k law's fit at T = 0;
the large-T expansion (orders 1 and 2) against the exact curve."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from cubefile import open_cube  # noqa: E402
import numpy as np  # noqa: E402


def is_rerank(path):
    """Is this a judgesim rerank cube?"""
    with open_cube(path, "tools/plot") as nc:
        return "question" in nc.dimensions and "delta_question" in nc.variables


def load(path):
    nc = open_cube(path, "tools/plot")
    c = {v: np.asarray(nc[v][:]) for v in nc.variables if v not in ("question_id", "file_name",
                                                                     "file_checksum")}
    c["attrs"] = {a: nc.getncattr(a) for a in nc.ncattrs()}
    return c


def t_label(t):
    return "T=0 (best of k)" if t == 0 else "T=inf (uniform)" if np.isinf(t) else f"T={t:g}"


def t_positions(T):
    """x positions for T on a log axis: 0 and inf placed a decade beyond the finite ones."""
    fin = T[(T > 0) & np.isfinite(T)]
    lo, hi = (fin.min() / 10, fin.max() * 10) if len(fin) else (0.1, 10)
    return np.where(T == 0, lo, np.where(np.isinf(T), hi, T))


def plot_k(c, out):
    k, T = c["k"], c["T"]
    fig, ax = plt.subplots(figsize=(5.5, 4))
    colors = plt.cm.viridis(np.linspace(0, 0.9, len(T)))
    for iT, t in enumerate(T):
        ax.plot(k, c["delta"][iT], "o-", color=colors[iT], label=t_label(t), ms=3)
        ax.fill_between(k, c["delta_lo"][iT], c["delta_hi"][iT], color=colors[iT], alpha=0.2)
    ax.plot(k, c["delta_oracle"], "k--", label="oracle (best loss in the subset)")
    ax.fill_between(k, c["delta_oracle_lo"], c["delta_oracle_hi"], color="k", alpha=0.1)
    ax.set_xscale("log", base=2)
    ax.set_xlabel("k (samples the judge chooses from)")
    ax.set_ylabel("delta (mean loss of the pick)")
    ax.set_title(f"{int(c['attrs']['questions'])} questions; 95% bootstrap bands", fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def plot_T(c, out):
    k, T = c["k"], c["T"]
    x = t_positions(T)
    fig, ax = plt.subplots(figsize=(5.5, 4))
    colors = plt.cm.plasma(np.linspace(0, 0.85, len(k)))
    for ik, kk in enumerate(k):
        ax.errorbar(x, c["delta"][:, ik], yerr=2 * c["delta_se"][:, ik], fmt="o-", ms=3,
                    color=colors[ik], capsize=2, label=f"k={kk}")
    ax.set_xscale("log")
    ax.set_xticks(x)
    ax.set_xticklabels(["0" if t == 0 else "inf" if np.isinf(t) else f"{t:g}" for t in T],
                       fontsize=7)
    ax.set_xlabel("T (judge's softmax temperature)")
    ax.set_ylabel("delta")
    ax.set_title("delta against T per k (2 SE bars)", fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def plot_fit(c, out):
    """delta(T = 0) against k with the fitted law A k^-e over the window; False: no fit."""
    a = c["attrs"]
    if not a.get("bestofk_fit_points", 0) or not np.isfinite(a.get("bestofk_exponent", np.nan)):
        return False
    k, T = c["k"], c["T"]
    d0, se0 = c["delta"][0], c["delta_se"][0]
    fig, ax = plt.subplots(figsize=(5.5, 4))
    ax.errorbar(k, d0, yerr=2 * se0, fmt="o", ms=4, capsize=2, label="T=0, exact (2 SE)")
    lo, hi = a["bestofk_fit_k_lo"], a["bestofk_fit_k_hi"]
    kk = np.geomspace(max(lo, k.min()), min(hi, k.max()), 50)
    e, A = a["bestofk_exponent"], a["bestofk_A"]
    ax.plot(kk, A * kk ** -e, "r-",
            label=f"A k^-e: e={e:.3f} [{a['bestofk_exponent_lo']:.3f}, "
                  f"{a['bestofk_exponent_hi']:.3f}], beta={a['bestofk_beta']:.2f}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("k")
    ax.set_ylabel("delta at T = 0")
    ax.set_title("best-of-k law (1 + delta_paper = A / k^(2/(1+beta)))", fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return True


def plot_expansion(c, out):
    """Exact delta against finite T with the expansion of orders 1 and 2; False: no finite T."""
    k, T = c["k"], c["T"]
    fin = (T > 0) & np.isfinite(T)
    if fin.sum() < 1:
        return False
    fig, ax = plt.subplots(figsize=(5.5, 4))
    show = [i for i in range(len(k)) if k[i] > 1]
    show = show[:: max(1, len(show) // 3)][:4]
    colors = plt.cm.plasma(np.linspace(0, 0.85, max(1, len(show))))
    for col, ik in zip(colors, show):
        ax.plot(T[fin], c["delta"][fin, ik], "o-", color=col, ms=3, label=f"k={k[ik]} exact")
        ax.plot(T[fin], c["delta_expansion1"][fin, ik], "--", color=col, label="order 1/T")
        ax.plot(T[fin], c["delta_expansion2"][fin, ik], ":", color=col, label="order 1/T^2")
    exact = c["delta"][fin][:, show]
    span = max(exact.max() - exact.min(), 1e-3)
    ax.set_ylim(exact.min() - 0.3 * span, exact.max() + 0.3 * span)  # the expansion diverges
    ax.set_xscale("log")
    ax.set_xlabel("T")
    ax.set_ylabel("delta")
    ax.set_title("large-T expansion against the exact curve", fontsize=9)
    ax.legend(fontsize=6, ncol=2)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return True


def plot_all(path, stem):
    """Every rerank plot; returns the files written."""
    c = load(path)
    written = []
    plot_k(c, f"{stem}_k.png")
    written.append(f"{stem}_k.png")
    plot_T(c, f"{stem}_T.png")
    written.append(f"{stem}_T.png")
    if plot_fit(c, f"{stem}_fit.png"):
        written.append(f"{stem}_fit.png")
    if plot_expansion(c, f"{stem}_expansion.png"):
        written.append(f"{stem}_expansion.png")
    return written
