"""XScoreGame's public entry points: checked input in, the kernel's answer out as exact ints.

Each function converts its input once (``cysolve._convert``), asks a compiled kernel
(``_frontier``, the default; ``_kernel`` for the dominance and residue DPs) and wraps the
answer; the plain-Python definitions are in ``reference``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt

from cysolve import _convert, _parallel
from cysolve.errors import instance_error
from cysolve.xscore import _frontier, _kernel, reference

__all__ = [
    "DEFAULT_MAX_MEMORY", "METHODS", "best_order", "best_orders", "best_score", "best_scores",
    "memory_needed", "play",
]

Method = Literal["frontier", "dominance", "residue"]
METHODS: tuple[Method, ...] = ("frontier", "dominance", "residue")
DEFAULT_MAX_MEMORY = _convert.GIB
# The largest n whose high part ``h < 2**n`` fits each method's cells (int32 / int64).
LONGEST = {"residue": 31, "dominance": 63, "frontier": _frontier.LONGEST}
# Seconds per DP transition (one state x one distinct value), for thread and chunk planning.
SECONDS_PER_TRANSITION = 3e-9
# The frontier's time is not known before solving: its measured medians grow about like
# ``FRONTIER_SECONDS[0] * FRONTIER_SECONDS[1]**n`` (values in 0..50), for chunk planning.
FRONTIER_SECONDS = (1e-7, 1.47)


def play(a: npt.ArrayLike, order: npt.ArrayLike) -> int:
    """The final ``x`` when the elements of ``a`` are applied in ``order`` (exact int).

    Parameters
    ----------
    a : sequence or 1-D array of non-negative ints
    order : a permutation of ``range(len(a))``

    Examples
    --------
    >>> play([1, 2, 3], [2, 0, 1])  # 0 -> 3 -> 3 + (3 ^ 1) = 5 -> 5 + (5 ^ 2) = 12
    12
    """
    values = _convert.int_array(a, "a", ndim=1).tolist()
    return reference.play(values, _convert.permutation(order, len(values)).tolist())


def _instance(a, method: str, max_memory: int):
    """Validate one instance: the int64 array, the method's code and the memory limit."""
    method = _convert.choice(method, "method", METHODS)
    limit = _convert.memory_limit(max_memory)
    arr = _convert.int_array(a, "a", ndim=1)
    _check_length(arr.size, method, "a")
    return arr, method, limit


def _table_words(method: str, n: int, states: int, bits: int, room: int) -> str:
    """How a table error names the table: method, size of the instance, residue sets."""
    sets = f", room for {room} residues a state" if room else ""
    return f"the {method} table for {n} values ({states:,} states, {bits} residue bits{sets})"


def _solve(arr: np.ndarray, method: str, limit: int, with_order: bool = False):
    """``(h, r, b, steps)`` of one checked instance, every table checked against ``limit``;
    ``steps`` (with ``with_order``) holds its values in an optimal order.

    The kernel tries tables from its first choice on (sparse residue lists for wide values,
    regrown on need, bitsets otherwise) and stops before one would exceed ``limit``. The
    frontier grows its buffers on demand and checks every growth against ``limit`` first.
    """
    if method == "frontier":
        h, r, b, steps, needed = _frontier.best(arr, limit, with_order)
        if needed is not None:  # the bytes a refused growth needed in all
            _convert.check_memory(
                needed, limit, f"the frontier for {arr.size} values (its buffers so far)")
        return h, r, b, steps
    h, r, b, steps, refused = _kernel.best(arr, _kernel.METHODS[method], limit, with_order)
    if refused is not None:
        nbytes, states, room = refused
        _convert.check_memory(nbytes, limit, _table_words(method, arr.size, states, b, room))
    return h, r, b, steps


def _orders(values: np.ndarray, offsets: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """Each instance's optimal order of its indices (flat, at its offsets) from ``steps``, its
    values in that order; copies of one value go in ascending index order.

    The k-th copy of a value in an instance's steps is its k-th index holding that value: one
    stable sort by (instance, value) of the values and of the steps pairs them up.
    """
    rows = np.repeat(np.arange(offsets.size - 1), np.diff(offsets))
    by_value = np.lexsort((values, rows))
    flat = np.empty(values.size, dtype=np.int64)
    flat[np.lexsort((steps, rows))] = by_value - offsets[rows[by_value]]
    return flat


def _check_length(n: int, method: str, where: str) -> None:
    if n > LONGEST[method]:
        raise OverflowError(
            f"{where} has {n} values: the {method} DP holds x >> b in "
            f"{'int32' if method == 'residue' else 'int64'}, so it takes at most "
            f"{LONGEST[method]} values"
        )


def best_score(
    a: npt.ArrayLike, *, method: Method = "frontier", max_memory: int = DEFAULT_MAX_MEMORY
) -> int:
    """The largest final ``x`` over all orders of ``a`` (an exact Python int).

    Parameters
    ----------
    a : sequence or 1-D array of non-negative ints
        Any integer dtype, strides or byte order; never modified.
    method : {"frontier", "dominance", "residue"}
        ``"frontier"`` (the default) keeps, layer by layer (values used so far), only the
        states that reach the largest high part of the whole layer: 100x faster than
        dominance at n = 15, n = 30 in milliseconds, and never slower on any input measured
        (it holds a subset of the dominance DP's states). ``"dominance"`` keeps, per multiset
        of used values, only the residues that reach its largest high part; ``"residue"`` is
        the classic DP over every residue. All are exact.
    max_memory : int
        Refuse (``ValueError``, before allocating) a DP table larger than this many bytes.
        The frontier's buffers grow on demand; each growth is checked first.

    Returns
    -------
    int
        The best score; below ``2**(n + b)`` with ``b`` the bit length of ``max(a)``.

    Raises
    ------
    TypeError, ValueError
        ``a`` is not a 1-D sequence of non-negative integers, or the table is too large.
    OverflowError
        ``a`` is longer than the method's cells allow (31 values for residue, 63 otherwise).

    Examples
    --------
    >>> best_score([10, 0, 0, 0])
    80
    >>> best_score([1, 0, 1, 0, 1, 0, 1, 0], method="residue")
    170
    """
    h, r, b, _ = _solve(*_instance(a, method, max_memory))
    return (int(h) << int(b)) + int(r)


def best_order(
    a: npt.ArrayLike, *, method: Method = "frontier", max_memory: int = DEFAULT_MAX_MEMORY
) -> tuple[int, list[int]]:
    """The best score and an order of the indices of ``a`` that reaches it.

    The order is read back from the DP table (the frontier keeps every layer for it: memory
    is the sum of the frontiers) and is the same for the same input; copies of one value are
    used in ascending index order. Parameters as for :func:`best_score`.

    Examples
    --------
    >>> best_order([1, 2, 3])
    (12, [2, 0, 1])
    """
    arr, method, limit = _instance(a, method, max_memory)
    h, r, b, steps = _solve(arr, method, limit, with_order=True)
    order = _orders(arr, np.array([0, arr.size], dtype=np.int64), steps)
    return (int(h) << int(b)) + int(r), order.tolist()


def memory_needed(
    a: npt.ArrayLike, *, method: Method = "frontier", first_table: bool = False
) -> int:
    """The most bytes :func:`best_score` may allocate for ``a``: plan ``max_memory`` with it.

    For values below ``2**13`` (and for ``method="residue"``) the DP allocates one table, and
    this is its exact size. Wider values start with sparse residue lists, which grow on need
    (each table checked against ``max_memory`` before it is allocated) and give way to bitsets
    of ``2**b`` residues once those are the smaller table: the bound is then the bitset
    table's size, which for very wide values can be far above what an instance really needs.
    ``first_table=True`` returns the first table's size instead (what a call surely needs).
    The frontier's size is not known before solving: for ``"frontier"`` both answers are the
    dominance DP's (a frontier holds a subset of its states), usually far above what the
    frontier takes.

    Examples
    --------
    >>> memory_needed(list(range(20)))  # 2**20 states of (int64 h, 64-bit residue set)
    16777232
    >>> memory_needed([10**6, 3, 5], first_table=True)  # 8 states, room for 64 residues each
    6272
    >>> memory_needed([10**6, 3, 5])  # ... at most 8 states of 2**20-bit residue sets
    1310784
    """
    method = _convert.choice(method, "method", METHODS)
    arr = _convert.int_array(a, "a", ndim=1)
    code = _kernel.METHODS["dominance" if method == "frontier" else method]
    states, bits = (int(x[0]) for x in _kernel.shapes(arr, np.array([0, arr.size], np.int64)))
    room = _kernel.room_for(bits, code)
    first = _kernel.table_size(states, bits, code, room)
    return first if first_table or not room else _kernel.table_size(states, bits, code, 0)


def best_scores(
    batch: npt.ArrayLike | Sequence[Sequence[int]],
    *,
    method: Method = "frontier",
    num_threads: int | None = None,
    max_memory: int = DEFAULT_MAX_MEMORY,
    progress: bool = False,
    dtype: type = np.int64,
) -> npt.NDArray[np.int64] | npt.NDArray[np.object_]:
    """Best scores of many instances, solved in parallel; an int64 array, one per instance.

    Parameters
    ----------
    batch : 2-D int array (k, n) or a sequence of int sequences (any lengths)
    method : {"frontier", "dominance", "residue"}
    num_threads : int or None
        ``None``: every usable core; ``-1`` all, ``-2`` all but one...; ``0`` is an error.
        Fewer threads run when one table per thread would exceed ``max_memory``.
    max_memory : int
        Bytes all threads' tables together may use. The frontier gives each thread an equal
        share; an instance that needs more runs again alone with all of it, and one that
        needs more than that raises (naming its row).
    progress : bool
        Show a progress bar (tqdm) over the instances.
    dtype : {numpy.int64, object}
        ``object``: the scores as exact Python ints, for batches whose scores may pass int64.

    Raises
    ------
    OverflowError
        With ``dtype=np.int64``, an instance whose score does not fit in int64 (an
        :class:`~cysolve.errors.InstanceError` naming its row); ``dtype=object`` takes any.
    ValueError, TypeError
        Bad values, or a table over ``max_memory``: :class:`~cysolve.errors.InstanceError`
        naming the row.

    Notes
    -----
    The batch runs in chunks of a fraction of a second each, with the GIL released; Ctrl-C
    stops it between chunks.

    Examples
    --------
    >>> import numpy as np
    >>> best_scores(np.array([[1, 2, 3], [3, 2, 1]]), num_threads=1).tolist()
    [12, 12]
    """
    exact = _score_dtype(dtype)
    values, offsets, method, limit = _batch(batch, method, num_threads, max_memory)
    h, r, b, _ = _solve_batch(values, offsets, method, num_threads, limit, progress, False)
    return _scores(h, r, b, exact)


def best_orders(
    batch: npt.ArrayLike | Sequence[Sequence[int]],
    *,
    method: Method = "frontier",
    num_threads: int | None = None,
    max_memory: int = DEFAULT_MAX_MEMORY,
    progress: bool = False,
) -> tuple[npt.NDArray[np.object_], list[npt.NDArray[np.int64]]]:
    """Best scores and optimal orders of many instances, solved in parallel.

    Parameters as for :func:`best_scores`. Returns ``(scores, orders)``: the scores as exact
    Python ints (an object array), and per instance an int64 array of its indices in an order
    that reaches the score - the order :func:`best_order` gives for that instance.

    Examples
    --------
    >>> scores, orders = best_orders([[1, 2, 3], [10, 0, 0, 0]], num_threads=1)
    >>> scores.tolist(), [o.tolist() for o in orders]
    ([12, 80], [[2, 0, 1], [0, 1, 2, 3]])
    """
    values, offsets, method, limit = _batch(batch, method, num_threads, max_memory)
    h, r, b, steps = _solve_batch(values, offsets, method, num_threads, limit, progress, True)
    flat = _orders(values, offsets, steps)
    orders = np.split(flat, offsets[1:-1]) if offsets.size > 1 else []
    return _scores(h, r, b, True), orders


def _batch(batch, method: str, num_threads, max_memory: int):
    """Validate a batch call: ``(values, offsets)`` (CSR), the method and the memory limit;
    a bad ``num_threads`` fails here, before any work."""
    method = _convert.choice(method, "method", METHODS)
    limit = _convert.memory_limit(max_memory)
    _parallel.num_threads(num_threads)
    values, offsets = _convert.ragged(batch, "batch")
    return values, offsets, method, limit


def _solve_batch(values, offsets, method: str, num_threads, limit: int, progress: bool,
                 with_steps: bool):
    """``(h, r, b, steps)`` of every instance of a checked batch, on every core.

    ``steps`` (with ``with_steps``) holds each instance's optimal sequence of values at its
    offsets. Errors name the row (:class:`~cysolve.errors.InstanceError`).
    """
    states, bits = _kernel.shapes(values, offsets)
    lengths = np.diff(offsets)
    k = lengths.size
    steps = np.empty(values.size if with_steps else 0, dtype=np.int64)
    out_h = np.zeros(k, dtype=np.int64)
    out_r = np.zeros(k, dtype=np.int64)
    out_b = np.zeros(k, dtype=np.int64)
    if k == 0:
        return out_h, out_r, out_b, steps
    code = _kernel.METHODS["dominance" if method == "frontier" else method]
    too_long = lengths > LONGEST[method]
    if too_long.any():
        i = int(np.argmax(too_long))
        try:
            _check_length(int(lengths[i]), method, f"batch[{i}]")
        except OverflowError as exc:
            raise instance_error(exc, i, "batch") from None
    if method == "frontier":
        _frontier_batch(values, offsets, states, limit, num_threads, progress,
                        out_h, out_r, out_b, steps if with_steps else None)
        return out_h, out_r, out_b, steps
    sizes = _first_tables(states, bits, code)
    over = sizes > limit
    if over.any():
        i = int(np.argmax(over))
        room = _kernel.room_for(int(bits[i]), code)
        what = _table_words(method, int(lengths[i]), int(states[i]), int(bits[i]), room)
        try:
            _convert.check_memory(int(sizes[i]), limit, f"batch[{i}]: {what}")
        except ValueError as exc:
            raise instance_error(exc, i, "batch") from None
    largest = int(sizes.max())
    seconds = SECONDS_PER_TRANSITION * states.astype(np.float64) * np.maximum(lengths, 1)
    threads = _parallel.num_threads(num_threads, work_seconds=float(seconds.sum()))
    threads = max(1, min(threads, limit // largest, k))

    def solve(lo: int, hi: int, threads: int) -> None:
        _kernel.best_batch(values, offsets[lo : hi + 1], code, out_h[lo:hi], out_r[lo:hi],
                           out_b[lo:hi], largest, threads, steps if with_steps else None)

    _parallel.run(solve, seconds, threads=threads, progress=progress, unit="instance")
    # Wide values whose sparse sets needed more room than the batch gave: one at a time.
    for i in np.flatnonzero(out_b < 0).tolist():
        lo, hi = int(offsets[i]), int(offsets[i + 1])
        try:
            out_h[i], out_r[i], out_b[i], row_steps = _solve(values[lo:hi], method, limit,
                                                             with_steps)
        except ValueError as exc:
            raise instance_error(exc, i, "batch") from None
        if with_steps:
            steps[lo:hi] = row_steps
    return out_h, out_r, out_b, steps


def _frontier_batch(values, offsets, states, limit: int, num_threads, progress: bool,
                    out_h, out_r, out_b, steps) -> None:
    """:func:`_solve_batch` by the frontier: per-thread buffers, each within ``limit / threads``;
    a row that needs more runs again afterwards on its own, within all of ``limit``."""
    lengths = np.diff(offsets)
    k = lengths.size
    base, growth = FRONTIER_SECONDS
    seconds = np.minimum(base * growth ** lengths.astype(np.float64),
                         SECONDS_PER_TRANSITION * states.astype(np.float64) * lengths)
    threads = _parallel.num_threads(num_threads, work_seconds=float(seconds.sum()))
    threads = max(1, min(threads, k))
    share = limit // threads
    out_need = np.empty(k, dtype=np.int64)

    def solve(lo: int, hi: int, threads: int) -> None:
        _frontier.best_batch(values, offsets[lo : hi + 1], out_h[lo:hi], out_r[lo:hi],
                             out_b[lo:hi], out_need[lo:hi], share, threads, steps)

    _parallel.run(solve, seconds, threads=threads, progress=progress, unit="instance")
    for i in np.flatnonzero(out_b < 0).tolist():
        lo, hi = int(offsets[i]), int(offsets[i + 1])
        h, r, b, row_steps, needed = _frontier.best(values[lo:hi], limit, steps is not None)
        if needed is not None:
            what = f"batch[{i}]: the frontier for {hi - lo} values (its buffers so far)"
            try:
                _convert.check_memory(needed, limit, what)
            except ValueError as exc:
                raise instance_error(exc, i, "batch") from None
        out_h[i], out_r[i], out_b[i] = h, r, b
        if steps is not None:
            steps[lo:hi] = row_steps


def _score_dtype(dtype) -> bool:
    """True for ``dtype=object`` (exact Python ints), False for int64; else a TypeError."""
    if dtype is object or np.dtype(dtype) == np.dtype(object):
        return True
    if np.dtype(dtype) == np.dtype(np.int64):
        return False
    raise TypeError(f"dtype = {dtype!r}: best_scores returns numpy.int64 or object (exact ints)")


def _scores(h: np.ndarray, r: np.ndarray, b: np.ndarray, exact: bool) -> np.ndarray:
    """``h * 2**b + r`` per instance; int64 only when every score fits (exactly checked)."""
    # r < 2**b, so the score fits in int64 exactly when h < 2**(63 - b).
    fits = (h >> (63 - b)) == 0
    if exact:
        out = np.empty(h.size, dtype=object)
        out[:] = [(int(x) << int(y)) + int(z) for x, y, z in zip(h.tolist(), b.tolist(),
                                                                  r.tolist(), strict=True)]
        return out
    if not fits.all():
        i = int(np.argmin(fits))
        score = (int(h[i]) << int(b[i])) + int(r[i])
        raise instance_error(OverflowError(
            f"batch[{i}]: the best score {score} does not fit in int64; "
            "best_scores(..., dtype=object) gives exact Python ints"
        ), i, "batch")
    return (h << b) + r


def _first_tables(states: np.ndarray, bits: np.ndarray, code: int) -> np.ndarray:
    """Bytes of each instance's first table (object ints: sizes may pass int64), computed once
    per distinct (states, bits) pair, not once per instance."""
    pairs, inverse = np.unique(np.stack([states, bits], axis=1), axis=0, return_inverse=True)
    sizes = [_kernel.table_size(s, b, code, _kernel.room_for(b, code)) for s, b in pairs.tolist()]
    return np.array(sizes, dtype=object)[inverse.reshape(-1)]
