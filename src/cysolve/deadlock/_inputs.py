"""The deadlock family's input rules: every graph form as CSR, matrix and Banker's states.

Graphs: a directed graph in any of the forms ``deadlock.detect_graph`` takes becomes node ids
and checked arrays. Node labels are mapped to ids once, here, with C-level dict/map/list
calls (no per-edge bytecode on the common paths); ``labels[i]`` is the label of id ``i``
(None: the ids are the labels). Matrices: the shapes agree, allocation never exceeds what
exists or what a process may claim, and every sum the kernels form fits in int64.
"""

from __future__ import annotations

import gc
import numbers
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import chain
from typing import NamedTuple

import numpy as np

from cysolve._convert import INT64_MAX, first_index, hashable, int_array, where
from cysolve.deadlock import _graph
from cysolve.errors import instance_error

INT32_MAX = np.iinfo(np.int32).max


class GraphInput(NamedTuple):
    """A graph as ids ``0..n-1`` in CSR: ``v``'s successors are ``indices[indptr[v]:indptr[v+1]]``.

    Both arrays share one dtype (int32 or int64) and are C-contiguous; ``labels[i]`` is the
    label of id ``i`` (None: the ids are the labels). ``owned``: the arrays were made here,
    so a result may keep them; False means they are the caller's own arrays (read, never
    copied). ``checked``: every entry was checked here; False means only the O(1) rules
    were (``indptr[0] == 0``, ``indptr[n] == len(indices)``) and the kernel checks each
    ``indptr`` pair and index as it reads it (``check_csr`` names the first bad one).
    """

    n: int
    labels: list | np.ndarray | None
    indptr: np.ndarray
    indices: np.ndarray
    owned: bool = True
    checked: bool = True


def _from_edges(n: int, labels, src: np.ndarray, dst: np.ndarray) -> GraphInput:
    """Edges ``src[e] -> dst[e]`` (ids, one dtype) sorted into CSR by the kernel (O(V + E))."""
    indptr, indices = _graph.csr_from_edges(src, dst, n)
    return GraphInput(n, labels, indptr, indices)


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


def graph_input(graph, name: str = "graph") -> GraphInput:
    """Any supported graph form as :class:`GraphInput`; the package's errors otherwise.

    Forms: a networkx (Multi)DiGraph; a scipy.sparse square adjacency matrix (non-zero
    entries are edges); a mapping ``{node: iterable of successors}``; a tuple
    ``(indptr, indices)`` of two 1-D integer NumPy arrays (CSR, nodes ``range(n)``); an
    ``(E, 2)`` NumPy array of edges; any other iterable of ``(u, v)`` pairs of hashable labels.
    networkx and scipy are never imported here: an object can only be theirs if the caller
    has imported them already. CSR arrays (and a scipy matrix's) that are already
    C-contiguous native int32/int64 of one dtype come through uncopied and unscanned
    (``owned=False, checked=False``): the kernel checks them as it reads them.
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
        return sparse_input(graph, name)
    if isinstance(graph, Mapping):
        return adjacency_input(graph, name)
    if (
        isinstance(graph, tuple)
        and len(graph) == 2
        and all(isinstance(a, np.ndarray) and a.ndim == 1 for a in graph)
    ):
        try:
            return csr_input(graph[0], graph[1], name)
        except ValueError as exc:
            raise csr_tuple_error(exc) from None
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


_NATIVE = (np.dtype(np.int32), np.dtype(np.int64))


def csr_tuple_error(exc: ValueError) -> ValueError:
    """``exc`` about a tuple of two arrays, explained: it was read as CSR, not as edges.

    For every CSR error of a tuple, whether ``csr_input`` found it or the kernel met it late
    in a search (``check_csr`` then names it), so both read the same.
    """
    return ValueError(
        f"{exc} (a tuple of two 1-D arrays is read as CSR (indptr, indices); for edge "
        f"lists (src, dst) pass np.column_stack((src, dst)), an (E, 2) array)"
    )


def _kernel_dtype(arr: np.ndarray) -> np.dtype:
    """int32 when every value of ``arr``'s dtype fits in it, else int64 (never narrower)."""
    if arr.dtype.itemsize < 4 or (arr.dtype.kind == "i" and arr.dtype.itemsize == 4):
        return np.dtype(np.int32)
    return np.dtype(np.int64)


def csr_input(indptr, indices, name: str = "graph") -> GraphInput:
    """CSR arrays: ``v``'s successors are ``indices[indptr[v]:indptr[v + 1]]``, checked in O(1).

    Arrays that are C-contiguous native int32/int64 of one dtype are the caller's own, passed
    on unread beyond ``indptr[0]`` and ``indptr[n]`` (``owned=False, checked=False``): the
    kernel checks each ``indptr`` pair and index as it reads it, so a search that stops early
    costs only what it reads, and ``check_csr`` names the first bad entry when the kernel
    meets one. Any other integer arrays are converted (a copy) and checked in full here.
    """
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
    if indptr[n] != m:
        raise ValueError(f"indptr[{n}] = {indptr[n]}: the last entry must be len(indices) = {m}")
    if (
        indptr.dtype == indices.dtype
        and indptr.dtype in _NATIVE
        and indptr.flags.c_contiguous
        and indices.flags.c_contiguous
    ):
        return GraphInput(n, None, indptr, indices, owned=False, checked=False)
    check_csr(indptr, indices)
    dtype = max(_kernel_dtype(indptr), _kernel_dtype(indices), key=lambda d: d.itemsize)
    return GraphInput(
        n,
        None,
        np.ascontiguousarray(indptr, dtype=dtype),
        np.ascontiguousarray(indices, dtype=dtype),
    )


def check_csr(indptr: np.ndarray, indices: np.ndarray) -> None:
    """Raise the error for the first malformed entry of CSR arrays, in array order.

    The O(V + E) check behind every CSR message: an ``indptr`` that falls, then an index
    outside ``range(n)`` (``indptr[0]`` and ``indptr[n]`` are ``csr_input``'s O(1) checks).
    The kernel calls for it when its search reads a bad entry, so an entry found late in a
    search gets the same message as one found at the start; it returns when all is well.
    """
    n = indptr.size - 1
    falls = indptr[1:] < indptr[:-1]
    if falls.any():
        i = int(np.argmax(falls)) + 1
        raise ValueError(
            f"indptr[{i}] = {indptr[i]}: indptr must be non-decreasing "
            f"(indptr[{i - 1}] = {indptr[i - 1]})"
        )
    if indices.size:
        lo, hi = indices.min(), indices.max()
        if lo < 0 or hi >= n:
            i = int(np.argmax(indices < 0)) if lo < 0 else int(np.argmax(indices >= n))
            raise ValueError(f"indices[{i}] = {indices[i]}: node ids must be in range({n})")


def sparse_input(matrix, name: str = "graph") -> GraphInput:
    """A scipy.sparse adjacency matrix: entry ``(u, v)`` non-zero means an edge ``u -> v``.

    A CSR matrix with no explicitly stored zeros is read in place (``csr_input``).
    """
    shape = matrix.shape
    if len(shape) != 2 or shape[0] != shape[1]:
        raise ValueError(f"{name} has shape {shape}: an adjacency matrix must be square")
    csr = matrix.tocsr()
    if csr.nnz and not csr.data.all():  # explicitly stored zeros are not edges
        csr = csr.copy()
        csr.eliminate_zeros()
    return csr_input(csr.indptr, csr.indices, name)


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
        return _from_edges(0, np.empty(0, dtype=np.int64), flat, flat)
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
    return _from_edges(labels.size, labels, pairs[:, 0].copy(), pairs[:, 1].copy())


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
    return _from_edges(len(labels), labels, ids[0::2].copy(), ids[1::2].copy())


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
    return _from_edges(len(labels), labels, src, dst)


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


def resource_vector(obj, name: str, m: int, lead: tuple[int, ...] = ()) -> np.ndarray:
    arr = int_array(obj, name, ndim=len(lead) + 1, batch=bool(lead))
    if arr.shape != lead + (m,):
        raise ValueError(
            f"{name} has shape {arr.shape}: it must be {lead + (m,)}, one count per resource "
            f"type{' per system' if lead else ''} (allocation has {m} columns)"
        )
    return arr


def _process_matrices(
    first, second, names: tuple[str, str], ndim: int, copy: bool = False, counts=()
):
    """Two int64 matrices of one shape; ``copy=False``: the kernels only read them.

    With ``ndim == 3`` axis 0 indexes systems, and an element's error names its system. An
    empty list of processes (``[]``, or ``[[], []]`` for a batch) is the ``(..., 0, m)``
    matrix, ``m`` read from the first of ``counts`` (the resource vectors) that is given.
    """
    a = _process_matrix(first, names[0], ndim, copy, counts)
    b = _process_matrix(second, names[1], ndim, copy, counts)
    if a.shape != b.shape:
        raise ValueError(
            f"{names[1]} has shape {b.shape} but {names[0]} has shape {a.shape}: "
            "they must agree (processes x resource types)"
        )
    return a, b


# The matrix kernels keep a resource type's index in 32 bits (with a count beside it).
MAX_TYPES = 2**32 - 1


def _process_matrix(obj, name: str, ndim: int, copy: bool, counts) -> np.ndarray:
    shape = getattr(obj, "shape", ())
    if len(shape) == ndim and shape[-1] > MAX_TYPES:  # before any copy of such an array
        raise ValueError(
            f"{name} has {shape[-1]:,} resource types (columns): at most 2**32 - 1"
        )
    lead = _no_processes(obj, ndim)
    if lead is not None:
        m = _columns(counts)
        if m is not None:
            return np.zeros(lead + (0, m), dtype=np.int64)
    return int_array(obj, name, ndim=ndim, copy=copy, batch=ndim == 3)


def _no_processes(obj, ndim: int) -> tuple[int, ...] | None:
    """The leading shape of an empty list of processes (JSON cannot write a (0, m) matrix)."""
    if not isinstance(obj, (list, tuple)):
        return None
    if ndim == 2:
        return () if len(obj) == 0 else None
    if len(obj) and all(isinstance(row, (list, tuple)) and len(row) == 0 for row in obj):
        return (len(obj),)
    return None


def _columns(counts) -> int | None:
    """The number of resource types the first given resource vector has, if it says."""
    for vector in counts:
        if vector is not None:
            try:
                shape = np.shape(vector)
            except (ValueError, TypeError):  # ragged or odd: its own conversion says why
                return None
            return int(shape[-1]) if shape else None
    return None


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
        index = first_index(big)
        system = f"system {index[0]}, " if len(index) > 1 else ""
        j = index[-1]
        held = f"allocation[{index[0]}][:, {j}]" if len(index) > 1 else f"allocation[:, {j}]"
        exc = OverflowError(
            f"{system}resource {j}: {where(name, index)} = {available[index]} plus the "
            f"{sums[index]} "
            f"units held in {held} is {total[index]}: everything that can be released "
            "must fit in int64"
        )
        raise instance_error(exc, index[0], name) if len(index) > 1 else exc


def matrix_system(allocation, request, available=None, existing=None):
    """Checked ``(C, R, A)`` for the matrix algorithm: C-contiguous int64 arrays.

    ``A`` is always fresh; ``C`` and ``R`` are the caller's arrays when those already are
    C-contiguous native int64 (the kernels only read them), copies otherwise.

    ``C`` and ``R`` are (n, m); ``A`` comes from ``available`` or ``existing - C.sum(0)``; when
    both are given they must agree. Column sums of ``C`` never exceed ``existing`` and
    ``A + C.sum(0)`` fits in int64, so the kernel can add without checks.
    """
    C, R = _process_matrices(allocation, request, ("allocation", "request"), 2,
                             counts=(available, existing))
    if available is None and existing is None:
        raise TypeError("give available= (free units per resource type) or existing=")
    return C, R, free_units(C, available, existing)


def free_units(C: np.ndarray, available, existing) -> np.ndarray:
    """The free units ``A`` (fresh int64, shape (m,)) of checked allocations ``C`` (n, m).

    From ``available``, or ``existing - C.sum(0)``; when both are given they must agree.
    Column sums of ``C`` never exceed ``existing``, and ``A + C.sum(0)`` fits in int64 (when
    ``existing`` is given it is that sum), so a kernel can add what finishes without checks.
    """
    m = C.shape[1]
    if existing is not None:
        E = resource_vector(existing, "existing", m)
        sums = _column_sums(C)
        over = np.array(sums > E, dtype=bool)
        if over.any():
            j = int(np.argmax(over))
            raise ValueError(
                f"resource {j}: allocation[:, {j}] sums to {sums[j]}, more than "
                f"existing[{j}] = {E[j]}: processes cannot hold more units than exist"
            )
        from_existing = np.array(E - sums, dtype=np.int64).reshape(m)  # 0 <= E - sums <= E
        if available is None:
            return from_existing
    A = resource_vector(available, "available", m)
    if existing is None:
        _check_release_fits(A, C, "available")
        return A
    differ = A != from_existing
    if differ.any():
        j = int(np.argmax(differ))
        raise ValueError(
            f"resource {j}: available[{j}] = {A[j]} but existing[{j}] - "
            f"allocation[:, {j}].sum() = {from_existing[j]}: the two must agree"
        )
    return A


def matrix_batch(allocation, request, available):
    """Checked ``(C, R, A)`` of shapes (k, n, m), (k, n, m), (k, m) for a batch of systems.

    As in ``matrix_system``, ``C`` and ``R`` may be the caller's arrays: treat them as read-only.
    """
    C, R = _process_matrices(allocation, request, ("allocation", "request"), 3,
                             counts=(available,))
    k, _, m = C.shape
    A = resource_vector(available, "available", m, (k,))
    _check_release_fits(A, C, "available")
    return C, R, A


def banker_state(available, allocation, max_claim):
    """Checked ``(A, C, need)`` for Banker's algorithm: ``need = max_claim - allocation``.

    A process never holds more than its maximum claim, and ``A + C.sum(0)`` fits in int64.
    """
    # Copies: request_ok grants a request by writing into C (never into the caller's array).
    C, M = _process_matrices(allocation, max_claim, ("allocation", "max_claim"), 2, copy=True,
                             counts=(available,))
    A = resource_vector(available, "available", C.shape[1])
    above = C > M
    if above.any():
        i, j = first_index(above)
        raise ValueError(
            f"process {i}, resource {j}: allocation[{i}, {j}] = {C[i, j]} exceeds "
            f"max_claim[{i}, {j}] = {M[i, j]}: a process cannot hold more than it may claim"
        )
    _check_release_fits(A, C, "available")
    return A, C, M - C


def _refuse_first(bad: np.ndarray, name: str, why) -> None:
    """Raise for the first True of ``bad`` (its index starts with the system ``s``):
    ``why(*index)`` is the message; the error's ``.index`` is ``s``."""
    if bad.any():
        where = first_index(bad)
        raise instance_error(ValueError(why(*where)), where[0], name)


def banker_batch(available, allocation, max_claim, existing):
    """Checked ``(A, C, need)`` of shapes (k, m), (k, n, m), (k, n, m); errors name the system.

    ``C`` is the caller's array when it already is C-contiguous native int64 (only read).
    """
    C, M = _process_matrices(allocation, max_claim, ("allocation", "max_claim"), 3,
                             counts=tuple(v for v in (available, existing) if v is not None))
    k, _, m = C.shape
    _refuse_first(C > M, "allocation", lambda s, i, j: (
        f"allocation[{s}, {i}, {j}] = {C[s, i, j]} exceeds its max_claim, {M[s, i, j]}: "
        "a process cannot hold more than it may claim"))
    if available is None and existing is None:
        raise TypeError("give available= (free units per system and resource type) or existing=")
    if existing is not None:
        E = resource_vector(existing, "existing", m, (k,))
        sums = _column_sums(C)
        _refuse_first(np.array(sums > E, dtype=bool), "existing", lambda s, j: (
            f"existing[{s}, {j}] = {E[s, j]}: the processes hold {sums[s, j]} units of "
            f"resource {j}, more: processes cannot hold more units than exist"))
        from_existing = np.array(E - sums, dtype=np.int64).reshape(k, m)
    if available is not None:
        A = resource_vector(available, "available", m, (k,))
        if existing is not None:
            _refuse_first(A != from_existing, "available", lambda s, j: (
                f"available[{s}, {j}] = {A[s, j]} but existing minus what the processes "
                f"hold of resource {j} is {from_existing[s, j]}: the two must agree"))
    else:
        A = from_existing
    _check_release_fits(A, C, "available")
    return A, C, M - C


def banker_batch_request(process, request, need: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Checked ``(process (k,), request (k, m))``: one request per system, never above the
    remaining need of its process (``need`` (k, n, m) from ``banker_batch``)."""
    k, n, m = need.shape
    procs = int_array(process, "process", ndim=1, nonnegative=False, batch=True)
    if procs.shape != (k,):
        raise ValueError(f"process has shape {procs.shape}: it must be ({k},), one per system")
    _refuse_first((procs < 0) | (procs >= n), "process", lambda s: (
        f"process[{s}] = {procs[s]}: must be a process index in range({n})"))
    req = resource_vector(request, "request", m, (k,))
    rows = np.arange(k)
    above = req > need[rows, procs] if n else np.zeros((k, m), dtype=bool)
    _refuse_first(above, "request", lambda s, j: (
        f"request[{s}, {j}] = {req[s, j]} exceeds the remaining need of process "
        f"{procs[s]}, max_claim - allocation = {need[s, procs[s], j]}: a process cannot "
        "ask for more than its maximum claim"))
    return procs, req


def process_index(value, n: int, name: str = "process") -> int:
    """A process number in ``range(n)`` as an int (no negative indexing)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer process index, not {type(value).__name__}")
    if not 0 <= value < n:
        raise ValueError(f"{name} = {value}: must be a process index in range({n})")
    return int(value)


def banker_request(request, need: np.ndarray, process: int, name: str = "request") -> np.ndarray:
    """Checked request vector (m) of ``process``: never more than the process still needs."""
    req = resource_vector(request, name, need.shape[1])
    above = req > need[process]
    if above.any():
        j = int(np.argmax(above))
        raise ValueError(
            f"process {process}, resource {j}: {name}[{j}] = {req[j]} exceeds its remaining "
            f"need max_claim - allocation = {need[process, j]}: a process cannot ask for more "
            "than its maximum claim"
        )
    return req
