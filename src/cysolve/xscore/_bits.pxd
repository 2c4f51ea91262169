# Bit tricks both XScoreGame kernels use (``_kernel.pyx``, ``_frontier.pyx``): count trailing
# and leading zeros and set bits of a 64-bit word, with the compiler's builtins where it has
# them and a portable loop elsewhere. ``ctz64`` and ``clz64`` need a non-zero argument.

from libc.stdint cimport uint64_t

cdef extern from *:
    """
    #if defined(__GNUC__) || defined(__clang__)
    #define cysolve_ctz64(x) __builtin_ctzll(x)
    #define cysolve_clz64(x) __builtin_clzll(x)
    #define cysolve_popcount64(x) __builtin_popcountll(x)
    #else
    static int cysolve_popcount64(unsigned long long x)
    { int i = 0; while (x) { x &= x - 1; i++; } return i; }
    static int cysolve_ctz64(unsigned long long x)
    { int i = 0; while (!(x & 1)) { x >>= 1; i++; } return i; }
    static int cysolve_clz64(unsigned long long x)
    { int i = 0; while (!(x >> 63)) { x <<= 1; i++; } return i; }
    #endif
    """
    int ctz64 "cysolve_ctz64"(uint64_t) nogil
    int clz64 "cysolve_clz64"(uint64_t) nogil
    int popcount64 "cysolve_popcount64"(uint64_t) nogil
