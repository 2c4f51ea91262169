"""Hand-written C versions of the kernels: the ceiling the Cython kernels are measured against.

``load("xscore")`` compiles ``c/xscore.c`` (shipped beside this file) once per process with
``cc -O3`` into a temporary directory and returns the ``ctypes`` library. Without a C compiler
it raises :class:`CeilingUnavailable`, and the benchmarks leave the ceiling out, saying why.
"""

from __future__ import annotations

import ctypes
import functools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

SOURCES = Path(__file__).parent / "c"
INT64_P = ctypes.POINTER(ctypes.c_int64)


class CeilingUnavailable(RuntimeError):
    """No C compiler, or the ceiling did not compile."""


@functools.cache
def load(name: str) -> ctypes.CDLL:
    compiler = os.environ.get("CC") or shutil.which("gcc") or shutil.which("cc")
    if compiler is None:
        raise CeilingUnavailable("no C compiler (gcc/cc) on PATH for the hand-written C ceiling")
    out = Path(tempfile.mkdtemp(prefix="cysolve-ceiling-")) / f"{name}.so"
    build = [compiler, "-O3", "-shared", "-fPIC", "-o", str(out), str(SOURCES / f"{name}.c")]
    done = subprocess.run(build, capture_output=True, text=True)
    if done.returncode:
        raise CeilingUnavailable(f"the C ceiling {name}.c did not compile: {done.stderr[:500]}")
    return ctypes.CDLL(str(out))


def pointer(arr: np.ndarray):
    """A ``int64_t *`` for a C-contiguous int64 array (the caller keeps ``arr`` alive)."""
    return arr.ctypes.data_as(INT64_P)


def xscore(method: str):
    """``f(a) -> best score`` from the C ceiling of one XScoreGame DP (values below 64)."""
    fn = getattr(load("xscore"), f"{method}_c")
    fn.restype = ctypes.c_int64
    fn.argtypes = [INT64_P, ctypes.c_int64]

    def best_score(a):
        arr = np.ascontiguousarray(a, dtype=np.int64)
        return int(fn(pointer(arr), arr.size))

    return best_score
