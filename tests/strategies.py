"""Hypothesis strategies shared by the test modules (one section per family)."""

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
