"""The matrix algorithm: kernel vs the NumPy and plain-Python textbook loops vs hand-written C.

``kernel`` is the public ``deadlock.detect`` (checks + kernel); ``kernel (no checks)`` the
compiled kernel on checked arrays, the like-for-like match for ``c-ceiling``.
"""

from conftest import parametrize_cases
from cysolve.bench.cases import matrix_cases


@parametrize_cases(matrix_cases("full"))
def test_matrix(bench_case, case, impl):
    bench_case(case, impl)
