"""XScoreGame (TopCoder SRM 709): the best order for ``x <- x + (x XOR a_i)``.

Start with ``x = 0`` and apply every element of ``a`` once, in an order of your choice, as
``x = x + (x ^ a_i)``. :func:`best_score` finds the largest final ``x`` exactly, by a DP over
the multiset of values used and the low bits of ``x``; :func:`best_order` also returns an order
reaching it; :func:`best_scores` solves a batch on every core. ``cysolve.xscore.reference``
holds the plain-Python definitions the kernels are tested against.

Examples
--------
>>> from cysolve import xscore
>>> xscore.best_score([1, 2, 3])
12
>>> score, order = xscore.best_order([1, 2, 3])
>>> xscore.play([1, 2, 3], order) == score
True
>>> xscore.best_scores([[1, 2, 3], [10, 0, 0, 0], []]).tolist()
[12, 80, 0]
"""

from __future__ import annotations

import numpy as np

from cysolve import _batch, _validate
from cysolve.xscore import _frontier, _kernel, reference

__all__ = [
    "METHODS", "best_order", "best_score", "best_scores", "memory_needed", "play", "reference"
]

METHODS = ("frontier", "dominance", "residue")
DEFAULT_METHOD = "frontier"
DEFAULT_MAX_MEMORY = _validate.GIB
# The largest n whose high part ``h < 2**n`` fits each method's cells (int32 / int64).
LONGEST = {"residue": 31, "dominance": 63, "frontier": _frontier.LONGEST}
# Residues a sparse set holds at first (values wider than 12 bits); the DP doubles it on need.
START_ROOM = 64
# Seconds per DP transition (one state x one distinct value), for thread and chunk planning.
SECONDS_PER_TRANSITION = 3e-9
# The frontier's time is not known before solving; measured medians grow like this with n.
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
    values = _validate.int_array(a, "a", ndim=1).tolist()
    return reference.play(values, _validate.permutation(order, len(values)).tolist())


def _room(bits: int, method: str) -> int:
    """The sparse capacity a DP starts with: 0 for bitsets (narrow values, the residue DP)."""
    return 0 if method == "residue" or bits <= _kernel.SPARSE_BITS else START_ROOM


def _instance(a, method: str, max_memory: int):
    """Validate one instance: the int64 array, the method's name and the memory limit."""
    method = _validate.choice(method, "method", METHODS)
    limit = _validate.memory_limit(max_memory)
    arr = _validate.int_array(a, "a", ndim=1)
    _check_length(arr.size, method, "a")
    return arr, method, limit


def _solve(arr: np.ndarray, method: str, limit: int, with_order: bool = False):
    """``(h, r, b, order)`` of one checked instance, every table checked against ``limit``.

    The frontier grows its buffers on demand, each growth checked against ``limit``.

    Wide values (b > 12) keep sparse residue lists; when one turns out too small the DP runs
    again with twice the room, or with bitsets once those are the smaller table.
    """
    if method == "frontier":
        found = _frontier.best(arr, limit, with_order)
        if isinstance(found, int):
            _validate.check_memory(
                found, limit, f"the frontier for {arr.size} values (its buffers so far)")
        return found
    states, bits = (int(x[0]) for x in _kernel.shapes(arr, np.array([0, arr.size], np.int64)))
    room = _room(bits, method)
    while True:
        nbytes = _kernel.table_size(states, bits, method, room)
        _validate.check_memory(
            nbytes, limit,
            f"the {method} table for {arr.size} values ({states:,} states, {bits} residue bits"
            + (f", room for {room} residues a state)" if room else ")"),
        )
        found = _kernel.best(arr, _kernel.METHODS[method], nbytes, with_order, room)
        if found is not None:
            return found
        room *= 2
        if _kernel.table_size(states, bits, method, room) >= _kernel.table_size(
            states, bits, method, 0
        ):
            room = 0


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
        ``"frontier"`` (the default) keeps, layer by layer, only the states that reach the
        largest high part of the whole layer (50-500x faster than dominance at n = 15-20);
        ``"dominance"`` keeps, per multiset of used values, only the residues that reach the
        largest high part; ``"residue"`` is the classic DP over every residue. All are exact.
    max_memory : int
        Refuse (``ValueError``, before allocating) a DP table larger than this many bytes;
        the frontier's buffers grow as needed and each growth is checked first.

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

    The order is read back from the DP table and is the same for the same input; copies of
    one value are used in ascending index order. Parameters as for :func:`best_score`.

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
    dominance table's size, a bound (a frontier is a subset of the dominance DP's states),
    usually far above what the frontier really takes.

    Examples
    --------
    >>> memory_needed(list(range(20)))  # 2**20 states of (int64 h, 64-bit residue set)
    16777232
    """
    method = _validate.choice(method, "method", METHODS)
    arr = _validate.int_array(a, "a", ndim=1)
    states, bits = _kernel.shapes(arr, np.array([0, arr.size], dtype=np.int64))
    if method == "frontier":
        method = "dominance"
    return _kernel.table_size(states[0], bits[0], method, _room(int(bits[0]), method))


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
        Bytes all threads' tables together may use (the frontier: each thread gets an equal
        share; an instance that needs more runs again alone with all of it, and one that needs
        more than that raises ``ValueError`` naming it).
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
    method = _validate.choice(method, "method", METHODS)
    limit = _validate.memory_limit(max_memory)
    _validate.num_threads(num_threads)  # a bad value fails before any work
    values, offsets = _validate.ragged(batch, "batch")
    states, bits = _kernel.shapes(values, offsets)
    lengths = np.diff(offsets)
    k = lengths.size
    out = np.zeros(k, dtype=np.int64)
    if k == 0:
        return out
    too_long = lengths > LONGEST[method]
    if too_long.any():
        i = int(np.argmax(too_long))
        _check_length(int(lengths[i]), method, f"batch[{i}]")
    too_big = lengths + bits > 63
    if too_big.any():
        i = int(np.argmax(too_big))
        raise OverflowError(
            f"batch[{i}]: {lengths[i]} values of up to {bits[i]} bits can score up to "
            f"2**{lengths[i] + bits[i]}, beyond int64; best_score gives exact Python ints"
        )
    if method == "frontier":
        return _frontier_batch(values, offsets, lengths, states, limit, num_threads, progress)
    sizes = [_kernel.table_size(s, b, method, _room(b, method))
             for s, b in _distinct_shapes(states, bits)]
    largest = max(sizes)
    _validate.check_memory(largest, limit, f"the largest {method} table in the batch")
    seconds = SECONDS_PER_TRANSITION * states.astype(np.float64) * np.maximum(lengths, 1)
    threads = _validate.num_threads(num_threads, work_seconds=float(seconds.sum()))
    threads = max(1, min(threads, limit // largest, k))
    out_h = np.empty(k, dtype=np.int64)
    out_r = np.empty(k, dtype=np.int64)
    out_b = np.empty(k, dtype=np.int64)
    code = _kernel.METHODS[method]

    def solve(lo: int, hi: int) -> None:
        _kernel.best_batch(values, offsets[lo : hi + 1], code, out_h[lo:hi], out_r[lo:hi],
                           out_b[lo:hi], largest, threads, START_ROOM)

    _batch.run_in_chunks(_batch.chunk_edges(seconds / threads), solve, progress=progress,
                         unit="instance")
    # Wide values whose sparse sets needed more room than the batch gave: one at a time.
    for i in np.flatnonzero(out_b < 0).tolist():
        instance = values[offsets[i] : offsets[i + 1]]
        out_h[i], out_r[i], out_b[i], _ = _solve(instance, method, limit)
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
    threads = _validate.num_threads(num_threads, work_seconds=float(seconds.sum()))
    threads = max(1, min(threads, k))
    share = limit // threads
    out_h, out_r, out_b, out_need = (np.empty(k, dtype=np.int64) for _ in range(4))

    def solve(lo: int, hi: int) -> None:
        _frontier.best_batch(values, offsets[lo : hi + 1], out_h[lo:hi], out_r[lo:hi],
                             out_b[lo:hi], out_need[lo:hi], share, threads)

    _batch.run_in_chunks(_batch.chunk_edges(seconds / threads), solve, progress=progress,
                         unit="instance")
    # Rows that needed more than one thread's share: one at a time, with all of the limit.
    for i in np.flatnonzero(out_b < 0).tolist():
        instance = values[offsets[i] : offsets[i + 1]]
        found = _frontier.best(instance, limit, False)
        if isinstance(found, int):
            _validate.check_memory(
                found, limit, f"batch[{i}]: the frontier for {lengths[i]} values "
                "(its buffers so far)")
        out_h[i], out_r[i], out_b[i], _ = found
    out = np.left_shift(out_h, out_b)
    out += out_r
    return out


def _distinct_shapes(states: np.ndarray, bits: np.ndarray):
    """The distinct (states, bits) pairs of a batch, without a Python loop per instance."""
    pairs = np.unique(np.stack([states, bits], axis=1), axis=0)
    return pairs.tolist()
