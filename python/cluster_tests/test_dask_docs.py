"""Runs the Python of docs/dask.md as written, in order, in one directory, and checks what each
print() shows against the comment on its line."""

import os
import re
import subprocess
import sys

import pytest

pytest.importorskip("distributed")

# The programs run in another directory: the module must be found from there too. (Made
# absolute now, before the fixtures change the working directory.)
PYTHONPATH = os.pathsep.join(
    os.path.abspath(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p)
DOC = os.path.join(os.environ.get("MAPARRAY_SOURCE_DIR",
                                  os.path.join(os.path.dirname(__file__), "..", "..")),
                   "docs", "dask.md")


def blocks():
    with open(DOC) as f:
        return re.findall(r"```python\n(.*?)```", f.read(), re.S)


def expectations(code):
    """For each print() line, the start of what it must print: its comment up to a colon or
    "...", or None (anything) when it has none or the comment says "about"."""
    wanted = []
    for line in code.splitlines():
        match = re.match(r"\s*print\(.*?\)(\s+#\s*(.*))?$", line)
        if match:
            comment = match.group(2) or "about"
            wanted.append(None if comment.startswith("about")
                          else re.split(r":|\.\.\.", comment)[0].strip())
    return wanted


@pytest.fixture
def scratch(tmp_path):
    """tmp_path, emptied afterwards: the session writes 1 GiB, which pytest would keep."""
    yield tmp_path
    for entry in tmp_path.iterdir():
        entry.unlink()


def test_the_python_of_docs_dask_md_runs_as_shown(scratch):
    tmp_path = scratch
    found = blocks()
    assert len(found) >= 3
    environment = dict(os.environ, PYTHONPATH=PYTHONPATH)
    for number, code in enumerate(found):
        first = code.splitlines()[0]
        name = first[2:].strip() if re.match(r"# \w+\.py$", first) else f"block{number}.py"
        (tmp_path / name).write_text(code)
        result = subprocess.run([sys.executable, name], cwd=tmp_path, capture_output=True,
                                text=True, timeout=600, env=environment)
        assert result.returncode == 0, f"{name}:\n{code}\n{result.stderr}"
        printed = result.stdout.splitlines()
        wanted = expectations(code)
        assert len(printed) == len(wanted), f"{name}: printed {printed}"
        for shown, expected in zip(printed, wanted):
            assert expected is None or shown.startswith(expected), \
                f"{name}: {shown!r} is not {expected!r}"
