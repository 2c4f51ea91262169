"""Deadlock detection with one resource of each type: cycles in a directed graph.

Tanenbaum & Bos, *Modern Operating Systems* (4th ed.), section 6.4.1. In a resource-allocation
graph an edge ``R -> P`` means process ``P`` holds resource ``R`` and ``P -> R`` means ``P``
waits for ``R``; in a wait-for graph ``P -> Q`` means ``P`` waits for ``Q``. With one unit of
every resource the system is deadlocked iff the graph has a cycle: the nodes on a cycle are
deadlocked, and every node that can reach a cycle waits forever (blocked).

The wrappers here convert the graph once, always to CSR (``deadlock._inputs.graph_input``),
run the compiled kernel (``_graph``) and wrap its arrays; the textbook algorithm is
``reference.find_cycle``.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from cysolve._convert import hashable
from cysolve.deadlock import _graph, _inputs
from cysolve.deadlock._text import REPORT_LIMIT, listing

__all__ = ["GraphDetection", "ResourceGraph", "detect_graph", "find_cycle", "resource_graph"]



@dataclass(frozen=True, eq=False)
class ResourceGraph:
    """Who holds and who waits for which resource (one unit each): build with ``resource_graph``.

    Iterating yields the edges ``(u, v)``: ``(resource, process)`` for a resource held and
    ``(process, resource)`` for a resource waited for, so any graph library can take it too.
    ``detect_graph`` also knows which nodes are processes and phrases its report as
    "P1 waits for R2, held by P2".
    """

    holds: dict[Hashable, Hashable]
    waits: dict[Hashable, tuple[Hashable, ...]]
    processes: tuple[Hashable, ...]
    resources: tuple[Hashable, ...]

    def adjacency(self) -> dict[Hashable, list[Hashable]]:
        """``{node: successors}`` for every node, processes first (the search starts there)."""
        adjacency: dict[Hashable, list[Hashable]] = {
            p: list(self.waits.get(p, ())) for p in self.processes
        }
        for r in self.resources:
            holder = self.holds.get(r)
            adjacency[r] = [] if holder is None else [holder]
        return adjacency

    def __iter__(self) -> Iterator[tuple[Hashable, Hashable]]:
        for node, successors in self.adjacency().items():
            for successor in successors:
                yield node, successor

    def __repr__(self) -> str:
        return (
            f"ResourceGraph({len(self.processes)} processes, {len(self.resources)} "
            f"resources, holds={self.holds!r}, waits={self.waits!r})"
        )


def resource_graph(
    holds: Mapping[Hashable, Hashable | None] | None = None,
    waits: Mapping[Hashable, Any] | None = None,
    *,
    processes: Iterable[Hashable] = (),
    resources: Iterable[Hashable] = (),
) -> ResourceGraph:
    """The resource-allocation graph of who holds what and who waits for what.

    Parameters
    ----------
    holds : mapping, optional
        ``{resource: process}``: the one process holding each resource (None: it is free).
    waits : mapping, optional
        ``{process: resources}``: the resources each process waits for, as a list, tuple or
        set, or a single resource label.
    processes, resources : iterable, optional
        More processes and resources, for ones that neither hold nor wait for anything.

    Returns
    -------
    ResourceGraph
        The graph ``detect_graph`` takes; it remembers which nodes are processes.

    Raises
    ------
    TypeError
        A label is unhashable, or ``holds`` gives a resource several holders.
    ValueError
        One label is used both as a process and as a resource.

    Examples
    --------
    >>> from cysolve.deadlock import detect_graph, resource_graph
    >>> g = resource_graph(holds={"R1": "P1", "R2": "P2"}, waits={"P1": ["R2"], "P2": "R1"})
    >>> print(detect_graph(g).report())
    deadlock: P1 waits for R2, held by P2; P2 waits for R1, held by P1
    deadlocked processes: P1, P2
    """
    holds = {} if holds is None else holds
    waits = {} if waits is None else waits
    for what, mapping in (("holds", holds), ("waits", waits)):
        if not isinstance(mapping, Mapping):
            raise TypeError(f"{what} must be a mapping (a dict), not {type(mapping).__name__}")
    procs: dict[Hashable, None] = {}
    ress: dict[Hashable, None] = {}
    held: dict[Hashable, Hashable] = {}
    for r, p in holds.items():
        hashable(p, f"holds[{r!r}] = {p!r}",
                           "a resource has one holder (None: free), and its label")
        ress[r] = None
        if p is not None:
            procs[p] = None
            held[r] = p
    waiting: dict[Hashable, tuple[Hashable, ...]] = {}
    for p, rs in waits.items():
        rs = tuple(rs) if isinstance(rs, (list, tuple, set, frozenset)) else (rs,)
        for j, r in enumerate(rs):
            hashable(r, f"waits[{p!r}][{j}] = {r!r}", "resource labels")
        procs[p] = None
        ress.update(dict.fromkeys(rs))
        waiting[p] = rs
    for what, extra, into in (("processes", processes, procs), ("resources", resources, ress)):
        if isinstance(extra, (str, bytes)):
            extra = (extra,)
        for j, label in enumerate(extra):
            try:
                into[label] = None
            except TypeError:
                raise TypeError(f"{what}[{j}] = {label!r}: labels must be hashable") from None
    both = procs.keys() & ress.keys()
    if both:
        label = next(iter(p for p in procs if p in both))
        raise ValueError(
            f"{label!r} is used both as a process and as a resource: a resource-allocation "
            f"graph needs distinct labels"
        )
    return ResourceGraph(held, waiting, tuple(procs), tuple(ress))


@dataclass(frozen=True, eq=False)
class GraphDetection:
    """The outcome of ``detect_graph``: a cycle, the deadlocked and the blocked nodes.

    Attributes
    ----------
    cycle : list or None
        One cycle as node labels in edge order (each waits for the next, the last for the
        first), or None when there is no deadlock. For a ``ResourceGraph`` it starts at a
        process.
    deadlocked : frozenset
        Every node that lies on some cycle.
    blocked : frozenset
        Every node that can reach a cycle, so waits forever (includes the deadlocked).
    nodes : sequence
        The labels in node-id order (``range(n)`` for CSR and sparse input).
    deadlocked_mask, blocked_mask : numpy.ndarray
        The same sets as boolean arrays over node ids, for graphs too large for Python sets.
    processes : frozenset or None
        Which nodes are processes (a ``ResourceGraph``), or None for a wait-for graph.

    ``bool(result)`` is True when there is a deadlock; ``str(result)`` is ``result.report()``.
    """

    cycle: list | None
    nodes: Any = field(repr=False)
    deadlocked_mask: np.ndarray = field(repr=False)
    blocked_mask: np.ndarray = field(repr=False)
    processes: frozenset | None = field(default=None, repr=False)
    _indptr: np.ndarray | None = field(default=None, repr=False)
    _indices: np.ndarray | None = field(default=None, repr=False)

    @cached_property
    def deadlocked(self) -> frozenset:
        return self._labels_where(self.deadlocked_mask)

    @cached_property
    def blocked(self) -> frozenset:
        return self._labels_where(self.blocked_mask)

    def _labels_where(self, mask: np.ndarray) -> frozenset:
        ids = np.flatnonzero(mask)
        if isinstance(self.nodes, range):
            return frozenset(ids.tolist())
        if isinstance(self.nodes, np.ndarray):
            return frozenset(self.nodes[ids].tolist())
        nodes = self.nodes
        return frozenset([nodes[i] for i in ids.tolist()])

    def _label(self, i: int) -> Hashable:
        label = self.nodes[i]
        return label.item() if isinstance(label, np.generic) else label

    def __bool__(self) -> bool:
        return self.cycle is not None

    def __eq__(self, other: object) -> bool:
        """Equal when the same nodes have the same fates and the same cycle is reported."""
        if not isinstance(other, GraphDetection):
            return NotImplemented
        return (
            self.cycle == other.cycle
            and self.processes == other.processes
            and list(self.nodes) == list(other.nodes)
            and np.array_equal(self.deadlocked_mask, other.deadlocked_mask)
            and np.array_equal(self.blocked_mask, other.blocked_mask)
        )

    __hash__ = None

    def __repr__(self) -> str:
        def show(ids: np.ndarray) -> str:
            items = ", ".join(repr(self._label(i)) for i in ids[:REPORT_LIMIT].tolist())
            more = f", ... ({ids.size} in all)" if ids.size > REPORT_LIMIT else ""
            return "{" + items + more + "}" if ids.size else "set()"

        if self.cycle is None:
            cycle = "None"
        else:
            cycle = ", ".join(map(repr, self.cycle[:REPORT_LIMIT]))
            more = f", ... ({len(self.cycle)} in all)" if len(self.cycle) > REPORT_LIMIT else ""
            cycle = f"[{cycle}{more}]"
        return (
            f"GraphDetection(cycle={cycle}, "
            f"deadlocked={show(np.flatnonzero(self.deadlocked_mask))}, "
            f"blocked={show(np.flatnonzero(self.blocked_mask))})"
        )

    def __str__(self) -> str:
        return self.report()

    def report(self, limit: int | None = REPORT_LIMIT, *, order: bool = False) -> str:
        """The deadlock in words a person can act on, the way PostgreSQL reports one.

        The cycle ("P1 waits for R2, held by P2; P2 waits for R1, held by P1" for a
        ``ResourceGraph``, "A waits for B; B waits for A" for a wait-for graph), the
        deadlocked processes, then each blocked process and what it waits on that leads into
        the deadlock. Each part lists at most ``limit`` items (None: all). ``order=True`` adds
        the :meth:`finishing_order` of the nodes that are not blocked.
        """
        text = self._report(limit)
        finishing = self.finishing_order() if order else []
        if finishing:
            text += ("\nthe others can finish in this order: " if self else
                     "\nthey can finish in this order: ") + listing(list(map(str, finishing)),
                                                                     limit)
        return text

    def _report(self, limit: int | None) -> str:
        n = len(self.nodes)
        if self.cycle is None:
            return f"no deadlock: no cycle among {n} nodes"
        if self.processes is None:
            is_process = np.ones(n, dtype=bool)
        else:
            is_process = np.fromiter(
                map(self.processes.__contains__, self.nodes), dtype=bool, count=n
            )
        waits = self._waits_phrase(self.cycle)
        shown_waits = waits if limit is None else waits[:limit]
        more = f"; ... ({len(waits)} waits in the cycle)" if len(shown_waits) < len(waits) else ""
        lines = ["deadlock: " + "; ".join(shown_waits) + more]
        dead = np.flatnonzero(self.deadlocked_mask & is_process)
        names = [str(self._label(i)) for i in dead[: n if limit is None else limit].tolist()]
        more = f", ... ({dead.size} in all)" if len(names) < dead.size else ""
        title = "deadlocked: " if self.processes is None else "deadlocked processes: "
        lines.append(title + ", ".join(names) + more)
        behind = np.flatnonzero(self.blocked_mask & ~self.deadlocked_mask & is_process)
        if behind.size:
            lines.append(
                "blocked behind them:"
                if self.processes is None
                else "blocked processes (they wait forever):"
            )
            shown = behind[: behind.size if limit is None else limit].tolist()
            lines.extend("  " + self._blocked_phrase(i) for i in shown)
            if len(shown) < behind.size:
                lines.append(f"  ... and {behind.size - len(shown)} more")
        return "\n".join(lines)

    def to_dot(self, name: str = "deadlock") -> str:
        """The graph in Graphviz DOT: the cycle in red, blocked nodes shaded.

        Processes are boxes; for a ``ResourceGraph`` resources are circles. Nodes on a cycle
        (deadlocked) are filled pink, the others that wait forever grey; the edges of
        ``cycle`` are red and bold. Render with ``dot -Tsvg out.dot > out.svg``.

        Examples
        --------
        >>> from cysolve.deadlock import detect_graph
        >>> print(detect_graph([("A", "B"), ("B", "A"), ("C", "A")]).to_dot(), end="")
        digraph "deadlock" {
          node [shape=box, style=filled, fillcolor=white];
          n0 [label="A", fillcolor="#f4b6b6", color=red];
          n1 [label="B", fillcolor="#f4b6b6", color=red];
          n2 [label="C", fillcolor="#d9d9d9"];
          n0 -> n1 [color=red, penwidth=2];
          n1 -> n0 [color=red, penwidth=2];
          n2 -> n0;
        }
        """
        n = len(self.nodes)
        labels = [self._label(i) for i in range(n)]
        index = {label: i for i, label in enumerate(labels)}
        red: set[tuple[int, int]] = set()
        if self.cycle is not None:
            ids = [index[x] for x in self.cycle]
            red = set(zip(ids, ids[1:] + ids[:1], strict=True))
        lines = [f"digraph {_dot_id(name)} {{",
                 "  node [shape=box, style=filled, fillcolor=white];"]
        dead, blocked = self.deadlocked_mask, self.blocked_mask
        for i, label in enumerate(labels):
            attrs = [f"label={_dot_id(str(label))}"]
            if self.processes is not None and label not in self.processes:
                attrs.append("shape=circle")
            if dead[i]:
                attrs += ['fillcolor="#f4b6b6"', "color=red"]
            elif blocked[i]:
                attrs.append('fillcolor="#d9d9d9"')
            lines.append(f"  n{i} [{', '.join(attrs)}];")
        indptr, indices = self._indptr, self._indices
        drawn: set[tuple[int, int]] = set()
        for u in range(n):
            for v in indices[indptr[u] : indptr[u + 1]].tolist():
                if (u, v) in drawn:
                    continue
                drawn.add((u, v))
                style = " [color=red, penwidth=2]" if (u, v) in red else ""
                lines.append(f"  n{u} -> n{v}{style};")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def finishing_order(self) -> list:
        """The nodes that are not blocked, each after every node it waits on.

        A reverse topological order of the part of the graph that reaches no cycle (every
        successor of such a node reaches none either), found by an iterative depth-first
        search in node-id order; for a ``ResourceGraph`` only the processes are listed.
        """
        free = ~self.blocked_mask
        indptr, indices = self._indptr, self._indices
        order: list[int] = []
        done = np.zeros(len(self.nodes), dtype=bool)
        for start in np.flatnonzero(free).tolist():
            if done[start]:
                continue
            done[start] = True
            stack = [(start, iter(indices[indptr[start] : indptr[start + 1]].tolist()))]
            while stack:
                node, children = stack[-1]
                for child in children:
                    if not done[child]:
                        done[child] = True
                        stack.append((child, iter(indices[indptr[child] : indptr[child + 1]]
                                                  .tolist())))
                        break
                else:
                    stack.pop()
                    order.append(node)
        labels = [self._label(i) for i in order]
        if self.processes is None:
            return labels
        return [x for x in labels if x in self.processes]

    def _successors(self, i: int) -> list[int]:
        return self._indices[self._indptr[i] : self._indptr[i + 1]].tolist()

    def _holders(self, resource_id: int) -> str:
        holders = dict.fromkeys(str(self._label(j)) for j in self._successors(resource_id))
        return ", ".join(holders) if holders else "nobody"

    def _waits_phrase(self, cycle: list) -> list[str]:
        if self.processes is None:
            return [f"{a} waits for {b}" for a, b in zip(cycle, cycle[1:] + cycle[:1], strict=True)]
        # a resource graph alternates process -> resource -> process; the cycle starts at one
        return [
            f"{cycle[k]} waits for {cycle[k + 1]}, held by {cycle[(k + 2) % len(cycle)]}"
            for k in range(0, len(cycle) - 1, 2)
        ]

    def _blocked_phrase(self, i: int) -> str:
        targets = [j for j in dict.fromkeys(self._successors(i)) if self.blocked_mask[j]]
        if self.processes is None:
            return f"{self._label(i)} waits for " + ", ".join(str(self._label(j)) for j in targets)
        return f"{self._label(i)} waits for " + "; and for ".join(
            f"{self._label(j)}, held by {self._holders(j)}" for j in targets
        )


def _dot_id(text: str) -> str:
    """A DOT double-quoted string: backslashes and quotes escaped, newlines kept as \\n."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _csr(graph: Any) -> tuple[_inputs.GraphInput, frozenset | None]:
    """The graph as CSR ids, and its processes when it is a ResourceGraph."""
    if isinstance(graph, ResourceGraph):
        return _inputs.adjacency_input(graph.adjacency(), "graph"), frozenset(graph.processes)
    return _inputs.graph_input(graph, "graph"), None


def _search(kernel, arrays: _inputs.GraphInput, graph: Any):
    """Run a kernel that checks as it reads; a malformed entry gets the package's message.

    Whether the kernel met the bad entry at its first step or its last, the error is the
    one for the first malformed entry of the arrays (``check_csr``, explained as
    ``graph_input`` explains it for a tuple), and nothing the kernel computed is returned.
    """
    try:
        return kernel(arrays.indptr, arrays.indices)
    except _graph.MalformedCSR as exc:
        try:
            _inputs.check_csr(arrays.indptr, arrays.indices)
        except ValueError as error:
            if isinstance(graph, tuple):
                raise _inputs.csr_tuple_error(error) from None
            raise
        raise AssertionError(f"the kernel and check_csr disagree: {exc}") from None


def _cycle_labels(ids: np.ndarray | None, labels: Any, processes: frozenset | None):
    if ids is None:
        return None
    cycle = ids.tolist()
    if labels is not None:
        cycle = (
            labels[ids].tolist() if isinstance(labels, np.ndarray) else [labels[i] for i in cycle]
        )
    if processes is not None:  # start at a process, so the report reads P -> R -> P ...
        start = next((k for k, label in enumerate(cycle) if label in processes), 0)
        cycle = cycle[start:] + cycle[:start]
    return cycle


def detect_graph(graph: Any) -> GraphDetection:
    """Deadlock detection with one resource of each type: cycles in a directed graph.

    One iterative O(V + E) pass (Pearce's strongly connected components) finds every node on
    a cycle (deadlocked), every node that can reach one (blocked) and one cycle. On graphs of
    2**18 nodes or more, the first cycle's strong component is completed before that pass by
    two breadth-first searches (forward-backward), which on random graphs is most of the work.

    Parameters
    ----------
    graph : graph-like
        Any of: an iterable of ``(u, v)`` edges ("u waits for v" / "u is held by v") with
        hashable labels; a dict ``{node: [successors]}``; a ``networkx.DiGraph``; a square
        ``scipy.sparse`` adjacency matrix (non-zero = edge) or a tuple ``(indptr, indices)``
        of 1-D integer NumPy CSR arrays (nodes ``0..n-1``); an ``(E, 2)`` NumPy edge array;
        or a ``ResourceGraph`` from ``resource_graph`` (the report then names who holds
        what). Self-loops, isolated nodes (dict, networkx, CSR) and repeated edges are fine.

    Returns
    -------
    GraphDetection
        ``cycle``, ``deadlocked``, ``blocked``; true when there is a deadlock.

    Raises
    ------
    TypeError
        An unsupported object, unhashable labels, an undirected networkx graph.
    ValueError
        An edge that is not a pair, a non-square matrix, malformed CSR arrays.

    Examples
    --------
    >>> from cysolve.deadlock import detect_graph
    >>> d = detect_graph([("A", "B"), ("B", "C"), ("C", "A"), ("D", "A"), ("E", "D")])
    >>> d.cycle
    ['A', 'B', 'C']
    >>> sorted(d.deadlocked), sorted(d.blocked)
    (['A', 'B', 'C'], ['A', 'B', 'C', 'D', 'E'])
    >>> print(d)
    deadlock: A waits for B; B waits for C; C waits for A
    deadlocked: A, B, C
    blocked behind them:
      D waits for A
      E waits for D
    >>> bool(detect_graph({"A": ["B"], "B": []}))
    False
    """
    arrays, processes = _csr(graph)
    deadlocked, blocked, cycle = _search(_graph.scan, arrays, graph)
    indptr, indices = arrays.indptr, arrays.indices
    if not arrays.owned:  # the caller's arrays (read in place): the result keeps its own
        indptr, indices = indptr.copy(), indices.copy()
    nodes = range(arrays.n) if arrays.labels is None else arrays.labels
    return GraphDetection(
        cycle=_cycle_labels(cycle, arrays.labels, processes),
        nodes=nodes,
        deadlocked_mask=deadlocked,
        blocked_mask=blocked,
        processes=processes,
        _indptr=indptr,
        _indices=indices,
    )


def find_cycle(graph: Any) -> list | None:
    """One cycle of ``graph`` as labels in edge order, or None: stops at the first one found.

    The same cycle ``detect_graph(graph).cycle`` reports, by a depth-first search that ends
    at the first edge back into its current path, so it can answer long before it has seen
    the whole graph. ``graph`` takes the forms ``detect_graph`` takes.

    Examples
    --------
    >>> from cysolve.deadlock.graph import find_cycle
    >>> find_cycle([(1, 2), (2, 3), (3, 2)])
    [2, 3]
    >>> find_cycle([(1, 2), (2, 3)]) is None
    True
    """
    arrays, processes = _csr(graph)  # CSR input: read in place, only as far as the search goes
    cycle = _search(_graph.first_cycle, arrays, graph)
    return _cycle_labels(cycle, arrays.labels, processes)
