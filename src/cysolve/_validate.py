"""The one place that turns user input into checked, contiguous int64 arrays.

Every public function sends its arguments through here before a kernel sees them, so the
kernels can run without bounds checks. Errors name the argument, the index and the rule.
Nothing here modifies the caller's objects: conversions copy whenever the input is not
already a C-contiguous, native-endian int64 array, and results never alias the input.
"""

from __future__ import annotations

import gc
import numbers
import os
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import chain
from typing import NamedTuple

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
    obj, name: str, *, ndim: int | None = None, nonnegative: bool = True, copy: bool = True
) -> np.ndarray:
    """``obj`` as a C-contiguous, native int64 array that the caller's object does not share.

    Accepts lists, tuples, scalars and arrays of any integer dtype, any strides or byte
    order, read-only or not; floats only when every value is a whole number.
    ``copy=False`` lets an array that already is C-contiguous native int64 through as it is
    (same checks, no copy): only for consumers that never write to the result.
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
        if arr.dtype.kind not in "iufb" or (
            arr.dtype.kind != "b" and _holds_bools(obj, arr.ndim)
        ):
            arr = np.asarray(obj, dtype=object)  # mixed types: find and name the bad element
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
            index = _first(out < 0)
            raise OverflowError(f"{_where(name, index)} = {arr[index]}: values must fit in int64")
    elif kind == "f":
        bad = ~np.isfinite(arr) | (arr != np.floor(arr))
        if bad.any():
            index = _first(bad)
            raise ValueError(f"{_where(name, index)} = {arr[index]}: values must be integers")
        too_big = np.abs(arr) >= np.float64(2.0**63)  # float64: no overflow warning for float16
        if too_big.any():
            index = _first(too_big)
            raise OverflowError(f"{_where(name, index)} = {arr[index]}: values must fit in int64")
        out = np.array(arr, dtype=np.int64, order="C", copy=True)
    else:
        out = _from_objects(arr, name)
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
    rows = [int_array(row, f"{name}[{i}]", ndim=1) for i, row in enumerate(batch)]
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


# A thread is worth starting for about this much work: below it, waking the OpenMP team costs
# more than it saves (and on a loaded machine a woken thread can wait milliseconds for a core).
SECONDS_PER_THREAD = 1e-3


MAX_THREADS_PER_CPU = 4
MIN_THREAD_CAP = 64


def num_threads(value, name: str = "num_threads", *, work_seconds: float | None = None) -> int:
    """scikit-learn's thread-count convention, as a positive int.

    ``None`` means every usable core (``OMP_NUM_THREADS``, affinity and cgroup quotas
    respected); a negative number counts back from that (``-1`` = all, ``-2`` = all but one);
    ``0`` is an error; a build without OpenMP always runs on 1 thread. For ``None`` and
    negative values, a batch whose estimated ``work_seconds`` is small gets fewer threads
    (one per ``SECONDS_PER_THREAD``); an explicit positive count is honoured as given, up to
    ``MAX_THREADS_PER_CPU`` threads per usable core (at least ``MIN_THREAD_CAP``): beyond that
    more threads only oversubscribe, and an OpenMP runtime that cannot create the threads it is
    asked for ends the process ("libgomp: Thread creation failed"), it does not raise.
    """
    if value is not None and (isinstance(value, bool) or not isinstance(value, numbers.Integral)):
        raise TypeError(f"{name} must be an integer or None, not {type(value).__name__}")
    if value == 0:
        raise ValueError(f"{name} = 0: use None or -1 for all cores, or a positive count")
    if not openmp_enabled():
        return 1
    if value is not None and value > 0:
        return min(int(value), max(MIN_THREAD_CAP, MAX_THREADS_PER_CPU * _usable_cpus()))
    most = max(1, min(omp_max_threads(), _usable_cpus()))
    chosen = most if value is None else max(1, most + 1 + int(value))
    if work_seconds is not None:
        chosen = max(1, min(chosen, int(work_seconds / SECONDS_PER_THREAD)))
    return chosen


# --- deadlock: graphs ----------------------------------------------------------------------
# A directed graph in any of the forms ``deadlock.detect_graph`` takes, as node ids: either
# checked CSR arrays, or edge arrays ``src -> dst`` that the kernel sorts into CSR. Node labels
# are mapped to ids once, here, with C-level dict/map/list calls (no per-edge bytecode on
# the common paths); ``labels[i]`` is the label of id ``i`` (None: the ids are the labels).


def hashable(label, where: str, what: str = "node labels") -> None:
    """The package's TypeError, naming ``where``, when ``label`` cannot be a graph node."""
    try:
        hash(label)
    except TypeError:
        kind = type(label).__name__
        raise TypeError(f"{where}: {what} must be hashable, {kind} is not") from None

INT32_MAX = np.iinfo(np.int32).max


class GraphInput(NamedTuple):
    """A graph as ids ``0..n-1``: CSR (``indptr``, ``indices``) or edges (``src``, ``dst``).

    All arrays share one dtype (int32 when ``n + 3`` and the edge count fit, else int64),
    are C-contiguous and belong to the caller of ``graph_input``.
    """

    n: int
    labels: list | np.ndarray | None
    indptr: np.ndarray | None = None
    indices: np.ndarray | None = None
    src: np.ndarray | None = None
    dst: np.ndarray | None = None


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a conversion allocates many small containers.

    Each collection the allocations trigger would walk every object alive - with a large
    networkx graph in memory that is most of the conversion time (measured 8x) - and the
    lists built here hold no reference cycles.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def graph_index_dtype(n: int, m: int) -> type:
    """int32 when ``n + 3`` node codes and ``m`` edge positions fit in it, else int64."""
    return np.int32 if n + 3 <= INT32_MAX and m <= INT32_MAX else np.int64


def graph_input(graph, name: str = "graph", *, copy: bool = True) -> GraphInput:
    """Any supported graph form as :class:`GraphInput`; the package's errors otherwise.

    Forms: a networkx (Multi)DiGraph; a scipy.sparse square adjacency matrix (non-zero
    entries are edges); a mapping ``{node: iterable of successors}``; a tuple
    ``(indptr, indices)`` of two 1-D integer NumPy arrays (CSR, nodes ``range(n)``); an
    ``(E, 2)`` NumPy array of edges; any other iterable of ``(u, v)`` pairs of hashable labels.
    networkx and scipy are never imported here: an object can only be theirs if the caller
    has imported them already. ``copy=False`` lets CSR arrays that are already contiguous
    int32/int64 through uncopied, for a caller that only reads them and keeps nothing.
    """
    if graph is None or isinstance(graph, (str, bytes, numbers.Number)):
        raise TypeError(
            f"{name} must be an iterable of (u, v) edges, a dict of adjacency lists, a "
            f"networkx DiGraph, a scipy.sparse matrix or (indptr, indices) arrays, "
            f"not {type(graph).__name__}"
        )
    nx = sys.modules.get("networkx")
    if nx is not None and isinstance(graph, nx.Graph):
        if not graph.is_directed():
            raise TypeError(
                f"{name} is an undirected networkx graph: waiting has a direction, "
                f"pass a networkx.DiGraph"
            )
        return adjacency_input(dict(graph.adjacency()), name)  # node -> {successor: data}
    sparse = sys.modules.get("scipy.sparse")
    if sparse is not None and sparse.issparse(graph):
        return sparse_input(graph, name, copy=copy)
    if isinstance(graph, Mapping):
        return adjacency_input(graph, name)
    if (
        isinstance(graph, tuple)
        and len(graph) == 2
        and all(isinstance(a, np.ndarray) and a.ndim == 1 for a in graph)
    ):
        return csr_input(graph[0], graph[1], name, copy=copy)
    if isinstance(graph, np.ndarray):
        return edge_array_input(graph, name)
    try:
        edges = graph if isinstance(graph, (list, tuple)) else list(graph)
    except TypeError:
        raise TypeError(
            f"{name} must be an iterable of (u, v) edges, a dict of adjacency lists, a "
            f"networkx DiGraph, a scipy.sparse matrix or (indptr, indices) arrays, "
            f"not {type(graph).__name__}"
        ) from None
    return edge_list_input(edges, name)


def csr_input(indptr, indices, name: str = "graph", *, copy: bool = True) -> GraphInput:
    """Checked copies of CSR arrays: ``v``'s successors are ``indices[indptr[v]:indptr[v + 1]]``."""
    arrays = []
    for arr, what in ((indptr, f"{name} indptr"), (indices, f"{name} indices")):
        arr = np.asarray(arr)
        if arr.dtype.kind not in "iu":
            arr = int_array(arr, what, nonnegative=False)  # its TypeError/ValueError
        if arr.ndim != 1:
            raise ValueError(f"{what} must be 1-dimensional, got shape {arr.shape}")
        arrays.append(arr)
    indptr, indices = arrays
    n, m = indptr.size - 1, indices.size
    if n < 0:
        raise ValueError(f"{name} indptr is empty: it needs n + 1 entries for n nodes")
    if indptr[0] != 0:
        raise ValueError(f"indptr[0] = {indptr[0]}: indptr must start at 0")
    falls = indptr[1:] < indptr[:-1]
    if falls.any():
        i = int(np.argmax(falls)) + 1
        raise ValueError(
            f"indptr[{i}] = {indptr[i]}: indptr must be non-decreasing "
            f"(indptr[{i - 1}] = {indptr[i - 1]})"
        )
    if indptr[n] != m:
        raise ValueError(f"indptr[{n}] = {indptr[n]}: the last entry must be len(indices) = {m}")
    if m:
        lo, hi = indices.min(), indices.max()
        if lo < 0 or hi >= n:
            i = int(np.argmax(indices < 0)) if lo < 0 else int(np.argmax(indices >= n))
            raise ValueError(f"indices[{i}] = {indices[i]}: node ids must be in range({n})")
    dtype = graph_index_dtype(n, m)
    return GraphInput(
        n,
        None,
        indptr=np.array(indptr, dtype=dtype, order="C", copy=True if copy else None),
        indices=np.array(indices, dtype=dtype, order="C", copy=True if copy else None),
    )


def sparse_input(matrix, name: str = "graph", *, copy: bool = True) -> GraphInput:
    """A scipy.sparse adjacency matrix: entry ``(u, v)`` non-zero means an edge ``u -> v``."""
    shape = matrix.shape
    if len(shape) != 2 or shape[0] != shape[1]:
        raise ValueError(f"{name} has shape {shape}: an adjacency matrix must be square")
    csr = matrix.tocsr()
    if csr.nnz and not csr.data.all():  # explicitly stored zeros are not edges
        csr = csr.copy()
        csr.eliminate_zeros()
    return csr_input(csr.indptr, csr.indices, name, copy=copy)


def edge_array_input(edges: np.ndarray, name: str = "graph") -> GraphInput:
    """An ``(E, 2)`` array of edges; integer labels are mapped to ids without Python loops."""
    if edges.ndim != 2 or edges.shape[1] != 2:
        raise ValueError(f"{name} has shape {edges.shape}: an edge array must have shape (E, 2)")
    if edges.dtype.kind not in "iu":
        return edge_list_input(edges.tolist(), name)
    if edges.dtype in (np.dtype(np.int32), np.dtype(np.int64)):
        flat = np.ascontiguousarray(edges).reshape(-1)  # only read: no copy needed
    else:
        flat = int_array(edges, name, ndim=2, nonnegative=False).reshape(-1)
    if flat.size == 0:
        return GraphInput(0, np.empty(0, dtype=np.int64), src=flat, dst=flat)
    lo, hi = int(flat.min()), int(flat.max())
    if hi - lo < 2 * flat.size + 1024:  # labels dense enough for a direct look-up table
        offset = flat - lo if lo else flat
        present = np.zeros(hi - lo + 1, dtype=bool)
        present[offset] = True
        labels = np.flatnonzero(present)
        dtype = graph_index_dtype(labels.size, edges.shape[0])
        table = np.cumsum(present, dtype=dtype)
        table -= 1
        ids = np.take(table, offset)
        if lo:
            labels += lo
    else:
        labels, ids = np.unique(flat, return_inverse=True)
        dtype = graph_index_dtype(labels.size, edges.shape[0])
        ids = ids.astype(dtype, copy=False)
    pairs = ids.reshape(-1, 2)
    return GraphInput(labels.size, labels, src=pairs[:, 0].copy(), dst=pairs[:, 1].copy())


def _bad_edge(edges, name: str) -> None:
    """Raise the error for the first edge that is not a pair of hashable labels."""
    for i, edge in enumerate(edges):
        where = f"{name}[{i}] = {edge!r}"
        if isinstance(edge, (str, bytes)) or not isinstance(edge, Iterable):
            raise ValueError(f"{where}: an edge must be a pair (u, v), not {type(edge).__name__}")
        pair = tuple(edge)
        if len(pair) != 2:
            raise ValueError(f"{where}: an edge must be a pair (u, v), got {len(pair)} items")
        for label in pair:
            hashable(label, where)


def edge_list_input(edges: Sequence, name: str = "graph") -> GraphInput:
    """A sequence of ``(u, v)`` pairs of hashable labels; ids in order of first appearance."""
    with _gc_paused():
        return _edge_list_input(edges, name)


def _edge_list_input(edges: Sequence, name: str) -> GraphInput:
    if not set(map(type, edges)) <= {tuple, list}:
        _bad_edge(edges, name)  # raises for str, non-iterables, wrong lengths, unhashables
        edges = [tuple(edge) for edge in edges]
    elif set(map(len, edges)) - {2}:
        _bad_edge(edges, name)
    flat = list(chain.from_iterable(edges))
    try:
        index = dict.fromkeys(flat)
    except TypeError:
        _bad_edge(edges, name)
        raise
    labels = list(index)
    index = dict(zip(labels, range(len(labels)), strict=True))
    dtype = graph_index_dtype(len(labels), len(edges))
    ids = np.array(list(map(index.__getitem__, flat)), dtype=dtype)  # faster than fromiter
    return GraphInput(len(labels), labels, src=ids[0::2].copy(), dst=ids[1::2].copy())


def adjacency_input(adjacency: Mapping, name: str = "graph") -> GraphInput:
    """A mapping ``{node: iterable of successors}``; ids: the keys in order, then new targets."""
    with _gc_paused():
        return _adjacency_input(adjacency, name)


def _adjacency_input(adjacency: Mapping, name: str) -> GraphInput:
    lists = list(adjacency.values())
    kinds = set(map(type, lists))
    if not kinds <= {list, tuple}:
        if kinds <= {list, tuple, dict, set, frozenset}:  # networkx's adjacency: dicts
            lists = list(map(list, lists))
        else:
            for i, (node, targets) in enumerate(adjacency.items()):
                if isinstance(targets, (str, bytes)) or not isinstance(targets, Iterable):
                    raise TypeError(
                        f"{name}[{node!r}] = {targets!r}: the successors must be a list of "
                        f"nodes, not {type(targets).__name__}"
                    )
                lists[i] = list(targets)
    flat = list(chain.from_iterable(lists))
    try:
        index = dict.fromkeys(chain(adjacency, flat))
    except TypeError:
        for node, targets in zip(adjacency, lists, strict=True):
            for j, label in enumerate(targets):
                hashable(label, f"{name}[{node!r}][{j}] = {label!r}")
        raise
    labels = list(index)
    index = dict(zip(labels, range(len(labels)), strict=True))
    dtype = graph_index_dtype(len(labels), len(flat))
    counts = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    src = np.repeat(np.arange(len(lists), dtype=dtype), counts)
    dst = np.array(list(map(index.__getitem__, flat)), dtype=dtype)
    return GraphInput(len(labels), labels, src=src, dst=dst)


# --- deadlock: matrix algorithm ---------------------------------------------------------------

_SAFE_SUM = float(1 << 62)  # a float sum below this is far from int64's limit, whatever rounding


def _column_sums(matrix: np.ndarray) -> np.ndarray:
    """Exact sums over axis -2 (processes): int64 when surely small, else Python ints.

    Float sums decide cheaply whether every sum is far below int64's limit; only when one
    is not are the suspect sums redone exactly with Python integers (an object array), so
    huge counts never wrap around silently.
    """
    sums = matrix.sum(axis=-2, dtype=np.int64)  # may wrap where approx is big: fixed below
    if _surely_small(matrix):
        return sums
    approx = matrix.sum(axis=-2, dtype=np.float64)
    suspect = approx >= _SAFE_SUM
    if not suspect.any():
        return sums
    sums = sums.astype(object)
    for index in zip(*np.nonzero(suspect), strict=True):
        column = matrix[index[:-1] + (slice(None), index[-1])]
        sums[index] = sum(int(v) for v in column.tolist())
    return sums


def _surely_small(matrix: np.ndarray, extra: np.ndarray | None = None) -> bool:
    """True when rows x max(matrix) + max(extra) < 2^62: then no sum over axis -2 can wrap.

    One ``max`` pass, far cheaper than summing over a middle axis; exact in Python ints.
    """
    if matrix.size == 0:
        return True
    bound = matrix.shape[-2] * int(matrix.max())
    if extra is not None and extra.size:
        bound += int(extra.max())
    return bound < (1 << 62)


def _resource_vector(obj, name: str, m: int, lead: tuple[int, ...] = ()) -> np.ndarray:
    arr = int_array(obj, name, ndim=len(lead) + 1)
    if arr.shape != lead + (m,):
        raise ValueError(
            f"{name} has shape {arr.shape}: it must be {lead + (m,)}, one count per resource "
            f"type{' per system' if lead else ''} (allocation has {m} columns)"
        )
    return arr


def _process_matrices(first, second, names: tuple[str, str], ndim: int, copy: bool = False):
    """Two int64 matrices of one shape; ``copy=False``: the kernels only read them."""
    a = int_array(first, names[0], ndim=ndim, copy=copy)
    b = int_array(second, names[1], ndim=ndim, copy=copy)
    if a.shape != b.shape:
        raise ValueError(
            f"{names[1]} has shape {b.shape} but {names[0]} has shape {a.shape}: "
            "they must agree (processes x resource types)"
        )
    return a, b


def _check_release_fits(available: np.ndarray, allocation: np.ndarray, name: str) -> None:
    """``available + allocation.sum(over processes)`` must fit in int64 (A never overflows)."""
    if _surely_small(allocation, available):
        return
    approx = allocation.sum(axis=-2, dtype=np.float64) + available
    if not (approx >= _SAFE_SUM).any():
        return
    sums = _column_sums(allocation).astype(object)
    total = available.astype(object) + sums
    big = np.array(total > INT64_MAX, dtype=bool)
    if big.any():
        index = _first(big)
        system = f"system {index[0]}, " if len(index) > 1 else ""
        j = index[-1]
        held = f"allocation[{index[0]}][:, {j}]" if len(index) > 1 else f"allocation[:, {j}]"
        raise OverflowError(
            f"{system}resource {j}: {_where(name, index)} = {available[index]} plus the "
            f"{sums[index]} "
            f"units held in {held} is {total[index]}: everything that can be released "
            "must fit in int64"
        )


def matrix_system(allocation, request, available=None, existing=None):
    """Checked ``(C, R, A)`` for the matrix algorithm: C-contiguous int64 arrays.

    ``A`` is always fresh; ``C`` and ``R`` are the caller's arrays when those already are
    C-contiguous native int64 (the kernels only read them), copies otherwise.

    ``C`` and ``R`` are (n, m); ``A`` comes from ``available`` or ``existing - C.sum(0)``; when
    both are given they must agree. Column sums of ``C`` never exceed ``existing`` and
    ``A + C.sum(0)`` fits in int64, so the kernel can add without checks.
    """
    C, R = _process_matrices(allocation, request, ("allocation", "request"), 2)
    m = C.shape[1]
    if available is None and existing is None:
        raise TypeError("give available= (free units per resource type) or existing=")
    sums = None
    if existing is not None:
        E = _resource_vector(existing, "existing", m)
        sums = _column_sums(C)
        over = np.array(sums > E, dtype=bool)
        if over.any():
            j = int(np.argmax(over))
            raise ValueError(
                f"resource {j}: allocation[:, {j}] sums to {sums[j]}, more than "
                f"existing[{j}] = {E[j]}: processes cannot hold more units than exist"
            )
        from_existing = np.array(E - sums, dtype=np.int64).reshape(m)  # 0 <= E - sums <= E
    if available is not None:
        A = _resource_vector(available, "available", m)
        if existing is not None:
            differ = A != from_existing
            if differ.any():
                j = int(np.argmax(differ))
                raise ValueError(
                    f"resource {j}: available[{j}] = {A[j]} but existing[{j}] - "
                    f"allocation[:, {j}].sum() = {from_existing[j]}: the two must agree"
                )
    else:
        A = from_existing
    if sums is None:
        _check_release_fits(A, C, "available")
    return C, R, A


def matrix_batch(allocation, request, available):
    """Checked ``(C, R, A)`` of shapes (k, n, m), (k, n, m), (k, m) for a batch of systems.

    As in ``matrix_system``, ``C`` and ``R`` may be the caller's arrays: treat them as read-only.
    """
    C, R = _process_matrices(allocation, request, ("allocation", "request"), 3)
    k, _, m = C.shape
    A = _resource_vector(available, "available", m, (k,))
    _check_release_fits(A, C, "available")
    return C, R, A


def banker_state(available, allocation, max_claim):
    """Checked ``(A, C, need)`` for Banker's algorithm: ``need = max_claim - allocation``.

    A process never holds more than its maximum claim, and ``A + C.sum(0)`` fits in int64.
    """
    # Copies: request_ok grants a request by writing into C (never into the caller's array).
    C, M = _process_matrices(allocation, max_claim, ("allocation", "max_claim"), 2, copy=True)
    A = _resource_vector(available, "available", C.shape[1])
    above = C > M
    if above.any():
        i, j = _first(above)
        raise ValueError(
            f"process {i}, resource {j}: allocation[{i}, {j}] = {C[i, j]} exceeds "
            f"max_claim[{i}, {j}] = {M[i, j]}: a process cannot hold more than it may claim"
        )
    _check_release_fits(A, C, "available")
    return A, C, M - C


def process_index(value, n: int, name: str = "process") -> int:
    """A process number in ``range(n)`` as an int (no negative indexing)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer process index, not {type(value).__name__}")
    if not 0 <= value < n:
        raise ValueError(f"{name} = {value}: must be a process index in range({n})")
    return int(value)


def banker_request(request, need: np.ndarray, process: int, name: str = "request") -> np.ndarray:
    """Checked request vector (m) of ``process``: never more than the process still needs."""
    req = _resource_vector(request, name, need.shape[1])
    above = req > need[process]
    if above.any():
        j = int(np.argmax(above))
        raise ValueError(
            f"process {process}, resource {j}: {name}[{j}] = {req[j]} exceeds its remaining "
            f"need max_claim - allocation = {need[process, j]}: a process cannot ask for more "
            "than its maximum claim"
        )
    return req
