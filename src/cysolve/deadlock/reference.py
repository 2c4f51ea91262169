"""The textbook algorithms, in plain Python: the oracle for the tests and the benchmarks' baseline.

Tanenbaum & Bos, *Modern Operating Systems* (4th ed.), section 6.4. Never imported by a kernel.
"""

# --- Several resources of each type: the matrix algorithm and Banker's safety test ---------


# --- One resource of each type: cycles in the resource-allocation graph --------------------


def _successors(graph):
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


def find_cycle(graph):
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
    """
    successors = _successors(graph)
    for start in successors:
        path = []  # L
        marked = set()  # arcs followed, as (u, v, position in u's list)
        node = start
        exhausted = False
        while not exhausted:
            path.append(node)  # step 2
            if path.count(node) == 2:
                first = path.index(node)
                return path[first:-1]
            while True:  # step 3
                unmarked = [
                    (node, v, k)
                    for k, v in enumerate(successors[node])
                    if (node, v, k) not in marked
                ]
                if unmarked:  # step 4
                    arc = unmarked[0]
                    marked.add(arc)
                    node = arc[1]
                    break
                if len(path) == 1:  # step 5: back at the initial node, no cycle from it
                    exhausted = True
                    break
                path.pop()  # dead end: back to the previous node, step 3
                node = path[-1]
    return None


def reaches(graph, source):
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


def deadlocked_nodes(graph):
    """The nodes that lie on a cycle: those that can reach themselves."""
    successors = _successors(graph)
    return {node for node in successors if node in reaches(successors, node)}


def blocked_nodes(graph):
    """The nodes that wait forever: those that can reach a node on a cycle (or lie on one)."""
    successors = _successors(graph)
    deadlocked = deadlocked_nodes(successors)
    return {
        node for node in successors if node in deadlocked or reaches(successors, node) & deadlocked
    }
