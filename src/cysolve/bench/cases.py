"""The benchmark inputs and the implementations compared on each, for every family.

One :class:`Case` is one input (built from a fixed seed) and every implementation that runs on
it; ``cysolve bench`` and the pytest-benchmark suite in ``benchmarks/`` both read these lists,
so the two always measure the same things. Profiles: ``"tiny"`` (the smoke test: seconds),
``"quick"`` (``cysolve bench --quick``: about 80 s on two idle cores) and ``"full"``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
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
    ]
    staircases = (  # the worst cases found for the watches, their weights and the ranking
        ("staircase", inputs.staircase_system,
         "types met one by one, type 0 first: m moves a process under first-unmet watches"),
        ("hoarder staircase", inputs.hoarder_staircase_system,
         "deadlocked hoarders make the watch weights lie: every guess fails"),
        ("beggar", inputs.beggar_system,
         "a request for every unit of type 0 keeps the hoarded span: the radix heaps run"),
        ("staircase huge counts", partial(inputs.staircase_system, max_hold=10**6),
         "counts to 10^6 a process: too wide for 32-unit buckets, the radix heaps run"),
        ("decoy staircase", inputs.decoy_staircase_system,
         "a type early finishes release in bulk, asked at random: the ranking lies"),
    )
    cases += [
        Case("deadlock-matrix", name + suffix, f"{name} n={shape[0]} m={shape[1]}", shape[0],
             checked(lambda make=make, shape=shape: make(*shape, seed=1)), no_loops,
             same=_same_final_state, notes={} if suffix else {"why": why})
        for name, make, why in staircases
        for suffix, shape in (("", stairs), (" tall", stairs_tall))
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


# --- deadlock online: one event at a time --------------------------------------------------

def hidden_order_waits(n: int, m: int, reversed_share: float, seed: int = 13) -> np.ndarray:
    """Streams (a) and (d): ``m`` random waits between ``n`` processes along a hidden order,
    a share of them reversed (those may close cycles). ``(m, 2)`` int64 labels."""
    rng = np.random.default_rng(seed)
    rank = rng.permutation(n)
    u, v = rng.integers(0, n, m), rng.integers(0, n, m)
    v = np.where(u == v, (v + 1) % n, v)
    forward = rank[u] < rank[v]
    a, b = np.where(forward, u, v), np.where(forward, v, u)
    flip = rng.random(m) < reversed_share
    pairs = np.stack([np.where(flip, b, a), np.where(flip, a, b)], axis=1).astype(np.int64)
    _, first = np.unique(pairs[:, 0] * n + pairs[:, 1], return_index=True)
    return pairs[np.sort(first)]  # each wait once: repeats mean different things to peers


def reversed_chain_waits(n: int) -> np.ndarray:
    """Stream (c): the chain ``0 -> 1 -> ... -> n-1`` inserted from its end (each new wait
    goes against the order the earlier ones set: quadratic for plain Pearce-Kelly)."""
    i = np.arange(n - 2, -1, -1, dtype=np.int64)
    return np.stack([i, i + 1], axis=1)


def lock_manager_events(n: int, m: int, seed: int = 17) -> np.ndarray:
    """Stream (b): ``m`` events ``(kind, p, q)`` of a lock manager with ``n`` live processes.

    kind 0: ``p`` starts waiting for the holder ``q`` (a process waits for one holder at a
    time); 1: that wait ends (the lock is granted); 2: ``p`` finishes, or is aborted right
    after a wait that closed a cycle (PostgreSQL's victim), and a new process takes its place.
    """
    rng = np.random.default_rng(seed)
    waits_for: dict[int, int] = {}  # waiter -> holder
    waiters: dict[int, set] = {}  # holder -> its waiters
    live = list(range(n))
    fresh = n
    out = np.empty((m, 3), dtype=np.int64)

    def gone(p: int, slot: int) -> None:  # p finished or was aborted: its waiters go on
        nonlocal fresh
        holder = waits_for.pop(p, None)
        if holder is not None:
            waiters[holder].discard(p)
        for a in waiters.pop(p, ()):
            del waits_for[a]
        live[slot] = fresh
        fresh += 1

    k = t = 0
    while k < m:
        if t % 65536 == 0:
            draws, picks = rng.random(65536).tolist(), rng.integers(0, n, (65536, 2)).tolist()
        x = draws[t % 65536]
        slot, other = picks[t % 65536]
        t += 1
        p = live[slot]
        if x < 0.5 and p not in waits_for:
            q = live[other] if live[other] != p else live[(other + 1) % n]
            out[k] = (0, p, q)
            k += 1
            w = q
            while w in waits_for and w != p:  # one blocker each: follow the chain
                w = waits_for[w]
            if w == p:  # the wait closed a cycle: abort its waiter
                if k < m:
                    out[k] = (2, p, -1)
                    k += 1
                gone(p, slot)
            else:
                waits_for[p] = q
                waiters.setdefault(q, set()).add(p)
        elif x < 0.85 and p in waits_for:
            q = waits_for.pop(p)
            waiters[q].discard(p)
            out[k] = (1, p, q)
            k += 1
        elif x >= 0.85:
            out[k] = (2, p, -1)
            k += 1
            gone(p, slot)
    return out


def _wfg_add_wait(pairs, pair_list):
    g = deadlock.WaitForGraph()
    add = g.add_wait
    return sum(1 for u, v in pair_list if add(u, v) is not None)


def _wfg_add_waits(pairs, pair_list):
    return int(deadlock.WaitForGraph().add_waits(pairs).size)


def _rustworkx_stream():
    rx = _import("rustworkx")

    def run(pairs, pair_list):
        n = int(pairs.max()) + 1 if pairs.size else 0
        graph = rx.PyDiGraph(check_cycle=True)
        graph.add_nodes_from(range(n))
        add, refused, closed = graph.add_edge, rx.DAGWouldCycle, 0
        for u, v in pair_list:
            try:
                add(u, v, None)
            except refused:
                closed += 1
        return closed

    return run


def _rustworkx_stream_with_nodes():
    """rustworkx as a user meets it: a node made on a label's first wait, inside the timing
    (``WaitForGraph`` makes its processes inside its timing too)."""
    rx = _import("rustworkx")

    def run(pairs, pair_list):
        graph = rx.PyDiGraph(check_cycle=True)
        index: dict[int, int] = {}
        add, add_node, refused, closed = graph.add_edge, graph.add_node, rx.DAGWouldCycle, 0
        for u, v in pair_list:
            a = index.get(u)
            if a is None:
                a = index[u] = add_node(u)
            b = index.get(v)
            if b is None:
                b = index[v] = add_node(v)
            try:
                add(a, b, None)
            except refused:
                closed += 1
        return closed

    return run


def _networkx_stream():
    nx = _import("networkx")

    def run(pairs, pair_list):
        graph = nx.DiGraph()
        has_path, closed = nx.has_path, 0
        for u, v in pair_list:
            if u in graph and v in graph and has_path(graph, v, u) or u == v:
                closed += 1  # refused: the ordered part stays acyclic, as WaitForGraph's
            else:
                graph.add_edge(u, v)
        return closed

    return run


def _lock_manager_wfg(events, event_list):
    g = deadlock.WaitForGraph()
    add, release, remove = g.add_wait, g.remove_wait, g.remove
    closed = 0
    for kind, p, q in event_list:
        if kind == 0:
            if add(p, q) is not None:
                closed += 1
        elif kind == 1:
            release(p, q)
        elif p in g:
            remove(p)
    return closed


def _lock_manager_rustworkx():
    rx = _import("rustworkx")

    def run(events, event_list):
        graph = rx.PyDiGraph(check_cycle=True)
        index: dict[int, int] = {}
        closed = 0

        def node(p):
            i = index.get(p)
            if i is None:
                i = index[p] = graph.add_node(p)
            return i

        for kind, p, q in event_list:
            if kind == 0:
                try:
                    graph.add_edge(node(p), node(q), None)
                except rx.DAGWouldCycle:
                    closed += 1
            elif kind == 1:
                graph.remove_edge(index[p], index[q])
            elif p in index:
                graph.remove_node(index.pop(p))
        return closed

    return run


def _lock_manager_networkx():
    nx = _import("networkx")

    def run(events, event_list):
        graph = nx.DiGraph()
        closed = 0
        for kind, p, q in event_list:
            if kind == 0:
                if p in graph and q in graph and nx.has_path(graph, q, p):
                    closed += 1
                else:
                    graph.add_edge(p, q)
            elif kind == 1:
                graph.remove_edge(p, q)
            elif p in graph:
                graph.remove_node(p)
        return closed

    return run


def _at_scale_wfg(base, extra, extra_list, pairs):
    """``extra`` waits on a graph already holding ``base``'s waits, then taken back."""
    g = base
    closed = [g.add_wait(u, v) is not None for u, v in extra_list]
    for u, v in extra_list:
        g.remove_wait(u, v)
    return any(closed) or bool(g._aside_edges())  # a deadlock after the last wait


def _at_scale_detect_graph(base, extra, extra_list, pairs):
    """``detect_graph`` on the whole edge array after each extra wait (what a user re-runs)."""
    m = pairs.shape[0] - extra.shape[0]
    found = False
    for k in range(1, extra.shape[0] + 1):
        found = bool(deadlock.detect_graph(pairs[: m + k]))
    return found


def _banker_requests(n: int, m: int, count: int, seed: int = 23):
    """A Banker's state (nothing allocated, scarce units) and ``count`` random requests,
    each within the need of its process at its turn (decided by replaying them)."""
    rng = np.random.default_rng(seed)
    M = rng.integers(0, 10, (n, m))
    existing = (M.sum(axis=0) * 0.3).astype(np.int64) + 10
    b = deadlock.Banker(M, existing=existing)
    requests = []
    for i in rng.integers(0, n, count).tolist():
        v = rng.integers(0, np.minimum(b.need[i], 2) + 1).tolist()
        requests.append((i, v))
        b.request(i, v)
    return M, existing, requests


def _banker_stateful(M, existing, requests):
    b = deadlock.Banker(M, existing=existing)
    request = b.request
    return sum(request(i, v) for i, v in requests)


def _banker_request_ok(M, existing, requests):
    C = np.zeros_like(M)
    A = existing.copy()
    granted = 0
    for i, v in requests:
        if deadlock.request_ok(A, C, M, i, v):
            A -= v
            C[i] += v
            granted += 1
    return granted


ONLINE_SIZES = {  # (processes, waits) of streams (a), (c), (d); lock-manager events
    "tiny": {"a": (2_000, 6_000), "c": 2_000, "d": (1_000, 3_000), "b": (1_000, 20_000)},
    "quick": {"a": (20_000, 60_000), "c": 20_000, "d": (2_000, 6_000), "b": (5_000, 50_000)},
    "full": {"a": (100_000, 300_000), "c": 100_000, "d": (10_000, 30_000),
             "b": (100_000, 1_000_000)},
}


def online_cases(profile: str) -> list[Case]:
    """Streams (a)-(d) of issue 13, the cost per event at 100,000 processes, and Banker's."""
    size = ONLINE_SIZES[profile]
    wfg = {"WaitForGraph add_wait": _ready(_wfg_add_wait),
           "WaitForGraph add_waits": _ready(_wfg_add_waits),
           "rustworkx check_cycle": _rustworkx_stream,
           "rustworkx check_cycle + add_node": _rustworkx_stream_with_nodes}

    def pairs_case(series, label, make, with_networkx):
        def build():
            pairs = make()
            return pairs, [tuple(p) for p in pairs.tolist()]

        impls = dict(wfg)
        if with_networkx:
            impls["networkx has_path"] = _networkx_stream
        return Case("deadlock-online", series, label, len(make()), build, impls, unit="events")

    (na, ma), nc, (nd, md), (nb, mb) = size["a"], size["c"], size["d"], size["b"]
    # networkx takes 20-60 us a wait here: only on streams of at most 100,000 events
    cases = [
        pairs_case("(a) hidden order", f"(a) {ma:,} waits, V={na:,}, 0.1% reversed",
                   lambda: hidden_order_waits(na, ma, 0.001), ma <= 100_000),
        pairs_case("(c) reversed chain", f"(c) reversed chain V={nc:,}",
                   lambda: reversed_chain_waits(nc), False),
        pairs_case("(d) 10% reversed", f"(d) {md:,} waits, V={nd:,}, 10% reversed",
                   lambda: hidden_order_waits(nd, md, 0.1), nd <= 3_000),
    ]

    def lock_build():
        events = lock_manager_events(nb, mb)
        return events, [tuple(e) for e in events.tolist()]

    cases.append(Case(
        "deadlock-online", "(b) lock manager", f"(b) lock manager {mb:,} events, {nb:,} live",
        mb, lock_build,
        {"WaitForGraph": _ready(_lock_manager_wfg),
         "rustworkx check_cycle": _lock_manager_rustworkx,
         **({"networkx has_path": _lock_manager_networkx} if mb <= 100_000 else {})},
        unit="events"))
    if profile == "full":  # networkx on (a) at a tenth of the size
        cases.append(pairs_case("(a) hidden order", "(a) 30,000 waits, V=10,000, 0.1% reversed",
                                lambda: hidden_order_waits(10_000, 30_000, 0.001), True))

    extra = {"tiny": 20, "quick": 50, "full": 100}[profile]

    def at_scale():
        pairs = hidden_order_waits(na, ma, 0.001)
        base = deadlock.WaitForGraph()
        base.add_waits(pairs[:-extra])
        tail = pairs[-extra:]
        return base, tail, [tuple(p) for p in tail.tolist()], pairs

    cases.append(Case(
        "deadlock-online", "per event at scale",
        f"{extra} waits on (a) at V={na:,}: online vs detect_graph per event", extra, at_scale,
        {"WaitForGraph add_wait + remove_wait": _ready(_at_scale_wfg),
         "detect_graph per event": _ready(_at_scale_detect_graph)},
        unit="events"))

    n_b, m_b, count = {"tiny": (100, 10, 1000), "quick": (1000, 10, 2000),
                       "full": (1000, 10, 10_000)}[profile]
    cases.append(Case(
        "deadlock-online", "banker", f"Banker {count:,} requests n={n_b} m={m_b}", count,
        lambda: _banker_requests(n_b, m_b, count),
        {"Banker.request": _ready(_banker_stateful),
         "request_ok per request": _ready(_banker_request_ok)},
        unit="requests"))
    return cases


FAMILIES: dict[str, Callable[[str], list[Case]]] = {
    "xscore": xscore_cases,
    "deadlock-matrix": matrix_cases,
    "deadlock-graph": graph_cases,
    "deadlock-online": online_cases,
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


# --- growth series: the plots docs/xscore-growth.png and docs/graph-growth.png -------------

XSCORE_GROWTH_SIZES = [10, 12, 14, 16, 18, 20, 22, 25, 28, 30, 32, 35, 38, 40]
# Largest n each method runs at in the growth series: a set of instances takes seconds there.
XSCORE_GROWTH_LIMITS = {"dominance": 22, "residue": 19}
XSCORE_GROWTH_SET = 8  # instances a case solves in turn: one instance's time is too jumpy


def xscore_growth_cases() -> list[Case]:
    """Every XScoreGame method against n = 10..40 (values 0..50): each case solves the same
    ``XSCORE_GROWTH_SET`` instances in turn, so its time is that set's, per method."""
    def each(best_score):
        return lambda *rows: tuple(best_score(a) for a in rows)

    methods = {
        "frontier": _ready(each(xscore.best_score)),
        "c-frontier": lambda: each(ceiling.xscore_frontier()),
        "dominance": _ready(each(lambda a: xscore.best_score(a, method="dominance"))),
        "residue": _ready(each(lambda a: xscore.best_score(a, method="residue"))),
    }
    cases = []
    for n in XSCORE_GROWTH_SIZES:
        chosen = {name: make for name, make in methods.items()
                  if n <= XSCORE_GROWTH_LIMITS.get(name, n)}
        cases.append(Case(
            "xscore", "growth", f"n={n} x {XSCORE_GROWTH_SET} instances", n,
            lambda n=n: tuple(inputs.xscore_instance(n, seed=709 + 100 * s)
                              for s in range(XSCORE_GROWTH_SET)),
            chosen, growth="exponential", unit="n (values)"))
    return cases


def graph_growth_cases() -> list[Case]:
    """The full profile's random graphs, 10^4 to 10^7 edges, kernel and scipy only."""
    return [replace(c, implementations={k: v for k, v in c.implementations.items()
                                        if k in ("kernel", "scipy")})
            for c in graph_cases("full") if c.series == "random graph"]


GROWTH: dict[str, Callable[[], list[Case]]] = {
    "xscore": xscore_growth_cases,
    "deadlock-graph": graph_growth_cases,
}


def all_cases(profile: str = "quick", families=None) -> list[Case]:
    if profile not in PROFILES:
        raise ValueError(f"profile = {profile!r}: must be one of {', '.join(PROFILES)}")
    chosen = FAMILIES if families is None else {f: FAMILIES[f] for f in families}
    return [case for make in chosen.values() for case in make(profile)]
