"""What a user would otherwise reach for: numba versions, other graph libraries.

Each builder imports its library lazily and raises ``ImportError`` with the reason when the
library is missing, so the benchmarks can leave that peer out and say why.
"""

from __future__ import annotations

import functools
from itertools import chain

import numpy as np


@functools.cache
def numba_xscore():
    """The dominance DP over multisets written with ``numba.njit``: ``f(a) -> best score``.

    The same algorithm as the Cython kernel, as a numba user would write it (int64 bitsets,
    lowest set bit by a de Bruijn table since numba has no count-trailing-zeros).
    """
    try:
        import numba
    except ImportError as exc:
        raise ImportError("numba is not installed (pip install 'cysolve[bench]')") from exc

    debruijn = np.array(
        [0, 1, 48, 2, 57, 49, 28, 3, 61, 58, 50, 42, 38, 29, 17, 4, 62, 55, 59, 36, 53, 51,
         43, 22, 45, 39, 33, 30, 24, 18, 12, 5, 63, 47, 56, 27, 60, 41, 37, 16, 54, 35, 52,
         21, 44, 32, 23, 11, 46, 26, 40, 15, 34, 20, 31, 10, 25, 14, 19, 9, 13, 8, 7, 6],
        dtype=np.int64,
    )
    magic = np.int64(0x03F79D71B4CB0A89)

    @numba.njit(cache=False, nogil=True)
    def dominance(vals, cnt, table, magic):
        D = vals.size
        stride = np.empty(D, np.int64)
        states = 1
        for d in range(D):
            stride[d] = states
            states *= cnt[d] + 1
        top = vals[D - 1] if D else 0
        b = 1
        while (1 << b) <= top:
            b += 1
        mask = (1 << b) - 1
        h = np.full(states, -1, np.int64)
        sets = np.zeros(states, np.int64)
        h[0] = 0
        sets[0] = 1
        digit = np.zeros(D, np.int64)
        for s in range(states):
            for d in range(D):
                if digit[d] == cnt[d]:
                    continue
                v = vals[d]
                carry = 0
                plain = 0
                bits = sets[s]
                while bits != 0:
                    low = bits & -bits
                    r = table[((low * magic) >> 58) & 63]
                    bits ^= low
                    t = r + (r ^ v)
                    if t >> b:
                        carry |= 1 << (t & mask)
                    else:
                        plain |= 1 << t
                nh = 2 * h[s] + (1 if carry != 0 else 0)
                img = carry if carry != 0 else plain
                ns = s + stride[d]
                if nh > h[ns]:
                    h[ns] = nh
                    sets[ns] = img
                elif nh == h[ns]:
                    sets[ns] |= img
            d = 0
            while d < D and digit[d] == cnt[d]:
                digit[d] = 0
                d += 1
            if d < D:
                digit[d] += 1
        last = sets[states - 1]
        r = 63
        while r > 0 and not (last >> r) & 1:
            r -= 1
        return h[states - 1] * (1 << b) + r

    def best_score(a):
        vals, cnt = np.unique(np.asarray(a, dtype=np.int64), return_counts=True)
        if vals.size and vals[-1] > 63:
            raise ValueError("the numba peer handles values below 64 only")
        return int(dominance(vals, cnt.astype(np.int64), debruijn, magic))

    best_score([1, 2, 3])  # compile now, not inside the first timing
    return best_score


def _on_cycle_from_components(n: int, sizes: np.ndarray, members: np.ndarray,
                              indptr: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """Components (their sizes, and their members one after another) as the nodes on a cycle.

    The same reduction every strong-components peer gets: a component of two or more nodes,
    or a node with a self-loop.
    """
    mask = np.zeros(n, dtype=bool)
    mask[members[np.repeat(sizes > 1, sizes)]] = True
    rows = np.repeat(np.arange(n), np.diff(indptr))
    mask[rows[rows == indices]] = True
    return mask


def rustworkx_on_cycle(n: int, src: np.ndarray, dst: np.ndarray):
    """rustworkx's ``strongly_connected_components`` on a ``PyDiGraph`` of the edges.

    The graph is built here, outside the timing (as a rustworkx user holds one already);
    the returned ``f(indptr, indices)`` is the components call and the reduction to a mask.
    """
    try:
        import rustworkx as rx
    except ImportError as exc:
        raise ImportError("rustworkx is not installed (pip install 'cysolve[bench]')") from exc
    graph = rx.PyDiGraph(multigraph=True)
    graph.add_nodes_from(range(n))
    graph.add_edges_from_no_data(list(zip(src.tolist(), dst.tolist(), strict=True)))

    def on_cycle(indptr, indices):
        components = rx.strongly_connected_components(graph)
        sizes = np.fromiter(map(len, components), dtype=np.int64, count=len(components))
        members = np.fromiter(chain.from_iterable(components), dtype=np.int64, count=n)
        return _on_cycle_from_components(n, sizes, members, indptr, indices)

    return on_cycle


def igraph_on_cycle(n: int, src: np.ndarray, dst: np.ndarray):
    """python-igraph's ``connected_components(mode="strong")`` on a directed ``Graph``.

    Built here, outside the timing; ``f(indptr, indices)`` is the components call (its
    membership vector) and the reduction to a mask.
    """
    try:
        import igraph
    except ImportError as exc:
        raise ImportError("igraph is not installed (pip install 'cysolve[bench]')") from exc
    graph = igraph.Graph(n=n, edges=np.column_stack([src, dst]).tolist(), directed=True)

    def on_cycle(indptr, indices):
        membership = np.asarray(graph.connected_components(mode="strong").membership)
        sizes = np.bincount(membership)
        mask = sizes[membership] > 1
        rows = np.repeat(np.arange(n), np.diff(indptr))
        mask[rows[rows == indices]] = True
        return mask

    return on_cycle
