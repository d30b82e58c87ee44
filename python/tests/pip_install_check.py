"""Run by pip_install_check.cmake with the virtual environment's Python, in a scratch
directory: the pip-installed module and command work and say the expected version."""

import importlib.metadata
import os
import subprocess
import sys

import numpy as np

import maparray

expected = sys.argv[1]
assert maparray.__file__.startswith(sys.prefix), maparray.__file__
assert maparray.__version__ == expected, maparray.__version__
assert importlib.metadata.version("maparray") == expected
m = maparray.memmap("x.f4", dtype="f4", mode="w+", shape=(3,))
m[:] = 2.5
m.flush()
assert list(np.fromfile("x.f4", "f4")) == [2.5] * 3
tool = os.path.join(sys.prefix, "bin", "maparray")
out = subprocess.run([tool, "stats", "--json", "x.f4", "--dtype", "f4"], capture_output=True,
                     text=True, check=True).stdout
assert '"sum":7.5' in out, out
said = subprocess.run([sys.executable, "-m", "maparray", "--version"], capture_output=True,
                      text=True).stdout
assert said == f"maparray {expected}\n", said
