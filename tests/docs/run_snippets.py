"""Runs every code block of a Markdown page, as a reader following the page would.

    run_snippets.py PAGE.md --tool DIR --python-path DIR --library FILE --include DIR
                    --source DIR --work DIR [--cxx COMPILER] [--libcxx-cxx COMPILER]

Each page runs in a fresh directory of its own under --work (on a disk file system, not tmpfs:
pages evicted there leave the page cache), its blocks in order, so that a block may use
the files an earlier one made:

- ```cpp: compiled against the built library and run. A block without main() is the body of
  main(): its #include, using and namespace-alias lines move to the top, after
  <maparray/maparray.hpp> and `namespace ma = maparray;`. Blocks that include
  maparray/eigen.hpp or maparray/xtensor.hpp get those libraries' include directories; blocks
  that include maparray/mdspan.hpp are built with clang and libc++ (--libcxx-cxx) together with
  the library's sources, as that header needs.
- ```python: run in one interpreter per page, every block in the same namespace.
- ```console: a shell session; each `$ command` runs in bash (with the maparray tool and the
  Python that runs this script first on PATH), and the lines that follow it, if any, must be
  its output (stdout and stderr), line for line; "..." in a shown line stands for any text
  there (for what changes from run to run, such as how much of a file is in memory).
- ```sh: run with bash -e (the tool on PATH); the output is not compared.
- Blocks in other languages (cmake...) are not run; each must be marked.

A block is not run if the line before its fence is a marker saying why:

    <!-- doc-test: skip REASON -->

Markers are for what cannot run inside a test (building or installing the project, commands
that need root) and for blocks whose subject is tested elsewhere; REASON says which.
Exit status 0 if every block ran as shown; otherwise each failure is reported and the status
is 1.
"""

import argparse
import concurrent.futures
import os
import pathlib
import re
import subprocess
import sys
import tempfile

FENCE = re.compile(r"^```(\S*)\s*$")
MARKER = re.compile(r"^<!--\s*doc-test:\s*skip\s+(.+?)\s*-->\s*$")
RUN = {"cpp", "python", "console", "sh"}
HOISTED = re.compile(r"^\s*(#include|using |namespace \w+ = )")


class Block:
    def __init__(self, page, line, language, text, skip):
        self.page, self.line, self.language, self.text, self.skip = page, line, language, text, skip

    def where(self):
        return f"{self.page}:{self.line}"


def blocks_of(page):
    lines = pathlib.Path(page).read_text().split("\n")
    result = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if m and m.group(1):
            end = i + 1
            while end < len(lines) and not lines[end].startswith("```"):
                end += 1
            marker = MARKER.match(lines[i - 1]) if i > 0 else None
            result.append(Block(page, i + 1, m.group(1), "\n".join(lines[i + 1:end]) + "\n",
                                marker.group(1) if marker else None))
            i = end
        i += 1
    return result


def cpp_program(text):
    if re.search(r"\bint\s+main\s*\(", text):
        return text
    top = ["#include <maparray/maparray.hpp>", "namespace ma = maparray;"]
    body = []
    for line in text.split("\n"):
        (top if HOISTED.match(line) else body).append(line)
    return "\n".join(top) + "\n\nint main() {\n" + "\n".join(body) + "\n}\n"


def build_cpp(block, work, args, n):
    source = work / f"snippet_{n}.cpp"
    binary = work / f"snippet_{n}"
    source.write_text(cpp_program(block.text))
    if "maparray/mdspan.hpp" in block.text:
        if not args.libcxx_cxx:
            return None, "needs clang with libc++ (--libcxx-cxx) for maparray/mdspan.hpp"
        sources = sorted(str(p) for p in (pathlib.Path(args.source) / "src").glob("*.cpp"))
        command = [args.libcxx_cxx, "-std=c++23", "-stdlib=libc++", "-fexperimental-library",
                   "-I", args.include, "-I", str(pathlib.Path(args.source) / "src"),
                   str(source), *sources, "-pthread", "-o", str(binary)]
    else:
        extra = []
        if "maparray/eigen.hpp" in block.text:
            extra += ["-I", "/usr/include/eigen3"]
        command = [args.cxx, "-std=c++20", "-I", args.include, *extra, str(source),
                   args.library, "-pthread", "-o", str(binary)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        return None, f"does not compile:\n{done.stderr[-4000:]}"
    return binary, None


def run_python(blocks, work, env):
    # One interpreter, one namespace: each block is compiled with its page line numbers.
    script = ["import sys, traceback", "namespace = {'__name__': '__main__'}", "failed = 0"]
    for b in blocks:
        code = "\n" * (b.line) + b.text
        script += [f"try:",
                   f"    exec(compile({code!r}, {b.page!r}, 'exec'), namespace)",
                   f"except BaseException:",
                   f"    print('FAILED {b.where()} (python):', file=sys.stderr)",
                   f"    traceback.print_exc()",
                   f"    failed += 1"]
    script.append("sys.exit(1 if failed else 0)")
    done = subprocess.run([sys.executable, "-c", "\n".join(script)], cwd=work, env=env,
                          capture_output=True, text=True, timeout=600)
    return done.returncode == 0, done.stderr


def console_commands(text):
    """[(command, expected output or None)] of a console session."""
    session = []
    for line in text.rstrip("\n").split("\n"):
        if line.startswith("$ "):
            session.append([line[2:], []])
        elif session:
            session[-1][1].append(line)
        else:
            raise ValueError(f"output before the first command: {line!r}")
    return [(c, "\n".join(out) if out else None) for c, out in session]


def matches(expected, got):
    """Whether output `got` is what `expected` shows, line for line, "..." matching any text."""
    want, have = expected.split("\n"), got.split("\n")
    if len(want) != len(have):
        return False
    for w, h in zip(want, have):
        pattern = ".*".join(map(re.escape, w.split("...")))
        if not re.fullmatch(pattern, h):
            return False
    return True


def run_console(block, work, env):
    session = console_commands(block.text)
    marker = "@@doc-test-end@@"
    script = ["exec 2>&1"]
    for command, _ in session:
        script += [command, f"__status=$?; echo; echo {marker}; (exit $__status)"]
    done = subprocess.run(["bash", "-c", "\n".join(script)], cwd=work, env=env,
                          capture_output=True, text=True, timeout=600)
    outputs = done.stdout.split(f"\n{marker}\n")
    problems = []
    for (command, expected), got in zip(session, outputs):
        got = got.removesuffix("\n")
        if expected is not None and not matches(expected, got):
            problems.append(f"$ {command}\n--- shown\n{expected}\n--- got\n{got}")
        elif expected is None and got:
            problems.append(f"$ {command}\n--- shown: no output\n--- got\n{got}")
    return problems


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("page")
    parser.add_argument("--tool", required=True, help="directory of the maparray tool")
    parser.add_argument("--python-path", required=True)
    parser.add_argument("--library", required=True, help="the built static library")
    parser.add_argument("--include", required=True)
    parser.add_argument("--source", required=True, help="the source tree, for src/")
    parser.add_argument("--work", required=True, help="where each page gets its directory")
    parser.add_argument("--cxx", default="c++")
    parser.add_argument("--libcxx-cxx", default="")
    args = parser.parse_args()
    for name in ("tool", "python_path", "library", "include", "source", "work"):
        setattr(args, name, os.path.abspath(getattr(args, name)))

    blocks = blocks_of(args.page)
    failures = []
    for b in blocks:
        if b.language not in RUN and not b.skip:
            failures.append(f"{b.where()}: a ```{b.language} block cannot run: mark it "
                            "<!-- doc-test: skip REASON -->")
    live = [b for b in blocks if b.language in RUN and not b.skip]
    env = dict(os.environ)
    python_dir = os.path.dirname(sys.executable)
    env["PATH"] = os.pathsep.join([args.tool, python_dir, env.get("PATH", "")])
    env["PYTHONPATH"] = args.python_path
    env["PYTHONDONTWRITEBYTECODE"] = "1"

    os.makedirs(args.work, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="page-", dir=args.work) as scratch:
        work = pathlib.Path(scratch)
        cpp = [b for b in live if b.language == "cpp"]
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            built = list(pool.map(lambda nb: build_cpp(nb[1], work, args, nb[0]),
                                  enumerate(cpp)))
        binaries = dict(zip(map(id, cpp), built))
        python = [b for b in live if b.language == "python"]
        # Blocks run in page order; the page's Python runs in one go where its first block is.
        for b in live:
            if b.language == "cpp":
                binary, error = binaries[id(b)]
                if error is None:
                    done = subprocess.run([str(binary)], cwd=work, env=env, capture_output=True,
                                          text=True, timeout=600)
                    if done.returncode != 0:
                        error = f"exits {done.returncode}:\n{done.stdout}{done.stderr}"
                if error:
                    failures.append(f"{b.where()} (cpp) {error}")
            elif b.language == "python" and b is python[0]:
                ok, log = run_python(python, work, env)
                if not ok:
                    failures.append(log)
            elif b.language == "console":
                for problem in run_console(b, work, env):
                    failures.append(f"{b.where()} (console):\n{problem}")
            elif b.language == "sh":
                done = subprocess.run(["bash", "-e", "-c", b.text], cwd=work, env=env,
                                      capture_output=True, text=True, timeout=600)
                if done.returncode != 0:
                    failures.append(f"{b.where()} (sh) exits {done.returncode}:\n"
                                    f"{done.stdout}{done.stderr}")
    skipped = [b for b in blocks if b.skip]
    print(f"{args.page}: {len(live)} blocks run, {len(skipped)} marked not to run, "
          f"{len(failures)} failures")
    for b in skipped:
        print(f"  not run: {b.where()} ({b.skip})")
    for f in failures:
        print(f"FAILED {f}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
