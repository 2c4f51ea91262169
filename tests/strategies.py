"""Hypothesis strategies shared by the test modules (one section per family)."""

import numpy as np
from hypothesis import strategies as st

# --- xscore -----------------------------------------------------------------------------------

def xscore_values(max_n, max_value=63, min_n=0):
    """One XScoreGame instance: a list of non-negative ints, often with repeats."""
    return st.integers(0, max_value).flatmap(
        lambda top: st.lists(st.integers(0, top), min_size=min_n, max_size=max_n)
    )


def xscore_batches(max_k=12, max_n=8, max_value=63):
    """A ragged batch of instances."""
    return st.lists(xscore_values(max_n, max_value), max_size=max_k)


# --- deadlock: matrix algorithm -------------------------------------------------------------


def chain_system(n: int, m: int, broken: int | None = None, seed: int = 0):
    """An adversarial chain: process i waits for what processes i+1, i+2 ... hold.

    Process i holds one unit of type i % m and requests every unit of type (i+1) % m that
    the processes after it hold, so each textbook pass finishes exactly one process, from
    the last one back. With ``broken = b``, process b asks for one unit more than can ever
    be free: b and everything before it is deadlocked. Rows are shuffled by ``seed``.
    Returns ``(C, R, A)``, int64, and the permutation (``perm[new row] = chain position``).
    """
    C = np.zeros((n, m), dtype=np.int64)
    R = np.zeros((n, m), dtype=np.int64)
    if m:
        C[np.arange(n), np.arange(n) % m] = 1
        held_after = np.zeros(m, dtype=np.int64)
        for i in range(n - 1, -1, -1):
            t = (i + 1) % m
            R[i, t] = held_after[t] + (1 if i == broken else 0)
            held_after[i % m] += 1
    perm = np.random.default_rng(seed).permutation(n)
    return C[perm], R[perm], np.zeros(m, dtype=np.int64), perm


def hidden_order_system(n: int, m: int, seed: int = 0, max_hold: int = 5):
    """A system that fully drains only in a hidden order, after many textbook passes.

    Process at rank t of a random order requests a random share of what is free once the
    ranks before it finished. Returns ``(C, R, A)``, int64.
    """
    rng = np.random.default_rng(seed)
    C = rng.integers(0, max_hold + 1, size=(n, m), dtype=np.int64)
    A0 = rng.integers(0, max_hold + 1, size=m, dtype=np.int64)
    R = np.zeros((n, m), dtype=np.int64)
    free = A0.copy()
    for p in rng.permutation(n):
        R[p] = np.floor(free * rng.random(m) ** 0.25).astype(np.int64)
        free += C[p]
    return C, R, A0


@st.composite
def matrix_systems(draw, max_n: int = 10, max_m: int = 4, max_value: int = 4):
    """Random ``(C, R, A)`` (int64 arrays) with small counts, so every outcome occurs."""
    n = draw(st.integers(0, max_n))
    m = draw(st.integers(0, max_m))
    cells = st.integers(0, max_value)
    C = np.array(draw(st.lists(cells, min_size=n * m, max_size=n * m)), dtype=np.int64)
    R = np.array(draw(st.lists(cells, min_size=n * m, max_size=n * m)), dtype=np.int64)
    A = np.array(draw(st.lists(cells, min_size=m, max_size=m)), dtype=np.int64)
    return C.reshape(n, m), R.reshape(n, m), A


@st.composite
def chain_systems(draw, max_n: int = 30, max_m: int = 4):
    """Shuffled adversarial chains (see ``chain_system``), sometimes broken somewhere."""
    n = draw(st.integers(1, max_n))
    m = draw(st.integers(1, max_m))
    broken = draw(st.none() | st.integers(0, n - 1))
    seed = draw(st.integers(0, 2**32 - 1))
    C, R, A, _ = chain_system(n, m, broken, seed)
    return C, R, A


@st.composite
def hidden_order_systems(draw, max_n: int = 30, max_m: int = 5):
    """Systems that drain completely, but only in a hidden order."""
    n = draw(st.integers(0, max_n))
    m = draw(st.integers(0, max_m))
    return hidden_order_system(n, m, draw(st.integers(0, 2**32 - 1)))


@st.composite
def banker_states(draw, max_n: int = 8, max_m: int = 4, max_value: int = 5):
    """Random ``(available, allocation, max_claim)`` with allocation <= max_claim."""
    n = draw(st.integers(0, max_n))
    m = draw(st.integers(0, max_m))
    cells = st.integers(0, max_value)
    C = np.array(draw(st.lists(cells, min_size=n * m, max_size=n * m)), dtype=np.int64)
    extra = np.array(draw(st.lists(cells, min_size=n * m, max_size=n * m)), dtype=np.int64)
    A = np.array(draw(st.lists(cells, min_size=m, max_size=m)), dtype=np.int64)
    return A, C.reshape(n, m), (C + extra).reshape(n, m)


# --- deadlock: graphs ----------------------------------------------------------------------


@st.composite
def digraphs(draw, max_nodes: int = 10):
    """``(n, edges)``: a directed graph on nodes ``range(n)``; self-loops and repeats allowed."""
    n = draw(st.integers(0, max_nodes))
    if n == 0:
        return 0, []
    node = st.integers(0, n - 1)
    edges = draw(st.lists(st.tuples(node, node), max_size=3 * n))
    return n, edges


# Hashable labels of several kinds that never compare equal to each other.
LABELS = st.one_of(
    st.text(min_size=1, max_size=3),
    st.tuples(st.integers(-3, 3), st.text(max_size=1)),
    st.frozensets(st.integers(0, 4), min_size=1, max_size=3),
    st.integers(100, 10**20),
)


@st.composite
def labelled_digraphs(draw, max_nodes: int = 10):
    """``(n, edges, labels)``: a ``digraphs()`` graph and distinct hashable labels for its nodes."""
    n, edges = draw(digraphs(max_nodes))
    labels = draw(st.lists(LABELS, min_size=n, max_size=n, unique=True))
    return n, edges, labels


@st.composite
def single_unit_states(draw, max_processes: int = 6, max_resources: int = 6):
    """One unit of every resource: ``(holder, request)`` with ``holder[j]`` the process holding
    resource ``j`` (None: free) and ``request[i][j]`` in {0, 1}."""
    n = draw(st.integers(1, max_processes))
    m = draw(st.integers(1, max_resources))
    holder = draw(st.lists(st.one_of(st.none(), st.integers(0, n - 1)), min_size=m, max_size=m))
    request = draw(
        st.lists(st.lists(st.integers(0, 1), min_size=m, max_size=m), min_size=n, max_size=n)
    )
    return holder, request
