"""The matrix algorithm for deadlock detection, compiled (Tanenbaum, MOS section 6.4.2).

Contract trusted here (``cysolve.deadlock.matrix`` and ``cysolve.deadlock._inputs`` check it
first): every array is C-contiguous native int64, all counts are non-negative, shapes agree,
and ``A[j] + sum(C[:, j])`` fits in int64 for every resource type ``j`` (so ``A`` never
overflows while processes finish). Nothing here raises except ``MemoryError``.

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
2. *Watches*: every live process waits for one unsatisfied type ``j``, keyed by
   ``R[i][j]``. When a process finishes, each type ``j`` it returns units of releases every
   watcher whose key is now at most ``A[j]``; a released process rescans its row from its
   first unsatisfied type and either becomes ready or watches again. *Which type*
   (``watch_type``): the one likely met last, i.e. whose shortfall ``R[i][j] - A[j]`` is the
   largest share of what the waiting processes held of j when the watches began (under
   steady releases, the share says how many finishes away j is). Watching the first
   unsatisfied type instead moves a process about ``ln m + 0.6`` times on random systems
   (the record values of the order in which its types are met) and m times on the
   staircase of ``cysolve.bench.inputs``; weighed, 1.6 and 2.4 times (simulated, hidden
   order and staircase 10,000 x 100). A guess weighs the rest of the row, so a process
   gets ``GUESSES = 2`` of them and then watches its first unsatisfied type, its scans
   resuming where they stopped (deadlocked hoarders make every guess fail:
   ``hoarder_staircase_system``): O(nm) row reading in all, ``W <= nm`` watches.
   *Narrowing* (``key_span``): units that are held but never released (deadlocked hoarders)
   make ``sum(C[live, j])`` far larger than any request and the weights lie (the hoarded
   types look near). When the bucket queues would be too wide, a sample of 256 request rows
   tells whether the requests span less than a quarter of what is held for some type; if
   so, one branch-free pass over the rows replaces ``A[j] + sum(C[live, j])`` by the largest
   request that can still be met (``last[j]``: larger keys are hopeless as before) for the
   buckets' span and the weights. The watchers of a type wait in one of three monotone
   priority queues (``A[j]`` only grows, so a queue only ever releases its smallest keys):

   - *bucket queues* (Holt's per-type lists, bucketed instead of sorted): a key ``k`` of
     type ``j`` goes to bucket ``(k - A[j] - 1) >> s_j`` of an array covering the units
     that can still be released, ``sum(C[live, j])``, with the smallest shift ``s_j`` that
     keeps the array under ``max(L / 4, 64)`` buckets (L: processes still waiting after
     the sweeps). A bucket is an intrusive linked list (one link a process: it watches one
     type at a time) with its smallest key; a bitmap marks the non-empty buckets, and
     ``thr[j]``, the smallest key waiting on ``j``, gates everything: a finish adds its
     ``C`` row to ``A`` and compares ``A`` with ``thr`` in one branch-free, vectorised pass,
     and only the types whose ``thr`` is met are drained - whole buckets at or below
     ``A[j]`` without looking at keys, the one ``A[j]`` falls inside by key. The released
     processes, their request rows prefetched, are re-seated ``SEAT_DELAY = 3`` finishes
     later (sooner, oldest first, when the ready stack runs dry), so the rows have arrived
     when they are read. Seating at once is all the staircase ever does (each finish wakes
     the one process that becomes ready), so with rows of at most ``LOOKAHEAD_MAX_M = 16``
     types a drain also looks ahead in key order: a type's next buckets hold the processes
     the next finishes wake, and ``lookahead`` prefetches the rows of the next
     ``LOOKAHEAD = 8`` non-empty ones once (each bucket walked once more: O(W) in all).
     Thread CPU against main, 100,000 x 10: staircase 0.77-0.81x, hoarder staircase
     0.80-0.84x, hidden order 0.87-1.02x (round 6B, ``BENCHMARKS.md``).
     O(nm + 2^s W + m L / 4); a key above ``A[j] + sum(C[live, j])`` can never be met and is
     dropped at once (that process is deadlocked).
   - *radix heaps* (Ahuja, Mehlhorn, Orlin and Tarjan 1990), exact for any counts: type j's
     keys wait in 64 linked buckets by the highest bit where they differ from the type's
     base (the ``A[j]`` of its last drain), so every key of bucket t is below every key of
     bucket t + 1. A drain up to ``a`` releases the buckets below ``63 - clz(a ^ base)``
     whole, walks that one (releasing its keys ``<= a``, refiling the others lower) and
     rebases on ``a``: a key moves about log2 of its distance from ``A[j]`` times, at most
     64. Same gate, FIFO and seating as the buckets; 16-byte nodes (64-bit keys). The
     lowest non-empty bucket holds the next key, so with rows of at most 16 types a drain
     prefetches the rows of its first ``RADIX_AHEAD = 2`` processes (the staircase's next).
     O(nm + W log U) for keys spanning U units.
   - *binary min-heaps* of (key, process): O(nm + W log n), whatever the counts (only when
     forced, ``strategy=1``, or with 2^31 processes or more).

   - *Holt's static lists* (only when forced, ``strategy=3``): no moves between queues at
     all. One row-wise pass over the waiting processes files every entry with
     ``R[i][j] > A[j]`` in type j's array, a counting sort orders each array by bucket
     (key >> ``shift[j]``, the smallest shift giving at most one bucket per entry, unsorted
     inside a bucket), and each process counts its unmet types. When ``A[j]`` grows, type
     j's array is walked from its pointer while keys are met (the bucket ``A[j]`` falls
     inside is partitioned, its smallest key left found exactly); a count reaching 0 makes
     its process ready. Every unmet entry is touched a constant number of times, mostly
     sequentially: O(E + 2^s E) for E <= nm entries, whatever the order in which types
     become satisfied, but E is every unmet entry while the watches only see W of them
     (W ~ n (ln m + 0.6) on random systems). Until round 7 the shape rule picked them for
     ``m <= 5`` and 1,024 waiting processes or more (0.47-0.86x the watches' time on chains
     and hidden orders with m = 2..5); against the ranked seats (3. below) they take
     2.0-2.9x the time on hidden orders and staircases of 100,000 x 2..5 and 0.76-0.89x on
     chains (20,000 x 4, 100,000 x 5), so the rule no longer picks them.

   **Shape rule**: the bucket queues whenever every type's shift
   ``s_j <= 5`` (buckets at most 32 units wide: a bucket is scanned at most 32 times while
   ``A[j]`` crosses it, whatever the keys), i.e. when ``sum(C[live, j]) < 32 * max(L / 4,
   64)`` for every ``j`` - allocations averaging up to about 8 units per waiting process
   and type - and n < 2^31 and ``sum(C[live, j]) < 2^31`` (a waiting key is stored in 32
   bits, relative to its type's base), where ``sum(C[live, j])`` is narrowed first when the
   requests span far less (above); otherwise (huge counts, where buckets would be wide
   and a cluster of keys in one of them rescanned again and again) the radix heaps. Measured
   (thread CPU, weighed watches): the buckets take 0.55-0.7x the binary heaps' time on
   hidden-order systems, 0.6x on chains, 0.55-0.85x on the staircase (32-unit buckets there;
   with 16 the rule picked the heaps); the radix heaps 0.70-0.96x the binary heaps' on hidden
   order and staircase systems with counts up to 10^6 a process (narrowing tried and
   refused by the sample), and narrowing takes the hoarder staircase from the binary heaps
   to the buckets at 0.46-0.65x the time (round 5, ``BENCHMARKS.md``). Forced onto the radix
   heaps, the hoarder staircase 10,000 x 100 without narrowing takes 1.5x the binary heaps'
   time (a process moves once per type and finish, and the heaps of one or two keys stay in
   L1 while the radix nodes are scattered); narrowing keeps it off them.

3. *Ranked seats* (``rank_live``, bucket queues and radix heaps, from ``RANK_MIN = 64``
   waiting processes on): the processes are not seated all at once but one at a time, in
   the order of their largest weighed shortfall (the share ``latest_short`` weighs: about
   when, in finishes, each process will be ready), and only when nothing is ready; a
   process that fits is finished at once, so only the ones the order misjudged ever wait.
   On a chain, a staircase or a hidden order the requests give the order away: simulated
   on hidden order 10,000 x 10, 97% of the processes were ready at their turn (with the
   sum of the shares instead of the largest: 56%), on staircases all of them; on hidden order
   10,000 x 100 58%. A counting sort on the shares scaled to 32 bits (``nlive`` buckets)
   and an insertion sort bounded to ``RANK_SHIFTS = 32`` moves an entry: O(nm) to rank.
   The shares can lie: a type that the first finishes release in bulk and that later
   processes ask for at random (``decoy_staircase_system``) makes a random order. So every
   ``max(RANK_MIN, rest / 32)`` seats, when more than 3 in 4 of them failed, the rest is
   ranked again on the weights of that moment (``last`` holds while processes finish,
   ``reweigh``), at most ``2 nlive`` processes ranked again in all. Seats prefetch the rows
   ``RANK_AHEAD = 8`` turns ahead (4 on rows of more than 16 types). Thread CPU against
   round 6, which seated everyone first (round 7, ``BENCHMARKS.md``), 100,000 x 10:
   staircase 0.32-0.39x, hoarder 0.33-0.37x, beggar 0.30-0.35x, hidden order 0.50-0.51x,
   decoy staircase 0.35x; 10,000 x 100: 0.57-0.80x.

*Row passes in AVX2* (``_rowsimd.h``): the wheels are built for baseline x86-64 (SSE2: two
lanes and no 64-bit compare), so on rows of ``AVX2_MIN_M = 32`` types or more, where a CPU
has AVX2 (checked once at import), ``first_short``, ``latest_short``, ``release``, the scan
for opened gates (``next_open``) and narrowing's ``key_max`` call AVX2 versions of their
loops. Each returns exactly what its loop returns (``latest_short`` keeps the first index on
ties, and converts int64 to double correctly rounded), so answers *and* orders are the same
on every CPU. ``avx2(False)`` or ``CYSOLVE_NO_AVX2=1`` forces the portable loops (the tests
run both); other compilers and architectures build the portable loops only.

The deadlocked set is unique (finishing only ever grows ``A``); the finishing order is one of
many valid ones: each process's request fits in ``A`` at the moment it was found ready, and
``A`` only grows until its turn. The structures find different valid orders (the C ceiling
``bench/c/matrix.c`` has the sweeps, narrowing, buckets and radix heaps, not Holt's lists).

Storage: the live list, ``pos`` and a ready stack (3n int64; ``rank_live`` sorts in the ready
stack, ``rel`` and the nodes of the structure not in use); the heaps hold at most n
entries in all at any time; the radix heaps n nodes of 16 bytes and 64 bucket heads a type;
the bucket queues 3n int32, 9m int64, m double,
and at most ``m * max(L / 4, 64)`` buckets of 12 bytes plus one bit each; Holt's lists
``m L + L`` entries of 8 bytes, ``n + L + 2`` int32 and 6m int64.
"""

from cython.parallel cimport prange, threadid
from libc.math cimport INFINITY
from libc.stdint cimport INT64_MAX, int32_t, int64_t, uint32_t, uint64_t
from libc.stdlib cimport free, malloc, realloc
from libc.string cimport memcpy, memmove, memset

from cysolve._bigmem cimport big_alloc, big_free
from cysolve._native cimport clz64, ctz64, prefetch

import os as _os

import numpy as _np

cdef extern from "_rowsimd.h" nogil:
    # AVX2 row passes (``_rowsimd.h``), each returning what the portable loop of its caller
    # returns; called only on rows of at least ``avx2_from`` types.
    bint ROWSIMD_BUILT "CYSOLVE_ROWSIMD_BUILT"
    int rowsimd_cpu_avx2 "cysolve_rowsimd_cpu_avx2"() noexcept
    Py_ssize_t first_short_avx2 "cysolve_first_short_avx2"(
        const int64_t* row, const int64_t* A, Py_ssize_t j, Py_ssize_t m) noexcept
    Py_ssize_t latest_short_avx2 "cysolve_latest_short_avx2"(
        const int64_t* row, const int64_t* A, const double* inv, Py_ssize_t j,
        Py_ssize_t m) noexcept
    void key_max_avx2 "cysolve_key_max_avx2"(
        int64_t* keys, const int64_t* last, const int64_t* R, const int64_t* rows,
        Py_ssize_t count, Py_ssize_t stride, Py_ssize_t m) noexcept
    int64_t release_avx2 "cysolve_release_avx2"(
        int64_t* A, const int64_t* crow, const int64_t* thr, Py_ssize_t m) noexcept
    Py_ssize_t next_open_avx2 "cysolve_next_open_avx2"(
        const int64_t* A, const int64_t* thr, Py_ssize_t j, Py_ssize_t m) noexcept


cdef enum:
    # Spare bytes at the end of every scratch block, so the blocks of different threads
    # (malloc puts them side by side) never share a cache line: no false sharing in batches.
    PAD = 128
    # Bucket queues: at most max(L >> CAP_SHIFT, MIN_BUCKETS) buckets a type, each at most
    # 2^MAX_SHIFT units wide under the shape rule.
    CAP_SHIFT = 2
    MIN_BUCKETS = 64
    MAX_SHIFT = 5
    # ``watch_type``: how many times a process's watch is chosen by weighing its whole row
    # before it falls back to its first unmet type; ``pos`` keeps the count above bit 32.
    GUESSES = 2
    # ``bucket_plan``'s answer when some type's keys span 2^31 units or more: a node's key,
    # stored relative to its type's base in 32 bits, would not fit (the heaps then).
    TOO_WIDE = 63
    # Holt's lists, the bucket queues and the radix heaps name processes in 32-bit links
    # (and ``rel``): from this many processes on only the binary heaps can hold them.
    MAX_LINKED = 2147483647
    # Bucket queues: a process a finish wakes is seated this many finishes later (sooner if
    # the ready stack runs dry), so its request row, prefetched at wake-up, has arrived.
    # Thread CPU against seating at once, hidden order 100,000 x 10 / its growth draw: at 1
    # 0.76-0.87x / 0.78x, at 3 0.78-0.82x / 0.70-0.71x, at 4 0.79x / 0.72x.
    SEAT_DELAY = 3
    # Bucket queues: ``drain`` prefetches the rows of the next LOOKAHEAD non-empty buckets
    # above ``A[j]`` whenever fewer are prefetched, for rows of at most LOOKAHEAD_MAX_M types.
    LOOKAHEAD = 8
    LOOKAHEAD_MAX_M = 16
    # Radix heaps, rows of at most LOOKAHEAD_MAX_M types: a drain prefetches the rows of the
    # first RADIX_AHEAD processes of the lowest non-empty bucket (the next key is there).
    # Thread CPU against none, 100,000 x 10, counts to 10^6: staircase 0.81-0.84x, hidden
    # order 0.99-1.00x; with 4, hidden order 1.09x; every refiled process instead, 1.15-1.19x.
    RADIX_AHEAD = 2
    # ``key_span``: how many request rows a sample reads to tell whether the requests span
    # far less than what the waiting processes hold.
    SPAN_SAMPLE = 256
    # ``rank_live``: from how many waiting processes on they are ranked, and how many places
    # its insertion sort moves an entry at most. Seats in rank order prefetch the rows of
    # the process RANK_AHEAD turns ahead (RANK_AHEAD_WIDE on rows of more than
    # LOOKAHEAD_MAX_M types: a whole row is prefetched, and more lines in flight stall).
    # Thread CPU against 8 for all, 10,000 x 100: 0.88-0.96x; 4, 16, 24 for 100,000 x 10
    # measured the same as 8.
    RANK_MIN = 64
    RANK_SHIFTS = 32
    RANK_AHEAD = 8
    RANK_AHEAD_WIDE = 4
    RANK_WINDOW = 5

# Rows of at least ``avx2_from`` types take the AVX2 row passes of ``_rowsimd.h``;
# ``avx2_from`` is ROWS_NEVER while they are off (no AVX2 in the CPU or the build,
# ``CYSOLVE_NO_AVX2=1`` or ``avx2(False)``). Each pass is a call (a target("avx2")
# function cannot be inlined into baseline code), which short rows do not repay: against
# the portable passes, thread CPU, hidden order / staircase 20,000 x m, AVX2 took
# 1.06-1.07x the time at m = 16, 0.98-1.03x at 24, 0.93-0.97x at 32 and 0.80-0.86x at 64
# (10,000 x 64); at m = 10 1.10x.
cdef enum:
    AVX2_MIN_M = 32
    ROWS_NEVER = 2147483647

cdef Py_ssize_t avx2_from = ROWS_NEVER


def avx2(on=None):
    """Whether the row passes run in AVX2; ``avx2(False)`` forces the portable ones,
    ``avx2(True)`` turns AVX2 back on where the CPU and the build have it (for tests and
    benchmarks: not thread-safe against running kernels). Returns the state now in force.
    """
    global avx2_from
    if on is not None:
        avx2_from = AVX2_MIN_M if on and ROWSIMD_BUILT and rowsimd_cpu_avx2() else ROWS_NEVER
    return avx2_from != ROWS_NEVER


avx2(_os.environ.get("CYSOLVE_NO_AVX2", "") in ("", "0"))


# Which watch structure ``solve`` uses after the sweeps (``detect``'s ``strategy``).
cdef enum:
    AUTO = 0
    HEAPS = 1
    BUCKETS = 2
    HOLT = 3
    RADIX = 4


# The key type of a watch structure's nodes: the bucket queues' 32-bit keys relative to their
# type's base, or the radix heaps' absolute 64-bit ones. ``watch_buckets`` and its seats are
# compiled once for each, and once more for the bucket queues whose drains look ahead
# (``lookahead``, rows of at most LOOKAHEAD_MAX_M types; uint32_t only names that loop): the
# test kept in the shared loop cost the 10,000 x 100 families 4.6% more instructions.
ctypedef fused Key:
    int32_t
    uint32_t
    int64_t

cdef int32_t BUCKET_KEY = 0
cdef uint32_t LOOKAHEAD_KEY = 0
cdef int64_t RADIX_KEY = 0


cdef struct Entry:
    int64_t key
    int64_t proc


cdef struct Heap:
    Entry* data
    Py_ssize_t size
    Py_ssize_t cap


cdef struct Node:
    # A waiting process: the key it waits for, less its type's ``base``, and the next process
    # in its bucket. 8 bytes, so the walks down the buckets touch half the memory that a
    # 64-bit key would make them touch (n = 10^5: 0.8 MB, inside a 1 MB L2).
    int32_t key
    int32_t link


cdef struct RNode:
    # A process waiting in a radix heap: its key (absolute: any count) and the next process in
    # its bucket, side by side so that walking a bucket misses once a process.
    int64_t key
    int64_t link


cdef struct Buckets:
    # Type j's buckets are ``head[off[j] : off[j] + nb[j]]`` (a head is valid only while its
    # bit in ``bits[woff[j]:]`` is set); bucket t holds keys ``base[j] + (t << shift[j])`` ..
    # of width ``1 << shift[j]``. ``thr[j]`` is the smallest key waiting on j (INT64_MAX:
    # none), so ``A[j] < thr[j]`` between finishes; keys above ``last[j]`` are hopeless.
    int32_t* head
    int64_t* low      # per bucket: its smallest key (valid with its head)
    uint64_t* bits
    Py_ssize_t head_cap
    Py_ssize_t bits_cap
    Node* node        # n
    int32_t* rel      # n: processes released by one finish
    int64_t* base     # m, and the eight m-arrays after it and ``inv`` in one block
    int64_t* last
    int64_t* off
    int64_t* woff
    int64_t* nb
    int64_t* shift
    int64_t* thr
    int64_t* count    # m: how many processes wait on type j
    int64_t* ahead    # m: type j's buckets below this one had their rows prefetched
    double* inv       # m: 1 / what the waiting processes hold of j (inf: none): the weights
    int64_t* pos      # Work.pos (n), read by ``watch_type``
    RNode* rnode      # n: the radix heaps' nodes


cdef struct Work:
    # Scratch for one system of at most n processes and m resource types.
    int64_t* live
    int64_t* pos
    int64_t* ready
    Heap* heaps
    Buckets b
    Py_ssize_t m


# --- scratch ----------------------------------------------------------------------------------

cdef inline Py_ssize_t bucket_cap(Py_ssize_t waiting) noexcept nogil:
    """The most buckets one type gets when ``waiting`` processes wait after the sweeps."""
    return max(waiting >> CAP_SHIFT, <Py_ssize_t>MIN_BUCKETS)


cdef void work_clear(Work* w) noexcept nogil:
    w.m = 0
    w.heaps = NULL
    w.live = NULL
    w.pos = NULL
    w.ready = NULL
    w.b.head = NULL
    w.b.low = NULL
    w.b.bits = NULL
    w.b.head_cap = 0
    w.b.bits_cap = 0
    w.b.node = NULL
    w.b.rel = NULL
    w.b.pos = NULL
    w.b.base = NULL
    w.b.rnode = NULL


cdef int grow(void** block, size_t size) noexcept nogil:
    """Resize ``block[0]`` to ``size`` bytes (plus PAD). Returns 0, or -1 when out of memory
    (then ``block[0]`` is left as it was, still owned by the caller)."""
    cdef void* grown = realloc(block[0], size + PAD)
    if grown == NULL:
        return -1
    block[0] = grown
    return 0


cdef int buckets_reserve(Buckets* b, Py_ssize_t heads) noexcept nogil:
    """Room for ``heads`` bucket heads (they only grow). Returns 0, or -1 when out of memory."""
    if heads > b.head_cap:
        if (grow(<void**>&b.head, <size_t>heads * sizeof(int32_t)) != 0
                or grow(<void**>&b.low, <size_t>heads * sizeof(int64_t)) != 0):
            return -1
        b.head_cap = heads
    return 0


cdef int bits_reserve(Buckets* b, Py_ssize_t words) noexcept nogil:
    """Room for ``words`` 64-bit words of bucket bits. Returns 0, or -1 when out of memory."""
    if words > b.bits_cap:
        if grow(<void**>&b.bits, <size_t>words * sizeof(uint64_t)) != 0:
            return -1
        b.bits_cap = words
    return 0


cdef int work_init(Work* w, Py_ssize_t n, Py_ssize_t m, Py_ssize_t heap_cap,
                   Py_ssize_t head_cap) noexcept nogil:
    """Allocate scratch; heaps start with ``heap_cap`` slots each, the bucket heads with
    ``head_cap`` (both grow when needed).

    Returns 0, or -1 when memory ran out (whatever was allocated is freed by ``work_free``).
    """
    cdef Py_ssize_t j
    cdef size_t cells = <size_t>n * sizeof(int64_t) + PAD
    work_clear(w)
    # The n-arrays on huge pages once they reach 2 MiB (``big_alloc``): fresh scratch costs a
    # page fault per 4 KiB page otherwise, each call (thread CPU, hidden order 10^6 x 10:
    # 0.80x; 10^5 x 10: 0.83x; smaller systems the same).
    w.live = <int64_t*>big_alloc(cells, 0)
    w.pos = <int64_t*>big_alloc(cells, 0)
    w.ready = <int64_t*>big_alloc(cells, 0)
    w.b.node = <Node*>big_alloc(<size_t>n * sizeof(Node) + PAD, 0)
    w.b.rel = <int32_t*>big_alloc(<size_t>n * sizeof(int32_t) + PAD, 0)
    w.b.base = <int64_t*>malloc(10 * <size_t>m * sizeof(int64_t) + PAD)
    w.b.rnode = <RNode*>big_alloc(<size_t>n * sizeof(RNode) + PAD, 0)
    if (w.live == NULL or w.pos == NULL or w.ready == NULL or w.b.node == NULL
            or w.b.rel == NULL or w.b.base == NULL or w.b.rnode == NULL):
        return -1
    w.b.last = w.b.base + m
    w.b.off = w.b.last + m
    w.b.woff = w.b.off + m
    w.b.nb = w.b.woff + m
    w.b.shift = w.b.nb + m
    w.b.thr = w.b.shift + m
    w.b.count = w.b.thr + m
    w.b.ahead = w.b.count + m
    w.b.inv = <double*>(w.b.ahead + m)
    w.b.pos = w.pos
    if head_cap > 0 and (buckets_reserve(&w.b, head_cap) != 0
                         or bits_reserve(&w.b, (head_cap >> 6) + m) != 0):
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
    big_free(w.live)
    big_free(w.pos)
    big_free(w.ready)
    free(w.b.head)
    free(w.b.low)
    free(w.b.bits)
    big_free(w.b.node)
    big_free(w.b.rel)
    free(w.b.base)
    big_free(w.b.rnode)
    work_clear(w)


# --- a binary min-heap of (key, process) ------------------------------------------------------

cdef inline int heap_push(Heap* h, int64_t key, int64_t proc) noexcept nogil:
    """Insert; keeps ``data[parent].key <= data[child].key``. Returns -1 when out of memory."""
    cdef Py_ssize_t i, parent, cap
    if h.size == h.cap:
        cap = 2 * h.cap if h.cap > 0 else 16
        if grow(<void**>&h.data, <size_t>cap * sizeof(Entry)) != 0:
            return -1
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
    if m >= avx2_from:
        return first_short_avx2(row, A, j, m)
    while j < m and row[j] <= A[j]:
        j += 1
    return j


cdef inline Py_ssize_t latest_short(const int64_t* row, const int64_t* A, const double* inv,
                                    Py_ssize_t j, Py_ssize_t m) noexcept nogil:
    """Of the types at or after ``j`` (which ``row`` asks more of than ``A`` has), the first
    whose shortfall ``row[k] - A[k]`` is the largest share of what the waiting processes
    held of k when the watches began, ``inv[k]``: the type likely met last.

    Under steady releases type k is met after about ``(row[k] - A[k]) * inv[k]`` of the
    finishes; any unmet type is a correct watch, so the guess needs no exactness.
    ``inv[k] = inf`` (nothing of k can come) wins at once for an unmet k, and ``0 * inf``
    (NaN) never wins.
    """
    cdef Py_ssize_t best = j
    cdef double top = 0.0, share
    if m >= avx2_from:
        return latest_short_avx2(row, A, inv, j, m)
    while j < m:
        share = <double>(row[j] - A[j]) * inv[j]
        if share > top:
            top = share
            best = j
        j += 1
    return best


cdef inline Py_ssize_t watch_type(const int64_t* row, const int64_t* A, const double* inv,
                                  int64_t* pos, Py_ssize_t p, Py_ssize_t m) noexcept nogil:
    """The type process ``p`` watches next (m: none is short, it is ready).

    ``pos[p]``: its first unmet type when last scanned (types before it stay met: ``A`` only
    grows) in the low 32 bits, how many watches were guessed above them. Watching the type
    likely met last (``latest_short``) moves a process about once instead of once per type
    (the staircase), but each guess weighs the rest of its row; a process whose guesses
    keep failing (the weights can lie: ``hoarder_staircase_system``) watches its first unmet
    type from then on, so its scans resume where they stopped, O(m) in all, as they did
    before the guesses. (``m < 2^32``: a row of 2^32 int64 would be 32 GiB.)
    """
    cdef int64_t state = pos[p], guessed = state >> 32
    cdef Py_ssize_t j = first_short(row, A, state & ((<int64_t>1 << 32) - 1), m)
    if j == m:
        return m
    if guessed < GUESSES:
        pos[p] = j | ((guessed + 1) << 32)
        return latest_short(row, A, inv, j, m)
    pos[p] = j | (guessed << 32)
    return j


cdef void watch_weights(Buckets* b, const int64_t* C, const int64_t* A, Py_ssize_t m,
                        const int64_t* live, Py_ssize_t nlive) noexcept nogil:
    """``last[j]``: ``A[j]`` plus every unit the ``nlive`` waiting processes hold, the most
    type j can ever have free; ``inv[j]``: 1 / those units (inf: none), ``latest_short``'s
    weights."""
    cdef Py_ssize_t t, j
    cdef const int64_t* crow
    for j in range(m):
        b.last[j] = A[j]
    for t in range(nlive):
        crow = C + live[t] * m
        for j in range(m):
            b.last[j] += crow[j]
    reweigh(b, A, m)


cdef void reweigh(Buckets* b, const int64_t* A, Py_ssize_t m) noexcept nogil:
    """``inv[j]``: 1 / (``last[j] - A[j]``), inf when nothing more of j can come. A finish
    moves units from a waiting process to ``A``, so ``last`` holds while processes finish
    and the weights follow ``A`` (``watch_buckets``' second ranking)."""
    cdef Py_ssize_t j
    for j in range(m):
        b.inv[j] = 1.0 / <double>(b.last[j] - A[j]) if b.last[j] > A[j] else INFINITY


cdef void key_max(const Buckets* b, const int64_t* R, const int64_t* A, Py_ssize_t m,
                  const int64_t* live, Py_ssize_t nlive, Py_ssize_t stride,
                  int64_t* keys) noexcept nogil:
    """``keys[j]``: the largest request for type j that can still be met (at most
    ``last[j]``; ``A[j]`` if none) among the waiting processes ``live[::stride]``. One
    branch-free pass over their request rows."""
    cdef Py_ssize_t t = 0, j
    cdef int64_t k, top
    cdef const int64_t* row
    for j in range(m):
        keys[j] = A[j]
    if m >= avx2_from:
        key_max_avx2(keys, b.last, R, live, nlive, stride, m)
        return
    while t < nlive:
        row = R + live[t] * m
        for j in range(m):
            k = row[j]
            top = keys[j]
            keys[j] = k if (k <= b.last[j]) & (k > top) else top
        t += stride


cdef bint key_span(Buckets* b, const int64_t* R, const int64_t* A, Py_ssize_t m,
                   const int64_t* live, Py_ssize_t nlive) noexcept nogil:
    """Narrow ``last`` and the weights ``inv`` to what the ``nlive`` waiting processes ask
    for, when that is far less than what they hold; return whether it did.

    Processes that hold much and never finish (``hoarder_staircase_system``) make
    ``last[j]`` (what can ever be free) far larger than any request: the buckets would be
    too wide, and the weights lie (the hoarded units make the types they hoard look near).
    Then ``last[j]`` becomes the largest request that can still be met (the keys between
    are never asked for, those above stay hopeless) and the weights are shares of that
    span. A sample of ``SPAN_SAMPLE`` rows decides first whether to read every row: on
    systems whose requests do span what is held (huge counts) the full pass cost up to the
    read floor's time again (10,000 x 100) and bought nothing.
    """
    cdef Py_ssize_t j
    cdef int64_t* keys = b.thr  # scratch: ``bucket_plan`` and ``radix_plan`` reset it
    cdef bint far = False
    key_max(b, R, A, m, live, nlive, nlive // SPAN_SAMPLE + 1, keys)
    for j in range(m):
        if (keys[j] - A[j]) < (b.last[j] - A[j]) >> 2:
            far = True
    if not far:
        return False
    key_max(b, R, A, m, live, nlive, 1, keys)
    for j in range(m):
        b.last[j] = keys[j]
        b.inv[j] = 1.0 / <double>(keys[j] - A[j]) if keys[j] > A[j] else INFINITY
    return True


cdef Py_ssize_t sweep(const int64_t* C, const int64_t* R, int64_t* A, Py_ssize_t n,
                      Py_ssize_t m, int64_t* order, Work* w, Py_ssize_t* nlive) noexcept nogil:
    """Phase 1: sweeps while they pay. Returns how many finished; ``w.live[:nlive]`` wait,
    and ``nlive`` is 0 when the last sweep finished nobody (then nobody ever will)."""
    cdef int64_t* live = w.live
    cdef int64_t* pos = w.pos
    cdef Py_ssize_t i, j, t, kept, before, done = 0, count = n
    cdef const int64_t* row
    cdef const int64_t* crow
    for i in range(n):
        live[i] = i
        pos[i] = 0
    while count > 0:
        before = count
        kept = 0
        for t in range(count):
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
        count = kept
        if (before - count) * 4 < before:
            break
    nlive[0] = 0 if before == count else count
    return done


cdef Py_ssize_t watch_heaps(const int64_t* C, const int64_t* R, int64_t* A, Py_ssize_t m,
                            int64_t* order, Py_ssize_t done, Py_ssize_t nlive,
                            Work* w) noexcept nogil:
    """Phase 2 with binary heaps (weighed by ``watch_weights``); returns the total finished,
    or -1 when out of memory.

    As with the buckets, the processes a finish wakes are popped first (their ``pos`` and
    request rows prefetched, into ``live``, free once every process is seated) and
    re-seated after: the misses overlap instead of queueing.
    """
    cdef const double* inv = w.b.inv
    cdef int64_t* live = w.live
    cdef int64_t* pos = w.pos
    cdef int64_t* ready = w.ready
    cdef Heap* heaps = w.heaps
    cdef Py_ssize_t i, j, t, p, r, nrel, top = 0
    cdef const int64_t* row
    cdef const int64_t* crow

    for j in range(m):
        heaps[j].size = 0
    for t in range(nlive):
        i = live[t]
        row = R + i * m
        j = watch_type(row, A, inv, pos, i, m)
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
        nrel = 0
        for j in range(m):
            if crow[j] == 0:
                continue
            # A[j] grew: wake every process waiting for no more than A[j] units of j.
            while heaps[j].size > 0 and heaps[j].data[0].key <= A[j]:
                p = heap_pop(&heaps[j])
                prefetch(pos + p)
                prefetch_row(R + p * m, m)
                live[nrel] = p
                nrel += 1
        for r in range(nrel):
            p = live[r]
            row = R + p * m
            t = watch_type(row, A, inv, pos, p, m)
            if t == m:
                prefetch_row(C + p * m, m)
                ready[top] = p
                top += 1
            elif heap_push(&heaps[t], row[t], p) < 0:
                return -1
    return done


cdef inline void prefetch_row(const int64_t* row, Py_ssize_t m) noexcept nogil:
    """Prefetch the cache lines of ``row[:m]`` (a woken process's request row, a ready one's
    ``C`` row), the line of the last element included (a row need not start on a line); of a
    row longer than 16 lines only the first 16: the hardware prefetcher follows its read."""
    cdef Py_ssize_t k, end = min(m, 128)
    for k in range(0, end, 8):
        prefetch(row + k)
    if end > 0:
        prefetch(row + end - 1)


cdef inline Py_ssize_t next_bucket(const uint64_t* bits, Py_ssize_t t,
                                   Py_ssize_t nb) noexcept nogil:
    """The first non-empty bucket in ``t .. nb - 1`` (``nb``: none) of one type's bits."""
    cdef Py_ssize_t word = t >> 6
    cdef uint64_t x
    if t >= nb:
        return nb
    x = bits[word] & (~<uint64_t>0 << (t & 63))
    while x == 0:
        word += 1
        if (word << 6) >= nb:
            return nb
        x = bits[word]
    t = (word << 6) + ctz64(x)
    return t if t < nb else nb


cdef inline Py_ssize_t seat(Buckets* b, const int64_t* C, const int64_t* row, const int64_t* A,
                            Py_ssize_t m, int32_t p, int64_t* ready,
                            Py_ssize_t top, Key kind) noexcept nogil:
    """Scan ``p``'s request ``row`` from ``pos[p]``: ready (pushed on ``ready``, its ``C`` row
    prefetched for its turn), waiting in a bucket of the type ``watch_type`` picks (a radix
    heap's when ``Key`` is int64_t), or hopeless (dropped: deadlocked). Returns the new ready
    count."""
    cdef int64_t k, t
    cdef uint64_t* word
    cdef uint64_t bit
    cdef Py_ssize_t j = watch_type(row, A, b.inv, b.pos, p, m)
    if j == m:
        prefetch_row(C + <Py_ssize_t>p * m, m)
        ready[top] = p
        return top + 1
    k = row[j]
    if Key is int64_t:
        if k <= b.last[j]:
            radix_push(b, j, p, k)
            if k < b.thr[j]:
                b.thr[j] = k
    elif k <= b.last[j]:
        t = (k - b.base[j]) >> b.shift[j]
        b.node[p].key = <int32_t>(k - b.base[j])
        word = &b.bits[b.woff[j] + (t >> 6)]
        bit = <uint64_t>1 << (t & 63)
        t += b.off[j]
        if word[0] & bit:
            b.node[p].link = b.head[t]
            if k < b.low[t]:
                b.low[t] = k
        else:
            word[0] |= bit
            b.node[p].link = -1
            b.low[t] = k
        b.head[t] = p
        b.count[j] += 1
        if k < b.thr[j]:
            b.thr[j] = k
    return top


cdef int bucket_plan(Buckets* b, const int64_t* A, Py_ssize_t m,
                     Py_ssize_t nlive) noexcept nogil:
    """Size the bucket queues for the ``nlive`` waiting processes (``last`` set by
    ``watch_weights``); return the largest shift (-1: out of memory).

    Keys ``base[j] = A[j] + 1 .. last[j]`` get buckets of width ``2^shift[j]``, at most
    ``bucket_cap(nlive)`` of them.
    """
    cdef Py_ssize_t j, cap = bucket_cap(nlive)
    cdef int64_t span, s, widest = 0, total = 0, words = 0
    for j in range(m):
        b.base[j] = A[j] + 1
        b.thr[j] = INT64_MAX
        b.count[j] = 0
        b.ahead[j] = 0
        span = b.last[j] - A[j]  # keys base .. last: ``span`` of them
        s = 0
        while (span >> s) >= cap:
            s += 1
        b.shift[j] = s
        b.nb[j] = ((span - 1) >> s) + 1 if span > 0 else 0
        b.off[j] = total
        b.woff[j] = words
        total += b.nb[j]
        words += (b.nb[j] + 63) >> 6
        if s > widest:
            widest = s
        if span > 2147483647:
            return TOO_WIDE
    if buckets_reserve(b, total) != 0 or bits_reserve(b, words) != 0:
        return -1
    if words > 0:  # else ``bits`` may be NULL (every request hopeless after ``key_span``)
        memset(b.bits, 0, <size_t>words * sizeof(uint64_t))
    return <int>widest


cdef void lookahead(Buckets* b, const int64_t* C, const int64_t* R, Py_ssize_t m,
                    Py_ssize_t j, Py_ssize_t full) noexcept nogil:
    """Prefetch the rows of the processes in the next ``LOOKAHEAD`` non-empty buckets of type
    ``j`` above bucket ``full`` (the one ``A[j]`` is in) not prefetched yet, and move
    ``ahead[j]`` past them.

    A type's buckets in key order are the order in which its watchers are likely woken (the
    staircase wakes exactly one process a finish, in key order; hidden orders roughly), so
    their rows arrive before the drain and the seat read them. The buckets' lists are walked
    side by side, so that their node misses overlap. Only for rows of at most
    ``LOOKAHEAD_MAX_M`` types (at most three cache lines, prefetched whole); ``drain`` calls
    it when fewer than ``LOOKAHEAD`` buckets above ``full`` are prefetched, so a bucket is
    walked once more in all.
    """
    cdef const uint64_t* bits = b.bits + b.woff[j]
    cdef const int32_t* head = b.head + b.off[j]
    cdef const Node* node = b.node
    cdef Py_ssize_t nb = b.nb[j], t = b.ahead[j], walks = 0, r
    cdef int32_t p
    cdef int32_t cur[LOOKAHEAD]  # one walk a bucket
    if t <= full:
        t = full + 1
    while walks < LOOKAHEAD:
        t = next_bucket(bits, t, nb)
        if t == nb:
            break
        cur[walks] = head[t]
        walks += 1
        t += 1
    b.ahead[j] = t
    while walks > 0:
        r = 0
        while r < walks:
            p = cur[r]
            prefetch_row(R + <Py_ssize_t>p * m, m)
            prefetch_row(C + <Py_ssize_t>p * m, m)
            prefetch(b.pos + p)
            p = node[p].link
            if p >= 0:
                cur[r] = p
                r += 1
            else:
                walks -= 1
                cur[r] = cur[walks]


cdef inline Py_ssize_t drain(Buckets* b, const int64_t* C, const int64_t* R, Py_ssize_t m,
                             Py_ssize_t j, int64_t a, Py_ssize_t nrel, Key kind) noexcept nogil:
    """Release every process waiting on type ``j`` for at most ``a`` units into ``rel`` (their
    request rows prefetched), and set ``thr[j]`` past ``a``. Returns the new count in ``rel``.

    Only non-empty buckets are visited (their bits), from the one holding ``thr[j]``; the
    search for the next non-empty bucket stops as soon as nothing waits on ``j``.
    """
    cdef uint64_t* bits = b.bits + b.woff[j]
    cdef int32_t* head = b.head + b.off[j]
    cdef int64_t* lows = b.low + b.off[j]
    cdef Node* node = b.node
    cdef int64_t reach = a - b.base[j] + 1  # keys base .. a are met: ``reach`` of them
    cdef Py_ssize_t nb = b.nb[j], full = reach >> b.shift[j], t
    cdef int32_t p, q, keep
    cdef int64_t low = INT64_MAX, waiting = b.count[j], met = reach - 1  # relative keys <= met
    if full > nb:
        full = nb
    # Buckets wholly at or below a: release them without looking at keys.
    t = (b.thr[j] - b.base[j]) >> b.shift[j]
    while t < full:
        p = head[t]
        bits[t >> 6] &= ~(<uint64_t>1 << (t & 63))
        while p >= 0:
            prefetch_row(R + <Py_ssize_t>p * m, m)
            prefetch_row(C + <Py_ssize_t>p * m, m)  # in case it is ready: it often is
            prefetch(b.pos + p)
            b.rel[nrel] = p
            nrel += 1
            waiting -= 1
            p = node[p].link
        if waiting == 0:
            break
        t = next_bucket(bits, t + 1, full)
    # The bucket a falls inside: release the keys <= a, keep the others.
    if (waiting > 0 and full < nb and (reach & ((<int64_t>1 << b.shift[j]) - 1)) != 0
            and bits[full >> 6] & (<uint64_t>1 << (full & 63))):
        t = full
        p = head[t]
        keep = -1
        while p >= 0:
            q = node[p].link
            if node[p].key <= met:
                prefetch_row(R + <Py_ssize_t>p * m, m)
                prefetch_row(C + <Py_ssize_t>p * m, m)
                prefetch(b.pos + p)
                b.rel[nrel] = p
                nrel += 1
                waiting -= 1
            else:
                node[p].link = keep
                keep = p
                if node[p].key < low:
                    low = node[p].key
            p = q
        if low != INT64_MAX:
            low += b.base[j]
        if keep >= 0:
            head[t] = keep
            lows[t] = low
        else:
            bits[t >> 6] &= ~(<uint64_t>1 << (t & 63))
    b.count[j] = waiting
    if Key is uint32_t and waiting > 0 and b.ahead[j] <= full + LOOKAHEAD:
        lookahead(b, C, R, m, j, full)
    if waiting == 0:
        b.thr[j] = INT64_MAX
    elif low != INT64_MAX:
        b.thr[j] = low
    else:
        b.thr[j] = lows[next_bucket(bits, full, nb)]  # some bucket at or after full is set
    return nrel


cdef inline int64_t release(int64_t* A, const int64_t* crow, const int64_t* thr,
                            Py_ssize_t m) noexcept nogil:
    """``A += crow`` for a finished process; negative iff some type now meets ``thr[j]``.

    Branch-free and vectorisable: ``thr[j] - 1 - A[j] < 0`` iff ``A[j] >= thr[j]`` (thr >= 1),
    so the watches (buckets and Holt's lists) walk their queues only when a gate opens.
    """
    cdef Py_ssize_t j
    cdef int64_t a, hit = 0
    if m >= avx2_from:
        return release_avx2(A, crow, thr, m)
    for j in range(m):
        a = A[j] + crow[j]
        A[j] = a
        hit |= thr[j] - 1 - a
    return hit


cdef inline Py_ssize_t next_open(const int64_t* A, const int64_t* thr, Py_ssize_t j,
                                 Py_ssize_t m) noexcept nogil:
    """The first type at or after ``j`` whose gate is open, ``A[j] >= thr[j]`` (m: none)."""
    if m >= avx2_from:
        return next_open_avx2(A, thr, j, m)
    while j < m and A[j] < thr[j]:
        j += 1
    return j


cdef inline Py_ssize_t seat_oldest(Buckets* b, const int64_t* C, const int64_t* R,
                                   const int64_t* A, Py_ssize_t m, Py_ssize_t count,
                                   Py_ssize_t pending, int64_t* ready,
                                   Py_ssize_t top, Key kind) noexcept nogil:
    """Seat the first ``count`` of the ``pending`` processes in ``rel`` (the longest woken) and
    move the others to its front. Returns the new ready count."""
    cdef Py_ssize_t r
    cdef int32_t p
    for r in range(count):
        p = b.rel[r]
        top = seat(b, C, R + <Py_ssize_t>p * m, A, m, p, ready, top, kind)
    if count > 0 and pending > count:
        memmove(b.rel, b.rel + count, <size_t>(pending - count) * sizeof(int32_t))
    return top


# --- radix heaps: a monotone priority queue per type, exact for any counts ------------------

cdef int radix_plan(Buckets* b, const int64_t* A, Py_ssize_t m) noexcept nogil:
    """Empty radix heaps for the watches (``last`` set by ``watch_weights``): type j's 64
    buckets are ``head[64 j : 64 j + 64]``, its non-empty ones the bits of ``bits[j]``, its
    base ``base[j] = A[j]``. Returns 0, or -1 when out of memory."""
    cdef Py_ssize_t j
    if buckets_reserve(b, 64 * m) != 0 or bits_reserve(b, m) != 0:
        return -1
    for j in range(m):
        b.base[j] = A[j]
        b.thr[j] = INT64_MAX
        b.off[j] = 64 * j
        b.bits[j] = 0
    return 0


cdef inline void radix_push(Buckets* b, Py_ssize_t j, int32_t p, int64_t k) noexcept nogil:
    """File process ``p``, waiting for ``k > base[j]`` units of type j, in radix bucket
    ``63 - clz(k ^ base[j])``: the highest bit where ``k`` and the base differ. Every key in
    bucket t is below every key in bucket t + 1 (they agree with the base above bit t and
    have bit t set), so the lowest non-empty bucket holds the smallest key."""
    cdef int t = 63 - clz64(<uint64_t>(k ^ b.base[j]))
    cdef Py_ssize_t at = b.off[j] + t
    cdef uint64_t bit = <uint64_t>1 << t
    b.rnode[p].key = k
    if b.bits[j] & bit:
        b.rnode[p].link = b.head[at]
        if k < b.low[at]:
            b.low[at] = k
    else:
        b.bits[j] |= bit
        b.rnode[p].link = -1
        b.low[at] = k
    b.head[at] = p


cdef inline Py_ssize_t radix_drain(Buckets* b, const int64_t* C, const int64_t* R,
                                   Py_ssize_t m, Py_ssize_t j, int64_t a,
                                   Py_ssize_t nrel) noexcept nogil:
    """Release every process waiting on type ``j`` for at most ``a >= thr[j]`` units into
    ``rel`` (their rows prefetched), rebase the heap on ``a`` and set ``thr[j]``.

    With ``t = 63 - clz(a ^ base)``, buckets below t hold only keys below ``a`` (released
    without looking at keys), buckets above t keep their place under the new base, and
    bucket t's keys are released or refiled into a lower bucket: a key moves at most 64
    times (about log2 of its distance from ``A[j]``) before it is released.
    """
    cdef Py_ssize_t off = b.off[j]
    cdef uint64_t mask = b.bits[j]
    cdef int top = 63 - clz64(<uint64_t>(a ^ b.base[j]))
    cdef uint64_t below = mask & ((<uint64_t>1 << top) - 1)
    cdef int t
    cdef int32_t p, q
    cdef int64_t k
    cdef RNode* node = b.rnode
    b.bits[j] = mask & ~below
    while below:
        t = ctz64(below)
        below &= below - 1
        p = b.head[off + t]
        while p >= 0:
            prefetch_row(R + <Py_ssize_t>p * m, m)
            prefetch_row(C + <Py_ssize_t>p * m, m)
            prefetch(b.pos + p)
            b.rel[nrel] = p
            nrel += 1
            p = <int32_t>node[p].link
    b.base[j] = a
    if (mask >> top) & 1:
        b.bits[j] &= ~(<uint64_t>1 << top)
        p = b.head[off + top]
        while p >= 0:
            q = <int32_t>node[p].link
            k = node[p].key
            if k <= a:
                prefetch_row(R + <Py_ssize_t>p * m, m)
                prefetch_row(C + <Py_ssize_t>p * m, m)
                prefetch(b.pos + p)
                b.rel[nrel] = p
                nrel += 1
            else:
                radix_push(b, j, p, k)
            p = q
    mask = b.bits[j]
    b.thr[j] = b.low[off + ctz64(mask)] if mask else INT64_MAX
    if mask and m <= LOOKAHEAD_MAX_M:
        p = b.head[off + ctz64(mask)]
        t = 0
        while p >= 0 and t < RADIX_AHEAD:
            prefetch_row(R + <Py_ssize_t>p * m, m)
            prefetch_row(C + <Py_ssize_t>p * m, m)
            prefetch(b.pos + p)
            p = <int32_t>node[p].link
            t += 1
    return nrel


cdef void rank_live(const int64_t* R, const int64_t* A, const double* inv, Py_ssize_t m,
                    int64_t* live, const int64_t* pos, Py_ssize_t nlive, uint32_t* key,
                    int32_t* hist, Node* out, bint again) noexcept nogil:
    """Order ``live[:nlive]`` by the share of the finishes each process likely waits for:
    its largest weighed shortfall ``(R[i][k] - A[k]) * inv[k]`` (``latest_short``: at most 1
    for a process that can still finish, above 1 never), scaled to 32 bits by the largest
    share up to 1. A counting sort into ``nlive`` buckets by the high bits, then an insertion
    sort that moves an entry at most ``RANK_SHIFTS`` places (so exact unless a bucket is
    crowded). Scratch: ``key`` (``nlive``), ``hist`` (``nlive + 2``), ``out`` (``nlive``)."""
    cdef Py_ssize_t t, u, q, nb = nlive
    cdef int64_t i, k
    cdef double s, top = 0.0, scale
    cdef const int64_t* row
    cdef Node e
    cdef double* share = <double*>out  # the shares, before ``out`` holds entries
    for t in range(nlive):
        if again and t + RANK_AHEAD < nlive:  # ``live`` is in the last rank order
            prefetch_row(R + live[t + RANK_AHEAD] * m, m)
            if t + 2 * RANK_AHEAD < nlive:
                prefetch(pos + live[t + 2 * RANK_AHEAD])
        i = live[t]
        row = R + i * m
        k = latest_short(row, A, inv, pos[i], m)
        # Not above 0 when ``A`` grew past ``pos[i]`` since that scan and nothing was
        # short by more: such a process goes first.
        s = max(<double>(row[k] - A[k]) * inv[k], 0.0)
        share[t] = s
        if s <= 1.0 and s > top:
            top = s
    scale = 4294967295.0 / top if top > 0.0 else 0.0
    memset(hist, 0, <size_t>(nb + 2) * sizeof(int32_t))
    for t in range(nlive):
        s = share[t]
        key[t] = <uint32_t>(s * scale) if s <= top else 4294967295U
        q = <Py_ssize_t>((<uint64_t>key[t] * <uint64_t>nb) >> 32)
        hist[q + 1] += 1
    for q in range(nb):
        hist[q + 1] += hist[q]
    for t in range(nlive):
        q = <Py_ssize_t>((<uint64_t>key[t] * <uint64_t>nb) >> 32)
        out[hist[q]].key = <int32_t>key[t]
        out[hist[q]].link = <int32_t>live[t]
        hist[q] += 1
    for t in range(1, nlive):
        e = out[t]
        u = t
        while u > 0 and t - u < RANK_SHIFTS and <uint32_t>out[u - 1].key > <uint32_t>e.key:
            out[u] = out[u - 1]
            u -= 1
        out[u] = e
    for t in range(nlive):
        live[t] = out[t].link


cdef Py_ssize_t watch_buckets(const int64_t* C, const int64_t* R, int64_t* A, Py_ssize_t m,
                              int64_t* order, Py_ssize_t done, Py_ssize_t nlive,
                              Work* w, Key kind) noexcept nogil:
    """Phase 2 with bucket queues (planned by ``bucket_plan``; ``Key`` int32_t, their nodes'
    keys) or radix heaps (``radix_plan``; int64_t); returns the total finished. ``kind`` only
    picks the specialisation: each structure gets its own compiled loop (one loop testing a
    flag made the staircase 10,000 x 100 1.13x slower on the buckets).

    A finish adds its ``C`` row to ``A`` and compares ``A`` with ``thr`` in the same
    branch-free pass; only the types whose smallest waiting key is now met are drained. The
    released processes (their rows prefetched) wait in a FIFO, ``rel[:pending]``, in one
    batch a finish, and are seated ``SEAT_DELAY`` finishes later, so the misses overlap with
    the work of those finishes instead of stalling the seat. Delaying a seat is safe (``A``
    only grows, and a seat checks the row against the ``A`` of its moment); when the ready
    stack runs dry, the next batches are seated at once until it holds a process or the
    FIFO is empty.
    """
    cdef Buckets* b = &w.b
    cdef int64_t* live = w.live
    cdef int64_t* ready = w.ready
    cdef int64_t* thr = b.thr
    cdef Py_ssize_t i, j, t = 0, top = 0, nrel, pending = 0, oldest, turn = 0
    cdef Py_ssize_t ahead = RANK_AHEAD if m <= LOOKAHEAD_MAX_M else RANK_AHEAD_WIDE
    # Seats in rank order: ``fails`` of those since ``since`` found the process not ready;
    # at ``check`` the rest may be ranked again, ``budget`` processes in all, sorting in
    # ``spare``: the nodes of the structure not in use.
    cdef Py_ssize_t fails = 0, since = 0, check = 0, budget = 2 * nlive
    cdef Node* spare = b.node if Key is int64_t else <Node*>b.rnode
    cdef Py_ssize_t batch[SEAT_DELAY]  # ring: how many each of the last finishes woke
    cdef int64_t hit

    memset(batch, 0, sizeof(batch))
    while True:
        if top == 0:
            # Nothing is ready: seat the next process of ``live`` (in ``rank_live``'s order,
            # so most of them are ready when their turn comes), its rows prefetched ahead.
            if t == nlive:
                break
            if t == check:
                # Every ``max(RANK_MIN, rest / 32)`` seats: when more than 3 in 4 of them
                # failed, the shares lied (say a type that early finishes release in bulk:
                # ``decoy_staircase_system``), so rank the rest again on the weights of this
                # ``A``, within a budget of twice ``nlive`` processes ranked again in all.
                # (Nothing is ready or pending: ``ready``, ``rel`` and ``spare`` are free. The
                # first check, at 0, only sets the window.)
                if fails * 4 > (t - since) * 3 and nlive - t <= budget:
                    budget -= nlive - t
                    reweigh(b, A, m)
                    rank_live(R, A, b.inv, m, live + t, b.pos, nlive - t, <uint32_t*>b.rel,
                              <int32_t*>ready, spare, True)
                since = t
                check = t + max(<Py_ssize_t>RANK_MIN, (nlive - t) >> RANK_WINDOW)
                fails = 0
            if t + ahead < nlive:
                i = live[t + ahead]
                prefetch_row(R + i * m, m)
                prefetch_row(C + i * m, m)
                if t + 2 * ahead < nlive:
                    prefetch(b.pos + live[t + 2 * ahead])
            i = live[t]
            t += 1
            top = seat(b, C, R + i * m, A, m, <int32_t>i, ready, top, kind)
            fails += top == 0
            continue
        top -= 1
        i = ready[top]
        hit = release(A, C + i * m, thr, m)
        order[done] = i
        done += 1
        nrel = pending
        if hit < 0:
            j = next_open(A, thr, 0, m)
            while j < m:
                if Key is int64_t:
                    nrel = radix_drain(b, C, R, m, j, A[j], nrel)
                else:
                    nrel = drain(b, C, R, m, j, A[j], nrel, kind)
                j = next_open(A, thr, j + 1, m)
        oldest = batch[turn]
        batch[turn] = nrel - pending
        turn = turn + 1 if turn + 1 < SEAT_DELAY else 0
        top = seat_oldest(b, C, R, A, m, oldest, nrel, ready, top, kind)
        pending = nrel - oldest
        while top == 0 and pending > 0:  # the stack ran dry: seat the next batch now
            oldest = batch[turn]
            batch[turn] = 0
            turn = turn + 1 if turn + 1 < SEAT_DELAY else 0
            top = seat_oldest(b, C, R, A, m, oldest, pending, ready, top, kind)
            pending -= oldest
    return done


# --- Holt's static per-type lists -------------------------------------------------------------

cdef struct Ent:
    # One unmet (process, type) entry: its key less its type's base, and the process.
    int32_t key
    int32_t proc


cdef struct Holt:
    Ent* ents       # m * nlive: type j's entries at ents[j * nlive : j * nlive + cnt[j]]
    Ent* tmp        # nlive: the counting sort's output for one type
    int32_t* hist   # nlive + 2
    int32_t* unmet  # n: how many types each process still waits on
    int64_t* base   # m, and the four m-arrays after it in one block
    int64_t* span
    int64_t* cnt
    int64_t* shift
    int64_t* ptr
    int64_t* thr    # m: a lower bound of the smallest key left of each type (INT64_MAX: none)


cdef void holt_free(Holt* h) noexcept nogil:
    free(h.ents)
    free(h.tmp)
    free(h.hist)
    free(h.unmet)
    free(h.base)


cdef inline Py_ssize_t holt_met(Holt* h, const int64_t* C, Py_ssize_t m, int32_t proc,
                                int64_t* ready, Py_ssize_t top) noexcept nogil:
    """One more of ``proc``'s types is met; when it was the last, ``proc`` is ready (pushed on
    ``ready``, its ``C`` row prefetched). Returns the new ready count."""
    h.unmet[proc] -= 1
    if h.unmet[proc] == 0:
        prefetch_row(C + <Py_ssize_t>proc * m, m)
        ready[top] = proc
        top += 1
    return top


cdef inline Py_ssize_t holt_walk(Holt* h, const int64_t* C, Py_ssize_t nlive, Py_ssize_t m,
                                 Py_ssize_t j, int64_t a, int64_t* thr, int64_t* ready,
                                 Py_ssize_t top) noexcept nogil:
    """Release type ``j``'s entries with keys at most ``a``; set ``thr[j]`` to a lower bound of
    the smallest key left. Entries are sorted by bucket (key >> shift), unsorted inside one:
    the bucket ``a`` falls inside is partitioned, and its smallest key left found exactly."""
    cdef Ent* E = h.ents + j * nlive
    cdef Py_ssize_t p = h.ptr[j], c = h.cnt[j], q
    cdef int64_t s = h.shift[j], rel = a - h.base[j], low
    cdef int32_t b
    cdef Ent e
    while p < c and E[p].key <= rel:
        top = holt_met(h, C, m, E[p].proc, ready, top)
        p += 1
    if p == c:
        thr[j] = INT64_MAX
    else:
        b = <int32_t>(E[p].key >> s)
        if b == (rel >> s):
            low = E[p].key
            q = p + 1
            while q < c and (E[q].key >> s) == b:
                if E[q].key <= rel:
                    e = E[q]
                    E[q] = E[p]
                    E[p] = e
                    top = holt_met(h, C, m, e.proc, ready, top)
                    p += 1
                elif E[q].key < low:
                    low = E[q].key
                q += 1
            thr[j] = h.base[j] + low
        else:
            thr[j] = h.base[j] + (<int64_t>b << s)
    h.ptr[j] = p
    return top


cdef int holt_build(Holt* h, const int64_t* C, const int64_t* R, const int64_t* A,
                    Py_ssize_t n, Py_ssize_t m, const int64_t* live, Py_ssize_t nlive,
                    int64_t* ready, Py_ssize_t* top) noexcept nogil:
    """File the unmet entries of the ``nlive`` waiting processes by type (unsorted) and push
    those with none on ``ready``; return the widest bucket shift, TOO_WIDE when some type's
    keys span 2^31 units or more, -1 when out of memory (``holt_free`` frees ``h`` either way).

    Type j's keys ``base[j] = A[j] + 1 .. A[j] + span[j]`` (span: what the waiting processes
    hold of j) go to buckets of width ``2^shift[j]``, at most ``cnt[j] + 1`` of them; an entry
    with a larger key can never be met, and its process never becomes ready.
    """
    cdef Py_ssize_t i, j, t
    cdef int64_t k, u, s, widest = 0
    cdef const int64_t* row
    cdef const int64_t* crow
    cdef Ent* cur
    h.ents = <Ent*>malloc(<size_t>m * <size_t>nlive * sizeof(Ent) + PAD)
    h.tmp = <Ent*>malloc(<size_t>nlive * sizeof(Ent) + PAD)
    h.hist = <int32_t*>malloc(<size_t>(nlive + 2) * sizeof(int32_t) + PAD)
    h.unmet = <int32_t*>malloc(<size_t>n * sizeof(int32_t) + PAD)
    h.base = <int64_t*>malloc(6 * <size_t>m * sizeof(int64_t) + PAD)
    if (h.ents == NULL or h.tmp == NULL or h.hist == NULL or h.unmet == NULL
            or h.base == NULL):
        return -1
    h.span = h.base + m
    h.cnt = h.span + m
    h.shift = h.cnt + m
    h.ptr = h.shift + m
    h.thr = h.ptr + m
    for j in range(m):
        h.base[j] = A[j] + 1
        h.span[j] = 0
        h.cnt[j] = 0
        h.ptr[j] = 0
    for t in range(nlive):
        crow = C + live[t] * m
        for j in range(m):
            h.span[j] += crow[j]
    for j in range(m):
        if h.span[j] > 2147483647:
            return TOO_WIDE
    # One row-wise pass: every unmet entry that can ever be met goes to its type's list.
    for t in range(nlive):
        i = live[t]
        row = R + i * m
        u = 0
        for j in range(m):
            k = row[j] - h.base[j]
            if k >= 0:
                u += 1
                if k < h.span[j]:
                    cur = h.ents + j * nlive + h.cnt[j]
                    cur.key = <int32_t>k
                    cur.proc = <int32_t>i
                    h.cnt[j] += 1
        h.unmet[i] = <int32_t>u
        if u == 0:
            ready[top[0]] = i
            top[0] += 1
    for j in range(m):
        s = 0
        while (h.span[j] >> s) > h.cnt[j]:
            s += 1
        h.shift[j] = s
        if s > widest:
            widest = s
    return <int>widest


cdef void holt_sort(Holt* h, Py_ssize_t m, Py_ssize_t nlive) noexcept nogil:
    """Counting sort of each type's entries by bucket (key >> shift); set ``thr``."""
    cdef Py_ssize_t j, t, c, nbk
    cdef int64_t s, k
    cdef Ent* E
    cdef int32_t* hist = h.hist
    for j in range(m):
        c = h.cnt[j]
        h.thr[j] = INT64_MAX
        if c == 0:
            continue
        s = h.shift[j]
        nbk = ((h.span[j] - 1) >> s) + 1
        memset(hist, 0, <size_t>(nbk + 1) * sizeof(int32_t))
        E = h.ents + j * nlive
        for t in range(c):
            hist[(E[t].key >> s) + 1] += 1
        for t in range(nbk):
            hist[t + 1] += hist[t]
        for t in range(c):
            k = E[t].key >> s
            h.tmp[hist[k]] = E[t]
            hist[k] += 1
        memcpy(E, h.tmp, <size_t>c * sizeof(Ent))
        h.thr[j] = h.base[j] + ((<int64_t>E[0].key >> s) << s)


cdef Py_ssize_t watch_holt(const int64_t* C, const int64_t* R, int64_t* A, Py_ssize_t n,
                           Py_ssize_t m, int64_t* order, Py_ssize_t done, Py_ssize_t nlive,
                           Work* w) noexcept nogil:
    """Phase 2 with Holt's static lists; returns the total finished, -1 when out of memory,
    or -2 (nothing changed) when some type's keys span 2^31 units or more."""
    cdef Holt h
    cdef int64_t* ready = w.ready
    cdef int64_t* thr
    cdef Py_ssize_t i, j, top = 0
    cdef int64_t hit
    cdef int widest = holt_build(&h, C, R, A, n, m, w.live, nlive, ready, &top)
    if widest < 0 or widest == TOO_WIDE:
        holt_free(&h)
        return -1 if widest < 0 else -2
    holt_sort(&h, m, nlive)
    thr = h.thr

    while top > 0:
        top -= 1
        i = ready[top]
        hit = release(A, C + i * m, thr, m)
        order[done] = i
        done += 1
        if hit < 0:
            for j in range(m):
                if A[j] >= thr[j]:
                    top = holt_walk(&h, C, nlive, m, j, A[j], thr, ready, top)

    holt_free(&h)
    return done


cdef int watch_plan(Buckets* b, const int64_t* R, const int64_t* A, Py_ssize_t m,
                    const int64_t* live, Py_ssize_t nlive) noexcept nogil:
    """Plan the bucket queues (``watch_weights`` done), narrowed by ``key_span`` when they
    would be too wide; return the widest shift, TOO_WIDE, or -1 when out of memory. Planned
    again after ``key_span`` whether it narrowed or not: its scratch is ``thr``."""
    cdef int widest = bucket_plan(b, A, m, nlive)
    if widest > MAX_SHIFT:
        key_span(b, R, A, m, live, nlive)
        widest = bucket_plan(b, A, m, nlive)
    return widest


cdef Py_ssize_t solve(const int64_t* C, const int64_t* R, int64_t* A,
                      Py_ssize_t n, Py_ssize_t m, int64_t* order, Work* w,
                      int strategy) noexcept nogil:
    """Finish every process that can finish; return how many did, or -1 when out of memory.

    ``C`` and ``R`` are n x m row-major, ``A`` (m) is updated in place to the final available
    vector, and ``order[:returned]`` receives a valid finishing order. ``strategy``: AUTO
    (the shape rule in the module docstring), HEAPS, BUCKETS, HOLT or RADIX (any counts: only
    speed differs; HOLT falls back to the shape rule's other choices and BUCKETS to the
    radix heaps when a type's keys span 2^31 units or more).
    """
    cdef Py_ssize_t i, done, nlive = 0, widest
    if n == 0:
        return 0
    if m == 0:
        # Nothing is requested: everybody finishes, in index order.
        for i in range(n):
            order[i] = i
        return n
    done = sweep(C, R, A, n, m, order, w, &nlive)
    if nlive == 0:
        return done
    if strategy == HOLT and n < MAX_LINKED:
        widest = watch_holt(C, R, A, n, m, order, done, nlive, w)
        if widest != -2:
            return widest
    watch_weights(&w.b, C, A, m, w.live, nlive)
    if strategy == HEAPS or n >= MAX_LINKED:
        return watch_heaps(C, R, A, m, order, done, nlive, w)
    widest = watch_plan(&w.b, R, A, m, w.live, nlive)
    if widest < 0:
        return -1
    if nlive >= RANK_MIN:
        rank_live(R, A, w.b.inv, m, w.live, w.pos, nlive, <uint32_t*>w.b.rel,
                  <int32_t*>w.ready, w.b.node, False)
    if strategy != RADIX and widest < TOO_WIDE and (strategy == BUCKETS or widest <= MAX_SHIFT):
        if m <= LOOKAHEAD_MAX_M:
            return watch_buckets(C, R, A, m, order, done, nlive, w, LOOKAHEAD_KEY)
        return watch_buckets(C, R, A, m, order, done, nlive, w, BUCKET_KEY)
    if radix_plan(&w.b, A, m) != 0:
        return -1
    return watch_buckets(C, R, A, m, order, done, nlive, w, RADIX_KEY)


# --- Python entry points ----------------------------------------------------------------------

def detect(const int64_t[:, ::1] allocation, const int64_t[:, ::1] request,
           int64_t[::1] available, int64_t[::1] order, int strategy=AUTO):
    """Run the matrix algorithm on one validated system; return how many processes finished.

    Trusts: ``allocation`` and ``request`` are (n, m), ``available`` is (m) and ``order`` is
    (n), all C-contiguous int64, non-negative, and ``available + allocation.sum(0)`` fits in
    int64. ``available`` is overwritten with the final available vector and
    ``order[:returned]`` with a valid finishing order (the rest of ``order`` is untouched).
    ``strategy``: 0 the shape rule, 1 the heaps, 2 the bucket queues, 3 Holt's static lists,
    4 the radix heaps (for tests).
    """
    cdef Py_ssize_t n = allocation.shape[0], m = allocation.shape[1], done = 0
    cdef Work w
    cdef int status
    cdef const int64_t* cptr = &allocation[0, 0] if n > 0 and m > 0 else NULL
    cdef const int64_t* rptr = &request[0, 0] if n > 0 and m > 0 else NULL
    cdef int64_t* aptr = &available[0] if m > 0 else NULL
    cdef int64_t* optr = &order[0] if n > 0 else NULL
    with nogil:
        status = work_init(&w, n, m, 0, 0)
        if status == 0:
            done = solve(cptr, rptr, aptr, n, m, optr, &w, strategy)
        work_free(&w)
    if status != 0 or done < 0:
        raise MemoryError(f"out of memory for the matrix algorithm scratch (n = {n}, m = {m})")
    return done


def plan(const int64_t[:, ::1] allocation, const int64_t[:, ::1] request,
         int64_t[::1] available):
    """Which watch structure the shape rule picks for a validated system (for tests).

    Returns ``(name, shift)``: ``("sweeps", 0)`` when the sweeps decide everything,
    ``("buckets", s)``, ``("radix", s)`` or ``("heaps", s)`` with ``s`` the
    widest bucket shift of the structure picked (after ``key_span``). Trusts what
    ``detect`` trusts; ``available`` is overwritten (pass a copy).
    """
    cdef Py_ssize_t n = allocation.shape[0], m = allocation.shape[1], nlive = 0
    cdef int widest = 0
    cdef Work w
    cdef int status
    cdef int64_t* order
    if n == 0 or m == 0:
        return "sweeps", 0
    order = <int64_t*>malloc(<size_t>n * sizeof(int64_t))
    work_clear(&w)
    with nogil:
        status = work_init(&w, n, m, 0, 0) if order != NULL else -1
        if status == 0:
            sweep(&allocation[0, 0], &request[0, 0], &available[0], n, m, order, &w, &nlive)
            if nlive > 0:
                watch_weights(&w.b, &allocation[0, 0], &available[0], m, w.live, nlive)
                widest = watch_plan(&w.b, &request[0, 0], &available[0], m, w.live, nlive)
        work_free(&w)
    free(order)
    if status != 0 or widest < 0:
        raise MemoryError(f"out of memory for the matrix algorithm scratch (n = {n}, m = {m})")
    if nlive == 0:
        return "sweeps", 0
    if widest <= MAX_SHIFT:
        return "buckets", widest
    return ("radix" if n < MAX_LINKED else "heaps"), widest


def solve_batch(const int64_t[:, :, ::1] allocation, const int64_t[:, :, ::1] request,
                const int64_t[:, ::1] available, unsigned char[:, ::1] deadlocked,
                int64_t[:, ::1] orders, int64_t[::1] finished, int num_threads):
    """Run the matrix algorithm on k validated systems in parallel.

    Trusts: shapes (k, n, m), (k, n, m), (k, m), contiguous int64 input as in ``detect``,
    ``num_threads >= 1``. Outputs, each optional (an empty array: not wanted):
    ``deadlocked`` (k, n) uint8, 1 where process i of system s is deadlocked; ``orders``
    (k, n) int64, a valid finishing order of system s padded with -1; ``finished`` (k),
    how many processes of system s finished.
    Systems are handed to threads dynamically, in chunks; each thread owns one scratch block,
    sized for (n, m) before the parallel region. Its heaps start with min(n, 256) slots and
    its bucket heads with enough for (n, m), so small systems never allocate inside the
    region; a heap that needs more grows (realloc) and keeps its size for the thread's later
    systems.
    """
    cdef Py_ssize_t k = allocation.shape[0], n = allocation.shape[1], m = allocation.shape[2]
    cdef Py_ssize_t s, i, t, done, tid
    cdef int nthreads = num_threads if num_threads > 0 else 1
    cdef int failed = 0
    cdef bint want_mask = deadlocked.shape[0] > 0, want_order = orders.shape[0] > 0
    cdef bint want_count = finished.shape[0] > 0
    cdef Work* works
    cdef Work* w
    cdef int64_t* scratch
    cdef int64_t* A
    cdef int64_t* order
    cdef Py_ssize_t stride = n + m + PAD // sizeof(int64_t)
    # Chunks of consecutive systems: fewer trips to the shared counter, and threads write
    # far-apart rows of the outputs (a row is only n bytes) instead of neighbouring ones.
    cdef Py_ssize_t chunk = min(64, max(1, k // (8 * nthreads)))
    if k == 0:
        return
    if n == 0:
        if want_count:
            for s in range(k):
                finished[s] = 0
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
        work_clear(&works[t])
    try:
        with nogil:
            for t in range(nthreads):
                if work_init(&works[t], n, m, min(n, 256), m * bucket_cap(n)) != 0:
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
                        done = solve(&allocation[s, 0, 0], &request[s, 0, 0], A, n, m, order,
                                     w, AUTO)
                    else:
                        done = solve(NULL, NULL, A, n, m, order, w, AUTO)
                    if done < 0:
                        failed += 1  # a reduction: inside prange, += is the safe write
                        done = 0
                    if want_mask:
                        for i in range(n):
                            deadlocked[s, i] = 1
                        for i in range(done):
                            deadlocked[s, order[i]] = 0
                    if want_order:
                        for i in range(done):
                            orders[s, i] = order[i]
                        for i in range(done, n):
                            orders[s, i] = -1
                    if want_count:
                        finished[s] = done
    finally:
        for t in range(nthreads):
            work_free(&works[t])
        free(works)
        free(scratch)
    if failed:
        raise MemoryError("out of memory for the batch scratch")


def detect_batch(const int64_t[:, :, ::1] allocation, const int64_t[:, :, ::1] request,
                 const int64_t[:, ::1] available, unsigned char[:, ::1] deadlocked,
                 int num_threads):
    """``solve_batch`` filling only ``deadlocked`` (k, n): 1 where a process is deadlocked."""
    solve_batch(allocation, request, available, deadlocked,
                _NO_ORDERS, _NO_COUNTS, num_threads)


_NO_ORDERS = _np.empty((0, 0), dtype=_np.int64)
_NO_COUNTS = _np.empty(0, dtype=_np.int64)
