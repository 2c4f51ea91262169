"""Benchmarks: the matrix algorithm's kernel vs the NumPy and plain-Python textbook loops,
and vs the same algorithm hand-written in C (the ceiling). One group per input.

Run: ``PYTHONPATH=src python -m pytest benchmarks/test_bench_deadlock_matrix.py --benchmark-only``

- ``kernel``: the public ``deadlock.detect`` (validation + kernel), what users call;
- ``kernel-raw``: the compiled kernel on already-validated arrays, the like-for-like
  comparison with ``ceiling-c`` (the C version, called through ctypes);
- ``numpy``: the textbook loop vectorised (``method="numpy"``), ``reference``: plain Python
  (only where it ends in seconds). The slow baselines run one round.
"""

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))

from _ceiling import MatrixCeiling, load  # noqa: E402

from cysolve import _validate, deadlock  # noqa: E402
from cysolve.deadlock import _matrix, _numpy_loop, reference  # noqa: E402
from strategies import chain_system, hidden_order_system  # noqa: E402


def _uniform(n, m, seed=0):
    rng = np.random.default_rng(seed)
    C = rng.integers(0, 10, size=(n, m), dtype=np.int64)
    R = rng.integers(0, 10, size=(n, m), dtype=np.int64)
    A = rng.integers(0, 10, size=m, dtype=np.int64)
    return C, R, A


def _batch(k, n, m, seed=0):
    """k random 20 x 5 systems: a hidden-order part with a few processes asking for more."""
    rng = np.random.default_rng(seed)
    systems = [hidden_order_system(n, m, seed=int(s)) for s in rng.integers(0, 2**32, size=k)]
    C = np.stack([s[0] for s in systems])
    R = np.stack([s[1] for s in systems])
    A = np.stack([s[2] for s in systems])
    R += (rng.random(R.shape) < 0.02) * rng.integers(0, 10, size=R.shape)
    return C, R, A


INPUTS = {
    "chain n=20000 m=4": lambda: chain_system(20_000, 4, seed=1)[:3],
    "hidden order n=10000 m=100": lambda: hidden_order_system(10_000, 100, seed=1),
    "uniform n=1000 m=10": lambda: _uniform(1_000, 10),
}
# Plain-Python textbook: O(n^2 m) per run; only the small input ends in seconds.
REFERENCE_OK = {"uniform n=1000 m=10"}

_data = {}


def data(name):
    if name not in _data:
        _data[name] = _validate.matrix_system(*INPUTS[name]())
    return _data[name]


@pytest.fixture(scope="module")
def ceiling():
    lib, how = load("matrix")
    if lib is None:
        pytest.skip(f"C ceiling unavailable: {how}")
    return MatrixCeiling(lib)


def _raw(C, R, A):
    A = A.copy()
    order = np.empty(C.shape[0], dtype=np.int64)
    done = _matrix.detect(C, R, A, order)
    return order[:done], A


@pytest.mark.parametrize("name", list(INPUTS))
@pytest.mark.parametrize("impl", ["kernel", "kernel-raw", "ceiling-c", "numpy", "reference"])
def test_single(benchmark, name, impl, request):
    C, R, A = data(name)
    benchmark.group = name
    benchmark.name = impl
    expected = _raw(C, R, A)[1]
    if impl == "kernel":
        result = benchmark(lambda: deadlock.detect(C, R, available=A).available)
    elif impl == "kernel-raw":
        result = benchmark(lambda: _raw(C, R, A)[1])
    elif impl == "ceiling-c":
        ceil = request.getfixturevalue("ceiling")
        result = benchmark(lambda: ceil.detect(C, R, A)[1])
    elif impl == "numpy":
        result = benchmark.pedantic(lambda: _numpy_loop.detect(C, R, A)[1], rounds=1)
    else:
        if name not in REFERENCE_OK:
            pytest.skip("the plain-Python textbook loop takes minutes on this input")
        lists = C.tolist(), R.tolist(), A.tolist()
        result = benchmark.pedantic(lambda: np.array(reference.detect(*lists)[2]), rounds=1)
    np.testing.assert_array_equal(result, expected)


BATCH = "batch k=10000 of 20x5"
_batch_data = {}


def batch_data():
    if not _batch_data:
        _batch_data["v"] = _validate.matrix_batch(*_batch(10_000, 20, 5))
    return _batch_data["v"]


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("impl", ["kernel", "ceiling-c"])
def test_batch(benchmark, impl, threads, request):
    C, R, A = batch_data()
    benchmark.group = BATCH
    benchmark.name = f"{impl} threads={threads}"
    expected = deadlock.detect_batch(C, R, A, num_threads=1)
    if impl == "kernel":
        result = benchmark(lambda: deadlock.detect_batch(C, R, A, num_threads=threads))
    else:
        ceil = request.getfixturevalue("ceiling")
        result = benchmark(lambda: ceil.detect_batch(C, R, A, threads))
    np.testing.assert_array_equal(result, expected)


def test_batch_numpy_loop(benchmark):
    C, R, A = batch_data()
    benchmark.group = BATCH
    benchmark.name = "numpy loop over systems"

    def run():
        out = np.ones(C.shape[:2], dtype=bool)
        for s in range(C.shape[0]):
            out[s, _numpy_loop.detect(C[s], R[s], A[s])[0]] = False
        return out

    result = benchmark.pedantic(run, rounds=1)
    np.testing.assert_array_equal(result, deadlock.detect_batch(C, R, A, num_threads=1))
