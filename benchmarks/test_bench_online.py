"""Online deadlock detection: ``WaitForGraph`` per event vs rustworkx ``check_cycle``,
networkx ``has_path`` and ``detect_graph`` re-run per event; ``Banker.request`` vs
``request_ok``. Streams (a)-(d) of issue 13 (see ``cysolve.bench.cases.online_cases``).
"""

from conftest import parametrize_cases
from cysolve.bench.cases import online_cases


@parametrize_cases(online_cases("full"))
def test_online(bench_case, case, impl):
    bench_case(case, impl)
