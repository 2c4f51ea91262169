"""XScoreGame: the Cython kernels vs the pure-Python references vs hand-written C.

One group per input (values 0..50, fixed seed); each group holds every implementation that
finishes in seconds on it. Ratios come from the medians of one run.
"""

import ctypes

import numpy as np
import pytest

from cysolve import xscore
from cysolve.xscore import reference
from _ceiling import CeilingUnavailable, load

SEED = 709


def instance(n: int) -> np.ndarray:
    return np.random.default_rng(SEED + n).integers(0, 51, size=n)


def ceiling(fn_name: str):
    try:
        lib = load("xscore")
    except CeilingUnavailable as exc:
        pytest.skip(str(exc))
    fn = getattr(lib, fn_name)
    fn.restype = ctypes.c_int64
    fn.argtypes = [ctypes.POINTER(ctypes.c_int64), ctypes.c_int64]

    def call(a):
        arr = np.ascontiguousarray(a, dtype=np.int64)
        return fn(arr.ctypes.data_as(ctypes.POINTER(ctypes.c_int64)), arr.size)

    return call


IMPLEMENTATIONS = {
    "dominance": lambda a: xscore.best_score(a, method="dominance"),
    "residue": lambda a: xscore.best_score(a, method="residue"),
    "c-dominance": None,  # filled lazily: compiling needs a compiler
    "c-residue": None,
    "python-dp": lambda a: reference.best_score_dp(a.tolist()),
    "python-bruteforce": lambda a: reference.best_score_bruteforce(a.tolist()),
}
# Which implementations run at each n (the pure-Python ones only where they end in seconds).
SIZES = {
    8: ["dominance", "residue", "c-dominance", "c-residue", "python-dp", "python-bruteforce"],
    10: ["dominance", "residue", "c-dominance", "c-residue", "python-dp"],
    12: ["dominance", "residue", "c-dominance", "c-residue", "python-dp"],
    15: ["dominance", "residue", "c-dominance", "c-residue", "python-dp"],
    18: ["dominance", "residue", "c-dominance", "c-residue"],
    20: ["dominance", "c-dominance"],
    22: ["dominance", "c-dominance"],
}
SLOW = {"python-dp", "python-bruteforce"}


@pytest.mark.parametrize(
    ("n", "impl"), [(n, impl) for n, impls in SIZES.items() for impl in impls]
)
def test_best_score(run, benchmark, n, impl):
    benchmark.group = f"xscore n={n}"
    a = instance(n)
    fn = ceiling(impl.replace("c-", "") + "_c") if impl.startswith("c-") else IMPLEMENTATIONS[impl]
    slow = impl in SLOW or n >= 20
    got = run(fn, a, rounds=3 if slow else None)
    if n <= 12 or impl.startswith("c-") or impl == "python-dp":
        assert got == xscore.best_score(a)


@pytest.mark.parametrize("threads", [1, -1], ids=["1-thread", "all-threads"])
def test_batch(run, benchmark, threads):
    benchmark.group = "xscore batch 2000 x n=12"
    batch = np.random.default_rng(SEED).integers(0, 51, size=(2000, 12))
    got = run(xscore.best_scores, batch, num_threads=threads)
    assert got[0] == xscore.best_score(batch[0])
