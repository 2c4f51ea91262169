"""Cycles in graphs: ``detect_graph`` vs scipy, networkx, the textbook reference and C.

Random graphs with three edges a node up to 1,000,000 nodes (CSR input), the same as a DAG,
the first cycle (early exit), string labels, and building CSR from an edge array.
"""

from conftest import parametrize_cases
from cysolve.bench.cases import graph_cases


@parametrize_cases(graph_cases("full"))
def test_graph(bench_case, case, impl):
    bench_case(case, impl)
