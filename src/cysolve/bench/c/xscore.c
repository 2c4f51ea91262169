/* The two XScoreGame DPs in plain C: the ceiling the Cython kernels are measured against.
 *
 * Same algorithms and state space as cysolve/xscore/_kernel.pyx (multiset states in
 * mixed radix, values below 64 so one 64-bit word per residue set), written the way one would
 * by hand. Compiled by cysolve/bench/ceiling.py with gcc -O3 and called through ctypes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct { int64_t D, S, b, vals[64], cnt[64], stride[64], digit[64]; } Multiset;

static int cmp(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void build(const int64_t *a, int64_t n, Multiset *ms) {
    int64_t s[64], d = -1, states = 1, top;
    memcpy(s, a, n * sizeof(int64_t));
    qsort(s, n, sizeof(int64_t), cmp);
    for (int64_t i = 0; i < n; i++) {
        if (d < 0 || s[i] != ms->vals[d]) { ms->vals[++d] = s[i]; ms->cnt[d] = 0; }
        ms->cnt[d]++;
    }
    ms->D = d + 1;
    for (d = 0; d < ms->D; d++) { ms->stride[d] = states; ms->digit[d] = 0; states *= ms->cnt[d] + 1; }
    ms->S = states;
    top = n ? s[n - 1] : 0;
    ms->b = 1;
    while ((1LL << ms->b) <= top) ms->b++;
}

static void advance(Multiset *ms) {
    int64_t d = 0;
    while (d < ms->D && ms->digit[d] == ms->cnt[d]) ms->digit[d++] = 0;
    if (d < ms->D) ms->digit[d]++;
}

/* Returns the best score (n + b <= 63 assumed), or -1 when out of memory. */
int64_t residue_c(const int64_t *a, int64_t n) {
    Multiset ms; build(a, n, &ms);
    int64_t R = 1LL << ms.b, mask = R - 1, b = ms.b;
    int32_t *dp = malloc(ms.S * R * sizeof(int32_t));
    if (!dp) return -1;
    memset(dp, 0xFF, ms.S * R * sizeof(int32_t));
    dp[0] = 0;
    for (int64_t s = 0; s < ms.S; s++, advance(&ms)) {
        int32_t *row = dp + s * R;
        for (int64_t d = 0; d < ms.D; d++) {
            if (ms.digit[d] == ms.cnt[d]) continue;
            int64_t v = ms.vals[d];
            int32_t *next = dp + (s + ms.stride[d]) * R;
            for (int64_t r = 0; r < R; r++) {
                if (row[r] < 0) continue;
                int64_t t = r + (r ^ v), nh = 2 * (int64_t)row[r] + (t >> b);
                if (nh > next[t & mask]) next[t & mask] = (int32_t)nh;
            }
        }
    }
    int64_t best = 0, *unused = NULL; (void)unused;
    for (int64_t r = 0; r < R; r++)
        if (dp[(ms.S - 1) * R + r] >= 0 && dp[(ms.S - 1) * R + r] * R + r > best)
            best = dp[(ms.S - 1) * R + r] * R + r;
    free(dp);
    return best;
}

int64_t dominance_c(const int64_t *a, int64_t n) {
    Multiset ms; build(a, n, &ms);
    int64_t b = ms.b, mask = (1LL << b) - 1;
    int64_t *h = malloc(ms.S * sizeof(int64_t));
    uint64_t *set = calloc(ms.S, sizeof(uint64_t));
    if (!h || !set) { free(h); free(set); return -1; }
    for (int64_t s = 0; s < ms.S; s++) h[s] = -1;
    h[0] = 0; set[0] = 1;
    for (int64_t s = 0; s < ms.S; s++, advance(&ms)) {
        for (int64_t d = 0; d < ms.D; d++) {
            if (ms.digit[d] == ms.cnt[d]) continue;
            int64_t v = ms.vals[d];
            uint64_t carry = 0, plain = 0, bits = set[s];
            while (bits) {
                int64_t r = __builtin_ctzll(bits), t = r + (r ^ v);
                bits &= bits - 1;
                if (t >> b) carry |= 1ULL << (t & mask); else plain |= 1ULL << t;
            }
            int64_t nh = 2 * h[s] + (carry != 0), ns = s + ms.stride[d];
            uint64_t img = carry ? carry : plain;
            if (nh > h[ns]) { h[ns] = nh; set[ns] = img; }
            else if (nh == h[ns]) set[ns] |= img;
        }
    }
    int64_t best = h[ms.S - 1] * (1LL << b) + (63 - __builtin_clzll(set[ms.S - 1]));
    free(h); free(set);
    return best;
}
