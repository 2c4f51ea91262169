"""Build and load the hand-written C ceiling (``benchmarks/ceiling/*.c``) through ctypes.

Compiled at benchmark time with ``gcc -O3 -shared -fPIC`` (plus ``-fopenmp`` when the
compiler has it) into a temporary directory; ``CC`` picks another compiler. ``load`` returns
None with the reason when there is no working compiler, so the benchmark can skip.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent / "ceiling"
_TMP = tempfile.TemporaryDirectory(prefix="cysolve-ceiling-")
_cache: dict[str, tuple[ctypes.CDLL | None, str]] = {}


def _compile(name: str) -> tuple[ctypes.CDLL | None, str]:
    cc = os.environ.get("CC", "gcc")
    if shutil.which(cc) is None:
        return None, f"no C compiler ({cc!r} not found)"
    source = HERE / f"{name}.c"
    target = Path(_TMP.name) / f"{name}.so"
    base = [cc, "-O3", "-shared", "-fPIC", str(source), "-o", str(target)]
    for extra in (["-fopenmp"], []):
        result = subprocess.run(base + extra, capture_output=True, text=True)
        if result.returncode == 0:
            return ctypes.CDLL(str(target)), " ".join(base[:4] + extra)
    return None, f"{cc} failed on {source.name}: {result.stderr.strip()[:300]}"


def load(name: str) -> tuple[ctypes.CDLL | None, str]:
    """``(library, how it was built)`` or ``(None, why not)``; built once per session."""
    if name not in _cache:
        _cache[name] = _compile(name)
    return _cache[name]


class MatrixCeiling:
    """The C version of the matrix algorithm, called on validated int64 arrays."""

    def __init__(self, lib: ctypes.CDLL):
        self.lib = lib
        lib.ceiling_detect.restype = ctypes.c_int64
        lib.ceiling_detect.argtypes = (
            [ctypes.c_void_p] * 3 + [ctypes.c_int64] * 2 + [ctypes.c_void_p]
        )
        lib.ceiling_detect_batch.restype = ctypes.c_int
        lib.ceiling_detect_batch.argtypes = (
            [ctypes.c_void_p] * 3
            + [ctypes.c_int64] * 3
            + [
                ctypes.c_void_p,
                ctypes.c_int,
            ]
        )

    def detect(self, C: np.ndarray, R: np.ndarray, A: np.ndarray):
        """``(order, available)`` like the kernel; ``A`` is not modified."""
        A = A.copy()
        order = np.empty(C.shape[0], dtype=np.int64)
        done = self.lib.ceiling_detect(
            C.ctypes.data, R.ctypes.data, A.ctypes.data, C.shape[0], C.shape[1], order.ctypes.data
        )
        if done < 0:
            raise MemoryError("ceiling: out of memory")
        return order[:done], A

    def detect_batch(self, C: np.ndarray, R: np.ndarray, A: np.ndarray, threads: int):
        k, n, m = C.shape
        out = np.zeros((k, n), dtype=np.uint8)
        status = self.lib.ceiling_detect_batch(
            C.ctypes.data, R.ctypes.data, A.ctypes.data, k, n, m, out.ctypes.data, threads
        )
        if status < 0:
            raise MemoryError("ceiling: out of memory")
        return out.view(np.bool_)
