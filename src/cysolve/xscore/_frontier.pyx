"""XScoreGame: the layer-frontier DP, one instance and batches.

Contract trusted from :mod:`cysolve.xscore` (which checks it): values are non-negative int64,
at most 63 of them (so the high part ``h < 2**n`` fits int64 and a multiset key fits 64 bits).
The memory limit is the kernel's own business: every buffer grows on demand and every growth
is checked against ``max_bytes`` first; a refused growth ends the solve and reports the bytes
it would have needed. Nothing else here raises on bad data; it is never given any.

Write ``x = h * R + r`` with ``R = 2**b``, ``b`` the bit length of ``max(a)`` (at least 1). A
step with value ``v`` maps residue ``r`` to ``t = r + (r ^ v) = v + 2 * (r & ~v) < 2R``: the
new residue is ``t mod R``, the new high part ``2h + (t >> b)`` (``t >> b`` is the carry).

The layer frontier (why only the max-``h`` states of a layer matter):

1. A layer-``k`` state (``k`` values used, high part ``h_k``) is completed by the ``n - k``
   remaining values in some order; each step doubles the high part and adds a carry bit.
2. So the final ``x = (h_k * 2**(n-k) + c) * R + r`` with future carries ``c < 2**(n-k)``
   and final residue ``r < R``.
3. If ``h_k < H_k`` (the largest ``h`` in layer ``k``), then ``h_k <= H_k - 1`` and its best
   final ``x < (h_k + 1) * 2**(n-k) * R <= H_k * 2**(n-k) * R``, which any completion of a
   max-``h`` state reaches or beats, whatever the multisets.
4. Hence only the states of layer ``k`` with ``h = H_k`` can lead to an optimum: expanding
   them by every available value gives every candidate of layer ``k + 1``; if any child
   carries, ``H_{k+1} = 2 H_k + 1`` and only carrying children survive, else
   ``H_{k+1} = 2 H_k`` and all do. Children with the same multiset merge (union of residues).
5. The optimum is ``H_n * R + max residue of the one final state``. The frontier is a subset
   of the dominance DP's layer (same states, fewer of them), so it never holds more.

Layout. A multiset is one uint64 key with a bit field per distinct value (``bit_length(count)``
bits each, at most ``n <= 63`` in all). The values still available are the fields below
their count, found for every field at once from ``left = full - key`` (the copies left): a
field is non-zero iff adding ``lows`` (its bits below the top one) carries into its top bit,
or that bit is set already. So a mask of values is kept in "top bit" positions (value ``d`` is
bit ``top[d]``; ``pos`` maps a position back to ``d``) and is never stored: a state is its key
and its residue set. A residue set is ``W = ceil(R / 64)`` words for ``b <= 12`` (records
``[key, set[W]]``) and, for wider values, one ``(key, residue)`` pair per residue, pairs kept
sorted (the sparse residue lists). A per-residue table of the values that carry (``b <= 12``)
decides whether a layer carries before any child is written. Children merge in an
open-addressing hash table on the key while a layer is small; above ``BUCKET_FROM`` children
(one-word sets) they are first written, once, into buckets by the top bits of the key's
hash, and each bucket is merged in a small table that stays in cache (streaming writes
beat random probes once the table outgrows the caches).

Cost, and why there is no per-instance switch to the dominance DP: a frontier is a subset of
the dominance DP's layer and each of its states costs the same kind of work (one residue-set
image and one merge per child), so it never holds more states. Measured against the dominance
kernel on the worst inputs found (distinct values from 16..47 or 21..50 at n = 20, distinct
values up to 1023 or 4095, wide values, powers of two, one value repeated, tiny n), it took
0.01-0.5 of the dominance time; so ``method="frontier"`` always runs the frontier.

Orders: with ``keep``, every layer stays in the pool (memory = sum of the frontiers) and the
walk back makes one pass over each layer for a parent state: its key is the current key less
one copy of some value, and it holds a residue that value maps onto the current one with the
layer's carry (cost: about one solve's reads).

Buffers start at what the instance asks for (no fixed minimum), so a tiny instance runs
within a tiny ``max_bytes``.
"""

from libc.stdint cimport int64_t, uint64_t
from libc.stdlib cimport calloc, free, qsort, realloc
from libc.string cimport memmove, memset

from cython.parallel cimport prange, threadid

import numpy as np

from cysolve._native cimport clz64, ctz64, popcount64

cdef enum:
    # Residue sets of up to 2**12 bits are bitsets; wider values use sorted pairs.
    NARROW_BITS = 12
    MAX_N = 63
    OK = 0
    OVER_LIMIT = 1
    NO_MEMORY = 2
    BUCKET_FROM = 16384

cdef uint64_t GOLDEN = 0x9E3779B97F4A7C15ULL


ctypedef struct Values:
    int64_t n            # number of values
    int64_t D            # distinct values
    int64_t b            # residue bits: bit length of the largest value, at least 1
    int64_t W            # words per residue set (narrow values)
    int64_t keybits      # bits of a key: the sum of the fields' widths
    uint64_t full        # the key of every value used
    uint64_t lows        # every field's bits below its top bit
    uint64_t highs       # every field's top bit
    uint64_t starts      # every field's lowest bit (one copy of its value)
    uint64_t rmask       # 2**b - 1: a residue's bits
    uint64_t vals[MAX_N]   # distinct values, ascending
    uint64_t shift[MAX_N]  # where each value's count sits in a key
    uint64_t field[MAX_N]  # each value's field, in place
    uint64_t top[MAX_N]    # each field's top bit position
    uint64_t cmask[MAX_N]  # b <= 6: the residues each value carries
    unsigned char pos[64]  # top bit position -> distinct value
    unsigned char at[64]   # lowest bit position -> distinct value


ctypedef struct Frontier:
    uint64_t* pool       # the layers: records [key, set[W]] (narrow) or pairs (wide)
    uint64_t* table      # hash table [key, epoch << 32 | index], or buckets of children
    uint64_t* scratch    # per-state carrying masks, a residue image, bucket offsets
    uint64_t* carry      # carry[r]: bit top[d] set when value d carries residue r (narrow)
    int64_t pool_bytes, table_bytes, scratch_bytes, carry_bytes
    int64_t limit        # bytes all four buffers may hold together
    int64_t needed       # after OVER_LIMIT: the bytes the refused growth asked for in all
    int64_t bucket_from    # children from which a layer is merged in buckets (one-word sets)
    uint64_t epoch       # the hash table's live entries carry this in their high 32 bits
    int table_dirty      # the table buffer held children: clear it before hashing
    int64_t table_clean  # bytes at the table's start that hold only zeros or older epochs
    int64_t start[MAX_N + 1]    # first record / pair of each layer in the pool
    int64_t count[MAX_N + 1]    # records / pairs in each layer
    int64_t carries[MAX_N + 1]  # 1 when layer k's high part is 2 H + 1


cdef int64_t bit_length(uint64_t v) noexcept nogil:
    return 0 if v == 0 else 64 - clz64(v)


cdef void build_values(const int64_t* a, int64_t n, Values* vs) noexcept nogil:
    """Distinct values and key fields of ``a[:n]`` (``n <= 63``)."""
    cdef uint64_t s[MAX_N]
    cdef uint64_t cnt[MAX_N]
    cdef uint64_t key
    cdef int64_t i, j, d = -1, at = 0, w
    for i in range(n):  # insertion sort: n <= 63
        key = <uint64_t>a[i]
        j = i - 1
        while j >= 0 and s[j] > key:
            s[j + 1] = s[j]
            j -= 1
        s[j + 1] = key
    for i in range(n):
        if d < 0 or s[i] != vs.vals[d]:
            d += 1
            vs.vals[d] = s[i]
            cnt[d] = 0
        cnt[d] += 1
    vs.n = n
    vs.D = d + 1
    vs.full = vs.lows = vs.highs = vs.starts = 0
    for d in range(vs.D):
        w = bit_length(cnt[d])
        vs.shift[d] = at
        vs.field[d] = (((<uint64_t>1) << w) - 1) << at
        vs.top[d] = at + w - 1
        vs.pos[at + w - 1] = <unsigned char>d
        vs.at[at] = <unsigned char>d
        vs.starts |= (<uint64_t>1) << at
        vs.full |= cnt[d] << at
        vs.highs |= (<uint64_t>1) << (at + w - 1)
        vs.lows |= (((<uint64_t>1) << (w - 1)) - 1) << at
        at += w
    vs.keybits = at
    vs.b = bit_length(vs.vals[vs.D - 1]) if n > 0 else 1
    if vs.b < 1:
        vs.b = 1
    vs.rmask = ((<uint64_t>1) << vs.b) - 1
    vs.W = 1 if vs.b <= 6 else (<int64_t>1) << (vs.b - 6)


cdef inline uint64_t avail_of(const Values* vs, uint64_t key) noexcept nogil:
    """The values with copies left in ``key``, as a mask of field top bits."""
    cdef uint64_t left = vs.full - key
    return (((left & vs.lows) + vs.lows) | left) & vs.highs


cdef int reserve(Frontier* f, void** buf, int64_t* have, int64_t need) noexcept nogil:
    """Make ``buf`` hold ``need`` bytes (contents kept), doubling, within ``f.limit``."""
    cdef int64_t others, want
    cdef void* p
    if need <= have[0]:
        return OK
    others = f.pool_bytes + f.table_bytes + f.scratch_bytes + f.carry_bytes - have[0]
    want = 2 * have[0]
    if want < need:
        want = need
    if others + want > f.limit:
        want = need
        if others + want > f.limit:
            f.needed = others + need
            return OVER_LIMIT
    p = realloc(buf[0], want)
    if p == NULL:
        f.needed = others + need
        return NO_MEMORY
    buf[0] = p
    have[0] = want
    return OK


cdef void release(Frontier* f) noexcept nogil:
    free(f.pool)
    free(f.table)
    free(f.scratch)
    free(f.carry)
    f.pool = f.table = f.scratch = f.carry = NULL
    f.pool_bytes = f.table_bytes = f.scratch_bytes = f.carry_bytes = 0
    f.epoch = 0
    f.table_clean = 0


# --- narrow values: bitset records -----------------------------------------------------------

cdef inline uint64_t image1(uint64_t word, uint64_t v, int64_t b, int carries,
                            uint64_t cmask) noexcept nogil:
    """The one-word residue set ``word`` mapped through ``v``: when the layer carries, the
    images of the residues in ``cmask`` (those ``v`` carries), else of every residue (none
    carries then)."""
    cdef uint64_t img = 0, r, mask = ((<uint64_t>1) << b) - 1
    if carries:
        word &= cmask
        while word:
            r = ctz64(word)
            word &= word - 1
            img |= (<uint64_t>1) << ((r + (r ^ v)) & mask)
    else:
        while word:
            r = ctz64(word)
            word &= word - 1
            img |= (<uint64_t>1) << (r + (r ^ v))
    return img


cdef void image_words(const uint64_t* src, uint64_t* out, int64_t W, uint64_t v, int64_t b,
                      int carries) noexcept nogil:
    """:func:`image1` for sets of ``W`` words."""
    cdef int64_t w
    cdef uint64_t word, r, t, mask = ((<uint64_t>1) << b) - 1
    memset(out, 0, 8 * W)
    for w in range(W):
        word = src[w]
        while word:
            r = <uint64_t>(w * 64 + ctz64(word))
            word &= word - 1
            t = r + (r ^ v)
            if carries:
                if t >> b:
                    t &= mask
                    out[t >> 6] |= (<uint64_t>1) << (t & 63)
            else:
                out[t >> 6] |= (<uint64_t>1) << (t & 63)


cdef int clear_table(Frontier* f, int64_t tcap) noexcept nogil:
    """An empty hash table of ``tcap`` entries ``[key, epoch << 32 | index]``: entries of
    other epochs count as empty, so a new layer only bumps the epoch; only the part of the
    buffer never cleared since it last held children (or since the epochs wrapped) is
    cleared, not the whole buffer."""
    cdef int status = reserve(f, <void**>&f.table, &f.table_bytes, 16 * tcap)
    if status:
        return status
    if f.table_dirty or f.epoch >= 0xFFFFFFFFULL:
        f.table_clean = 0
        f.epoch = 0
        f.table_dirty = 0
    if f.table_clean < 16 * tcap:
        memset(<char*>f.table + f.table_clean, 0, 16 * tcap - f.table_clean)
        f.table_clean = 16 * tcap
    f.epoch += 1
    return OK


cdef inline int64_t slot_of(uint64_t key, int64_t tbits) noexcept nogil:
    return <int64_t>((key * GOLDEN) >> (64 - tbits))


cdef inline uint64_t* probe(uint64_t* table, uint64_t key, int64_t slot, int64_t tmask,
                            uint64_t epoch) noexcept nogil:
    """The entry of ``key`` in an open-addressing table of ``[key, epoch << 32 | index]``
    pairs (linear probing from ``slot``), or the empty entry (another epoch) it would take."""
    cdef uint64_t* e
    while True:
        e = table + 2 * slot
        if e[1] >> 32 != epoch or e[0] == key:
            return e
        slot = (slot + 1) & tmask


cdef int rehash(Frontier* f, int64_t tbits, const uint64_t* records, int64_t count,
                int64_t RW) noexcept nogil:
    """A hash table of ``2**tbits`` entries (a new epoch) holding the keys of ``records``
    (``count`` records of ``RW`` words from the layer's start): empty for a new layer, the
    layer so far when the table doubles."""
    cdef int64_t j
    cdef uint64_t* e
    cdef int status = clear_table(f, (<int64_t>1) << tbits)
    if status:
        return status
    for j in range(count):
        e = probe(f.table, records[j * RW], slot_of(records[j * RW], tbits),
                  ((<int64_t>1) << tbits) - 1, f.epoch)
        e[0] = records[j * RW]
        e[1] = (f.epoch << 32) | <uint64_t>j
    return OK


cdef int narrow_layer(Values* vs, Frontier* f, int64_t k, bint keep) noexcept nogil:
    """Build layer ``k + 1`` from layer ``k`` (records ``[key, set[W]]``)."""
    cdef int64_t W = vs.W, RW = vs.W + 1
    cdef int64_t m = f.count[k], s0 = f.start[k], s1 = s0 + m
    cdef int64_t i, w, d, nm = 0, tbits = 2, tcap, nchild = 0
    cdef uint64_t word, acc, el, key, ckey, img = 0, epoch
    cdef uint64_t* rec
    cdef uint64_t* out
    cdef uint64_t* e
    cdef uint64_t* image
    cdef uint64_t* cm
    cdef int status, carries = 0
    status = reserve(f, <void**>&f.scratch, &f.scratch_bytes, 8 * (m + W))
    if status:
        return status
    cm = f.scratch
    image = f.scratch + m
    # Pass 1: the values each state could carry with; the layer carries if any state can.
    for i in range(m):
        rec = f.pool + (s0 + i) * RW
        acc = 0
        if W == 1:  # the common case, without the loop over words
            word = rec[1]
            while word:
                acc |= f.carry[ctz64(word)]
                word &= word - 1
        else:
            for w in range(W):
                word = rec[1 + w]
                while word:
                    acc |= f.carry[w * 64 + ctz64(word)]
                    word &= word - 1
        cm[i] = acc & avail_of(vs, rec[0])
        if cm[i]:
            carries = 1
    nchild = m * vs.D  # a bound, unless counted
    if W == 1 and nchild >= f.bucket_from:
        nchild = 0
        for i in range(m):
            nchild += popcount64(cm[i] if carries else avail_of(vs, f.pool[2 * (s0 + i)]))
        if nchild >= f.bucket_from:
            status = partitioned_children(vs, f, k, keep, carries, nchild)
            if status != OVER_LIMIT:
                return status
            free(f.table)  # the buckets did not fit: merge in the (smaller) hash table instead
            f.table = NULL
            f.table_bytes = f.table_clean = 0
    while (<int64_t>1 << tbits) < 4 * m and (W > 1 or (<int64_t>1 << tbits) < 2 * nchild):
        tbits += 1
    tcap = (<int64_t>1) << tbits
    status = rehash(f, tbits, f.pool + s1 * RW, 0, RW)
    if status:
        return status
    epoch = f.epoch
    # Pass 2: every surviving child, merged by key (indices fit 32 bits: the pool would not).
    for i in range(m):
        rec = f.pool + (s0 + i) * RW
        key = rec[0]
        el = cm[i] if carries else avail_of(vs, key)
        while el:
            d = vs.pos[ctz64(el)]
            el &= el - 1
            if W == 1:
                img = image1(rec[1], vs.vals[d], vs.b, carries, vs.cmask[d])
            else:
                image_words(rec + 1, image, W, vs.vals[d], vs.b, carries)
            ckey = key + ((<uint64_t>1) << vs.shift[d])
            e = probe(f.table, ckey, slot_of(ckey, tbits), tcap - 1, epoch)
            if e[1] >> 32 != epoch and 2 * (nm + 1) > tcap:
                # Keep the load under 1/2: double the table and rehash the layer so far.
                tbits += 1
                tcap *= 2
                status = rehash(f, tbits, f.pool + s1 * RW, nm, RW)
                if status:
                    return status
                epoch = f.epoch
                e = probe(f.table, ckey, slot_of(ckey, tbits), tcap - 1, epoch)
            if e[1] >> 32 == epoch:
                out = f.pool + (s1 + <int64_t>(e[1] & 0xFFFFFFFFULL)) * RW
                if W == 1:
                    out[1] |= img
                else:
                    for w in range(W):
                        out[1 + w] |= image[w]
                continue
            status = reserve(f, <void**>&f.pool, &f.pool_bytes, 8 * (s1 + nm + 1) * RW)
            if status:
                return status
            rec = f.pool + (s0 + i) * RW  # the pool may have moved
            out = f.pool + (s1 + nm) * RW
            out[0] = ckey
            if W == 1:
                out[1] = img
            else:
                for w in range(W):
                    out[1 + w] = image[w]
            e[0] = ckey
            e[1] = (epoch << 32) | <uint64_t>nm
            nm += 1
    f.carries[k + 1] = carries
    f.count[k + 1] = nm
    if keep:
        f.start[k + 1] = s1
    else:
        memmove(f.pool, f.pool + s1 * RW, 8 * nm * RW)
        f.start[k + 1] = 0
    return OK


cdef int partitioned_children(Values* vs, Frontier* f, int64_t k, bint keep, int carries,
                              int64_t nchild) noexcept nogil:
    """Layer ``k + 1`` for one-word sets with many children: count the children per bucket
    (the top ``pbits`` bits of their key's hash), write each ``[key, set]`` once into its
    bucket, then merge bucket by bucket in a small hash table that stays in cache (indexed by
    the next bits of the same hash). Streaming writes instead of random probes into a table
    larger than the caches. Once the children are in their buckets the parents are not read
    again, so without ``keep`` the new layer is written over them, at the pool's start."""
    cdef int64_t m = f.count[k], s0 = f.start[k], s1 = s0 + m if keep else 0
    cdef int64_t i, j, d, q, c, lo, nm = 0, most = 0, pbits = 0, tb = 4, nb
    cdef uint64_t key, ckey, el, h, epoch = 0
    cdef uint64_t* rec
    cdef uint64_t* kids
    cdef uint64_t* e
    cdef uint64_t* cm
    cdef int64_t* off
    cdef int status
    while (nchild >> pbits) > 2048 and pbits < 12:
        pbits += 1
    nb = (<int64_t>1) << pbits
    status = reserve(f, <void**>&f.scratch, &f.scratch_bytes, 8 * (m + vs.W + nb + 1))
    if status:
        return status
    cm = f.scratch
    off = <int64_t*>(f.scratch + m + vs.W)
    memset(off, 0, 8 * (nb + 1))
    for i in range(m):
        key = f.pool[2 * (s0 + i)]
        el = cm[i] if carries else avail_of(vs, key)
        while el:
            d = vs.pos[ctz64(el)]
            el &= el - 1
            h = (key + ((<uint64_t>1) << vs.shift[d])) * GOLDEN
            off[(h >> (64 - pbits) if pbits else 0) + 1] += 1
    for q in range(nb):
        if off[q + 1] > most:
            most = off[q + 1]
        off[q + 1] += off[q]
    while (<int64_t>1 << tb) < 2 * most:
        tb += 1
    if 16 * (((<int64_t>1) << tb) + nchild) > f.table_bytes:
        free(f.table)  # its contents are not needed: do not let realloc copy them
        f.table = NULL
        f.table_bytes = 0
    status = reserve(f, <void**>&f.table, &f.table_bytes, 16 * (((<int64_t>1) << tb) + nchild))
    if status:
        return status
    f.table_dirty = 1
    memset(f.table, 0, 16 << tb)
    kids = f.table + (2 << tb)
    for i in range(m):
        rec = f.pool + 2 * (s0 + i)
        key = rec[0]
        el = cm[i] if carries else avail_of(vs, key)
        while el:
            d = vs.pos[ctz64(el)]
            el &= el - 1
            ckey = key + ((<uint64_t>1) << vs.shift[d])
            h = ckey * GOLDEN
            q = <int64_t>(h >> (64 - pbits)) if pbits else 0
            c = off[q]
            off[q] = c + 1
            kids[2 * c] = ckey
            kids[2 * c + 1] = image1(rec[1], vs.vals[d], vs.b, carries, vs.cmask[d])
    # off[q] is now where bucket q ends (and q + 1 starts).
    lo = 0
    for q in range(nb):
        epoch += 1
        for j in range(lo, off[q]):
            ckey = kids[2 * j]
            e = probe(f.table, ckey, <int64_t>(((ckey * GOLDEN) << pbits) >> (64 - tb)),
                      ((<int64_t>1) << tb) - 1, epoch)
            if e[1] >> 32 == epoch:
                f.pool[2 * (s1 + <int64_t>(e[1] & 0xFFFFFFFFULL)) + 1] |= kids[2 * j + 1]
                continue
            status = reserve(f, <void**>&f.pool, &f.pool_bytes, 16 * (s1 + nm + 1))
            if status:
                return status
            f.pool[2 * (s1 + nm)] = ckey
            f.pool[2 * (s1 + nm) + 1] = kids[2 * j + 1]
            e[0] = ckey
            e[1] = (epoch << 32) | <uint64_t>nm
            nm += 1
        lo = off[q]
    f.carries[k + 1] = carries
    f.count[k + 1] = nm
    f.start[k + 1] = s1
    return OK


cdef int narrow_solve(Values* vs, Frontier* f, bint keep, int64_t* h, int64_t* r) noexcept nogil:
    cdef int64_t R = (<int64_t>1) << vs.b, RW = vs.W + 1, q, d, k, w
    cdef uint64_t t, acc
    cdef uint64_t* last
    cdef int status = reserve(f, <void**>&f.carry, &f.carry_bytes, 8 * R)
    if status:
        return status
    if vs.W == 1:
        # One pass per value: its carrying residues (cmask), then the per-residue table from
        # their set bits (half the work of two passes; it counts at n = 15 in batches).
        memset(f.carry, 0, 8 * R)
        for d in range(vs.D):
            acc = 0
            for q in range(R):
                t = <uint64_t>q + (<uint64_t>q ^ vs.vals[d])
                acc |= (t >> vs.b) << q
            vs.cmask[d] = acc
            while acc:
                f.carry[ctz64(acc)] |= (<uint64_t>1) << vs.top[d]
                acc &= acc - 1
    else:
        for q in range(R):
            acc = 0
            for d in range(vs.D):
                t = <uint64_t>q + (<uint64_t>q ^ vs.vals[d])
                acc |= (t >> vs.b) << vs.top[d]
            f.carry[q] = acc
    status = reserve(f, <void**>&f.pool, &f.pool_bytes, 8 * RW)
    if status:
        return status
    memset(f.pool, 0, 8 * RW)
    f.pool[1] = 1  # residue 0
    f.start[0] = 0
    f.count[0] = 1
    f.carries[0] = 0
    h[0] = 0
    for k in range(vs.n):
        status = narrow_layer(vs, f, k, keep)
        if status:
            return status
        h[0] = 2 * h[0] + f.carries[k + 1]
    last = f.pool + f.start[vs.n] * RW
    for w in range(vs.W - 1, -1, -1):
        if last[1 + w]:
            r[0] = w * 64 + 63 - clz64(last[1 + w])
            break
    return OK


# --- wide values: sorted (key, residue) pairs ----------------------------------------------

cdef int compare_pairs(const void* x, const void* y) noexcept nogil:
    cdef const uint64_t* p = <const uint64_t*>x
    cdef const uint64_t* q = <const uint64_t*>y
    if p[0] != q[0]:
        return -1 if p[0] < q[0] else 1
    return (p[1] > q[1]) - (p[1] < q[1])


cdef int wide_layer(Values* vs, Frontier* f, int64_t k, bint keep) noexcept nogil:
    """Build layer ``k + 1`` from layer ``k``; a state is a run of pairs with one key."""
    cdef int64_t m = f.count[k], s0 = f.start[k], s1 = s0 + m, b = vs.b
    cdef int64_t i, j, e, d, nm = 0, kept
    cdef uint64_t mask = ((<uint64_t>1) << b) - 1, key, ckey, el, v, t
    cdef uint64_t* p
    cdef int status, carries = 0
    # Pass 1: does any child carry?
    i = 0
    while i < m and not carries:
        key = f.pool[2 * (s0 + i)]
        e = i
        while e < m and f.pool[2 * (s0 + e)] == key:
            e += 1
        el = avail_of(vs, key)
        while el and not carries:
            d = vs.pos[ctz64(el)]
            el &= el - 1
            v = vs.vals[d]
            for j in range(i, e):
                t = f.pool[2 * (s0 + j) + 1]
                if (t + (t ^ v)) >> b:
                    carries = 1
                    break
        i = e
    # Pass 2: emit every surviving (child, residue), then sort and drop repeats.
    i = 0
    while i < m:
        key = f.pool[2 * (s0 + i)]
        e = i
        while e < m and f.pool[2 * (s0 + e)] == key:
            e += 1
        el = avail_of(vs, key)
        while el:
            d = vs.pos[ctz64(el)]
            el &= el - 1
            v = vs.vals[d]
            ckey = key + ((<uint64_t>1) << vs.shift[d])
            status = reserve(f, <void**>&f.pool, &f.pool_bytes, 16 * (s1 + nm + e - i))
            if status:
                return status
            for j in range(i, e):
                t = f.pool[2 * (s0 + j) + 1]
                t = t + (t ^ v)
                if carries and not (t >> b):
                    continue
                p = f.pool + 2 * (s1 + nm)
                p[0] = ckey
                p[1] = t & mask
                nm += 1
        i = e
    p = f.pool + 2 * s1
    qsort(p, nm, 16, compare_pairs)
    kept = 0
    for j in range(nm):
        if kept == 0 or p[2 * j] != p[2 * kept - 2] or p[2 * j + 1] != p[2 * kept - 1]:
            p[2 * kept] = p[2 * j]
            p[2 * kept + 1] = p[2 * j + 1]
            kept += 1
    f.carries[k + 1] = carries
    f.count[k + 1] = kept
    if keep:
        f.start[k + 1] = s1
    else:
        memmove(f.pool, p, 16 * kept)
        f.start[k + 1] = 0
    return OK


cdef int wide_solve(Values* vs, Frontier* f, bint keep, int64_t* h, int64_t* r) noexcept nogil:
    cdef int64_t k
    cdef int status = reserve(f, <void**>&f.pool, &f.pool_bytes, 16)
    if status:
        return status
    f.pool[0] = 0
    f.pool[1] = 0
    f.start[0] = 0
    f.count[0] = 1
    f.carries[0] = 0
    h[0] = 0
    for k in range(vs.n):
        status = wide_layer(vs, f, k, keep)
        if status:
            return status
        h[0] = 2 * h[0] + f.carries[k + 1]
    # The last layer is one state; its pairs are sorted by residue.
    r[0] = <int64_t>f.pool[2 * (f.start[vs.n] + f.count[vs.n] - 1) + 1]
    return OK


cdef int64_t preimage(const Values* vs, const uint64_t* rec, uint64_t v, uint64_t r,
                      uint64_t carry) noexcept nogil:
    """A residue of the state ``rec`` that value ``v`` maps onto ``r`` with carry ``carry``,
    or -1. Narrow values: any residue of the record's set; wide: the pair's one residue."""
    cdef int64_t w, words = vs.W if vs.b <= NARROW_BITS else 0
    cdef uint64_t word, q, t
    if not words:
        t = rec[1] + (rec[1] ^ v)
        return <int64_t>rec[1] if t >> vs.b == carry and t & vs.rmask == r else -1
    for w in range(words):
        word = rec[1 + w]
        while word:
            q = <uint64_t>(w * 64 + ctz64(word))
            word &= word - 1
            t = q + (q ^ v)
            if t >> vs.b == carry and t & vs.rmask == r:
                return <int64_t>q
    return -1


cdef void walk(Values* vs, Frontier* f, int64_t r, int64_t* step_value) noexcept nogil:
    """Fill ``step_value[0:n]`` with the values of an optimal order (every layer kept).

    From the final state back, one pass over each layer finds a parent: a state whose key is
    the current key less one copy of a value ``d`` (the difference is the single bit
    ``1 << shift[d]``: any other key of that layer counts a different multiset) holding a
    residue that ``d`` maps onto the current one with the layer's carry. Cost: the sum of the
    frontiers, about what one solve reads. A parent always exists: every state of layer
    ``k`` was made from one of layer ``k - 1``.
    """
    cdef int64_t stride = vs.W + 1 if vs.b <= NARROW_BITS else 2
    cdef int64_t k, i, d = 0, q = -1
    cdef uint64_t key, diff
    cdef uint64_t* rec = f.pool + f.start[vs.n] * stride
    key = rec[0]
    for k in range(vs.n, 0, -1):
        for i in range(f.count[k - 1]):
            rec = f.pool + (f.start[k - 1] + i) * stride
            diff = key - rec[0]
            if diff & (diff - 1) or not diff & vs.starts:
                continue
            d = vs.at[ctz64(diff)]
            if not key & vs.field[d]:
                continue
            q = preimage(vs, rec, vs.vals[d], <uint64_t>r, <uint64_t>f.carries[k])
            if q >= 0:
                break
        step_value[k - 1] = <int64_t>vs.vals[d]
        key = rec[0]
        r = q


# --- entry points ---------------------------------------------------------------------------

cdef int solve(Values* vs, Frontier* f, bint keep, int64_t* h, int64_t* r) noexcept nogil:
    """The optimum ``h * 2**b + r`` of ``vs``; OK, OVER_LIMIT (``f.needed``) or NO_MEMORY."""
    r[0] = 0
    if vs.b <= NARROW_BITS:
        return narrow_solve(vs, f, keep, h, r)
    return wide_solve(vs, f, keep, h, r)


def best(const int64_t[::1] a, Py_ssize_t max_bytes, bint with_order=False,
         int64_t bucket_from=BUCKET_FROM):
    """The optimum of one instance as ``(h, r, b, steps, None)``: the score is
    ``h * 2**b + r`` (``_kernel.best``'s shape).

    Buffers grow on demand up to ``max_bytes`` in all; when a growth would pass it, nothing
    more is allocated and the result is ``(None, None, b, None, needed)``, ``needed`` the bytes
    all buffers would have held after that growth. With ``with_order``, ``steps`` holds the
    values of ``a`` in an optimal order (int64); else None. Raises MemoryError when
    ``malloc`` fails.
    ``bucket_from`` (tests only) moves the switch from one hash table to buckets.
    """
    cdef Values vs
    cdef Frontier f
    cdef int64_t n = a.shape[0], h = 0, r = 0
    cdef int status = OK
    memset(&f, 0, sizeof(Frontier))
    f.limit = max_bytes
    f.bucket_from = bucket_from
    build_values(&a[0] if n else NULL, n, &vs)
    steps = np.empty(n if with_order else 0, dtype=np.int64)
    cdef int64_t[::1] step_value = steps
    try:
        with nogil:
            status = solve(&vs, &f, with_order, &h, &r)
            if with_order and status == OK and n:
                walk(&vs, &f, r, &step_value[0])
    finally:
        release(&f)
    if status == OVER_LIMIT:
        return None, None, vs.b, None, f.needed
    if status == NO_MEMORY:
        raise MemoryError(f"the frontier needed {f.needed:,} bytes")
    return h, r, vs.b, steps if with_order else None, None


def best_batch(const int64_t[::1] values, const int64_t[::1] offsets, int64_t[::1] out_h,
               int64_t[::1] out_r, int64_t[::1] out_b, int64_t[::1] out_need,
               Py_ssize_t max_bytes_per_thread, int num_threads, int64_t[::1] steps=None):
    """Solve instances ``values[offsets[i]:offsets[i + 1]]`` in parallel (``prange``).

    Each thread keeps its own frontier buffers, grown on demand up to ``max_bytes_per_thread``
    and reused from one instance to the next; the GIL is released throughout. Row ``i`` gets
    ``out_b[i] = b`` and the optimum ``out_h[i] * 2**b + out_r[i]``, or ``out_b[i] = -1`` and
    ``out_need[i]`` = the bytes it would have needed when that is over the limit (``-2``: the
    system refused the memory). Built without OpenMP, ``prange`` runs serially. With ``steps``
    (as long as ``values``), each row's layers are kept and walked back: ``steps`` gets the
    row's values in an optimal order, at the row's offsets.
    """
    cdef Py_ssize_t k = offsets.shape[0] - 1, i
    cdef int tid
    cdef const int64_t* base = &values[0] if values.shape[0] else NULL
    cdef int64_t* walk = NULL
    if steps is not None and steps.shape[0]:
        walk = &steps[0]
    cdef Frontier* fronts = <Frontier*>calloc(num_threads, sizeof(Frontier))
    cdef Values* vss = <Values*>calloc(num_threads, sizeof(Values))
    if fronts == NULL or vss == NULL:
        free(fronts)
        free(vss)
        raise MemoryError()
    for tid in range(num_threads):
        fronts[tid].limit = max_bytes_per_thread
        fronts[tid].bucket_from = BUCKET_FROM
    try:
        with nogil:
            for i in prange(k, num_threads=num_threads, schedule="dynamic"):
                solve_row(base + offsets[i], offsets[i + 1] - offsets[i],
                          &vss[threadid()], &fronts[threadid()],
                          &out_h[i], &out_r[i], &out_b[i], &out_need[i],
                          walk + offsets[i] if walk != NULL else NULL)
    finally:
        for tid in range(num_threads):
            release(&fronts[tid])
        free(fronts)
        free(vss)


cdef void solve_row(const int64_t* a, int64_t n, Values* vs, Frontier* f, int64_t* h,
                    int64_t* r, int64_t* b, int64_t* need, int64_t* steps) noexcept nogil:
    cdef int status
    cdef bint keep = steps != NULL
    build_values(a, n, vs)
    status = solve(vs, f, keep, h, r)
    if status != OK:
        # Buffers kept from earlier rows count against the limit: retry from none, and leave
        # none behind for the next row.
        release(f)
        status = solve(vs, f, keep, h, r)
        if status != OK:
            release(f)
    need[0] = 0
    if status == OK and keep and n:
        walk(vs, f, r[0], steps)
    if status == OK:
        b[0] = vs.b
    else:
        b[0] = -1 if status == OVER_LIMIT else -2
        need[0] = f.needed


NARROW = NARROW_BITS
LONGEST = MAX_N
