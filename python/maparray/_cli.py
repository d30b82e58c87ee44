"""The `maparray` command of a pip-installed package: runs the C++ tool installed inside the
package (setup.py puts it there). `python -m maparray` does the same."""

import os
import pathlib
import sys

# Where the tool is: inside the package (pip), or in the bin directory of the prefix the package
# was installed under with cmake --install (lib/python3.X/dist-packages/maparray).
_HERE = pathlib.Path(__file__).resolve().parent
_CANDIDATES = [_HERE / "_maparray_cli"]
if len(_HERE.parents) > 3:
    _CANDIDATES.append(_HERE.parents[3] / "bin" / "maparray")


def main():
    """Replaces this process with the tool, passing the arguments on; exits 2 with a message
    if the tool was not installed with the package."""
    for tool in _CANDIDATES:
        if os.access(tool, os.X_OK):
            os.execv(tool, ["maparray", *sys.argv[1:]])
    sys.stderr.write("maparray: the command-line tool was not installed with this Python "
                     "package (looked for " + ", ".join(map(str, _CANDIDATES)) + ")\n")
    sys.exit(2)
