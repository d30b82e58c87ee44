"""maparray.dask against the recipes Dask documents for memory-mapped files, in one run.

Two workloads over float32 .npy files of MIB MiB each (2048 by default), 16 MiB chunks:
  sum:  the sum of one file
  add:  c = a + b written to a new .npy file, on the disk at the end (synced)

Each is run by maparray.dask (from_npy, to_npy) and by Dask's recipes for memory-mapped files
(docs.dask.org, "Create Dask Arrays", section "Memory mapping"):
  - for the threaded scheduler, da.from_array(np.memmap(...)) (here np.load(mmap_mode="r"),
    the same memmap at the .npy's offset), and da.store into a np.lib.format.open_memmap
    target, then flushed;
  - for multi-process and distributed scheduling, a delayed function that memory-maps the file
    and returns one block (mmap_load_chunk), assembled with da.from_delayed and
    da.concatenate. Dask documents no writer for that case, and da.store into a memmap target
    puts the target, pickled as its whole data, into every task, so the add uses the
    workaround users post (dask issue 5985): a map_blocks function that opens the output with
    open_memmap(mode="r+") in the task, writes its block and flushes.

Distributed runs use a LocalCluster of 2 worker processes with 1 thread and a 512 MiB memory
limit each, started afresh for every repetition (not timed); the peak is the largest worker's
VmHWM (peak resident memory: anonymous and mapped pages). Threaded runs use 2 threads in a
fresh process whose VmHWM is the peak. Files are in the page cache; each time is the median of
REPEATS, from graph construction to the result (for add: the output synced to disk).

usage: PYTHONPATH=build/default/python python3 bench/dask_memmap.py DIR [MIB] [REPEATS]
           [--write docs/PERFORMANCE.md]
(DIR on a disk, not a tmpfs: 3 files of MIB MiB; the Python module built, e.g. by
cmake --build --preset default --target _maparray)
"""

import json
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np

ROW = 4096  # float32 elements per row: 16 KiB
CHUNK_ROWS = 1024  # 16 MiB chunks
LIMIT = "512MiB"


def peak_resident():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def make_inputs(directory, rows):
    import maparray

    for name, factor in (("a", 1), ("b", 3)):
        path = os.path.join(directory, f"{name}.npy")
        if os.path.exists(path) and maparray.npy_header(path)["shape"] == (rows, ROW):
            continue
        maparray.create_npy(path, "f4", (rows, ROW), overwrite=True)
        offset = maparray.npy_header(path)["offset"]
        column = np.arange(ROW, dtype=np.float32)
        for r in range(0, rows, CHUNK_ROWS):
            block = ((np.arange(r, r + CHUNK_ROWS) * factor % 1000).astype(np.float32)[:, None]
                     + column[None, :])
            maparray.write_block(path, "f4", (rows, ROW), (r, 0), block, offset=offset)
    os.sync()


# Dask's documented recipe for multi-process and distributed schedulers (docs.dask.org,
# "Memory mapping"), for a .npy file: the memmap starts at the data offset.
def mmap_load_chunk(filename, shape, dtype, offset, sl):
    data = np.memmap(filename, mode="r", shape=shape, dtype=dtype, offset=offset)
    return data[sl]


def mmap_dask_array(filename, shape, dtype, offset, blocksize):
    import dask
    import dask.array as da

    load = dask.delayed(mmap_load_chunk)
    chunks = []
    for index in range(0, shape[0], blocksize):
        chunk_size = min(blocksize, shape[0] - index)
        chunk = da.from_delayed(
            load(filename, shape=shape, dtype=dtype, offset=offset,
                 sl=slice(index, index + chunk_size)),
            shape=(chunk_size,) + shape[1:], dtype=dtype)
        chunks.append(chunk)
    return da.concatenate(chunks, axis=0)


# The workaround of dask issue 5985 for writing: each task opens the output and writes its block.
def write_into(block, path, block_info=None):
    out = np.lib.format.open_memmap(path, mode="r+")
    (r0, r1), (c0, c1) = block_info[0]["array-location"]
    out[r0:r1, c0:c1] = block
    out.flush()
    del out
    return np.zeros((1,) * block.ndim, dtype=bool)


def recipe_array(path, mode):
    import dask.array as da

    if mode == "threads":
        return da.from_array(np.load(path, mmap_mode="r"), chunks=(CHUNK_ROWS, ROW))
    header = np.load(path, mmap_mode="r")
    shape, dtype, offset = header.shape, header.dtype, header.offset
    del header
    return mmap_dask_array(path, shape, dtype, offset, CHUNK_ROWS)


def run(way, workload, mode, directory):
    """One timed run; returns (seconds, result)."""
    import dask.array as da

    a_path, b_path = (os.path.join(directory, f"{n}.npy") for n in ("a", "b"))
    c_path = os.path.join(directory, "c.npy")
    if os.path.exists(c_path):
        os.remove(c_path)
    start = time.perf_counter()
    if way == "maparray":
        import maparray.dask as mad

        a = mad.from_npy(a_path, chunks="16 MiB")
        if workload == "sum":
            result = float(a.sum().compute())
        else:
            mad.to_npy(a + mad.from_npy(b_path, chunks="16 MiB"), c_path)
            result = None
    else:
        a = recipe_array(a_path, mode)
        if workload == "sum":
            result = float(a.sum().compute())
        elif mode == "threads":
            out = np.lib.format.open_memmap(c_path, mode="w+", dtype=a.dtype, shape=a.shape)
            da.store(a + recipe_array(b_path, mode), out, lock=False)
            out.flush()
            del out
            result = None
        else:
            c = a + recipe_array(b_path, mode)
            np.lib.format.open_memmap(c_path, mode="w+", dtype=c.dtype, shape=c.shape).flush()
            c.map_blocks(write_into, c_path, dtype=bool, chunks=(1, 1)).compute()
            result = None
    seconds = time.perf_counter() - start
    if workload == "add":
        c = np.load(c_path, mmap_mode="r")
        rows = np.arange(0, c.shape[0], 997)
        expected = ((rows % 1000) + (rows * 3 % 1000)).astype(np.float32)[:, None] \
            + 2 * np.arange(ROW, dtype=np.float32)[None, :]
        assert np.array_equal(c[rows], expected), "the output is wrong"
        del c
        os.remove(c_path)
    return seconds, result


def run_threaded(way, workload, directory):
    """A threaded run in a fresh process, so that its peak is its own."""
    output = subprocess.run(
        [sys.executable, __file__, "--threaded", way, workload, directory],
        check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def run_distributed(way, workload, directory):
    import logging

    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, memory_limit=LIMIT,
                      dashboard_address=None, silence_logs=logging.CRITICAL) as cluster:
        with Client(cluster) as client:
            pids = client.run(os.getpid)
            try:
                seconds, result = run(way, workload, "distributed", directory)
                failure = None
            except Exception as e:  # a recipe that fails is a result too
                seconds, result, failure = None, None, f"{type(e).__name__}"
            peak = max(client.run(peak_resident).values())
            restarted = client.run(os.getpid) != pids
    return {"seconds": seconds, "result": result, "peak": peak, "restarted": restarted,
            "failure": failure}


NOTES = """**Reading it.** The ratio is the other way's median time over maparray.dask's with the
same scheduler (above 1: maparray.dask is faster). This machine's 2 cores are shared with other
work (see the load average), so single times scatter widely: the distributed sums, repeated
alternately in one cluster, took 3.1 to 4.4 s (maparray.dask) and 2.9 to 5.0 s (the recipe)
when measured by hand. Trust the peaks and the ratios far from 1.

- sum: both ways read the file's pages through mappings. maparray.dask maps each chunk in the
  task that sums it and unmaps it after; the threaded recipe maps the whole file once, which
  is somewhat faster (summing 2 GiB in one process by hand: 1.6 to 1.8 s with one mapping,
  1.7 to 2.1 s with a mapping per 16 MiB chunk), but every page it has read stays resident in
  its process, so its peak is the file's size.
- add: the recipes write through mappings of a new file, and faulting new pages into a shared
  mapping measured about 20 times slower than pwrite on this machine; maparray.dask writes each
  chunk with one pwrite per contiguous run, into space reserved up front, and the file appears
  at its path only when complete. Both end with the output on the disk (the recipes' msync,
  maparray.dask's fdatasync). Making 2 GiB of new page-cache pages took 1.2 s in one run and
  6.4 s in the next on this virtual machine (measured by hand; see "Notes on the engine's
  choices" above), which is most of the spread of the add. The threaded recipe's peak is the
  three files, all mapped in one process.
- Dask documents no writer for a cluster, and `da.store` into a memmap there puts the target,
  pickled as its whole data, into every task: see docs/dask.md.
"""

MAPARRAY_SUM = "maparray.dask: `from_npy(a).sum()`"
MAPARRAY_ADD = "maparray.dask: `to_npy(from_npy(a) + from_npy(b), c)`"
CASES = [  # (workload, scheduler, way, description)
    ("sum", "distributed", "maparray", MAPARRAY_SUM),
    ("sum", "distributed", "recipe",
     "Dask's distributed recipe: delayed `mmap_load_chunk`, `from_delayed`, `concatenate`"),
    ("sum", "threads", "maparray", MAPARRAY_SUM),
    ("sum", "threads", "recipe",
     "Dask's threaded recipe: `from_array(np.load(a, mmap_mode='r'))`"),
    ("add", "distributed", "maparray", MAPARRAY_ADD),
    ("add", "distributed", "recipe",
     "the distributed recipe's inputs; each task writes its block into "
     "`open_memmap(c, 'r+')` and flushes (issue 5985's workaround)"),
    ("add", "threads", "maparray", MAPARRAY_ADD),
    ("add", "threads", "recipe",
     "the threaded recipe's inputs; `da.store` into `open_memmap(c, 'w+')`, flushed"),
]


def measure(directory, repeats):
    rows = []
    for workload, scheduler, way, description in CASES:
        runs = []
        for _ in range(repeats):
            if scheduler == "threads":
                runs.append(run_threaded(way, workload, directory))
            else:
                runs.append(run_distributed(way, workload, directory))
            print(workload, scheduler, way, runs[-1], file=sys.stderr, flush=True)
        rows.append((workload, scheduler, description, runs))
    return rows


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


def section(rows, mib, repeats, load, command):
    import dask
    import distributed

    lines = [
        "## Dask: maparray.dask against Dask's memory-mapping recipes",
        "",
        f"Machine: {machine()}; load average before the run: {load}.",
        f"Command: `{command}` ({mib} MiB float32 .npy files, 16 MiB chunks, {repeats} "
        f"repeats; dask {dask.__version__}, distributed {distributed.__version__}, numpy "
        f"{np.__version__}).",
        "Distributed: a LocalCluster of 2 worker processes, 1 thread and 512 MiB each, new for "
        "every repetition; threaded: 2 threads in a new process. Time: median, from building "
        "the graph to the result (the add: to the output synced to disk). Peak: the largest "
        "peak resident memory (VmHWM) of a worker, or of the threaded process, over all "
        "repetitions; a worker process alone starts at about 60 MiB. The inputs are in the "
        "page cache. The recipes are described in `bench/dask_memmap.py`.",
        "",
        "| workload | scheduler | way | median s | peak MiB | maparray speed ratio |",
        "|---|---|---|---:|---:|---:|",
    ]
    medians = {}
    for workload, scheduler, description, runs in rows:
        done = [r["seconds"] for r in runs if r["seconds"] is not None]
        if len(done) == len(runs):
            medians[(workload, scheduler, description.startswith("maparray"))] = \
                statistics.median(done)
    for workload, scheduler, description, runs in rows:
        peak = max(r["peak"] for r in runs) / 2**20
        failures = [r.get("failure") for r in runs if r.get("failure")]
        restarted = any(r.get("restarted") for r in runs)
        ours = description.startswith("maparray")
        mine = medians.get((workload, scheduler, True))
        if failures:
            time_text, ratio = f"failed ({failures[0]})", ""
        else:
            median = medians[(workload, scheduler, ours)]
            time_text = f"{median:.2f}" + (" (a worker was restarted)" if restarted else "")
            ratio = "1" if ours else (f"{median / mine:.2f}x" if mine else "")
        lines.append(f"| {workload} | {scheduler} | {description} | {time_text} | "
                     f"{peak:.0f} | {ratio} |")
    lines.append("")
    lines.append(NOTES)
    return "\n".join(lines)


def write_section(doc, text):
    """Replaces this benchmark's section of `doc` (up to the next "## " heading), or appends it."""
    with open(doc) as f:
        content = f.read()
    heading = "## Dask: maparray.dask against Dask's memory-mapping recipes"
    if heading in content:
        start = content.index(heading)
        end = content.find("\n## ", start + len(heading))
        rest = "" if end < 0 else content[end + 1:]
        content = content[:start] + text + ("\n" + rest if rest else "")
    else:
        content = content.rstrip("\n") + "\n\n" + text
    with open(doc, "w") as f:
        f.write(content)


def main():
    if sys.argv[1] == "--threaded":
        import dask

        way, workload, directory = sys.argv[2:5]
        with dask.config.set(scheduler="threads", num_workers=2):
            seconds, result = run(way, workload, "threads", directory)
        print(json.dumps({"seconds": seconds, "result": result, "peak": peak_resident()}))
        return
    args = [a for a in sys.argv[1:] if a != "--write"]
    doc = None
    if "--write" in sys.argv:
        doc = sys.argv[sys.argv.index("--write") + 1]
        args.remove(doc)
    directory = args[0]
    mib = int(args[1]) if len(args) > 1 else 2048
    repeats = int(args[2]) if len(args) > 2 else 3
    load = " ".join(open("/proc/loadavg").read().split()[:3])
    make_inputs(directory, mib * 2**20 // 4 // ROW)
    rows = measure(directory, repeats)
    command = (f"PYTHONPATH={os.environ.get('PYTHONPATH', '')} python3 bench/dask_memmap.py "
               + " ".join(sys.argv[1:]))
    text = section(rows, mib, repeats, load, command)
    print(text)
    if doc:
        write_section(doc, text)


if __name__ == "__main__":
    main()
