"""Online deadlock detection: the compiled core of ``WaitForGraph`` (and ``Banker``'s check).

A wait-for graph that changes one event at a time (a process starts waiting for another,
stops waiting, finishes or is aborted) and answers at once whether a new wait closes a cycle.

The algorithm
-------------
The edges are split in two: ``D``, an acyclic part kept in a dynamic topological order
(``hot[node].ord``: distinct int64 positions, every edge of ``D`` goes from a lower to a higher
position), and the *aside* edges, each of which closed a cycle of ``D`` when it was added.
A new wait ``u -> v``:

1. goes into ``D`` at O(1) when it agrees with the order (``ord[u] < ord[v]``);
2. the "ends" trick: when ``v`` has no out-edge in ``D`` it takes a new highest position,
   when ``u`` has no in-edge a new lowest one (O(1): this is what keeps chains inserted
   against the order - waits arriving in reverse - linear instead of quadratic).
   Steps 1 and 2 read only ``hot[u]`` and ``hot[v]`` (position, degrees in D): the wait is
   counted there and written to a pending log; the lists get it in bulk (``_flush``) when
   something reads them - a search, a removal, ``edges()``, a copy - or the log is full.
   A flush appends independent waits, so their cache misses overlap (prefetched ahead)
   instead of each event paying its own in turn;
3. otherwise Pearce and Kelly (2006), "A dynamic topological sort algorithm for directed
   acyclic graphs": a forward search from ``v`` over the nodes placed before ``u`` and a
   backward search from ``u`` over the nodes placed after ``v``, one node of each in turn.
   If they meet (an edge from a forward node to a backward one) the wait closes a cycle:
   the parent links give it, and the edge is kept aside. Else they collect ``F`` and ``B``,
   and ``B`` then ``F`` are given the positions the two sets held, sorted (a radix sort):
   work in proportion to the affected region only. The forward search follows one-blocker
   chains (a waiter waiting for exactly one holder, the common case in a lock manager)
   without touching its stack.

A batch (``add_waits``, integer labels) first maps every label to an id, in order (the ids
one by one would give). The processes it created have no edge yet, so any free position will
do: they take the positions of a topological order of the batch's own waits among them (a
depth-first search over a CSR built in search scratch; a cycle is broken anywhere), and lists
sized exactly for their waits in the batch. Waits along an order the batch reveals then take
step 1 instead of step 2 or 3 (stream (a): no search at all). Which waits close a cycle depends
on reachability alone, so answers, ids and stamps are those of one by one. Then one C loop
adds the waits, prefetching the positions of those 32 ahead.

Removing a wait (or a process, with all its waits) retries the aside edges whose cycle could
have used it: an aside edge ``x -> y`` has a path ``y ->* x`` in ``D``, whose positions lie
in ``[ord[y], ord[x]]``; only aside edges whose interval holds the removed edge are retried.
So ``D`` plus the aside edges is always the whole graph, ``D`` is acyclic, and every aside
edge still closes a cycle of ``D``.

Storage: an array of nodes, each with out- and in-lists that grow by doubling
(every out-entry knows its position in the target's in-list and back, so a removal is O(out-
degree)); no Python object per edge. What a wait that agrees with the order reads
(position, degrees in D) lives in ``hot``, four nodes to a cache line, the search marks in
an array of their own: at 100,000 processes an event's cost is mostly waiting for memory.
Arrays of 2 MiB or more (``big_alloc``) are mappings of their own on transparent huge pages
where Linux offers them: reads at random over ~20 MB then stop missing the TLB.
Labels are mapped to ids once (a dict, plus a direct table for small non-negative ints,
where an int from ``add_waits`` keeps no Python object: ``_label`` makes it when asked);
ids of removed processes are reused.

Contract: methods of ``WaitCore`` are called by ``online.WaitForGraph`` (the public face),
which adds the results' Python forms. Nothing here is thread-safe: one graph, one thread.
"""

cimport cython
from cpython.long cimport PyLong_CheckExact
from libc.stdint cimport int32_t, int64_t, uint8_t, uint32_t, uint64_t
from libc.stdlib cimport free, malloc, realloc
from libc.string cimport memcpy, memmove, memset

from cysolve._bigmem cimport SANITIZED, big_alloc, big_free, big_realloc, poison
from cysolve._native cimport prefetch

import numbers

import numpy as np

from cysolve._convert import hashable
from cysolve.deadlock import _matrix

cdef extern from "Python.h":
    long long PyLong_AsLongLongAndOverflow(object obj, int* overflow) except? -1


cdef enum:
    # Pending waits indexed at most this many at a time (the log stays in L1 and bounded).
    LOG_MAX = 4096
    # A flush prefetches the two nodes of the wait this far ahead, their lists half as far
    # (16 was 3-5% slower on stream (a) once huge pages took the TLB misses away; 64 no better).
    FLUSH_AHEAD = 32
    # The longest edge list (its size classes ``4 << c`` stay within int32): more waits on
    # one process is out of memory (16 GiB of its out-entries alone).
    MAX_LIST = 1 << 30


cdef struct OutE:     # 16 bytes. ``back`` < 0: the edge is aside (it closed a cycle, not in D)
    int64_t stamp   # when the wait was added (the clock of the graph): the victims' rule
    int32_t to
    int32_t back    # position of this edge in ``to``'s in-list, ``~position`` when aside


cdef struct InE:      # 8 bytes
    int32_t frm
    int32_t back    # position of this edge in ``frm``'s out-list, ``~position`` when aside


cdef inline int32_t _at(int32_t back) noexcept nogil:
    """The position a ``back`` field holds, aside or not."""
    return back if back >= 0 else ~back


cdef inline int32_t _moved(int32_t back, int32_t k) noexcept nogil:
    """A ``back`` field pointing at ``k`` instead, keeping whether the edge is aside."""
    return k if back >= 0 else ~k


cdef struct Node:     # 32 bytes, 64-byte aligned: a node never straddles two cache lines
    OutE* out
    InE* inn
    int32_t nout, nin
    int32_t cout, cin       # capacities


cdef struct Hot:      # all a wait that agrees with the order reads or writes: 4 a line
    int64_t ord             # position in the topological order of D
    int32_t nout_d, nin_d   # edges of D out of and into the node, pending ones included


cdef struct OrdId:
    int64_t ord
    int32_t id


cdef void _sort(OrdId* items, OrdId* tmp, int32_t n) noexcept nogil:
    """Sort by ``ord`` (distinct; ``tmp`` holds ``n``): insertion sort for the usual handful,
    beyond it an LSD radix sort of the offsets from the least, 8 bits a pass (qsort's
    calls through a pointer were a third of a reordering's time)."""
    cdef int32_t i, j
    cdef OrdId item
    cdef OrdId* src = items
    cdef OrdId* dst = tmp
    cdef OrdId* swap
    cdef int64_t low, high
    cdef uint64_t span
    cdef int shift = 0
    cdef size_t count[256]
    cdef size_t total, c
    if n <= 24:
        for i in range(1, n):
            item = items[i]
            j = i - 1
            while j >= 0 and items[j].ord > item.ord:
                items[j + 1] = items[j]
                j -= 1
            items[j + 1] = item
        return
    low = high = items[0].ord
    for i in range(1, n):
        if items[i].ord < low:
            low = items[i].ord
        elif items[i].ord > high:
            high = items[i].ord
    span = <uint64_t> (high - low)
    while True:
        memset(count, 0, sizeof(count))
        for i in range(n):
            count[((<uint64_t> (src[i].ord - low)) >> shift) & 255] += 1
        total = 0
        for j in range(256):
            c = count[j]
            count[j] = total
            total += c
        for i in range(n):
            j = ((<uint64_t> (src[i].ord - low)) >> shift) & 255
            dst[count[j]] = src[i]
            count[j] += 1
        swap = src
        src = dst
        dst = swap
        shift += 8
        if shift >= 64 or (span >> shift) == 0:
            break
    if src != items:
        memcpy(items, src, <size_t> n * sizeof(OrdId))


cdef int _resize(void** block, int32_t n, size_t size) noexcept nogil:
    """``big_realloc`` to ``n`` items, keeping the old block when memory ran out (-1)."""
    cdef void* grown = big_realloc(block[0], <size_t> n * size)
    if grown == NULL:
        return -1
    block[0] = grown
    return 0


cdef int _renew(void** block, int32_t n, size_t size, bint zero) noexcept nogil:
    """A new block of ``n`` items for scratch whose contents need not survive (zeroed with
    ``zero``: fresh pages cost no copy); the old one is freed. -1 (old kept) when memory ran
    out."""
    cdef void* fresh = big_alloc(<size_t> n * size, zero)
    if fresh == NULL:
        return -1
    big_free(block[0])
    block[0] = fresh
    return 0


cdef int _grow(void** block, int32_t* cap, int32_t need, size_t size) noexcept nogil:
    """Make ``block`` hold at least ``need`` items (doubling); -1 when memory ran out."""
    cdef int32_t new_cap
    cdef void* grown
    if need <= cap[0]:
        return 0
    new_cap = cap[0] * 2 if cap[0] >= 4 else 4   # 4 out-edges: one cache line
    if new_cap < need:
        new_cap = need
    grown = realloc(block[0], <size_t> new_cap * size)
    if grown == NULL:
        return -1
    block[0] = grown
    cap[0] = new_cap
    return 0


cdef struct Pool:
    size_t item             # bytes an entry
    char* cur               # the unused rest of the newest chunk
    size_t left
    void* free[32]          # freed blocks of 4 << c entries, linked through their first word
    void** chunks           # every chunk, freed at the end
    int32_t nchunks, cchunks


cdef void* _pool_take(Pool* pool, int c) noexcept nogil:
    """A block of ``4 << c`` entries: a freed one of that size, else carved from a chunk.
    NULL when memory ran out."""
    cdef void* block = pool.free[c]
    if block != NULL:
        pool.free[c] = (<void**> block)[0]
        return block
    return _pool_carve(pool, (<size_t> 4 << c) * pool.item)


cdef size_t _pool_chunk_size(const Pool* pool) noexcept nogil:
    """The size of the pool's next chunk: they double from 4 KiB to 4 MiB."""
    return <size_t> 4096 << (pool.nchunks if pool.nchunks < 10 else 10)


cdef char* _pool_chunk(Pool* pool, size_t size) noexcept nogil:
    """A new chunk of ``size`` bytes, listed for freeing at the end (NULL when memory ran
    out). Where carving continues is the caller's choice."""
    cdef char* chunk
    if pool.nchunks == pool.cchunks and _grow(<void**> &pool.chunks, &pool.cchunks,
                                              pool.nchunks + 1, sizeof(void*)) < 0:
        return NULL
    chunk = <char*> big_alloc(size, 0)
    if chunk == NULL:
        return NULL
    pool.chunks[pool.nchunks] = chunk
    pool.nchunks += 1
    return chunk


cdef void* _pool_carve(Pool* pool, size_t nbytes) noexcept nogil:
    """``nbytes`` from the newest chunk, else from a new one (a block of more than a quarter
    of a chunk gets one of its own, and carving goes on in the old). NULL when memory ran
    out."""
    cdef void* block
    cdef size_t size = _pool_chunk_size(pool)
    cdef char* chunk
    if nbytes <= pool.left and not SANITIZED:
        block = pool.cur
        pool.cur += nbytes
        pool.left -= nbytes
        return block
    if nbytes > size // 4 or SANITIZED:
        size = nbytes
    chunk = _pool_chunk(pool, size)
    if chunk == NULL or size == nbytes:
        return chunk
    pool.cur = chunk + nbytes
    pool.left = size - nbytes
    return chunk


cdef int _pool_reserve(Pool* pool, size_t nbytes) noexcept nogil:
    """Make the newest chunk hold ``nbytes`` more, a new one when it must (what was left of
    the old one, less than ``nbytes``, stays unused): a batch carves its new lists one after
    the other from one chunk, which huge pages cover when large. -1 when memory ran out."""
    cdef size_t size = _pool_chunk_size(pool)
    cdef char* chunk
    if nbytes <= pool.left or SANITIZED:
        return 0
    if size < nbytes:
        size = nbytes
    chunk = _pool_chunk(pool, size)
    if chunk == NULL:
        return -1
    pool.cur = chunk
    pool.left = size
    return 0


cdef int _pool_grow(Pool* pool, void** block, int32_t* cap, int32_t used,
                    int32_t need) noexcept nogil:
    """Make the list ``block`` (``used`` of ``cap`` entries) hold ``need``: a block of the
    next size from ``pool``, the old one freed into it. -1 when memory ran out.

    Every list lives in its graph's pools: no ``malloc`` per list (on stream (a), growing
    200,000 small lists with ``realloc`` and freeing them took a third of the time).
    """
    cdef int c = 0
    cdef void* grown
    if need <= cap[0]:
        return 0
    if need > MAX_LIST:
        return -1
    while (4 << c) < need:
        c += 1
    grown = _pool_take(pool, c)
    if grown == NULL:
        return -1
    _pool_move(pool, block, cap, used, grown)
    cap[0] = 4 << c
    return 0


cdef int _pool_exact(Pool* pool, void** block, int32_t* cap, int32_t used,
                     int32_t need) noexcept nogil:
    """``_pool_grow`` to exactly ``need`` entries (a size class or not): for a list whose
    final length is known (``add_waits`` counts a batch's waits first), where rounding up
    to the class would leave ~40% of the list memory untouched but in the way."""
    cdef void* grown
    if need <= cap[0]:
        return 0
    if need > MAX_LIST:
        return -1
    grown = _pool_carve(pool, <size_t> need * pool.item)
    if grown == NULL:
        return -1
    _pool_move(pool, block, cap, used, grown)
    cap[0] = need
    return 0


cdef void _pool_move(Pool* pool, void** block, int32_t* cap, int32_t used,
                     void* grown) noexcept nogil:
    """Move the list's ``used`` entries to ``grown``; the old block goes to the free list of
    the largest size class it holds (one under 4 entries stays unused in its chunk)."""
    cdef int old = 0
    if used:
        memcpy(grown, block[0], <size_t> used * pool.item)
    if block[0] != NULL and SANITIZED:
        poison(block[0], <size_t> cap[0] * pool.item)  # freed with its chunk at the end
    elif block[0] != NULL and cap[0] >= 4:
        while (4 << (old + 1)) <= cap[0]:
            old += 1
        (<void**> block[0])[0] = pool.free[old]
        pool.free[old] = block[0]
    block[0] = grown


cdef void _pool_free(Pool* pool) noexcept nogil:
    """Free every chunk; the pool is empty (and usable) again."""
    cdef int32_t i
    cdef size_t item = pool.item
    for i in range(pool.nchunks):
        big_free(pool.chunks[i])
    free(pool.chunks)
    memset(pool, 0, sizeof(Pool))
    pool.item = item


cdef inline int32_t _local(const int32_t* ids, Py_ssize_t k, int64_t hi0, int32_t used0,
                           bint dense, const Hot* P) noexcept nogil:
    """The number of ``ids[k]`` among the processes a batch created (in order of creation),
    -1 for an older one. ``dense``: no freed id was reused, so the new ids are ``used0, ...``
    and the number needs no memory access; else it is read from the position."""
    cdef int64_t d
    if dense:
        return ids[k] - used0 if ids[k] >= used0 else -1
    d = P[ids[k]].ord - hi0 - 1
    return <int32_t> d if d >= 0 else -1


cdef class WaitCore:
    """The wait-for graph's state in C arrays (see the module docstring)."""

    cdef Node* nodes          # 64-byte aligned inside ``nodes_block``
    cdef void* nodes_block
    cdef int64_t* keys        # the small int label a node is filed under in ``cache``, or -1
    cdef uint8_t* alive       # 0: a free id
    cdef Hot* hot             # each node's place in the order and its degrees in D
    cdef int64_t* seen        # the search epoch that last visited each node
    cdef int32_t* parent      # forward search: the node each was reached from
    cdef int32_t cap          # nodes allocated
    cdef int32_t used         # ids handed out so far (free ones included)
    cdef int32_t nalive
    cdef int32_t* free_ids
    cdef int32_t nfree
    cdef int64_t lo, hi, clock, epoch, nedges
    cdef int64_t work         # nodes the searches visited, for the benchmarks
    # scratch for the searches, each ``cap`` long
    cdef int32_t* stack
    cdef int32_t* fwd
    cdef int32_t* bwd
    cdef OrdId* sortbuf
    cdef OrdId* sorttmp
    cdef int64_t* slots
    cdef int32_t* cyc
    cdef int32_t ncyc
    cdef int32_t nf, nb             # the last search's region sizes
    # the aside edges, pairs (u, v) in the order they were set aside
    cdef int32_t* aside
    cdef int32_t naside, caside
    cdef int32_t* retry
    cdef int32_t cretry
    # waits of D not yet in the lists, pairs (u, v) in arrival order (``_flush``)
    cdef int32_t* log
    cdef int32_t nlog
    # small non-negative int labels -> id (-1: not cached)
    cdef int32_t* cache
    cdef int64_t ncache
    cdef int64_t dict_ints
    cdef Pool outs, ins       # where the out- and in-lists live
    cdef list _labels
    cdef dict _ids

    def __cinit__(self):
        self._labels = []
        self._ids = {}
        self.outs.item = sizeof(OutE)
        self.ins.item = sizeof(InE)

    def __dealloc__(self):
        self._free_all()

    @cython.final
    cdef void _free_all(self) noexcept:
        _pool_free(&self.outs)
        _pool_free(&self.ins)
        big_free(self.nodes_block)
        big_free(self.keys)
        big_free(self.alive)
        big_free(self.hot)
        big_free(self.seen)
        free(self.log)
        big_free(self.parent)
        big_free(self.free_ids)
        big_free(self.stack)
        big_free(self.fwd)
        big_free(self.bwd)
        big_free(self.sortbuf)
        big_free(self.sorttmp)
        big_free(self.slots)
        big_free(self.cyc)
        free(self.aside)
        free(self.retry)
        big_free(self.cache)
        self.nodes = NULL
        self.nodes_block = NULL
        self.keys = NULL
        self.alive = NULL
        self.hot = NULL
        self.seen = NULL
        self.log = NULL
        self.nlog = 0
        self.parent = NULL
        self.free_ids = self.stack = self.fwd = self.bwd = self.cyc = NULL
        self.aside = self.retry = self.cache = NULL
        self.sortbuf = self.sorttmp = NULL
        self.slots = NULL
        self.cap = self.used = self.nalive = self.nfree = 0
        self.naside = self.caside = self.cretry = self.ncyc = 0
        self.ncache = 0
        self.dict_ints = 0
        self.lo = self.hi = self.clock = self.epoch = self.nedges = 0

    # --- nodes and labels ---------------------------------------------------------------------

    @cython.final
    cdef int _reserve(self, int32_t need) except -1:
        """Room for ``need`` nodes in the node array, every per-node array and ``_labels``."""
        cdef int32_t new_cap
        if need <= self.cap:
            return 0
        if need > 0x3FFFFFFF:
            raise MemoryError("a wait-for graph holds at most 2**30 processes")
        new_cap = self.cap * 2 if self.cap >= 16 else 16
        if new_cap < need:
            new_cap = need
        if (self._resize_nodes(new_cap) < 0
                or _resize(<void**> &self.keys, new_cap, sizeof(int64_t)) < 0
                or _resize(<void**> &self.alive, new_cap, sizeof(uint8_t)) < 0
                or _resize(<void**> &self.hot, new_cap, sizeof(Hot)) < 0
                or _resize(<void**> &self.free_ids, new_cap, sizeof(int32_t)) < 0
                # search marks start again from 0 (no search is under way); the rest is
                # scratch of a search: nothing to copy
                or _renew(<void**> &self.seen, new_cap, sizeof(int64_t), True) < 0
                or _renew(<void**> &self.parent, new_cap, sizeof(int32_t), False) < 0
                or _renew(<void**> &self.stack, new_cap, sizeof(int32_t), False) < 0
                or _renew(<void**> &self.fwd, new_cap, sizeof(int32_t), False) < 0
                or _renew(<void**> &self.bwd, new_cap, sizeof(int32_t), False) < 0
                or _renew(<void**> &self.sortbuf, new_cap, sizeof(OrdId), False) < 0
                or _renew(<void**> &self.sorttmp, new_cap, sizeof(OrdId), False) < 0
                or _renew(<void**> &self.slots, new_cap, sizeof(int64_t), False) < 0
                or _renew(<void**> &self.cyc, new_cap + 1, sizeof(int32_t), False) < 0):
            raise MemoryError(f"no memory for {new_cap:,} processes")
        self._labels.extend([None] * (new_cap - len(self._labels)))
        self.cap = new_cap
        return 0

    @cython.final
    cdef int _resize_nodes(self, int32_t new_cap) noexcept nogil:
        """Grow the nodes to ``new_cap`` in a block aligned to 64 bytes: a 32-byte node (all
        a search or a flush reads of it) then lies in one cache line. ``big_realloc``: past
        2 MiB a new mapping on huge pages and a copy (the copy faults in ~2x the final array,
        but 512 times fewer faults, and reads at random stop missing the TLB)."""
        cdef size_t old_at = <size_t> self.nodes - <size_t> self.nodes_block
        cdef size_t at
        cdef char* block = <char*> big_realloc(self.nodes_block,
                                               <size_t> new_cap * sizeof(Node) + 64)
        if block == NULL:
            return -1
        at = ((<size_t> block + 63) & ~(<size_t> 63)) - <size_t> block
        if at != old_at and self.used:
            memmove(block + at, block + old_at, <size_t> self.used * sizeof(Node))
        self.nodes_block = block
        self.nodes = <Node*> (block + at)
        return 0

    @cython.final
    cdef int _cache_room(self, long long k) except -1:
        """Grow the small-int table to cover ``k`` when ``k`` is not far beyond the ids."""
        cdef int64_t new_n, i
        cdef void* p
        if k < self.ncache or k > 8 * (<int64_t> self.used) + (1 << 20):
            return 0
        new_n = self.ncache * 2 if self.ncache >= 1024 else 1024
        if new_n <= k:
            new_n = k + 1
        p = big_realloc(self.cache, <size_t> new_n * sizeof(int32_t))
        if p == NULL:
            raise MemoryError("no memory for the label table")
        self.cache = <int32_t*> p
        for i in range(self.ncache, new_n):
            self.cache[i] = -1
        self.ncache = new_n
        return 0

    @cython.final
    cdef long long _int_key(self, object label) except -2:
        """The table slot of a label equal (as a dict key) to a small int, else -1.

        Exact ints are handled by the caller; this covers bools, integral floats, NumPy
        scalars and the like, so that ``1``, ``1.0`` and ``True`` stay one process.
        """
        cdef long long k
        if isinstance(label, (str, bytes, tuple, frozenset)) or not isinstance(
                label, numbers.Number):
            return -1
        try:
            value = int(label)
        except (TypeError, ValueError, OverflowError):
            try:
                if label.imag != 0:
                    return -1
                value = int(label.real)
            except (AttributeError, TypeError, ValueError, OverflowError):
                return -1
        if value != label or value < 0 or value >= (1 << 62):
            return -1
        k = value
        self._cache_room(k)
        return k if k < self.ncache else -1

    @cython.final
    cdef int32_t _id(self, object label, bint create, str name) except -2:
        """The id of ``label``; a new process when ``create``, else -1 for an unknown label.

        Labels equal to a small non-negative int live in a direct table only (no dict
        entry); the others in the dict. ``dict_ints`` counts int-like labels put in the dict
        before the table covered them, so the table's misses look there while it is not 0.
        """
        cdef int overflow = 0
        cdef long long k = -1
        cdef int32_t i
        if PyLong_CheckExact(label):
            k = PyLong_AsLongLongAndOverflow(label, &overflow)
            if overflow != 0 or k < 0:
                k = -1
            elif k >= self.ncache:
                self._cache_room(k)
                if k >= self.ncache:
                    k = -1
        else:
            k = self._int_key(label)
        if k >= 0:
            i = self.cache[k]
            if i >= 0:
                return i
            if self.dict_ints == 0:
                return self._new(label, k) if create else -1
        try:
            found = self._ids.get(label)
        except TypeError:
            hashable(label, f"{name} = {label!r}", "process labels")
            raise
        if found is not None:
            i = <int32_t> found
            if k >= 0:
                self.cache[k] = i
                self.keys[i] = k
            return i
        if not create:
            return -1
        return self._new(label, k)

    @cython.final
    cdef int32_t _new_id(self) except -2:
        """A new process without a label yet: a freed id, else the next one."""
        cdef int32_t i
        cdef Node* node
        if self.nfree:
            self.nfree -= 1
            i = self.free_ids[self.nfree]
        else:
            if self.used == self.cap:
                self._reserve(self.used + 1)
            i = self.used
            self.used += 1
            self.nodes[i].out = NULL
            self.nodes[i].inn = NULL
            self.nodes[i].cout = self.nodes[i].cin = 0
        node = &self.nodes[i]
        node.nout = node.nin = 0
        self.hi += 1
        self.hot[i].ord = self.hi
        self.hot[i].nout_d = self.hot[i].nin_d = 0
        # seen (a search's epoch) and parent (its scratch) need no start: marks of older
        # searches are below the epoch, and a search sets parent before it reads it
        self.alive[i] = 1
        self.keys[i] = -1
        self.nalive += 1
        return i

    @cython.final
    cdef int32_t _new(self, object label, long long k) except -2:
        """A new process: in the table under ``k`` (>= 0), else in the dict.

        An exact int in the table keeps no Python object (``_label`` makes it when asked);
        other labels are kept as first seen (``1.0``, ``True``, strings...).
        """
        cdef int32_t i = self._new_id()
        if k >= 0:
            self.cache[k] = i
            self.keys[i] = k
            if not PyLong_CheckExact(label):
                self._labels[i] = label
        else:
            self._labels[i] = label
            self._ids[label] = i
            if PyLong_CheckExact(label) or self._int_like(label):
                self.dict_ints += 1
        return i

    @cython.final
    cdef inline int32_t _int_id(self, int64_t a) except -2:
        """The id of the int label ``a`` (a new process if unknown), in C when the table
        covers ``a``: ``add_waits`` makes no Python object for such labels."""
        cdef int32_t i
        if 0 <= a < self.ncache:
            i = self.cache[a]
            if i >= 0:
                return i
        return self._int_id_new(a)

    @cython.final
    cdef int32_t _int_id_new(self, int64_t a) except -2:
        """``_int_id`` for a label the table does not hold yet."""
        cdef int32_t i
        if a >= 0:
            if a >= self.ncache:
                self._cache_room(a)
            if a < self.ncache:
                i = self.cache[a]
                if i >= 0:
                    return i
                if self.dict_ints == 0:
                    i = self._new_id()
                    self.cache[a] = i
                    self.keys[i] = a
                    return i
        return self._id(a, True, "pairs")

    @cython.final
    cdef object _label(self, int32_t i):
        """The label of process ``i``."""
        label = self._labels[i]
        if label is None and self.keys[i] >= 0:
            return self.keys[i]
        return label

    @cython.final
    cdef bint _int_like(self, object label):
        """Is ``label`` equal to some int (one the table may cover later)?"""
        if isinstance(label, (str, bytes, tuple, frozenset)) or not isinstance(
                label, numbers.Number):
            return False
        try:
            return int(label) == label
        except (TypeError, ValueError, OverflowError):
            return True  # complex and the like: be safe, look in the dict

    # --- edges --------------------------------------------------------------------------------

    @cython.final
    cdef inline int32_t _find(self, int32_t u, int32_t v) noexcept nogil:
        cdef Node* node = &self.nodes[u]
        cdef int32_t k
        for k in range(node.nout):
            if node.out[k].to == v:
                return k
        return -1

    @cython.final
    cdef inline int _link(self, int32_t u, int32_t v, int32_t aside) noexcept nogil:
        """Append the edge ``u -> v`` to both lists; -1 when memory ran out. An edge of D
        was counted in ``hot`` when it was logged, so only the lists change here."""
        cdef Node* a = &self.nodes[u]
        cdef Node* b = &self.nodes[v]
        cdef int32_t k, ki
        if a.nout == a.cout and _pool_grow(&self.outs, <void**> &a.out, &a.cout, a.nout,
                                           a.nout + 1) < 0:
            return -1
        if b.nin == b.cin and _pool_grow(&self.ins, <void**> &b.inn, &b.cin, b.nin,
                                         b.nin + 1) < 0:
            return -1
        if aside and _grow(<void**> &self.aside, &self.caside, 2 * self.naside + 2,
                           sizeof(int32_t)) < 0:
            return -1
        k = a.nout
        ki = b.nin
        self.clock += 1
        a.out[k].stamp = self.clock
        a.out[k].to = v
        a.out[k].back = ~ki if aside else ki
        b.inn[ki].frm = u
        b.inn[ki].back = ~k if aside else k
        a.nout += 1
        b.nin += 1
        if aside:
            self.aside[2 * self.naside] = u
            self.aside[2 * self.naside + 1] = v
            self.naside += 1
        self.nedges += 1
        return 0

    @cython.final
    cdef inline int _log(self, int32_t u, int32_t v) noexcept nogil:
        """Put ``u -> v`` (it agrees with the order) into D: counted at once in ``hot``,
        which is all a later wait's check reads, and written to the pending log; the lists
        get it at the next ``_flush``. -1 when memory ran out."""
        if self.nlog == LOG_MAX and self._flush() < 0:
            return -1
        if self.log == NULL:
            self.log = <int32_t*> malloc(2 * LOG_MAX * sizeof(int32_t))
            if self.log == NULL:
                return -1
        self.log[2 * self.nlog] = u
        self.log[2 * self.nlog + 1] = v
        self.nlog += 1
        self.hot[u].nout_d += 1
        self.hot[v].nin_d += 1
        return 0

    @cython.final
    cdef int _flush(self) noexcept nogil:
        """Append the pending waits to the lists in arrival order, dropping a repeat of a
        wait already there (its count in ``hot`` taken back): the same lists, stamps and
        order as adding each at once. The waits are independent, so the nodes and list ends
        of those ahead are prefetched and their misses overlap. -1 when memory ran out (the
        waits not yet appended stay pending)."""
        cdef int32_t* L = self.log
        cdef int32_t n = self.nlog, e, u, v
        cdef Node* N = self.nodes
        cdef Node* a
        for e in range(n if n < FLUSH_AHEAD else FLUSH_AHEAD):   # the first ones' nodes
            prefetch(&N[L[2 * e]])
            prefetch(&N[L[2 * e + 1]])
        for e in range(n):
            if e + FLUSH_AHEAD < n:
                prefetch(&N[L[2 * (e + FLUSH_AHEAD)]])
                prefetch(&N[L[2 * (e + FLUSH_AHEAD) + 1]])
            if e + FLUSH_AHEAD // 2 < n:
                a = &N[L[2 * (e + FLUSH_AHEAD // 2)]]
                if a.out != NULL:
                    prefetch(a.out)
                    prefetch(a.out + a.nout)
                a = &N[L[2 * (e + FLUSH_AHEAD // 2) + 1]]
                if a.inn != NULL:
                    prefetch(a.inn + a.nin)
            u = L[2 * e]
            v = L[2 * e + 1]
            if self._find(u, v) >= 0:
                self.hot[u].nout_d -= 1
                self.hot[v].nin_d -= 1
            elif self._link(u, v, 0) < 0:
                memmove(L, L + 2 * e, <size_t> (n - e) * 2 * sizeof(int32_t))
                self.nlog = n - e
                return -1
        self.nlog = 0
        return 0

    @cython.final
    cdef int _flushed(self) except -1:
        """``_flush`` for the methods that read the lists (MemoryError when it fails)."""
        if self.nlog and self._flush() < 0:
            raise MemoryError("no memory for the pending waits")
        return 0

    @cython.final
    cdef void _drop_aside(self, int32_t u, int32_t v) noexcept nogil:
        """Remove the pair from the aside list, keeping the others in order."""
        cdef int32_t k
        for k in range(self.naside):
            if self.aside[2 * k] == u and self.aside[2 * k + 1] == v:
                memmove(self.aside + 2 * k, self.aside + 2 * k + 2,
                        <size_t> (self.naside - k - 1) * 2 * sizeof(int32_t))
                self.naside -= 1
                return

    @cython.final
    cdef void _unlink(self, int32_t u, int32_t k) noexcept nogil:
        """Remove ``u``'s out-edge number ``k`` (swap with the last, in both lists)."""
        cdef Node* N = self.nodes
        cdef OutE e = N[u].out[k]
        cdef int32_t v = e.to, ki = _at(e.back), last
        cdef OutE* partner_out
        cdef InE* partner_in
        last = N[v].nin - 1
        if ki != last:
            N[v].inn[ki] = N[v].inn[last]
            partner_out = &N[N[v].inn[ki].frm].out[_at(N[v].inn[ki].back)]
            partner_out.back = _moved(partner_out.back, ki)
        N[v].nin -= 1
        last = N[u].nout - 1
        if k != last:
            N[u].out[k] = N[u].out[last]
            partner_in = &N[N[u].out[k].to].inn[_at(N[u].out[k].back)]
            partner_in.back = _moved(partner_in.back, k)
        N[u].nout -= 1
        if e.back < 0:
            self._drop_aside(u, v)
        else:
            self.hot[u].nout_d -= 1
            self.hot[v].nin_d -= 1
        self.nedges -= 1

    # --- the order ----------------------------------------------------------------------------

    @cython.final
    cdef int _place(self, int32_t u, int32_t v) noexcept nogil:
        """Make room for ``u -> v`` in D's order: 0, or 1 when it closes a cycle of D
        (-1: no memory to flush the pending waits, which the search must see).

        On 1, ``cyc[:ncyc]`` is the cycle ``u, v, ..., x`` (``x -> u`` closes it).
        """
        cdef Hot* P = self.hot
        cdef int64_t ub = P[u].ord, lb = P[v].ord
        if u == v:
            self.cyc[0] = u
            self.ncyc = 1
            return 1
        if ub < lb:
            return 0
        if P[v].nout_d == 0:           # v waits for nobody in D: the new last
            self.hi += 1
            P[v].ord = self.hi
            return 0
        if P[u].nin_d == 0:            # nobody waits for u in D: the new first
            self.lo -= 1
            P[u].ord = self.lo
            return 0
        if self.nlog and self._flush() < 0:
            return -1
        if self._search(u, v, lb, ub):
            return 1
        self._reorder(self.nb, self.nf)
        return 0

    @cython.final
    cdef int _search(self, int32_t u, int32_t v, int64_t lb, int64_t ub) noexcept nogil:
        """Pearce-Kelly's two searches, one node of each in turn: forward from ``v`` over the
        nodes of D placed before ``u`` (into ``fwd``, marked ``epoch``), backward from ``u``
        over those placed after ``v`` (into ``bwd``, marked ``-epoch``). An edge from a
        forward node to a backward one closes a cycle: 1, the cycle in ``cyc``. Such a path
        lies in both regions, so taking turns finds it without first exhausting the forward
        region; with no cycle both regions are walked whole (``nf``, ``nb``) as in the paper.
        The forward stack grows from ``stack``'s start, the backward one from its end (a node
        is pushed once, by one side). One-blocker chains (the common case in a lock manager)
        are followed without the stack.
        """
        cdef Node* N = self.nodes
        cdef Hot* P = self.hot
        cdef int64_t* S = self.seen
        cdef int32_t* parent = self.parent   # forward: the predecessor; backward: the successor
        cdef int32_t* stack = self.stack
        cdef int32_t top = self.cap - 1
        cdef int64_t ep
        cdef int32_t fsp = 1, bsp = 1, nf = 1, nb = 1, x, w, k, n
        cdef OutE* out
        cdef InE* inn
        self.epoch += 1
        ep = self.epoch
        S[v] = ep
        S[u] = -ep
        parent[v] = parent[u] = -1
        self.fwd[0] = stack[0] = v
        self.bwd[0] = stack[top] = u
        while fsp or bsp:
            if fsp:
                fsp -= 1
                x = stack[fsp]
                while True:
                    out = N[x].out
                    n = N[x].nout
                    if n == 1 and out[0].back >= 0:   # follow the chain
                        w = out[0].to
                        if S[w] == -ep:
                            return self._meet(u, x, w, nf + nb)
                        if S[w] == ep or P[w].ord >= ub:
                            break
                        S[w] = ep
                        parent[w] = x
                        self.fwd[nf] = w
                        nf += 1
                        x = w
                        continue
                    for k in range(n):
                        if out[k].back < 0:   # aside
                            continue
                        w = out[k].to
                        if S[w] == -ep:
                            return self._meet(u, x, w, nf + nb)
                        if S[w] != ep and P[w].ord < ub:
                            S[w] = ep
                            parent[w] = x
                            self.fwd[nf] = w
                            nf += 1
                            stack[fsp] = w
                            fsp += 1
                    break
            if bsp:
                bsp -= 1
                x = stack[top - bsp]
                inn = N[x].inn
                for k in range(N[x].nin):
                    if inn[k].back < 0:
                        continue
                    w = inn[k].frm
                    if S[w] == ep:
                        return self._meet(u, w, x, nf + nb)
                    if S[w] != -ep and P[w].ord > lb:
                        S[w] = -ep
                        parent[w] = x
                        self.bwd[nb] = w
                        nb += 1
                        stack[top - bsp] = w
                        bsp += 1
        self.nf = nf
        self.nb = nb
        self.work += nf + nb
        return 0

    @cython.final
    cdef void _reorder(self, int32_t nb, int32_t nf) noexcept nogil:
        """Give B (``bwd``) then F (``fwd``), each in its own order, the positions the two
        sets held, sorted: D's order holds again with ``u -> v`` in it."""
        cdef Hot* P = self.hot
        cdef OrdId* buf = self.sortbuf
        cdef int32_t i, j = nb, k = 0
        for i in range(nb):
            buf[i].ord = P[self.bwd[i]].ord
            buf[i].id = self.bwd[i]
        for i in range(nf):
            buf[nb + i].ord = P[self.fwd[i]].ord
            buf[nb + i].id = self.fwd[i]
        _sort(buf, self.sorttmp, nb)
        _sort(buf + nb, self.sorttmp, nf)
        i = 0
        while i < nb or j < nb + nf:   # merge the two sorted runs of positions
            if j == nb + nf or (i < nb and buf[i].ord < buf[j].ord):
                self.slots[k] = buf[i].ord
                i += 1
            else:
                self.slots[k] = buf[j].ord
                j += 1
            k += 1
        for i in range(nb + nf):
            P[buf[i].id].ord = self.slots[i]

    @cython.final
    cdef int _meet(self, int32_t u, int32_t a, int32_t b, int32_t visited) noexcept nogil:
        """The cycle ``u, v, ..., a, b, ..., x`` through the edge ``a -> b`` where the two
        searches met (``a`` forward, ``b`` backward: ``x -> u`` closes it); returns 1."""
        cdef int32_t n = 0, y = a, i
        self.work += visited
        while y != -1:                  # a, ..., v (the search is over: its stack is free)
            self.stack[n] = y
            n += 1
            y = self.parent[y]
        self.cyc[0] = u
        for i in range(n):
            self.cyc[1 + i] = self.stack[n - 1 - i]
        n += 1
        y = b
        while y != u:                   # b, ..., the node before u
            self.cyc[n] = y
            n += 1
            y = self.parent[y]
        self.ncyc = n
        return 1

    @cython.final
    cdef int _add(self, int32_t u, int32_t v) noexcept nogil:
        """Add the wait ``u -> v``: 0 (no cycle or already there), 1 (closes one), -1 (memory).

        A wait that agrees with the order (most of them) reads only the two ``hot`` entries
        and is logged; a repeat of a wait of D is dropped when the log is flushed. A wait
        against the order cannot repeat a wait of D (those all agree with it), only an aside
        one, and those are always in the lists.
        """
        cdef int r
        if self.hot[u].ord < self.hot[v].ord:
            return self._log(u, v)
        if self.naside and self._find(u, v) >= 0:
            return 0
        r = self._place(u, v)
        if r == 0:
            return self._log(u, v)
        if r < 0 or self.nlog and self._flush() < 0 or self._link(u, v, 1) < 0:
            return -1
        return 1

    @cython.final
    cdef int _retry(self, int32_t ntry) noexcept nogil:
        """Retry the aside edges in ``retry[:2 * ntry]``: those closing no cycle now join D."""
        cdef int32_t t, x, y, k, ki
        cdef Node* N
        for t in range(ntry):
            x = self.retry[2 * t]
            y = self.retry[2 * t + 1]
            k = self._find(x, y)
            if k < 0 or self.nodes[x].out[k].back >= 0:
                continue  # removed meanwhile (with a removed process)
            if self._place(x, y) != 0:
                continue
            N = self.nodes
            ki = ~N[x].out[k].back
            N[x].out[k].back = ki
            N[y].inn[ki].back = k
            self.hot[x].nout_d += 1
            self.hot[y].nin_d += 1
            self._drop_aside(x, y)
        return 0

    @cython.final
    cdef int32_t _candidates(self, int64_t low, int64_t high) noexcept nogil:
        """Copy the aside edges ``x -> y`` with ``ord[y] <= low`` and ``high <= ord[x]``."""
        cdef int32_t t, n = 0, x, y
        if _grow(<void**> &self.retry, &self.cretry, 2 * self.naside, sizeof(int32_t)) < 0:
            return -1
        for t in range(self.naside):
            x = self.aside[2 * t]
            y = self.aside[2 * t + 1]
            if self.hot[y].ord <= low and high <= self.hot[x].ord:
                self.retry[2 * n] = x
                self.retry[2 * n + 1] = y
                n += 1
        return n

    # --- the Python-facing methods --------------------------------------------------------------

    @cython.final
    cdef list _cycle_labels(self):
        cdef int32_t i
        return [self._label(self.cyc[i]) for i in range(self.ncyc)]

    def add_wait(self, waiter, holder):
        """Record that ``waiter`` waits for ``holder``; the cycle this closes, or None."""
        cdef int32_t u = self._id(waiter, True, "waiter")
        cdef int32_t v = self._id(holder, True, "holder")
        cdef int r = self._add(u, v)
        if r == 0:
            return None
        if r < 0:
            raise MemoryError("no memory for another wait")
        return self._cycle_labels()

    def add_waits(self, pairs):
        """Add the waits ``pairs[e, 0] -> pairs[e, 1]`` in order; the events that closed a cycle.

        ``pairs`` is an ``(E, 2)`` integer array (the labels are its values, as Python ints).
        """
        arr = np.asarray(pairs)
        if arr.dtype.kind not in "iu":
            if arr.size == 0 and arr.ndim == 2 and arr.shape[1] == 2:
                return np.empty(0, dtype=np.int64)
            raise TypeError(
                f"pairs must be an (E, 2) integer array of waits, not dtype {arr.dtype}"
            )
        if arr.ndim != 2 or arr.shape[1] != 2:
            raise ValueError(
                f"pairs has shape {arr.shape}: it must be (E, 2), one (waiter, holder) a row"
            )
        if arr.dtype == np.uint64 and arr.size and arr.max() > np.iinfo(np.int64).max:
            raise ValueError("pairs holds labels above 2**63 - 1: pass them one by one")
        cdef const int64_t[:, ::1] p = np.ascontiguousarray(arr, dtype=np.int64)
        cdef Py_ssize_t m = p.shape[0], e = 0, nclosed
        cdef int64_t hi0 = self.hi
        cdef int32_t used0 = self.used, nfree0 = self.nfree
        if m == 0:
            return np.empty(0, dtype=np.int64)
        ids_a = np.empty((m, 2), dtype=np.int32)
        cdef int32_t[:, ::1] ids = ids_a
        try:
            while e < m:   # in order of appearance: the ids one by one would give
                ids[e, 0] = self._int_id(p[e, 0])
                ids[e, 1] = self._int_id(p[e, 1])
                e += 1
        except BaseException:
            self._add_batch(&ids[0, 0], e)   # the waits before, as one by one
            raise
        if self.hi > hi0:
            self._prepare_new(&ids[0, 0], m, hi0, used0, nfree0 == 0)
        # pure C, but the GIL stays held: another thread calling into this graph meanwhile
        # would corrupt it, and the GIL is what makes each call atomic here
        nclosed = self._add_batch(&ids[0, 0], m)
        if nclosed < 0:
            raise MemoryError("no memory for another wait")
        done = ids_a[:nclosed].astype(np.int64)
        return (done[:, 1] << 32) | (done[:, 0] & 0xFFFFFFFF)

    @cython.final
    cdef Py_ssize_t _add_batch(self, int32_t* ids, Py_ssize_t m) noexcept nogil:
        """Add the waits ``ids[2e] -> ids[2e + 1]`` in order: how many closed a cycle, or -1
        when memory ran out (the waits before the one that failed are in). The index of the
        k-th that closed one overwrites pair k (read by then), its low 32 bits first: the
        pairs are the one array a batch's size allocates and touches (at 300,000 waits a
        second one cost ~600 page faults, ~8 ns a wait here)."""
        cdef Py_ssize_t e, nclosed = 0
        cdef int r
        for e in range(m):
            if e + FLUSH_AHEAD < m:   # the positions a later wait compares
                prefetch(&self.hot[ids[2 * (e + FLUSH_AHEAD)]])
                prefetch(&self.hot[ids[2 * (e + FLUSH_AHEAD) + 1]])
            r = self._add(ids[2 * e], ids[2 * e + 1])
            if r == 1:
                ids[2 * nclosed] = <int32_t> <uint32_t> e
                ids[2 * nclosed + 1] = <int32_t> (e >> 32)
                nclosed += 1
            elif r < 0:
                return -1
        return nclosed

    @cython.final
    cdef int _prepare_new(self, const int32_t* ids, Py_ssize_t m, int64_t hi0,
                          int32_t used0, bint dense) noexcept nogil:
        """Before a batch's waits go in: size the lists of the processes it created for all
        their waits in it (``_size_new``: each list taken from its pool once instead of grown
        4, 8, 16... entries a wait at a time) and place them (``_place_new``).

        The new processes are those placed above ``hi0`` (``_new_id``), numbered here in
        order of creation (``_local``); ``fresh`` maps the numbers to ids, NULL when they are
        ``used0 + number``. One pass counts each one's waits out and in, and those among new
        processes (``csr[2x]``). All of it lives in search scratch (no search runs before the
        batch's waits): nothing a batch's size to allocate and fault in. Only a hint: -1
        (nothing done) for a batch of 2**30 waits or more, or when memory ran out.
        """
        cdef int32_t n = <int32_t> (self.hi - hi0), x, ou, ov
        cdef int32_t* fresh = NULL   # dense: the new ids are used0 + x
        cdef int32_t* nout = self.cyc
        cdef int32_t* nin = self.bwd
        cdef int32_t* csr = <int32_t*> self.sortbuf   # 16 bytes a node: 2 numbers fit
        cdef int64_t nadj = 0
        cdef Py_ssize_t e
        if m >= MAX_LIST:
            return -1
        if not dense:
            fresh = self.fwd
            for e in range(2 * m):
                x = _local(ids, e, hi0, used0, dense, self.hot)
                if x >= 0:
                    fresh[x] = ids[e]
        memset(nout, 0, <size_t> n * sizeof(int32_t))
        memset(nin, 0, <size_t> n * sizeof(int32_t))
        memset(csr, 0, 2 * (<size_t> n + 1) * sizeof(int32_t))
        for e in range(m):
            ou = _local(ids, 2 * e, hi0, used0, dense, self.hot)
            ov = _local(ids, 2 * e + 1, hi0, used0, dense, self.hot)
            if ou >= 0:
                nout[ou] += 1
            if ov >= 0:
                nin[ov] += 1
                if ou >= 0 and ou != ov:
                    csr[2 * ou] += 1
                    nadj += 1
        if self._size_new(nout, nin, fresh, n, used0) < 0:
            return -1
        if n < 2:
            return 0
        return self._place_new(ids, m, hi0, used0, dense, fresh, n, csr, nadj)

    @cython.final
    cdef int _size_new(self, const int32_t* nout, const int32_t* nin, const int32_t* fresh,
                       int32_t n, int32_t used0) noexcept nogil:
        """Give each new process lists that hold its ``nout`` and ``nin`` waits of the batch
        (-1 when memory ran out: the flush grows them, or reports it)."""
        cdef int32_t x
        cdef Node* a
        cdef size_t nouts = 0, nins = 0
        for x in range(n):
            a = &self.nodes[used0 + x if fresh == NULL else fresh[x]]
            if a.nout + nout[x] > a.cout:
                nouts += <size_t> (a.nout + nout[x])
            if a.nin + nin[x] > a.cin:
                nins += <size_t> (a.nin + nin[x])
        if (_pool_reserve(&self.outs, nouts * sizeof(OutE)) < 0
                or _pool_reserve(&self.ins, nins * sizeof(InE)) < 0):
            return -1
        for x in range(n):
            a = &self.nodes[used0 + x if fresh == NULL else fresh[x]]
            if (_pool_exact(&self.outs, <void**> &a.out, &a.cout, a.nout, a.nout + nout[x]) < 0
                    or _pool_exact(&self.ins, <void**> &a.inn, &a.cin, a.nin,
                                   a.nin + nin[x]) < 0):
                return -1
        return 0

    @cython.final
    cdef int _place_new(self, const int32_t* ids, Py_ssize_t m, int64_t hi0, int32_t used0,
                        bint dense, const int32_t* fresh, int32_t n, int32_t* csr,
                        int64_t nadj) noexcept nogil:
        """Give the ``n`` new processes the positions ``hi0 + 1 ..= hi0 + n`` they hold in a
        topological order of the batch's waits among them.

        A process with no edge constrains nothing, so any free position will do; this one
        makes the batch's waits agree with the order (a cycle is broken anywhere: positions
        are only a hint). Which waits close a cycle depends on reachability alone, so the
        answers are those of one by one; what changes is that a batch along a hidden order
        takes the O(1) path instead of the ends trick or a search. The order: reverse
        postorder of a depth-first search over the batch's waits among new processes, in CSR
        form: ``csr[2x]`` (counted by the caller) becomes where ``x``'s targets begin in
        ``adj``, ``csr[2x + 1]`` the search's cursor (-1: not visited), side by side so that
        visiting a node is one cache miss. -1 (positions unchanged) when memory ran out.
        """
        cdef int32_t* stk = self.stack
        cdef int32_t* adj = <int32_t*> self.sorttmp   # 16 bytes a node: 4 targets
        cdef int32_t i, j, x, w, sp, f = 0, ou, ov, k = 0
        cdef Hot* P = self.hot
        cdef Py_ssize_t e
        if nadj > 4 * <int64_t> self.cap:
            adj = <int32_t*> malloc(<size_t> nadj * sizeof(int32_t))
            if adj == NULL:
                return -1
        for i in range(n):   # csr[2i] = where i's targets end
            k += csr[2 * i]
            csr[2 * i] = k
            csr[2 * i + 1] = -1
        csr[2 * n] = k
        e = m
        while e > 0:         # fill from the ends: csr[2i] = where they begin
            e -= 1
            ou = _local(ids, 2 * e, hi0, used0, dense, P)
            ov = _local(ids, 2 * e + 1, hi0, used0, dense, P)
            if ou >= 0 and ov >= 0 and ou != ov:
                csr[2 * ou] -= 1
                adj[csr[2 * ou]] = ov
        for i in range(n):
            if csr[2 * i + 1] >= 0:
                continue
            csr[2 * i + 1] = csr[2 * i]
            stk[0] = i
            sp = 1
            while sp:
                x = stk[sp - 1]
                k = csr[2 * x + 1]
                if k == csr[2 * x]:   # x's first turn: fetch all its targets' marks at once
                    for j in range(k, csr[2 * x + 2]):
                        prefetch(&csr[2 * adj[j]])
                if k < csr[2 * x + 2]:
                    w = adj[k]
                    csr[2 * x + 1] = k + 1
                    if csr[2 * w + 1] < 0:
                        csr[2 * w + 1] = csr[2 * w]
                        prefetch(&adj[csr[2 * w]])
                        stk[sp] = w
                        sp += 1
                else:           # finished: after everything it waits for
                    sp -= 1
                    P[used0 + x if fresh == NULL else fresh[x]].ord = hi0 + n - f
                    f += 1
        if adj != <int32_t*> self.sorttmp:
            free(adj)
        return 0

    @cython.final
    cdef int32_t _known(self, object label, str name) except -2:
        cdef int32_t i = self._id(label, False, name)
        if i < 0:
            raise ValueError(f"{name} = {label!r}: no such process in the wait-for graph")
        return i

    def remove_wait(self, waiter, holder):
        """Forget that ``waiter`` waits for ``holder`` (it got the lock or gave up)."""
        cdef int32_t u = self._known(waiter, "waiter")
        cdef int32_t v = self._known(holder, "holder")
        cdef int32_t k, n = 0
        cdef bint in_d
        self._flushed()
        k = self._find(u, v)
        if k < 0:
            raise ValueError(f"{waiter!r} does not wait for {holder!r}: no such wait to remove")
        in_d = self.nodes[u].out[k].back >= 0
        if in_d and self.naside:
            n = self._candidates(self.hot[u].ord, self.hot[v].ord)
            if n < 0:
                raise MemoryError("no memory to retry the waits set aside")
        self._unlink(u, k)
        if n:
            self._retry(n)

    def remove(self, process):
        """Remove ``process`` (it finished or was aborted) and every wait to or from it."""
        cdef int32_t p = self._known(process, "process")
        cdef Node* N = self.nodes
        cdef int32_t n = 0
        cdef int64_t at = self.hot[p].ord
        self._flushed()
        if self.naside and (self.hot[p].nout_d or self.hot[p].nin_d):
            n = self._candidates(at, at)
            if n < 0:
                raise MemoryError("no memory to retry the waits set aside")
        while N[p].nout:
            self._unlink(p, N[p].nout - 1)
        while N[p].nin:
            self._unlink(N[p].inn[N[p].nin - 1].frm, _at(N[p].inn[N[p].nin - 1].back))
        if n:
            self._retry(n)
        self.alive[p] = 0
        if self.keys[p] < 0 or self.dict_ints:
            self._ids.pop(self._label(p), None)
        if self.keys[p] >= 0:
            self.cache[self.keys[p]] = -1
        self._labels[p] = None
        self.free_ids[self.nfree] = p
        self.nfree += 1
        self.nalive -= 1

    def waits_of(self, process):
        """The processes ``process`` waits for, in the order the waits were added (roughly)."""
        cdef int32_t p = self._known(process, "process")
        cdef int32_t k
        cdef Node* node = &self.nodes[p]
        self._flushed()
        return [self._label(node.out[k].to) for k in range(node.nout)]

    def __contains__(self, label):
        try:
            return self._id(label, False, "label") >= 0
        except TypeError:
            return False

    def __len__(self):
        return self.nalive

    def __iter__(self):
        return iter(self._label_list(alive=True))

    @property
    def _work(self):
        return self.work

    @property
    def _pending(self):
        """Waits logged but not yet in the lists (for the tests of the deferred path)."""
        return self.nlog

    @property
    def n_waits(self):
        """How many waits the graph holds."""
        self._flushed()
        return self.nedges

    def edges(self):
        """Every wait as a ``(waiter, holder)`` pair of labels."""
        cdef int32_t i, k
        cdef Node* node
        self._flushed()
        labels = self._label_list()
        out = []
        for i in range(self.used):
            node = &self.nodes[i]
            if not self.alive[i]:
                continue
            for k in range(node.nout):
                out.append((labels[i], labels[node.out[k].to]))
        return out

    def _arrays(self):
        """``(src, dst, stamp)`` over ids, in ``edges()`` order; and ``first``: the ids in
        order of first appearance in ``src[0], dst[0], src[1], ...`` (``detect_graph``'s ids),
        with ``rank`` mapping an id to its position there (-1: no edge)."""
        cdef int64_t m, e = 0
        cdef int32_t i, k, nfirst = 0
        cdef Node* node
        self._flushed()
        m = self.nedges
        src_a = np.empty(m, dtype=np.int32)
        dst_a = np.empty(m, dtype=np.int32)
        stamp_a = np.empty(m, dtype=np.int64)
        rank_a = np.full(self.used, -1, dtype=np.int32)
        first_a = np.empty(self.used, dtype=np.int32)
        cdef int32_t[::1] src = src_a
        cdef int32_t[::1] dst = dst_a
        cdef int64_t[::1] stamp = stamp_a
        cdef int32_t[::1] rank = rank_a
        cdef int32_t[::1] first = first_a
        for i in range(self.used):
            node = &self.nodes[i]
            if not self.alive[i]:
                continue
            for k in range(node.nout):
                src[e] = i
                dst[e] = node.out[k].to
                stamp[e] = node.out[k].stamp
                if rank[i] < 0:
                    rank[i] = nfirst
                    first[nfirst] = i
                    nfirst += 1
                if rank[dst[e]] < 0:
                    rank[dst[e]] = nfirst
                    first[nfirst] = dst[e]
                    nfirst += 1
                e += 1
        return src_a, dst_a, stamp_a, first_a[:nfirst].copy(), rank_a

    def _aside_edges(self):
        """The waits set aside (each closed a cycle when added), in the order set aside."""
        return [(self._label(self.aside[2 * t]), self._label(self.aside[2 * t + 1]))
                for t in range(self.naside)]

    def _label_list(self, bint alive=False):
        """Every id's label (None for a free id), or with ``alive`` the live processes'."""
        cdef int32_t i
        if alive:
            return [self._label(i) for i in range(self.used) if self.alive[i]]
        return [self._label(i) for i in range(self.used)]

    def _copy_into(self, WaitCore other):
        """Make ``other`` (a fresh graph) an independent copy of this one."""
        cdef int32_t i
        cdef Node* a
        cdef Node* b
        self._flushed()
        other._free_all()
        other._reserve(self.cap if self.cap else 1)
        memcpy(other.nodes, self.nodes, <size_t> self.used * sizeof(Node))
        memcpy(other.keys, self.keys, <size_t> self.used * sizeof(int64_t))
        memcpy(other.alive, self.alive, <size_t> self.used * sizeof(uint8_t))
        memcpy(other.hot, self.hot, <size_t> self.used * sizeof(Hot))
        memcpy(other.seen, self.seen, <size_t> self.used * sizeof(int64_t))
        for i in range(self.used):
            a = &self.nodes[i]
            b = &other.nodes[i]
            b.out = NULL
            b.inn = NULL
            b.cout = b.cin = 0
            if _pool_grow(&other.outs, <void**> &b.out, &b.cout, 0, a.nout) < 0 or \
                    _pool_grow(&other.ins, <void**> &b.inn, &b.cin, 0, a.nin) < 0:
                other.used = i + 1
                raise MemoryError("no memory to copy the graph")
            if a.nout:
                memcpy(b.out, a.out, <size_t> a.nout * sizeof(OutE))
            if a.nin:
                memcpy(b.inn, a.inn, <size_t> a.nin * sizeof(InE))
        other.used = self.used
        other.nalive = self.nalive
        if self.nfree:
            memcpy(other.free_ids, self.free_ids, <size_t> self.nfree * sizeof(int32_t))
        other.nfree = self.nfree
        other.lo, other.hi, other.clock = self.lo, self.hi, self.clock
        other.epoch, other.nedges = self.epoch, self.nedges
        if _grow(<void**> &other.aside, &other.caside, 2 * self.naside, sizeof(int32_t)) < 0:
            raise MemoryError("no memory to copy the graph")
        if self.naside:
            memcpy(other.aside, self.aside, <size_t> self.naside * 2 * sizeof(int32_t))
        other.naside = self.naside
        if self.ncache:
            other.cache = <int32_t*> big_alloc(<size_t> self.ncache * sizeof(int32_t), 0)
            if other.cache == NULL:
                raise MemoryError("no memory to copy the graph")
            memcpy(other.cache, self.cache, <size_t> self.ncache * sizeof(int32_t))
        other.ncache = self.ncache
        other.dict_ints = self.dict_ints
        other._labels = self._labels[:other.cap]
        other._labels.extend([None] * (other.cap - len(other._labels)))
        other._ids = dict(self._ids)


def components(const int32_t[::1] indptr, const int32_t[::1] indices):
    """Strongly connected component ids (``comp[v]``) of a CSR graph: iterative Tarjan, O(V + E).

    Trusts well-formed int32 CSR arrays (every index in ``range(n)``). Scratch: 5V integers.
    """
    cdef int32_t n = indptr.shape[0] - 1
    comp_a = np.full(n, -1, dtype=np.int32)
    cdef int32_t[::1] comp = comp_a
    if n <= 0:
        return comp_a
    index_a = np.full(n, -1, dtype=np.int32)
    low_a = np.empty(n, dtype=np.int32)
    path_a = np.empty(n, dtype=np.int32)
    cursor_a = np.empty(n, dtype=np.int32)
    stack_a = np.empty(n, dtype=np.int32)
    cdef int32_t[::1] index = index_a
    cdef int32_t[::1] low = low_a
    cdef int32_t[::1] path = path_a
    cdef int32_t[::1] cursor = cursor_a
    cdef int32_t[::1] stack = stack_a
    cdef int32_t counter = 0, ncomp = 0, top, sp = 0, s, v, w, e, u
    cdef uint8_t descended
    with nogil:
        for s in range(n):
            if index[s] >= 0:
                continue
            top = 0
            path[0] = s
            cursor[0] = indptr[s]
            index[s] = low[s] = counter
            counter += 1
            stack[sp] = s
            sp += 1
            while top >= 0:
                v = path[top]
                e = cursor[top]
                descended = 0
                while e < indptr[v + 1]:
                    w = indices[e]
                    e += 1
                    if index[w] < 0:
                        cursor[top] = e
                        top += 1
                        path[top] = w
                        cursor[top] = indptr[w]
                        index[w] = low[w] = counter
                        counter += 1
                        stack[sp] = w
                        sp += 1
                        descended = 1
                        break
                    if comp[w] < 0 and index[w] < low[v]:
                        low[v] = index[w]
                if descended:
                    continue
                top -= 1
                if low[v] == index[v]:
                    while True:
                        sp -= 1
                        u = stack[sp]
                        comp[u] = ncomp
                        if u == v:
                            break
                    ncomp += 1
                if top >= 0:
                    u = path[top]
                    if low[v] < low[u]:
                        low[u] = low[v]
    return comp_a


# --- Banker's algorithm, one request at a time ----------------------------------------------

cdef class BankerCore:
    """A Banker's state kept between requests (``banker.Banker`` is the public face).

    Holds ``A`` (m), ``C`` and ``need`` (n x m, int64, C-contiguous, owned: never the
    caller's) and, while the state is known to be safe, a safe sequence ``seq`` of the live
    processes with ``pos[p]`` its position in it. A grant of ``v`` to process ``i`` keeps the
    sequence valid iff every process before ``i`` in it still fits when ``v`` fewer units
    are free (from ``i`` on, ``i`` returns the ``v`` units when it finishes, so nothing
    changes): O(pos[i] m) instead of a full check. A release or a finish keeps it valid.
    """

    cdef public object _A, _C, _need, _seq, _pos, _done, _req, _work
    cdef int64_t[::1] A
    cdef int64_t[:, ::1] C
    cdef int64_t[:, ::1] need
    cdef int64_t[::1] seq
    cdef int64_t[::1] pos
    cdef uint8_t[::1] done
    cdef int64_t[::1] req
    cdef int64_t[::1] work
    cdef public Py_ssize_t n, m, nseq
    cdef public bint seq_ok

    def _load(self, A, C, need, done):
        """Adopt the (owned, checked) arrays; the safe sequence is unknown until ``_check``."""
        self._A, self._C, self._need, self._done = A, C, need, done
        self.A, self.C, self.need, self.done = A, C, need, done
        self.n, self.m = C.shape[0], C.shape[1]
        self._req = np.zeros(self.m, dtype=np.int64)
        self._work = np.zeros(self.m, dtype=np.int64)
        self.req, self.work = self._req, self._work
        self._seq = np.zeros(self.n, dtype=np.int64)
        self._pos = np.zeros(self.n, dtype=np.int64)
        self.seq, self.pos = self._seq, self._pos
        self.nseq = 0
        self.seq_ok = False

    def _set_sequence(self, order):
        """Record a safe order (process ids; finished ones are skipped)."""
        cdef const int64_t[::1] o = np.ascontiguousarray(order, dtype=np.int64)
        cdef Py_ssize_t k, p
        self.nseq = 0
        for k in range(o.shape[0]):
            p = o[k]
            if not self.done[p]:
                self.seq[self.nseq] = p
                self.pos[p] = self.nseq
                self.nseq += 1
        self.seq_ok = True

    def _sequence(self):
        return self._seq[: self.nseq].tolist()

    cdef int _read(self, object values) except -1:
        """``values`` into ``req``: 1 on the fast path (a list or tuple of m small ints)."""
        cdef Py_ssize_t j
        cdef int overflow = 0
        cdef long long x
        if (type(values) is list or type(values) is tuple) and len(values) == self.m:
            for j in range(self.m):
                item = values[j]
                if not PyLong_CheckExact(item):
                    return 0
                x = PyLong_AsLongLongAndOverflow(item, &overflow)
                if overflow or x < 0:
                    return 0
                self.req[j] = x
            return 1
        return 0

    cdef bint _prefix_fits(self, Py_ssize_t i) noexcept nogil:
        """Does the safe sequence survive ``req`` fewer free units before process ``i``?"""
        cdef Py_ssize_t k, j, p, stop = self.pos[i]
        for j in range(self.m):
            self.work[j] = self.A[j] - self.req[j]
        for k in range(stop):
            p = self.seq[k]
            for j in range(self.m):
                if self.need[p, j] > self.work[j]:
                    return False
            for j in range(self.m):
                self.work[j] += self.C[p, j]
        return True

    cdef void _move(self, Py_ssize_t i, int sign) noexcept nogil:
        """Grant (``sign`` 1) or take back (-1) ``req`` for process ``i``."""
        cdef Py_ssize_t j
        cdef int64_t v
        for j in range(self.m):
            v = sign * self.req[j]
            self.A[j] -= v
            self.C[i, j] += v
            self.need[i, j] -= v

    def _try(self, Py_ssize_t i, bint fast):
        """Grant ``req`` to ``i`` if the state stays safe (``req`` already within need).

        Returns True (granted) or False (unchanged).
        """
        cdef Py_ssize_t j
        for j in range(self.m):
            if self.req[j] > self.A[j]:
                return False
        if self.seq_ok and self._prefix_fits(i):
            self._move(i, 1)
            return True
        self._move(i, 1)
        order = np.empty(self.n, dtype=np.int64)
        finished = _matrix.detect(self._C, self._need, self._A.copy(), order)
        if finished == self.n:
            self._set_sequence(order[:finished])
            return True
        self._move(i, -1)
        return False

    def _fast_request(self, Py_ssize_t i, values):
        """The whole request on the fast path; None when the wrapper must check ``values``."""
        cdef Py_ssize_t j
        if not self._read(values):
            return None
        for j in range(self.m):
            if self.req[j] > self.need[i, j]:
                return None
        return self._try(i, True)

    def _load_request(self, values):
        """A checked int64 vector into ``req``."""
        cdef const int64_t[::1] v = values
        cdef Py_ssize_t j
        for j in range(self.m):
            self.req[j] = v[j]
