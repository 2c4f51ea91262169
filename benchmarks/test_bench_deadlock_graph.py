"""Cycles in graphs: ``detect_graph`` vs scipy, rustworkx, igraph, networkx, the reference, C.

Random graphs with three edges a node from 10**4 to 10**7 edges (CSR input), the 1M-node
random graph and DAG from CSR int64 and from a scipy matrix too, the first cycle (early exit,
and a cycle through node 0 of a 10M-node graph), string labels, and building CSR from an edge
array. rustworkx and igraph are optional: their rows are skipped with the reason when missing.
Compare against scipy 1.18 on Python >= 3.12 (Python 3.11 is served scipy <= 1.17).
"""

from conftest import parametrize_cases
from cysolve.bench.cases import graph_cases


@parametrize_cases(graph_cases("full"))
def test_graph(bench_case, case, impl):
    bench_case(case, impl)
