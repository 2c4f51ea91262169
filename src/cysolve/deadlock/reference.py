"""The textbook algorithms, in plain Python: the oracle for the tests and the benchmarks' baseline.

Tanenbaum & Bos, *Modern Operating Systems* (4th ed.), section 6.4. Never imported by a kernel.
"""

from collections.abc import Hashable, Iterable, Mapping, Sequence

Vector = Sequence[int]
Matrix = Sequence[Sequence[int]]
Graph = Mapping[Hashable, Sequence[Hashable]] | Iterable[tuple[Hashable, Hashable]]

# --- Several resources of each type: the matrix algorithm and Banker's safety test ---------


def detect(
    allocation: Matrix, request: Matrix, available: Vector | None = None,
    existing: Vector | None = None,
) -> tuple[list[int], list[int], list[int]]:
    """Deadlock detection with multiple resources of each type (MOS section 6.4.2).

    ``allocation`` C and ``request`` R are lists of rows (one per process, one count per
    resource type); give ``available`` A or ``existing`` E (then A = E - column sums of C).
    As the book writes it: all processes start unmarked, then

    1. look for an unmarked process i whose row R[i] is <= A;
    2. if there is one, add C[i] to A, mark it and go back to step 1;
    3. if there is none, stop: the unmarked processes are deadlocked.

    Returns ``(deadlocked, order, available)``: the unmarked processes (sorted), the order in
    which the others were marked, and A at the end, all as lists of ints.
    """
    C = [list(row) for row in allocation]
    R = [list(row) for row in request]
    n = len(C)
    if available is None:
        m = len(existing)
        A = [existing[j] - sum(C[i][j] for i in range(n)) for j in range(m)]
    else:
        A = list(available)
    m = len(A)
    marked = [False] * n
    order = []
    while True:
        for i in range(n):
            if not marked[i] and all(R[i][j] <= A[j] for j in range(m)):
                for j in range(m):
                    A[j] += C[i][j]
                marked[i] = True
                order.append(i)
                break
        else:
            break
    deadlocked = [i for i in range(n) if not marked[i]]
    return deadlocked, order, A


def is_safe(available: Vector, allocation: Matrix, max_claim: Matrix) -> tuple[bool, list[int]]:
    """Banker's algorithm (MOS section 6.5.3): is the state safe?

    The matrix algorithm with each process's remaining need, ``max_claim - allocation``, as
    its request: the state is safe when every process can run to completion in some order.
    Returns ``(safe, sequence)`` with the order in which the processes could finish.
    """
    need = [
        [claim - held for claim, held in zip(claims, holds, strict=True)]
        for claims, holds in zip(max_claim, allocation, strict=True)
    ]
    stuck, sequence, _ = detect(allocation, need, available)
    return not stuck, sequence


def request_ok(
    available: Vector, allocation: Matrix, max_claim: Matrix, process: int, request: Vector
) -> bool:
    """Banker's request test: may ``process`` be granted ``request`` now?

    A request above what is available must wait (False); otherwise pretend to grant it and
    grant it only when the resulting state is safe. The arguments are not modified.
    """
    if any(r > a for r, a in zip(request, available, strict=True)):
        return False
    after = [a - r for a, r in zip(available, request, strict=True)]
    holds = [list(row) for row in allocation]
    holds[process] = [h + r for h, r in zip(holds[process], request, strict=True)]
    return is_safe(after, holds, max_claim)[0]


# --- One resource of each type: cycles in the resource-allocation graph --------------------


def _successors(graph: Graph) -> dict[Hashable, list[Hashable]]:
    """``{node: [successors]}`` from a dict of adjacency lists or an iterable of (u, v) arcs."""
    if isinstance(graph, dict):
        arcs = [(u, v) for u, targets in graph.items() for v in targets]
        successors = {node: [] for node in graph}
    else:
        arcs = list(graph)
        successors = {}
    for u, v in arcs:
        successors.setdefault(u, []).append(v)
        successors.setdefault(v, [])
    return successors


def find_cycle(graph: Graph) -> list[Hashable] | None:
    """One cycle of a directed graph as a list of nodes in edge order, or None.

    The book's algorithm, step by step (arcs taken in the order they are listed, not at
    random). ``graph`` is a dict ``{node: [successors]}`` or an iterable of ``(u, v)`` arcs.

    For each node N in the graph, with N as the starting node:
      1. Initialise L to the empty list and designate all the arcs as unmarked.
      2. Add the current node to the end of L and check whether it now appears in L two
         times. If it does, the graph contains a cycle (listed in L): stop.
      3. From the current node, see if there are any unmarked outgoing arcs. If so, go to 4;
         if not, go to 5.
      4. Pick an unmarked outgoing arc and mark it. Follow it to the new current node and
         go to 2.
      5. If this node is the initial node, there is no cycle through N: try the next N.
         Otherwise this is a dead end: remove it from L, go back to the node that was current
         before it, make that the current node and go to 3.

    Kept linear, O(V + E), without changing which cycle is found: arcs are marked in list
    order, so a node's marks are one pointer to its first unmarked arc; "does the node now
    appear twice in L" is a dictionary look-up; and a node whose arcs are all marked, from
    this or an earlier starting node, leads to no cycle (step 5 backed out of all of it), so
    the search does not walk into it again - re-walking it, as step 1 literally asks, would
    only take time, not find another cycle.
    """
    successors = _successors(graph)
    exhausted = set()  # nodes whose every outgoing arc has been followed and backed out of
    for start in successors:
        if start in exhausted:
            continue
        path = []  # L
        position = {}  # node -> its index in L
        next_arc = {}  # node -> index of its first unmarked outgoing arc
        node = start
        while True:
            if node in position:  # step 2: the node now appears in L twice
                return path[position[node] :]
            position[node] = len(path)
            path.append(node)
            while True:  # step 3
                arcs = successors[node]
                k = next_arc.get(node, 0)
                while k < len(arcs) and arcs[k] in exhausted:
                    k += 1  # step 4 into an exhausted node is a dead end at once
                if k < len(arcs):  # step 4: mark the arc and follow it
                    next_arc[node] = k + 1
                    node = arcs[k]
                    break
                exhausted.add(node)  # step 5: a dead end, back to the previous node
                path.pop()
                del position[node]
                if not path:  # back past the initial node: no cycle through it
                    break
                node = path[-1]
            if not path:
                break
    return None


def reaches(graph: Graph, source: Hashable) -> set[Hashable]:
    """Every node reachable from ``source`` by one or more arcs (a plain graph search)."""
    successors = _successors(graph)
    seen = []
    frontier = list(successors[source])
    while frontier:
        node = frontier.pop()
        if node not in seen:
            seen.append(node)
            frontier.extend(successors[node])
    return set(seen)


def deadlocked_nodes(graph: Graph) -> set[Hashable]:
    """The nodes that lie on a cycle: those that can reach themselves."""
    successors = _successors(graph)
    return {node for node in successors if node in reaches(successors, node)}


def blocked_nodes(graph: Graph) -> set[Hashable]:
    """The nodes that wait forever: those that can reach a node on a cycle (or lie on one)."""
    successors = _successors(graph)
    deadlocked = deadlocked_nodes(successors)
    return {
        node for node in successors if node in deadlocked or reaches(successors, node) & deadlocked
    }
