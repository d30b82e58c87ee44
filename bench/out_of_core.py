"""The out-of-core benchmark: c = a + b over float32 files 8 times larger than the memory limit
of a memory cgroup, by maparray (add_files, memory budget 64 MiB) and by numpy over
numpy.memmap (numpy_add_files.py), against the I/O floor of the same disk measured by dd in the
same run. Every run gets a fresh cgroup and starts with the inputs out of the page cache.
Writes the "Out of core" section of docs/PERFORMANCE.md.

usage: out_of_core.py ADD_FILES DIR DOC COMMAND [LIMIT_MIB [REPEATS]]

Needs root (cgroups, dropping the page cache) and a memory cgroup controller, v1 or v2; without
them it says why and exits with status 3.
"""
import os
import random
import re
import statistics
import subprocess
import sys
import textwrap
import time

import numpy as np

from compute_report import machine

BUDGET_MIB = 64
HERE = os.path.dirname(os.path.abspath(__file__))


def skip(why):
    print(f"out_of_core: {why}; skipped")
    sys.exit(3)


class Cgroups:
    """Creates memory cgroups with a limit and reads their peak usage, on v2 or v1."""

    def __init__(self):
        v2 = "/sys/fs/cgroup"
        v1 = "/sys/fs/cgroup/memory"
        if os.path.exists(f"{v2}/cgroup.controllers"):
            with open(f"{v2}/cgroup.controllers") as f:
                if "memory" not in f.read().split():
                    skip("cgroup v2 without the memory controller")
            try:  # lets child cgroups limit memory; fails inside a cgroup namespace
                with open(f"{v2}/cgroup.subtree_control", "w") as f:
                    f.write("+memory")
            except OSError as e:
                skip(f"cannot enable the memory controller for child cgroups ({e})")
            self.root, self.version = v2, 2
            probe = self.create(1 << 30)
            has_peak = os.path.exists(f"{probe}/memory.peak")
            os.rmdir(probe)
            if not has_peak:
                skip("cgroup v2 without memory.peak (Linux 5.19 or later needed)")
        elif os.path.exists(f"{v1}/memory.limit_in_bytes"):
            self.root, self.version = v1, 1
        else:
            skip("no memory cgroup controller mounted")

    def create(self, limit):
        path = f"{self.root}/maparray-bench-{os.getpid()}-{random.randrange(1 << 30)}"
        os.mkdir(path)
        if self.version == 2:
            limits = {"memory.max": limit}
            swap_limits = {"memory.swap.max": 0}
        else:
            limits = {"memory.limit_in_bytes": limit}
            swap_limits = {"memory.memsw.limit_in_bytes": limit}
        # The swap limits exist only where swap is accounted.
        limits.update((name, value) for name, value in swap_limits.items()
                      if os.path.exists(f"{path}/{name}"))
        try:
            for name, value in limits.items():
                with open(f"{path}/{name}", "w") as f:
                    f.write(str(value))
        except OSError:
            os.rmdir(path)
            raise
        return path

    def peak(self, path):
        name = "memory.peak" if self.version == 2 else "memory.max_usage_in_bytes"
        with open(f"{path}/{name}") as f:
            return int(f.read())


def drop_page_cache(paths):
    """Empties the page cache, or at least evicts `paths` from it."""
    os.sync()
    try:
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("1")
    except OSError:
        for path in paths:
            fd = os.open(path, os.O_RDONLY)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            os.close(fd)


def timed(command):
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def run_in_cgroup(cgroups, limit, command):
    """Runs command in a fresh cgroup; returns (the seconds it printed, the cgroup's peak)."""
    path = cgroups.create(limit)
    try:
        result = subprocess.run(
            ["sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', path, *command],
            stdout=subprocess.PIPE, text=True)
        if result.returncode != 0 or not result.stdout.split():
            raise SystemExit(f"out_of_core: {command[0]} failed (status {result.returncode})")
        return float(result.stdout.split()[-1]), cgroups.peak(path)
    finally:
        os.rmdir(path)


def make_input(path, n, scale):
    """Writes scale * (i mod 1000), which check_sum expects of a + b, and flushes it."""
    array = np.memmap(path, dtype=np.float32, mode="w+", shape=(n,))
    step = 1 << 24
    for i in range(0, n, step):
        array[i:i + step] = scale * (np.arange(i, min(n, i + step)) % 1000)
    array.flush()
    del array


def check_sum(path, n):
    """Checks c[i] = 3 * (i mod 1000) at a sample of places."""
    c = np.memmap(path, dtype=np.float32, mode="r", shape=(n,))
    sample = np.linspace(0, n - 1, 4097, dtype=np.int64)
    if not np.array_equal(c[sample], 3 * (sample % 1000).astype(np.float32)):
        raise SystemExit(f"out_of_core: wrong result in {path}")
    del c


def main():
    add_files, directory, doc, command = sys.argv[1:5]
    limit_mib = int(sys.argv[5]) if len(sys.argv) > 5 else 256
    repeats = int(sys.argv[6]) if len(sys.argv) > 6 else 5
    if os.geteuid() != 0:
        skip("needs root (cgroups, dropping the page cache)")
    cgroups = Cgroups()
    limit = limit_mib << 20
    size = 8 * limit
    n = size // 4
    a, b, c = (os.path.join(directory, name) for name in ("a.f32", "b.f32", "c.f32"))
    scratch = os.path.join(directory, "dd.tmp")
    make_input(a, n, 1.0)
    make_input(b, n, 2.0)
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]

    runs = {
        "maparray": [add_files, a, b, c, str(BUDGET_MIB)],
        "numpy": [sys.executable, os.path.join(HERE, "numpy_add_files.py"), a, b, c],
    }
    times = {name: [] for name in runs}
    peaks = {name: [] for name in runs}
    read_bw, write_bw = [], []
    for repeat in range(repeats):
        drop_page_cache([a])
        read_bw.append(size / timed(["dd", f"if={a}", "of=/dev/null", "bs=16M", "iflag=direct"]))
        blocks = max(size >> 24, 1)
        write_bw.append((blocks << 24) / timed(["dd", "if=/dev/zero", f"of={scratch}", "bs=16M",
                                                f"count={blocks}", "oflag=direct", "conv=fsync"]))
        os.remove(scratch)
        order = list(runs) if repeat % 2 == 0 else list(reversed(runs))
        for name in order:
            drop_page_cache([a, b])
            seconds, peak = run_in_cgroup(cgroups, limit, runs[name])
            check_sum(c, n)
            os.remove(c)
            times[name].append(seconds)
            peaks[name].append(peak)
    for path in (a, b):
        os.remove(path)

    floor = [2 * size / r + size / w for r, w in zip(read_bw, write_bw)]
    write_section(doc, command, {
        "limit_mib": limit_mib, "size_mib": size >> 20, "repeats": repeats, "load": load,
        "read_bw": statistics.median(read_bw), "write_bw": statistics.median(write_bw),
        "floor": statistics.median(floor),
        "times": {k: statistics.median(v) for k, v in times.items()},
        "peaks": {k: max(v) for k, v in peaks.items()},
    })


def write_section(doc, command, r):
    mib = 1 << 20
    floor = r["floor"]
    t_ma, t_np = r["times"]["maparray"], r["times"]["numpy"]
    lines = [
        "## Out of core", "",
        textwrap.fill(
        f"c = a + b over float32 files of {r['size_mib']} MiB each, 8 times the "
        f"{r['limit_mib']} MiB memory limit of the cgroup each run gets, with the page cache "
        "emptied before every run. maparray runs `bench/add_files` (memory budget "
        f"{BUDGET_MIB} MiB, default threads); numpy runs `np.add(a, b, out=c)` over "
        "numpy.memmap. Both are timed from opening the inputs to the output flushed to disk. "
        "The I/O floor is the bytes moved (two inputs read, one output written) divided by the "
        "disk's sequential bandwidths, measured in the same run with `dd` and direct I/O "
        "(16 MiB blocks). Times are medians; peaks are the cgroup's peak usage (page cache "
        "included), the largest of the runs.", width=96), "",
        f"Machine: {machine()}; load average before the run: {' '.join(r['load'])}.",
        f"Command: `{command}` ({r['repeats']} repeats, numpy {np.__version__}).", "",
        f"Disk: {r['read_bw'] / 1e9:.2f} GB/s read, {r['write_bw'] / 1e9:.2f} GB/s write "
        f"(dd, medians); I/O floor {floor:.2f} s.", "",
        "| run | median s | / I/O floor | target | cgroup peak |",
        "|---|---:|---:|---|---:|",
        f"| maparray add, budget {BUDGET_MIB} MiB | {t_ma:.2f} | {t_ma / floor:.2f} | <= 1.25 "
        f"| {r['peaks']['maparray'] / mib:.0f} MiB |",
        f"| numpy.add over numpy.memmap | {t_np:.2f} | {t_np / floor:.2f} | | "
        f"{r['peaks']['numpy'] / mib:.0f} MiB |", "",
        f"maparray against numpy: {t_np / t_ma:.2f}x the speed (target: at least 1).",
        "",
    ]
    with open(doc) as f:
        text = f.read()
    section = "\n".join(lines) + CGROUP_HOWTO
    pattern = re.compile(r"^## Out of core\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    with open(doc, "w") as f:
        f.write(text)


CGROUP_HOWTO = """
**Reading it.** Both runs move the same bytes through the same disk, so both are bound by it;
the floor adds the read and the write times while the disk can overlap the two, so a run can
come in under it. numpy relies on the kernel's readahead and flusher threads, which do for it
what the engine does itself, and lets the cgroup's page cache grow to the limit (its peak
above); the engine holds the pages its budget allows, so its peak is the budget plus the
process's own few MiB, whatever the limit. The disk's bandwidth varies from run to run (dd's
read measured 1.0 to 2.1 GB/s on this machine in one afternoon), so compare the ratios of one
run, not the times of different runs.

### Running it, and making a memory cgroup by hand

`scripts/bench.sh` runs this benchmark when it runs as root on a machine with a memory cgroup
controller; `bench/out_of_core.py` makes and removes the cgroups itself. By hand, with cgroup
v2 (`memory.peak` needs Linux 5.19):

```sh
mkdir /sys/fs/cgroup/maparray-bench
echo +memory > /sys/fs/cgroup/cgroup.subtree_control
echo 256M > /sys/fs/cgroup/maparray-bench/memory.max
echo 0 > /sys/fs/cgroup/maparray-bench/memory.swap.max
echo $$ > /sys/fs/cgroup/maparray-bench/cgroup.procs     # this shell and what it starts
build/release/examples/example_add_big_arrays 2048 /a/dir/on/disk   # 3 x 2 GiB, budget 64 MiB
cat /sys/fs/cgroup/maparray-bench/memory.peak
```

With cgroup v1 the directory is `/sys/fs/cgroup/memory/maparray-bench` and the files are
`memory.limit_in_bytes`, `memory.memsw.limit_in_bytes` (where swap is accounted),
`cgroup.procs` and `memory.max_usage_in_bytes`. Where systemd runs,
`systemd-run --scope -p MemoryMax=256M COMMAND` does the same.
"""

if __name__ == "__main__":
    main()
