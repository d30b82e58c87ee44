"""Fixtures of the maparray.mpi tests, which every rank of an MPI job runs (under mpiexec):
a scratch directory that all ranks share."""

import os
import shutil
import tempfile

import pytest

import maparray.mpi  # noqa: F401  (sets mpi4py's thread level before MPI is initialized)
from mpi4py import MPI


@pytest.fixture
def comm():
    return MPI.COMM_WORLD


@pytest.fixture
def shared_dir(comm):
    """A directory made by rank 0, known to every rank, removed after the test."""
    path = tempfile.mkdtemp(prefix="maparray-mpi-py-") if comm.rank == 0 else None
    path = comm.bcast(path, root=0)
    yield path
    comm.Barrier()
    if comm.rank == 0:
        shutil.rmtree(path, ignore_errors=True)


def pytest_report_header(config):
    return f"MPI rank {MPI.COMM_WORLD.rank} of {MPI.COMM_WORLD.size}, pid {os.getpid()}"
