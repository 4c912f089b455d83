"""Open a judgesim cube for the Python tools, every variable's checksum verified first."""
import sys

import netCDF4


def open_cube(path, tool):
    """The cube as a netCDF4.Dataset; exit 2 naming the file (and the variable) when it cannot
    be opened or a variable fails its Fletcher-32 checksum (a flipped bit) or is cut."""
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
