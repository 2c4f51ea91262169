/* The XScoreGame layer-frontier DP in plain C: the ceiling cysolve/xscore/_frontier.pyx is
 * measured against.
 *
 * Same algorithm as the kernel, written the way one would by hand for values below 64 (one
 * 64-bit word per residue set): per layer keep only the states whose high part is the
 * layer's largest; a multiset is one 64-bit key with a bit field per distinct value (the
 * values still available are computed from it); a per-residue table of the values that
 * carry decides whether the layer carries before any child is written; children merge in an
 * open-addressing hash table for small layers, and for big ones are written once into
 * buckets by the top bits of their key's hash, each bucket then merged in a small table that
 * stays in cache. Compiled by cysolve/bench/ceiling.py with
 * gcc -O3 and called through ctypes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The kernel's popcount (cysolve/_native.pxd): inline SWAR, not libgcc's call, without -mpopcnt. */
static inline int popcount64(uint64_t x) {
    x = x - ((x >> 1) & 0x5555555555555555ULL);
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
    return (int)((x * 0x0101010101010101ULL) >> 56);
}

#define BUCKET_FROM 16384

/* A multiset is a key with one bit field per distinct value (its copies used); the values
 * still available are the fields below their count, found for all fields at once from
 * FULL - key (the copies left): a field is non-zero iff adding LOWS carries into, or it
 * already has, its top bit. Masks of values are therefore kept in "top bit" positions:
 * value d is bit top[d], and pos[p] turns a position back into d. */
typedef struct {
    int64_t n, D, b, keybits;
    uint64_t full, lows, highs;
    uint64_t vals[64], shift[64], top[64], carry[64], cmask[64];
    uint8_t pos[64];
} Values;

typedef struct {
    uint64_t *key, *set, *cm, *table, *kids;
    int64_t cap, cm_cap, table_cap, kids_cap;
} Buffers;

static inline uint64_t avail_of(const Values *vs, uint64_t key) {
    uint64_t left = vs->full - key;
    return (((left & vs->lows) + vs->lows) | left) & vs->highs;
}


static int bitlen(uint64_t v) { return v ? 64 - __builtin_clzll(v) : 0; }

static void build(const int64_t *a, int64_t n, Values *vs) {
    uint64_t s[64], cnt[64];
    int64_t d = -1, at = 0;
    for (int64_t i = 0; i < n; i++) {
        uint64_t x = (uint64_t)a[i];
        int64_t j = i - 1;
        while (j >= 0 && s[j] > x) { s[j + 1] = s[j]; j--; }
        s[j + 1] = x;
    }
    for (int64_t i = 0; i < n; i++) {
        if (d < 0 || s[i] != vs->vals[d]) { vs->vals[++d] = s[i]; cnt[d] = 0; }
        cnt[d]++;
    }
    vs->n = n;
    vs->D = d + 1;
    vs->full = vs->lows = vs->highs = 0;
    for (d = 0; d < vs->D; d++) {
        int w = bitlen(cnt[d]);
        vs->shift[d] = at;
        vs->top[d] = at + w - 1;
        vs->pos[at + w - 1] = (uint8_t)d;
        vs->full |= cnt[d] << at;
        vs->highs |= 1ULL << (at + w - 1);
        vs->lows |= ((1ULL << (w - 1)) - 1) << at;
        at += w;
    }
    vs->keybits = at;
    vs->b = n ? bitlen(vs->vals[vs->D - 1]) : 1;
    if (vs->b < 1) vs->b = 1;
    for (int64_t r = 0; r < (1LL << vs->b); r++) {
        uint64_t acc = 0;
        for (d = 0; d < vs->D; d++)
            acc |= (((uint64_t)r + ((uint64_t)r ^ vs->vals[d])) >> vs->b) << vs->top[d];
        vs->carry[r] = acc;
    }
    for (d = 0; d < vs->D; d++) {
        vs->cmask[d] = 0;
        for (int64_t r = 0; r < (1LL << vs->b); r++)
            vs->cmask[d] |= (((uint64_t)r + ((uint64_t)r ^ vs->vals[d])) >> vs->b) << r;
    }
}

static int grow(uint64_t **p, int64_t *cap, int64_t need) {
    if (need <= *cap) return 0;
    int64_t want = *cap * 2 > need ? *cap * 2 : need;
    if (want < 512) want = 512;
    uint64_t *q = realloc(*p, want * sizeof(uint64_t));
    if (!q) return -1;
    *p = q;
    *cap = want;
    return 0;
}

/* Room for `need` states in both the key and the set array. */
static int grow_states(Buffers *B, int64_t need) {
    if (need <= B->cap) return 0;
    int64_t want = B->cap * 2 > need ? B->cap * 2 : need, unused;
    unused = B->cap; if (grow(&B->key, &unused, want)) return -1;
    unused = B->cap; if (grow(&B->set, &unused, want)) return -1;
    B->cap = want;
    return 0;
}

/* The residue set mapped through v: when the layer carries, only the residues in cmask (the
 * ones v carries), else all (none carries then). */
static inline uint64_t image(uint64_t set, uint64_t v, int64_t b, int carries, uint64_t cmask) {
    uint64_t img = 0, mask = (1ULL << b) - 1;
    if (carries) {
        set &= cmask;
        while (set) {
            uint64_t r = __builtin_ctzll(set);
            set &= set - 1;
            img |= 1ULL << ((r + (r ^ v)) & mask);
        }
    } else {
        while (set) {
            uint64_t r = __builtin_ctzll(set);
            set &= set - 1;
            img |= 1ULL << (r + (r ^ v));
        }
    }
    return img;
}

/* One layer: the frontier (key, set)[m] in place becomes the next one. Returns its
 * size, or -1 when out of memory; *carries tells whether the high part gained a carry. */
static int64_t layer(const Values *vs, Buffers *B, int64_t m, int *carries) {
    int64_t b = vs->b, nchild = 0, nm = 0;
    *carries = 0;
    if (grow(&B->cm, &B->cm_cap, m)) return -1;
    for (int64_t i = 0; i < m; i++) {
        uint64_t set = B->set[i], acc = 0;
        while (set) { acc |= vs->carry[__builtin_ctzll(set)]; set &= set - 1; }
        B->cm[i] = acc & avail_of(vs, B->key[i]);
        if (B->cm[i]) *carries = 1;
    }
    nchild = m * vs->D;  /* a bound, unless counted */
    if (nchild >= BUCKET_FROM) {
        nchild = 0;
        for (int64_t i = 0; i < m; i++)
            nchild += popcount64(*carries ? B->cm[i] : avail_of(vs, B->key[i]));
    }
    if (nchild >= BUCKET_FROM) {
        /* Big layers: children scattered into 2**pbits buckets by the top bits of their key's
         * hash (counted first, so written once, in place), then each bucket merged in a small
         * hash table that stays in cache, indexed by the next bits of the same hash. */
        int pbits = 0, tb;
        while ((nchild >> pbits) > 2048 && pbits < 12) pbits++;
        int64_t nb = 1LL << pbits, off[4097], c, most = 0;
        memset(off, 0, sizeof(off));
        if (grow(&B->kids, &B->kids_cap, 2 * nchild)) return -1;
        for (int64_t i = 0; i < m; i++) {
            uint64_t key = B->key[i], el = *carries ? B->cm[i] : avail_of(vs, key);
            while (el) {
                int d = vs->pos[__builtin_ctzll(el)];
                el &= el - 1;
                uint64_t h = (key + (1ULL << vs->shift[d])) * 0x9E3779B97F4A7C15ULL;
                off[pbits ? (h >> (64 - pbits)) + 1 : 1]++;
            }
        }
        for (int64_t q = 0; q < nb; q++) {
            if (off[q + 1] > most) most = off[q + 1];
            off[q + 1] += off[q];
        }
        for (int64_t i = 0; i < m; i++) {
            uint64_t key = B->key[i], set = B->set[i];
            uint64_t el = *carries ? B->cm[i] : avail_of(vs, key);
            while (el) {
                int d = vs->pos[__builtin_ctzll(el)];
                el &= el - 1;
                uint64_t ck = key + (1ULL << vs->shift[d]), h = ck * 0x9E3779B97F4A7C15ULL;
                c = off[pbits ? h >> (64 - pbits) : 0]++;
                B->kids[2 * c] = ck;
                B->kids[2 * c + 1] = image(set, vs->vals[d], b, *carries, vs->cmask[d]);
            }
        }
        /* off[q] is now the end of bucket q (the start of q + 1). */
        tb = 4;
        while ((1LL << tb) < 2 * most) tb++;
        if (grow(&B->table, &B->table_cap, 2 << tb)) return -1;
        if (grow_states(B, nchild)) return -1;
        uint64_t epoch = 0;
        memset(B->table, 0, 16ULL << tb);
        for (int64_t q = 0, lo = 0; q < nb; lo = off[q], q++) {
            epoch++;
            for (int64_t j = lo; j < off[q]; j++) {
                uint64_t ck = B->kids[2 * j], h = (ck * 0x9E3779B97F4A7C15ULL) << pbits;
                int64_t slot = (int64_t)(h >> (64 - tb));
                for (;;) {
                    uint64_t *e = B->table + 2 * slot;
                    if (e[1] >> 32 != epoch) {
                        e[0] = ck;
                        e[1] = (epoch << 32) | (uint64_t)nm;
                        B->key[nm] = ck;
                        B->set[nm++] = B->kids[2 * j + 1];
                        break;
                    }
                    if (e[0] == ck) { B->set[e[1] & 0xFFFFFFFFULL] |= B->kids[2 * j + 1]; break; }
                    slot = (slot + 1) & ((1LL << tb) - 1);
                }
            }
        }
        return nm;
    }
    /* Hash merge: children appended after the parents, then moved down. */
    int tbits = 6;
    while ((1LL << tbits) < 2 * nchild && (1LL << tbits) < 4 * m) tbits++;
    int64_t tcap = 1LL << tbits;
    if (grow(&B->table, &B->table_cap, 2 * tcap)) return -1;
    memset(B->table, 0, 16 * tcap);
    for (int64_t i = 0; i < m; i++) {
        uint64_t key = B->key[i], set = B->set[i];
        uint64_t el = *carries ? B->cm[i] : avail_of(vs, key);
        while (el) {
            int d = vs->pos[__builtin_ctzll(el)];
            el &= el - 1;
            uint64_t ck = key + (1ULL << vs->shift[d]), img = image(set, vs->vals[d], b, *carries, vs->cmask[d]);
            int64_t slot = (int64_t)((ck * 0x9E3779B97F4A7C15ULL) >> (64 - tbits));
            for (;;) {
                if (B->table[2 * slot] == ck) { B->set[m + B->table[2 * slot + 1]] |= img; break; }
                if (B->table[2 * slot] == 0) {
                    if (2 * (nm + 1) > tcap) {  /* rehash into twice the room */
                        tbits++;
                        tcap *= 2;
                        if (grow(&B->table, &B->table_cap, 2 * tcap)) return -1;
                        memset(B->table, 0, 16 * tcap);
                        for (int64_t j = 0; j < nm; j++) {
                            int64_t s = (int64_t)((B->key[m + j] * 0x9E3779B97F4A7C15ULL) >> (64 - tbits));
                            while (B->table[2 * s]) s = (s + 1) & (tcap - 1);
                            B->table[2 * s] = B->key[m + j];
                            B->table[2 * s + 1] = j;
                        }
                        slot = (int64_t)((ck * 0x9E3779B97F4A7C15ULL) >> (64 - tbits));
                        continue;
                    }
                    if (grow_states(B, m + nm + 1)) return -1;
                    B->key[m + nm] = ck;
                    B->set[m + nm] = img;
                    B->table[2 * slot] = ck;
                    B->table[2 * slot + 1] = nm++;
                    break;
                }
                slot = (slot + 1) & (tcap - 1);
            }
        }
    }
    memmove(B->key, B->key + m, nm * sizeof(uint64_t));
    memmove(B->set, B->set + m, nm * sizeof(uint64_t));
    return nm;
}

static int64_t solve(const int64_t *a, int64_t n, Buffers *B) {
    Values vs;
    build(a, n, &vs);
    int64_t h = 0, m = 1;
    if (grow_states(B, 1)) return -1;
    B->key[0] = 0;
    B->set[0] = 1;
    for (int64_t k = 0; k < n; k++) {
        int carries;
        m = layer(&vs, B, m, &carries);
        if (m < 0) return -1;
        h = 2 * h + carries;
    }
    return h * (1LL << vs.b) + (63 - __builtin_clzll(B->set[0]));
}

static void release(Buffers *B) {
    free(B->key); free(B->set); free(B->cm); free(B->table); free(B->kids);
    memset(B, 0, sizeof(*B));
}

/* The best score of a[0:n] (values below 64, n + 6 <= 63), or -1 when out of memory. */
int64_t frontier_c(const int64_t *a, int64_t n) {
    Buffers B;
    memset(&B, 0, sizeof(B));
    int64_t best = solve(a, n, &B);
    release(&B);
    return best;
}

/* Scores of rows a[i * n:(i + 1) * n] for i < k, one thread, buffers reused across rows. */
int frontier_batch_c(const int64_t *a, int64_t k, int64_t n, int64_t *out) {
    Buffers B;
    memset(&B, 0, sizeof(B));
    int status = 0;
    for (int64_t i = 0; i < k && status == 0; i++) {
        out[i] = solve(a + i * n, n, &B);
        if (out[i] < 0) status = -1;
    }
    release(&B);
    return status;
}
