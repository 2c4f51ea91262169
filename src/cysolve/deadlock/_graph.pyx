"""Cycles in a directed graph stored as CSR arrays: the compiled core of ``detect_graph``.

Tanenbaum, *Modern Operating Systems*, section 6.4.1 (one resource of each type): a
resource-allocation or wait-for graph is deadlocked iff it has a cycle.

Contract (checked by ``deadlock._inputs.graph_input`` before anything here runs):
``indptr`` and ``indices`` have the same dtype (int32 or int64), are C-contiguous,
``indptr[0] == 0``, ``indptr`` is non-decreasing, ``indptr[n] == len(indices)``, every entry of
``indices`` is in ``range(n)`` with ``n = len(indptr) - 1``, and ``n + 3`` fits the dtype. The
arrays are only read. Nothing here recurses, so chains of any length work; scratch memory is
``malloc``-ed and freed in ``finally``.
"""

from libc.stdint cimport int32_t, int64_t, uint8_t
from libc.stdlib cimport calloc, free, malloc
from libc.string cimport memcpy

import numpy as np

ctypedef fused index_t:
    int32_t
    int64_t

# Bits of the per-node ``state`` byte: the result, and the search's marks for active nodes.
cdef enum:
    ON_CYCLE = 1    # the node lies on a cycle: non-trivial component or a self-loop
    BLOCKED = 2     # the node can reach a cycle (so nothing can free it)
    ROOT = 4        # Pearce: no edge has lowered rindex[v] (yet)


cdef index_t* _copy_path(const index_t* path, index_t top, index_t w,
                         index_t* length) noexcept nogil:
    """The path from ``w`` to ``path[top]``: the cycle closed by a back edge to ``w``."""
    cdef index_t k = top
    cdef index_t* out
    while path[k] != w:
        k -= 1
    length[0] = top - k + 1
    out = <index_t*> malloc(<size_t> length[0] * sizeof(index_t))
    if out != NULL:
        memcpy(out, path + k, <size_t> length[0] * sizeof(index_t))
    return out


cdef int _scan(const index_t* indptr, const index_t* indices, index_t n, uint8_t* state,
               index_t* rindex, index_t* path, index_t* cursor, index_t* stack,
               bint want_cycle, index_t** cycle, index_t* cycle_len) noexcept nogil:
    """One iterative DFS: Pearce's strongly connected components, blocked, and one cycle.

    Pearce (2016), "A space-efficient algorithm for finding strongly connected components"
    (PEA_FIND_SCC2, the space-saving variant of Tarjan's algorithm that scipy's
    ``_traversal.pyx`` used up to 1.17; 1.18 moved to Tarjan/Zwick), made iterative with an
    explicit DFS path (``path``; ``cursor`` = the next edge to follow). ``rindex[v]`` is 0
    before ``v`` is seen, its preorder number (lowered along edges, as Tarjan's lowlink) while
    it is active, and one of three ``done`` codes above every preorder number once its
    component is complete: so a completed node never lowers anything, and one read of
    ``rindex[w]`` per edge is all the search needs.

    - ``done_cycle``: the component has two or more nodes, or a self-loop (deadlocked).
    - ``done_blocked``: a singleton with an edge to a blocked node. Components complete in
      reverse topological order, so when a node finishes, every component it has an edge to
      is complete and its code final: blocked needs no reverse graph.
    - ``done_free``: neither.

    The first edge to an active node closes a cycle: until one is found no node has been
    lowered, so every active node is on the DFS path. It is copied into ``cycle[0]``
    (malloc-ed, ``cycle_len[0]`` nodes); a graph has a cycle iff a DFS meets such an edge.

    O(V + E) time; scratch 4V integers and V bytes. Returns -1 when malloc fails, else 0.
    """
    cdef index_t counter = 1
    cdef index_t done_free = n + 1, done_blocked = n + 2, done_cycle = n + 3
    cdef index_t top, sp = 0, s, v, w, u, e, end, r
    cdef bint descended
    for s in range(n):
        if rindex[s] != 0:
            continue
        top = 0
        path[0] = s
        cursor[0] = indptr[s]
        rindex[s] = counter
        counter += 1
        state[s] = ROOT
        while top >= 0:
            v = path[top]
            e = cursor[top]
            end = indptr[v + 1]
            descended = False
            while e < end:
                w = indices[e]
                e += 1
                r = rindex[w]
                if r == 0:
                    cursor[top] = e
                    top += 1
                    path[top] = w
                    cursor[top] = indptr[w]
                    rindex[w] = counter
                    counter += 1
                    state[w] = ROOT
                    descended = True
                    break
                if r > n:
                    if r != done_free:
                        state[v] |= BLOCKED
                    continue
                # w is active: v and w are in one component (w == v: a self-loop)
                if w == v:
                    state[v] |= ON_CYCLE
                if r < rindex[v]:
                    rindex[v] = r
                    state[v] &= ~ROOT
                if want_cycle:
                    want_cycle = False
                    cycle[0] = _copy_path(path, top, w, cycle_len)
                    if cycle[0] == NULL:
                        return -1
            if descended:
                continue
            # every edge of v followed: v finishes
            top -= 1
            if state[v] & ROOT:
                # v's component is v plus the stacked nodes lowered to >= rindex[v]
                if sp > 0 and rindex[v] <= rindex[stack[sp - 1]]:
                    while sp > 0 and rindex[v] <= rindex[stack[sp - 1]]:
                        sp -= 1
                        rindex[stack[sp]] = done_cycle
                    rindex[v] = done_cycle
                elif state[v] & ON_CYCLE:
                    rindex[v] = done_cycle
                elif state[v] & BLOCKED:
                    rindex[v] = done_blocked
                else:
                    rindex[v] = done_free
            else:
                stack[sp] = v
                sp += 1
            if top >= 0:
                # the tree edge path[top] -> v is finished too
                u = path[top]
                r = rindex[v]
                if r > n:
                    if r != done_free:
                        state[u] |= BLOCKED
                elif r < rindex[u]:
                    rindex[u] = r
                    state[u] &= ~ROOT
    for v in range(n):
        r = rindex[v]
        state[v] = (ON_CYCLE | BLOCKED if r == done_cycle else
                    BLOCKED if r == done_blocked else 0)
    return 0


cdef int _first_cycle(const index_t* indptr, const index_t* indices, index_t n,
                      uint8_t* color, index_t* path, index_t* cursor,
                      index_t** cycle, index_t* cycle_len) noexcept nogil:
    """Three-colour DFS that stops at the first back edge (the same cycle ``_scan`` reports).

    O(V + E) when there is no cycle, and only the part explored before the first back edge
    when there is one. Scratch 2V integers and V bytes (``color`` zeroed by the caller).
    Returns -1 when malloc fails, else 0.
    """
    cdef index_t top, s, v, w, e, end
    cdef bint descended
    for s in range(n):
        if color[s] != 0:
            continue
        top = 0
        path[0] = s
        cursor[0] = indptr[s]
        color[s] = 1
        while top >= 0:
            v = path[top]
            e = cursor[top]
            end = indptr[v + 1]
            descended = False
            while e < end:
                w = indices[e]
                e += 1
                if color[w] == 0:
                    cursor[top] = e
                    top += 1
                    path[top] = w
                    cursor[top] = indptr[w]
                    color[w] = 1
                    descended = True
                    break
                if color[w] == 1:
                    cycle[0] = _copy_path(path, top, w, cycle_len)
                    return -1 if cycle[0] == NULL else 0
            if not descended:
                color[v] = 2
                top -= 1
    return 0


cdef object _take(index_t* buffer, index_t length, object dtype):
    """A NumPy copy of a malloc-ed buffer (which the caller frees)."""
    out = np.empty(length, dtype=dtype)
    cdef index_t[::1] view
    if length > 0:
        view = out
        memcpy(&view[0], buffer, <size_t> length * sizeof(index_t))
    return out


def scan(const index_t[::1] indptr, const index_t[::1] indices):
    """Every node's fate in one O(V + E) pass, and one cycle.

    Returns ``(state, cycle)``: ``state`` is a uint8 array with bit 1 set for the nodes on a
    cycle (deadlocked) and bit 2 for the nodes that can reach one (blocked, which includes the
    deadlocked); ``cycle`` is an array of node ids in edge order (``cycle[i] -> cycle[i + 1]``
    and the last back to the first), or None when the graph has no cycle.
    """
    cdef index_t n = indptr.shape[0] - 1
    cdef const index_t* ip = &indptr[0]
    cdef const index_t* ix = &indices[0] if indices.shape[0] > 0 else NULL
    state_arr = np.zeros(n, dtype=np.uint8)
    cdef uint8_t[::1] state = state_arr
    cdef uint8_t* st = &state[0] if n > 0 else NULL
    cdef index_t* rindex = <index_t*> calloc(<size_t> n + 1, sizeof(index_t))
    cdef index_t* work = <index_t*> malloc((3 * <size_t> n + 1) * sizeof(index_t))
    cdef index_t* cycle = NULL
    cdef index_t cycle_len = 0
    cdef int status = 0
    try:
        if rindex == NULL or work == NULL:
            raise MemoryError(f"the cycle search needs {4 * n * sizeof(index_t):,} bytes")
        with nogil:
            status = _scan(ip, ix, n, st, rindex, work, work + n, work + 2 * n,
                           True, &cycle, &cycle_len)
        if status != 0:
            raise MemoryError("no memory for the cycle found")
        if cycle != NULL:
            return state_arr, _take(cycle, cycle_len, np.asarray(indptr).dtype)
        return state_arr, None
    finally:
        free(rindex)
        free(work)
        free(cycle)


def first_cycle(const index_t[::1] indptr, const index_t[::1] indices):
    """One cycle as an array of node ids in edge order, or None; stops at the first found."""
    cdef index_t n = indptr.shape[0] - 1
    cdef const index_t* ip = &indptr[0]
    cdef const index_t* ix = &indices[0] if indices.shape[0] > 0 else NULL
    cdef uint8_t* color = <uint8_t*> calloc(<size_t> n + 1, 1)
    cdef index_t* work = <index_t*> malloc((2 * <size_t> n + 1) * sizeof(index_t))
    cdef index_t* cycle = NULL
    cdef index_t cycle_len = 0
    cdef int status = 0
    try:
        if color == NULL or work == NULL:
            raise MemoryError(f"the cycle search needs {n * (1 + 2 * sizeof(index_t)):,} bytes")
        with nogil:
            status = _first_cycle(ip, ix, n, color, work, work + n, &cycle, &cycle_len)
        if status != 0:
            raise MemoryError("no memory for the cycle found")
        if cycle == NULL:
            return None
        return _take(cycle, cycle_len, np.asarray(indptr).dtype)
    finally:
        free(color)
        free(work)
        free(cycle)


def csr_from_edges(const index_t[::1] src, const index_t[::1] dst, Py_ssize_t n):
    """CSR arrays ``(indptr, indices)`` of the edges ``src[e] -> dst[e]`` on ``n`` nodes.

    A stable counting sort by source (each node's edges keep their input order): O(V + E),
    no argsort. Trusts ``len(src) == len(dst)`` and every id in ``range(n)``.
    """
    cdef Py_ssize_t m = src.shape[0], e, i
    dtype = np.asarray(src).dtype
    indptr_arr = np.zeros(n + 1, dtype=dtype)
    indices_arr = np.empty(m, dtype=dtype)
    cdef index_t[::1] indptr = indptr_arr
    cdef index_t[::1] indices = indices_arr
    cdef index_t s
    with nogil:
        for e in range(m):
            indptr[src[e] + 1] += 1
        for i in range(n):
            indptr[i + 1] += indptr[i]
        # indptr[s] is the next free slot of s; after the fill it is the start of s + 1
        for e in range(m):
            s = src[e]
            indices[indptr[s]] = dst[e]
            indptr[s] += 1
        for i in range(n, 0, -1):
            indptr[i] = indptr[i - 1]
        indptr[0] = 0
    return indptr_arr, indices_arr
