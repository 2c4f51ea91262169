"""The benchmark inputs and the implementations compared on each, for every family.

One :class:`Case` is one input (built from a fixed seed) and every implementation that runs on
it; ``cysolve bench`` and the pytest-benchmark suite in ``benchmarks/`` both read these lists,
so the two always measure the same things. Profiles: ``"tiny"`` (the smoke test: seconds),
``"quick"`` (``cysolve bench --quick``: under a minute) and ``"full"``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cysolve import _parallel, deadlock, xscore
from cysolve.bench import ceiling, inputs, peers
from cysolve.deadlock import _graph, _inputs, _matrix, _numpy_loop
from cysolve.deadlock import reference as deadlock_reference
from cysolve.deadlock.graph import find_cycle
from cysolve.xscore import reference as xscore_reference

PROFILES = ("tiny", "quick", "full")


@dataclass(frozen=True, eq=False)  # hashed by identity: the suite caches inputs per case
class Case:
    """One input and the implementations timed on it.

    ``implementations`` maps a name to a factory that returns ``fn(*args)``; a factory raises
    ``ImportError`` or :class:`~cysolve.bench.ceiling.CeilingUnavailable` when that peer is
    missing here. The first implementation is the kernel every ratio is taken against.
    """

    family: str
    series: str  # one line of the scaling plot per (series, implementation)
    label: str
    size: float
    build: Callable[[], tuple]
    implementations: dict[str, Callable[[], Callable[..., Any]]]
    same: Callable[[Any, Any], bool] = operator.eq
    growth: str = "power"  # how the series is fitted: "power" (size**p) or "exponential" (g**size)
    unit: str = "size"  # what ``size`` counts, for the plot's axis
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return f"{self.family} {self.label}"

    @property
    def baseline(self) -> str:
        return next(iter(self.implementations))


def _ready(fn):
    """A factory for an implementation that is always available."""
    return lambda: fn


# --- xscore ---------------------------------------------------------------------------------

XSCORE_SIZES = {
    "tiny": [4, 6, 8],
    "quick": [4, 6, 8, 10, 12, 13, 16, 20, 25],
    "full": [4, 6, 8, 10, 12, 14, 15, 16, 18, 20, 25, 30],
}
# Largest n each slower implementation is run at (it would take minutes beyond).
XSCORE_LIMITS = {
    "dominance": 20, "c-dominance": 20, "numba": 20, "python-frontier": 20, "python-dp": 15,
    "python-bruteforce": 8, "residue": 18, "c-residue": 18,
}


def xscore_worst_instance(n: int = 20, low: int = 16, high: int = 47, seed: int = 709):
    """``n`` distinct values from ``low..high``: the frontier's worst shape found by search
    (it grows like ``C(n, n/2)`` there)."""
    rng = np.random.default_rng(seed)
    return rng.permutation(np.arange(low, high + 1))[:n]


def xscore_cases(profile: str) -> list[Case]:
    implementations = {
        "kernel": _ready(lambda a: xscore.best_score(a)),
        "dominance": _ready(lambda a: xscore.best_score(a, method="dominance")),
        "residue": _ready(lambda a: xscore.best_score(a, method="residue")),
        "numba": peers.numba_xscore,
        "c-frontier": ceiling.xscore_frontier,
        "c-dominance": lambda: ceiling.xscore("dominance"),
        "c-residue": lambda: ceiling.xscore("residue"),
        "python-frontier": _ready(lambda a: xscore_reference.best_score_frontier(a.tolist())),
        "python-dp": _ready(lambda a: xscore_reference.best_score_dp(a.tolist())),
        "python-bruteforce": _ready(lambda a: xscore_reference.best_score_bruteforce(a.tolist())),
    }
    cases = []
    for n in XSCORE_SIZES[profile]:
        chosen = {
            name: make
            for name, make in implementations.items()
            if n <= XSCORE_LIMITS.get(name, n)
        }
        cases.append(
            Case("xscore", "best_score", f"n={n}", n, lambda n=n: (inputs.xscore_instance(n),),
                 chosen, growth="exponential", unit="n (values)")
        )
    if profile != "tiny":
        worst = {name: implementations[name]
                 for name in ("kernel", "dominance", "c-frontier", "c-dominance")}
        cases.append(
            Case("xscore", "worst case", "distinct 16..47 n=20", 20,
                 lambda: (xscore_worst_instance(),), worst, unit="n (values)")
        )
    k, n = {"tiny": (50, 8), "quick": (2000, 12), "full": (2000, 12)}[profile]
    cases.append(
        Case(
            "xscore", "batch", f"batch {k} x n={n}", k, lambda: (inputs.xscore_batch(k, n),),
            {
                "kernel all threads": _ready(lambda b: xscore.best_scores(b, num_threads=-1)),
                "kernel 1 thread": _ready(lambda b: xscore.best_scores(b, num_threads=1)),
                "c-frontier 1 thread": ceiling.xscore_frontier_batch,
                "dominance 1 thread": _ready(
                    lambda b: xscore.best_scores(b, method="dominance", num_threads=1)),
            },
            same=np.array_equal,
        )
    )
    if profile == "full":
        cases.append(
            Case(
                "xscore", "batch", "batch 10000 x n=15", 10000,
                lambda: (inputs.xscore_batch(10000, 15),),
                {
                    "kernel 1 thread": _ready(lambda b: xscore.best_scores(b, num_threads=1)),
                    "c-frontier 1 thread": ceiling.xscore_frontier_batch,
                    "dominance 1 thread": _ready(
                        lambda b: xscore.best_scores(b, method="dominance", num_threads=1)),
                },
                same=np.array_equal,
            )
        )
    return cases


# --- deadlock: the matrix algorithm -----------------------------------------------------------

def _final_state(answer):
    """What every matrix implementation agrees on: the final ``A`` and who is deadlocked.

    (The finishing order is not unique; the deadlocked set and the final ``A`` are.)
    """
    if isinstance(answer, deadlock.Detection):
        return answer.available.tolist(), len(answer.order)
    order, available = answer
    return np.asarray(available).tolist(), len(order)


class _Unchecked:
    """What the read floor returns: it computes no answer, so it agrees with every answer."""

    def __repr__(self) -> str:
        return "<read floor: no answer>"


UNCHECKED = _Unchecked()


def _same_final_state(a, b) -> bool:
    if a is UNCHECKED or b is UNCHECKED:
        return True
    return _final_state(a) == _final_state(b)


def _same_array(a, b) -> bool:
    return a is UNCHECKED or b is UNCHECKED or np.array_equal(a, b)


def _read_floor(C, R, A):
    """The least any exact matrix algorithm does: read ``C`` and ``R`` once (NumPy).

    ``C.sum(axis=0)`` plus ``(R <= A).all(axis=1)`` on the same arrays: the kernel's time over
    this one is how far it is from the speed of reading its input.
    """
    C.sum(axis=0)
    (R <= A).all(axis=1)
    return UNCHECKED


def _read_floor_batch(C, R, A):
    """The read floor of a batch: every system's column sums and first-pass test at once."""
    C.sum(axis=1)
    (R <= A[:, None, :]).all(axis=2)
    return UNCHECKED


def _matrix_raw(C, R, A):
    """The compiled kernel alone, on checked arrays: the like-for-like match for the C ceiling."""
    A = A.copy()
    order = np.empty(C.shape[0], dtype=np.int64)
    return order[: _matrix.detect(C, R, A, order)], A


def _numpy_loop_over(C, R, A):
    """The NumPy textbook loop run system by system: what a batch costs without the kernel."""
    out = np.ones(C.shape[:2], dtype=bool)
    for s in range(C.shape[0]):
        out[s, _numpy_loop.detect(C[s], R[s], A[s])[0]] = False
    return out


# Hidden-order systems with m = 10 over n = 10^3 .. 10^6: the kernel's growth next to the floor's.
MATRIX_GROWTH_SIZES = {
    "tiny": [1000, 3000, 10000],
    "quick": [1000, 10_000, 100_000],
    "full": [1000, 10_000, 100_000, 1_000_000],
}
MATRIX_CHAIN_SIZES = {
    "tiny": [50, 100, 200],
    "quick": [500, 1000, 2000, 4000],
    "full": [1000, 2000, 5000, 10000, 20000],
}
# Largest chain each textbook loop runs on (O(n^2 m): it would take minutes beyond).
MATRIX_LIMITS = {"numpy": 20000, "python": 2000}


def matrix_cases(profile: str) -> list[Case]:
    def checked(make):
        return lambda: _inputs.matrix_system(*make()[:3])

    single = {
        "kernel": _ready(lambda C, R, A: deadlock.detect(C, R, available=A)),
        "kernel (no checks)": _ready(_matrix_raw),
        "read floor": _ready(_read_floor),
        "c-ceiling": ceiling.matrix,
        "numpy": _ready(lambda C, R, A: deadlock.detect(C, R, available=A, method="numpy")),
        "python": _ready(lambda C, R, A: deadlock.detect(C, R, available=A, method="reference")),
    }

    def within(limit_n):
        return {k: v for k, v in single.items() if limit_n <= MATRIX_LIMITS.get(k, limit_n)}

    cases = [
        Case("deadlock-matrix", "chain m=4", f"chain n={n} m=4", n,
             checked(lambda n=n: inputs.chain_system(n, 4, seed=1)), within(n),
             same=_same_final_state, unit="n (processes)")
        for n in MATRIX_CHAIN_SIZES[profile]
    ]
    hidden = {"tiny": (200, 10), "quick": (2000, 50), "full": (10000, 100)}[profile]
    tall = {"tiny": (2000, 10), "quick": (20000, 10), "full": (100_000, 10)}[profile]
    uniform = {"tiny": (100, 10), "quick": (1000, 10), "full": (1000, 10)}[profile]
    stairs = {"tiny": (200, 10), "quick": (2000, 50), "full": (10000, 100)}[profile]
    stairs_tall = {"tiny": (2000, 10), "quick": (20000, 10), "full": (100_000, 10)}[profile]
    no_loops = {k: v for k, v in single.items() if k not in MATRIX_LIMITS}  # O(n^2 m) here
    cases += [
        Case("deadlock-matrix", "hidden order", f"hidden order n={hidden[0]} m={hidden[1]}",
             hidden[0], checked(lambda: inputs.hidden_order_system(*hidden, seed=1)),
             within(hidden[0]), same=_same_final_state),
        Case("deadlock-matrix", "hidden order tall", f"hidden order n={tall[0]} m={tall[1]}",
             tall[0], checked(lambda: inputs.hidden_order_system(*tall, seed=1)),
             within(tall[0]), same=_same_final_state),
        Case("deadlock-matrix", "uniform", f"uniform n={uniform[0]} m={uniform[1]}", uniform[0],
             checked(lambda: inputs.uniform_system(*uniform)), within(uniform[0]),
             same=_same_final_state),
        Case("deadlock-matrix", "staircase", f"staircase n={stairs[0]} m={stairs[1]}",
             stairs[0], checked(lambda: inputs.staircase_system(*stairs, seed=1)),
             no_loops, same=_same_final_state,
             notes={"why": "every process watches all m types in turn (W = nm)"}),
        Case("deadlock-matrix", "staircase tall",
             f"staircase n={stairs_tall[0]} m={stairs_tall[1]}", stairs_tall[0],
             checked(lambda: inputs.staircase_system(*stairs_tall, seed=1)),
             no_loops, same=_same_final_state),
    ]
    growth = {"kernel (no checks)": _ready(_matrix_raw), "read floor": _ready(_read_floor)}
    cases += [
        Case("deadlock-matrix", "growth m=10", f"hidden order growth n={n:,} m=10", n,
             checked(lambda n=n: inputs.hidden_order_system(n, 10, seed=2, vectorised=True)),
             growth, same=_same_final_state, unit="n (processes)")
        for n in MATRIX_GROWTH_SIZES[profile]
    ]
    k = {"tiny": 200, "quick": 10000, "full": 10000}[profile]
    cases.append(
        Case(
            "deadlock-matrix", "batch", f"batch {k} x 20x5", k,
            lambda: _inputs.matrix_batch(*inputs.system_batch(k, 20, 5)),
            {
                "kernel all threads": _ready(
                    lambda C, R, A: deadlock.detect_batch(C, R, A, num_threads=-1)),
                "kernel 1 thread": _ready(
                    lambda C, R, A: deadlock.detect_batch(C, R, A, num_threads=1)),
                "read floor": _ready(_read_floor_batch),
                "c-ceiling all threads": lambda: ceiling.matrix_batch(
                    _parallel.num_threads(None)),
                "c-ceiling 1 thread": lambda: ceiling.matrix_batch(1),
                "numpy loop over systems": _ready(_numpy_loop_over),
            },
            same=_same_array,
        )
    )
    kb, nb, mb = {"tiny": (200, 8, 3), "quick": (5000, 20, 5), "full": (20000, 20, 5)}[profile]
    cases.append(
        Case(
            "deadlock-matrix", "banker batch", f"is_safe_batch {kb} x {nb}x{mb}", kb,
            lambda: _banker_batch(kb, nb, mb),
            {
                "kernel all threads": _ready(
                    lambda A, C, M: deadlock.is_safe_batch(A, C, M, num_threads=-1)),
                "kernel 1 thread": _ready(
                    lambda A, C, M: deadlock.is_safe_batch(A, C, M, num_threads=1)),
                "is_safe one by one": _ready(
                    lambda A, C, M: np.array([deadlock.is_safe(a, c, x).safe
                                              for a, c, x in zip(A, C, M, strict=True)])),
            },
            same=np.array_equal,
        )
    )
    return cases


def _banker_batch(k: int, n: int, m: int):
    """k Banker states (available, allocation, max_claim): hidden-order needs, some raised."""
    C, need, A = inputs.system_batch(k, n, m, seed=3)
    return A, C, C + need


# --- deadlock: cycles in graphs -------------------------------------------------------------

GRAPH_SIZES = {  # nodes; three edges a node, so "full" spans 10**4 to 10**7 edges
    "tiny": [1000, 3000, 10000],
    "quick": [10_000, 30_000, 100_000, 300_000],
    "full": [3_334, 10_000, 33_334, 100_000, 333_334, 1_000_000, 3_333_334],
}
# Largest graph each peer runs on (networkx: minutes beyond; rustworkx and igraph: building
# their graph objects outside the timing takes longer than the whole kernel series).
GRAPH_LIMITS = {"networkx": 100_000, "python": 1000, "rustworkx": 1_000_000,
                "igraph": 1_000_000}


def _csr32(n: int, src, dst):
    return _graph.csr_from_edges(src.astype(np.int32), dst.astype(np.int32), n)


def _on_cycle(answer) -> np.ndarray:
    """Every graph implementation's answer as a boolean mask of the nodes on a cycle."""
    if isinstance(answer, deadlock.GraphDetection):
        return np.asarray(answer.deadlocked_mask, dtype=bool)
    return np.asarray(answer, dtype=bool)


def _same_cycle_nodes(a, b) -> bool:
    return np.array_equal(_on_cycle(a), _on_cycle(b))


def _scipy_on_cycle():
    _import("scipy")
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components

    def on_cycle(indptr, indices):
        n = indptr.size - 1
        matrix = sp.csr_matrix((np.ones(indices.size, dtype=np.int8), indices, indptr), (n, n))
        _, labels = connected_components(matrix, directed=True, connection="strong")
        mask = np.bincount(labels, minlength=n)[labels] > 1
        rows = np.repeat(np.arange(n), np.diff(indptr))
        mask[rows[rows == indices]] = True  # a self-loop is a cycle of one
        return mask

    return on_cycle


def _networkx_on_cycle():
    nx = _import("networkx")

    def on_cycle(graph):
        mask = np.zeros(graph.number_of_nodes(), dtype=bool)
        for component in nx.strongly_connected_components(graph):
            if len(component) > 1:
                mask[list(component)] = True
        mask[[u for u, _ in nx.selfloop_edges(graph)]] = True
        return mask

    return on_cycle


def _networkx_graph(n, src, dst):
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from(zip(src.tolist(), dst.tolist(), strict=True))
    return graph


def _python_on_cycle(indptr, indices):
    adjacency = {v: indices[indptr[v]:indptr[v + 1]].tolist() for v in range(indptr.size - 1)}
    mask = np.zeros(indptr.size - 1, dtype=bool)
    mask[list(deadlock_reference.deadlocked_nodes(adjacency))] = True
    return mask


def _peer_per_input(n: int, make, dag: bool = False):
    """A peer timed on its own graph object, built from the same edges outside the timing."""
    return lambda: make(n, *inputs.random_edges(n, 3 * n, seed=2024, dag=dag))


def _graph_peers(n: int, dag: bool = False) -> dict:
    """The strong-components peers for a random graph (or DAG) of ``n`` nodes, by size."""
    impls = {"scipy": _scipy_on_cycle}
    if n <= GRAPH_LIMITS["rustworkx"]:
        impls["rustworkx"] = _peer_per_input(n, peers.rustworkx_on_cycle, dag)
    if n <= GRAPH_LIMITS["igraph"]:
        impls["igraph"] = _peer_per_input(n, peers.igraph_on_cycle, dag)
    return impls


def graph_cases(profile: str) -> list[Case]:
    """Random graphs with 3 edges a node (CSR input): the full pass vs scipy and the others."""
    cases = []
    for n in GRAPH_SIZES[profile]:
        def build(n=n):
            src, dst = inputs.random_edges(n, 3 * n, seed=2024)
            return _csr32(n, src, dst)

        impls = {
            "kernel": _ready(lambda indptr, indices: deadlock.detect_graph((indptr, indices))),
            "c-ceiling": ceiling.graph_scan,
            **_graph_peers(n),
        }
        if n <= GRAPH_LIMITS["networkx"]:
            impls["networkx"] = _networkx_per_input(n)
        cases.append(Case("deadlock-graph", "random graph", f"random V={n:,} E={3 * n:,}",
                          3 * n, build, impls, same=_same_cycle_nodes, unit="E (edges; V = E/3)",
                          notes={"plot": "per unit"}))
    cases += _graph_extras(profile)
    n = {"tiny": 300, "quick": 1000, "full": 1000}[profile]
    cases.append(
        Case("deadlock-graph", "reference", f"random V={n} E={3 * n} vs the textbook", 4 * n,
             lambda: _csr32(n, *inputs.random_edges(n, 3 * n, seed=3)),
             {"kernel": _ready(lambda indptr, indices: deadlock.detect_graph((indptr, indices))),
              "python": _ready(_python_on_cycle)},
             same=_same_cycle_nodes)
    )
    return cases


def _graph_forms(n: int, dag: bool) -> list[Case]:
    """The full pass from CSR int64 and from a scipy matrix, against scipy on its best input.

    Each input is ``(graph, indptr32, indices32)``: the kernel reads ``graph`` (int64 arrays
    or a ``scipy.sparse.csr_matrix`` of int32 arrays, read in place), scipy always gets its
    own int32 matrix, so its time is the same in every row.
    """
    kind = "DAG" if dag else "random"

    def build(form):
        indptr, indices = _csr32(n, *inputs.random_edges(n, 3 * n, seed=2024, dag=dag))
        if form == "int64":
            graph = (indptr.astype(np.int64), indices.astype(np.int64))
        else:
            import scipy.sparse as sp

            data = np.ones(indices.size, dtype=np.int8)
            graph = sp.csr_matrix((data, indices, indptr), shape=(n, n))
        return graph, indptr, indices

    def scipy_best():
        on_cycle = _scipy_on_cycle()
        return lambda graph, indptr, indices: on_cycle(indptr, indices)

    kernel = _ready(lambda graph, indptr, indices: deadlock.detect_graph(graph))
    return [
        Case("deadlock-graph", f"{kind} {form}", f"{kind} V={n:,} from {label}", 4 * n,
             lambda form=form: build(form), {"kernel": kernel, "scipy": scipy_best},
             same=_same_cycle_nodes)
        for form, label in (("int64", "CSR int64"), ("matrix", "a scipy csr_matrix"))
    ]


def _has_cycle(answer) -> bool:
    """A first-cycle answer (a cycle, None, or a cycle length) as found / not found."""
    if answer is None:
        return False
    return bool(len(answer)) if hasattr(answer, "__len__") else answer > 0


def _cycle_labels(answer) -> frozenset:
    if isinstance(answer, deadlock.GraphDetection):
        return answer.deadlocked
    return frozenset(answer)


def _networkx_first_cycle(n: int):
    def factory():
        nx = _import("networkx")
        graph = _networkx_graph(n, *inputs.random_edges(n, 3 * n, seed=2024))

        def first(indptr, indices):
            try:
                return nx.find_cycle(graph)
            except nx.NetworkXNoCycle:
                return None

        return first

    return factory


def _networkx_labelled():
    """networkx from the same labelled edge list: build the DiGraph, then its components."""
    nx = _import("networkx")

    def on_cycle(edges):
        graph = nx.DiGraph(edges)
        nodes = {v for c in nx.strongly_connected_components(graph) if len(c) > 1 for v in c}
        return frozenset(nodes | {u for u, _ in nx.selfloop_edges(graph)})

    return on_cycle


def _import(name: str):
    """A peer library, or the ImportError that marks its rows unavailable."""
    try:
        return __import__(name)
    except ImportError as exc:
        raise ImportError(f"{name} is not installed (pip install 'cysolve[bench]')") from exc


def _argsort_csr(src, dst, n):
    order = np.argsort(src, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    return indptr, dst[order]


def _scipy_csr():
    _import("scipy")
    import scipy.sparse as sp

    def build(src, dst, n):
        m = sp.coo_matrix((np.ones(src.size, dtype=np.int8), (src, dst)), shape=(n, n)).tocsr()
        return m.indptr, m.indices

    return build


def _edge_codes(answer, n):
    """CSR arrays as the sorted, de-duplicated codes ``u * n + v`` (scipy merges duplicates)."""
    indptr, indices = answer
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
    return np.unique(rows * n + np.asarray(indices, dtype=np.int64))


def _cycle_through_zero(n: int):
    """``n`` nodes, three random edges each, and the cycle 0 -> 1 -> 2 -> 0 first (int32 CSR).

    A first-cycle search from node 0 needs three steps; anything that reads or checks the
    whole graph first pays for all ``3n`` edges.
    """
    indptr = np.arange(0, 3 * n + 1, 3, dtype=np.int32)
    indices = np.random.default_rng(7).integers(0, n, 3 * n, dtype=np.int32)
    indices[[0, 3, 6]] = [1, 2, 0]
    return indptr, indices


def _graph_extras(profile: str) -> list[Case]:
    """The DAG (nothing to stop early on), the first cycle, string labels, building CSR."""
    if profile == "tiny":
        big, labelled, first_n, huge = 10_000, 2_000, 10_000, 100_000
    elif profile == "quick":
        big, labelled, first_n, huge = 100_000, 30_000, 100_000, 1_000_000
    else:
        big, labelled, first_n, huge = 1_000_000, 100_000, 100_000, 10_000_000
    kernel = _ready(lambda indptr, indices: deadlock.detect_graph((indptr, indices)))
    first = _ready(lambda indptr, indices: find_cycle((indptr, indices)))
    random_csr = lambda: _csr32(big, *inputs.random_edges(big, 3 * big, seed=2024))  # noqa: E731
    dag_csr = lambda: _csr32(big, *inputs.random_edges(big, 3 * big, seed=2024, dag=True))  # noqa: E731
    first_impls = {"kernel find_cycle": first, "c-ceiling": ceiling.graph_first_cycle}
    if first_n <= GRAPH_LIMITS["networkx"]:
        first_impls["networkx find_cycle"] = _networkx_first_cycle(first_n)

    def strings():
        src, dst = inputs.random_edges(labelled, 3 * labelled, seed=11)
        names = [f"proc-{i:06d}" for i in range(labelled)]
        return ([(names[u], names[v]) for u, v in zip(src.tolist(), dst.tolist(), strict=True)],)

    def edge_array():
        src, dst = inputs.random_edges(big, 3 * big, seed=5)
        return src.astype(np.int32), dst.astype(np.int32), big

    cases = [
        Case("deadlock-graph", "dag", f"DAG V={big:,} E~{3 * big:,}", 4 * big, dag_csr,
             {"kernel": kernel, "c-ceiling": ceiling.graph_scan, **_graph_peers(big, dag=True)},
             same=_same_cycle_nodes),
    ]
    if profile != "tiny":
        cases += _graph_forms(big, dag=False) + _graph_forms(big, dag=True)
    if big != first_n:
        cases.append(
            Case("deadlock-graph", "first cycle", f"first cycle V={big:,} E={3 * big:,}",
                 4 * big, random_csr,
                 {"kernel find_cycle": first, "c-ceiling": ceiling.graph_first_cycle},
                 same=lambda a, b: _has_cycle(a) == _has_cycle(b)))
    return cases + [
        Case("deadlock-graph", "first cycle", f"first cycle V={first_n:,} E={3 * first_n:,}",
             4 * first_n, lambda: _csr32(first_n, *inputs.random_edges(first_n, 3 * first_n,
                                                                     seed=2024)),
             first_impls, same=lambda a, b: _has_cycle(a) == _has_cycle(b)),
        Case("deadlock-graph", "cycle through node 0",
             f"cycle through node 0, V={huge:,} E={3 * huge:,}", 4 * huge,
             lambda: _cycle_through_zero(huge),
             {"kernel find_cycle": first, "c-ceiling": ceiling.graph_first_cycle},
             same=lambda a, b: _has_cycle(a) == _has_cycle(b)),
        Case("deadlock-graph", "labels", f"string labels V={labelled:,} E={3 * labelled:,}",
             4 * labelled, strings,
             {"kernel": _ready(deadlock.detect_graph), "networkx": _networkx_labelled},
             same=lambda a, b: _cycle_labels(a) == _cycle_labels(b)),
        Case("deadlock-graph", "build csr", f"build CSR from {3 * big:,} edges", 3 * big,
             edge_array,
             {"kernel counting sort": _ready(_graph.csr_from_edges),
              "numpy argsort": _ready(_argsort_csr), "scipy coo->csr": _scipy_csr},
             same=lambda a, b: np.array_equal(_edge_codes(a, len(a[0]) - 1),
                                              _edge_codes(b, len(b[0]) - 1))),
    ]


def _networkx_per_input(n: int):
    """networkx timed on its own graph object, built from the same edges outside the timing."""

    def factory():
        on_cycle = _networkx_on_cycle()
        graph = _networkx_graph(n, *inputs.random_edges(n, 3 * n, seed=2024))
        return lambda indptr, indices: on_cycle(graph)

    return factory


FAMILIES: dict[str, Callable[[str], list[Case]]] = {
    "xscore": xscore_cases,
    "deadlock-matrix": matrix_cases,
    "deadlock-graph": graph_cases,
}


def demo_cases() -> list[Case]:
    """One telling comparison per family, for ``cysolve demo``: a few seconds in all."""
    picks = {
        "xscore": ("n=12", ["kernel", "dominance", "residue", "numba", "python-dp"]),
        "deadlock-matrix": ("chain n=2000 m=4", ["kernel", "numpy", "python"]),
        "deadlock-graph": ("random V=100,000 E=300,000", ["kernel", "scipy", "networkx"]),
    }
    chosen = []
    for family, (label, names) in picks.items():
        case = next(c for c in FAMILIES[family]("quick") if c.label == label)
        impls = {k: v for k, v in case.implementations.items() if k in names}
        chosen.append(Case(case.family, case.series, case.label, case.size, case.build, impls,
                           same=case.same, growth=case.growth, unit=case.unit))
    return chosen


def all_cases(profile: str = "quick", families=None) -> list[Case]:
    if profile not in PROFILES:
        raise ValueError(f"profile = {profile!r}: must be one of {', '.join(PROFILES)}")
    chosen = FAMILIES if families is None else {f: FAMILIES[f] for f in families}
    return [case for make in chosen.values() for case in make(profile)]
