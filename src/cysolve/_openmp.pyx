"""What the OpenMP runtime offers this process (one for the whole package).

Built without OpenMP, the stubs below report one thread, so every ``prange`` runs serially.
"""

cdef extern from *:
    """
    #ifdef _OPENMP
    #include <omp.h>
    #define CYSOLVE_OPENMP 1
    #else
    #define CYSOLVE_OPENMP 0
    static int omp_get_max_threads(void) { return 1; }
    #endif
    """
    bint CYSOLVE_OPENMP
    int omp_get_max_threads() nogil


def openmp_enabled():
    """True when the extensions were compiled with OpenMP."""
    return bool(CYSOLVE_OPENMP)


def omp_max_threads():
    """``omp_get_max_threads()``: the default team size (honours ``OMP_NUM_THREADS``)."""
    return omp_get_max_threads()
