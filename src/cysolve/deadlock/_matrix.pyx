"""The matrix algorithm for deadlock detection, compiled (Tanenbaum, MOS section 6.4.2).

Contract trusted here (``cysolve.deadlock.matrix`` and ``cysolve._validate`` check it first):
every array is C-contiguous native int64, all counts are non-negative, shapes agree, and
``A[j] + sum(C[:, j])`` fits in int64 for every resource type ``j`` (so ``A`` never overflows
while processes finish). Nothing here raises except ``MemoryError``.

The algorithm
-------------
The textbook repeatedly scans for an unmarked process with ``R[i] <= A`` and then does
``A += C[i]``: O(n^2 m) on a chain. Here:

1. *Sweeps*: walk the list of live processes, finish every one whose request fits now
   (``A`` grows at once, so later processes in the same sweep profit), compact the list.
   Each process remembers ``pos[i]``, its first unsatisfied resource type: types before it
   stay satisfied because ``A`` only grows, so a scan resumes there. Sweeping continues
   while a sweep still finishes at least a quarter of the live processes (cheap on easy
   inputs; the work is geometric).
2. *Watches*: every live process waits in a binary min-heap for its first unsatisfied type
   ``j``, keyed by ``R[i][j]``. When a process finishes, each type ``j`` it returns units of
   has its heap drained down to the new ``A[j]``; a popped process resumes its scan at
   ``j + 1`` and either becomes ready or waits in the heap of its next unsatisfied type.
   Every ``R`` entry is read at most once here, every ``C`` row once: O(nm + H log n) for H
   heap operations (H <= nm).

The deadlocked set is unique (finishing only ever grows ``A``); the finishing order is one of
many valid ones: each process's request fits in ``A`` at the moment it was found ready, and
``A`` only grows until its turn.

Storage: the live list, ``pos`` and a ready stack (3n int64), plus m heaps of (key, process)
pairs holding at most n entries in all at any time.
"""

from cython.parallel cimport prange, threadid
from libc.stdint cimport int64_t
from libc.stdlib cimport free, malloc, realloc


cdef enum:
    # Spare bytes at the end of every scratch block, so the blocks of different threads
    # (malloc puts them side by side) never share a cache line: no false sharing in batches.
    PAD = 128


cdef struct Entry:
    int64_t key
    int64_t proc


cdef struct Heap:
    Entry* data
    Py_ssize_t size
    Py_ssize_t cap


cdef struct Work:
    # Scratch for one system of at most n processes and m resource types.
    int64_t* live
    int64_t* pos
    int64_t* ready
    Heap* heaps
    Py_ssize_t m


# --- scratch ----------------------------------------------------------------------------------

cdef int work_init(Work* w, Py_ssize_t n, Py_ssize_t m, Py_ssize_t heap_cap) noexcept nogil:
    """Allocate scratch; heaps start with ``heap_cap`` slots each (they grow when needed).

    Returns 0, or -1 when memory ran out (whatever was allocated is freed by ``work_free``).
    """
    cdef Py_ssize_t j
    cdef size_t cells = <size_t>n * sizeof(int64_t) + PAD
    w.m = 0
    w.heaps = NULL
    w.live = <int64_t*>malloc(cells)
    w.pos = <int64_t*>malloc(cells)
    w.ready = <int64_t*>malloc(cells)
    if w.live == NULL or w.pos == NULL or w.ready == NULL:
        return -1
    w.heaps = <Heap*>malloc(<size_t>m * sizeof(Heap) + PAD)
    if w.heaps == NULL:
        return -1
    w.m = m
    for j in range(m):
        w.heaps[j].size = 0
        w.heaps[j].cap = 0
        w.heaps[j].data = NULL
    if heap_cap > 0:
        for j in range(m):
            w.heaps[j].data = <Entry*>malloc(<size_t>heap_cap * sizeof(Entry) + PAD)
            if w.heaps[j].data == NULL:
                return -1
            w.heaps[j].cap = heap_cap
    return 0


cdef void work_free(Work* w) noexcept nogil:
    cdef Py_ssize_t j
    if w.heaps != NULL:
        for j in range(w.m):
            free(w.heaps[j].data)
        free(w.heaps)
    free(w.live)
    free(w.pos)
    free(w.ready)
    w.heaps = NULL
    w.live = NULL
    w.pos = NULL
    w.ready = NULL
    w.m = 0


# --- a binary min-heap of (key, process) ------------------------------------------------------

cdef inline int heap_push(Heap* h, int64_t key, int64_t proc) noexcept nogil:
    """Insert; keeps ``data[parent].key <= data[child].key``. Returns -1 when out of memory."""
    cdef Py_ssize_t i, parent, cap
    cdef Entry* grown
    if h.size == h.cap:
        cap = 2 * h.cap if h.cap > 0 else 16
        grown = <Entry*>realloc(h.data, <size_t>cap * sizeof(Entry) + PAD)
        if grown == NULL:
            return -1
        h.data = grown
        h.cap = cap
    i = h.size
    h.size += 1
    while i > 0:
        parent = (i - 1) >> 1
        if h.data[parent].key <= key:
            break
        h.data[i] = h.data[parent]
        i = parent
    h.data[i].key = key
    h.data[i].proc = proc
    return 0


cdef inline int64_t heap_pop(Heap* h) noexcept nogil:
    """Remove the smallest key (the heap is not empty) and return its process."""
    cdef int64_t top = h.data[0].proc
    cdef Entry last
    cdef Py_ssize_t i = 0, child, size
    h.size -= 1
    size = h.size
    if size == 0:
        return top
    last = h.data[size]
    while True:
        child = 2 * i + 1
        if child >= size:
            break
        if child + 1 < size and h.data[child + 1].key < h.data[child].key:
            child += 1
        if last.key <= h.data[child].key:
            break
        h.data[i] = h.data[child]
        i = child
    h.data[i] = last
    return top


# --- the solver -------------------------------------------------------------------------------

cdef inline Py_ssize_t first_short(const int64_t* row, const int64_t* A, Py_ssize_t j,
                                   Py_ssize_t m) noexcept nogil:
    """The first resource type at or after ``j`` that ``row`` asks more of than ``A`` has (m: none).

    A only grows, so types before ``j`` that were satisfied stay satisfied.
    """
    while j < m and row[j] <= A[j]:
        j += 1
    return j


cdef Py_ssize_t solve(const int64_t* C, const int64_t* R, int64_t* A,
                      Py_ssize_t n, Py_ssize_t m, int64_t* order, Work* w) noexcept nogil:
    """Finish every process that can finish; return how many did, or -1 when out of memory.

    ``C`` and ``R`` are n x m row-major, ``A`` (m) is updated in place to the final available
    vector, and ``order[:returned]`` receives a valid finishing order.
    """
    cdef int64_t* live = w.live
    cdef int64_t* pos = w.pos
    cdef int64_t* ready = w.ready
    cdef Heap* heaps = w.heaps
    cdef Py_ssize_t i, j, t, p, nlive, kept, before = n, done = 0, top = 0
    cdef const int64_t* row
    cdef const int64_t* crow

    if n == 0:
        return 0
    if m == 0:
        # Nothing is requested: everybody finishes, in index order.
        for i in range(n):
            order[i] = i
        return n
    for i in range(n):
        live[i] = i
        pos[i] = 0
    nlive = n

    # Phase 1: sweeps, while they still pay.
    while nlive > 0:
        before = nlive
        kept = 0
        for t in range(nlive):
            i = live[t]
            row = R + i * m
            j = first_short(row, A, pos[i], m)
            if j == m:
                crow = C + i * m
                for j in range(m):
                    A[j] += crow[j]
                order[done] = i
                done += 1
            else:
                pos[i] = j
                live[kept] = i
                kept += 1
        nlive = kept
        if (before - nlive) * 4 < before:
            break
    if nlive == 0 or before == nlive:
        return done

    # Phase 2: watches. Seat every live process in the heap of its first unsatisfied type.
    for j in range(m):
        heaps[j].size = 0
    for t in range(nlive):
        i = live[t]
        row = R + i * m
        j = first_short(row, A, pos[i], m)
        if j == m:
            ready[top] = i
            top += 1
        elif heap_push(&heaps[j], row[j], i) < 0:
            return -1

    while top > 0:
        top -= 1
        i = ready[top]
        crow = C + i * m
        for j in range(m):
            A[j] += crow[j]
        order[done] = i
        done += 1
        for j in range(m):
            if crow[j] == 0:
                continue
            # A[j] grew: wake every process waiting for no more than A[j] units of j.
            while heaps[j].size > 0 and heaps[j].data[0].key <= A[j]:
                p = heap_pop(&heaps[j])
                row = R + p * m
                t = first_short(row, A, j + 1, m)
                if t == m:
                    ready[top] = p
                    top += 1
                elif heap_push(&heaps[t], row[t], p) < 0:
                    return -1
    return done


# --- Python entry points ----------------------------------------------------------------------

def detect(const int64_t[:, ::1] allocation, const int64_t[:, ::1] request,
           int64_t[::1] available, int64_t[::1] order):
    """Run the matrix algorithm on one validated system; return how many processes finished.

    Trusts: ``allocation`` and ``request`` are (n, m), ``available`` is (m) and ``order`` is
    (n), all C-contiguous int64, non-negative, and ``available + allocation.sum(0)`` fits in
    int64. ``available`` is overwritten with the final available vector and
    ``order[:returned]`` with a valid finishing order (the rest of ``order`` is untouched).
    """
    cdef Py_ssize_t n = allocation.shape[0], m = allocation.shape[1], done
    cdef Work w
    cdef int status
    cdef const int64_t* cptr = &allocation[0, 0] if n > 0 and m > 0 else NULL
    cdef const int64_t* rptr = &request[0, 0] if n > 0 and m > 0 else NULL
    cdef int64_t* aptr = &available[0] if m > 0 else NULL
    cdef int64_t* optr = &order[0] if n > 0 else NULL
    with nogil:
        status = work_init(&w, n, m, 0)
        if status == 0:
            done = solve(cptr, rptr, aptr, n, m, optr, &w)
        work_free(&w)
    if status != 0 or done < 0:
        raise MemoryError(f"out of memory for the matrix algorithm scratch (n = {n}, m = {m})")
    return done


def detect_batch(const int64_t[:, :, ::1] allocation, const int64_t[:, :, ::1] request,
                 const int64_t[:, ::1] available, unsigned char[:, ::1] deadlocked,
                 int num_threads):
    """Run the matrix algorithm on k validated systems in parallel; fill ``deadlocked``.

    Trusts: shapes (k, n, m), (k, n, m), (k, m) and (k, n) (``deadlocked`` is a writable
    uint8 buffer), contiguous int64 input as in ``detect``, ``num_threads >= 1``.
    ``deadlocked[s, i]`` becomes 1 when process i of system s is deadlocked, else 0.
    Systems are handed to threads dynamically, in chunks; each thread owns one scratch block,
    sized for (n, m) before the parallel region. Its heaps start with min(n, 256) slots, so
    small systems never allocate inside the region; a heap that needs more grows (realloc)
    and keeps its size for the thread's later systems. Memory stays O(n + m) per thread
    unless systems really queue more than 256 processes on one resource type.
    """
    cdef Py_ssize_t k = allocation.shape[0], n = allocation.shape[1], m = allocation.shape[2]
    cdef Py_ssize_t s, i, t, done, tid
    cdef int nthreads = num_threads if num_threads > 0 else 1
    cdef int failed = 0
    cdef Work* works
    cdef Work* w
    cdef int64_t* scratch
    cdef int64_t* A
    cdef int64_t* order
    cdef Py_ssize_t stride = n + m + PAD // sizeof(int64_t)
    # Chunks of consecutive systems: fewer trips to the shared counter, and threads write
    # far-apart rows of ``deadlocked`` (a row is only n bytes) instead of neighbouring ones.
    cdef Py_ssize_t chunk = min(64, max(1, k // (8 * num_threads if num_threads > 0 else 8)))
    if k == 0 or n == 0:
        return
    if nthreads > k:
        nthreads = <int>k
    works = <Work*>malloc(nthreads * sizeof(Work))
    # Per thread: a copy of A (m) and an order buffer (n), then padding.
    scratch = <int64_t*>malloc(<size_t>nthreads * <size_t>stride * sizeof(int64_t))
    if works == NULL or scratch == NULL:
        free(works)
        free(scratch)
        raise MemoryError("out of memory for the batch scratch")
    for t in range(nthreads):
        works[t].live = NULL
        works[t].pos = NULL
        works[t].ready = NULL
        works[t].heaps = NULL
        works[t].m = 0
    try:
        with nogil:
            for t in range(nthreads):
                if work_init(&works[t], n, m, min(n, 256)) != 0:
                    failed = 1
            if not failed:
                for s in prange(k, schedule="dynamic", chunksize=chunk,
                                num_threads=nthreads):
                    tid = threadid()
                    w = &works[tid]
                    A = scratch + tid * stride
                    order = A + m
                    for i in range(m):
                        A[i] = available[s, i]
                    if m > 0:
                        done = solve(&allocation[s, 0, 0], &request[s, 0, 0], A, n, m, order, w)
                    else:
                        done = solve(NULL, NULL, A, n, m, order, w)
                    if done < 0:
                        failed += 1  # a reduction: inside prange, += is the safe write
                        done = 0
                    for i in range(n):
                        deadlocked[s, i] = 1
                    for i in range(done):
                        deadlocked[s, order[i]] = 0
    finally:
        for t in range(nthreads):
            work_free(&works[t])
        free(works)
        free(scratch)
    if failed:
        raise MemoryError("out of memory for the batch scratch")
