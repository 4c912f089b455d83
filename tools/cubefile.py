"""Open a judgesim cube for the Python tools, every variable's checksum verified first."""
import os
import sys

import netCDF4


def _survives(path):
    """Open and read the file in a child process first: HDF5 1.10 does not survive every
    damaged file, and a crash there should be a refusal, not a crash of the tool."""
    pid = os.fork()
    if pid == 0:
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
            with netCDF4.Dataset(path) as nc:
                for var in nc.variables.values():
                    var[:]
        except Exception:  # noqa: BLE001  (the parent reports the failure itself)
            pass
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def open_cube(path, tool):
    """The cube as a netCDF4.Dataset; exit 2 naming the file (and the variable) when it cannot
    be opened or a variable fails its Fletcher-32 checksum (a flipped bit) or is cut."""
    if os.path.exists(path) and not _survives(path):
        print(f"{tool}: {path}: cannot be read: the NetCDF-4/HDF5 library fails on it: the "
              "file is damaged or not NetCDF-4", file=sys.stderr)
        sys.exit(2)
    try:
        nc = netCDF4.Dataset(path)
    except (OSError, RuntimeError) as e:
        print(f"{tool}: {path}: cannot open as NetCDF: {e}", file=sys.stderr)
        sys.exit(2)
    for name, var in nc.variables.items():
        try:
            var[:]
        except (OSError, RuntimeError, ValueError) as e:
            print(f"{tool}: {path}: variable {name} cannot be read ({e}): the cube is damaged "
                  "(a checksum fails or the file is cut); run the study again or restore the "
                  "file", file=sys.stderr)
            nc.close()
            sys.exit(2)
    return nc
