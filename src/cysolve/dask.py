"""Scale-out over dask: the batch solvers over dask arrays (optional extra ``dask``).

When a batch outgrows one machine, put it in a dask array chunked along the instances and
call the functions here: each chunk of instances becomes one task that runs the compiled
batch kernel (with its own threads) on a worker. The results are lazy dask arrays; compute
them on any scheduler - the default threaded one, or a ``dask.distributed`` cluster.

Examples
--------
>>> import numpy as np
>>> import dask.array as da
>>> import cysolve.dask
>>> batch = da.from_array(np.array([[1, 2, 3], [10, 0, 0], [1, 1, 1]]), chunks=(2, 3))
>>> cysolve.dask.best_scores(batch, num_threads=1).compute().tolist()
[12, 40, 1]

Notes
-----
``num_threads`` is passed to the kernel inside every task. On a cluster whose workers run
several tasks at once (``threads_per_worker > 1``), pass ``num_threads=1`` (or cores divided
by tasks per worker) so the machines are not oversubscribed; with one task per worker, the
default (every usable core) is right.
"""

from __future__ import annotations

import numpy as np

from cysolve import xscore
from cysolve.errors import InstanceError

__all__ = ["best_scores", "detect_batch", "is_safe_batch"]

_INSTALL = "cysolve.dask needs dask: pip install 'cysolve[dask]'"


def _da():
    """``dask.array``, imported only when a function here is called."""
    try:
        import dask.array as da
    except ImportError as exc:
        raise ImportError(f"{_INSTALL} ({exc})") from exc
    return da


def _as_dask(da, arr, name: str, ndim: int):
    """``arr`` as a dask array of integers with ``ndim`` dimensions, or the package's error."""
    if not isinstance(arr, da.Array):
        arr = da.asarray(arr)
    if arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {arr.shape}")
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integers, not {arr.dtype} values")
    return arr


def _in_whole_array(solve, offset: int):
    """Run ``solve()``; an error about one row names its row in the whole dask array."""
    try:
        return solve()
    except InstanceError as exc:
        raise exc.moved(offset + exc.index) from None


def _systems(da, allocation, other: tuple, vector: tuple):
    """``allocation`` (k, n, m), a second (k, n, m) array and a (k, m) vector, each named, as
    dask arrays of integers whose shapes agree, chunked along the systems only; and the row
    numbers ``da.arange(k)`` chunked alike, so that each block knows its place in the whole."""
    allocation = _as_dask(da, allocation, "allocation", 3)
    second = _as_dask(da, other[1], other[0], 3)
    per_system = _as_dask(da, vector[1], vector[0], 2)
    k, n, m = allocation.shape
    if second.shape != allocation.shape:
        raise ValueError(
            f"{other[0]} has shape {second.shape}: it must match allocation {allocation.shape}"
        )
    if per_system.shape != (k, m):
        raise ValueError(
            f"{vector[0]} has shape {per_system.shape}: it must be (k, m) = {(k, m)}"
        )
    allocation = allocation.rechunk({1: -1, 2: -1})
    second = second.rechunk({1: -1, 2: -1})
    per_system = per_system.rechunk({1: -1})
    rows = da.arange(k, chunks=(allocation.chunks[0],))
    return allocation, second, per_system, rows


def _best_scores_block(block: np.ndarray, block_info=None, **kw) -> np.ndarray:
    offset = block_info[0]["array-location"][0][0] if block_info else 0
    return _in_whole_array(lambda: xscore.best_scores(block, **kw), offset)


def best_scores(
    darr,
    *,
    method: str = "frontier",
    num_threads: int | None = None,
    max_memory: int = xscore.DEFAULT_MAX_MEMORY,
):
    """:func:`cysolve.xscore.best_scores` over a 2-D dask array ``(k, n)``: a lazy int64 (k,).

    Parameters
    ----------
    darr : dask array (or anything ``dask.array.asarray`` takes) of non-negative ints, (k, n)
        One instance per row. Chunks along the rows become tasks; the columns are joined into
        one chunk (an instance is never split).
    method, num_threads, max_memory
        As for :func:`cysolve.xscore.best_scores`, applied inside every task.

    Returns
    -------
    dask.array.Array
        int64, shape (k,), chunked like the rows of ``darr``. Bad values raise when computed,
        with the kernel's message naming the row of the whole array (``batch[i]``).
    """
    da = _da()
    darr = _as_dask(da, darr, "darr", 2)
    if darr.numblocks[1] != 1:
        darr = darr.rechunk({1: -1})
    return darr.map_blocks(
        _best_scores_block, drop_axis=1, dtype=np.int64, meta=np.empty((0,), np.int64),
        method=method, num_threads=num_threads, max_memory=max_memory,
    )


def _detect_block(allocation, request, available, rows, **kw) -> np.ndarray:
    from cysolve import deadlock

    offset = int(rows[0]) if rows.size else 0
    return _in_whole_array(lambda: deadlock.detect_batch(allocation, request, available, **kw),
                           offset)


def detect_batch(allocation, request, available, *, num_threads: int | None = None, **kw):
    """:func:`cysolve.deadlock.detect_batch` over dask arrays: a lazy bool array (k, n).

    Parameters
    ----------
    allocation, request : dask arrays (k, n, m) of non-negative ints
    available : dask array (k, m)
        ``k`` systems of ``n`` processes and ``m`` resource types. Chunks along the first axis
        (the systems) become tasks; the other axes are joined into single chunks, and the three
        arrays are aligned to common chunks along the first axis.
    num_threads
        Threads of the kernel inside every task (see the module notes).

    Returns
    -------
    dask.array.Array
        bool, shape (k, n): True = the process is deadlocked.
    """
    da = _da()
    allocation, request, available, rows = _systems(
        da, allocation, ("request", request), ("available", available)
    )
    return da.blockwise(
        _detect_block, "ij",
        allocation, "ijk", request, "ijk", available, "ik", rows, "i",
        dtype=bool, concatenate=True, meta=np.empty((0, 0), bool),
        num_threads=num_threads, **kw,
    )


def _is_safe_block(rows, vector, allocation, max_claim, *, existing: bool, **kw) -> np.ndarray:
    from cysolve import deadlock

    args = (None, allocation, max_claim) if existing else (vector, allocation, max_claim)
    offset = int(rows[0]) if rows.size else 0
    return _in_whole_array(
        lambda: deadlock.is_safe_batch(*args, existing=vector if existing else None, **kw),
        offset,
    )


def is_safe_batch(available, allocation, max_claim, *, existing=None,
                  num_threads: int | None = None, **kw):
    """:func:`cysolve.deadlock.is_safe_batch` over dask arrays: a lazy bool array (k,).

    Parameters
    ----------
    available : dask array (k, m) of non-negative ints, or None with ``existing``
    allocation, max_claim : dask arrays (k, n, m)
        ``k`` Banker states. Chunks along the first axis (the systems) become tasks; the
        other axes are joined into single chunks, and the arrays are aligned to common
        chunks along the first axis.
    existing : dask array (k, m), optional
        Units of each type per system, instead of ``available``.
    num_threads
        Threads of the kernel inside every task (see the module notes).

    Returns
    -------
    dask.array.Array
        bool, shape (k,): True = the state is safe. A bad system raises when computed, an
        :class:`cysolve.errors.InstanceError` whose ``.index`` is its row in the whole batch.
    """
    da = _da()
    if (available is None) == (existing is None):
        raise TypeError("give available= or existing= (free or existing units per system), "
                        "not both")
    vector = available if existing is None else existing
    name = "available" if existing is None else "existing"
    allocation, max_claim, vector, rows = _systems(
        da, allocation, ("max_claim", max_claim), (name, vector)
    )
    return da.blockwise(
        _is_safe_block, "i",
        rows, "i", vector, "ik", allocation, "ijk", max_claim, "ijk",
        dtype=bool, concatenate=True, meta=np.empty((0,), bool),
        existing=existing is not None, num_threads=num_threads, **kw,
    )
