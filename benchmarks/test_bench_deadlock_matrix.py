"""The matrix algorithm: kernel vs the read floor, the NumPy and plain-Python textbook loops,
hand-written C; Banker's batches.

``kernel`` is the public ``deadlock.detect`` (checks + kernel); ``kernel (no checks)`` the
compiled kernel on checked arrays, the like-for-like match for ``c-ceiling`` and for ``read
floor`` (NumPy's ``C.sum(axis=0)`` plus ``(R <= A).all(axis=1)`` on the same arrays: reading
the input once, which no exact algorithm can skip). Groups: chains, hidden order (wide and
tall), uniform, the staircase (every process's types met one after another), the hoarder
staircase (the watch rule's worst case: its weights lie), the beggar (one request keeps the
hoarded span, so the radix heaps run), the staircase with counts to 10^6 (the radix heaps),
the decoy staircase (the worst case found for the ranked seats: a type that early finishes
release in bulk, asked for at random, makes the ranking lie), the growth of kernel and floor
over n = 10^3 .. 10^6 (m = 10), and the batches.
"""

from conftest import parametrize_cases
from cysolve.bench.cases import matrix_cases


@parametrize_cases(matrix_cases("full"))
def test_matrix(bench_case, case, impl):
    bench_case(case, impl)
