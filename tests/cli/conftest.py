"""Fixtures for the tests of the maparray command-line tool.

CTest passes the tool's path in MAPARRAY_CLI; the tests run it as a user would.
"""
import os
import subprocess

import pytest


class Tool:
    def __init__(self, path, cwd):
        self.path = path
        self.cwd = cwd

    def run(self, *args, expect=0):
        """Runs the tool in the test's directory and checks its exit status."""
        done = subprocess.run([self.path, *map(str, args)], cwd=self.cwd, capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == expect, (
            f"maparray {' '.join(map(str, args))}: exit {done.returncode}, wanted {expect}\n"
            f"stdout: {done.stdout}\nstderr: {done.stderr}")
        return done

    def fails(self, *args, expect=1):
        """Runs a command that must fail with a user error: one line on stderr."""
        done = self.run(*args, expect=expect)
        if expect == 1:
            lines = done.stderr.splitlines()
            assert len(lines) == 1, done.stderr
            assert lines[0].startswith("maparray "), lines[0]
        return done


@pytest.fixture
def tool(tmp_path):
    path = os.environ.get("MAPARRAY_CLI")
    if not path:
        pytest.fail("set MAPARRAY_CLI to the maparray executable")
    return Tool(path, tmp_path)


@pytest.fixture(autouse=True)
def no_leftovers(tmp_path):
    """No command may leave a temporary file behind, whether it succeeds or fails."""
    yield
    left = [p.name for p in tmp_path.iterdir() if ".tmp-" in p.name]
    assert not left, f"temporary files left behind: {left}"
