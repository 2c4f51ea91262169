"""Hand-written C versions of the kernels, compiled here with gcc -O3: the ceiling we measure against.

``load("xscore")`` compiles ``benchmarks/ceiling/xscore.c`` once per session into a temporary
directory and returns the ``ctypes`` library, or raises ``CeilingUnavailable`` (the benchmark
is then skipped with that reason) when no C compiler is on the PATH.
"""

from __future__ import annotations

import ctypes
import functools
import shutil
import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).parent / "ceiling"


class CeilingUnavailable(RuntimeError):
    pass


@functools.cache
def load(name: str) -> ctypes.CDLL:
    compiler = shutil.which("gcc") or shutil.which("cc")
    if compiler is None:
        raise CeilingUnavailable("no C compiler (gcc/cc) on PATH for the hand-written C ceiling")
    out = Path(tempfile.mkdtemp(prefix="cysolve-ceiling-")) / f"{name}.so"
    subprocess.run(
        [compiler, "-O3", "-shared", "-fPIC", "-o", str(out), str(HERE / f"{name}.c")],
        check=True,
        capture_output=True,
    )
    return ctypes.CDLL(str(out))
