"""Builds the extension maparray._maparray and the maparray command-line tool with the project's
CMake build (see pyproject.toml). The version is read from include/maparray/version.hpp, the one
place it is written."""

import os
import pathlib
import re
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = pathlib.Path(__file__).parent.resolve()


def version():
    """major.minor.patch from the C++ header's MAPARRAY_VERSION_* macros."""
    text = (ROOT / "include" / "maparray" / "version.hpp").read_text()
    parts = [re.search(rf"^#define MAPARRAY_VERSION_{part} (\d+)$", text, re.M).group(1)
             for part in ("MAJOR", "MINOR", "PATCH")]
    return ".".join(parts)


class CMakeExtension(Extension):
    def __init__(self, name):
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build_dir = pathlib.Path(self.build_temp).resolve() / "cmake"
        subprocess.run(
            ["cmake", "-S", str(ROOT), "-B", str(build_dir), "-DCMAKE_BUILD_TYPE=Release",
             f"-DPython3_EXECUTABLE={sys.executable}", "-DMAPARRAY_BUILD_PYTHON=ON",
             "-DMAPARRAY_BUILD_TOOLS=ON", "-DMAPARRAY_BUILD_TESTS=OFF",
             "-DMAPARRAY_BUILD_EXAMPLES=OFF", "-DMAPARRAY_BUILD_BENCHMARKS=OFF",
             "-DMAPARRAY_BUILD_DOCS=OFF"],
            check=True)
        jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL", str(os.cpu_count() or 1))
        subprocess.run(["cmake", "--build", str(build_dir), "--target", "_maparray",
                        "maparray_cli", "-j", jobs], check=True)
        built = next((build_dir / "python" / "maparray").glob("_maparray*.so"))
        target = pathlib.Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built, target)
        # The tool goes inside the package; the console script `maparray` runs it.
        shutil.copy2(build_dir / "tools" / "maparray", target.parent / "_maparray_cli")


setup(version=version(), ext_modules=[CMakeExtension("maparray._maparray")],
      cmdclass={"build_ext": CMakeBuild})
