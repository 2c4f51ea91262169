# Compiler builtins every kernel shares, with portable code where a compiler lacks them:
# count trailing and leading zeros and set bits of a 64-bit word, and prefetch a cache line.
# ``ctz64`` and ``clz64`` need a non-zero argument. Without a popcnt instruction in the target
# (the baseline x86-64 of a wheel), gcc's popcount builtin is a call into libgcc; the
# branch-free SWAR count below inlines instead (5% of the frontier's instructions at n = 30
# were that call). ``prefetch`` is a hint: nothing where the compiler has no builtin.

from libc.stdint cimport uint64_t

cdef extern from *:
    """
    #if (defined(__GNUC__) || defined(__clang__)) && defined(__POPCNT__)
    #define cysolve_popcount64(x) __builtin_popcountll(x)
    #else
    static inline int cysolve_popcount64(unsigned long long x)
    {
        x = x - ((x >> 1) & 0x5555555555555555ULL);
        x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
        x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
        return (int)((x * 0x0101010101010101ULL) >> 56);
    }
    #endif
    #if defined(__GNUC__) || defined(__clang__)
    #define cysolve_ctz64(x) __builtin_ctzll(x)
    #define cysolve_clz64(x) __builtin_clzll(x)
    #define cysolve_prefetch(p) __builtin_prefetch((const void *)(p))
    #elif defined(_MSC_VER) && defined(_M_X64)
    #include <intrin.h>
    static __inline int cysolve_ctz64(unsigned long long x)
    { unsigned long i; _BitScanForward64(&i, x); return (int)i; }
    static __inline int cysolve_clz64(unsigned long long x)
    { unsigned long i; _BitScanReverse64(&i, x); return 63 - (int)i; }
    #define cysolve_prefetch(p) ((void)0)
    #else
    static int cysolve_ctz64(unsigned long long x)
    { int i = 0; while (!(x & 1)) { x >>= 1; i++; } return i; }
    static int cysolve_clz64(unsigned long long x)
    { int i = 0; while (!(x >> 63)) { x <<= 1; i++; } return i; }
    #define cysolve_prefetch(p) ((void)0)
    #endif
    """
    int ctz64 "cysolve_ctz64"(uint64_t x) noexcept nogil
    int clz64 "cysolve_clz64"(uint64_t x) noexcept nogil
    int popcount64 "cysolve_popcount64"(uint64_t x) noexcept nogil
    void prefetch "cysolve_prefetch"(const void* p) noexcept nogil
