# Big scratch arrays on transparent huge pages (``_bigmem.h``): ``big_alloc(n, zero)``,
# ``big_free``, ``big_realloc`` work like malloc / calloc, free and realloc (NULL when memory
# ran out); ``SANITIZED`` is true in an AddressSanitizer build, where ``poison`` marks a
# region unaddressable (nothing otherwise).

cdef extern from "_bigmem.h":
    bint SANITIZED "CYSOLVE_ASAN"
    void poison "cysolve_poison"(void* p, size_t n) noexcept nogil
    void* big_alloc "cysolve_big_alloc"(size_t n, int zero) noexcept nogil
    void big_free "cysolve_big_free"(void* p) noexcept nogil
    void* big_realloc "cysolve_big_realloc"(void* p, size_t n) noexcept nogil
