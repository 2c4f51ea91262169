"""Hardening: fuzz every public function with hostile input, in a subprocess.

tests/_fuzz_worker.py runs the hypothesis targets of one group; this module runs it as a child
process so that a segfault or an abort is a failing test (the exit status is negative: killed by
a signal) that names the input being tried, instead of a dead test run.

- Default run: ``FUZZ_EXAMPLES`` examples per target (a few seconds per group).
- ``CYSOLVE_LONG_FUZZ=1``: 50 times as many, for a nightly or a pre-release run.
- ``CYSOLVE_FUZZ_SEED=N`` repeats a run; otherwise the seed is random and printed on failure.

The regressions below are inputs the fuzzer found; each one was a bug.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

from cysolve import _convert, _parallel, xscore

HERE = Path(__file__).parent
WORKER = HERE / "_fuzz_worker.py"
LONG = os.environ.get("CYSOLVE_LONG_FUZZ", "") not in ("", "0")
FUZZ_EXAMPLES = 150 * (50 if LONG else 1)
TIMEOUT = 3600 if LONG else 240
GROUPS = ["xscore", "validate", "deadlock_matrix", "deadlock_graph"]


def run_worker(group: str, tmp_path: Path, examples: int = FUZZ_EXAMPLES):
    seed = int(os.environ.get("CYSOLVE_FUZZ_SEED", random.randrange(2**32)))
    last = tmp_path / "last_input.txt"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(Path(__import__("cysolve").__file__).parent.parent),
         os.environ.get("PYTHONPATH", "")]))
    cmd = [sys.executable, str(WORKER), group, "--examples", str(examples), "--seed", str(seed),
           "--last", str(last)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, env=env)
    how = f"(reproduce: CYSOLVE_FUZZ_SEED={seed} python {' '.join(cmd[1:5])})"
    if proc.returncode < 0:
        tried = last.read_text(errors="replace") if last.exists() else "?"
        pytest.fail(
            f"the fuzz worker was killed by signal {-proc.returncode} {how}\n"
            f"input being tried:\n{tried}\n--- stderr ---\n{proc.stderr[-6000:]}"
        )
    assert proc.returncode == 0, f"falsifying examples {how}\n{proc.stdout[-12000:]}"
    return proc.stdout


@pytest.mark.parametrize("group", GROUPS)
def test_fuzz_public_api(group, tmp_path):
    """Every target of the group: a right answer or an allowed error, in a child process."""
    out = run_worker(group, tmp_path)
    assert any(line.startswith("PASS") for line in out.splitlines()), out


def test_a_crash_is_a_failing_test(tmp_path, monkeypatch):
    """The harness itself: a child killed by a signal is reported, with the input it tried."""
    crasher = tmp_path / "crash.py"
    crasher.write_text(
        "import ctypes, sys\n"
        "open(sys.argv[sys.argv.index('--last') + 1], 'w').write('best_score([13])')\n"
        "ctypes.string_at(0)\n"
    )
    monkeypatch.setattr(sys.modules[__name__], "WORKER", crasher)
    monkeypatch.delenv("LD_PRELOAD", raising=False)  # under .ci/sanitize: plain SIGSEGV, no report
    expected = r"killed by signal 11(.|\n)*best_score\(\[13\]\)"
    with pytest.raises(pytest.fail.Exception, match=expected):
        run_worker("xscore", tmp_path)


# --- regressions: inputs the fuzzer found ---------------------------------------------------

@pytest.mark.parametrize(
    ("a", "where"),
    [([False, 0], "a[0] = False"), ([3, True], "a[1] = True"), ((2.0, np.bool_(0)), "a[1]")],
)
def test_bools_mixed_with_ints_are_refused(a, where):
    # np.asarray([False, 0]) is an int array: the bool used to pass as the value 0.
    with pytest.raises(TypeError, match=re.escape(where) + ".*not booleans"):
        xscore.best_score(a)
    with pytest.raises(TypeError, match="not booleans"):
        xscore.best_scores([[1, 2], list(a)])


def test_memoryview_batches_are_arrays():
    # Iterating a memoryview of format '<h' raised NotImplementedError.
    arr = np.array([[1, 2, 3], [3, 2, 1]], dtype="<i2")
    assert xscore.best_scores(memoryview(arr)).tolist() == [12, 12]
    with pytest.raises(ValueError, match="batch must be 2-dimensional"):
        xscore.best_scores(memoryview(np.array([1, 2], dtype="<i2")))


@pytest.mark.parametrize("dtype", ["u8", "i8", "f8", "i1", "O"])
def test_absurd_views_fail_fast(dtype):
    # A 10**13-element zero-stride view: the uint64 range check used to scan all of it
    # (minutes) before the copy failed; the wrong shape used to be found only after the copy.
    huge = np.broadcast_to(np.zeros((), dtype=dtype), (10**13,))
    start = time.perf_counter()
    with pytest.raises(MemoryError):
        _convert.int_array(huge, "a", ndim=1)
    with pytest.raises(ValueError, match="2-dimensional"):
        xscore.best_scores(huge)
    with pytest.raises(ValueError, match="1-dimensional"):
        xscore.best_score(np.broadcast_to(np.zeros((), dtype=dtype), (10**7, 10**7)))
    with pytest.raises(MemoryError):  # an array row: it used to become 10**13 Python objects
        xscore.best_scores([[1, 2], huge])
    assert time.perf_counter() - start < 5  # behaviour, not a benchmark: minutes (or OOM) before


def test_float16_input_raises_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert xscore.best_score(np.array([1, 2, 3], dtype=np.float16)) == 12


def test_bytes_and_memoryview_rows_are_not_read_as_numbers():
    # The ragged fast path chained every row: b"\x05" became the instance [5].
    with pytest.raises(TypeError, match=r"batch\[0\] must be an array of integers, not bytes"):
        xscore.best_scores([b"\x05"])
    # A memoryview row is a 1-D buffer: read whole (iterating '<h' raised NotImplementedError).
    assert xscore.best_scores([memoryview(np.array([1, 2], dtype="<i2"))]).tolist() == [5]


def test_an_absurd_thread_count_is_capped_not_fatal():
    # libgomp ends the process ("Thread creation failed") when asked for 50,000 threads.
    cap = _parallel.num_threads(50_000)
    assert 1 <= cap <= max(_parallel.MIN_THREAD_CAP, 4 * (os.cpu_count() or 1))
    assert xscore.best_scores(np.zeros((300, 2), dtype=int), num_threads=50_000).sum() == 0
    assert _parallel.num_threads(2**70) == cap
