"""Cycles in a directed graph stored as CSR arrays: the compiled core of ``detect_graph``.

Tanenbaum, *Modern Operating Systems*, section 6.4.1 (one resource of each type): a
resource-allocation or wait-for graph is deadlocked iff it has a cycle.

Contract (checked by ``deadlock._inputs.csr_input`` before anything here runs, in O(1)):
``indptr`` and ``indices`` have the same dtype (int32 or int64), are C-contiguous,
``len(indptr) = n + 1 >= 1``, ``indptr[0] == 0`` and ``indptr[n] == len(indices)``. Nothing
else is trusted: each ``indptr`` pair (``0 <= indptr[v] <= indptr[v + 1] <= len(indices)``)
and each entry of ``indices`` (in ``range(n)``) is checked when it is first read, so
``first_cycle``, which stops early, costs what it reads, and ``scan`` checks all. A malformed
entry stops the work and nothing computed is returned (the wrapper then names the first
malformed entry). The caller's arrays are only read. Nothing here recurses, so chains of any
length work; scratch memory is allocated and freed in ``finally``.

``scan`` works in up to four steps:

1. Peel sources (Kahn's algorithm). If that removes every node the graph is acyclic and the
   answer (nothing deadlocked, nothing blocked, no cycle) needs no depth-first search. Its
   reads are independent of each other (a stream over ``indices``, rows in queue order
   prefetched ahead), where each step of a DFS waits for the one before: on a 1M-node DAG it
   took a quarter of the DFS's time. When a cycle is left the DFS runs as if the peel had not
   been tried (so it reports the same cycle as ``first_cycle``); the peel then costs about 3%.
2. Copy the graph into node records (state, degree, first 6 targets; a stream): a step down
   the DFS then waits for one cache line, the next node's record, instead of its state and
   row start and then its row. Records are 32 bytes (int32 fields) whenever ``n + 3`` and
   ``len(indices)`` fit int32, else 64 (int64), in 2 MiB pages (``big_alloc``).
3. On large graphs (``SPLIT_MIN_NODES``), the strong component of one cycle is completed
   first (``_mark_component``): ``first_cycle`` finds the cycle the DFS would report, and two
   breadth-first searches from its first node, forward and over the reversed graph, find its
   component. A random graph with E = 3V has ~88% of its nodes in one component; the
   breadth-first searches read rows whose misses overlap, where the DFS waits for one read
   per step (1M / 3M random graph: the whole scan takes about half the time).
4. The DFS: Pearce's strongly connected components with blocked and one cycle (``_scan``),
   over the nodes step 3 left.
"""

from libc.stdint cimport INT32_MAX, int32_t, int64_t, uint8_t
from libc.stdlib cimport calloc, free, malloc
from libc.string cimport memcpy, memset

from cysolve._bigmem cimport big_alloc, big_free
from cysolve._native cimport prefetch

import numpy as np


ctypedef fused index_t:  # the caller's CSR arrays
    int32_t
    int64_t

ctypedef fused node_t:  # node ids and search state
    int32_t
    int64_t

ctypedef fused target_t:  # a CSR a breadth-first search reads: the caller's or the reverse
    int32_t
    int64_t

# Flags of the node on top of the DFS path (kept in a register, saved with its frame).
cdef enum:
    SELF_LOOP = 1   # an edge v -> v: a cycle of one
    BLOCKED = 2     # an edge to a completed component that is blocked
    ROOT = 4        # Pearce: no edge has lowered v's index (yet)

# Outcomes of a search.
cdef enum:
    OK = 0
    NO_MEMORY = -1
    BAD_ROW = 1     # indptr[v], indptr[v + 1] out of order or out of 0..len(indices)
    BAD_INDEX = 2   # an entry of indices outside range(n)

cdef enum:
    # Edges of a new node whose targets' state is prefetched at once (more would flood the
    # memory system; the rest are read as the search comes to them).
    PREFETCH_EDGES = 16
    # How far ahead of the node it takes the source peel (and a breadth-first search)
    # prefetches a queued node's row start, then its row (on a 1M-node DAG 16/8 beat 32/16
    # by 20% and none by 2x).
    PEEL_AHEAD_ROW_START = 16
    PEEL_AHEAD_ROW = 8
    # Targets a node record holds inline: 32-byte records, and 97% of the nodes of a random
    # graph with E = 3V have at most 6 edges (on the 1M / 3M random graph 2 inline targets,
    # 16-byte records, took 1.18x the time and 14, 64-byte records, 1.25x).
    INLINE_TARGETS = 6
    # Nodes from which ``scan`` completes the first cycle's component by forward-backward
    # search before the DFS: the searches pay once the scratch falls out of cache (1M / 3M
    # random graph 0.49x the time; 300k / 900k 0.52x; 150k / 450k 1.0x; 30k / 90k 1.17x).
    SPLIT_MIN_NODES = 1 << 18


cdef struct record32:
    # One node of the graph copied for the search: its state beside its first targets, so
    # that a step down the DFS waits for one cache line instead of its state and row start
    # and then its row. The targets past INLINE_TARGETS stay in the caller's ``indices``.
    int32_t state     # Pearce's rindex
    int32_t degree
    int32_t first[INLINE_TARGETS]


cdef struct record64:  # record32 for graphs whose ids or edge positions need int64
    int64_t state
    int64_t degree
    int64_t first[INLINE_TARGETS]


ctypedef fused record_t:
    record32
    record64


cdef enum:
    # The first-cycle search keeps its colours in blocks of 2**BLOCK_BITS bytes, allocated
    # (zeroed) when the search first reaches one: a search that stops early never pays for
    # zeroing V bytes (about 0.2 ms per 10 million nodes here).
    BLOCK_BITS = 16


cdef inline uint8_t* _color(uint8_t** blocks, size_t w) noexcept nogil:
    """Where node ``w``'s colour lives (its block allocated on first use), or NULL: no memory."""
    cdef uint8_t* block = blocks[w >> BLOCK_BITS]
    if block == NULL:
        block = <uint8_t*> calloc(<size_t> 1 << BLOCK_BITS, 1)
        if block == NULL:
            return NULL
        blocks[w >> BLOCK_BITS] = block
    return block + (w & ((<size_t> 1 << BLOCK_BITS) - 1))


cdef inline void _prefetch_colors(const index_t* indptr, const index_t* indices,
                                  uint8_t** blocks, index_t e, index_t end,
                                  node_t n) noexcept nogil:
    """Start loading the colour and row start of ``v``'s first targets, all in parallel.

    A random graph makes every one of these a cache miss; issued together they overlap
    instead of costing one full memory latency after another as the search reaches them.
    """
    cdef index_t w
    cdef uint8_t* block
    if end - e > PREFETCH_EDGES:
        end = e + PREFETCH_EDGES
    while e < end:
        w = indices[e]
        e += 1
        if <size_t> w < <size_t> n:
            block = blocks[<size_t> w >> BLOCK_BITS]
            if block != NULL:
                prefetch(block + (<size_t> w & ((<size_t> 1 << BLOCK_BITS) - 1)))
            prefetch(&indptr[w])


cdef node_t* _copy_path(const node_t* path, node_t top, node_t w,
                        node_t* length) noexcept nogil:
    """The path from ``w`` to ``path[top]``: the cycle closed by a back edge to ``w``."""
    cdef node_t k = top
    cdef node_t* out
    while path[k] != w:
        k -= 1
    length[0] = top - k + 1
    out = <node_t*> malloc(<size_t> length[0] * sizeof(node_t))
    if out != NULL:
        memcpy(out, path + k, <size_t> length[0] * sizeof(node_t))
    return out


cdef int _peel_sources(const index_t* indptr, const index_t* indices, node_t n,
                       node_t* indegree, node_t* queue, node_t* peeled,
                       index_t* bad) noexcept nogil:
    """Kahn (1962): remove nodes with no incoming edge until none is left; count them.

    Every node is peeled iff the graph is acyclic; what is left are the nodes a cycle can
    reach. ``indegree`` must come zeroed and ends holding the in-degrees left; ``queue``
    (V ids) ends holding the peeled nodes in topological order. Trusts that no in-degree
    overflows ``node_t`` (``scan`` takes int64 when ``len(indices)`` does not fit int32).
    Checks every index (the count reads them all) and the row of each peeled node. O(V + E).
    Returns OK, or BAD_ROW / BAD_INDEX with the node / edge in ``bad[0]``.
    """
    cdef index_t e, end, x, start, m = indptr[n]
    cdef node_t v, w, head = 0, tail = 0
    for e in range(m):
        x = indices[e]
        if <size_t> x >= <size_t> n:
            bad[0] = e
            return BAD_INDEX
        indegree[x] += 1
    for v in range(n):
        if indegree[v] == 0:
            queue[tail] = v
            tail += 1
    while head < tail:
        # the rows of queued nodes are independent reads: start them before they are needed
        if head + PEEL_AHEAD_ROW_START < tail:
            prefetch(&indptr[queue[head + PEEL_AHEAD_ROW_START]])
        if head + PEEL_AHEAD_ROW < tail:
            start = indptr[queue[head + PEEL_AHEAD_ROW]]
            if <size_t> start < <size_t> m:
                prefetch(&indices[start])
        v = queue[head]
        head += 1
        e = indptr[v]
        end = indptr[v + 1]
        if not (0 <= e <= end <= m):
            bad[0] = v
            return BAD_ROW
        while e < end:
            w = <node_t> indices[e]
            e += 1
            indegree[w] -= 1
            if indegree[w] == 0:
                queue[tail] = w
                tail += 1
    peeled[0] = head
    return OK


cdef inline node_t _target(const record_t* rec, const index_t* indptr,
                           const index_t* indices, node_t v, node_t k) noexcept nogil:
    """Node ``v``'s ``k``-th target."""
    if k < INLINE_TARGETS:
        return <node_t> rec[v].first[k]
    return <node_t> indices[indptr[v] + k]


cdef inline void _prefetch_records(const record_t* rec, const index_t* indptr,
                                   const index_t* indices, node_t v) noexcept nogil:
    """Start loading the records of ``v``'s first targets, all in parallel.

    A random graph makes every one of these a cache miss; issued together they overlap
    instead of costing one full memory latency after another as the search reaches them.
    """
    cdef node_t k, degree = <node_t> rec[v].degree
    cdef node_t inline_end = degree if degree < INLINE_TARGETS else INLINE_TARGETS
    cdef index_t start
    for k in range(inline_end):
        prefetch(&rec[rec[v].first[k]])
    if degree > INLINE_TARGETS:
        start = indptr[v]
        for k in range(INLINE_TARGETS, degree if degree < PREFETCH_EDGES else PREFETCH_EDGES):
            prefetch(&rec[indices[start + k]])


cdef int _build_records(const index_t* indptr, const index_t* indices, node_t n,
                        record_t* rec, index_t* bad) noexcept nogil:
    """Check every row and index in one stream and fill the records ``rec`` (state zero).

    Trusts that ``len(indices)`` fits the record's fields. Returns OK, or BAD_ROW /
    BAD_INDEX with the node / edge in ``bad[0]``.
    """
    cdef index_t e, end, x, m = indptr[n]
    cdef node_t v, k
    for v in range(n):
        e = indptr[v]
        end = indptr[v + 1]
        if not (0 <= e <= end <= m):
            bad[0] = v
            return BAD_ROW
        rec[v].state = 0
        rec[v].degree = end - e
        k = 0
        while e < end:
            x = indices[e]
            if <size_t> x >= <size_t> n:
                bad[0] = e
                return BAD_INDEX
            if k < INLINE_TARGETS:
                rec[v].first[k] = x
                k += 1
            e += 1
    return OK


cdef void _reverse(const index_t* indptr, const index_t* indices, node_t n,
                   const uint8_t* mark, node_t* rptr, node_t* rindices) noexcept nogil:
    """The reverse of the edges out of the nodes whose ``mark`` is odd, as CSR:
    ``rindices[rptr[w]:rptr[w + 1]]`` are the sources of those edges into ``w``, in
    increasing order. A counting sort like ``csr_from_edges``; trusts checked input. Edge
    positions are ``node_t`` (``scan`` takes 64-bit ids when ``len(indices)`` does not fit
    int32): int64 input then writes half the bytes. O(V + E), and O(V) plus the marked
    nodes' edges: a small forward reach costs no pass over every edge.
    """
    cdef index_t e, end
    cdef node_t v, w
    memset(rptr, 0, (<size_t> n + 1) * sizeof(node_t))
    for v in range(n):
        if mark[v] & 1:
            for e in range(indptr[v], indptr[v + 1]):
                rptr[indices[e] + 1] += 1
    for v in range(n):
        rptr[v + 1] += rptr[v]
    # rptr[w] is the next free slot of w; after the fill it is the start of w + 1
    for v in range(n):
        if mark[v] & 1 == 0:
            continue
        e = indptr[v]
        end = indptr[v + 1]
        while e < end:
            w = <node_t> indices[e]
            rindices[rptr[w]] = v
            rptr[w] += 1
            e += 1
    for v in range(n, 0, -1):
        rptr[v] = rptr[v - 1]
    rptr[0] = 0


cdef node_t _reach(const target_t* ptr, const target_t* targets, node_t pivot, uint8_t* mark,
                   uint8_t within, uint8_t bit, node_t* queue) noexcept nogil:
    """Breadth-first search from ``pivot`` through the nodes whose ``mark`` has the bits
    ``within``: sets ``bit`` on each node it reaches (pivot included); returns how many.

    The rows of queued nodes are independent reads, prefetched ahead as in the source peel,
    so their misses overlap where a depth-first search waits for one after another.
    """
    cdef node_t head = 0, tail = 1, v, w
    cdef target_t e, end
    cdef uint8_t seen = within | bit
    queue[0] = pivot
    mark[pivot] |= bit
    while head < tail:
        if head + PEEL_AHEAD_ROW_START < tail:
            prefetch(&ptr[queue[head + PEEL_AHEAD_ROW_START]])
        if head + PEEL_AHEAD_ROW < tail:
            prefetch(&targets[ptr[queue[head + PEEL_AHEAD_ROW]]])
        v = queue[head]
        head += 1
        e = ptr[v]
        end = ptr[v + 1]
        while e < end:
            w = <node_t> targets[e]
            e += 1
            if mark[w] & seen == within:
                mark[w] |= bit
                queue[tail] = w
                tail += 1
    return tail


cdef void _mark_component(const index_t* indptr, const index_t* indices, node_t n,
                          record_t* rec, node_t pivot, uint8_t* mark, node_t* queue,
                          node_t* rptr, node_t* rindices) noexcept nogil:
    """Complete the strong component of ``pivot`` before the DFS (forward-backward).

    Fleischer, Hendrickson and Pinar (2000): the nodes that ``pivot`` reaches and that reach
    it form its component. Found by two breadth-first searches, forward over the graph, and
    backward within what the first reached, over the reverse of the edges out of it (they
    all end in it: the nodes reached from ``pivot`` are closed under edges); each node of
    the component gets the state ``done_cycle`` (``n + 3``) in ``rec``, so the DFS skips it
    and counts an edge into it as an edge into a complete, deadlocked component. ``mark``
    (``n`` bytes) must come zeroed; ``queue`` holds ``n`` ids; ``rptr`` and ``rindices`` take
    the reverse graph (``n + 1`` and ``len(indices)`` entries). Trusts checked input.
    O(V + E). Where the component is small the DFS still walks the rest and the searches
    are extra: a 1M-node DAG with one self-loop at its first or its last node took 1.06-1.07x
    the time without them.
    """
    cdef node_t v
    _reach(indptr, indices, pivot, mark, 0, 1, queue)
    _reverse(indptr, indices, n, mark, rptr, rindices)
    _reach(rptr, rindices, pivot, mark, 1, 2, queue)
    for v in range(n):
        if mark[v] == 3:
            rec[v].state = n + 3


cdef int _scan(const index_t* indptr, const index_t* indices, node_t n, record_t* rec,
               node_t* path, node_t* plow, node_t* pnext, node_t* pend, uint8_t* pflags,
               node_t* stack, node_t* slow, uint8_t* deadlocked, uint8_t* blocked,
               node_t** cycle, node_t* cycle_len, bint want_cycle) noexcept nogil:
    """One iterative DFS: Pearce's strongly connected components, blocked, and one cycle.

    Pearce (2016), "A space-efficient algorithm for finding strongly connected components"
    (PEA_FIND_SCC2), made iterative with an explicit DFS path, over the records of
    ``_build_records`` (input checked, every ``state`` zero). ``rec[v].state`` is Pearce's
    ``rindex``: 0 before ``v`` is seen, its preorder number while it is active, and one of
    three ``done`` codes above every preorder number once its component is complete, so one
    read of a target's record per edge is all the search needs. The node on top of the path
    keeps its lowered index (``low``), next edge, degree and flags in registers; they go to
    its frame (``plow``, ``pnext``, ``pend``, ``pflags``) only when it descends. A finished
    non-root goes on ``stack`` with its ``low`` beside it (``slow``): its state stays its
    preorder number, which is as good as ``low`` for lowering (Tarjan's original rule), and
    a root pops its component by comparing ``slow`` alone, without reading states back.

    - ``done_cycle``: the component has two or more nodes, or a self-loop (deadlocked).
    - ``done_blocked``: a singleton with an edge to a blocked node. Components complete in
      reverse topological order, so when a node finishes, every component it has an edge to
      is complete and its code final: blocked needs no reverse graph and no second pass.
    - ``done_free``: neither.

    The first edge to an active node closes a cycle: until one is found no node has been
    lowered, so every active node is on the DFS path. It is copied into ``cycle[0]`` when
    ``want_cycle`` (not after ``_mark_component``, which removed nodes from the search: the
    caller then takes ``first_cycle``'s, the same cycle).

    Nodes whose state already is ``done_cycle`` (``_mark_component``) are a complete
    component: the search skips them, and the components of the others are those of the
    graph without them (a cycle through the complete component would belong to it).

    O(V + E) time; scratch 6V node ids + V bytes besides the records. Returns OK or
    NO_MEMORY.
    """
    cdef node_t counter = 1, top, sp = 0, s, v, w, low, r, code = 0, child_low
    cdef node_t done_free = n + 1, done_blocked = n + 2, done_cycle = n + 3
    cdef node_t e, end
    cdef uint8_t flags, child_flags
    for s in range(n):
        if rec[s].state != 0:
            continue
        v = s
        e = 0
        end = <node_t> rec[v].degree
        _prefetch_records(rec, indptr, indices, v)
        top = 0
        path[0] = v
        rec[v].state = counter
        low = counter
        counter += 1
        flags = ROOT
        while True:
            while e < end:
                w = _target(rec, indptr, indices, v, e)
                e += 1
                r = <node_t> rec[w].state
                if r == 0:  # a tree edge: descend into w
                    pnext[top] = e
                    pend[top] = end
                    plow[top] = low
                    pflags[top] = flags
                    v = w
                    e = 0
                    end = <node_t> rec[v].degree
                    _prefetch_records(rec, indptr, indices, v)
                    top += 1
                    path[top] = v
                    rec[v].state = counter
                    low = counter
                    counter += 1
                    flags = ROOT
                    continue
                if r > n:  # w's component is complete
                    if r != done_free:
                        flags |= BLOCKED
                    continue
                if w == v:
                    flags |= SELF_LOOP
                if r < low:
                    low = r
                    flags &= ~ROOT
                if want_cycle:
                    want_cycle = False
                    cycle[0] = _copy_path(path, top, w, cycle_len)
                    if cycle[0] == NULL:
                        return NO_MEMORY
            if flags & ROOT:
                if sp > 0 and slow[sp - 1] >= low:
                    while sp > 0 and slow[sp - 1] >= low:
                        sp -= 1
                        rec[stack[sp]].state = done_cycle
                    code = done_cycle
                elif flags & SELF_LOOP:
                    code = done_cycle
                elif flags & BLOCKED:
                    code = done_blocked
                else:
                    code = done_free
                rec[v].state = code
            else:
                stack[sp] = v
                slow[sp] = low
                sp += 1
            if top == 0:
                break
            child_low = low
            child_flags = flags
            top -= 1
            v = path[top]
            e = pnext[top]
            end = pend[top]
            low = plow[top]
            flags = pflags[top]
            if child_flags & ROOT:
                if code != done_free:
                    flags |= BLOCKED
            elif child_low < low:
                low = child_low
                flags &= ~ROOT
    for s in range(n):
        r = <node_t> rec[s].state
        deadlocked[s] = r == done_cycle
        blocked[s] = r >= done_blocked
    return OK


cdef inline bint _open_row(const index_t* indptr, const index_t* indices, uint8_t** blocks,
                           node_t v, node_t n, index_t m, index_t* e, index_t* end) noexcept nogil:
    """``_first_cycle`` entering ``v``: its row ``[e, end)``, checked (False: a bad row), and
    the colours of its first targets prefetched."""
    e[0] = indptr[v]
    end[0] = indptr[v + 1]
    if not (0 <= e[0] <= end[0] <= m):
        return False
    _prefetch_colors(indptr, indices, blocks, e[0], end[0], n)
    return True


cdef int _first_cycle(const index_t* indptr, const index_t* indices, node_t n,
                      uint8_t** blocks, node_t* path, index_t* pnext, index_t* pend,
                      node_t** cycle, node_t* cycle_len, index_t* bad) noexcept nogil:
    """Three-colour DFS that stops at the first back edge (the same cycle ``_scan`` reports).

    O(V + E) when there is no cycle, and only the part explored before the first back edge
    when there is one: each row and index is checked as it is read, and colours live in
    blocks allocated as the search reaches them (``_color``), so nothing is touched that the
    search does not reach. Scratch V ids and 2V edge positions of path (allocated, touched
    only as deep as the path goes) and V bytes of colour at most.
    Returns OK, NO_MEMORY, or BAD_ROW / BAD_INDEX with the node / edge in ``bad[0]``.

    A loop of its own, not ``_scan`` told to stop: ``_scan`` runs over node records that
    cost a pass over the whole graph to build, which an early exit must not pay.
    """
    cdef node_t top, s, v, w
    cdef index_t e, end, x, m = indptr[n]
    cdef uint8_t* cv
    cdef uint8_t* cw
    for s in range(n):
        cv = _color(blocks, s)
        if cv == NULL:
            return NO_MEMORY
        if cv[0] != 0:
            continue
        v = s
        if not _open_row(indptr, indices, blocks, v, n, m, &e, &end):
            bad[0] = v
            return BAD_ROW
        top = 0
        path[0] = v
        cv[0] = 1
        while True:
            while e < end:
                x = indices[e]
                if <size_t> x >= <size_t> n:
                    bad[0] = e
                    return BAD_INDEX
                e += 1
                w = <node_t> x
                cw = _color(blocks, w)
                if cw == NULL:
                    return NO_MEMORY
                if cw[0] == 0:
                    pnext[top] = e
                    pend[top] = end
                    v = w
                    if not _open_row(indptr, indices, blocks, v, n, m, &e, &end):
                        bad[0] = v
                        return BAD_ROW
                    top += 1
                    path[top] = v
                    cw[0] = 1
                    continue
                if cw[0] == 1:
                    cycle[0] = _copy_path(path, top, w, cycle_len)
                    return NO_MEMORY if cycle[0] == NULL else OK
            _color(blocks, v)[0] = 2  # v's block exists: v was coloured 1
            if top == 0:
                break
            top -= 1
            v = path[top]
            e = pnext[top]
            end = pend[top]
    return OK


cdef object _take(node_t* buffer, node_t length):
    """A NumPy int64 copy of a malloc-ed buffer of node ids (which the caller frees)."""
    out = np.empty(length, dtype=np.int64)
    cdef int64_t[::1] view = out
    cdef node_t k
    for k in range(length):
        view[k] = buffer[k]
    return out


class MalformedCSR(ValueError):
    """A search read an entry the contract does not allow: ``position`` says which.

    ``kind`` is ``"row"`` (``position`` is a node whose ``indptr`` pair is out of order or out
    of ``0..len(indices)``) or ``"index"`` (``position`` is an edge whose target is outside
    ``range(n)``). The wrapper turns it into the package's message for the first malformed
    entry of the input.
    """

    def __init__(self, kind, position):
        super().__init__(f"malformed CSR: {kind} {position}")
        self.kind = kind
        self.position = position


cdef object _raise_status(int status, Py_ssize_t bad, Py_ssize_t need):
    if status == NO_MEMORY:
        raise MemoryError(f"the cycle search needs {need:,} bytes")
    if status == BAD_ROW:
        raise MalformedCSR("row", bad)
    if status == BAD_INDEX:
        raise MalformedCSR("index", bad)


cdef object _scan_as(const index_t[::1] indptr, const index_t[::1] indices, node_t n,
                     record_t* layout, bint peel, bint split):
    """``scan`` with ``node_t`` ids in ``record_t`` records (``layout`` is only its type)."""
    cdef const index_t* ip = &indptr[0]
    cdef const index_t* ix = &indices[0] if indices.shape[0] > 0 else NULL
    cdef size_t nn = <size_t> n + 1
    cdef size_t need = nn * (sizeof(record_t) + 6 * sizeof(node_t) + 1)
    cdef record_t* rec = <record_t*> big_alloc(nn * sizeof(record_t), 0)
    cdef node_t* ids = <node_t*> big_alloc(6 * nn * sizeof(node_t), 0)
    cdef uint8_t* pflags = <uint8_t*> malloc(nn)
    cdef node_t* rptr = NULL
    cdef node_t* rindices = NULL
    cdef node_t pivot
    cdef node_t* cycle = NULL
    cdef node_t cycle_len = 0, peeled = -1
    cdef index_t bad = 0
    cdef int status = NO_MEMORY
    cdef size_t reverse_need = (nn + <size_t> indices.shape[0]) * sizeof(node_t)
    dead_arr = np.zeros(n, dtype=np.uint8)
    blocked_arr = np.zeros(n, dtype=np.uint8)
    cdef uint8_t[::1] dead = dead_arr
    cdef uint8_t[::1] blocked = blocked_arr
    cdef uint8_t* dp = &dead[0] if n > 0 else NULL
    cdef uint8_t* bp = &blocked[0] if n > 0 else NULL
    try:
        if rec != NULL and ids != NULL and pflags != NULL:
            with nogil:
                status = OK
                if peel:  # in-degrees (zeroed) and queue in the DFS scratch
                    memset(ids, 0, nn * sizeof(node_t))
                    status = _peel_sources(ip, ix, n, ids, ids + nn, &peeled, &bad)
                if status == OK and peeled != n:  # else acyclic: the masks stay zero
                    status = _build_records(ip, ix, n, rec, &bad)
        _raise_status(status, bad, need)
        found = None
        if peeled == n:
            return dead_arr.view(bool), blocked_arr.view(bool), found
        if split:
            found = _first_cycle_as(indptr, indices, n)
            if found is None:  # acyclic (only without the peel)
                return dead_arr.view(bool), blocked_arr.view(bool), found
            pivot = found[0]
            rptr = <node_t*> big_alloc(nn * sizeof(node_t), 0)
            rindices = <node_t*> big_alloc(<size_t> indices.shape[0] * sizeof(node_t) + 1, 0)
            if rptr == NULL or rindices == NULL:
                raise MemoryError(f"the cycle search needs {need + reverse_need:,} bytes")
            with nogil:
                memset(pflags, 0, nn)
                _mark_component(ip, ix, n, rec, pivot, pflags, ids, rptr, rindices)
        with nogil:
            status = _scan(ip, ix, n, rec, ids, ids + nn, ids + 2 * nn, ids + 3 * nn, pflags,
                           ids + 4 * nn, ids + 5 * nn, dp, bp, &cycle, &cycle_len, not split)
        _raise_status(status, bad, need)
        if not split:
            found = None if cycle == NULL else _take(cycle, cycle_len)
        return dead_arr.view(bool), blocked_arr.view(bool), found
    finally:
        big_free(rec)
        big_free(ids)
        free(pflags)
        big_free(rptr)
        big_free(rindices)
        free(cycle)


cdef object _first_cycle_as(const index_t[::1] indptr, const index_t[::1] indices, node_t n):
    cdef const index_t* ip = &indptr[0]
    cdef const index_t* ix = &indices[0] if indices.shape[0] > 0 else NULL
    cdef size_t nn = <size_t> n + 1
    cdef size_t nblocks = (<size_t> n >> BLOCK_BITS) + 1
    cdef size_t need = nn * (1 + sizeof(node_t) + 2 * sizeof(index_t))
    cdef uint8_t** blocks = <uint8_t**> calloc(nblocks, sizeof(uint8_t*))
    cdef node_t* path = <node_t*> malloc(nn * sizeof(node_t))
    cdef index_t* edges = <index_t*> malloc(2 * nn * sizeof(index_t))
    cdef node_t* cycle = NULL
    cdef node_t cycle_len = 0
    cdef index_t bad = 0
    cdef int status = NO_MEMORY
    cdef size_t k
    try:
        if blocks != NULL and path != NULL and edges != NULL:
            with nogil:
                status = _first_cycle(ip, ix, n, blocks, path, edges, edges + nn, &cycle,
                                      &cycle_len, &bad)
        _raise_status(status, bad, need)
        return None if cycle == NULL else _take(cycle, cycle_len)
    finally:
        if blocks != NULL:
            for k in range(nblocks):
                free(blocks[k])
        free(blocks)
        free(path)
        free(edges)
        free(cycle)


def scan(const index_t[::1] indptr, const index_t[::1] indices, bint peel=True,
         bint wide=False, split=None):
    """Every node's fate in one O(V + E) pass that checks every entry, and one cycle.

    Returns ``(deadlocked, blocked, cycle)``: two boolean arrays over the nodes (on a cycle;
    can reach one, which includes the deadlocked) and the ids of one cycle in edge order
    (``cycle[i] -> cycle[i + 1]`` and the last back to the first), or None when there is no
    cycle. Raises :class:`MalformedCSR` at the first malformed entry the pass reads.
    ``peel=False`` skips the source peel, ``wide=True`` takes 64-bit records whatever the
    size, and ``split`` (None: from ``SPLIT_MIN_NODES`` nodes on) says whether the first
    cycle's component is completed by forward-backward search before the DFS (the tests
    compare every way).
    """
    cdef Py_ssize_t n = indptr.shape[0] - 1
    cdef bint forward_backward = n >= SPLIT_MIN_NODES if split is None else bool(split)
    if not wide and n + 3 <= INT32_MAX and indices.shape[0] <= INT32_MAX:
        return _scan_as(indptr, indices, <int32_t> n, <record32*> NULL, peel,
                        forward_backward)
    return _scan_as(indptr, indices, <int64_t> n, <record64*> NULL, peel, forward_backward)


def first_cycle(const index_t[::1] indptr, const index_t[::1] indices):
    """One cycle as int64 node ids in edge order, or None; stops at the first found.

    Reads (and checks) only what the search reaches; raises :class:`MalformedCSR` at the
    first malformed entry it reads.
    """
    cdef Py_ssize_t n = indptr.shape[0] - 1
    if n + 3 <= INT32_MAX:
        return _first_cycle_as(indptr, indices, <int32_t> n)
    return _first_cycle_as(indptr, indices, <int64_t> n)


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
