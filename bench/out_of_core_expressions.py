"""The out-of-core expression benchmarks: d = a*b + c over three float32 .npy files and
sum(a*b) over two, each file several times the memory limit of a memory cgroup, by maparray
(the tool's eval, memory budget 64 MiB), numexpr over numpy.memmap, and numpy (multiply then
add with out=, two passes; np.dot for the sum), against the I/O floor of the same disk
measured by dd in the same run. Every run gets a fresh cgroup and starts with the page cache
emptied. Writes the "Out of core: expressions" section of docs/PERFORMANCE.md.

usage: out_of_core_expressions.py TOOL DIR DOC COMMAND [LIMIT_MIB [FILE_MIB [REPEATS]]]

Needs root (cgroups, dropping the page cache) and a memory cgroup controller; without them it
says why and exits with status 3.
"""
import os
import re
import statistics
import subprocess
import sys
import textwrap
import time

import numpy as np

from compute_report import machine
from out_of_core import Cgroups, drop_page_cache, skip, timed

BUDGET_MIB = 64
HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = [sys.executable, os.path.join(HERE, "python_expression_files.py")]


def run_timed_in_cgroup(cgroups, limit, command):
    """Runs command in a fresh cgroup; returns (wall seconds, the cgroup's peak)."""
    path = cgroups.create(limit)
    try:
        start = time.perf_counter()
        result = subprocess.run(
            ["sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', path, *command],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        seconds = time.perf_counter() - start
        if result.returncode != 0:
            raise SystemExit(f"out_of_core_expressions: {' '.join(command[:3])} failed "
                             f"(status {result.returncode}): {result.stderr.strip()}")
        return seconds, cgroups.peak(path)
    finally:
        os.rmdir(path)


def make_input(path, n, seed):
    """A .npy file of float32 values (i * seed) mod 7, written in pieces and flushed."""
    array = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(n,))
    step = 1 << 24
    for i in range(0, n, step):
        array[i:i + step] = (np.arange(i, min(n, i + step)) * seed) % 7
    array.flush()
    del array


def check(path, n):
    """d[i] = a[i]*b[i] + c[i] at a sample of places."""
    d = np.load(path, mmap_mode="r")
    i = np.linspace(0, n - 1, 4097, dtype=np.int64)
    want = ((i * 1) % 7).astype(np.float32) * ((i * 3) % 7) + (i * 5) % 7
    if not np.array_equal(d[i], want.astype(np.float32)):
        raise SystemExit(f"out_of_core_expressions: wrong result in {path}")
    del d


def main():
    tool, directory, doc, command = sys.argv[1:5]
    limit_mib = int(sys.argv[5]) if len(sys.argv) > 5 else 256
    file_mib = int(sys.argv[6]) if len(sys.argv) > 6 else 4 * limit_mib
    repeats = int(sys.argv[7]) if len(sys.argv) > 7 else 5
    if os.geteuid() != 0:
        skip("needs root (cgroups, dropping the page cache)")
    cgroups = Cgroups()
    limit = limit_mib << 20
    n = (file_mib << 20) // 4
    a, b, c, d = (os.path.join(directory, name + ".npy") for name in "abcd")
    for path, seed in ((a, 1), (b, 3), (c, 5)):
        make_input(path, n, seed)
    size = os.path.getsize(a)
    scratch = os.path.join(directory, "dd.tmp")
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    budget = ["--memory-budget", f"{BUDGET_MIB}M"]
    fused = {
        "maparray": [tool, "eval", "a*b + c", f"a={a}", f"b={b}", f"c={c}", "-o", d, "--force",
                     *budget],
        "numexpr": [*PYTHON, "numexpr", "a*b + c", a, b, c, d],
        "numpy": [*PYTHON, "numpy", "a*b + c", a, b, c, d],
    }
    dot = {
        "maparray": [tool, "eval", "sum(a*b)", f"a={a}", f"b={b}", *budget],
        "numexpr": [*PYTHON, "numexpr", "sum(a*b)", a, b],
        "numpy": [*PYTHON, "numpy", "sum(a*b)", a, b],
    }
    results = {"fused": {k: [] for k in fused}, "dot": {k: [] for k in dot}}
    peaks = {"fused": {k: [] for k in fused}, "dot": {k: [] for k in dot}}
    read_bw, write_bw = [], []
    for repeat in range(repeats):
        drop_page_cache([a])
        read_bw.append(size / timed(["dd", f"if={a}", "of=/dev/null", "bs=16M", "iflag=direct"]))
        blocks = max(size >> 24, 1)
        write_bw.append((blocks << 24) / timed(["dd", "if=/dev/zero", f"of={scratch}", "bs=16M",
                                                f"count={blocks}", "oflag=direct", "conv=fsync"]))
        os.remove(scratch)
        for suite, runs in (("fused", fused), ("dot", dot)):
            order = list(runs) if repeat % 2 == 0 else list(reversed(runs))
            for name in order:
                drop_page_cache([a, b, c])
                seconds, peak = run_timed_in_cgroup(cgroups, limit, runs[name])
                if suite == "fused":
                    check(d, n)
                    os.remove(d)
                results[suite][name].append(seconds)
                peaks[suite][name].append(peak)
    for path in (a, b, c):
        os.remove(path)
    r = {"read": statistics.median(read_bw), "write": statistics.median(write_bw)}
    floors = {"fused": 3 * size / r["read"] + size / r["write"], "dot": 2 * size / r["read"]}
    write_section(doc, command, limit_mib, size, repeats, load, r, floors,
                  {s: {k: statistics.median(v) for k, v in t.items()} for s, t in results.items()},
                  {s: {k: max(v) for k, v in t.items()} for s, t in peaks.items()})


def write_section(doc, command, limit_mib, size, repeats, load, bandwidth, floors, times, peaks):
    mib = 1 << 20
    lines = [
        "## Out of core: expressions", "",
        textwrap.fill(
            f"`d = a*b + c` over three float32 .npy files and `sum(a*b)` over two, each file "
            f"{size // mib} MiB, in a memory cgroup limited to {limit_mib} MiB, with the page "
            "cache emptied before every run. maparray runs the tool, `maparray eval` with a "
            f"{BUDGET_MIB} MiB memory budget; numexpr runs `numexpr.evaluate` over numpy.memmap "
            "(numpy.load with mmap_mode, open_memmap for the output); numpy runs multiply then "
            "add with out= (two passes, no temporary), and np.dot for the sum. Every run is "
            "timed from its start to the output flushed, in a fresh cgroup. The I/O floor is the "
            "bytes moved divided by the disk's sequential bandwidths, measured in the same run "
            "with dd and direct I/O. Medians; peaks are the cgroup's, page cache included.",
            width=96), "",
        f"Machine: {machine()}; load average before the run: {' '.join(load)}.",
        f"Command: `{command}` ({repeats} repeats, numpy {np.__version__}).", "",
        f"Disk: {bandwidth['read'] / 1e9:.2f} GB/s read, {bandwidth['write'] / 1e9:.2f} GB/s "
        f"write (dd, medians); I/O floor {floors['fused']:.2f} s for `a*b + c` (three reads, "
        f"one write), {floors['dot']:.2f} s for `sum(a*b)` (two reads).", "",
        "| computation | run | median s | / I/O floor | cgroup peak |",
        "|---|---|---:|---:|---:|",
    ]
    for suite, label in (("fused", "`a*b + c`"), ("dot", "`sum(a*b)`")):
        for name, seconds in times[suite].items():
            lines.append(f"| {label} | {name} | {seconds:.2f} | {seconds / floors[suite]:.2f} | "
                         f"{peaks[suite][name] / mib:.0f} MiB |")
    t = times["fused"]
    lines += [
        "",
        f"`a*b + c`: maparray is {t['numexpr'] / t['maparray']:.2f}x numexpr's speed (target "
        f"at least 1.5) and {t['numpy'] / t['maparray']:.2f}x numpy's (target at least 2), "
        f"at {t['maparray'] / floors['fused']:.2f}x the I/O floor (target at most 1.25). "
        f"`sum(a*b)`: {times['dot']['maparray'] / floors['dot']:.2f}x the floor of two reads "
        "(target at most 1.2).", "",
    ]
    with open(doc) as f:
        text = f.read()
    section = "\n".join(lines)
    pattern = re.compile(r"^## Out of core: expressions\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    with open(doc, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
