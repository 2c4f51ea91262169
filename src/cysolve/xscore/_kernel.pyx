"""XScoreGame kernels: exact DPs over multisets of values and the low bits of ``x``.

Contract trusted from :mod:`cysolve.xscore.solve` (which checks it through ``cysolve._convert``):
values are non-negative int64; every instance's table fits the caller's memory limit; the
score's high part fits (``n <= 31`` for the residue DP's int32 cells, ``n <= 63`` for the
dominance DP's int64 ``h``). Nothing here raises on bad data; it is never given any.

The state space. Write ``x = h * 2**b + r`` with ``r < R = 2**b`` and every value ``< R``. A
step with value ``v`` maps residue ``r`` to ``t = r + (r ^ v) < 2R``: the new residue is
``t & (R - 1)``, the new high part ``2h + (t >> b)``. Equal values are interchangeable, so a
state is how many copies of each distinct value are used (mixed radix, ``prod(count + 1)``
states, ``2**n`` when all values differ) and states are visited in increasing index order,
which is topological since every step adds a positive stride.

- ``residue`` (the seed's DP): ``dp[state][r]`` = the largest ``h`` over orders ending on
  residue ``r`` (int32, -1 unreachable); ``S * R`` cells.
- ``dominance``: ``h' = 2h + c`` with ``c`` in {0, 1} keeps ``h1 > h2`` strict after every later
  step, and ``x = h R + r`` with ``r < R``, so only the residues reaching the largest ``h`` of a
  state can matter: a state is one int64 ``h`` plus a bitset of ``R`` residues. A step maps the
  set through ``v``; if any residue carries, only the carrying ones survive. Up to
  ``b = 12`` the set is a bitset of ``R`` bits; wider values keep it as a sorted list of at most
  ``room`` residues (``sparse``): a DP that would need more reports it, and the caller runs it again
  with twice the room, so the answer stays exact.
"""

from libc.stdint cimport int32_t, int64_t, uint64_t
from libc.stdlib cimport free, malloc, qsort
from libc.string cimport memcpy, memset

from cython.parallel cimport prange, threadid

import numpy as np

from cysolve._native cimport clz64, ctz64

cdef enum:
    RESIDUE = 0
    DOMINANCE = 1
    # Wider residues than this many bits are kept in sparse lists by the dominance DP (a bitset
    # of 2**13 bits is larger than a list of the few dozen residues a state typically holds).
    NARROW_BITS = 12
# States are counted up to this value and no further (the caller refuses such tables anyway).
cdef int64_t STATES_CAP = (<int64_t>1) << 62


ctypedef struct Multiset:
    int64_t n          # number of values
    int64_t D          # distinct values
    int64_t S          # states: prod(count + 1), capped at STATES_CAP
    int64_t b          # residue bits: bit length of the largest value, at least 1
    int64_t W          # 64-bit words per residue set: ceil(2**b / 64)
    int64_t* vals      # distinct values, ascending (D)
    int64_t* cnt       # copies of each (D)
    int64_t* stride    # mixed-radix place value of each (D)
    int64_t* digit     # odometer: copies of each used in the current state (D)


cdef int compare_uint64(const void* a, const void* b) noexcept nogil:
    cdef uint64_t x = (<const uint64_t*>a)[0], y = (<const uint64_t*>b)[0]
    return (x > y) - (x < y)


cdef int compare_int64(const void* a, const void* b) noexcept nogil:
    cdef int64_t x = (<const int64_t*>a)[0], y = (<const int64_t*>b)[0]
    return (x > y) - (x < y)


cdef int64_t bit_length(int64_t v) noexcept nogil:
    return 0 if v == 0 else 64 - clz64(<uint64_t>v)


cdef void build_multiset(const int64_t* a, int64_t n, int64_t* sorted_buf,
                         Multiset* ms) noexcept nogil:
    """Fill ``ms`` (whose four arrays hold ``n`` entries each) from the values ``a[:n]``."""
    cdef int64_t i, d = -1, states = 1
    for i in range(n):
        sorted_buf[i] = a[i]
    qsort(sorted_buf, n, sizeof(int64_t), compare_int64)
    for i in range(n):
        if d < 0 or sorted_buf[i] != ms.vals[d]:
            d += 1
            ms.vals[d] = sorted_buf[i]
            ms.cnt[d] = 0
        ms.cnt[d] += 1
    ms.n = n
    ms.D = d + 1
    for d in range(ms.D):
        ms.stride[d] = states
        ms.digit[d] = 0
        if states > STATES_CAP // (ms.cnt[d] + 1):
            states = STATES_CAP
        else:
            states *= ms.cnt[d] + 1
    ms.S = states
    ms.b = bit_length(ms.vals[ms.D - 1]) if n > 0 else 0
    if ms.b < 1:
        ms.b = 1
    ms.W = 1 if ms.b <= 6 else (<int64_t>1) << (ms.b - 6)


cdef inline void advance(Multiset* ms) noexcept nogil:
    """Move the odometer ``ms.digit`` to the next state index."""
    cdef int64_t d = 0
    while d < ms.D and ms.digit[d] == ms.cnt[d]:
        ms.digit[d] = 0
        d += 1
    if d < ms.D:
        ms.digit[d] += 1


# --- the residue DP -----------------------------------------------------------------------

cdef void residue_dp(Multiset* ms, int32_t* dp) noexcept nogil:
    """``dp[s * R + r]`` = max ``h`` reaching residue ``r`` with the values of state ``s``."""
    cdef int64_t R = (<int64_t>1) << ms.b, mask = R - 1, b = ms.b
    cdef int64_t s, d, r, t, v, nh
    cdef int32_t hv
    cdef int32_t* row
    cdef int32_t* nrow
    memset(dp, 0xFF, ms.S * R * sizeof(int32_t))  # every cell -1: unreachable
    dp[0] = 0
    for s in range(ms.S):
        row = dp + s * R
        for d in range(ms.D):
            if ms.digit[d] == ms.cnt[d]:
                continue
            v = ms.vals[d]
            nrow = dp + (s + ms.stride[d]) * R
            for r in range(R):
                hv = row[r]
                if hv < 0:
                    continue
                t = r + (r ^ v)
                nh = 2 * <int64_t>hv + (t >> b)
                if nh > nrow[t & mask]:
                    nrow[t & mask] = <int32_t>nh
        advance(ms)


cdef void residue_best(Multiset* ms, const int32_t* dp, int64_t* h, int64_t* r) noexcept nogil:
    cdef int64_t R = (<int64_t>1) << ms.b, q
    cdef const int32_t* row = dp + (ms.S - 1) * R
    h[0] = -1
    for q in range(R):
        if row[q] >= h[0]:
            h[0] = row[q]
            r[0] = q


# --- the dominance DP ---------------------------------------------------------------------

cdef void dominance_dp(Multiset* ms, int64_t* hs, uint64_t* sets, uint64_t* img) noexcept nogil:
    """``hs[s]`` = max ``h`` of state ``s``; ``sets[s * W:(s + 1) * W]`` = residues reaching it.

    ``img`` is scratch for two residue sets (``2 * W`` words).
    """
    cdef int64_t W = ms.W, b = ms.b, mask = ((<int64_t>1) << b) - 1
    cdef int64_t s, d, w, r, t, v, h, nh, ns
    cdef uint64_t word, carried, any_carry
    cdef uint64_t* src
    cdef uint64_t* dst
    cdef uint64_t* src_img
    cdef uint64_t* img_carry = img
    cdef uint64_t* img_plain = img + W
    for s in range(ms.S):
        hs[s] = -1
    memset(sets, 0, ms.S * W * sizeof(uint64_t))
    hs[0] = 0
    sets[0] = 1
    for s in range(ms.S):
        h = hs[s]
        src = sets + s * W
        for d in range(ms.D):
            if ms.digit[d] == ms.cnt[d]:
                continue
            v = ms.vals[d]
            if W == 1:
                # One word: the common case (values below 64), kept free of the inner loops.
                carried = 0
                word = 0
                any_carry = src[0]
                while any_carry:
                    r = ctz64(any_carry)
                    any_carry &= any_carry - 1
                    t = r + (r ^ v)
                    if t >> b:
                        carried |= (<uint64_t>1) << (t & mask)
                    else:
                        word |= (<uint64_t>1) << t
                if carried:
                    nh = 2 * h + 1
                    word = carried
                else:
                    nh = 2 * h
                ns = s + ms.stride[d]
                if nh > hs[ns]:
                    hs[ns] = nh
                    sets[ns] = word
                elif nh == hs[ns]:
                    sets[ns] |= word
                continue
            memset(img, 0, 2 * W * sizeof(uint64_t))
            any_carry = 0
            for w in range(W):
                word = src[w]
                while word:
                    r = w * 64 + ctz64(word)
                    word &= word - 1
                    t = r + (r ^ v)
                    if t >> b:
                        t &= mask
                        img_carry[t >> 6] |= (<uint64_t>1) << (t & 63)
                        any_carry = 1
                    else:
                        img_plain[t >> 6] |= (<uint64_t>1) << (t & 63)
            nh = 2 * h + <int64_t>any_carry
            ns = s + ms.stride[d]
            dst = sets + ns * W
            src_img = img_carry if any_carry else img_plain
            if nh > hs[ns]:
                hs[ns] = nh
                for w in range(W):
                    dst[w] = src_img[w]
            elif nh == hs[ns]:
                for w in range(W):
                    dst[w] |= src_img[w]
        advance(ms)


# --- the dominance DP with sparse residue sets (wide values) -------------------------------

cdef int64_t sort_unique(uint64_t* x, int64_t m) noexcept nogil:
    """Sort ``x[:m]`` and drop repeats in place; returns the new length."""
    cdef int64_t i, j, kept
    cdef uint64_t key
    if m <= 32:
        for i in range(1, m):
            key = x[i]
            j = i - 1
            while j >= 0 and x[j] > key:
                x[j + 1] = x[j]
                j -= 1
            x[j + 1] = key
    else:
        qsort(x, m, sizeof(uint64_t), compare_uint64)
    kept = 0
    for i in range(m):
        if kept == 0 or x[i] != x[kept - 1]:
            x[kept] = x[i]
            kept += 1
    return kept


cdef int64_t merge_unique(const uint64_t* a, int64_t na, const uint64_t* b, int64_t nb,
                          uint64_t* out) noexcept nogil:
    """The sorted union of two sorted, repeat-free lists into ``out``; returns its length."""
    cdef int64_t i = 0, j = 0, m = 0
    while i < na and j < nb:
        if a[i] < b[j]:
            out[m] = a[i]
            i += 1
        elif b[j] < a[i]:
            out[m] = b[j]
            j += 1
        else:
            out[m] = a[i]
            i += 1
            j += 1
        m += 1
    while i < na:
        out[m] = a[i]
        i += 1
        m += 1
    while j < nb:
        out[m] = b[j]
        j += 1
        m += 1
    return m


cdef int sparse_dp(Multiset* ms, int64_t room, int64_t* hs, int64_t* counts, uint64_t* res,
                   uint64_t* scratch) noexcept nogil:
    """The dominance DP with each state's residues as a sorted list ``res[s * room:]`` of
    ``counts[s]`` entries. Returns 1 as soon as a state would need more than ``room``.

    Residues are uint64: with ``b = 63``, ``r + (r ^ v)`` needs all 64 bits. ``scratch`` holds
    ``4 * room`` words.
    """
    cdef int64_t b = ms.b, s, d, k, c, nc, nplain, m, ns
    cdef uint64_t mask = ((<uint64_t>1) << b) - 1, r, t, v
    cdef int64_t h, nh
    cdef uint64_t* carried = scratch
    cdef uint64_t* plain = scratch + room
    cdef uint64_t* merged = scratch + 2 * room
    cdef uint64_t* img
    cdef uint64_t* src
    cdef uint64_t* dst
    for s in range(ms.S):
        hs[s] = -1
        counts[s] = 0
    hs[0] = 0
    counts[0] = 1
    res[0] = 0
    for s in range(ms.S):
        h = hs[s]
        c = counts[s]
        src = res + s * room
        for d in range(ms.D):
            if ms.digit[d] == ms.cnt[d]:
                continue
            v = <uint64_t>ms.vals[d]
            nc = 0
            nplain = 0
            for k in range(c):
                r = src[k]
                t = r + (r ^ v)
                if t >> b:
                    carried[nc] = t & mask
                    nc += 1
                else:
                    plain[nplain] = t
                    nplain += 1
            if nc:
                img, m, nh = carried, sort_unique(carried, nc), 2 * h + 1
            else:
                img, m, nh = plain, sort_unique(plain, nplain), 2 * h
            ns = s + ms.stride[d]
            dst = res + ns * room
            if nh > hs[ns]:
                hs[ns] = nh
                memcpy(dst, img, m * sizeof(uint64_t))
                counts[ns] = m
            elif nh == hs[ns]:
                m = merge_unique(dst, counts[ns], img, m, merged)
                if m > room:
                    return 1
                memcpy(dst, merged, m * sizeof(uint64_t))
                counts[ns] = m
        advance(ms)
    return 0


cdef int64_t highest_residue(const uint64_t* words, int64_t W) noexcept nogil:
    cdef int64_t w
    for w in range(W - 1, -1, -1):
        if words[w]:
            return w * 64 + 63 - clz64(words[w])
    return -1


# --- shared entry points -------------------------------------------------------------------

cdef int solve(Multiset* ms, int method, int64_t room, char* table, int64_t* h,
               int64_t* r) noexcept nogil:
    """Run one DP in ``table`` (:func:`table_size` bytes); the best state is ``(h, r)``.

    ``room`` is 0 for bitsets, else the sparse capacity. Returns 0, or 1 when a sparse set
    needed more than ``room`` residues (nothing in ``h``, ``r`` then).
    """
    cdef int64_t* hs
    cdef uint64_t* sets
    cdef int64_t d
    for d in range(ms.D):  # the odometer starts at the empty multiset (a retry reuses ms)
        ms.digit[d] = 0
    if method == RESIDUE:
        residue_dp(ms, <int32_t*>table)
        residue_best(ms, <int32_t*>table, h, r)
        return 0
    hs = <int64_t*>table
    sets = <uint64_t*>(hs + ms.S)
    if room:
        if sparse_dp(ms, room, hs, hs + ms.S, sets + ms.S, sets + ms.S + ms.S * room):
            return 1
        h[0] = hs[ms.S - 1]
        r[0] = <int64_t>(sets + ms.S + (ms.S - 1) * room)[hs[ms.S + ms.S - 1] - 1]
        return 0
    dominance_dp(ms, hs, sets, sets + ms.S * ms.W)
    h[0] = hs[ms.S - 1]
    r[0] = highest_residue(sets + (ms.S - 1) * ms.W, ms.W)
    return 0


# Residues a sparse set holds at first; doubled while an instance needs more. A variable, not
# a constant, so that the tests can start tiny and make nearly every DP regrow.
cdef int64_t START_ROOM = 64


cdef inline int64_t start_room(int64_t bits, int method) noexcept nogil:
    """The one place that chooses the residue sets: 0 = bitsets, else a sparse list's room."""
    return 0 if method == RESIDUE or bits <= NARROW_BITS else START_ROOM


def set_start_room(int64_t room):
    """Set the first room of sparse sets (tests only); returns the previous value."""
    global START_ROOM
    previous, START_ROOM = START_ROOM, max(room, 1)
    return previous


cdef inline void attach(Multiset* ms, int64_t* buf, int64_t longest) noexcept nogil:
    """Point ``ms``'s arrays into ``buf`` (``scratch_words(longest)`` int64 words).

    The first ``longest + 1`` words stay free for ``build_multiset``'s sorted copy.
    """
    ms.vals = buf + longest + 1
    ms.cnt = ms.vals + longest
    ms.stride = ms.cnt + longest
    ms.digit = ms.stride + longest


cdef inline int64_t scratch_words(int64_t longest) noexcept nogil:
    return 5 * longest + 1


def room_for(bits, int method):
    """The room a first table gives each residue set (0: bitsets of ``2**bits`` residues)."""
    return start_room(bits, method)


def next_room(states, bits, int method, room):
    """The room of the next attempt after ``room`` was too small: double it, or bitsets (0)
    once those are the smaller table."""
    room = 2 * int(room)
    return 0 if table_size(states, bits, method, room) >= table_size(states, bits, method, 0) \
        else room


def shapes(const int64_t[::1] values, const int64_t[::1] offsets):
    """Per instance: the number of DP states (capped at 2**62) and the residue bits ``b``."""
    cdef Py_ssize_t k = offsets.shape[0] - 1, i, n, longest = 0
    for i in range(k):
        longest = max(longest, offsets[i + 1] - offsets[i])
    out_states = np.empty(k, dtype=np.int64)
    out_bits = np.empty(k, dtype=np.int64)
    cdef int64_t[::1] states = out_states, bits = out_bits
    cdef Multiset ms
    cdef const int64_t* base = &values[0] if values.shape[0] else NULL
    cdef int64_t* buf = <int64_t*>malloc(scratch_words(longest) * sizeof(int64_t))
    if buf == NULL:
        raise MemoryError()
    attach(&ms, buf, longest)
    try:
        with nogil:
            for i in range(k):
                n = offsets[i + 1] - offsets[i]
                build_multiset(base + offsets[i], n, buf, &ms)
                states[i] = ms.S
                bits[i] = ms.b
    finally:
        free(buf)
    return out_states, out_bits


def best(const int64_t[::1] a, int method, limit, bint with_order=False):
    """The optimum of one instance as ``(h, r, b, steps, None)``: the score is ``h * 2**b + r``.

    The multiset is built once; tables are tried from :func:`room_for` on, each one's
    :func:`table_size` checked against ``limit`` bytes before it is allocated. When the next
    table would exceed it, nothing more is allocated and the result is
    ``(None, None, b, None, (bytes, states, room))`` for the caller's error. With
    ``with_order``, ``steps`` holds the values of ``a`` in an optimal order (int64), read
    back from the table: from the best final ``(h, r)``, step to the first predecessor
    (lowest distinct value, then lowest residue) that reproduces it - one exists because
    every stored ``h`` is a maximum over predecessors. Without it, ``steps`` is None.
    """
    cdef Multiset ms
    cdef int64_t n = a.shape[0], h = 0, r = 0, room
    cdef int64_t* buf = <int64_t*>malloc(scratch_words(n) * sizeof(int64_t))
    cdef char* table = NULL
    cdef int status = 1
    if buf == NULL:
        raise MemoryError()
    attach(&ms, buf, n)
    steps = np.empty(n, dtype=np.int64)
    cdef int64_t[::1] step_value = steps
    try:
        build_multiset(&a[0] if n else NULL, n, buf, &ms)
        room = start_room(ms.b, method)
        while status:
            nbytes = table_size(ms.S, ms.b, method, room)
            if nbytes > limit:
                return None, None, ms.b, None, (nbytes, ms.S, room)
            table = <char*>malloc(nbytes)
            if table == NULL:
                raise MemoryError()
            with nogil:
                status = solve(&ms, method, room, table, &h, &r)
                if with_order and status == 0:
                    walk_back(&ms, method, room, table, h, r, &step_value[0] if n else NULL)
            if status:
                free(table)
                table = NULL
                room = next_room(ms.S, ms.b, method, room)
    finally:
        free(table)
        free(buf)
    return h, r, ms.b, steps if with_order else None, None


cdef inline bint leads_to(uint64_t q, int64_t hp, uint64_t v, uint64_t r, int64_t h,
                          int64_t b) noexcept nogil:
    """Whether applying ``v`` to the state ``(hp, q)`` gives ``(h, r)``."""
    cdef uint64_t t = q + (q ^ v)
    return (t & (((<uint64_t>1) << b) - 1)) == r and 2 * hp + <int64_t>(t >> b) == h


cdef void walk_back(Multiset* ms, int method, int64_t room, char* table, int64_t h, int64_t r,
                    int64_t* step_value) noexcept nogil:
    """Fill ``step_value[0:n]`` with the values of an optimal order, first to last."""
    cdef int64_t R = (<int64_t>1) << ms.b if ms.b < 63 else 0, b = ms.b
    cdef int64_t s = ms.S - 1, step, d = 0, p = 0, k, hp = 0, v = 0
    cdef uint64_t q = 0
    cdef int found
    cdef int32_t* dp = <int32_t*>table
    cdef int64_t* hs = <int64_t*>table
    cdef uint64_t* sets = <uint64_t*>(hs + ms.S)
    cdef int64_t* counts = hs + ms.S
    cdef uint64_t* res = sets + ms.S
    for d in range(ms.D):
        ms.digit[d] = ms.cnt[d]
    for step in range(ms.n - 1, -1, -1):
        found = 0
        for d in range(ms.D):
            if ms.digit[d] == 0:
                continue
            p = s - ms.stride[d]
            v = ms.vals[d]
            if method == RESIDUE:
                for q in range(<uint64_t>R):
                    hp = dp[p * R + q]
                    if hp >= 0 and leads_to(q, hp, v, r, h, b):
                        found = 1
                        break
            elif room:
                hp = hs[p]
                for k in range(counts[p]):
                    q = res[p * room + k]
                    if leads_to(q, hp, v, r, h, b):
                        found = 1
                        break
            else:
                hp = hs[p]
                for q in range(<uint64_t>R):
                    if ((sets[p * ms.W + (q >> 6)] >> (q & 63)) & 1
                            and leads_to(q, hp, v, r, h, b)):
                        found = 1
                        break
            if found:
                break
        # found is always set: the table's maxima come from some predecessor.
        step_value[step] = v
        ms.digit[d] -= 1
        s = p
        h = hp
        r = <int64_t>q


def best_batch(const int64_t[::1] values, const int64_t[::1] offsets, int method,
               int64_t[::1] out_h, int64_t[::1] out_r, int64_t[::1] out_b,
               Py_ssize_t scratch_bytes, int num_threads, int64_t[::1] out_steps=None):
    """Solve instances ``values[offsets[i]:offsets[i + 1]]`` in parallel (``prange``).

    Each thread owns one block of ``scratch_bytes`` (at least the largest instance's first
    table, :func:`room_for`) plus the multiset arrays for the longest instance, allocated here
    before the parallel region; the GIL is released throughout. An instance whose sparse sets
    need more room than its first table gives gets ``out_b[i] = -1``, for the caller to solve
    on its own (:func:`best`). With ``out_steps`` (as long as ``values``), instance ``i``'s
    optimal sequence of values is written to ``out_steps[offsets[i]:offsets[i + 1]]``.
    """
    cdef Py_ssize_t k = offsets.shape[0] - 1, i, longest = 0
    cdef int64_t* steps = NULL
    if out_steps is not None and out_steps.shape[0] > 0:
        steps = &out_steps[0]
    cdef int tid
    for i in range(k):
        longest = max(longest, offsets[i + 1] - offsets[i])
    scratch_bytes = (scratch_bytes + 63) // 64 * 64  # keep the int64 arrays after it aligned
    cdef Py_ssize_t per_thread = scratch_bytes + scratch_words(longest) * sizeof(int64_t)
    per_thread = (per_thread + 63) // 64 * 64
    cdef char* scratch = <char*>malloc(per_thread * num_threads)
    if scratch == NULL:
        raise MemoryError()
    cdef Multiset* multisets = <Multiset*>malloc(num_threads * sizeof(Multiset))
    if multisets == NULL:
        free(scratch)
        raise MemoryError()
    cdef const int64_t* base = &values[0] if values.shape[0] else NULL
    try:
        for tid in range(num_threads):
            attach(&multisets[tid], <int64_t*>(scratch + tid * per_thread + scratch_bytes),
                   longest)
        with nogil:
            for i in prange(k, num_threads=num_threads, schedule="dynamic"):
                solve_instance(base, offsets[i], offsets[i + 1] - offsets[i], method,
                               &multisets[threadid()],
                               scratch + threadid() * per_thread, scratch_bytes,
                               &out_h[i], &out_r[i], &out_b[i],
                               steps + offsets[i] if steps != NULL else NULL)
    finally:
        free(multisets)
        free(scratch)


cdef void solve_instance(const int64_t* values, int64_t start, int64_t n, int method,
                         Multiset* ms, char* table, Py_ssize_t scratch_bytes,
                         int64_t* h, int64_t* r, int64_t* b, int64_t* steps) noexcept nogil:
    build_multiset(values + start, n, <int64_t*>(table + scratch_bytes), ms)
    cdef int64_t room = start_room(ms.b, method)
    if solve(ms, method, room, table, h, r):
        b[0] = -1
        return
    b[0] = ms.b
    if steps != NULL:
        walk_back(ms, method, room, table, h[0], r[0], steps)


def table_size(states, bits, int method, room):
    """Bytes of one DP table with ``states`` states and ``bits`` residue bits (exact Python int).

    The layouts: residue ``int32[S][R]``; dominance with bitsets (``room == 0``): ``int64 h[S]``,
    ``uint64 sets[S][W]`` and two scratch sets of ``W`` words (``R = 2**bits``,
    ``W = ceil(R / 64)``); dominance with sparse sets of ``room > 0`` residues: ``int64 h[S]``,
    ``int64 counts[S]``, ``uint64 residues[S][room]`` and ``4 room`` scratch words.
    """
    states, bits, room = int(states), int(bits), int(room)
    if method == RESIDUE:
        return states * (1 << bits) * 4
    if room:
        return states * (16 + 8 * room) + 32 * room
    words = 1 if bits <= 6 else 1 << (bits - 6)
    return states * (8 + 8 * words) + 16 * words


METHODS = {"residue": RESIDUE, "dominance": DOMINANCE}
