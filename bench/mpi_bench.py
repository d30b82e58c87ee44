"""Distributed sum and add against the single-process engine, and MPI fetch-add against
shared-memory atomics, in one run; writes the "Distributed (MPI)" section of
docs/PERFORMANCE.md. Run by scripts/bench-mpi.sh.

    mpi_bench.py BUILD_DIR WORK_DIR MIB REPEATS PERFORMANCE_MD COMMAND

BUILD_DIR holds bench/bench_mpi and bench/bench_shared. Every configuration runs once per
repetition, in a fresh random order each time, so that all of them see the same machine load
on average; the table gives medians.
"""

import json
import os
import random
import statistics
import subprocess
import sys

# Open MPI 4 on one machine, in a container: see cmake/mpi.cmake.
MPI_ENVIRONMENT = {
    "OMPI_MCA_osc": "pt2pt",
    "OMPI_MCA_btl_vader_single_copy_mechanism": "none",
    "OMPI_MCA_rmaps_base_oversubscribe": "1",
    "OMPI_ALLOW_RUN_AS_ROOT": "1",
    "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
}
FETCH_ADDS_PER_RANK = 50000
SECTION = "## Distributed (MPI)"


def run(command):
    env = dict(os.environ, **MPI_ENVIRONMENT)
    done = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    return done.stdout


def bench_mpi(build, op, directory, number, ranks=None):
    program = [os.path.join(build, "bench", "bench_mpi"), op, directory, str(number)]
    if ranks is not None:
        program = ["mpiexec", "-n", str(ranks)] + program
    return json.loads(run(program).strip().splitlines()[-1])


def shared_memory_fetch_add(build, repeats):
    """Median operations per second of bench_shared's FetchAddOneCounter, processes, by workers."""
    out = run([os.path.join(build, "bench", "bench_shared"),
               "--benchmark_filter=BM_FetchAddOneCounter/procs:1",
               f"--benchmark_repetitions={repeats}", "--benchmark_report_aggregates_only=true",
               "--benchmark_format=json"])
    rates = {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("aggregate_name") == "median":
            workers = int(b["run_name"].split("workers:")[1].split("/")[0])
            rates[workers] = b["items_per_second"]
    return rates


def measure(build, directory, mib, repeats):
    run(["mpiexec", "-n", "1", os.path.join(build, "bench", "bench_mpi"), "prepare", directory,
         str(mib)])
    configurations = []
    for op in ("sum", "add"):
        configurations += [("engine-" + op, None, 2), ("engine-" + op, None, 1),
                           (op, 1, 2), (op, 1, 1), (op, 2, 1)]
    configurations += [("engine-add-existing", None, 2), ("add-existing", 1, 2),
                       ("add-existing", 2, 1)]
    # Once through everything, untimed, so that the inputs are in the page cache.
    for op, ranks, threads in configurations:
        bench_mpi(build, op, directory, threads, ranks)
    times = {c: [] for c in configurations}
    opens = {c: [] for c in configurations}
    checks = {}
    for _ in range(repeats):
        order = list(configurations)
        random.shuffle(order)
        for c in order:
            op, ranks, threads = c
            result = bench_mpi(build, op, directory, threads, ranks)
            times[c].append(result["seconds"])
            opens[c].append(result["open"])
            checks.setdefault(op.replace("engine-", "").replace("-existing", ""), set()).add(
                result["check"])
    for op, values in checks.items():
        if len(values) != 1:
            raise SystemExit(f"mpi_bench: the {op} results differ between runs: {values}")
    fetch = {}
    for ranks in (1, 2, 4):
        rates = []
        for _ in range(repeats):
            result = bench_mpi(build, "fetch_add", directory, FETCH_ADDS_PER_RANK, ranks)
            if result["check"] != FETCH_ADDS_PER_RANK * ranks:
                raise SystemExit(f"mpi_bench: fetch_add counted {result['check']}")
            rates.append(FETCH_ADDS_PER_RANK * ranks / result["seconds"])
        fetch[ranks] = statistics.median(rates)
    return times, opens, fetch, shared_memory_fetch_add(build, repeats)


def describe(c):
    op, ranks, threads = c
    thread_text = f"{threads} thread{'s' if threads > 1 else ''}"
    if ranks is None:
        return f"single process, maparray engine, {thread_text}"
    return f"mpi, {ranks} rank{'s' if ranks > 1 else ''} x {thread_text}"


def section(times, opens, fetch, shared, mib, repeats, command, load):
    lines = [SECTION, ""]
    lines.append(
        f"Command: `{command}` ({mib} MiB per float32 array, {repeats} repetitions of every "
        f"run in random order; load average before the run: {load}). Same machine as above: "
        "2 cores, so 2 ranks of 1 thread use the same cores as 1 process of 2 threads. "
        "Everything runs on one node, with Open MPI 4.1's pt2pt one-sided component over its "
        "shared-memory transport. The ratio is the median time over the single-process "
        "engine's with 2 threads (above 1: slower).")
    lines.append("")
    groups = (
        ("sum", "sum of a page-cache-hot file: open + sum",
         "The MPI runs include the collective open and the window creation; their median is "
         "given in brackets."),
        ("add", "c = a + b into a new file (made before the clock starts)", ""),
        ("add-existing", "c = a + b into an existing file whose pages are in memory",
         "One untimed add first, in the same processes: the engine and the collective layer "
         "without the cost of making new pages."),
    )
    for op, title, note in groups:
        lines += [f"### {title}", ""]
        if note:
            lines += [note, ""]
        lines += ["| run | median ms | fastest ms | ratio |", "|---|---:|---:|---:|"]
        reference = statistics.median(times[("engine-" + op, None, 2)])
        for c, values in times.items():
            if c[0].replace("engine-", "") != op:
                continue
            median = statistics.median(values)
            opened = statistics.median(opens[c])
            label = describe(c) + (f" (open {opened * 1000:.1f} ms)" if opened > 0 else "")
            lines.append(f"| {label} | {median * 1000:.1f} | {min(values) * 1000:.1f} | "
                         f"{median / reference:.2f} |")
        lines.append("")
    lines += ["### fetch_add on one counter: MPI one-sided against shared-memory atomics", "",
              "| workers | MPI fetch_add, ranks (ops/s) | shared-memory fetch_add, processes "
              "(ops/s) | shared / MPI |", "|---:|---:|---:|---:|"]
    for workers in sorted(fetch):
        mpi_rate = fetch[workers]
        shared_rate = shared.get(workers)
        shared_text = f"{shared_rate:,.0f}" if shared_rate else "-"
        ratio = f"{shared_rate / mpi_rate:,.0f}x" if shared_rate else "-"
        lines.append(f"| {workers} | {mpi_rate:,.0f} | {shared_text} | {ratio} |")
    lines.append("")
    lines.append(f"MPI: {FETCH_ADDS_PER_RANK} `fetch_add` calls per rank on one element owned by "
                 "rank 0, between two barriers; shared memory: bench_shared's "
                 "`FetchAddOneCounter` with forked processes (200,000 operations per worker).")
    lines.append("")
    return "\n".join(lines)


def write(performance_md, text):
    """Replaces the section in `performance_md` (or appends it), keeping its hand-written
    "### Reading it" part, which comments on the numbers."""
    with open(performance_md) as f:
        content = f.read()
    start = content.find(SECTION + "\n")
    if start < 0:
        content = content.rstrip("\n") + "\n\n" + text
    else:
        end = content.find("\n## ", start + len(SECTION))
        old = content[start:] if end < 0 else content[start:end + 1]
        rest = "" if end < 0 else content[end + 1:]
        reading = old.find("### Reading it")
        if reading >= 0:
            text = text.rstrip("\n") + "\n\n" + old[reading:].rstrip("\n") + "\n"
        content = content[:start] + text + ("\n" + rest if rest else "")
    with open(performance_md, "w") as f:
        f.write(content.rstrip("\n") + "\n")


def main():
    build, directory, mib, repeats, performance_md, command = sys.argv[1:7]
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    times, opens, fetch, shared = measure(build, directory, int(mib), int(repeats))
    write(performance_md, section(times, opens, fetch, shared, mib, repeats, command, load))


if __name__ == "__main__":
    main()
