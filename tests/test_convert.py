"""cysolve._convert: the generic conversions every public function uses."""

import numpy as np
import pytest

from cysolve import _convert
from cysolve.errors import InstanceError


def test_int_array_copies_and_normalises():
    src = np.arange(10, dtype=">i2")[::2]
    src.setflags(write=False)
    out = _convert.int_array(src, "x")
    assert out.dtype == np.int64 and out.flags.c_contiguous and out.flags.writeable
    assert not np.shares_memory(out, src)
    assert out.tolist() == [0, 2, 4, 6, 8]
    native = np.arange(5, dtype=np.int64)
    assert not np.shares_memory(_convert.int_array(native, "x"), native)


def test_ragged_fast_and_slow_paths_agree():
    rows = [[1, 2, 3], [], [4], [5, 6]]
    values, offsets = _convert.ragged(rows, "batch")
    assert values.tolist() == [1, 2, 3, 4, 5, 6] and offsets.tolist() == [0, 3, 3, 4, 6]
    values2, offsets2 = _convert.ragged([np.array(r, dtype=np.uint8) for r in rows], "batch")
    assert values2.tolist() == values.tolist() and offsets2.tolist() == offsets.tolist()
    with pytest.raises(ValueError, match=r"batch\[3\]\[1\] = -6: values must be non-negative") as e:
        _convert.ragged([[1, 2, 3], [], [4], [5, -6]], "batch")
    assert isinstance(e.value, InstanceError) and e.value.index == 3
    assert e.value.rule == ": a[1] = -6: values must be non-negative"


def test_batch_errors_carry_the_row():
    with pytest.raises(OverflowError, match=r"batch\[2, 0\]") as e:
        _convert.ragged(np.array([[1], [2], [2**63]], dtype=np.uint64), "batch")
    assert isinstance(e.value, InstanceError) and e.value.index == 2
    with pytest.raises(TypeError, match=r"batch\[1\]\[0\] = True") as e:
        _convert.ragged([[1], [True]], "batch")
    assert e.value.index == 1
