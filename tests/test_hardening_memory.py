"""Hardening: memory stays flat, guards refuse before allocating, batches stay bounded,
results never alias inputs and inputs are never modified.

RSS comes from /proc/self/statm (current) and VmHWM in /proc/self/status (peak); the peak checks
run in a fresh interpreter, whose peak starts low, so a table that was allocated and touched
would show. Tolerances are generous against allocator noise and far below what the leak or
the allocation being ruled out would cost (each test says how far).
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import textwrap
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from _fuzz_worker import arrays_in  # the same walk over result objects the fuzzer uses
from cysolve import deadlock, xscore

CALLS = 10_000
LINUX = Path("/proc/self/statm").exists()
MIB = 1 << 20


def rss() -> int:
    """Resident set size of this process, bytes."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _calls():
    """(label, zero-argument call) for every public function, on success and error paths.

    The instances are chosen so that a leaked kernel table would show: best_score on 9
    distinct values allocates an 8 KiB table per call (10,000 leaked tables: 80 MiB).
    """
    a9 = np.arange(9)
    batch = np.tile(np.arange(8), (4, 1))
    out = [
        ("best_score", lambda: xscore.best_score(a9)),
        ("best_score residue", lambda: xscore.best_score(a9[:7], method="residue")),
        ("best_order", lambda: xscore.best_order(a9)),
        ("best_scores", lambda: xscore.best_scores(batch, num_threads=1)),
        ("best_scores ragged 2 threads", lambda: xscore.best_scores([[1, 2, 3], [5], []] * 4,
                                                                    num_threads=2)),
        ("memory_needed", lambda: xscore.memory_needed(a9)),
        ("play", lambda: xscore.play([1, 2, 3], [2, 0, 1])),
        ("best_score error", lambda: xscore.best_score([1, "x"])),
        ("best_scores error", lambda: xscore.best_scores([[1, 2], [3, -1]])),
        ("best_score over the guard", lambda: xscore.best_score(a9, max_memory=1000)),
    ]
    rng = np.random.default_rng(0)
    C, R, A = rng.integers(0, 3, (60, 4)), rng.integers(0, 3, (60, 4)), np.full(4, 2)
    out += [
        ("detect", lambda: deadlock.detect(C, R, available=A)),
        ("detect error", lambda: deadlock.detect(C, R[:3], available=A)),
    ]
    Cb, Rb = rng.integers(0, 3, (16, 20, 3)), rng.integers(0, 3, (16, 20, 3))
    Ab = np.ones((16, 3), int)
    out.append(("detect_batch", lambda: deadlock.detect_batch(Cb, Rb, Ab, num_threads=2)))
    out += [
        ("is_safe", lambda: deadlock.is_safe([3], [[3], [2], [2]], [[9], [4], [7]])),
        ("request_ok",
         lambda: deadlock.request_ok([3], [[3], [2], [2]], [[9], [4], [7]], 1, [1])),
    ]
    Cs, Ms = Cb, Cb + rng.integers(0, 3, Cb.shape)
    out += [
        ("is_safe_batch 2 threads", lambda: deadlock.is_safe_batch(
            Ab, Cs, Ms, return_sequences=True, num_threads=2)),
        ("request_ok_batch", lambda: deadlock.request_ok_batch(
            Ab, Cs, Ms, np.arange(16) % 20, np.zeros((16, 3), int), num_threads=2)),
        ("is_safe_batch error", lambda: deadlock.is_safe_batch(Ab, Ms, Cs)),
    ]
    edges = [(f"P{i}", f"P{(i * 7 + 3) % 100}") for i in range(100)]
    out += [
        ("detect_graph", lambda: deadlock.detect_graph(edges).blocked),
        ("detect_graph error", lambda: deadlock.detect_graph([("a", ["b"])])),
    ]
    out.append(("resource_graph", lambda: str(deadlock.detect_graph(deadlock.resource_graph(
        holds={"R1": "P1", "R2": "P2"}, waits={"P1": ["R2"], "P2": "R1"})))))
    return out


def _call(fn):
    try:
        fn()
    except (TypeError, ValueError, OverflowError):
        pass


def _growth(fn, calls: int = CALLS) -> tuple[int, int]:
    """(Python bytes, RSS bytes) that ``calls`` more calls of ``fn`` left behind, after a
    warm-up (caches, allocator pools, the OpenMP team)."""
    for _ in range(300):
        _call(fn)
    gc.collect()
    rss_before = rss()
    tracemalloc.start()
    try:
        for _ in range(200):
            _call(fn)
        gc.collect()
        py_before = tracemalloc.get_traced_memory()[0]
        for _ in range(calls):
            _call(fn)
        gc.collect()
        py_growth = tracemalloc.get_traced_memory()[0] - py_before
    finally:
        tracemalloc.stop()
    return py_growth, rss() - rss_before


# A leak of one small object per call is >= 10,000 * 32 bytes = 320 KB of Python memory; a
# leaked table is 80 MiB of RSS (a leaked multiset buffer alone, 10,000 * 80 bytes, is below
# RSS noise: the sanitizer build covers those).
PY_TOLERANCE = 64 * 1024
RSS_TOLERANCE = 16 * MIB


@pytest.mark.skipif(not LINUX, reason="RSS from /proc/self/statm (Linux)")
@pytest.mark.parametrize("case", _calls(), ids=lambda c: c[0])
def test_repeated_calls_keep_memory_flat(case):
    """10,000 calls: Python allocations (tracemalloc) and RSS do not grow."""
    label, fn = case
    py_growth, rss_growth = _growth(fn)
    assert py_growth < PY_TOLERANCE, f"{label}: Python memory grew {py_growth:,} bytes"
    assert rss_growth < RSS_TOLERANCE, f"{label}: RSS grew {rss_growth:,} bytes"


@pytest.mark.skipif(not LINUX, reason="RSS from /proc/self/statm (Linux)")
def test_the_leak_check_sees_leaks():
    """The measurement itself: 32 bytes of Python objects or 8 KiB of C memory per call show."""
    import ctypes

    kept = []
    py_growth, _ = _growth(lambda: kept.append(bytes(32)))
    assert py_growth > PY_TOLERANCE
    libc = ctypes.CDLL(None)
    libc.malloc.restype = ctypes.c_void_p
    blocks = []

    def leak_c():  # what a kernel that forgot free(table) would do, table touched
        p = libc.malloc(8192)
        ctypes.memset(p, 1, 8192)
        blocks.append(p)

    try:
        _, rss_growth = _growth(leak_c)
        assert rss_growth > RSS_TOLERANCE
    finally:
        libc.free.argtypes = [ctypes.c_void_p]
        for p in blocks:
            libc.free(p)


def _fresh(code: str) -> dict:
    """Run ``code`` in a fresh interpreter; it prints one JSON object."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(Path(xscore.__file__).parent.parent.parent), os.environ.get("PYTHONPATH", "")]))
    prelude = textwrap.dedent("""
        import json, time
        import numpy as np
        from cysolve import xscore
        def peak():  # bytes. Not ru_maxrss: Linux carries that over exec from the parent
            with open("/proc/self/status") as f:  # VmHWM belongs to this address space
                return next(int(l.split()[1]) for l in f if l.startswith("VmHWM:")) * 1024
    """)
    proc = subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)],
                          capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not LINUX, reason="peak RSS from /proc/self/status (Linux)")
def test_over_the_guard_fails_before_allocating():
    out = _fresh("""
        D = "dominance"                # the guard checks its table before allocating
        a = list(range(22))            # dominance table: 2**22 * 16 bytes = 64 MiB
        need = xscore.memory_needed(a, method="dominance")
        xscore.best_score([1, 2, 3])   # everything imported and warmed up
        before = peak()
        start = time.perf_counter()
        errors = []
        for call in (lambda: xscore.best_score(a, method=D, max_memory=need - 1),
                     lambda: xscore.best_order(a, method=D, max_memory=need - 1),
                     lambda: xscore.best_scores([a], method=D, max_memory=need - 1),
                     lambda: xscore.best_score(list(range(40)), method=D),
                     lambda: xscore.best_score(list(range(40)), method="residue")):
            try:
                call()
            except (ValueError, OverflowError) as exc:
                errors.append("ValueError" if isinstance(exc, ValueError) else "OverflowError")
        refused = peak() - before
        seconds = time.perf_counter() - start
        xscore.best_score(a, method=D, max_memory=need)   # control: the same table, allowed
        print(json.dumps(dict(errors=errors, refused=refused, seconds=seconds,
                              allowed=peak() - before, need=need)))
    """)
    # 40 values: over the dominance guard (ValueError), beyond the residue DP's 31 (Overflow).
    assert out["errors"] == ["ValueError"] * 4 + ["OverflowError"], out
    assert out["seconds"] < 5, out  # nothing computed either (the allowed call takes ~1 s)
    # The control shows the measurement sees the table; the refusals allocated none of it.
    assert out["allowed"] > out["need"] // 2, out
    assert out["refused"] < 8 * MIB, out


@pytest.mark.skipif(not LINUX, reason="peak RSS from /proc/self/status (Linux)")
def test_batch_memory_is_bounded_by_threads_not_by_batch_size():
    out = _fresh("""
        k = 12_000
        batch = np.tile(np.arange(12), (k, 1))       # each: 2**12 states, a 64 KiB table
        table = xscore.memory_needed(batch[0])
        xscore.best_scores(batch[:4], num_threads=2)  # warm-up: OpenMP team, imports
        before = peak()
        scores = xscore.best_scores(batch, num_threads=2)
        growth = peak() - before
        assert (scores == scores[0]).all()
        print(json.dumps(dict(growth=growth, table=table, k=k, input=batch.nbytes)))
    """)
    everything = out["table"] * out["k"]  # 750 MiB if every instance had its own table
    bound = 2 * out["table"] + 4 * out["input"] + 24 * MIB  # 2 threads' tables + copies + slack
    assert out["growth"] < bound < everything // 20, out


# --- results never alias inputs; inputs never modified -----------------------------------

def _aliasing_cases():
    """(label, call, inputs): inputs are C-contiguous native int64 (the no-copy-needed case)."""
    a = np.array([1, 2, 3, 50, 7], dtype=np.int64)
    batch = np.array([[1, 2, 3], [3, 2, 1]], dtype=np.int64)
    cases = [
        ("best_order", lambda: xscore.best_order(a), [a]),
        ("best_scores", lambda: xscore.best_scores(batch), [batch]),
        ("best_scores 1 thread", lambda: xscore.best_scores(batch, num_threads=1), [batch]),
        ("play", lambda: xscore.play(a, np.arange(5)), [a]),
    ]
    C = np.array([[0, 0, 1, 0], [2, 0, 0, 1], [0, 1, 2, 0]], dtype=np.int64)
    R = np.array([[2, 0, 0, 1], [1, 0, 1, 0], [2, 1, 0, 1]], dtype=np.int64)
    E = np.array([4, 2, 3, 1], dtype=np.int64)
    A = E - C.sum(0)
    for method in ("kernel", "numpy", "reference"):
        cases.append((f"detect {method}",
                      lambda m=method: deadlock.detect(C, R, available=A, method=m), [C, R, A]))
    cases.append(("detect existing", lambda: deadlock.detect(C, R, existing=E), [C, R, E]))
    Cb, Rb, Ab = C[None].repeat(3, 0), R[None].repeat(3, 0), A[None].repeat(3, 0)
    cases.append(("detect_batch", lambda: deadlock.detect_batch(Cb, Rb, Ab), [Cb, Rb, Ab]))
    Av, Cs, M = np.array([3]), np.array([[3], [2], [2]]), np.array([[9], [4], [7]])
    cases += [
        ("is_safe", lambda: deadlock.is_safe(Av, Cs, M), [Av, Cs, M]),
        ("request_ok", lambda: deadlock.request_ok(Av, Cs, M, 1, np.array([1])), [Av, Cs, M]),
    ]
    Ab2, Cb2, Mb = Av[None].repeat(3, 0), Cs[None].repeat(3, 0), M[None].repeat(3, 0)
    procs, asks = np.array([1, 0, 2]), np.ones((3, 1), dtype=np.int64)
    cases += [
        ("is_safe_batch", lambda: deadlock.is_safe_batch(Ab2, Cb2, Mb, return_sequences=True),
         [Ab2, Cb2, Mb]),
        ("request_ok_batch", lambda: deadlock.request_ok_batch(Ab2, Cb2, Mb, procs, asks),
         [Ab2, Cb2, Mb, procs, asks]),
    ]
    indptr = np.array([0, 1, 2, 3, 3], dtype=np.int64)
    indices = np.array([1, 2, 0], dtype=np.int64)
    edges = np.array([[5, 6], [6, 5], [7, 5]], dtype=np.int64)
    cases += [
        ("detect_graph csr", lambda: deadlock.detect_graph((indptr, indices)),
         [indptr, indices]),
        ("detect_graph csr int32", lambda: deadlock.detect_graph(
            (indptr.astype(np.int32), indices.astype(np.int32))), []),
        ("detect_graph edges", lambda: deadlock.detect_graph(edges), [edges]),
    ]
    try:
        import scipy.sparse as sp

        mat = sp.csr_matrix(([1, 1, 1], indices, indptr), shape=(4, 4))
        cases.append(("detect_graph sparse", lambda: deadlock.detect_graph(mat),
                      [mat.indptr, mat.indices, mat.data]))
    except ImportError:
        pass
    return cases


@pytest.mark.parametrize("case", _aliasing_cases(), ids=lambda c: c[0])
def test_results_never_alias_inputs_and_inputs_are_unchanged(case):
    label, call, inputs = case
    for x in inputs:
        x.setflags(write=True)
    before = [x.copy() for x in inputs]
    result = call()
    for x, b in zip(inputs, before, strict=False):
        assert x.tobytes() == b.tobytes() and x.dtype == b.dtype, f"{label} modified an input"
    for out in arrays_in(result):
        for x in inputs:
            assert not np.shares_memory(out, x), f"{label}: a result array aliases an input"
