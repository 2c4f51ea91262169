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
    """Compile ``c/{name}.c`` (with OpenMP when the compiler has it) and load it."""
    compiler = os.environ.get("CC") or shutil.which("gcc") or shutil.which("cc")
    if compiler is None:
        raise CeilingUnavailable("no C compiler (gcc/cc) on PATH for the hand-written C ceiling")
    out = Path(tempfile.mkdtemp(prefix="cysolve-ceiling-")) / f"{name}.so"
    build = [compiler, "-O3", "-shared", "-fPIC", "-o", str(out), str(SOURCES / f"{name}.c")]
    for extra in (["-fopenmp"], []):
        done = subprocess.run(build + extra, capture_output=True, text=True)
        if done.returncode == 0:
            return ctypes.CDLL(str(out))
    raise CeilingUnavailable(f"the C ceiling {name}.c did not compile: {done.stderr[:500]}")


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


def xscore_frontier():
    """``f(a) -> best score`` from the C layer-frontier DP (values below 64, ``n <= 57``)."""
    fn = load("xscore_frontier").frontier_c
    fn.restype = ctypes.c_int64
    fn.argtypes = [INT64_P, ctypes.c_int64]

    def best_score(a):
        arr = np.ascontiguousarray(a, dtype=np.int64)
        score = fn(pointer(arr), arr.size)
        if score < 0:
            raise MemoryError("the C ceiling ran out of memory")
        return int(score)

    return best_score


def xscore_frontier_batch():
    """``f(batch) -> int64 scores`` from the C frontier over the rows of a (k, n) batch."""
    fn = load("xscore_frontier").frontier_batch_c
    fn.restype = ctypes.c_int
    fn.argtypes = [INT64_P, ctypes.c_int64, ctypes.c_int64, INT64_P]

    def best_scores(batch):
        arr = np.ascontiguousarray(batch, dtype=np.int64)
        out = np.empty(arr.shape[0], dtype=np.int64)
        if fn(pointer(arr), arr.shape[0], arr.shape[1], pointer(out)) < 0:
            raise MemoryError("the C ceiling ran out of memory")
        return out

    return best_scores


def matrix():
    """``f(C, R, A) -> (order, final A)`` from the C matrix algorithm (validated int64 input)."""
    lib = load("matrix")
    fn = lib.ceiling_detect
    fn.restype = ctypes.c_int64
    fn.argtypes = [INT64_P, INT64_P, INT64_P, ctypes.c_int64, ctypes.c_int64, INT64_P]

    def detect(C, R, A):
        A = np.array(A, dtype=np.int64)
        n, m = C.shape
        order = np.empty(n, dtype=np.int64)
        done = fn(pointer(C), pointer(R), pointer(A), n, m, pointer(order))
        if done < 0:
            raise MemoryError("the C ceiling ran out of memory")
        return order[:done], A

    return detect


def matrix_batch(num_threads: int):
    """``f(C, R, A) -> bool (k, n) deadlocked`` from the C batch on ``num_threads`` threads."""
    fn = load("matrix").ceiling_detect_batch
    fn.restype = ctypes.c_int
    fn.argtypes = [INT64_P, INT64_P, INT64_P, ctypes.c_int64, ctypes.c_int64, ctypes.c_int64,
                   ctypes.POINTER(ctypes.c_uint8), ctypes.c_int]

    def detect_batch(C, R, A):
        k, n, m = C.shape
        out = np.zeros((k, n), dtype=np.uint8)
        status = fn(pointer(C), pointer(R), pointer(A), k, n, m,
                    out.ctypes.data_as(ctypes.POINTER(ctypes.c_uint8)), num_threads)
        if status < 0:
            raise MemoryError("the C ceiling ran out of memory")
        return out.view(np.bool_)

    return detect_batch


ON_CYCLE = 1  # graph.c's per-node flag for "lies on a cycle"


def graph_scan():
    """``f(indptr, indices) -> bool mask of the nodes on a cycle`` from the C graph pass."""
    fn = load("graph").scan
    i32 = np.ctypeslib.ndpointer(np.int32, flags="C_CONTIGUOUS")
    fn.restype = ctypes.c_int64
    fn.argtypes = [i32, i32, ctypes.c_int32, np.ctypeslib.ndpointer(np.uint8, flags="C_CONTIGUOUS")]

    def scan(indptr, indices):
        n = indptr.size - 1
        state = np.zeros(n, dtype=np.uint8)
        if fn(indptr, indices, n, state) < 0:
            raise MemoryError("the C ceiling ran out of memory")
        return (state & ON_CYCLE).astype(bool)

    return scan


def graph_first_cycle():
    """``f(indptr, indices) -> length of the first cycle found (0: none)``, early exit."""
    fn = load("graph").first_cycle
    i32 = np.ctypeslib.ndpointer(np.int32, flags="C_CONTIGUOUS")
    fn.restype = ctypes.c_int64
    fn.argtypes = [i32, i32, ctypes.c_int32]
    return lambda indptr, indices: int(fn(indptr, indices, indptr.size - 1))
