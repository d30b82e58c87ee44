"""Writes the "Compute" section of docs/PERFORMANCE.md from one run of scripts/bench.sh: the
medians of bench_compute (Google Benchmark JSON) and of numpy_compute.py, and their ratios.
Other sections of the file are kept as they are.

usage: compute_report.py CPP_JSON NUMPY_JSON DOC COMMAND MIB LOAD_BEFORE
"""
import json
import os
import platform
import re
import sys


NOTES = """### Notes on the engine's choices

- Populating each chunk with one MADV_POPULATE_READ/WRITE call (the `populate` switch) takes
  the page faults out of the compute loop; on a hot file it measured within noise of plain
  faults with fault-around, and it is kept because it is what makes the first pass run at the
  MAP_POPULATE loop's speed with no mapping cost up front. For the add into a new file the
  evidence is mixed: a 64 MiB run measured populate faster (134 against 174 ms), the 2 GiB run
  below measured it slower (4.5 against 3.1 s). These runs shared 2 cores with other work at a
  load average near 10, where two threads also lost to one; the switches stay in
  `detail::engine_tuning` so that a quiet machine can settle it.
- Writing the output with pwrite from a per-thread buffer instead of through the mapping was
  measured 3x slower on a new file (about 1.0 s against 0.33 s per 512 MiB): not used.
- MADV_WILLNEED on the inputs' chunks ahead (the `readahead` switch) does nothing for a hot
  file; it matters under a memory budget, where the engine switches the kernel's own fault
  readahead off (MADV_RANDOM; on this machine's disk it reads 8 MiB per fault, more than a
  small budget) and reads exactly the chunks ahead itself.
- Write-behind (sync_file_range) and drop-behind (MADV_DONTNEED + POSIX_FADV_DONTNEED) run only
  with a memory budget: without one they would only cost time. With a 64 MiB budget the demo
  adds two 1 GiB files with a peak resident set of about 55 MiB; tests/test_compute.cpp checks
  during the run that the resident pages of three 16 MiB files stay within a 2 MiB budget plus
  1 MiB.
- Creating the pages of a new output file dominates the add: the kernel fills about 1.5 GB/s
  of new page-cache pages per core here, by faults or by populate alike, which is why the add
  into a new file stays well below the same add over arrays already in RAM.
"""

CGROUP = """### Out of core, in a memory cgroup (not run by scripts/bench.sh)

The out-of-core case runs the demo with arrays 8 times a cgroup's memory limit: the cgroup
counts the page cache the process fills, so only dropping pages behind the cursor keeps it
under the limit. As root, with cgroup v2 (`memory.peak` needs Linux 5.19):

```sh
mkdir /sys/fs/cgroup/maparray-bench
echo 256M > /sys/fs/cgroup/maparray-bench/memory.max
echo 0 > /sys/fs/cgroup/maparray-bench/memory.swap.max
echo $$ > /sys/fs/cgroup/maparray-bench/cgroup.procs     # this shell and what it starts
build/release/examples/example_add_big_arrays 2048 /a/dir/on/disk   # 3 x 2 GiB, budget 64 MiB
cat /sys/fs/cgroup/maparray-bench/memory.peak
```

With cgroup v1 the files are `/sys/fs/cgroup/memory/maparray-bench/memory.limit_in_bytes`,
`memory.memsw.limit_in_bytes` (if swap accounting is on), `cgroup.procs` and
`memory.max_usage_in_bytes`. `systemd-run --scope -p MemoryMax=256M COMMAND` does the same
where systemd runs. The numpy side, in the same cgroup:
`np.add(np.memmap(a), np.memmap(b), out=np.memmap(c, mode="w+", ...))`. The I/O floor is the
bytes moved (two inputs read, one output written) divided by the disk's sequential bandwidth,
measured in the same run with `dd if=a.f32 of=/dev/null bs=16M iflag=direct` and
`dd if=/dev/zero of=x bs=16M count=256 oflag=direct conv=fsync`.
"""


def machine():
    model = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kib = int(f.readline().split()[1])
    return (f"{model}, {os.cpu_count()} cores, {mem_kib / 2**20:.1f} GiB RAM, "
            f"Linux {platform.release()}")


def main():
    cpp_path, numpy_path, doc, command, mib, load = sys.argv[1:7]
    cpp = {}
    for b in json.load(open(cpp_path))["benchmarks"]:
        if b.get("aggregate_name") == "median":
            cpp[b["run_name"].replace("/manual_time", "")] = b
    py = json.load(open(numpy_path))

    def ms(name):
        return cpp[name]["real_time"]

    ours_sum = ms("BM_SumMaparray/threads:2/populate:1/readahead:1")
    ours_add = ms("BM_AddNewFile/threads:2/populate:1")
    scattered = cpp["BM_ScatteredWritesFlush/1000"]
    rows = [
        ("sum, page-cache-hot file, first pass", [
            ("raw loop over a MAP_POPULATE mapping (the limit; mapping not timed)",
             ms("BM_SumRawLoopPopulated"), ">= 0.9"),
            ("raw loop, plain mmap first pass", ms("BM_SumRawFirstPass"), ""),
            ("numpy.memmap(...).sum()", py["numpy_memmap_sum"], ""),
        ], ("maparray: map_file + ma::sum, 2 threads", ours_sum)),
        ("c = a + b, hot inputs, new output file", [
            ("numpy.add(a, b, out=c) over numpy.memmap", py["numpy_memmap_add"], ">= 1.5"),
            ("the same add over arrays in RAM, C++ loop, 1 thread", ms("BM_AddInRam"), ">= 0.8"),
            ("numpy.add over arrays in RAM", py["numpy_ram_add"], ">= 0.8"),
        ], ("maparray: ma::add into create_file output, 2 threads", ours_add)),
    ]
    out = ["## Compute", "",
           f"Machine: {machine()}; load average before the run: {load}.",
           f"Command: `{command}` ({mib} MiB per float32 array, numpy {py['numpy_version']}).",
           "Each time is the median of the repeats, wall clock per pass; the ratio is the other "
           "time divided by maparray's (above 1: maparray is faster).", ""]
    for title, others, (our_name, ours) in rows:
        out += [f"### {title}", "", "| run | median ms | maparray speed ratio | target |",
                "|---|---:|---:|---|", f"| {our_name} | {ours:.1f} | 1 | |"]
        for name, t, target in others:
            out.append(f"| {name} | {t:.1f} | {t / ours:.2f}x | {target} |")
        out.append("")
    out += ["### What each technique of the engine brings", "",
            "| run | median ms |", "|---|---:|"]
    for name, b in cpp.items():
        if name.startswith(("BM_SumMaparray", "BM_AddNewFile")):
            out.append(f"| {name} | {b['real_time']:.1f} |")
    out += ["", "### Scattered writes", "",
            f"{int(scattered['k'])} element writes at random places of a "
            f"{min(int(mib), 1024)} MiB mapped file, then flush: "
            f"{scattered['pages_written']:.0f} pages written (write_bytes of /proc/self/io "
            f"/ page size); at most k is the target.", ""]
    out += NOTES.splitlines() + [""] + CGROUP.splitlines()
    section = "\n".join(out) + "\n"

    text = open(doc).read() if os.path.exists(doc) else "# Performance\n\n"
    pattern = re.compile(r"^## Compute\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text).rstrip("\n") + "\n"
    else:
        text = text.rstrip("\n") + "\n\n" + section
    open(doc, "w").write(text)


if __name__ == "__main__":
    main()
