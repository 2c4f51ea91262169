"""The one place that turns user input into checked, contiguous int64 arrays.

Every public function sends its arguments through here before a kernel sees them, so the
kernels can run without bounds checks. Errors name the argument, the index and the rule.
Nothing here modifies the caller's objects: conversions copy whenever the input is not
already a C-contiguous, native-endian int64 array, and results never alias the input.
"""

from __future__ import annotations

import itertools
import numbers
import os
from collections.abc import Sequence

import numpy as np

from cysolve._openmp import omp_max_threads, openmp_enabled

INT64_MAX = np.iinfo(np.int64).max
GIB = 1 << 30


def _where(name: str, index: tuple[int, ...] | int) -> str:
    if isinstance(index, tuple):
        return f"{name}[{', '.join(str(int(i)) for i in index)}]" if index else name
    return f"{name}[{int(index)}]"


def _first(mask: np.ndarray) -> tuple[int, ...]:
    return tuple(int(i) for i in np.argwhere(mask)[0])


def _from_objects(obj, name: str) -> np.ndarray:
    """Convert a (nested) list or an object array element by element, naming the bad one."""
    arr = np.asarray(obj, dtype=object)
    out = np.empty(arr.shape, dtype=np.int64)
    for index, value in np.ndenumerate(arr):
        out[index] = _scalar(value, _where(name, index))
    return out


def _scalar(value, where: str) -> int:
    """One element as a Python int, or the package's error for it."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{where} = {value!r}: values must be integers, not booleans")
    if isinstance(value, numbers.Integral):
        value = int(value)
    elif isinstance(value, numbers.Real):
        if value != value:
            raise ValueError(f"{where} = nan: values must be integers")
        if value in (float("inf"), float("-inf")) or value != int(value):
            raise ValueError(f"{where} = {value!r}: values must be integers")
        value = int(value)
    else:
        raise TypeError(f"{where} = {value!r}: values must be integers, not {type(value).__name__}")
    if not -INT64_MAX - 1 <= value <= INT64_MAX:
        raise OverflowError(f"{where} = {value}: values must fit in int64")
    return value


def int_array(obj, name: str, *, ndim: int | None = None, nonnegative: bool = True) -> np.ndarray:
    """``obj`` as a C-contiguous, native int64 array that the caller's object does not share.

    Accepts lists, tuples, scalars and arrays of any integer dtype, any strides or byte
    order, read-only or not; floats only when every value is a whole number.
    """
    if isinstance(obj, (str, bytes)) or obj is None:
        raise TypeError(f"{name} must be an array of integers, not {type(obj).__name__}")
    if isinstance(obj, np.ndarray):
        arr = obj
    else:
        try:
            arr = np.asarray(obj)
        except ValueError as exc:  # numpy >= 1.24 refuses ragged nesting
            raise ValueError(f"{name} is ragged: every row must have the same length") from exc
        if arr.dtype.kind not in "iufb":
            arr = np.asarray(obj, dtype=object)  # mixed types: find and name the bad element
    kind = arr.dtype.kind
    if kind in "iu":
        if kind == "u" and arr.dtype.itemsize == 8 and arr.size and arr.max() > INT64_MAX:
            index = _first(arr > INT64_MAX)
            raise OverflowError(f"{_where(name, index)} = {arr[index]}: values must fit in int64")
        out = np.array(arr, dtype=np.int64, order="C", copy=True)
    elif kind == "f":
        bad = ~np.isfinite(arr) | (arr != np.floor(arr))
        if bad.any():
            index = _first(bad)
            raise ValueError(f"{_where(name, index)} = {arr[index]}: values must be integers")
        too_big = np.abs(arr) >= 2.0**63
        if too_big.any():
            index = _first(too_big)
            raise OverflowError(f"{_where(name, index)} = {arr[index]}: values must fit in int64")
        out = np.array(arr, dtype=np.int64, order="C", copy=True)
    elif kind == "O":
        out = _from_objects(arr, name)
    elif kind == "b":
        raise TypeError(f"{name} must hold integers, not booleans")
    else:
        raise TypeError(f"{name} must hold integers, not {arr.dtype} values")
    if ndim is not None and out.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {out.shape}")
    if nonnegative and out.size and out.min() < 0:
        index = _first(out < 0)
        raise ValueError(f"{_where(name, index)} = {out[index]}: values must be non-negative")
    return out


def ragged(batch, name: str) -> tuple[np.ndarray, np.ndarray]:
    """A batch of non-negative int sequences as CSR: ``(values, offsets)``, both int64.

    ``batch`` is a 2-D integer array (k, n) or a sequence of 1-D sequences of any lengths;
    instance ``i`` is ``values[offsets[i]:offsets[i + 1]]``.
    """
    if isinstance(batch, np.ndarray) or _is_rectangular_array_like(batch):
        arr = int_array(batch, name, ndim=2)
        k, n = arr.shape
        return arr.reshape(-1), np.arange(k + 1, dtype=np.int64) * n
    if isinstance(batch, (str, bytes)) or not isinstance(batch, Sequence):
        raise TypeError(
            f"{name} must be a 2-D integer array or a sequence of integer sequences, "
            f"not {type(batch).__name__}"
        )
    try:
        # Fast path for millions of small rows: one flat conversion, no per-row arrays.
        offsets = np.zeros(len(batch) + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, batch), dtype=np.int64, count=len(batch)), out=offsets[1:])
        flat = np.asarray(list(itertools.chain.from_iterable(batch)))
        if flat.dtype.kind == "i" or (flat.dtype.kind == "u" and flat.dtype.itemsize < 8):
            if flat.ndim == 1 and flat.size == offsets[-1] and (not flat.size or flat.min() >= 0):
                return flat.astype(np.int64, copy=False), offsets
    except (TypeError, ValueError, OverflowError):
        pass
    # Anything else goes row by row, so an error names the row and the element.
    rows = [int_array(row, f"{name}[{i}]", ndim=1) for i, row in enumerate(batch)]
    offsets = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([row.size for row in rows], out=offsets[1:])
    values = np.concatenate(rows) if rows else np.empty(0, dtype=np.int64)
    return values, offsets


def _is_rectangular_array_like(obj) -> bool:
    """Objects that expose an array interface (dask, memoryview ...) but are not lists."""
    return hasattr(obj, "__array__") and not isinstance(obj, (list, tuple))


def permutation(order, n: int, name: str = "order") -> np.ndarray:
    """``order`` as an int64 array that uses each index in ``range(n)`` exactly once."""
    arr = int_array(order, name, ndim=1)
    if arr.size != n:
        raise ValueError(f"{name} has {arr.size} entries: it must be a permutation of range({n})")
    too_big = arr >= n
    if too_big.any():
        i = int(np.argmax(too_big))
        raise ValueError(f"{name}[{i}] = {arr[i]}: indices must be in range({n})")
    seen = np.zeros(n, dtype=bool)
    for i, j in enumerate(arr.tolist()):
        if seen[j]:
            raise ValueError(f"{name}[{i}] = {j}: index {j} appears twice")
        seen[j] = True
    return arr


def memory_limit(value, name: str = "max_memory") -> int:
    """A positive byte count (int) for the table-size guard."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer number of bytes, not {type(value).__name__}")
    if value <= 0:
        raise ValueError(f"{name} = {value}: the memory limit must be positive")
    return int(value)


def check_memory(needed: int, limit: int, what: str, name: str = "max_memory") -> None:
    """Refuse, before anything is allocated, a table larger than ``limit`` bytes."""
    if needed > limit:
        raise ValueError(
            f"{what} needs {needed:,} bytes ({needed / GIB:.2f} GiB), more than "
            f"{name} = {limit:,} bytes; raise {name} if the machine has the memory"
        )


def choice(value, name: str, options: Sequence[str]) -> str:
    """One of a fixed set of strings (a ``method=`` argument)."""
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} = {value!r}: must be one of {', '.join(map(repr, options))}")
    return value


def _usable_cpus() -> int:
    """CPUs this process may use: affinity mask and cgroup v2/v1 quota (as joblib counts)."""
    try:
        count = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        count = os.cpu_count() or 1
    quota = _cgroup_cpu_quota()
    if quota is not None:
        count = min(count, quota)
    return max(1, count)


def _cgroup_cpu_quota() -> int | None:
    try:
        with open("/sys/fs/cgroup/cpu.max") as f:
            quota, period = f.read().split()[:2]
        if quota != "max":
            return max(1, -(-int(quota) // int(period)))
    except (OSError, ValueError):
        pass
    try:
        with open("/sys/fs/cgroup/cpu/cpu.cfs_quota_us") as f:
            quota_us = int(f.read())
        with open("/sys/fs/cgroup/cpu/cpu.cfs_period_us") as f:
            period_us = int(f.read())
        if quota_us > 0 and period_us > 0:
            return max(1, -(-quota_us // period_us))
    except (OSError, ValueError):
        pass
    return None


def num_threads(value, name: str = "num_threads") -> int:
    """scikit-learn's thread-count convention, as a positive int.

    ``None`` means every usable core (``OMP_NUM_THREADS``, affinity and cgroup quotas
    respected); a negative number counts back from that (``-1`` = all, ``-2`` = all but one);
    ``0`` is an error; a build without OpenMP always runs on 1 thread.
    """
    if value is not None and (isinstance(value, bool) or not isinstance(value, numbers.Integral)):
        raise TypeError(f"{name} must be an integer or None, not {type(value).__name__}")
    if value == 0:
        raise ValueError(f"{name} = 0: use None or -1 for all cores, or a positive count")
    if not openmp_enabled():
        return 1
    most = max(1, min(omp_max_threads(), _usable_cpus()))
    if value is None:
        return most
    if value < 0:
        return max(1, most + 1 + int(value))
    return int(value)
