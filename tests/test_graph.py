"""Deadlock detection with one resource of each type: ``detect_graph`` against the book's
algorithm (``reference.find_cycle``), the definitions and networkx."""

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse.csgraph import connected_components

from cysolve import deadlock
from cysolve.deadlock import (
    GraphDetection,
    _graph,
    _inputs,
    detect_graph,
    reference,
    resource_graph,
)
from cysolve.deadlock.graph import ResourceGraph, find_cycle
from strategies import dags, digraphs, labelled_digraphs, single_unit_states

PROPERTY = settings(max_examples=150, deadline=None)


def nx_graph(n, edges):
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    g.add_edges_from(edges)
    return g


def nx_deadlocked(g):
    """Nodes in a strongly connected component of two or more nodes, or with a self-loop."""
    return {
        v
        for component in nx.strongly_connected_components(g)
        for v in component
        if len(component) > 1 or g.has_edge(v, v)
    }


def nx_blocked(g):
    """Nodes that can reach a deadlocked node: its ancestors in g, and itself."""
    dead = nx_deadlocked(g)
    reverse = g.reverse(copy=False)
    return dead.union(*(nx.descendants(reverse, v) for v in dead))


def assert_is_cycle(cycle, edges):
    arcs = set(edges)
    assert len(cycle) == len(set(cycle)) >= 1
    for u, v in zip(cycle, cycle[1:] + cycle[:1], strict=True):
        assert (u, v) in arcs, f"{u} -> {v} is not an edge"


def all_forms(n, edges):
    """The same integer graph in every input form that keeps isolated nodes (and the ones
    that cannot: edge lists and edge arrays hold only the nodes that appear in an edge)."""
    src = np.array([u for u, _ in edges], dtype=np.int64)
    dst = np.array([v for _, v in edges], dtype=np.int64)
    adjacency = {v: [] for v in range(n)}
    for u, v in edges:
        adjacency[u].append(v)
    indptr, indices = _graph.csr_from_edges(src, dst, n)
    matrix = sp.csr_matrix((np.ones(len(edges)), (src, dst)), shape=(n, n))
    return {
        "dict": adjacency,
        "networkx": nx_graph(n, edges),
        "csr": (indptr.astype(np.int64), indices.astype(np.int64)),
        "csr int32": (indptr.astype(np.int32), indices.astype(np.int32)),
        "scipy.sparse": matrix,
        "scipy coo_array": sp.coo_array(matrix),
    }, {
        "edge list": list(edges),
        "edge generator": ((u, v) for u, v in edges),
        "edge array": np.array(edges, dtype=np.int64).reshape(-1, 2),
        "edge array uint16": np.array(edges, dtype=np.uint16).reshape(-1, 2),
    }


# --- The book's example and small cases -----------------------------------------------------

# Tanenbaum & Bos, Modern Operating Systems, fig. 6-5: processes A-G, resources R-W.
BOOK_HOLDS = {"R": "A", "U": "D", "T": "E", "W": "F", "V": "G"}
BOOK_WAITS = {"A": "S", "B": "T", "C": "S", "D": ["S", "T"], "E": "V", "F": "S", "G": "U"}


def test_book_example():
    g = resource_graph(BOOK_HOLDS, BOOK_WAITS)
    assert set(g.processes) == set("ABCDEFG") and set(g.resources) == set("RSTUVW")
    d = detect_graph(g)
    assert d
    # the book: the cycle T-E-V-G-U-D(-T); D, E and G are deadlocked
    assert set(d.cycle) == set("TEVGUD")
    assert_is_cycle(d.cycle, list(g))
    assert d.cycle[0] in g.processes
    assert {p for p in d.deadlocked if p in g.processes} == set("DEG")
    assert d.deadlocked == set("TEVGUD")
    # blocked, from the definition: every node from which some arc path reaches a cycle
    blocked = reference.blocked_nodes(list(g))
    assert d.blocked == blocked
    assert {p for p in blocked if p in g.processes} == set("BDEG")  # B waits for T behind it
    report = d.report()
    assert report.splitlines()[0] == (
        "deadlock: D waits for T, held by E; E waits for V, held by G; G waits for U, held by D"
    )
    assert "deadlocked processes: D, E, G" in report
    assert "  B waits for T, held by E" in report
    assert not any(line.strip().startswith(("A ", "C ", "F ")) for line in report.splitlines())
    assert str(d) == report


def test_book_example_reference_finds_the_same_cycle():
    edges = list(resource_graph(BOOK_HOLDS, BOOK_WAITS))
    cycle = reference.find_cycle(edges)
    assert set(cycle) == set("TEVGUD")
    assert_is_cycle(cycle, edges)


def test_self_loop_is_a_cycle_of_length_one():
    d = detect_graph([("A", "A"), ("B", "A"), ("B", "C")])
    assert d.cycle == ["A"]
    assert d.deadlocked == {"A"}
    assert d.blocked == {"A", "B"}
    assert reference.find_cycle([("A", "A")]) == ["A"]


def test_cycle_of_length_two():
    g = resource_graph(holds={"R1": "P1", "R2": "P2"}, waits={"P1": ["R2"], "P2": ["R1"]})
    d = detect_graph(g)
    assert d.cycle == ["P1", "R2", "P2", "R1"]
    assert d.report().splitlines()[0] == (
        "deadlock: P1 waits for R2, held by P2; P2 waits for R1, held by P1"
    )
    w = detect_graph([("P", "Q"), ("Q", "P")])
    assert w.cycle == ["P", "Q"] and w.deadlocked == w.blocked == {"P", "Q"}
    assert w.report().splitlines()[0] == "deadlock: P waits for Q; Q waits for P"


def test_dag_has_no_deadlock():
    edges = [(u, v) for u in range(8) for v in range(u + 1, 8)]
    d = detect_graph(edges)
    assert not d
    assert d.cycle is None and d.deadlocked == frozenset() and d.blocked == frozenset()
    assert d.report() == "no deadlock: no cycle among 8 nodes"
    assert find_cycle(edges) is None and reference.find_cycle(edges) is None


@pytest.mark.parametrize(
    "graph",
    [
        [],
        {},
        (),
        iter([]),
        nx.DiGraph(),
        (np.array([0]), np.array([], dtype=np.int64)),
        sp.csr_matrix((0, 0)),
        np.empty((0, 2), dtype=np.int64),
        resource_graph(),
    ],
    ids=["list", "dict", "tuple", "iterator", "networkx", "csr", "sparse", "array", "resources"],
)
def test_empty_graph(graph):
    d = detect_graph(graph)
    assert not d and d.cycle is None and not d.deadlocked and not d.blocked
    assert len(d.nodes) == 0


def test_isolated_nodes_and_repeated_edges():
    d = detect_graph({"A": ["B", "B"], "B": ["A", "A"], "C": [], "D": ["C"]})
    assert list(d.nodes) == ["A", "B", "C", "D"]
    assert d.deadlocked == d.blocked == {"A", "B"}
    g = resource_graph(waits={"P1": []}, holds={"R1": None}, processes=["P2"], resources="R9")
    assert set(g.processes) == {"P1", "P2"} and set(g.resources) == {"R1", "R9"}
    assert not detect_graph(g)


def test_resource_graph_report_lists_blocked_processes_and_holders():
    g = resource_graph(
        holds={"R1": "P1", "R2": "P2", "R3": "P3", "R4": "P4"},
        waits={"P1": ["R2"], "P2": ["R1"], "P3": ["R1", "R9"], "P4": ["R3", "R2"], "P5": "R9"},
    )
    d = detect_graph(g)
    lines = d.report().splitlines()
    assert lines[1] == "deadlocked processes: P1, P2"
    assert "  P3 waits for R1, held by P1" in lines
    assert "  P4 waits for R3, held by P3; and for R2, held by P2" in lines
    assert not any("P5" in line for line in lines)  # waits for a free resource
    assert {p for p in d.blocked if p in g.processes} == {"P1", "P2", "P3", "P4"}
    assert d.report(limit=1).splitlines()[-1] == "  ... and 1 more"


def test_repr_is_short_and_readable():
    d = detect_graph([(i, (i + 1) % 100) for i in range(100)])
    text = repr(d)
    first = ", ".join(map(str, range(20)))
    assert text.startswith(f"GraphDetection(cycle=[{first}, ... (100 in all)]")
    assert f"deadlocked={{{first}, ... (100 in all)}}" in text
    assert len(text) < 400
    assert repr(detect_graph([])) == "GraphDetection(cycle=None, deadlocked=set(), blocked=set())"
    assert isinstance(d, GraphDetection) and "detect_graph" in deadlock.__all__


def test_million_node_chain_closed_into_a_cycle():
    n = 1_000_000
    nodes = np.arange(n, dtype=np.int64)
    edges = np.stack([nodes, (nodes + 1) % n], axis=1)
    d = detect_graph(edges)
    assert len(d.cycle) == n and d.cycle[:3] == [0, 1, 2] and d.cycle[-1] == n - 1
    assert d.deadlocked_mask.all() and d.blocked_mask.all()
    indptr = np.arange(n + 1, dtype=np.int64)
    assert len(find_cycle((indptr, edges[:, 1].copy()))) == n
    # the open chain: nothing on a cycle, though the search goes a million deep
    d = detect_graph((np.append(indptr[:-1], n - 1), edges[:-1, 1].copy()))
    assert d.cycle is None and not d.blocked_mask.any()


# --- Properties ---------------------------------------------------------------------------


@PROPERTY
@given(digraphs())
def test_has_a_cycle_agrees_with_the_book_algorithm(graph):
    n, edges = graph
    adjacency = {v: [] for v in range(n)}
    for u, v in edges:
        adjacency[u].append(v)
    expected = reference.find_cycle(adjacency)
    d = detect_graph(adjacency)
    assert (d.cycle is None) == (expected is None)
    assert (find_cycle(adjacency) is None) == (expected is None)
    if expected is not None:
        assert_is_cycle(expected, edges)


@PROPERTY
@given(digraphs())
def test_deadlocked_and_blocked_agree_with_networkx(graph):
    n, edges = graph
    g = nx_graph(n, edges)
    d = detect_graph(g)
    assert d.deadlocked == nx_deadlocked(g)
    assert d.blocked == nx_blocked(g)
    assert bool(d) == (not nx.is_directed_acyclic_graph(g))
    if d.cycle is not None:
        assert_is_cycle(d.cycle, edges)
        assert set(d.cycle) <= d.deadlocked
        assert find_cycle(g) == d.cycle  # the early-exit search stops at the same cycle


@settings(max_examples=60, deadline=None)
@given(digraphs(max_nodes=7))
def test_deadlocked_and_blocked_agree_with_the_definitions(graph):
    n, edges = graph
    adjacency = {v: [] for v in range(n)}
    for u, v in edges:
        adjacency[u].append(v)
    d = detect_graph(adjacency)
    assert d.deadlocked == reference.deadlocked_nodes(adjacency)
    assert d.blocked == reference.blocked_nodes(adjacency)


@settings(max_examples=80, deadline=None)
@given(digraphs())
def test_every_input_form_gives_the_same_answer(graph):
    n, edges = graph
    g = nx_graph(n, edges)
    dead, blocked = nx_deadlocked(g), nx_blocked(g)
    with_isolated, without = all_forms(n, edges)
    for form, value in with_isolated.items():
        d = detect_graph(value)
        assert len(d.nodes) == n, form
        assert (d.deadlocked, d.blocked) == (dead, blocked), form
        if d.cycle is not None:
            assert_is_cycle(d.cycle, edges)
    for form, value in without.items():
        d = detect_graph(value)
        assert (d.deadlocked, d.blocked) == (dead, blocked), form
        assert (d.cycle is None) == (not dead), form
        if d.cycle is not None:
            assert_is_cycle(d.cycle, edges)


@PROPERTY
@given(labelled_digraphs())
def test_labels_do_not_change_the_answer(graph):
    n, edges, labels = graph
    named = [(labels[u], labels[v]) for u, v in edges]
    d = detect_graph(named)
    plain = detect_graph(nx_graph(n, edges))
    assert d.deadlocked == {labels[v] for v in plain.deadlocked}
    assert d.blocked == {labels[v] for v in plain.blocked & {v for e in edges for v in e}}
    if d.cycle is not None:
        assert_is_cycle(d.cycle, named)
    adjacency = {label: [] for label in labels}
    for u, v in named:
        adjacency[u].append(v)
    assert detect_graph(adjacency).blocked == {labels[v] for v in plain.blocked}


@PROPERTY
@given(single_unit_states())
def test_one_unit_each_matrix_deadlocked_equals_graph_blocked(state):
    """With one unit of every resource the two seed algorithms agree: the processes the
    matrix algorithm cannot finish are exactly the processes that can reach a cycle."""
    holder, request = state
    n, m = len(request), len(holder)
    allocation = [[int(holder[j] == i) for j in range(m)] for i in range(n)]
    available = [int(h is None) for h in holder]
    g = resource_graph(
        holds={f"R{j}": None if h is None else f"P{h}" for j, h in enumerate(holder)},
        waits={f"P{i}": [f"R{j}" for j in range(m) if request[i][j]] for i in range(n)},
    )
    d = detect_graph(g)
    blocked = {int(p[1:]) for p in d.blocked if p in g.processes}
    for method in ("kernel", "reference"):
        found = deadlock.detect(allocation, request, available=available, method=method)
        assert set(found.deadlocked.tolist()) == blocked


# --- Input handling and bad input ---------------------------------------------------------


def test_integer_arrays_of_any_kind_are_read_not_changed():
    indptr = np.array([0, 1, 2, 3], dtype=np.uint32)
    indices = np.array([1, 2, 0], dtype=np.uint8)
    indptr.flags.writeable = indices.flags.writeable = False
    d = detect_graph((indptr, indices))
    assert d.cycle == [0, 1, 2]
    strided = np.array([[0, 9], [1, 9], [2, 9], [3, 9]])[:, 0]
    assert detect_graph((strided, np.array([1, 2, 0]))).deadlocked == {0, 1, 2}
    swapped = np.array([[1, 2], [2, 1]], dtype=">i8")
    assert detect_graph(swapped).cycle == [1, 2]
    assert swapped.tolist() == [[1, 2], [2, 1]]
    assert detect_graph(np.array([[10**15, -4], [-4, 10**15]])).deadlocked == {10**15, -4}


def test_caller_objects_are_not_changed():
    edges = [("A", "B"), ("B", "A")]
    adjacency = {"A": ["B"], "B": ["A"]}
    matrix = sp.csr_matrix(np.array([[0, 1], [1, 0]]))
    matrix.data[0] = 0  # an explicitly stored zero is not an edge
    before = matrix.copy()
    assert detect_graph(matrix).cycle is None
    assert (matrix != before).nnz == 0 and matrix.nnz == 2
    detect_graph(edges), detect_graph(adjacency)
    assert edges == [("A", "B"), ("B", "A")] and adjacency == {"A": ["B"], "B": ["A"]}


def test_networkx_multidigraph_works_and_undirected_is_refused():
    g = nx.MultiDiGraph([(1, 2), (1, 2), (2, 1)])
    assert detect_graph(g).deadlocked == {1, 2}
    with pytest.raises(TypeError, match="undirected networkx graph"):
        detect_graph(nx.Graph([(1, 2)]))


@pytest.mark.parametrize(
    "graph, error, message",
    [
        (
            [("a", "b"), (["x"], "b")],
            TypeError,
            r"graph\[1\] = \(\['x'\], 'b'\): node labels "
            r"must be hashable, list is not",
        ),
        (
            {"a": [{"b": 1}]},
            TypeError,
            r"graph\['a'\]\[0\] = \{'b': 1\}: node labels must be "
            r"hashable",
        ),
        ({"a": "b"}, TypeError, r"graph\['a'\] = 'b': the successors must be a list of nodes"),
        ({"a": 3}, TypeError, r"graph\['a'\] = 3: the successors must be a list"),
        (
            [("a", "b"), ("a", "b", "c")],
            ValueError,
            r"graph\[1\] = \('a', 'b', 'c'\): an edge "
            r"must be a pair \(u, v\), got 3 items",
        ),
        ([("a", "b"), 7], ValueError, r"graph\[1\] = 7: an edge must be a pair \(u, v\), not int"),
        (["ab"], ValueError, r"graph\[0\] = 'ab': an edge must be a pair"),
        ([(1, 2), [3]], ValueError, r"graph\[1\] = \[3\]: an edge must be a pair"),
        (
            np.zeros((3, 3), dtype=int),
            ValueError,
            r"shape \(3, 3\): an edge array must have "
            r"shape \(E, 2\)",
        ),
        (sp.csr_matrix((2, 3)), ValueError, r"shape \(2, 3\): an adjacency matrix must be square"),
        (
            (np.array([0, 2, 1, 3]), np.array([1, 2, 0])),
            ValueError,
            r"indptr\[2\] = 1: indptr must be non-decreasing \(indptr\[1\] = 2\)",
        ),
        (
            (np.array([1, 2, 3]), np.array([1, 0, 0])),
            ValueError,
            r"indptr\[0\] = 1: indptr "
            r"must start at 0",
        ),
        (
            (np.array([0, 1, 2]), np.array([1, 0, 0])),
            ValueError,
            r"indptr\[2\] = 2: the last "
            r"entry must be len\(indices\) = 3",
        ),
        (
            (np.array([0, 1, 2]), np.array([1, 5])),
            ValueError,
            r"indices\[1\] = 5: node ids "
            r"must be in range\(2\)",
        ),
        (
            (np.array([0, 1, 2]), np.array([-1, 0])),
            ValueError,
            r"indices\[0\] = -1: node ids "
            r"must be in range\(2\)",
        ),
        ((np.array([], dtype=int), np.array([], dtype=int)), ValueError, r"indptr is empty"),
        (
            (np.array([0, 1.5]), np.array([0])),
            ValueError,
            r"graph indptr\[1\] = 1.5: values "
            r"must be integers",
        ),
        ((np.array([0, 1]), np.array(["a"])), TypeError, r"graph indices must hold integers"),
        (None, TypeError, r"graph must be an iterable of \(u, v\) edges, .* not NoneType"),
        ("AB", TypeError, r"not str"),
        (42, TypeError, r"not int"),
        (object(), TypeError, r"not object"),
    ],
    ids=lambda p: None if isinstance(p, (str, type)) else "",
)
def test_bad_input_is_named(graph, error, message):
    with pytest.raises(error, match=message):
        detect_graph(graph)


def test_resource_graph_checks_its_labels():
    with pytest.raises(TypeError, match=r"holds\['R1'\] = \['P1', 'P2'\]: .* one holder"):
        resource_graph(holds={"R1": ["P1", "P2"]})
    with pytest.raises(TypeError, match=r"waits\['P1'\]\[1\] = \[\]: resource labels must be"):
        resource_graph(waits={"P1": ("R1", [])})
    with pytest.raises(ValueError, match=r"'X' is used both as a process and as a resource"):
        resource_graph(holds={"R1": "X"}, waits={"P1": ["X"]})
    with pytest.raises(TypeError, match=r"holds must be a mapping"):
        resource_graph(holds=[("R1", "P1")])
    g = resource_graph(holds={"R1": "P1"}, waits={"P1": ["R2"]})
    assert isinstance(g, ResourceGraph)
    assert list(g) == [("P1", "R2"), ("R1", "P1")]
    assert detect_graph(list(g)).cycle is None


def test_garbage_collector_is_restored_after_conversion():
    import gc

    assert gc.isenabled()
    with pytest.raises(TypeError):
        detect_graph([("a", "b"), ({}, "b")])
    assert gc.isenabled()
    detect_graph({"a": {"b"}, "b": ["a"]})
    assert gc.isenabled()
    gc.disable()
    try:
        detect_graph([("a", "b")])
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()


def test_report_of_a_large_deadlock_stays_short():
    d = detect_graph([(i, (i + 1) % 1000) for i in range(1000)] + [(-i, 0) for i in range(1, 50)])
    lines = d.report(limit=5).splitlines()
    assert lines[0] == (
        "deadlock: 0 waits for 1; 1 waits for 2; 2 waits for 3; 3 waits for 4; 4 waits for 5; "
        "... (1000 waits in the cycle)"
    )
    assert lines[1] == "deadlocked: 0, 1, 2, 3, 4, ... (1000 in all)"
    assert lines[-1] == "  ... and 44 more" and len(lines) == 9
    assert len(d.report(limit=None).splitlines()) == 2 + 1 + 49


# --- issue 11 ----------------------------------------------------------------------------------


def test_graph_results_compare_by_value():
    a = detect_graph([(1, 2), (2, 1), (3, 1)])
    assert a == detect_graph({1: [2], 2: [1], 3: [1]})
    assert a != detect_graph([(1, 2), (3, 1)])
    with pytest.raises(TypeError):
        hash(a)


def test_a_tuple_of_edge_arrays_is_explained():
    src, dst = np.array([0, 1, 2]), np.array([1, 2, 0])
    with pytest.raises(ValueError, match=r"read as CSR \(indptr, indices\); for edge lists"):
        detect_graph((src, dst))
    assert detect_graph(np.column_stack((src, dst))).cycle == [0, 1, 2]


def test_reference_find_cycle_is_linear():
    """The textbook's DFS with its list L stays O(V + E): a 200,000-node ring in a blink
    (the literal re-walk from every start took minutes)."""
    n = 200_000
    ring = [(i, (i + 1) % n) for i in range(n)]
    assert reference.find_cycle(ring) == list(range(n))
    tail = [(i, i + 1) for i in range(n)]  # a long path into a 2-cycle at its end
    assert reference.find_cycle(tail + [(n + 1, n)]) is None
    assert reference.find_cycle(tail + [(n, n - 1)]) == [n - 1, n]


# --- CSR read in place, checked as it is read (issue 16) -------------------------------------


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_native_csr_is_read_in_place_and_other_arrays_are_converted(dtype):
    indptr = np.array([0, 1, 2, 3], dtype=dtype)
    indices = np.array([1, 2, 0], dtype=dtype)
    arrays = _inputs.csr_input(indptr, indices)
    assert arrays.indptr is indptr and arrays.indices is indices
    assert not arrays.owned and not arrays.checked
    matrix = sp.csr_matrix((np.ones(3), indices, indptr), shape=(3, 3))
    arrays = _inputs.graph_input(matrix)
    assert np.shares_memory(arrays.indptr, matrix.indptr)
    assert np.shares_memory(arrays.indices, matrix.indices)
    for other in (indices.astype(np.uint32), indices.astype(">i8"), np.repeat(indices, 2)[::2]):
        arrays = _inputs.csr_input(indptr, other)
        assert arrays.owned and arrays.checked and arrays.indices.flags.c_contiguous
        assert arrays.indices.dtype in (np.int32, np.int64)
        assert detect_graph((indptr, other)).cycle == [0, 1, 2]
    d = detect_graph((indptr, indices))  # the result keeps its own copy of the caller's arrays
    assert not np.shares_memory(d._indices, indices) and d.finishing_order() == []


def test_find_cycle_reads_only_what_it_reaches():
    # 0 -> 1 -> 2 -> 0 at the start; every other entry is out of range: never read
    n = 2_000_000
    indptr = np.arange(n + 1, dtype=np.int64)
    indices = np.full(n, n + 5, dtype=np.int64)
    indices[:3] = [1, 2, 0]
    assert find_cycle((indptr, indices)) == [0, 1, 2]
    with pytest.raises(ValueError, match=rf"indices\[3\] = {n + 5}: node ids must be in range"):
        detect_graph((indptr, indices))  # the full pass reads (and checks) everything


def test_bad_index_found_late_gets_the_same_error_as_one_found_early():
    n = 100_000
    indptr = np.arange(n + 1, dtype=np.int32)
    late = np.arange(1, n + 1, dtype=np.int32)  # a chain: the search reaches the end last
    late[-1] = -7
    early = late.copy()
    early[0], early[-1] = -7, n - 1
    for find in (detect_graph, find_cycle):
        with pytest.raises(ValueError, match=rf"indices\[{n - 1}\] = -7: node ids must be"):
            find((indptr, late))
        with pytest.raises(ValueError, match=r"indices\[0\] = -7: node ids must be in range"):
            find((indptr, early))
    # two bad entries: the search meets indices[3] first, the message names the first of all
    two = np.array([3, 9, 1, 9], dtype=np.int64)
    for find in (detect_graph, find_cycle):
        with pytest.raises(ValueError, match=r"indices\[1\] = 9: node ids must be in range\(4\)"):
            find((np.arange(5, dtype=np.int64), two))


def test_bad_indptr_found_late_is_named_like_one_found_early():
    # the search enters node 3 last; its row runs past the end of indices
    indptr = np.array([0, 1, 2, 3, 9, 4], dtype=np.int64)
    indices = np.array([1, 2, 3, 4], dtype=np.int64)
    for find in (detect_graph, find_cycle):
        with pytest.raises(ValueError, match=r"indptr\[5\] = 4: indptr must be non-decreasing "
                                             r"\(indptr\[4\] = 9\)"):
            find((indptr, indices))


# --- The source peel before the search (issue 16) ---------------------------------------------


def scan_every_way(n, edges, dtype):
    """``_graph.scan`` with and without the source peel, in 32- and 64-bit records, with and
    without the forward-backward search for the first cycle's component."""
    src = np.array([u for u, _ in edges], dtype=dtype)
    dst = np.array([v for _, v in edges], dtype=dtype)
    indptr, indices = _graph.csr_from_edges(src, dst, n)
    return [_graph.scan(indptr, indices, peel=peel, wide=wide, split=split)
            for peel in (True, False) for wide in (False, True) for split in (False, True)]


@PROPERTY
@given(st.one_of(dags(), digraphs()), st.sampled_from([np.int32, np.int64]))
def test_the_source_peel_and_the_record_width_change_no_answer(graph, dtype):
    n, edges = graph
    g = nx_graph(n, edges)
    dag = nx.is_directed_acyclic_graph(g)
    for dead, blocked, cycle in scan_every_way(n, edges, dtype):
        assert set(np.flatnonzero(dead).tolist()) == nx_deadlocked(g)
        assert set(np.flatnonzero(blocked).tolist()) == nx_blocked(g)
        assert (cycle is None) == dag
        if cycle is not None:  # every way finds the cycle find_cycle finds
            assert cycle.tolist() == find_cycle(g)


def test_the_source_peel_by_hand():
    # a diamond 3 -> {1, 2} -> 0, ids not in topological order: peeled whole, no search
    for dead, blocked, cycle in scan_every_way(4, [(3, 1), (3, 2), (1, 0), (2, 0)], np.int32):
        assert cycle is None and not dead.any() and not blocked.any()
    # 0 -> 1 -> {2 <-> 3} -> 4: the peel stops at the cycle (0 and 1 peeled, 2, 3, 4 left);
    # the search still starts at node 0, so the cycle is reported from 2 as find_cycle does
    edges = [(0, 1), (1, 2), (2, 3), (3, 2), (3, 4)]
    for dead, blocked, cycle in scan_every_way(5, edges, np.int64):
        assert cycle.tolist() == [2, 3] == find_cycle((np.array([0, 1, 2, 3, 5, 5]),
                                                       np.array([1, 2, 3, 2, 4])))
        assert dead.tolist() == [False, False, True, True, False]
        assert blocked.tolist() == [True, True, True, True, False]


@PROPERTY
@given(digraphs(max_nodes=40), st.sampled_from([np.int32, np.int64]))
def test_the_forward_backward_search_changes_no_answer_on_larger_graphs(graph, dtype):
    # several components each, so the DFS after the split meets complete ones on both sides
    n, edges = graph
    g = nx_graph(n, edges)
    cycle = find_cycle(g)
    for dead, blocked, found in scan_every_way(n, edges, dtype):
        assert set(np.flatnonzero(dead).tolist()) == nx_deadlocked(g)
        assert set(np.flatnonzero(blocked).tolist()) == nx_blocked(g)
        assert (found is None and cycle is None) or found.tolist() == cycle


def test_the_forward_backward_search_by_hand():
    # The first cycle is 1 <-> 2 (the DFS from 0 meets it first); its component is {1, 2, 3}
    # (3 -> 1). 0 reaches it (backward only), 4 <-> 5 is reached from it (forward only) and
    # is a cycle of its own, 6 only reaches 4, 7 is reached only, 8 has a self-loop, 9 is free.
    edges = [(0, 1), (1, 2), (2, 1), (2, 3), (3, 1), (3, 4), (4, 5), (5, 4), (5, 7), (6, 4),
             (8, 8), (9, 7)]
    for dead, blocked, cycle in scan_every_way(10, edges, np.int32):
        assert cycle.tolist() == [1, 2]
        assert np.flatnonzero(dead).tolist() == [1, 2, 3, 4, 5, 8]
        assert np.flatnonzero(blocked).tolist() == [0, 1, 2, 3, 4, 5, 6, 8]
    # the first cycle is a self-loop: its component is that one node
    for dead, blocked, cycle in scan_every_way(4, [(0, 0), (0, 1), (1, 2), (2, 1), (3, 0)],
                                               np.int64):
        assert cycle.tolist() == [0]
        assert dead.tolist() == [True, True, True, False]
        assert blocked.tolist() == [True, True, True, True]


def test_large_graphs_take_the_forward_backward_search_and_agree_with_scipy():
    # past SPLIT_MIN_NODES scan splits by default; a random graph with E = 3V, most of it one
    # component, must give the same answer both ways and scipy's components
    n = 300_000
    rng = np.random.default_rng(16)
    src = rng.integers(0, n, 3 * n).astype(np.int32)
    dst = rng.integers(0, n, 3 * n).astype(np.int32)
    indptr, indices = _graph.csr_from_edges(src, dst, n)
    dead, blocked, cycle = _graph.scan(indptr, indices)
    for other in (_graph.scan(indptr, indices, split=False),
                  _graph.scan(indptr, indices, wide=True)):
        assert (other[0] == dead).all() and (other[1] == blocked).all()
        assert other[2].tolist() == cycle.tolist()
    assert cycle.tolist() == find_cycle((indptr, indices))
    matrix = sp.csr_matrix((np.ones(indices.size), indices, indptr), shape=(n, n))
    _, labels = connected_components(matrix, directed=True, connection="strong")
    sizes = np.bincount(labels)
    loops = np.zeros(n, dtype=bool)
    loops[src[src == dst]] = True
    assert (dead == ((sizes[labels] > 1) | loops)).all()
    assert 0.8 * n < dead.sum() < blocked.sum() < n


def test_the_records_read_targets_past_those_they_hold():
    # node 0 has 9 edges (6 held in its record, 3 read from indices): the cycle is the last
    edges = [(0, v) for v in range(1, 9)] + [(0, 9), (9, 0), (5, 5)]
    for dead, blocked, cycle in scan_every_way(10, edges, np.int32):
        assert cycle.tolist() == [5]  # the first back edge the search meets: 5's self-loop
        assert np.flatnonzero(dead).tolist() == [0, 5, 9]
        assert np.flatnonzero(blocked).tolist() == [0, 5, 9]


@pytest.mark.slow
def test_ten_million_node_chain_without_recursion():
    n = 10_000_000
    indptr = np.arange(n + 1, dtype=np.int32)
    indices = np.arange(1, n + 1, dtype=np.int32)
    indices[-1] = 0  # closed: one cycle through every node, found ten million deep
    d = detect_graph((indptr, indices))
    assert len(d.cycle) == n and d.cycle[:2] == [0, 1] and d.deadlocked_mask.all()
    assert len(find_cycle((indptr, indices))) == n
    indptr[-1] = n - 1  # open: the last node has no edge, nothing is blocked
    d = detect_graph((indptr, indices[:-1]))
    assert d.cycle is None and not d.blocked_mask.any()
