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
  MAP_POPULATE loop's speed with no mapping cost up front. For the add into a new file it
  makes no consistent difference (compare the `populate:0` and `populate:1` rows). The
  switches stay in `detail::engine_tuning`.
- Writing the output with pwrite from a per-thread buffer instead of through the mapping was
  measured 3x slower on a new file (about 1.0 s against 0.33 s per 512 MiB): not used.
- MADV_WILLNEED on the inputs' chunks ahead (the `readahead` switch) does nothing for a hot
  file; it matters under a memory budget, where the engine switches the kernel's own fault
  readahead off (MADV_RANDOM; on this machine's disk it reads 8 MiB per fault, more than a
  small budget) and reads exactly the chunks ahead itself: without it the out-of-core add
  took 46 s instead of 4 (measured once by hand, 2026-11-25, with `bench/add_files` and the
  switch turned off).
- Write-behind (sync_file_range) and drop-behind (MADV_DONTNEED + POSIX_FADV_DONTNEED) run only
  with a memory budget: without one they would only cost time. The whole pages of each
  finished output chunk are unmapped before its write-back starts: writing back a page that is
  still mapped write-protects it and flushes the TLB of every core the process runs on, one
  page at a time, which with two threads is an interprocessor interrupt per page. Measured
  once by hand (2026-11-25, `bench/add_files A B C 64 2` against `... 64 1`, 2 GiB arrays out
  of the page cache): before, two threads took 8.6 s with 15 s of kernel time and one thread
  3.8 s; with the unmapping, two threads took 4.0 s with 2.5 s of kernel time.
- Creating the pages of a new output file dominates the add: the engine alone, writing into an
  existing file whose pages are in memory, runs at the speed of the in-RAM loop (the
  `BM_AddExistingFile` rows). On this machine (a virtual machine whose kernel reports free
  memory back to the host) new pages are cheap only when they reuse memory freed moments
  before: populating 2 GiB of new file pages took 0.35 s right after other pages were freed
  and 5.8 s after 6 idle seconds (measured by hand). The repetitions of the add into a new
  file are bimodal for that reason (in one run of six: 0.46 to 0.49 s, or 1.8 to 2.0 s): in
  the fast mode it runs at the speed of the add over arrays already in RAM, in the slow one at
  about a quarter of it, and the median falls wherever the mix of the run puts it. Advising
  the output MADV_HUGEPAGE made no consistent difference in that noise and is not used.
- Scattered writes: write_bytes counts the pages a write dirties, and the kernel dirties
  whole page-cache folios. On this machine (ext4, Linux 6.18) a file read by plain loads
  through a mapping was cached in large folios, and a scattered write then dirtied its whole
  folio (the "read first by plain loads" row: about 200 pages per element written); a file
  read with read() measured the same. A file read by the engine (the "read first by ma::sum"
  row) was cached in single pages, its first chunks included, as was a file mapped with
  `advice::random` before it was read (measured by hand: 1001 pages for 1000). Advice cannot
  help a file already cached in large folios. The new file's 6 extra pages are file system
  metadata: ext4 splits the extents of reserved, never-written blocks on the first writes.
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
    cpp, fastest = {}, {}
    for b in json.load(open(cpp_path))["benchmarks"]:
        name = b["run_name"].replace("/manual_time", "")
        if b.get("aggregate_name") == "median":
            cpp[name] = b
        elif b.get("aggregate_name") == "min":
            fastest[name] = b["real_time"]
    py = json.load(open(numpy_path))

    def ms(name):
        return cpp[name]["real_time"]

    ours_sum = ms("BM_SumMaparray/threads:2/populate:1/readahead:1")
    ours_add = ms("BM_AddNewFile/threads:2/populate:1")
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
            ("maparray into an existing file, its pages in memory, 2 threads",
             ms("BM_AddExistingFile/threads:2"), ""),
            ("maparray into an existing file, its pages in memory, 1 thread",
             ms("BM_AddExistingFile/threads:1"), ""),
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
    best = fastest["BM_AddNewFile/threads:2/populate:1"]
    out += [f"The fastest repetition of the maparray add into a new file took {best:.1f} ms: "
            f"{ms('BM_AddInRam') / best:.2f}x the in-RAM C++ loop and "
            f"{py['numpy_ram_add'] / best:.2f}x numpy's in-RAM add (see the notes below on why "
            "the repetitions differ so much).", ""]
    out += ["### What each technique of the engine brings", "",
            "| run | median ms |", "|---|---:|"]
    for name, b in cpp.items():
        if name.startswith(("BM_SumMaparray", "BM_AddNewFile", "BM_AddExistingFile")):
            out.append(f"| {name} | {b['real_time']:.1f} |")
    out += ["", "### Scattered writes", "",
            f"k element writes at random places of a {min(int(mib), 1024)} MiB mapped file, "
            "then flush. Pages written: write_bytes of /proc/self/io (counted when a page is "
            "dirtied) divided by the page size; at most k is the target.", "",
            "| file | k | distinct pages touched | pages written |", "|---|---:|---:|---:|"]
    cases = {0: "new, from create_file", 1: "holding data, not in the page cache",
             2: "holding data, read first by plain loads", 3: "holding data, read first by ma::sum"}
    for case, title in cases.items():
        b = cpp[f"BM_ScatteredWritesFlush/k:1000/file:{case}"]
        out.append(f"| {title} | {b['k']:.0f} | {b['pages_touched']:.0f} | "
                   f"{b['pages_written']:.0f} |")
    out.append("")
    out += NOTES.splitlines()
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
