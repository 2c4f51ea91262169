"""User input -> checked, contiguous int64 arrays and scalars: the generic rules.

Every public function sends its arguments through here (or through a family's ``_inputs``
module, which builds on this one) before a kernel sees them, so the kernels can run without
bounds checks. Errors name the argument, the index and the rule. Nothing here modifies the
caller's objects: conversions copy whenever the input is not already a C-contiguous,
native-endian int64 array, and results never alias the input.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator, Mapping, Sequence, Set
from itertools import chain

import numpy as np

from cysolve.errors import instance_error

INT64_MAX = np.iinfo(np.int64).max
GIB = 1 << 30


def where(name: str, index: tuple[int, ...] | int) -> str:
    if isinstance(index, tuple):
        return f"{name}[{', '.join(str(int(i)) for i in index)}]" if index else name
    return f"{name}[{int(index)}]"


def first_index(mask: np.ndarray) -> tuple[int, ...]:
    return tuple(int(i) for i in np.argwhere(mask)[0])


def _element_error(cls: type, name: str, index: tuple[int, ...], rule: str, batch: bool):
    """``cls`` for the element at ``index``; in a batch, an InstanceError naming its row."""
    exc = cls(f"{where(name, index)} = {rule}")
    return instance_error(exc, index[0], name) if batch and index else exc


def _from_objects(obj, name: str, batch: bool = False) -> np.ndarray:
    """Convert a (nested) list or an object array element by element, naming the bad one."""
    arr = np.asarray(obj, dtype=object)
    out = np.empty(arr.shape, dtype=np.int64)
    for index, value in np.ndenumerate(arr):
        try:
            out[index] = scalar(value, where(name, index))
        except (TypeError, ValueError, OverflowError) as exc:
            if batch and index:
                raise instance_error(exc, index[0], name) from None
            raise
    return out


def scalar(value, where: str) -> int:
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


def _holds_bools(obj, depth: int) -> bool:
    """True when nested lists hold a bool that numpy quietly turned into 0 or 1.

    ``np.asarray([False, 3])`` is an int array, so the bool would pass as the value 0.
    """
    if isinstance(obj, np.ndarray):
        return obj.dtype.kind == "b"
    if depth == 0 or not isinstance(obj, (list, tuple)):
        return isinstance(obj, (bool, np.bool_))
    if depth == 1:
        types = set(map(type, obj))  # one C-speed pass; look closer only at odd element types
        if not types - {int, float, np.int64, np.float64}:
            return False
    return any(_holds_bools(e, depth - 1) for e in obj)


def int_array(
    obj,
    name: str,
    *,
    ndim: int | None = None,
    nonnegative: bool = True,
    copy: bool = True,
    batch: bool = False,
) -> np.ndarray:
    """``obj`` as a C-contiguous, native int64 array that the caller's object does not share.

    Accepts lists, tuples, scalars and arrays of any integer dtype, any strides or byte
    order, read-only or not; floats only when every value is a whole number.
    ``copy=False`` lets an array that already is C-contiguous native int64 through as it is
    (same checks, no copy): only for consumers that never write to the result.
    ``batch=True``: axis 0 indexes instances, and an error about one element is an
    :class:`cysolve.errors.InstanceError` whose ``.index`` is its row.
    """
    if isinstance(obj, (str, bytes)) or obj is None:
        raise TypeError(f"{name} must be an array of integers, not {type(obj).__name__}")
    if isinstance(obj, np.ma.MaskedArray):
        raise TypeError(
            f"{name} is a masked array: its mask would be ignored; pass arr.filled(value) or "
            "arr.compressed()"
        )
    if isinstance(obj, (Set, Mapping, Iterator)):  # numpy would make each a 0-d object array
        kind = "an iterator" if isinstance(obj, Iterator) else "a mapping or set"
        raise TypeError(
            f"{name} must be a list, tuple or array of integers, not {kind} "
            f"({type(obj).__name__}): pass list(...) to fix an order"
        )
    if isinstance(obj, np.ndarray):
        arr = obj
    else:
        try:
            arr = np.asarray(obj)
        except ValueError as exc:  # numpy >= 1.24 refuses ragged nesting
            raise ValueError(f"{name} is ragged: every row must have the same length") from exc
        if arr.dtype.kind not in "iuf" or _holds_bools(obj, arr.ndim):
            arr = np.asarray(obj, dtype=object)  # find and name the bad element (or bool)
    kind = arr.dtype.kind
    if kind == "b":
        raise TypeError(f"{name} must hold integers, not booleans")
    if kind not in "iufO":
        raise TypeError(f"{name} must hold integers, not {arr.dtype} values")
    # The shape is refused before any pass over the data: an absurd view (np.broadcast_to)
    # must fail at once, not after a scan or a copy of every element.
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {arr.shape}")
    if not copy and arr.dtype == np.int64 and arr.dtype.isnative and arr.flags.c_contiguous:
        out = arr
    elif kind in "iu":
        # Copy first (an absurd size fails here, fast, with MemoryError), then look for uint64
        # values the cast wrapped to negative.
        out = np.array(arr, dtype=np.int64, order="C", copy=True)
        if kind == "u" and arr.dtype.itemsize == 8 and out.size and out.min() < 0:
            index = first_index(out < 0)
            raise _element_error(OverflowError, name, index,
                                 f"{arr[index]}: values must fit in int64", batch)
    elif kind == "f":
        bad = ~np.isfinite(arr) | (arr != np.floor(arr))
        if bad.any():
            index = first_index(bad)
            raise _element_error(ValueError, name, index,
                                 f"{arr[index]}: values must be integers", batch)
        too_big = np.abs(arr) >= np.float64(2.0**63)  # float64: no overflow warning for float16
        if too_big.any():
            index = first_index(too_big)
            raise _element_error(OverflowError, name, index,
                                 f"{arr[index]}: values must fit in int64", batch)
        out = np.array(arr, dtype=np.int64, order="C", copy=True)
    else:
        out = _from_objects(arr, name, batch)
    if nonnegative and out.size and out.min() < 0:
        index = first_index(out < 0)
        raise _element_error(ValueError, name, index,
                             f"{out[index]}: values must be non-negative", batch)
    return out


def ragged(batch, name: str) -> tuple[np.ndarray, np.ndarray]:
    """A batch of non-negative int sequences as CSR: ``(values, offsets)``, both int64.

    ``batch`` is a 2-D integer array (k, n) or a sequence of 1-D sequences of any lengths;
    instance ``i`` is ``values[offsets[i]:offsets[i + 1]]``.
    """
    if isinstance(batch, np.ndarray) or _is_rectangular_array_like(batch):
        arr = int_array(batch, name, ndim=2, batch=True)
        k, n = arr.shape
        return arr.reshape(-1), np.arange(k + 1, dtype=np.int64) * n
    if isinstance(batch, (str, bytes)) or not isinstance(batch, Sequence):
        raise TypeError(
            f"{name} must be a 2-D integer array or a sequence of integer sequences, "
            f"not {type(batch).__name__}"
        )
    try:
        # Fast path for millions of small rows: one flat conversion, no per-row arrays. Only
        # for list and tuple rows: chaining bytes would read b"\x05" as the value 5, a
        # memoryview of some formats cannot be iterated at all, and an array row (which may be
        # a zero-stride view of 10**13 elements) would become one Python object per element;
        # int_array takes those whole.
        if not set(map(type, batch)) <= {list, tuple}:
            raise TypeError("not plain rows")
        offsets = np.zeros(len(batch) + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, batch), dtype=np.int64, count=len(batch)), out=offsets[1:])
        flat_list = list(chain.from_iterable(batch))
        flat = np.asarray(flat_list)
        if (flat.dtype.kind == "i" or (flat.dtype.kind == "u" and flat.dtype.itemsize < 8)) and (
            not _holds_bools(flat_list, 1)
        ):
            if flat.ndim == 1 and flat.size == offsets[-1] and (not flat.size or flat.min() >= 0):
                return flat.astype(np.int64, copy=False), offsets
    except (TypeError, ValueError, OverflowError):
        pass
    # Anything else goes row by row, so an error names the row and the element.
    rows = []
    for i, row in enumerate(batch):
        try:
            rows.append(int_array(row, f"{name}[{i}]", ndim=1))
        except (TypeError, ValueError, OverflowError, MemoryError) as exc:
            raise instance_error(exc, i, name) from None
    offsets = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([row.size for row in rows], out=offsets[1:])
    values = np.concatenate(rows) if rows else np.empty(0, dtype=np.int64)
    return values, offsets


def _is_rectangular_array_like(obj) -> bool:
    """Objects that expose an array interface (dask, memoryview ...) but are not lists.

    A memoryview has no ``__array__`` but is a buffer numpy reads whole; iterating it as a
    sequence would raise NotImplementedError for formats such as ``'<h'``.
    """
    return isinstance(obj, memoryview) or (
        hasattr(obj, "__array__") and not isinstance(obj, (list, tuple))
    )


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


def hashable(label, where: str, what: str = "node labels") -> None:
    """The package's TypeError, naming ``where``, when ``label`` cannot be a graph node."""
    try:
        hash(label)
    except TypeError:
        kind = type(label).__name__
        raise TypeError(f"{where}: {what} must be hashable, {kind} is not") from None

INT32_MAX = np.iinfo(np.int32).max
