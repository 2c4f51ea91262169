"""XScoreGame: the kernels vs the pure-Python references vs numba vs hand-written C."""

from conftest import parametrize_cases
from cysolve.bench.cases import xscore_cases


@parametrize_cases(xscore_cases("full"))
def test_xscore(bench_case, case, impl):
    bench_case(case, impl)
