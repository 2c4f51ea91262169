"""Hypothesis strategies shared by the test modules (one section per family)."""

import numpy as np
from hypothesis import strategies as st

from cysolve.bench.inputs import (
    chain_system,
    decoy_staircase_system,
    hidden_order_system,
    hoarder_staircase_system,
    staircase_system,
)

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


def _counts(draw, shape, max_value):
    """An int64 array of the given shape with entries in 0..max_value."""
    size = int(np.prod(shape))
    cells = st.lists(st.integers(0, max_value), min_size=size, max_size=size)
    return np.array(draw(cells), dtype=np.int64).reshape(shape)


@st.composite
def matrix_systems(draw, max_n: int = 10, max_m: int = 4, max_value: int = 4):
    """Random ``(C, R, A)`` (int64 arrays) with small counts, so every outcome occurs."""
    n = draw(st.integers(0, max_n))
    m = draw(st.integers(0, max_m))
    return (_counts(draw, (n, m), max_value), _counts(draw, (n, m), max_value),
            _counts(draw, (m,), max_value))


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
def staircase_systems(draw, max_n: int = 300, max_m: int = 12):
    """Staircases (each process's types met one after another), with deadlocked hoarders that
    make the matrix kernel's watch weights lie, decoys that make its ranking lie, lags,
    scaled counts and some raised requests."""
    m = draw(st.integers(1, max_m))
    hoarders = draw(st.sampled_from([0, 0, 1, 3]))
    n = draw(st.integers(hoarders + 1, max_n))
    seed = draw(st.integers(0, 2**32 - 1))
    lag = draw(st.sampled_from([1, 2, 7]))
    decoy = m >= 2 and not hoarders and draw(st.booleans())
    if hoarders:
        C, R, A = hoarder_staircase_system(n, m, seed=seed, hoarders=hoarders)
    elif decoy:
        C, R, A = decoy_staircase_system(n, m, seed=seed,
                                         decoy_hold=draw(st.sampled_from([12, 120])))
    else:
        C, R, A = staircase_system(n, m, seed=seed, lag=lag)
    scale = draw(st.sampled_from([1, 1, 3] + ([] if hoarders else [10**9])))  # sums fit
    rng = np.random.default_rng(seed)
    raised = rng.random(n) < draw(st.sampled_from([0.0, 0.02]))
    R = R * scale
    R[raised, rng.integers(0, m)] += 1  # just out of reach, or met a step later
    return C * scale, R, A * scale


@st.composite
def banker_states(draw, max_n: int = 8, max_m: int = 4, max_value: int = 5):
    """Random ``(available, allocation, max_claim)`` with allocation <= max_claim."""
    n = draw(st.integers(0, max_n))
    m = draw(st.integers(0, max_m))
    C = _counts(draw, (n, m), max_value)
    extra = _counts(draw, (n, m), max_value)
    return _counts(draw, (m,), max_value), C, C + extra


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


@st.composite
def dags(draw, max_nodes: int = 10):
    """``(n, edges)``: an acyclic ``digraphs()`` graph, every edge up a random order of the
    nodes (so node ids are not a topological order); repeats allowed."""
    n, edges = draw(digraphs(max_nodes))
    order = draw(st.permutations(range(n)))
    rank = {v: i for i, v in enumerate(order)}
    return n, [(u, v) if rank[u] < rank[v] else (v, u) for u, v in edges if u != v]


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


# --- hardening: hostile inputs (tests/_fuzz_worker.py) ---------------------------------------
# Everything a caller might pass by mistake. ``valid_int_arrays`` pairs a well-formed input in
# some container (list, tuple, any integer dtype or byte order, strided, read-only, float with
# whole values, object) with the plain list of ints it means, so a fuzz test can check the answer.

import fractions  # noqa: E402
import math  # noqa: E402

JUNK_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.sampled_from([2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 2**64 - 1, 2**64, -1, 10**30]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([math.nan, math.inf, -math.inf, 0.5, -0.0, 2.0**63, 1e300]),
    st.text(max_size=3),
    st.binary(max_size=3),
    st.complex_numbers(max_magnitude=10),
    st.sampled_from([
        np.int8(-1), np.uint64(2**64 - 1), np.float32("nan"), np.bool_(True), np.float16(3),
        np.int64(2**63 - 1), np.uint8(7), fractions.Fraction(1, 3), fractions.Fraction(4, 1),
        np.datetime64("2020-01-01"), object(), Ellipsis, slice(1), {1: 2}, {3}, b"\x00",
    ]),
)

INT_DTYPES = ["i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8"]


def _dtype_for(values, dtype):
    """``dtype`` with either byte order, if it holds every value (else int64)."""
    info = np.iinfo(np.dtype(dtype))
    if values and (min(values) < info.min or max(values) > info.max):
        dtype = "i8"
    return dtype


@st.composite
def contain(draw, values, shape=None):
    """``values`` (a flat list of ints, reshaped to ``shape``) in a random container."""
    shape = (len(values),) if shape is None else shape
    kind = draw(st.sampled_from(
        ["list", "tuple", "array", "array", "strided", "reversed", "readonly", "float",
         "object", "fortran", "memoryview"]
    ))
    nested = np.array(values, dtype=object).reshape(shape).tolist() if values else (
        np.empty(shape, dtype=np.int64).tolist())
    if kind == "list":
        return nested
    if kind == "tuple":
        return tuple(tuple(r) if isinstance(r, list) else r for r in nested)
    if values and not -(2**63) <= min(values) <= max(values) < 2**63:
        return np.array(values, dtype=object).reshape(shape)  # no integer dtype holds them
    dtype = _dtype_for(values, draw(st.sampled_from(INT_DTYPES)))
    dtype = np.dtype(dtype).newbyteorder(draw(st.sampled_from("<>=")))
    arr = np.array(values, dtype=dtype).reshape(shape)
    if kind == "strided":  # every other element of a twice-as-long buffer
        big = np.zeros(shape[:-1] + (2 * shape[-1],), dtype=dtype)
        big[..., ::2] = arr
        return big[..., ::2]
    if kind == "reversed":
        return np.ascontiguousarray(arr[..., ::-1])[..., ::-1]
    if kind == "readonly":
        arr.setflags(write=False)
        return arr
    if kind == "float" and all(abs(v) < 2**53 for v in values):
        return arr.astype(np.float64)
    if kind == "object":
        return arr.astype(object)
    if kind == "fortran":
        return np.asfortranarray(arr)
    if kind == "memoryview" and len(shape) == 1 and dtype.isnative:
        return memoryview(arr)
    return arr


def junk_arrays():
    """Arrays that no public function should accept as counts (or should refuse cleanly)."""
    shapes = st.sampled_from(
        [(), (0,), (3,), (0, 0), (2, 3), (3, 0), (0, 4), (2, 2, 2), (1, 1, 1, 1)]
    )
    def build(shape, dtype, fill):
        try:
            return np.full(shape, fill, dtype=dtype)
        except (OverflowError, ValueError, TypeError):
            return np.zeros(shape, dtype=dtype)
    dtypes = st.sampled_from(
        ["?", "f2", "f4", ">f8", "c16", "U3", "S2", "O", "M8[s]", "m8[s]", "V8", "i8", ">u8"]
    )
    fills = st.sampled_from([0, 1, -1, 2.5, math.nan, math.inf, 2**64 - 1, "x", None, True])
    return st.one_of(
        st.builds(build, shapes, dtypes, fills),
        # Absurdly large: 10**13 or 10**14 elements as zero-stride views, no memory behind them.
        st.sampled_from([(10**13,), (10**7, 10**7), (10**7, 10**7, 1)]).flatmap(
            lambda shape: st.sampled_from(["i8", "u8", "f8", "i1", "O"]).map(
                lambda d: np.broadcast_to(np.zeros((), dtype=d), shape)
            )
        ),
    )


@st.composite
def corrupt(draw, values):
    """A list of ints with one element replaced by a junk scalar or a nested list."""
    values = list(values) or [0]
    i = draw(st.integers(0, len(values) - 1))
    values[i] = draw(JUNK_SCALARS | st.lists(st.integers(0, 3), max_size=2))
    return values


def hostile_1d(max_n=8, max_value=63):
    """Anything at all where a 1-D sequence of non-negative ints belongs."""
    ints = st.lists(st.integers(0, max_value), max_size=max_n)
    return st.one_of(
        JUNK_SCALARS,
        junk_arrays(),
        ints.flatmap(corrupt),
        st.lists(st.integers(-(2**65), 2**65), max_size=4).flatmap(contain),
        st.lists(st.lists(st.integers(0, 3), max_size=3), max_size=3),  # ragged or 2-D
        st.lists(JUNK_SCALARS, max_size=3),
        ints.flatmap(contain),
        st.builds(iter, ints),  # a one-shot iterator
        st.builds(set, ints),
        st.builds(lambda v: {i: x for i, x in enumerate(v)}, ints),
    )


# --- xscore: the layer frontier (tests/test_frontier.py) ----------------------------------------

def xscore_multisets(max_n, max_distinct=4, max_value=63, min_n=0):
    """An XScoreGame instance with few distinct values, many copies each (long multisets)."""
    return st.lists(st.integers(0, max_value), min_size=1, max_size=max_distinct).flatmap(
        lambda pool: st.lists(st.sampled_from(pool), min_size=min_n, max_size=max_n)
    )
