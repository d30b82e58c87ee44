"""Shared fixtures: every test runs in its own temporary directory."""

import pytest


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path, monkeypatch):
    """Runs the test with tmp_path as the working directory, so relative names land there."""
    monkeypatch.chdir(tmp_path)
    return tmp_path
