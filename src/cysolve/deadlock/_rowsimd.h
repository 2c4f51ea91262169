/* The matrix kernel's passes over one m-element row, in AVX2, for x86-64 CPUs that have it.
 *
 * The wheels are built for baseline x86-64 (SSE2: no 64-bit signed compare, 2 lanes), so
 * these functions carry __attribute__((target("avx2"))) and _matrix.pyx calls them only when
 * cysolve_rowsimd_cpu_avx2() said yes at import (libgcc's CPU check includes the OS saving
 * the YMM registers). Each one returns exactly what the portable loop beside its caller in
 * _matrix.pyx returns, ties and NaN included, so orders do not depend on the CPU. Elsewhere
 * (other compilers, other architectures) CYSOLVE_ROWSIMD_BUILT is 0, the CPU check says no
 * and the stubs below are never called.
 */
#ifndef CYSOLVE_ROWSIMD_H
#define CYSOLVE_ROWSIMD_H

#include <stddef.h>
#include <stdint.h>

#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__)
#define CYSOLVE_ROWSIMD_BUILT 1
#include <immintrin.h>
#define CYSOLVE_AVX2 __attribute__((target("avx2")))

static int cysolve_rowsimd_cpu_avx2(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") ? 1 : 0;
}

/* The first k in j .. m-1 with row[k] > A[k] (m: none). */
CYSOLVE_AVX2 static ptrdiff_t
cysolve_first_short_avx2(const int64_t *row, const int64_t *A, ptrdiff_t j, ptrdiff_t m)
{
    for (; j + 4 <= m; j += 4) {
        __m256i gt = _mm256_cmpgt_epi64(_mm256_loadu_si256((const __m256i *)(row + j)),
                                        _mm256_loadu_si256((const __m256i *)(A + j)));
        int bits = _mm256_movemask_pd(_mm256_castsi256_pd(gt));
        if (bits)
            return j + __builtin_ctz((unsigned)bits);
    }
    while (j < m && row[j] <= A[j])
        j++;
    return j;
}

/* int64 -> double, correctly rounded over the whole range like cvtsi2sd (AVX2 has no packed
 * conversion): the high 48 and the low 16 bits become two exact doubles by the magic-number
 * trick, and the one rounding is their sum (Mysticial, Stack Overflow 41144668). */
CYSOLVE_AVX2 static inline __m256d cysolve_i64_to_f64(__m256i x)
{
    __m256i hi = _mm256_srai_epi32(x, 16);
    hi = _mm256_blend_epi16(hi, _mm256_setzero_si256(), 0x33);
    hi = _mm256_add_epi64(hi, _mm256_castpd_si256(_mm256_set1_pd(442721857769029238784.)));
    __m256i lo = _mm256_blend_epi16(x, _mm256_castpd_si256(_mm256_set1_pd(0x0010000000000000)),
                                    0x88);
    __m256d f = _mm256_sub_pd(_mm256_castsi256_pd(hi), _mm256_set1_pd(442726361368656609280.));
    return _mm256_add_pd(f, _mm256_castsi256_pd(lo));
}

/* (row[k] - A[k]) * inv[k] for k = j .. j+3, as the portable loop computes each. */
CYSOLVE_AVX2 static inline __m256d
cysolve_shares(const int64_t *row, const int64_t *A, const double *inv, ptrdiff_t j)
{
    __m256i d = _mm256_sub_epi64(_mm256_loadu_si256((const __m256i *)(row + j)),
                                 _mm256_loadu_si256((const __m256i *)(A + j)));
    return _mm256_mul_pd(cysolve_i64_to_f64(d), _mm256_loadu_pd(inv + j));
}

/* The first k in j .. m-1 with the largest share (row[k] - A[k]) * inv[k] above 0 (j: none
 * above 0), as the portable loop finds it: the largest share first (two running maxima, no
 * chain of blends through the row; vmaxpd keeps its second operand when the first is NaN,
 * 0 * inf, which never wins in the loop either), then the first k of the vector steps
 * whose share equals it, unless the scalar tail holds a strictly larger one. */
CYSOLVE_AVX2 static ptrdiff_t
cysolve_latest_short_avx2(const int64_t *row, const int64_t *A, const double *inv, ptrdiff_t j,
                          ptrdiff_t m)
{
    ptrdiff_t start = j, best = -1;
    double top = 0.0, share, lanes[4];
    int l, bits;
    if (j + 4 <= m) {
        __m256d top0 = _mm256_setzero_pd(), top1 = _mm256_setzero_pd();
        for (; j + 8 <= m; j += 8) {
            top0 = _mm256_max_pd(cysolve_shares(row, A, inv, j), top0);
            top1 = _mm256_max_pd(cysolve_shares(row, A, inv, j + 4), top1);
        }
        if (j + 4 <= m) {
            top0 = _mm256_max_pd(cysolve_shares(row, A, inv, j), top0);
            j += 4;
        }
        _mm256_storeu_pd(lanes, _mm256_max_pd(top0, top1));
        for (l = 0; l < 4; l++)
            top = lanes[l] > top ? lanes[l] : top;
    }
    for (; j < m; j++) {
        share = (double)(row[j] - A[j]) * inv[j];
        if (share > top) {
            top = share;
            best = j;
        }
    }
    if (best >= 0)
        return best;
    if (!(top > 0.0))
        return start;
    for (j = start;; j += 4) {  /* some vector step holds top */
        bits = _mm256_movemask_pd(_mm256_cmp_pd(cysolve_shares(row, A, inv, j),
                                                _mm256_set1_pd(top), _CMP_EQ_OQ));
        if (bits)
            return j + __builtin_ctz((unsigned)bits);
    }
}

/* A += crow; negative iff some k now has A[k] >= thr[k] (the OR of thr[k] - 1 - A[k]). */
CYSOLVE_AVX2 static int64_t
cysolve_release_avx2(int64_t *A, const int64_t *crow, const int64_t *thr, ptrdiff_t m)
{
    ptrdiff_t j = 0;
    int64_t a, hit = 0, lanes[4];
    __m256i hits = _mm256_setzero_si256();
    const __m256i one = _mm256_set1_epi64x(1);
    for (; j + 4 <= m; j += 4) {
        __m256i s = _mm256_add_epi64(_mm256_loadu_si256((const __m256i *)(A + j)),
                                     _mm256_loadu_si256((const __m256i *)(crow + j)));
        _mm256_storeu_si256((__m256i *)(A + j), s);
        hits = _mm256_or_si256(hits, _mm256_sub_epi64(
            _mm256_sub_epi64(_mm256_loadu_si256((const __m256i *)(thr + j)), one), s));
    }
    _mm256_storeu_si256((__m256i *)lanes, hits);
    hit = lanes[0] | lanes[1] | lanes[2] | lanes[3];
    for (; j < m; j++) {
        a = A[j] + crow[j];
        A[j] = a;
        hit |= thr[j] - 1 - a;
    }
    return hit;
}

/* The first k in j .. m-1 with A[k] >= thr[k], a gate that opened (m: none). */
CYSOLVE_AVX2 static ptrdiff_t
cysolve_next_open_avx2(const int64_t *A, const int64_t *thr, ptrdiff_t j, ptrdiff_t m)
{
    for (; j + 4 <= m; j += 4) {
        __m256i shut = _mm256_cmpgt_epi64(_mm256_loadu_si256((const __m256i *)(thr + j)),
                                          _mm256_loadu_si256((const __m256i *)(A + j)));
        int bits = ~_mm256_movemask_pd(_mm256_castsi256_pd(shut)) & 15;
        if (bits)
            return j + __builtin_ctz((unsigned)bits);
    }
    while (j < m && A[j] < thr[j])
        j++;
    return j;
}

/* keys[k] = the largest R[rows[t]][k] at most last[k] and above keys[k] (else unchanged),
 * for t = 0, stride, 2 stride, .. below count: key_max's pass (SSE2 has no 64-bit compare,
 * so the portable loop runs one element at a time). */
CYSOLVE_AVX2 static void
cysolve_key_max_avx2(int64_t *keys, const int64_t *last, const int64_t *R, const int64_t *rows,
                     ptrdiff_t count, ptrdiff_t stride, ptrdiff_t m)
{
    ptrdiff_t t, j;
    int64_t k;
    const int64_t *row;
    for (t = 0; t < count; t += stride) {
        row = R + rows[t] * m;
        for (j = 0; j + 4 <= m; j += 4) {
            __m256i r = _mm256_loadu_si256((const __m256i *)(row + j));
            __m256i top = _mm256_loadu_si256((const __m256i *)(keys + j));
            __m256i above = _mm256_cmpgt_epi64(r, _mm256_loadu_si256((const __m256i *)(last + j)));
            __m256i take = _mm256_andnot_si256(above, _mm256_cmpgt_epi64(r, top));
            _mm256_storeu_si256((__m256i *)(keys + j), _mm256_blendv_epi8(top, r, take));
        }
        for (; j < m; j++) {
            k = row[j];
            if (k <= last[j] && k > keys[j])
                keys[j] = k;
        }
    }
}

#else
#define CYSOLVE_ROWSIMD_BUILT 0
static void cysolve_key_max_avx2(int64_t *keys, const int64_t *last, const int64_t *R,
                                 const int64_t *rows, ptrdiff_t count, ptrdiff_t stride,
                                 ptrdiff_t m)
{ (void)keys; (void)last; (void)R; (void)rows; (void)count; (void)stride; (void)m; }
/* No AVX2 build here: the CPU check says no, so _matrix.pyx never calls the stubs. */
static int cysolve_rowsimd_cpu_avx2(void) { return 0; }
static ptrdiff_t cysolve_first_short_avx2(const int64_t *row, const int64_t *A, ptrdiff_t j,
                                          ptrdiff_t m)
{ (void)row; (void)A; (void)j; return m; }
static ptrdiff_t cysolve_latest_short_avx2(const int64_t *row, const int64_t *A,
                                           const double *inv, ptrdiff_t j, ptrdiff_t m)
{ (void)row; (void)A; (void)inv; (void)m; return j; }
static int64_t cysolve_release_avx2(int64_t *A, const int64_t *crow, const int64_t *thr,
                                    ptrdiff_t m)
{ (void)A; (void)crow; (void)thr; (void)m; return 0; }
static ptrdiff_t cysolve_next_open_avx2(const int64_t *A, const int64_t *thr, ptrdiff_t j,
                                        ptrdiff_t m)
{ (void)A; (void)thr; (void)j; return m; }
#endif

#endif /* CYSOLVE_ROWSIMD_H */
