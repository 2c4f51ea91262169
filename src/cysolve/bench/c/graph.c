/* Hand-written C ceiling for the graph kernel: the same algorithm as
 * cysolve/deadlock/_graph.pyx's scan (a source peel - Kahn - that answers an acyclic graph
 * alone; else 32-byte node records in huge pages and an iterative Pearce SCC + blocked +
 * first back edge over them, the top of the DFS path in registers), on int32 CSR arrays,
 * with no Python around it and no input checks. Built at benchmark time with
 *     gcc -O3 -shared -fPIC graph.c -o libgraph.so
 * and called through ctypes. Returns the cycle length found (0: none), -1 on no memory.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "../../_bigmem.h"  /* cysolve/_bigmem.h: the kernels' huge-page scratch */

enum { ON_CYCLE = 1, BLOCKED = 2, ROOT = 4 };
enum { INLINE_TARGETS = 6, PREFETCH_EDGES = 16, PEEL_AHEAD_ROW_START = 16, PEEL_AHEAD_ROW = 8 };

typedef struct {
    int32_t state, degree, first[INLINE_TARGETS];
} record;

/* Kahn: peel nodes with no incoming edge; how many were peeled (n: acyclic). */
static int32_t peel_sources(const int32_t *indptr, const int32_t *indices, int32_t n,
                            int32_t *indegree, int32_t *queue)
{
    int32_t head = 0, tail = 0, m = indptr[n];
    memset(indegree, 0, (size_t)n * sizeof(int32_t));
    for (int32_t e = 0; e < m; e++) indegree[indices[e]]++;
    for (int32_t v = 0; v < n; v++) if (indegree[v] == 0) queue[tail++] = v;
    while (head < tail) {
        if (head + PEEL_AHEAD_ROW_START < tail)
            __builtin_prefetch(&indptr[queue[head + PEEL_AHEAD_ROW_START]]);
        if (head + PEEL_AHEAD_ROW < tail)
            __builtin_prefetch(&indices[indptr[queue[head + PEEL_AHEAD_ROW]]]);
        int32_t v = queue[head++];
        for (int32_t e = indptr[v]; e < indptr[v + 1]; e++)
            if (--indegree[indices[e]] == 0) queue[tail++] = indices[e];
    }
    return head;
}

static inline int32_t target(const record *rec, const int32_t *indptr, const int32_t *indices,
                             int32_t v, int32_t k)
{
    return k < INLINE_TARGETS ? rec[v].first[k] : indices[indptr[v] + k];
}

static inline void prefetch_records(const record *rec, const int32_t *indptr,
                                    const int32_t *indices, int32_t v)
{
    int32_t degree = rec[v].degree;
    for (int32_t k = 0; k < degree && k < INLINE_TARGETS; k++)
        __builtin_prefetch(&rec[rec[v].first[k]]);
    for (int32_t k = INLINE_TARGETS; k < degree && k < PREFETCH_EDGES; k++)
        __builtin_prefetch(&rec[indices[indptr[v] + k]]);
}

int64_t scan(const int32_t *indptr, const int32_t *indices, int32_t n, uint8_t *state)
{
    size_t nn = (size_t)n + 1;
    int32_t *ids = cysolve_big_alloc(6 * nn * sizeof(int32_t), 0);
    record *rec = cysolve_big_alloc(nn * sizeof(record), 0);
    uint8_t *pflags = malloc(nn);
    if (!ids || !rec || !pflags) {
        cysolve_big_free(ids); cysolve_big_free(rec); free(pflags);
        return -1;
    }
    int64_t cycle_len = 0;
    if (peel_sources(indptr, indices, n, ids, ids + nn) == n) {
        memset(state, 0, (size_t)n);
        cysolve_big_free(ids); cysolve_big_free(rec); free(pflags);
        return 0;
    }
    for (int32_t v = 0; v < n; v++) {
        int32_t e = indptr[v], degree = indptr[v + 1] - e;
        rec[v].state = 0;
        rec[v].degree = degree;
        for (int32_t k = 0; k < degree && k < INLINE_TARGETS; k++) rec[v].first[k] = indices[e + k];
    }
    int32_t *path = ids, *plow = ids + nn, *pnext = ids + 2 * nn, *pend = ids + 3 * nn;
    int32_t *stack = ids + 4 * nn, *slow = ids + 5 * nn;
    int32_t counter = 1, sp = 0, code = 0;
    const int32_t done_free = n + 1, done_blocked = n + 2, done_cycle = n + 3;
    int want_cycle = 1;
    for (int32_t s = 0; s < n; s++) {
        if (rec[s].state) continue;
        int32_t v = s, e = 0, end = rec[v].degree, top = 0, low = counter;
        uint8_t flags = ROOT;
        prefetch_records(rec, indptr, indices, v);
        path[0] = v; rec[v].state = counter++;
        for (;;) {
            while (e < end) {
                int32_t w = target(rec, indptr, indices, v, e++), r = rec[w].state;
                if (r == 0) {  /* descend: the top's registers go to its frame */
                    pnext[top] = e; pend[top] = end; plow[top] = low; pflags[top] = flags;
                    v = w; e = 0; end = rec[v].degree;
                    prefetch_records(rec, indptr, indices, v);
                    path[++top] = v; rec[v].state = low = counter++; flags = ROOT;
                    continue;
                }
                if (r > n) { if (r != done_free) flags |= BLOCKED; continue; }
                if (w == v) flags |= ON_CYCLE;
                if (r < low) { low = r; flags &= ~ROOT; }
                if (want_cycle) {
                    int32_t k = top;
                    while (path[k] != w) k--;
                    cycle_len = top - k + 1;
                    want_cycle = 0;
                }
            }
            if (flags & ROOT) {
                if (sp > 0 && slow[sp - 1] >= low) {
                    while (sp > 0 && slow[sp - 1] >= low) rec[stack[--sp]].state = done_cycle;
                    code = done_cycle;
                } else {
                    code = (flags & ON_CYCLE) ? done_cycle : (flags & BLOCKED) ? done_blocked : done_free;
                }
                rec[v].state = code;
            } else {
                stack[sp] = v; slow[sp++] = low;
            }
            if (top == 0) break;
            int32_t child_low = low;
            uint8_t child_flags = flags;
            top--;
            v = path[top]; e = pnext[top]; end = pend[top]; low = plow[top]; flags = pflags[top];
            if (child_flags & ROOT) { if (code != done_free) flags |= BLOCKED; }
            else if (child_low < low) { low = child_low; flags &= ~ROOT; }
        }
    }
    for (int32_t v = 0; v < n; v++) {
        int32_t r = rec[v].state;
        state[v] = r == done_cycle ? (ON_CYCLE | BLOCKED) : r == done_blocked ? BLOCKED : 0;
    }
    cysolve_big_free(ids); cysolve_big_free(rec); free(pflags);
    return cycle_len;
}

/* Three-colour DFS that stops at the first back edge; returns its cycle's length or 0. */
int64_t first_cycle(const int32_t *indptr, const int32_t *indices, int32_t n)
{
    uint8_t *color = calloc((size_t)n + 1, 1);
    int32_t *work = malloc((2 * (size_t)n + 1) * sizeof(int32_t));
    if (!color || !work) { free(color); free(work); return -1; }
    int32_t *path = work, *cursor = work + n;
    int64_t found = 0;
    for (int32_t s = 0; s < n && !found; s++) {
        if (color[s]) continue;
        int32_t top = 0;
        path[0] = s; cursor[0] = indptr[s]; color[s] = 1;
        while (top >= 0 && !found) {
            int32_t v = path[top], e = cursor[top], end = indptr[v + 1];
            int descended = 0;
            while (e < end) {
                int32_t w = indices[e++];
                if (color[w] == 0) {
                    cursor[top] = e; path[++top] = w; cursor[top] = indptr[w]; color[w] = 1;
                    descended = 1;
                    break;
                }
                if (color[w] == 1) {
                    int32_t k = top;
                    while (path[k] != w) k--;
                    found = top - k + 1;
                    break;
                }
            }
            if (!descended && !found) { color[v] = 2; top--; }
        }
    }
    free(color); free(work);
    return found;
}
