/* Big scratch arrays on transparent huge pages, for every kernel (and the C ceilings).
 *
 * cysolve_big_alloc(n, zero) / cysolve_big_free(p) / cysolve_big_realloc(p, n): malloc, free
 * and realloc, but an array of 2 MiB or more is an anonymous mapping of its own on a 2 MiB
 * boundary, asked for as transparent huge pages (Linux; THP "madvise" mode needs the ask).
 * Such an array costs one page fault and one TLB entry per 2 MiB instead of 512: random reads
 * over a few MiB miss the TLB on most reads in 4 KiB pages, and each fresh 4 KiB page costs a
 * fault that, on this kind of (virtual) machine, costs as much as many reads. Fresh mappings
 * are zero; a small block is calloc'd when asked for zero. Elsewhere, and under ASan (which
 * then sees every bound), plain malloc. cysolve_poison(p, n): ASan's poisoning, or nothing.
 */
#ifndef CYSOLVE_BIGMEM_H
#define CYSOLVE_BIGMEM_H

/* Under AddressSanitizer (CYSOLVE_ASAN) the big arrays are plain mallocs, so ASan sees their
   bounds, and a pool can poison what it outgrew (the online graph's pools). */
#if defined(__SANITIZE_ADDRESS__)
#define CYSOLVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CYSOLVE_ASAN 1
#endif
#endif
#ifdef CYSOLVE_ASAN
#include <sanitizer/asan_interface.h>
#define cysolve_poison(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#else
#define CYSOLVE_ASAN 0
#define cysolve_poison(p, n) ((void)0)
#endif

/* A mapped array has a 4 KiB page in front holding its header; a small block is malloc'd with
   a 64-byte header. The header says which kind a block is (and its size, for the copy when
   it grows). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif
#if defined(__linux__) && defined(MADV_HUGEPAGE) && !CYSOLVE_ASAN
#define CYSOLVE_HUGE ((size_t)2 << 20)
#define CYSOLVE_HEAD ((size_t)64)
#define CYSOLVE_PAGE ((size_t)4096)
typedef struct { char* map; size_t maplen; size_t size; } cysolve_head;

static inline void* cysolve_big_alloc(size_t n, int zero) {
    cysolve_head* h;
    if (n > SIZE_MAX / 2) return NULL;
    if (n >= CYSOLVE_HUGE) {
        /* 2 MiB more than needed, then the slack before the header page and after the
           array is unmapped: the array starts on a 2 MiB boundary (an array of exactly
           2 MiB is one huge page) */
        size_t len = (n + CYSOLVE_HUGE - 1) & ~(CYSOLVE_HUGE - 1);
        char* m = (char*)mmap(NULL, CYSOLVE_PAGE + len + CYSOLVE_HUGE,
                              PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        char* at;
        size_t head;
        if (m == (char*)MAP_FAILED) return NULL;
        at = (char*)(((uintptr_t)m + CYSOLVE_PAGE + CYSOLVE_HUGE - 1)
                     & ~(uintptr_t)(CYSOLVE_HUGE - 1));
        head = (size_t)(at - CYSOLVE_PAGE - m);   /* < 2 MiB */
        if (head) munmap(m, head);
        if (head < CYSOLVE_HUGE) munmap(at + len, CYSOLVE_HUGE - head);
        madvise(at, len, MADV_HUGEPAGE);
        h = (cysolve_head*)(at - CYSOLVE_HEAD);
        h->map = at - CYSOLVE_PAGE;
        h->maplen = CYSOLVE_PAGE + len;
        h->size = n;
        return at;   /* fresh pages: already zero */
    }
    h = (cysolve_head*)(zero ? calloc(1, n + CYSOLVE_HEAD) : malloc(n + CYSOLVE_HEAD));
    if (h == NULL) return NULL;
    h->map = NULL;
    h->size = n;
    return (char*)h + CYSOLVE_HEAD;
}

static inline void cysolve_big_free(void* p) {
    cysolve_head* h;
    if (p == NULL) return;
    h = (cysolve_head*)((char*)p - CYSOLVE_HEAD);
    if (h->map != NULL) munmap(h->map, h->maplen);
    else free(h);
}

/* realloc: a malloc'd block stays one while small; else a new block and a copy */
static inline void* cysolve_big_realloc(void* p, size_t n) {
    cysolve_head* h;
    void* q;
    if (p == NULL) return cysolve_big_alloc(n, 0);
    h = (cysolve_head*)((char*)p - CYSOLVE_HEAD);
    if (h->map == NULL && n < CYSOLVE_HUGE) {
        h = (cysolve_head*)realloc(h, n + CYSOLVE_HEAD);
        if (h == NULL) return NULL;
        h->size = n;
        return (char*)h + CYSOLVE_HEAD;
    }
    q = cysolve_big_alloc(n, 0);
    if (q == NULL) return NULL;
    memcpy(q, p, h->size < n ? h->size : n);
    cysolve_big_free(p);
    return q;
}
#else
static inline void* cysolve_big_alloc(size_t n, int zero) {
    return zero ? calloc(1, n ? n : 1) : malloc(n ? n : 1);
}
#define cysolve_big_free free
#define cysolve_big_realloc realloc
#endif

#endif  /* CYSOLVE_BIGMEM_H */
