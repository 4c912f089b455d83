"""Open a judgesim cube for the Python tools, every variable's checksum verified first."""
import os
import sys

import netCDF4

_verified = set()  # files read whole without a failure in this process's children


def _read_apart(path):
    """Open and read every variable in a child process: HDF5 1.10 does not survive every
    damaged file, and a crash there should be a refusal, not a crash of the tool. Returns
    "clean", "failed" (an error the caller reports by reading again) or "crashed"."""
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
            with netCDF4.Dataset(path) as nc:
                for var in nc.variables.values():
                    var[:]
        except Exception:  # noqa: BLE001  (the parent reports the failure itself)
            code = 3
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1
    return {0: "clean", 3: "failed"}.get(code, "crashed")


def open_cube(path, tool):
    """The cube as a netCDF4.Dataset; exit 2 naming the file (and the variable) when it cannot
    be opened or a variable fails its Fletcher-32 checksum (a flipped bit) or is cut. A file
    is read whole once per process; later calls only open it."""
    key = os.path.realpath(path)
    state = "clean" if key in _verified else _read_apart(path) if os.path.exists(path) else "failed"
    if state == "crashed":
        print(f"{tool}: {path}: cannot be read: the NetCDF-4/HDF5 library fails on it: the "
              "file is damaged or not NetCDF-4", file=sys.stderr)
        sys.exit(2)
    try:
        nc = netCDF4.Dataset(path)
    except (OSError, RuntimeError) as e:
        print(f"{tool}: {path}: cannot open as NetCDF: {e}", file=sys.stderr)
        sys.exit(2)
    if state == "failed":  # name what fails
        for name, var in nc.variables.items():
            try:
                var[:]
            except (OSError, RuntimeError, ValueError) as e:
                print(f"{tool}: {path}: variable {name} cannot be read ({e}): the cube is "
                      "damaged (a checksum fails or the file is cut); run the study again or "
                      "restore the file", file=sys.stderr)
                nc.close()
                sys.exit(2)
    _verified.add(key)
    return nc


def judges(nc):
    """The judge axis of a run or theory cube: (alpha, beta, c) arrays (c is NaN for
    {alpha, beta} judges and alpha, beta are NaN for {c} judges; cubes before reward_c: NaN)."""
    import numpy as np
    a, b = np.asarray(nc["reward_alpha"][:]), np.asarray(nc["reward_beta"][:])
    c = np.asarray(nc["reward_c"][:]) if "reward_c" in nc.variables else np.full(a.shape, np.nan)
    return a, b, c


def judge_label(a, b, c, short=False):
    """A judge in words: 'judge c=5 (mu_R = mu_T - c (m - mu_T))' or 'judge (alpha=1, beta=0)'."""
    import math
    if not math.isnan(c):
        return f"c={c:g}" if short else f"judge c={c:g} (mu_R = mu_T - c (m - mu_T))"
    if short:
        return f"({a:g}, {b:g})"
    return f"judge (alpha={a:g}, beta={b:g})" + (" = teacher" if a == 1 and b == 0 else "")

