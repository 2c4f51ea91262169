/* The ceiling: the matrix algorithm's kernel written by hand in plain C.
 *
 * The same algorithm as cysolve/deadlock/_matrix.pyx (sweeps over the live list while a
 * sweep finishes at least a quarter of it, then one min-heap per resource type of processes
 * waiting for their first unsatisfied type), so the benchmarks can measure how close the
 * Cython kernel comes to C. Compiled at benchmark time: gcc -O3 -shared -fPIC [-fopenmp].
 * Inputs are trusted exactly as the kernel trusts them (contiguous int64, checked sums).
 */
#include <stdint.h>
#include <stdlib.h>
#ifdef _OPENMP
#include <omp.h>
#endif

/* Spare bytes after every scratch block: blocks of different threads never share a line. */
#define PAD 128

typedef struct { int64_t key, proc; } entry;
typedef struct { entry *data; int64_t size, cap; } heap;
typedef struct { int64_t *live, *pos, *ready; heap *heaps; int64_t m; } work;

static void work_free(work *w) {
    if (w->heaps) for (int64_t j = 0; j < w->m; j++) free(w->heaps[j].data);
    free(w->heaps); free(w->live); free(w->pos); free(w->ready);
    w->heaps = NULL; w->live = w->pos = w->ready = NULL; w->m = 0;
}

static int work_init(work *w, int64_t n, int64_t m, int64_t heap_cap) {
    size_t cells = (size_t)n * sizeof(int64_t) + PAD;
    w->m = 0; w->heaps = NULL;
    w->live = malloc(cells);
    w->pos = malloc(cells);
    w->ready = malloc(cells);
    if (!w->live || !w->pos || !w->ready) return -1;
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
        entry *grown = realloc(h->data, (size_t)cap * sizeof(entry) + PAD);
        if (!grown) return -1;
        h->data = grown; h->cap = cap;
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

static int64_t solve(const int64_t *C, const int64_t *R, int64_t *A, int64_t n, int64_t m,
                     int64_t *order, work *w) {
    int64_t *live = w->live, *pos = w->pos, *ready = w->ready;
    heap *heaps = w->heaps;
    int64_t nlive, before = n, done = 0, top = 0;
    if (n == 0) return 0;
    if (m == 0) { for (int64_t i = 0; i < n; i++) order[i] = i; return n; }
    for (int64_t i = 0; i < n; i++) { live[i] = i; pos[i] = 0; }
    nlive = n;
    while (nlive > 0) {
        int64_t kept = 0;
        before = nlive;
        for (int64_t t = 0; t < nlive; t++) {
            int64_t i = live[t], j = pos[i];
            const int64_t *row = R + i * m;
            while (j < m && row[j] <= A[j]) j++;
            if (j == m) {
                const int64_t *crow = C + i * m;
                for (j = 0; j < m; j++) A[j] += crow[j];
                order[done++] = i;
            } else {
                pos[i] = j;
                live[kept++] = i;
            }
        }
        nlive = kept;
        if ((before - nlive) * 4 < before) break;
    }
    if (nlive == 0 || before == nlive) return done;
    for (int64_t j = 0; j < m; j++) heaps[j].size = 0;
    for (int64_t t = 0; t < nlive; t++) {
        int64_t i = live[t], j = pos[i];
        const int64_t *row = R + i * m;
        while (j < m && row[j] <= A[j]) j++;
        if (j == m) ready[top++] = i;
        else if (heap_push(&heaps[j], row[j], i) < 0) return -1;
    }
    while (top > 0) {
        int64_t i = ready[--top];
        const int64_t *crow = C + i * m;
        for (int64_t j = 0; j < m; j++) A[j] += crow[j];
        order[done++] = i;
        for (int64_t j = 0; j < m; j++) {
            if (crow[j] == 0) continue;
            while (heaps[j].size > 0 && heaps[j].data[0].key <= A[j]) {
                int64_t p = heap_pop(&heaps[j]), t = j + 1;
                const int64_t *row = R + p * m;
                while (t < m && row[t] <= A[t]) t++;
                if (t == m) ready[top++] = p;
                else if (heap_push(&heaps[t], row[t], p) < 0) return -1;
            }
        }
    }
    return done;
}

/* One system: A (m) is updated in place, order[:returned] is a finishing order; -1 = no memory. */
int64_t ceiling_detect(const int64_t *C, const int64_t *R, int64_t *A, int64_t n, int64_t m,
                       int64_t *order) {
    work w;
    int64_t done = -1;
    if (work_init(&w, n, m, 0) == 0) done = solve(C, R, A, n, m, order, &w);
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
        if (work_init(&works[t], n, m, n < 256 ? n : 256) != 0) failed = 1;
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
