"""Benchmarks: ``detect_graph`` against scipy, networkx, the textbook reference and a C ceiling.

Not part of the default test run. Run (one group per input, every implementation in it):

    PYTHONPATH=src python -m pytest benchmarks/test_bench_deadlock_graph.py --benchmark-only

Ratios are what counts (the machines are shared and noisy): compare medians within a group.
"""

import ctypes
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from cysolve.deadlock import _graph, detect_graph, reference
from cysolve.deadlock.graph import find_cycle

N, M = 1_000_000, 3_000_000  # the random graph
N_NX, M_NX = 100_000, 300_000  # networkx and strings (networkx needs minutes and GBs at 1M)
N_REF, M_REF = 300, 900  # the pure-Python reference (O(V E) on a graph without a cycle)
ROUNDS = 5


def random_edges(n, m, seed, dag=False):
    rng = np.random.default_rng(seed)
    src = rng.integers(0, n, m, dtype=np.int64)
    dst = rng.integers(0, n, m, dtype=np.int64)
    if dag:  # every edge from the smaller id to the larger: acyclic, nothing to stop early on
        src, dst = np.minimum(src, dst), np.maximum(src, dst)
        keep = src != dst
        src, dst = src[keep], dst[keep]
    return src, dst


def csr(n, src, dst):
    indptr, indices = _graph.csr_from_edges(src.astype(np.int32), dst.astype(np.int32), n)
    return indptr, indices


def run(benchmark, fn, *args, rounds=ROUNDS, **kwargs):
    return benchmark.pedantic(
        fn, args=args, kwargs=kwargs, rounds=rounds, iterations=1, warmup_rounds=1
    )


@pytest.fixture(scope="module", params=["random", "dag"])
def big(request):
    """The 1,000,000-node / 3,000,000-edge graph (integer nodes, int32 CSR), random or a DAG."""
    src, dst = random_edges(N, M, seed=2024, dag=request.param == "dag")
    indptr, indices = csr(N, src, dst)
    matrix = sp.csr_matrix((np.ones(indices.size, dtype=np.int8), indices, indptr), shape=(N, N))
    return request.param, indptr, indices, matrix


@pytest.fixture(scope="module")
def ceiling():
    """The hand-written C version, compiled now; skipped without a C compiler."""
    cc = shutil.which("gcc") or shutil.which("cc")
    if cc is None or sys.platform == "win32":
        pytest.skip("no C compiler (gcc/cc) on PATH: the C ceiling is not measured")
    source = Path(__file__).parent / "ceiling" / "graph.c"
    tmp = tempfile.mkdtemp(prefix="cysolve-ceiling-")
    lib_path = Path(tmp) / "libgraph.so"
    built = subprocess.run(
        [cc, "-O3", "-shared", "-fPIC", str(source), "-o", str(lib_path)],
        capture_output=True,
        text=True,
    )
    if built.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        pytest.skip(f"{cc} could not build the C ceiling: {built.stderr.strip()[:300]}")
    lib = ctypes.CDLL(str(lib_path))
    i32p = np.ctypeslib.ndpointer(np.int32, flags="C_CONTIGUOUS")
    u8p = np.ctypeslib.ndpointer(np.uint8, flags="C_CONTIGUOUS")
    lib.scan.argtypes = [i32p, i32p, ctypes.c_int32, u8p]
    lib.scan.restype = ctypes.c_int64
    lib.first_cycle.argtypes = [i32p, i32p, ctypes.c_int32]
    lib.first_cycle.restype = ctypes.c_int64
    yield lib
    shutil.rmtree(tmp, ignore_errors=True)


# --- 1,000,000 nodes, 3,000,000 edges: CSR input ------------------------------------------


@pytest.mark.parametrize(
    "impl",
    [
        "detect_graph (indptr, indices)",
        "detect_graph scipy csr_matrix",
        "kernel scan",
        "find_cycle (early exit)",
        "kernel first_cycle",
        "scipy strong components",
        "C ceiling scan",
        "C ceiling first_cycle",
    ],
)
def test_big(benchmark, big, impl, request):
    kind, indptr, indices, matrix = big
    benchmark.group = f"{kind} 1M nodes / 3M edges, CSR"
    if impl == "detect_graph (indptr, indices)":
        d = run(benchmark, detect_graph, (indptr, indices))
        assert bool(d) == (kind == "random")
    elif impl == "detect_graph scipy csr_matrix":
        run(benchmark, detect_graph, matrix)
    elif impl == "kernel scan":
        run(benchmark, _graph.scan, indptr, indices)
    elif impl == "find_cycle (early exit)":
        run(benchmark, find_cycle, (indptr, indices))
    elif impl == "kernel first_cycle":
        run(benchmark, _graph.first_cycle, indptr, indices, rounds=ROUNDS * 4)
    elif impl == "scipy strong components":
        run(benchmark, connected_components, matrix, directed=True, connection="strong")
    else:
        lib = request.getfixturevalue("ceiling")
        if impl == "C ceiling scan":
            state = np.zeros(N, dtype=np.uint8)
            run(benchmark, lib.scan, indptr, indices, N, state)
        else:
            run(benchmark, lib.first_cycle, indptr, indices, N, rounds=ROUNDS * 4)


# --- networkx: 100,000 nodes, 300,000 edges -------------------------------------------------


@pytest.fixture(scope="module")
def medium():
    src, dst = random_edges(N_NX, M_NX, seed=7)
    indptr, indices = csr(N_NX, src, dst)
    g = nx.DiGraph()
    g.add_nodes_from(range(N_NX))
    g.add_edges_from(zip(src.tolist(), dst.tolist(), strict=True))
    return indptr, indices, g


@pytest.mark.parametrize(
    "impl",
    [
        "detect_graph (indptr, indices)",
        "detect_graph networkx DiGraph",
        "find_cycle (indptr, indices)",
        "networkx strongly_connected_components",
        "networkx find_cycle",
        "scipy strong components",
    ],
)
def test_vs_networkx(benchmark, medium, impl):
    indptr, indices, g = medium
    benchmark.group = "random 100k nodes / 300k edges, vs networkx"
    if impl == "detect_graph (indptr, indices)":
        run(benchmark, detect_graph, (indptr, indices))
    elif impl == "detect_graph networkx DiGraph":
        run(benchmark, detect_graph, g)
    elif impl == "find_cycle (indptr, indices)":
        run(benchmark, find_cycle, (indptr, indices))
    elif impl == "networkx strongly_connected_components":
        run(benchmark, lambda: list(nx.strongly_connected_components(g)))
    elif impl == "networkx find_cycle":
        run(benchmark, nx.find_cycle, g)
    else:
        matrix = sp.csr_matrix((np.ones(indices.size), indices, indptr), shape=(N_NX, N_NX))
        run(benchmark, connected_components, matrix, directed=True, connection="strong")


# --- 100,000 string-labelled nodes ----------------------------------------------------------


@pytest.fixture(scope="module")
def strings():
    src, dst = random_edges(N_NX, M_NX, seed=11)
    names = [f"proc-{i:06d}" for i in range(N_NX)]
    return [(names[u], names[v]) for u, v in zip(src.tolist(), dst.tolist(), strict=True)]


@pytest.mark.parametrize(
    "impl",
    [
        "detect_graph edge list",
        "detect_graph + deadlocked/blocked sets",
        "find_cycle edge list",
        "networkx DiGraph(edges) + SCC",
        "networkx DiGraph(edges) + find_cycle",
    ],
)
def test_strings(benchmark, strings, impl):
    benchmark.group = "100k string-labelled nodes / 300k edges, edge list"
    if impl == "detect_graph edge list":
        run(benchmark, detect_graph, strings)
    elif impl == "detect_graph + deadlocked/blocked sets":
        run(benchmark, lambda: (lambda d: (d.deadlocked, d.blocked))(detect_graph(strings)))
    elif impl == "find_cycle edge list":
        run(benchmark, find_cycle, strings)
    elif impl == "networkx DiGraph(edges) + SCC":
        run(benchmark, lambda: list(nx.strongly_connected_components(nx.DiGraph(strings))))
    else:
        run(benchmark, lambda: nx.find_cycle(nx.DiGraph(strings)))


# --- the textbook reference, on a small graph ------------------------------------------------


@pytest.fixture(scope="module", params=["random", "dag"])
def small(request):
    src, dst = random_edges(N_REF, M_REF, seed=3, dag=request.param == "dag")
    edges = list(zip(src.tolist(), dst.tolist(), strict=True))
    adjacency = {v: [] for v in range(N_REF)}
    for u, v in edges:
        adjacency[u].append(v)
    return request.param, adjacency


@pytest.mark.parametrize(
    "impl",
    [
        "reference.find_cycle",
        "find_cycle",
        "detect_graph",
        "networkx find_cycle",
        "networkx strongly_connected_components",
    ],
)
def test_reference(benchmark, small, impl):
    kind, adjacency = small
    benchmark.group = f"{kind} {N_REF} nodes / {M_REF} edges, vs the textbook reference"
    if impl == "reference.find_cycle":
        run(benchmark, reference.find_cycle, adjacency, rounds=3)
    elif impl == "find_cycle":
        run(benchmark, find_cycle, adjacency)
    elif impl == "detect_graph":
        run(benchmark, detect_graph, adjacency)
    else:
        g = nx.DiGraph(adjacency)
        if impl == "networkx find_cycle":
            run(
                benchmark,
                lambda: nx.find_cycle(g) if kind == "random" else nx.is_directed_acyclic_graph(g),
            )
        else:
            run(benchmark, lambda: list(nx.strongly_connected_components(g)))


# --- building CSR from an edge array ----------------------------------------------------------


@pytest.fixture(scope="module")
def edge_array():
    src, dst = random_edges(N, M, seed=5)
    return src.astype(np.int32), dst.astype(np.int32)


def argsort_csr(src, dst, n):
    order = np.argsort(src, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    return indptr, dst[order]


@pytest.mark.parametrize(
    "impl",
    [
        "kernel csr_from_edges (counting sort)",
        "numpy argsort",
        "scipy coo -> csr",
        "detect_graph (E, 2) array, all of it",
    ],
)
def test_build(benchmark, edge_array, impl):
    src, dst = edge_array
    benchmark.group = "build CSR from a 3M-edge array on 1M nodes"
    if impl == "kernel csr_from_edges (counting sort)":
        run(benchmark, _graph.csr_from_edges, src, dst, N)
    elif impl == "numpy argsort":
        run(benchmark, argsort_csr, src, dst, N)
    elif impl == "scipy coo -> csr":
        data = np.ones(src.size, dtype=np.int8)
        run(benchmark, lambda: sp.coo_matrix((data, (src, dst)), shape=(N, N)).tocsr())
    else:
        run(benchmark, detect_graph, np.stack([src, dst], axis=1))
