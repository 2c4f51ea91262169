"""cysolve._validate: the shared conversions and the thread-count convention."""

import os
import subprocess
import sys

import numpy as np
import pytest

from cysolve import _validate


def test_int_array_copies_and_normalises():
    src = np.arange(10, dtype=">i2")[::2]
    src.setflags(write=False)
    out = _validate.int_array(src, "x")
    assert out.dtype == np.int64 and out.flags.c_contiguous and out.flags.writeable
    assert not np.shares_memory(out, src)
    assert out.tolist() == [0, 2, 4, 6, 8]
    native = np.arange(5, dtype=np.int64)
    assert not np.shares_memory(_validate.int_array(native, "x"), native)


def test_num_threads_convention(monkeypatch):
    most = _validate.num_threads(None)
    assert most >= 1
    assert _validate.num_threads(-1) == most
    assert _validate.num_threads(-2) == max(1, most - 1)
    assert _validate.num_threads(-1000) == 1
    assert _validate.num_threads(3) == 3  # explicit counts are honoured, as in scikit-learn
    with pytest.raises(ValueError, match="num_threads = 0"):
        _validate.num_threads(0)
    with pytest.raises(TypeError, match="num_threads must be an integer or None, not bool"):
        _validate.num_threads(True)
    # Automatic counts shrink for small batches; explicit counts are honoured.
    assert _validate.num_threads(None, work_seconds=1e-5) == 1
    assert _validate.num_threads(-1, work_seconds=10.0) == most
    assert _validate.num_threads(2, work_seconds=1e-9) == 2
    monkeypatch.setattr(_validate, "openmp_enabled", lambda: False)
    assert _validate.num_threads(None) == _validate.num_threads(8) == 1


def test_num_threads_honours_omp_num_threads():
    code = "from cysolve._validate import num_threads; print(num_threads(None), num_threads(-1))"
    env = dict(os.environ, OMP_NUM_THREADS="1")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["1", "1"]


def test_ragged_fast_and_slow_paths_agree():
    rows = [[1, 2, 3], [], [4], [5, 6]]
    values, offsets = _validate.ragged(rows, "batch")
    assert values.tolist() == [1, 2, 3, 4, 5, 6] and offsets.tolist() == [0, 3, 3, 4, 6]
    values2, offsets2 = _validate.ragged([np.array(r, dtype=np.uint8) for r in rows], "batch")
    assert values2.tolist() == values.tolist() and offsets2.tolist() == offsets.tolist()
    with pytest.raises(ValueError, match=r"batch\[3\]\[1\] = -6: values must be non-negative"):
        _validate.ragged([[1, 2, 3], [], [4], [5, -6]], "batch")
