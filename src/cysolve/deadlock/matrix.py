"""Deadlock detection with several units of each resource type, and Banker's safety test.

Tanenbaum & Bos, *Modern Operating Systems* (4th ed.), sections 6.4.2 and 6.5.3. The public
entry points validate their input once (``deadlock._inputs``) and call the compiled kernel
``cysolve.deadlock._matrix``; ``method="numpy"`` and ``method="reference"`` run the textbook
loop vectorised with NumPy or in plain Python instead, for comparison.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cysolve import _convert, _parallel
from cysolve.deadlock import _inputs, _matrix, _numpy_loop, reference
from cysolve.deadlock._text import REPORT_LIMIT, listing

__all__ = [
    "Detection",
    "Safety",
    "detect",
    "detect_batch",
    "is_safe",
    "is_safe_batch",
    "request_ok",
    "request_ok_batch",
]

Method = Literal["kernel", "numpy", "reference"]
METHODS: tuple[Method, ...] = ("kernel", "numpy", "reference")


def _frozen(arr: np.ndarray) -> np.ndarray:
    """Make a result array (never a caller's array) read-only; it is already int64."""
    arr.setflags(write=False)
    return arr


def _equal_fields(a, b) -> bool:
    """Value equality for the result dataclasses: arrays compared by shape and content."""
    if type(a) is not type(b):
        return NotImplemented
    return all(
        np.array_equal(getattr(a, f), getattr(b, f)) for f in a.__dataclass_fields__
    )


def _short_list(values: np.ndarray) -> str:
    return "[" + listing(list(map(str, values.tolist()))) + "]"


@dataclass(frozen=True, repr=False, eq=False)
class Detection:
    """The outcome of the matrix algorithm. True when some process is deadlocked.

    Attributes
    ----------
    deadlocked : ndarray of int64, shape (d,)
        The deadlocked processes, sorted. The set is unique: finishing only grows ``A``.
    order : ndarray of int64, shape (n - d,)
        A valid finishing order of all the other processes: each one's request fits in what
        is available at its turn, after the ones before it have returned their allocation.
    available : ndarray of int64, shape (m,)
        The available vector after all of ``order`` finished.
    shortfall : ndarray of int64, shape (d, m)
        Row ``r`` is what deadlocked process ``deadlocked[r]`` is short of:
        ``max(request[p] - available, 0)``; every row has a positive entry.

    The arrays are read-only.
    """

    deadlocked: NDArray[np.int64]
    order: NDArray[np.int64]
    available: NDArray[np.int64]
    shortfall: NDArray[np.int64] = field(repr=False)

    def __bool__(self) -> bool:
        return bool(self.deadlocked.size)

    __eq__ = _equal_fields
    __hash__ = None  # equal by value, and its arrays are not hashable

    def short_of(self, process: int) -> dict[int, int]:
        """``{resource type: missing units}`` for a deadlocked process ({} for the others)."""
        if isinstance(process, (bool, np.bool_)) or not isinstance(process, numbers.Integral):
            raise TypeError(
                f"process must be an integer process index, not {type(process).__name__}"
            )
        rows = np.flatnonzero(self.deadlocked == process)
        if not rows.size:
            return {}
        row = self.shortfall[rows[0]]
        return {int(j): int(row[j]) for j in np.flatnonzero(row)}

    def _shortfall_lines(self, procs, res, limit: int | None) -> list[str]:
        """"  P is short of R by k, ..." per deadlocked process, at most ``limit`` of them."""
        shown = self.deadlocked if limit is None else self.deadlocked[:limit]
        lines = []
        for p in shown.tolist():
            missing = ", ".join(f"{res(j)} by {v}" for j, v in self.short_of(p).items())
            lines.append(f"  {procs(p)} is short of {missing}")
        if shown.size < self.deadlocked.size:
            lines.append(f"  ... and {self.deadlocked.size - shown.size} more")
        return lines

    def report(
        self,
        processes: list[str] | None = None,
        resources: list[str] | None = None,
        limit: int | None = REPORT_LIMIT,
    ) -> str:
        """The answer in words: who is stuck and short of what, who finishes, in what order.

        ``processes`` / ``resources`` name the rows and columns ("process 0", "resource 0" by
        default); every list stops after ``limit`` items (None: all of them).
        """
        procs = (lambda p: f"process {p}") if processes is None else processes.__getitem__
        res = (lambda j: f"resource {j}") if resources is None else resources.__getitem__
        lines = []
        if self.deadlocked.size:
            dead = [procs(p) for p in self.deadlocked.tolist()]
            lines.append("deadlock: " + listing(dead, limit)
                         + (" is" if self.deadlocked.size == 1 else " are") + " deadlocked")
            lines += self._shortfall_lines(procs, res, limit)
        else:
            lines.append(f"no deadlock: all {self.order.size} processes can finish")
        if self.order.size:
            lines.append(
                ("the others can finish in this order: " if self.deadlocked.size else
                 "in this order: ") + listing([procs(p) for p in self.order.tolist()], limit)
            )
        lines.append("available at the end: " + " ".join(map(str, self.available.tolist())))
        return "\n".join(lines)

    def __repr__(self) -> str:
        if not self.deadlocked.size:
            return (
                f"Detection(no deadlock: {self.order.size} processes finish, "
                f"order={_short_list(self.order)}, available={_short_list(self.available)})"
            )
        lines = [
            f"Detection({self.deadlocked.size} deadlocked: {_short_list(self.deadlocked)}, "
            f"order={_short_list(self.order)}, available={_short_list(self.available)},"
        ]
        lines += self._shortfall_lines(
            lambda p: f"process {p}", lambda j: f"resource {j}", REPORT_LIMIT
        )
        return "\n".join(lines) + ")"


@dataclass(frozen=True, repr=False, eq=False)
class Safety:
    """The outcome of Banker's safety test. True when the state is safe.

    Attributes
    ----------
    safe : bool
        Whether every process can run to completion in some order.
    sequence : ndarray of int64
        A safe sequence when ``safe`` (every process, in an order that works); otherwise the
        processes that could still finish, in an order that works.
    stuck : ndarray of int64
        The processes that could not finish (sorted; empty when ``safe``).
    """

    safe: bool
    sequence: NDArray[np.int64]
    stuck: NDArray[np.int64]

    def __bool__(self) -> bool:
        return self.safe

    __eq__ = _equal_fields
    __hash__ = None

    def report(
        self, processes: list[str] | None = None, limit: int | None = REPORT_LIMIT
    ) -> str:
        """Banker's answer in words: a safe sequence, or who could not be sure to finish."""
        procs = (lambda p: f"process {p}") if processes is None else processes.__getitem__
        seq = listing([procs(p) for p in self.sequence.tolist()], limit)
        if self.safe:
            return f"safe: every process can finish, in this order: {seq}"
        stuck = listing([procs(p) for p in self.stuck.tolist()], limit)
        text = f"unsafe: no order lets {stuck} finish if every process asks for its maximum"
        return text + (f"\n  the others can finish: {seq}" if seq else "")

    def __repr__(self) -> str:
        if self.safe:
            return f"Safety(safe, sequence={_short_list(self.sequence)})"
        return (
            f"Safety(unsafe: {self.stuck.size} processes cannot finish: "
            f"{_short_list(self.stuck)}, the others in order {_short_list(self.sequence)})"
        )


def _run(C: np.ndarray, R: np.ndarray, A: np.ndarray, method: str):
    """``(order, available)`` for a validated system, by ``method``."""
    if method == "kernel":
        A = A.copy()
        order = np.empty(C.shape[0], dtype=np.int64)
        done = _matrix.detect(C, R, A, order)
        return order[:done], A
    if method == "numpy":
        return _numpy_loop.detect(C, R, A)
    _, order, final = reference.detect(C.tolist(), R.tolist(), A.tolist())
    return np.array(order, dtype=np.int64), np.array(final, dtype=np.int64).reshape(A.shape)


def _detection(R: np.ndarray, order: np.ndarray, final: np.ndarray) -> Detection:
    if order.size == R.shape[0]:  # the common case, kept cheap for small systems
        none = np.empty(0, dtype=np.int64)
        return Detection(
            _frozen(none),
            _frozen(order),
            _frozen(final),
            _frozen(np.empty((0, R.shape[1]), np.int64)),
        )
    stuck = np.ones(R.shape[0], dtype=bool)
    stuck[order] = False
    deadlocked = np.flatnonzero(stuck).astype(np.int64)
    shortfall = np.maximum(R[deadlocked] - final, 0)
    return Detection(_frozen(deadlocked), _frozen(order), _frozen(final), _frozen(shortfall))


def detect(
    allocation: ArrayLike,
    request: ArrayLike,
    *,
    available: ArrayLike | None = None,
    existing: ArrayLike | None = None,
    method: Method = "kernel",
) -> Detection:
    """Find the deadlocked processes of a system with several units of each resource type.

    Tanenbaum's matrix algorithm (MOS 6.4.2): repeatedly let a process whose request fits in
    the available units finish and return its allocation; whoever never fits is deadlocked.

    Parameters
    ----------
    allocation : array_like of int, shape (n, m)
        ``C[i, j]``: units of resource type j that process i holds.
    request : array_like of int, shape (n, m)
        ``R[i, j]``: units of type j that process i still waits for.
    available : array_like of int, shape (m,), optional
        Free units of each type. Give this, ``existing``, or both (then they must agree).
    existing : array_like of int, shape (m,), optional
        Units of each type in the system; ``available = existing - allocation.sum(0)``.
    method : {"kernel", "numpy", "reference"}
        The compiled kernel (default: sweeps, then per-type bucket queues, O(nm) plus the
        watches, or radix heaps when counts are huge; see ``cysolve.deadlock._matrix``),
        the textbook loop vectorised with NumPy, or the plain-Python textbook loop. All give
        the same deadlocked set.

    Returns
    -------
    Detection
        ``deadlocked``, a finishing ``order`` of the others, the final ``available`` and each
        deadlocked process's ``shortfall``; true when anything is deadlocked.

    Raises
    ------
    TypeError
        Neither ``available`` nor ``existing``, or counts that are not integers.
    ValueError
        Negative counts, shapes that disagree, allocation above ``existing``, ``available``
        and ``existing`` that disagree, an unknown ``method``.
    OverflowError
        Counts beyond int64, or ``available`` plus everything held beyond int64.

    Examples
    --------
    Tanenbaum's example (Fig. 6-7): no deadlock; process 2 runs first.

    >>> from cysolve import deadlock
    >>> C = [[0, 0, 1, 0], [2, 0, 0, 1], [0, 1, 2, 0]]
    >>> R = [[2, 0, 0, 1], [1, 0, 1, 0], [2, 1, 0, 0]]
    >>> result = deadlock.detect(C, R, existing=[4, 2, 3, 1])
    >>> bool(result), result.order.tolist(), result.available.tolist()
    (False, [2, 1, 0], [4, 2, 3, 1])

    If process 2 wants one more unit of resource 3 (which process 1 holds), all three wait:

    >>> R[2] = [2, 1, 0, 1]
    >>> result = deadlock.detect(C, R, existing=[4, 2, 3, 1])
    >>> result.deadlocked.tolist(), result.short_of(2)
    ([0, 1, 2], {3: 1})
    """
    method = _convert.choice(method, "method", METHODS)
    C, R, A = _inputs.matrix_system(allocation, request, available, existing)
    order, final = _run(C, R, A, method)
    return _detection(R, order, final)


def detect_batch(
    allocation: ArrayLike,
    request: ArrayLike,
    available: ArrayLike,
    *,
    num_threads: int | None = None,
    progress: bool = False,
) -> NDArray[np.bool_]:
    """Run the matrix algorithm on k systems of the same shape, in parallel.

    Parameters
    ----------
    allocation, request : array_like of int, shape (k, n, m)
        One allocation and request matrix per system.
    available : array_like of int, shape (k, m)
        The free units of each system.
    num_threads : int or None
        scikit-learn's convention: None = all usable cores, -1 = all, -2 = all but one,
        0 = ValueError; a build without OpenMP runs on one thread. The GIL is released.
    progress : bool
        Show a progress bar (tqdm) over the systems. Long batches run in chunks of a
        fraction of a second, so Ctrl-C stops them between chunks.

    Returns
    -------
    ndarray of bool, shape (k, n)
        True where a process is deadlocked.

    Examples
    --------
    >>> import numpy as np
    >>> from cysolve import deadlock
    >>> C = np.array([[[1, 0], [0, 1]], [[1, 0], [0, 1]]])
    >>> R = np.array([[[0, 1], [0, 0]], [[0, 1], [1, 0]]])  # the second system: a cycle
    >>> deadlock.detect_batch(C, R, np.zeros((2, 2), dtype=int), num_threads=1)
    array([[False, False],
           [ True,  True]])
    """
    C, R, A = _inputs.matrix_batch(allocation, request, available)
    # About 2 ns per request entry on easy systems: it plans threads and chunks, nothing else.
    seconds = np.full(C.shape[0], 2e-9 * C[0].size if C.shape[0] else 0.0)
    threads = _parallel.num_threads(num_threads, work_seconds=float(seconds.sum()))
    out = np.empty(C.shape[:2], dtype=np.uint8)  # the kernel writes every entry

    def solve(lo: int, hi: int, threads: int) -> None:
        _matrix.detect_batch(C[lo:hi], R[lo:hi], A[lo:hi], out[lo:hi], threads)

    _parallel.run(solve, seconds, threads=threads, progress=progress, unit="system")
    return out.view(np.bool_)


def _safety(A: np.ndarray, C: np.ndarray, need: np.ndarray) -> Safety:
    order, _ = _run(C, need, A, "kernel")
    stuck = np.ones(C.shape[0], dtype=bool)
    stuck[order] = False
    return Safety(not stuck.any(), _frozen(order), _frozen(np.flatnonzero(stuck)))


def is_safe(available: ArrayLike, allocation: ArrayLike, max_claim: ArrayLike) -> Safety:
    """Banker's safety test (MOS 6.5.3): can every process still run to completion?

    The matrix algorithm with ``need = max_claim - allocation`` as the request: a state is
    safe when some order lets every process obtain its full claim and finish.

    Parameters
    ----------
    available : array_like of int, shape (m,)
        Free units of each resource type.
    allocation : array_like of int, shape (n, m)
        Units each process holds; never above ``max_claim`` (ValueError).
    max_claim : array_like of int, shape (n, m)
        The most each process may ever hold.

    Returns
    -------
    Safety
        ``safe``, a ``sequence`` in which the processes can finish, and the ``stuck`` ones.
        True when safe. The arguments are not modified.

    Examples
    --------
    Tanenbaum's single-resource example (Fig. 6-9a): 3 free units, safe.

    >>> from cysolve import deadlock
    >>> s = deadlock.is_safe([3], [[3], [2], [2]], [[9], [4], [7]])
    >>> bool(s), s.sequence.tolist()
    (True, [1, 2, 0])
    """
    A, C, need = _inputs.banker_state(available, allocation, max_claim)
    return _safety(A, C, need)


def request_ok(
    available: ArrayLike,
    allocation: ArrayLike,
    max_claim: ArrayLike,
    process: int,
    request: ArrayLike,
) -> bool:
    """Banker's request test: should ``process`` be granted ``request`` now?

    A request above the process's remaining need (``max_claim - allocation``) is an error;
    one above what is available must wait (False); otherwise the answer is whether the state
    after granting it is safe. The arguments are not modified.

    Parameters
    ----------
    available : array_like of int, shape (m,)
    allocation, max_claim : array_like of int, shape (n, m)
        As for :func:`is_safe`.
    process : int
        The requesting process, in ``range(n)``.
    request : array_like of int, shape (m,)
        Units of each type it asks for.

    Examples
    --------
    From the safe state of Fig. 6-9a, granting process 1 one more unit stays safe, but
    granting process 0 one unit does not (Fig. 6-10):

    >>> from cysolve import deadlock
    >>> deadlock.request_ok([3], [[3], [2], [2]], [[9], [4], [7]], 1, [1])
    True
    >>> deadlock.request_ok([3], [[3], [2], [2]], [[9], [4], [7]], 0, [1])
    False
    """
    A, C, need = _inputs.banker_state(available, allocation, max_claim)
    p = _inputs.process_index(process, C.shape[0])
    req = _inputs.banker_request(request, need, p)
    if (req > A).any():
        return False
    # A, C and need are private copies: granting in place leaves the caller's arrays alone.
    A -= req
    C[p] += req
    need[p] -= req
    return _safety(A, C, need).safe


# --- Banker's algorithm in batches --------------------------------------------------------------

_NO_MASK = np.empty((0, 0), dtype=np.uint8)
_NO_ORDERS = np.empty((0, 0), dtype=np.int64)


def _safe_batch(A, C, need, num_threads, progress, want_orders):
    """``(finished counts, orders or None)`` for checked Banker states, on every core."""
    k, n, m = C.shape
    # About 2 ns per need entry on easy systems: it plans threads and chunks, nothing else.
    seconds = np.full(k, 2e-9 * n * m if k else 0.0)
    threads = _parallel.num_threads(num_threads, work_seconds=float(seconds.sum()))
    finished = np.empty(k, dtype=np.int64)  # the kernel writes every entry
    orders = np.empty((k, n), dtype=np.int64) if want_orders else None

    def solve(lo: int, hi: int, threads: int) -> None:
        out = orders[lo:hi] if want_orders else _NO_ORDERS
        _matrix.solve_batch(C[lo:hi], need[lo:hi], A[lo:hi], _NO_MASK, out, finished[lo:hi],
                            threads)

    _parallel.run(solve, seconds, threads=threads, progress=progress, unit="system")
    return finished, orders


def is_safe_batch(
    available: ArrayLike | None,
    allocation: ArrayLike,
    max_claim: ArrayLike,
    *,
    existing: ArrayLike | None = None,
    return_sequences: bool = False,
    num_threads: int | None = None,
    progress: bool = False,
) -> NDArray[np.bool_] | tuple[NDArray[np.bool_], NDArray[np.int64]]:
    """Banker's safety test on k states of the same shape, in parallel.

    System s is safe when ``is_safe(available[s], allocation[s], max_claim[s])`` is; no
    Python loop runs per system (the compiled kernel runs them, the GIL released).

    Parameters
    ----------
    available : array_like of int, shape (k, m), or None
        Free units of each system; None when ``existing`` is given.
    allocation, max_claim : array_like of int, shape (k, n, m)
        As for :func:`is_safe`, one state per system (``allocation <= max_claim``).
    existing : array_like of int, shape (k, m), optional
        Units of each type in each system; ``available = existing - allocation.sum(1)``.
        When both are given they must agree.
    return_sequences : bool
        Also return a (k, n) int64 array: row s is a valid safe sequence of system s when it
        is safe; for an unsafe system, the processes that could still finish, in an order
        that works, then -1 padding.
    num_threads, progress
        As for :func:`detect_batch` (scikit-learn's thread convention; a tqdm bar; Ctrl-C
        stops a long batch between chunks).

    Returns
    -------
    ndarray of bool, shape (k,)
        True where the state is safe; ``(safe, sequences)`` with ``return_sequences``.

    Raises
    ------
    cysolve.errors.InstanceError
        (a ``ValueError``, ``TypeError`` or ``OverflowError``) for a bad system; ``.index``
        is its row in the batch.

    Examples
    --------
    Fig. 6-9 of MOS (safe) and the state after granting process 0 one unit (unsafe):

    >>> from cysolve import deadlock
    >>> safe, seqs = deadlock.is_safe_batch(
    ...     [[3], [2]], [[[3], [2], [2]], [[4], [2], [2]]], [[[9], [4], [7]]] * 2,
    ...     return_sequences=True, num_threads=1)
    >>> safe.tolist(), seqs.tolist()
    ([True, False], [[1, 2, 0], [1, -1, -1]])
    """
    A, C, need = _inputs.banker_batch(available, allocation, max_claim, existing)
    finished, orders = _safe_batch(A, C, need, num_threads, progress, return_sequences)
    safe = finished == C.shape[1]
    return (safe, orders) if return_sequences else safe


def request_ok_batch(
    available: ArrayLike | None,
    allocation: ArrayLike,
    max_claim: ArrayLike,
    process: ArrayLike,
    request: ArrayLike,
    *,
    existing: ArrayLike | None = None,
    num_threads: int | None = None,
    progress: bool = False,
) -> NDArray[np.bool_]:
    """Banker's request test on k states, one request each: ``request_ok`` per system.

    Parameters
    ----------
    available, allocation, max_claim, existing
        As for :func:`is_safe_batch`: (k, m), (k, n, m), (k, n, m), (k, m).
    process : array_like of int, shape (k,)
        The requesting process of each system, in ``range(n)``.
    request : array_like of int, shape (k, m)
        What it asks for; never above its remaining need ``max_claim - allocation``.
    num_threads, progress
        As for :func:`detect_batch`.

    Returns
    -------
    ndarray of bool, shape (k,)
        True where the request should be granted now: it fits in what is free and the state
        after granting it is safe.

    Examples
    --------
    >>> from cysolve import deadlock
    >>> deadlock.request_ok_batch(
    ...     [[3], [3]], [[[3], [2], [2]]] * 2, [[[9], [4], [7]]] * 2, [1, 0], [[1], [1]],
    ...     num_threads=1).tolist()
    [True, False]
    """
    A, C, need = _inputs.banker_batch(available, allocation, max_claim, existing)
    k, n, _ = C.shape
    procs, req = _inputs.banker_batch_request(process, request, need)
    fits = (req <= A).all(axis=1)
    ok = np.zeros(k, dtype=bool)
    chosen = np.flatnonzero(fits)
    if chosen.size:
        # Private copies of the systems that can be granted: the caller's arrays stay as
        # they are. Granting never overflows: it only moves units from A into C.
        sub = chosen
        A2 = A[sub] - req[sub]
        C2 = C[sub]
        need2 = need[sub]
        C2[np.arange(sub.size), procs[sub]] += req[sub]
        need2[np.arange(sub.size), procs[sub]] -= req[sub]
        finished, _ = _safe_batch(A2, C2, need2, num_threads, progress, False)
        ok[chosen] = finished == n
    return ok
