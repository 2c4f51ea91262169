"""Online deadlock detection: a wait-for graph that answers each new wait at once.

A lock manager, a scheduler simulation or a pipeline that watches lock events asks after
every event: "does this new wait close a cycle, and who should be aborted?" Re-running
``detect_graph`` on the whole graph costs O(V + E) per event; ``WaitForGraph`` keeps a
dynamic topological order of the graph (Pearce and Kelly, 2006) in C arrays
(``deadlock._online``), so a wait that agrees with the order costs O(1) and any other one
searches only the region of the order it affects. The graph may be cyclic, as a real system
is until a victim is aborted: ``detect()`` and ``victims()`` always see all of it.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Hashable, Mapping
from typing import Any

import numpy as np

from cysolve.deadlock import _graph, _online
from cysolve.deadlock.graph import GraphDetection

__all__ = ["WaitForGraph"]

_SHOW = 8


class WaitForGraph(_online.WaitCore):
    """A wait-for graph that changes one event at a time: ``P -> Q`` means P waits for Q.

    Processes are any hashable labels, mapped to ids once (labels equal as dict keys are one
    process, as in ``detect_graph``); small non-negative ints take a direct table in C, and
    those that ``add_waits`` brings keep no Python object (their labels are made when asked:
    cycles, ``edges()``, victims). A process exists from its first wait until ``remove``.
    Not thread-safe: one graph, one thread.

    Methods
    -------
    add_wait(waiter, holder)
        Record the wait; returns the cycle it closes (labels in edge order, starting with
        ``waiter, holder``) or None. A repeated wait changes nothing and returns None. The
        wait stays even when it closes a cycle: call ``victims()`` and ``remove`` them.
    add_waits(pairs)
        An ``(E, 2)`` integer array of waits in one call (labels: the integers), the fast
        path for high volume: the same answers, ids and order of arrival as ``add_wait`` in
        a loop (the processes a batch creates are placed by the batch's own waits first, so
        a batch along some order needs no reordering); returns the indices of the rows that
        closed a cycle.
    remove_wait(waiter, holder), remove(process)
        A wait ends (the lock was granted or given up); a process finishes or is aborted and
        all its waits go (both kinds: ``ValueError`` for an unknown process or wait).
    waits_of(process), edges(), len(g), iter(g), p in g, copy()
    detect()
        A ``GraphDetection`` equal to ``detect_graph(g.edges())``, computed from the graph's
        own arrays.
    victims(weight=None), resolve(weight=None)
        Processes whose removal leaves no cycle (``resolve`` also removes them).

    Which waits report a cycle (decided, not an accident): a wait that closes a cycle is
    reported and kept aside as the deadlock's closing wait. While that deadlock is pending
    (reported, not yet resolved), a later wait whose *only* cycles pass through a pending
    closing wait joins that deadlock and returns None; ``detect()`` and ``victims()`` see it
    and ``victims()`` covers it. So: resolve each reported deadlock before going on
    (``resolve()``, or ``remove`` the victims, as a lock manager aborts one at once), and
    ``add_wait`` is exact: None if and only if the wait lies on no cycle. Telling a join
    apart would cost every wait a search of the pending deadlock's region for as long as it
    stays, which is what this class exists to avoid.

    Examples
    --------
    >>> from cysolve.deadlock import WaitForGraph
    >>> g = WaitForGraph()
    >>> g.add_wait("T1", "T2") is None          # T1 waits for a lock T2 holds
    True
    >>> g.add_wait("T2", "T3") is None
    True
    >>> g.add_wait("T3", "T1")                  # closes the cycle: the wait stays
    ['T3', 'T1', 'T2']
    >>> g.victims()                             # PostgreSQL: abort the one that closed it
    ['T3']
    >>> g.victims(weight={"T1": 5, "T2": 1, "T3": 9})   # InnoDB: the lightest
    ['T2']
    >>> g.remove("T3")
    >>> bool(g.detect()), sorted(g.edges())
    (False, [('T1', 'T2')])
    """

    def __repr__(self) -> str:
        labels = list(self)
        shown = ", ".join(map(repr, labels[:_SHOW]))
        more = f", ... ({len(labels)} in all)" if len(labels) > _SHOW else ""
        return f"WaitForGraph({len(labels)} processes [{shown}{more}], {self.n_waits} waits)"

    def copy(self) -> WaitForGraph:
        """An independent copy (the same waits, order and kept-aside waits)."""
        other = type(self)()
        self._copy_into(other)
        return other

    __copy__ = copy

    def _csr(self, src: np.ndarray, dst: np.ndarray, n: int):
        return _graph.csr_from_edges(src, dst, n)

    def detect(self) -> GraphDetection:
        """Every node's fate now: equal to ``detect_graph(g.edges())`` (cycle, sets, order).

        The ids are numbered as ``detect_graph`` numbers an edge list (by first appearance
        in ``edges()``), so the cycle reported is the very same one; O(V + E) in C.

        Examples
        --------
        >>> from cysolve.deadlock import WaitForGraph
        >>> g = WaitForGraph()
        >>> g.add_waits([[1, 2], [2, 1], [3, 1]]).tolist()
        [1]
        >>> d = g.detect()
        >>> d.cycle, sorted(d.deadlocked), sorted(d.blocked)
        ([1, 2], [1, 2], [1, 2, 3])
        """
        src, dst, _, first, rank = self._arrays()
        labels = self._label_list()
        nodes = [labels[i] for i in first.tolist()]
        indptr, indices = self._csr(rank[src], rank[dst], first.size)
        deadlocked, blocked, cycle = _graph.scan(indptr, indices)  # own CSR: well formed
        return GraphDetection(
            cycle=None if cycle is None else [nodes[i] for i in cycle.tolist()],
            nodes=nodes,
            deadlocked_mask=deadlocked,
            blocked_mask=blocked,
            _indptr=indptr,
            _indices=indices,
        )

    def victims(
        self, weight: Mapping[Hashable, float] | Callable[[Hashable], float] | None = None
    ) -> list:
        """Processes whose removal leaves no cycle, chosen greedily one per deadlock.

        Round after round, every strongly connected component that still holds a cycle gives
        one victim: by default the process whose wait into the component came last (the wait
        that closed its cycle: PostgreSQL's rule); with ``weight`` (a mapping or a callable
        from label to a number) the lightest process of the component (InnoDB's rule; ties
        by label, then by order of arrival). Greedy, not always the fewest possible.

        Returns
        -------
        list
            The victims in the order chosen (empty when there is no deadlock).

        Raises
        ------
        TypeError, ValueError
            ``weight`` is neither a mapping nor a callable, gives no number for a process
            of a cycle, or gives NaN.
        """
        if weight is not None and not (isinstance(weight, Mapping) or callable(weight)):
            raise TypeError(
                f"weight must be a mapping or a callable from process to a number, "
                f"not {type(weight).__name__}"
            )
        src, dst, stamp, _, _ = self._arrays()
        labels = self._label_list()
        n = len(labels)
        gone = np.zeros(n, dtype=bool)
        chosen: list = []
        while src.size:
            indptr, indices = self._csr(src, dst, n)
            comp = _online.components(indptr, indices)
            inside = comp[src] == comp[dst]  # an edge inside a component lies on a cycle
            if not inside.any():
                break
            if weight is None:
                cs, ts, ss = comp[src[inside]], stamp[inside], src[inside]
                order = np.lexsort((ts, cs))
                cs, ss = cs[order], ss[order]
                last = np.ones(cs.size, dtype=bool)
                last[:-1] = cs[1:] != cs[:-1]
                round_ids = ss[last].tolist()
            else:
                round_ids = self._lightest(comp, np.unique(comp[src[inside]]), labels, weight)
            gone[round_ids] = True
            chosen.extend(labels[i] for i in round_ids)
            keep = ~(gone[src] | gone[dst])
            src, dst, stamp = src[keep], dst[keep], stamp[keep]
        return chosen

    @staticmethod
    def _lightest(comp: np.ndarray, cyclic: np.ndarray, labels: list, weight: Any) -> list:
        members = np.flatnonzero(np.isin(comp, cyclic))
        get = weight.__getitem__ if isinstance(weight, Mapping) else weight
        groups: dict[int, list] = {}
        for i in members.tolist():
            label = labels[i]
            try:
                w = get(label)
            except KeyError:
                raise ValueError(f"weight has no entry for process {label!r}") from None
            if isinstance(w, bool) or not isinstance(w, numbers.Real):
                raise TypeError(
                    f"weight of process {label!r} is {w!r}: weights must be real numbers"
                )
            if w != w:
                raise ValueError(f"weight of process {label!r} is NaN: weights must be numbers")
            groups.setdefault(int(comp[i]), []).append((w, label, i))
        out = []
        for items in groups.values():
            try:
                best = min(items, key=lambda t: (t[0], t[1]))
            except TypeError:  # labels of kinds that do not compare: arrival order breaks ties
                best = min(items, key=lambda t: (t[0], t[2]))
            out.append(best[2])
        return out

    def resolve(
        self, weight: Mapping[Hashable, float] | Callable[[Hashable], float] | None = None
    ) -> list:
        """Remove ``victims(weight)`` from the graph and return them."""
        chosen = self.victims(weight)
        for p in chosen:
            self.remove(p)
        return chosen
