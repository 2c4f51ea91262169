/* The ceiling: the matrix algorithm's kernel written by hand in plain C.
 *
 * The same algorithm as cysolve/deadlock/_matrix.pyx: sweeps over the live list while a
 * sweep finishes at least a quarter of it, then the waiting processes are ranked by their
 * largest weighed shortfall and seated one at a time in that order (ranked again when 3 in 4
 * seats fail), and every process not ready at its turn watches the unsatisfied type whose
 * shortfall is the largest share of what the waiting processes hold of it (the one likely
 * met last), in per-type bucket queues (8-byte nodes with 32-bit keys relative to the
 * type's base, a bitmap of non-empty buckets, a per-type threshold gating the drains) when
 * the shape rule of _matrix.pyx allows (after narrowing the span and the weights to what the
 * waiting processes ask for when that is far below what they hold, key_span), or in one radix
 * heap per type otherwise (the binary heaps: _matrix.pyx's strategy=1, not here). The
 * benchmarks measure how close the Cython kernel comes to C. Compiled at benchmark time:
 * gcc -O3 -shared -fPIC [-fopenmp]. Inputs are trusted exactly as the kernel trusts them
 * (contiguous int64, checked sums).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "../../_bigmem.h"  /* cysolve/_bigmem.h: the kernels' huge-page scratch */

/* Spare bytes after every scratch block: blocks of different threads never share a line. */
#define PAD 128
/* The shape rule: at most max(L >> CAP_SHIFT, MIN_BUCKETS) buckets a type, buckets at most
 * 2^MAX_SHIFT units wide; TOO_WIDE: some type's keys span 2^31 units or more. */
#define CAP_SHIFT 2
#define MIN_BUCKETS 64
#define MAX_SHIFT 5
#define TOO_WIDE 63
/* Watches chosen by weighing a process's row before it watches its first unmet type. */
#define GUESSES 2
#define SEAT_DELAY 3  /* a woken process is seated this many finishes later (sooner if dry) */
#define SPAN_SAMPLE 256  /* key_span: rows a sample reads before it reads them all */
/* Bucket queues with rows of at most LOOKAHEAD_MAX_M types: a drain prefetches the rows of
 * the next LOOKAHEAD non-empty buckets above A[j] whenever fewer are prefetched. */
#define LOOKAHEAD 8
#define LOOKAHEAD_MAX_M 16
/* Radix heaps with such rows: a drain prefetches the first RADIX_AHEAD of the lowest bucket. */
#define RADIX_AHEAD 2
/* rank_live: from how many waiting processes on they are ranked, how many places its
 * insertion sort moves an entry at most; the seats prefetch RANK_AHEAD processes ahead. */
#define RANK_MIN 64
#define RANK_SHIFTS 32
#define RANK_AHEAD 8
#define RANK_AHEAD_WIDE 4  /* rows of more than LOOKAHEAD_MAX_M types */
#define RANK_WINDOW 5  /* the rest may be ranked again every max(RANK_MIN, rest >> 5) seats */

typedef struct { int64_t key, proc; } entry;
typedef struct { entry *data; int64_t size, cap; } heap;
typedef struct { int32_t key, link; } node;
typedef struct { int64_t key, link; } rnode;  /* a radix heap's node: any count */
typedef struct {
    int32_t *head; int64_t *low; uint64_t *bits; int64_t head_cap, bits_cap;
    node *node; int32_t *rel;
    int64_t *base, *last, *off, *woff, *nb, *shift, *thr, *count, *ahead;  /* m each, one block */
    double *inv;  /* m, in the same block: latest_short's weights */
    int64_t *pos;  /* work.pos, for watch_type */
    rnode *rnode;  /* n: the radix heaps' nodes */
} buckets;
typedef struct { int64_t *live, *pos, *ready; heap *heaps; buckets b; int64_t m; } work;

static int64_t bucket_cap(int64_t waiting) {
    int64_t cap = waiting >> CAP_SHIFT;
    return cap > MIN_BUCKETS ? cap : MIN_BUCKETS;
}

static int grow(void **block, size_t size) {
    void *grown = realloc(*block, size + PAD);
    if (!grown) return -1;
    *block = grown;
    return 0;
}

static int buckets_reserve(buckets *b, int64_t heads, int64_t words) {
    if (heads > b->head_cap) {
        if (grow((void **)&b->head, (size_t)heads * sizeof(int32_t))
            || grow((void **)&b->low, (size_t)heads * sizeof(int64_t))) return -1;
        b->head_cap = heads;
    }
    if (words > b->bits_cap) {
        if (grow((void **)&b->bits, (size_t)words * sizeof(uint64_t))) return -1;
        b->bits_cap = words;
    }
    return 0;
}

static void work_free(work *w) {
    if (w->heaps) for (int64_t j = 0; j < w->m; j++) free(w->heaps[j].data);
    free(w->heaps); cysolve_big_free(w->live); cysolve_big_free(w->pos);
    cysolve_big_free(w->ready); free(w->b.head); free(w->b.low); free(w->b.bits);
    cysolve_big_free(w->b.node); cysolve_big_free(w->b.rel); free(w->b.base);
    cysolve_big_free(w->b.rnode);
    memset(w, 0, sizeof(*w));
}

static int work_init(work *w, int64_t n, int64_t m, int64_t heap_cap, int64_t head_cap) {
    size_t cells = (size_t)n * sizeof(int64_t) + PAD;
    memset(w, 0, sizeof(*w));
    /* the n-arrays on huge pages once they reach 2 MiB, as in the kernel */
    w->live = cysolve_big_alloc(cells, 0);
    w->pos = cysolve_big_alloc(cells, 0);
    w->ready = cysolve_big_alloc(cells, 0);
    w->b.node = cysolve_big_alloc((size_t)n * sizeof(node) + PAD, 0);
    w->b.rel = cysolve_big_alloc((size_t)n * sizeof(int32_t) + PAD, 0);
    w->b.base = malloc(10 * (size_t)m * sizeof(int64_t) + PAD);
    w->b.rnode = cysolve_big_alloc((size_t)n * sizeof(rnode) + PAD, 0);
    if (!w->live || !w->pos || !w->ready || !w->b.node || !w->b.rel || !w->b.base
        || !w->b.rnode)
        return -1;
    buckets *b = &w->b;
    b->last = b->base + m; b->off = b->last + m; b->woff = b->off + m; b->nb = b->woff + m;
    b->shift = b->nb + m; b->thr = b->shift + m; b->count = b->thr + m;
    b->ahead = b->count + m; b->inv = (double *)(b->ahead + m);
    b->pos = w->pos;
    if (head_cap > 0 && buckets_reserve(b, head_cap, (head_cap >> 6) + m)) return -1;
    w->heaps = malloc((size_t)m * sizeof(heap) + PAD);
    if (!w->heaps) return -1;
    w->m = m;
    for (int64_t j = 0; j < m; j++) { w->heaps[j].data = NULL; w->heaps[j].size = w->heaps[j].cap = 0; }
    if (heap_cap > 0)
        for (int64_t j = 0; j < m; j++) {
            w->heaps[j].data = malloc((size_t)heap_cap * sizeof(entry) + PAD);
            if (!w->heaps[j].data) return -1;
            w->heaps[j].cap = heap_cap;
        }
    return 0;
}

static inline int heap_push(heap *h, int64_t key, int64_t proc) {
    if (h->size == h->cap) {
        int64_t cap = h->cap ? 2 * h->cap : 16;
        if (grow((void **)&h->data, (size_t)cap * sizeof(entry))) return -1;
        h->cap = cap;
    }
    int64_t i = h->size++;
    while (i > 0) {
        int64_t parent = (i - 1) >> 1;
        if (h->data[parent].key <= key) break;
        h->data[i] = h->data[parent];
        i = parent;
    }
    h->data[i].key = key; h->data[i].proc = proc;
    return 0;
}

static inline int64_t heap_pop(heap *h) {
    int64_t top = h->data[0].proc, size = --h->size, i = 0;
    if (size == 0) return top;
    entry last = h->data[size];
    for (;;) {
        int64_t child = 2 * i + 1;
        if (child >= size) break;
        if (child + 1 < size && h->data[child + 1].key < h->data[child].key) child++;
        if (last.key <= h->data[child].key) break;
        h->data[i] = h->data[child];
        i = child;
    }
    h->data[i] = last;
    return top;
}

static inline int64_t first_short(const int64_t *row, const int64_t *A, int64_t j, int64_t m) {
    while (j < m && row[j] <= A[j]) j++;
    return j;
}

/* Of the types from j (unsatisfied), the first with the largest share (row[k] - A[k]) * inv[k]. */
static inline int64_t latest_short(const int64_t *row, const int64_t *A, const double *inv,
                                   int64_t j, int64_t m) {
    double top = 0.0;
    int64_t best = j;
    for (; j < m; j++) {
        double share = (double)(row[j] - A[j]) * inv[j];
        if (share > top) { top = share; best = j; }
    }
    return best;
}

/* The type p watches next (m: ready). pos[p]: its first unmet type in the low 32 bits, how
 * many watches were guessed above them; after GUESSES it watches its first unmet type. */
static inline int64_t watch_type(const int64_t *row, const int64_t *A, const double *inv,
                                 int64_t *pos, int64_t p, int64_t m) {
    int64_t state = pos[p], guessed = state >> 32;
    int64_t j = first_short(row, A, state & 0xFFFFFFFF, m);
    if (j == m) return m;
    if (guessed < GUESSES) {
        pos[p] = j | ((guessed + 1) << 32);
        return latest_short(row, A, inv, j, m);
    }
    pos[p] = j | (guessed << 32);
    return j;
}

/* inv[j] = 1 / (last[j] - A[j]) (inf: nothing more of j can come); last holds while
 * processes finish, so the weights follow A. */
static void reweigh(buckets *b, const int64_t *A, int64_t m) {
    for (int64_t j = 0; j < m; j++)
        b->inv[j] = b->last[j] > A[j] ? 1.0 / (double)(b->last[j] - A[j]) : INFINITY;
}

/* last[j]: A[j] plus what the waiting processes hold of j; inv[j]: 1 / that hold (inf: none). */
static void watch_weights(buckets *b, const int64_t *C, const int64_t *A, int64_t m,
                          const int64_t *live, int64_t nlive) {
    for (int64_t j = 0; j < m; j++) b->last[j] = A[j];
    for (int64_t t = 0; t < nlive; t++) {
        const int64_t *crow = C + live[t] * m;
        for (int64_t j = 0; j < m; j++) b->last[j] += crow[j];
    }
    reweigh(b, A, m);
}

/* keys[j]: the largest request for j at most last[j] (A[j] if none) of live[::stride]. */
static void key_max(const buckets *b, const int64_t *R, const int64_t *A, int64_t m,
                    const int64_t *live, int64_t nlive, int64_t stride, int64_t *keys) {
    for (int64_t j = 0; j < m; j++) keys[j] = A[j];
    for (int64_t t = 0; t < nlive; t += stride) {
        const int64_t *row = R + live[t] * m;
        for (int64_t j = 0; j < m; j++) {
            int64_t k = row[j], top = keys[j];
            keys[j] = (k <= b->last[j]) & (k > top) ? k : top;
        }
    }
}

/* Narrow last and inv to the requests' span when a sample says it is far below last. */
static int key_span(buckets *b, const int64_t *R, const int64_t *A, int64_t m,
                    const int64_t *live, int64_t nlive) {
    int64_t *keys = b->thr;  /* scratch: the plans reset it */
    int far = 0;
    key_max(b, R, A, m, live, nlive, nlive / SPAN_SAMPLE + 1, keys);
    for (int64_t j = 0; j < m; j++)
        if (keys[j] - A[j] < (b->last[j] - A[j]) >> 2) far = 1;
    if (!far) return 0;
    key_max(b, R, A, m, live, nlive, 1, keys);
    for (int64_t j = 0; j < m; j++) {
        b->last[j] = keys[j];
        b->inv[j] = keys[j] > A[j] ? 1.0 / (double)(keys[j] - A[j]) : INFINITY;
    }
    return 1;
}

/* The lines of row[:m] (the last element's included), at most the first 16. */
static inline void prefetch_row(const int64_t *row, int64_t m) {
    int64_t end = m < 128 ? m : 128;
    for (int64_t k = 0; k < end; k += 8) __builtin_prefetch(row + k);
    if (end > 0) __builtin_prefetch(row + end - 1);
}

/* Sweeps while they pay; live[:*nlive] wait (0: nobody ever will). Returns how many finished. */
static int64_t sweep(const int64_t *C, const int64_t *R, int64_t *A, int64_t n, int64_t m,
                     int64_t *order, work *w, int64_t *nlive) {
    int64_t *live = w->live, *pos = w->pos, count = n, before = n, done = 0;
    for (int64_t i = 0; i < n; i++) { live[i] = i; pos[i] = 0; }
    while (count > 0) {
        int64_t kept = 0;
        before = count;
        for (int64_t t = 0; t < count; t++) {
            int64_t i = live[t], j = first_short(R + i * m, A, pos[i], m);
            if (j == m) {
                const int64_t *crow = C + i * m;
                for (j = 0; j < m; j++) A[j] += crow[j];
                order[done++] = i;
            } else {
                pos[i] = j;
                live[kept++] = i;
            }
        }
        count = kept;
        if ((before - count) * 4 < before) break;
    }
    *nlive = before == count ? 0 : count;
    return done;
}

static int64_t watch_heaps(const int64_t *C, const int64_t *R, int64_t *A, int64_t m,
                           int64_t *order, int64_t done, int64_t nlive, work *w) {
    int64_t *live = w->live, *pos = w->pos, *ready = w->ready, top = 0;
    const double *inv = w->b.inv;
    heap *heaps = w->heaps;
    for (int64_t j = 0; j < m; j++) heaps[j].size = 0;
    for (int64_t t = 0; t < nlive; t++) {
        int64_t i = live[t];
        const int64_t *row = R + i * m;
        int64_t j = watch_type(row, A, inv, pos, i, m);
        if (j == m) ready[top++] = i;
        else if (heap_push(&heaps[j], row[j], i) < 0) return -1;
    }
    while (top > 0) {
        int64_t i = ready[--top];
        const int64_t *crow = C + i * m;
        for (int64_t j = 0; j < m; j++) A[j] += crow[j];
        order[done++] = i;
        int64_t nrel = 0;  /* wake first (prefetched, into live), re-seat after */
        for (int64_t j = 0; j < m; j++) {
            if (crow[j] == 0) continue;
            while (heaps[j].size > 0 && heaps[j].data[0].key <= A[j]) {
                int64_t p = heap_pop(&heaps[j]);
                __builtin_prefetch(pos + p);
                prefetch_row(R + p * m, m);
                live[nrel++] = p;
            }
        }
        for (int64_t r = 0; r < nrel; r++) {
            int64_t p = live[r];
            const int64_t *row = R + p * m;
            int64_t t = watch_type(row, A, inv, pos, p, m);
            if (t == m) {
                prefetch_row(C + p * m, m);
                ready[top++] = p;
            } else if (heap_push(&heaps[t], row[t], p) < 0) return -1;
        }
    }
    return done;
}


static inline int64_t next_bucket(const uint64_t *bits, int64_t t, int64_t nb) {
    if (t >= nb) return nb;
    int64_t word = t >> 6;
    uint64_t x = bits[word] & (~(uint64_t)0 << (t & 63));
    while (x == 0) {
        word++;
        if ((word << 6) >= nb) return nb;
        x = bits[word];
    }
    t = (word << 6) + __builtin_ctzll(x);
    return t < nb ? t : nb;
}

static inline void radix_push(buckets *b, int64_t j, int32_t p, int64_t k);

/* Scan p's request row from pos[p]: ready, waiting in a bucket (a radix heap's when radix),
 * or hopeless (dropped). */
static inline int64_t seat(buckets *b, const int64_t *C, const int64_t *row, const int64_t *A,
                           int64_t m, int32_t p, int64_t *ready, int64_t top, int radix) {
    int64_t j = watch_type(row, A, b->inv, b->pos, p, m);
    if (j == m) {
        const int64_t *crow = C + (int64_t)p * m;
        prefetch_row(crow, m);
        ready[top] = p;
        return top + 1;
    }
    int64_t k = row[j];
    if (radix) {
        if (k <= b->last[j]) {
            radix_push(b, j, p, k);
            if (k < b->thr[j]) b->thr[j] = k;
        }
        return top;
    }
    if (k <= b->last[j]) {
        int64_t t = (k - b->base[j]) >> b->shift[j];
        b->node[p].key = (int32_t)(k - b->base[j]);
        uint64_t *word = &b->bits[b->woff[j] + (t >> 6)], bit = (uint64_t)1 << (t & 63);
        t += b->off[j];
        if (*word & bit) {
            b->node[p].link = b->head[t];
            if (k < b->low[t]) b->low[t] = k;
        } else {
            *word |= bit;
            b->node[p].link = -1;
            b->low[t] = k;
        }
        b->head[t] = p;
        b->count[j]++;
        if (k < b->thr[j]) b->thr[j] = k;
    }
    return top;
}

/* Size the bucket queues for the waiting processes; the widest shift, TOO_WIDE or -1. */
static int bucket_plan(buckets *b, const int64_t *A, int64_t m, int64_t nlive) {
    int64_t cap = bucket_cap(nlive), widest = 0, total = 0, words = 0;
    for (int64_t j = 0; j < m; j++) {
        int64_t span = b->last[j] - A[j], s = 0;
        b->base[j] = A[j] + 1;
        b->thr[j] = INT64_MAX;
        b->count[j] = 0;
        b->ahead[j] = 0;
        while ((span >> s) >= cap) s++;
        b->shift[j] = s;
        b->nb[j] = span > 0 ? ((span - 1) >> s) + 1 : 0;
        b->off[j] = total;
        b->woff[j] = words;
        total += b->nb[j];
        words += (b->nb[j] + 63) >> 6;
        if (s > widest) widest = s;
        if (span > INT32_MAX) return TOO_WIDE;
    }
    if (buckets_reserve(b, total, words)) return -1;
    if (words > 0) memset(b->bits, 0, (size_t)words * sizeof(uint64_t));  /* bits may be NULL */
    return (int)widest;
}

/* Prefetch the rows of the next LOOKAHEAD non-empty buckets of type j above bucket full not
 * prefetched yet (the likely next to be woken), their lists walked side by side. */
static void lookahead(buckets *b, const int64_t *C, const int64_t *R, int64_t m, int64_t j,
                      int64_t full) {
    const uint64_t *bits = b->bits + b->woff[j];
    const int32_t *head = b->head + b->off[j];
    const node *nd = b->node;
    int64_t nb = b->nb[j], t = b->ahead[j] > full ? b->ahead[j] : full + 1, walks = 0;
    int32_t cur[LOOKAHEAD];
    while (walks < LOOKAHEAD) {
        t = next_bucket(bits, t, nb);
        if (t == nb) break;
        cur[walks++] = head[t++];
    }
    b->ahead[j] = t;
    while (walks > 0) {
        for (int64_t r = 0; r < walks;) {
            int32_t p = cur[r];
            prefetch_row(R + (int64_t)p * m, m);
            prefetch_row(C + (int64_t)p * m, m);
            __builtin_prefetch(b->pos + p);
            p = nd[p].link;
            if (p >= 0) cur[r++] = p;
            else cur[r] = cur[--walks];
        }
    }
}

/* Release every process waiting on type j for at most a units into rel; move thr[j] past a.
 * ahead: look ahead (rows of at most LOOKAHEAD_MAX_M types). */
static inline int64_t drain(buckets *b, const int64_t *C, const int64_t *R, int64_t m, int64_t j,
                            int64_t a, int64_t nrel, int ahead) {
    uint64_t *bits = b->bits + b->woff[j];
    int32_t *head = b->head + b->off[j];
    int64_t *lows = b->low + b->off[j];
    node *nd = b->node;
    int64_t reach = a - b->base[j] + 1, nb = b->nb[j], full = reach >> b->shift[j], t;
    int64_t low = INT64_MAX, waiting = b->count[j], met = reach - 1;
    if (full > nb) full = nb;
    t = (b->thr[j] - b->base[j]) >> b->shift[j];
    while (t < full) {
        int32_t p = head[t];
        bits[t >> 6] &= ~((uint64_t)1 << (t & 63));
        while (p >= 0) {
            prefetch_row(R + (int64_t)p * m, m);
            prefetch_row(C + (int64_t)p * m, m);
            __builtin_prefetch(b->pos + p);
            b->rel[nrel++] = p;
            waiting--;
            p = nd[p].link;
        }
        if (waiting == 0) break;
        t = next_bucket(bits, t + 1, full);
    }
    if (waiting > 0 && full < nb && (reach & (((int64_t)1 << b->shift[j]) - 1)) != 0
        && (bits[full >> 6] & ((uint64_t)1 << (full & 63)))) {
        int32_t p = head[full], keep = -1;
        while (p >= 0) {
            int32_t q = nd[p].link;
            if (nd[p].key <= met) {
                prefetch_row(R + (int64_t)p * m, m);
                prefetch_row(C + (int64_t)p * m, m);
                __builtin_prefetch(b->pos + p);
                b->rel[nrel++] = p;
                waiting--;
            } else {
                nd[p].link = keep;
                keep = p;
                if (nd[p].key < low) low = nd[p].key;
            }
            p = q;
        }
        if (low != INT64_MAX) low += b->base[j];
        if (keep >= 0) { head[full] = keep; lows[full] = low; }
        else bits[full >> 6] &= ~((uint64_t)1 << (full & 63));
    }
    b->count[j] = waiting;
    if (ahead && waiting > 0 && b->ahead[j] <= full + LOOKAHEAD) lookahead(b, C, R, m, j, full);
    if (waiting == 0) b->thr[j] = INT64_MAX;
    else if (low != INT64_MAX) b->thr[j] = low;
    else b->thr[j] = lows[next_bucket(bits, full, nb)];
    return nrel;
}

/* Radix heaps: type j's 64 buckets at head[64 j ..], non-empty ones in bits[j], base A[j]. */
static int radix_plan(buckets *b, const int64_t *A, int64_t m) {
    if (buckets_reserve(b, 64 * m, m)) return -1;
    for (int64_t j = 0; j < m; j++) {
        b->base[j] = A[j]; b->thr[j] = INT64_MAX; b->off[j] = 64 * j; b->bits[j] = 0;
    }
    return 0;
}

/* File p (key k > base[j]) in bucket 63 - clz(k ^ base[j]). */
static inline void radix_push(buckets *b, int64_t j, int32_t p, int64_t k) {
    int t = 63 - __builtin_clzll((uint64_t)(k ^ b->base[j]));
    int64_t at = b->off[j] + t;
    uint64_t bit = (uint64_t)1 << t;
    b->rnode[p].key = k;
    if (b->bits[j] & bit) {
        b->rnode[p].link = b->head[at];
        if (k < b->low[at]) b->low[at] = k;
    } else {
        b->bits[j] |= bit;
        b->rnode[p].link = -1;
        b->low[at] = k;
    }
    b->head[at] = p;
}

/* Release every key <= a of type j: buckets below 63 - clz(a ^ base) whole, that bucket by
 * key (the rest refiled lower); rebase on a; thr[j] = the smallest key left. */
static inline int64_t radix_drain(buckets *b, const int64_t *C, const int64_t *R, int64_t m,
                                  int64_t j, int64_t a, int64_t nrel) {
    int64_t off = b->off[j];
    uint64_t mask = b->bits[j];
    int top = 63 - __builtin_clzll((uint64_t)(a ^ b->base[j]));
    uint64_t below = mask & (((uint64_t)1 << top) - 1);
    rnode *nd = b->rnode;
    b->bits[j] = mask & ~below;
    while (below) {
        int t = __builtin_ctzll(below);
        below &= below - 1;
        for (int32_t p = b->head[off + t]; p >= 0; p = (int32_t)nd[p].link) {
            prefetch_row(R + (int64_t)p * m, m);
            prefetch_row(C + (int64_t)p * m, m);
            __builtin_prefetch(b->pos + p);
            b->rel[nrel++] = p;
        }
    }
    b->base[j] = a;
    if ((mask >> top) & 1) {
        b->bits[j] &= ~((uint64_t)1 << top);
        int32_t p = b->head[off + top];
        while (p >= 0) {
            int32_t q = (int32_t)nd[p].link;
            int64_t k = nd[p].key;
            if (k <= a) {
                prefetch_row(R + (int64_t)p * m, m);
                prefetch_row(C + (int64_t)p * m, m);
                __builtin_prefetch(b->pos + p);
                b->rel[nrel++] = p;
            } else {
                radix_push(b, j, p, k);
            }
            p = q;
        }
    }
    mask = b->bits[j];
    b->thr[j] = mask ? b->low[off + __builtin_ctzll(mask)] : INT64_MAX;
    if (mask && m <= LOOKAHEAD_MAX_M) {
        int32_t p = b->head[off + __builtin_ctzll(mask)];
        for (int t = 0; p >= 0 && t < RADIX_AHEAD; t++, p = (int32_t)nd[p].link) {
            prefetch_row(R + (int64_t)p * m, m);
            prefetch_row(C + (int64_t)p * m, m);
            __builtin_prefetch(b->pos + p);
        }
    }
    return nrel;
}

/* Seat the first count of the pending processes in rel; move the others to its front. */
static int64_t seat_oldest(buckets *b, const int64_t *C, const int64_t *R, const int64_t *A,
                           int64_t m, int64_t count, int64_t pending, int64_t *ready,
                           int64_t top, int radix) {
    for (int64_t r = 0; r < count; r++) {
        int32_t p = b->rel[r];
        top = seat(b, C, R + (int64_t)p * m, A, m, p, ready, top, radix);
    }
    if (count > 0 && pending > count)
        memmove(b->rel, b->rel + count, (size_t)(pending - count) * sizeof(int32_t));
    return top;
}

/* Order live[:nlive] by the largest weighed shortfall of each process (latest_short's share,
 * at most 1 for one that can still finish), scaled to 32 bits by the largest such share: a
 * counting sort by the high bits into nlive buckets, then an insertion sort moving an entry
 * at most RANK_SHIFTS places. Scratch: key (nlive), hist (nlive + 2), out (nlive). */
static void rank_live(const int64_t *R, const int64_t *A, const double *inv, int64_t m,
                      int64_t *live, const int64_t *pos, int64_t nlive, uint32_t *key,
                      int32_t *hist, node *out, int again) {
    double top = 0.0, scale, *share = (double *)out;
    int64_t nb = nlive;
    for (int64_t t = 0; t < nlive; t++) {
        if (again && t + RANK_AHEAD < nlive) {  /* live is in the last rank order */
            prefetch_row(R + live[t + RANK_AHEAD] * m, m);
            if (t + 2 * RANK_AHEAD < nlive) __builtin_prefetch(pos + live[t + 2 * RANK_AHEAD]);
        }
        const int64_t *row = R + live[t] * m;
        int64_t k = latest_short(row, A, inv, pos[live[t]], m);
        double s = (double)(row[k] - A[k]) * inv[k];
        s = s > 0.0 ? s : 0.0;
        share[t] = s;
        if (s <= 1.0 && s > top) top = s;
    }
    scale = top > 0.0 ? 4294967295.0 / top : 0.0;
    memset(hist, 0, (size_t)(nb + 2) * sizeof(int32_t));
    for (int64_t t = 0; t < nlive; t++) {
        double s = share[t];
        key[t] = s <= top ? (uint32_t)(s * scale) : 4294967295U;
        hist[(((uint64_t)key[t] * (uint64_t)nb) >> 32) + 1]++;
    }
    for (int64_t q = 0; q < nb; q++) hist[q + 1] += hist[q];
    for (int64_t t = 0; t < nlive; t++) {
        int64_t q = (int64_t)(((uint64_t)key[t] * (uint64_t)nb) >> 32);
        out[hist[q]].key = (int32_t)key[t];
        out[hist[q]].link = (int32_t)live[t];
        hist[q]++;
    }
    for (int64_t t = 1; t < nlive; t++) {
        node e = out[t];
        int64_t u = t;
        while (u > 0 && t - u < RANK_SHIFTS && (uint32_t)out[u - 1].key > (uint32_t)e.key) {
            out[u] = out[u - 1];
            u--;
        }
        out[u] = e;
    }
    for (int64_t t = 0; t < nlive; t++) live[t] = out[t].link;
}

static int64_t watch_buckets(const int64_t *C, const int64_t *R, int64_t *A, int64_t m,
                             int64_t *order, int64_t done, int64_t nlive, work *w,
                             int radix) {
    buckets *b = &w->b;
    int ahead = !radix && m <= LOOKAHEAD_MAX_M;
    int64_t *live = w->live, *ready = w->ready, *thr = b->thr, top = 0;
    int64_t pending = 0, turn = 0, batch[SEAT_DELAY] = {0}, t = 0;
    int64_t rank_ahead = m <= LOOKAHEAD_MAX_M ? RANK_AHEAD : RANK_AHEAD_WIDE;
    /* seats in rank order: fails of those since `since` were not ready; the rest may be
     * ranked again at `check` (the first check, at 0, only sets the window) */
    int64_t fails = 0, since = 0, check = 0, budget = 2 * nlive;
    for (;;) {
        if (top == 0) {
            /* nothing is ready: seat the next process of live (in rank order) */
            if (t == nlive) break;
            if (t == check) {
                /* more than 3 in 4 of the last max(RANK_MIN, rest / 32) seats failed: the
                 * shares lied, rank the rest again on the weights of this A (at most
                 * 2 nlive processes ranked again in all) */
                if (fails * 4 > (t - since) * 3 && nlive - t <= budget) {
                    budget -= nlive - t;
                    reweigh(b, A, m);
                    rank_live(R, A, b->inv, m, live + t, b->pos, nlive - t, (uint32_t *)b->rel,
                              (int32_t *)ready, radix ? b->node : (node *)b->rnode, 1);
                }
                since = t;
                check = t + ((nlive - t) >> RANK_WINDOW > RANK_MIN ? (nlive - t) >> RANK_WINDOW
                                                                   : RANK_MIN);
                fails = 0;
            }
            if (t + rank_ahead < nlive) {
                int64_t i = live[t + rank_ahead];
                prefetch_row(R + i * m, m);
                prefetch_row(C + i * m, m);
                if (t + 2 * rank_ahead < nlive)
                    __builtin_prefetch(b->pos + live[t + 2 * rank_ahead]);
            }
            int64_t i = live[t++];
            top = seat(b, C, R + i * m, A, m, (int32_t)i, ready, top, radix);
            fails += top == 0;
            continue;
        }
        int64_t i = ready[--top], hit = 0;
        const int64_t *crow = C + i * m;
        for (int64_t j = 0; j < m; j++) {
            int64_t a = A[j] + crow[j];
            A[j] = a;
            hit |= thr[j] - 1 - a;
        }
        order[done++] = i;
        int64_t nrel = pending, oldest;
        if (hit < 0)
            for (int64_t j = 0; j < m; j++)
                if (A[j] >= thr[j])
                    nrel = radix ? radix_drain(b, C, R, m, j, A[j], nrel)
                                 : drain(b, C, R, m, j, A[j], nrel, ahead);
        /* rel is a FIFO: seat the batch woken SEAT_DELAY finishes ago, and while the ready
         * stack is dry, the next ones */
        oldest = batch[turn];
        batch[turn] = nrel - pending;
        turn = turn + 1 < SEAT_DELAY ? turn + 1 : 0;
        top = seat_oldest(b, C, R, A, m, oldest, nrel, ready, top, radix);
        pending = nrel - oldest;
        while (top == 0 && pending > 0) {
            oldest = batch[turn];
            batch[turn] = 0;
            turn = turn + 1 < SEAT_DELAY ? turn + 1 : 0;
            top = seat_oldest(b, C, R, A, m, oldest, pending, ready, top, radix);
            pending -= oldest;
        }
    }
    return done;
}

static int64_t solve(const int64_t *C, const int64_t *R, int64_t *A, int64_t n, int64_t m,
                     int64_t *order, work *w) {
    int64_t nlive = 0, done;
    if (n == 0) return 0;
    if (m == 0) { for (int64_t i = 0; i < n; i++) order[i] = i; return n; }
    done = sweep(C, R, A, n, m, order, w, &nlive);
    if (nlive == 0) return done;
    watch_weights(&w->b, C, A, m, w->live, nlive);
    if (n >= INT32_MAX) return watch_heaps(C, R, A, m, order, done, nlive, w);
    int widest = bucket_plan(&w->b, A, m, nlive);
    if (widest > MAX_SHIFT) {  /* planned again either way: key_span's scratch is thr */
        key_span(&w->b, R, A, m, w->live, nlive);
        widest = bucket_plan(&w->b, A, m, nlive);
    }
    if (widest < 0) return -1;
    if (nlive >= RANK_MIN)
        rank_live(R, A, w->b.inv, m, w->live, w->pos, nlive, (uint32_t *)w->b.rel,
                  (int32_t *)w->ready, w->b.node, 0);
    if (widest <= MAX_SHIFT) return watch_buckets(C, R, A, m, order, done, nlive, w, 0);
    if (radix_plan(&w->b, A, m)) return -1;
    return watch_buckets(C, R, A, m, order, done, nlive, w, 1);
}

/* One system: A (m) is updated in place, order[:returned] is a finishing order; -1 = no memory. */
int64_t ceiling_detect(const int64_t *C, const int64_t *R, int64_t *A, int64_t n, int64_t m,
                       int64_t *order) {
    work w;
    int64_t done = -1;
    if (work_init(&w, n, m, 0, 0) == 0) done = solve(C, R, A, n, m, order, &w);
    work_free(&w);
    return done;
}

/* k systems in parallel; deadlocked (k x n) gets 1 where a process is deadlocked. */
int ceiling_detect_batch(const int64_t *C, const int64_t *R, const int64_t *A, int64_t k,
                         int64_t n, int64_t m, uint8_t *deadlocked, int num_threads) {
    int failed = 0;
    if (k == 0 || n == 0) return 0;
    if (num_threads < 1) num_threads = 1;
    if (num_threads > k) num_threads = (int)k;
    work *works = calloc((size_t)num_threads, sizeof(work));
    int64_t stride = n + m + PAD / (int64_t)sizeof(int64_t);
    int64_t *scratch = malloc((size_t)num_threads * (size_t)stride * sizeof(int64_t));
    if (!works || !scratch) { free(works); free(scratch); return -1; }
    for (int t = 0; t < num_threads; t++)
        if (work_init(&works[t], n, m, n < 256 ? n : 256, m * bucket_cap(n)) != 0) failed = 1;
    int64_t chunk = k / (8 * (int64_t)num_threads);
    chunk = chunk < 1 ? 1 : chunk > 64 ? 64 : chunk;
    if (!failed) {
        #pragma omp parallel for schedule(dynamic, chunk) num_threads(num_threads) reduction(|:failed)
        for (int64_t s = 0; s < k; s++) {
#ifdef _OPENMP
            int tid = omp_get_thread_num();
#else
            int tid = 0;
#endif
            int64_t *a = scratch + (int64_t)tid * stride, *order = a + m;
            for (int64_t j = 0; j < m; j++) a[j] = A[s * m + j];
            int64_t done = solve(C + s * n * m, R + s * n * m, a, n, m, order, &works[tid]);
            if (done < 0) { failed |= 1; done = 0; }
            uint8_t *out = deadlocked + s * n;
            for (int64_t i = 0; i < n; i++) out[i] = 1;
            for (int64_t i = 0; i < done; i++) out[order[i]] = 0;
        }
    }
    for (int t = 0; t < num_threads; t++) work_free(&works[t]);
    free(works); free(scratch);
    return failed ? -1 : 0;
}
