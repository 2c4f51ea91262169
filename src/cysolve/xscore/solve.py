"""XScoreGame's public entry points: checked input in, the kernel's answer out as exact ints.

Each function converts its input once (``cysolve._convert``), asks a compiled kernel
(``_frontier``, the default; ``_kernel`` for the dominance and residue DPs) and wraps the
answer; the plain-Python definitions are in ``reference``.
"""

from __future__ import annotations

import numpy as np

from cysolve import _convert, _parallel
from cysolve.errors import instance_error
from cysolve.xscore import _frontier, _kernel, reference

__all__ = [
    "DEFAULT_MAX_MEMORY", "METHODS", "best_order", "best_score", "best_scores", "memory_needed",
    "play",
]

METHODS = ("frontier", "dominance", "residue")
DEFAULT_METHOD = "frontier"
DEFAULT_MAX_MEMORY = _convert.GIB
# The largest n whose high part ``h < 2**n`` fits each method's cells (int32 / int64).
LONGEST = {"residue": 31, "dominance": 63, "frontier": _frontier.LONGEST}
# Seconds per DP transition (one state x one distinct value), for thread and chunk planning.
SECONDS_PER_TRANSITION = 3e-9
# The frontier's time is not known before solving: its measured medians grow about like
# ``FRONTIER_SECONDS[0] * FRONTIER_SECONDS[1]**n`` (values in 0..50), for chunk planning.
FRONTIER_SECONDS = (1e-7, 1.47)


def play(a, order) -> int:
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
    """``(h, r, b, order)`` of one checked instance, every table checked against ``limit``.

    The kernel tries tables from its first choice on (sparse residue lists for wide values,
    regrown on need, bitsets otherwise) and stops before one would exceed ``limit``. The
    frontier grows its buffers on demand and checks every growth against ``limit`` first.
    """
    if method == "frontier":
        h, r, b, order, needed = _frontier.best(arr, limit, with_order)
        if needed is not None:  # the bytes a refused growth needed in all
            _convert.check_memory(
                needed, limit, f"the frontier for {arr.size} values (its buffers so far)")
        return h, r, b, order
    h, r, b, order, refused = _kernel.best(arr, _kernel.METHODS[method], limit, with_order)
    if refused is not None:
        nbytes, states, room = refused
        _convert.check_memory(nbytes, limit, _table_words(method, arr.size, states, b, room))
    return h, r, b, order


def _check_length(n: int, method: str, where: str) -> None:
    if n > LONGEST[method]:
        raise OverflowError(
            f"{where} has {n} values: the {method} DP holds x >> b in "
            f"{'int32' if method == 'residue' else 'int64'}, so it takes at most "
            f"{LONGEST[method]} values"
        )


def best_score(a, *, method: str = DEFAULT_METHOD, max_memory: int = DEFAULT_MAX_MEMORY) -> int:
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
    a, *, method: str = DEFAULT_METHOD, max_memory: int = DEFAULT_MAX_MEMORY
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
    h, r, b, order = _solve(*_instance(a, method, max_memory), with_order=True)
    return (int(h) << int(b)) + int(r), order.tolist()


def memory_needed(a, *, method: str = DEFAULT_METHOD) -> int:
    """Bytes of the DP table :func:`best_score` allocates first for ``a``.

    Exact for values below ``2**13``. Wider values start with sparse residue lists, which
    grow (and are checked against ``max_memory`` again) only when an instance needs them to.
    The frontier's size is not known before solving: for ``"frontier"`` this returns the
    dominance table's size as a bound (a frontier holds a subset of the dominance DP's
    states), usually far above what the frontier takes.

    Examples
    --------
    >>> memory_needed(list(range(20)))  # 2**20 states of (int64 h, 64-bit residue set)
    16777232
    """
    method = _convert.choice(method, "method", METHODS)
    arr = _convert.int_array(a, "a", ndim=1)
    code = _kernel.METHODS["dominance" if method == "frontier" else method]
    states, bits = (int(x[0]) for x in _kernel.shapes(arr, np.array([0, arr.size], np.int64)))
    return _kernel.table_size(states, bits, code, _kernel.room_for(bits, code))


def best_scores(
    batch,
    *,
    method: str = DEFAULT_METHOD,
    num_threads: int | None = None,
    max_memory: int = DEFAULT_MAX_MEMORY,
    progress: bool = False,
) -> np.ndarray:
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

    Raises
    ------
    OverflowError
        An instance's score could exceed int64 (``n + b > 63``); :func:`best_score` gives
        exact Python ints for those.

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
    method = _convert.choice(method, "method", METHODS)
    limit = _convert.memory_limit(max_memory)
    _parallel.num_threads(num_threads)  # a bad value fails before any work
    values, offsets = _convert.ragged(batch, "batch")
    states, bits = _kernel.shapes(values, offsets)
    lengths = np.diff(offsets)
    k = lengths.size
    out = np.zeros(k, dtype=np.int64)
    if k == 0:
        return out
    too_long = lengths > LONGEST[method]
    if too_long.any():
        i = int(np.argmax(too_long))
        try:
            _check_length(int(lengths[i]), method, f"batch[{i}]")
        except OverflowError as exc:
            raise instance_error(exc, i, "batch") from None
    too_big = lengths + bits > 63
    if too_big.any():
        i = int(np.argmax(too_big))
        raise instance_error(OverflowError(
            f"batch[{i}]: {lengths[i]} values of up to {bits[i]} bits can score up to "
            f"2**{lengths[i] + bits[i]}, beyond int64; best_score gives exact Python ints"
        ), i, "batch")
    if method == "frontier":
        return _frontier_batch(values, offsets, lengths, states, limit, num_threads, progress)
    code = _kernel.METHODS[method]
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
    out_h = np.empty(k, dtype=np.int64)
    out_r = np.empty(k, dtype=np.int64)
    out_b = np.empty(k, dtype=np.int64)

    def solve(lo: int, hi: int, threads: int) -> None:
        _kernel.best_batch(values, offsets[lo : hi + 1], code, out_h[lo:hi], out_r[lo:hi],
                           out_b[lo:hi], largest, threads)

    _parallel.run(solve, seconds, threads=threads, progress=progress, unit="instance")
    # Wide values whose sparse sets needed more room than the batch gave: one at a time.
    for i in np.flatnonzero(out_b < 0).tolist():
        instance = values[offsets[i] : offsets[i + 1]]
        try:
            out_h[i], out_r[i], out_b[i], _ = _solve(instance, method, limit)
        except ValueError as exc:
            raise instance_error(exc, i, "batch") from None
    np.left_shift(out_h, out_b, out=out)
    out += out_r
    return out


def _frontier_batch(values, offsets, lengths, states, limit, num_threads, progress):
    """:func:`best_scores` by the frontier: per-thread buffers, each within ``limit / threads``;
    a row that needs more runs again afterwards on its own, within all of ``limit``."""
    k = lengths.size
    base, growth = FRONTIER_SECONDS
    seconds = np.minimum(base * growth ** lengths.astype(np.float64),
                         SECONDS_PER_TRANSITION * states.astype(np.float64) * lengths)
    threads = _parallel.num_threads(num_threads, work_seconds=float(seconds.sum()))
    threads = max(1, min(threads, k))
    share = limit // threads
    out_h, out_r, out_b, out_need = (np.empty(k, dtype=np.int64) for _ in range(4))

    def solve(lo: int, hi: int, threads: int) -> None:
        _frontier.best_batch(values, offsets[lo : hi + 1], out_h[lo:hi], out_r[lo:hi],
                             out_b[lo:hi], out_need[lo:hi], share, threads)

    _parallel.run(solve, seconds, threads=threads, progress=progress, unit="instance")
    for i in np.flatnonzero(out_b < 0).tolist():
        h, r, b, _, needed = _frontier.best(values[offsets[i] : offsets[i + 1]], limit)
        if needed is not None:
            what = f"batch[{i}]: the frontier for {lengths[i]} values (its buffers so far)"
            try:
                _convert.check_memory(needed, limit, what)
            except ValueError as exc:
                raise instance_error(exc, i, "batch") from None
        out_h[i], out_r[i], out_b[i] = h, r, b
    out = np.left_shift(out_h, out_b)
    out += out_r
    return out


def _first_tables(states: np.ndarray, bits: np.ndarray, code: int) -> np.ndarray:
    """Bytes of each instance's first table (object ints: sizes may pass int64), computed once
    per distinct (states, bits) pair, not once per instance."""
    pairs, inverse = np.unique(np.stack([states, bits], axis=1), axis=0, return_inverse=True)
    sizes = [_kernel.table_size(s, b, code, _kernel.room_for(b, code)) for s, b in pairs.tolist()]
    return np.array(sizes, dtype=object)[inverse.reshape(-1)]
