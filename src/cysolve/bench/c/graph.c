/* Hand-written C ceiling for the graph kernel: the same one-pass algorithm as
 * cysolve/deadlock/_graph.pyx (iterative Pearce SCC + blocked + first back edge), on
 * int32 CSR arrays, with no Python around it. Built at benchmark time with
 *     gcc -O3 -shared -fPIC graph.c -o libgraph.so
 * and called through ctypes. Returns the cycle length found (0: none), -1 on no memory.
 */
#include <stdint.h>
#include <stdlib.h>

enum { ON_CYCLE = 1, BLOCKED = 2, ROOT = 4 };

int64_t scan(const int32_t *indptr, const int32_t *indices, int32_t n, uint8_t *state)
{
    int32_t *rindex = calloc((size_t)n + 1, sizeof(int32_t));
    int32_t *work = malloc((3 * (size_t)n + 1) * sizeof(int32_t));
    if (!rindex || !work) { free(rindex); free(work); return -1; }
    int32_t *path = work, *cursor = work + n, *stack = work + 2 * n;
    int32_t counter = 1, sp = 0;
    const int32_t done_free = n + 1, done_blocked = n + 2, done_cycle = n + 3;
    int64_t cycle_len = 0;
    int want_cycle = 1;
    for (int32_t s = 0; s < n; s++) {
        if (rindex[s]) continue;
        int32_t top = 0;
        path[0] = s; cursor[0] = indptr[s]; rindex[s] = counter++; state[s] = ROOT;
        while (top >= 0) {
            int32_t v = path[top], e = cursor[top], end = indptr[v + 1];
            int descended = 0;
            while (e < end) {
                int32_t w = indices[e++], r = rindex[w];
                if (r == 0) {
                    cursor[top] = e; path[++top] = w; cursor[top] = indptr[w];
                    rindex[w] = counter++; state[w] = ROOT; descended = 1;
                    break;
                }
                if (r > n) { if (r != done_free) state[v] |= BLOCKED; continue; }
                if (w == v) state[v] |= ON_CYCLE;
                if (r < rindex[v]) { rindex[v] = r; state[v] &= ~ROOT; }
                if (want_cycle) {
                    int32_t k = top;
                    while (path[k] != w) k--;
                    cycle_len = top - k + 1;
                    want_cycle = 0;
                }
            }
            if (descended) continue;
            top--;
            if (state[v] & ROOT) {
                if (sp > 0 && rindex[v] <= rindex[stack[sp - 1]]) {
                    while (sp > 0 && rindex[v] <= rindex[stack[sp - 1]]) rindex[stack[--sp]] = done_cycle;
                    rindex[v] = done_cycle;
                } else {
                    rindex[v] = (state[v] & ON_CYCLE) ? done_cycle
                              : (state[v] & BLOCKED) ? done_blocked : done_free;
                }
            } else {
                stack[sp++] = v;
            }
            if (top >= 0) {
                int32_t u = path[top], r = rindex[v];
                if (r > n) { if (r != done_free) state[u] |= BLOCKED; }
                else if (r < rindex[u]) { rindex[u] = r; state[u] &= ~ROOT; }
            }
        }
    }
    for (int32_t v = 0; v < n; v++) {
        int32_t r = rindex[v];
        state[v] = r == done_cycle ? (ON_CYCLE | BLOCKED) : r == done_blocked ? BLOCKED : 0;
    }
    free(rindex); free(work);
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
