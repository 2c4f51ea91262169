"""cysolve.deadlock: the matrix algorithm, Banker's algorithm and batches."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cysolve import deadlock
from cysolve.deadlock import reference
from strategies import (
    banker_states,
    chain_system,
    chain_systems,
    hidden_order_systems,
    matrix_systems,
)

METHODS = ["kernel", "numpy", "reference"]
SETTINGS = settings(max_examples=60, deadline=None)
ANY_SYSTEM = matrix_systems() | chain_systems() | hidden_order_systems()

# Tanenbaum & Bos, MOS 4th ed., Fig. 6-7: E = (4 2 3 1), A = (2 1 0 0).
TANENBAUM_E = [4, 2, 3, 1]
TANENBAUM_A = [2, 1, 0, 0]
TANENBAUM_C = [[0, 0, 1, 0], [2, 0, 0, 1], [0, 1, 2, 0]]
TANENBAUM_R = [[2, 0, 0, 1], [1, 0, 1, 0], [2, 1, 0, 0]]


def replay(C, R, A, order):
    """Check that ``order`` is a valid finishing order; return A after it."""
    A = np.array(A, dtype=np.int64).copy()
    for p in np.asarray(order).tolist():
        assert (R[p] <= A).all(), f"process {p} does not fit in {A} at its turn"
        A += C[p]
    return A


def check_detection(C, R, A, result):
    n = C.shape[0]
    assert result.deadlocked.dtype == np.int64 and result.order.dtype == np.int64
    assert np.all(np.diff(result.deadlocked) > 0)
    assert sorted(result.order.tolist() + result.deadlocked.tolist()) == list(range(n))
    final = replay(C, R, A, result.order)
    np.testing.assert_array_equal(result.available, final)
    # Maximal: nobody left over fits in what is finally available.
    for row, p in enumerate(result.deadlocked.tolist()):
        assert not (R[p] <= final).all()
        np.testing.assert_array_equal(result.shortfall[row], np.maximum(R[p] - final, 0))
    assert bool(result) == bool(result.deadlocked.size)


# --- the textbook's examples ------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_tanenbaum_example(method):
    r = deadlock.detect(TANENBAUM_C, TANENBAUM_R, existing=TANENBAUM_E, method=method)
    assert not r
    assert r.deadlocked.tolist() == []
    assert r.order[0] == 2  # "process 3 can run" first: the only request that fits A
    assert r.available.tolist() == TANENBAUM_E
    same = deadlock.detect(TANENBAUM_C, TANENBAUM_R, available=TANENBAUM_A, method=method)
    assert same.order.tolist() == r.order.tolist()
    check_detection(np.array(TANENBAUM_C), np.array(TANENBAUM_R), np.array(TANENBAUM_A), r)


def test_tanenbaum_order_is_the_books():
    r = deadlock.detect(TANENBAUM_C, TANENBAUM_R, available=TANENBAUM_A)
    assert r.order.tolist() == [2, 1, 0]  # P3, then P2, then P1
    assert "no deadlock" in repr(r)


@pytest.mark.parametrize("method", METHODS)
def test_everybody_deadlocked(method):
    R = [row[:] for row in TANENBAUM_R]
    R[2] = [2, 1, 0, 1]  # P3 now also wants the tape drive P2 holds
    r = deadlock.detect(TANENBAUM_C, R, existing=TANENBAUM_E, method=method)
    assert r
    assert r.deadlocked.tolist() == [0, 1, 2]
    assert r.order.tolist() == []
    assert r.available.tolist() == TANENBAUM_A
    assert r.short_of(2) == {3: 1}
    assert r.short_of(0) == {3: 1}
    assert r.short_of(1) == {2: 1}
    text = repr(r)
    assert "3 deadlocked" in text and "process 2 is short of resource 3 by 1" in text


def test_repr_is_bounded():
    C, R, A, _ = chain_system(100, 3, broken=99)
    text = repr(deadlock.detect(C, R, available=A))
    assert "100 deadlocked" in text and "and 80 more" in text and "(100 in all)" in text
    assert len(text.splitlines()) == 22  # REPORT_LIMIT processes, the header, "and 80 more"


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("m", [1, 3])
def test_chain(method, m):
    n = 200 if method != "reference" else 40
    C, R, A, perm = chain_system(n, m, seed=1)
    r = deadlock.detect(C, R, available=A, method=method)
    assert not r
    # Each link needs the next one finished: the order is the chain, backwards.
    assert perm[r.order].tolist() == list(range(n - 1, -1, -1))


@pytest.mark.parametrize("method", METHODS)
def test_broken_chain(method):
    C, R, A, perm = chain_system(50, 2, broken=20, seed=2)
    r = deadlock.detect(C, R, available=A, method=method)
    assert sorted(perm[r.deadlocked].tolist()) == list(range(21))
    check_detection(C, R, A, r)


@pytest.mark.parametrize("method", METHODS)
def test_empty_systems(method):
    r = deadlock.detect(np.zeros((0, 3)), np.zeros((0, 3)), available=[1, 2, 3], method=method)
    assert r.deadlocked.size == 0 and r.order.size == 0 and r.available.tolist() == [1, 2, 3]
    assert r.shortfall.shape == (0, 3)
    r = deadlock.detect(np.zeros((4, 0)), np.zeros((4, 0)), available=[], method=method)
    assert r.deadlocked.size == 0 and sorted(r.order.tolist()) == [0, 1, 2, 3]
    assert r.available.shape == (0,)
    r = deadlock.detect(np.zeros((0, 0)), np.zeros((0, 0)), existing=[], method=method)
    assert not r and r.order.size == 0


def test_results_are_read_only():
    r = deadlock.detect(TANENBAUM_C, TANENBAUM_R, available=TANENBAUM_A)
    with pytest.raises(ValueError):
        r.order[0] = 1
    with pytest.raises(AttributeError):
        r.order = None


# --- properties -------------------------------------------------------------------------------


@SETTINGS
@given(ANY_SYSTEM)
def test_methods_agree(system):
    C, R, A = system
    expected, _, final = reference.detect(C.tolist(), R.tolist(), A.tolist())
    for method in METHODS:
        r = deadlock.detect(C, R, available=A, method=method)
        assert r.deadlocked.tolist() == expected, method
        assert r.available.tolist() == final, method
        check_detection(C, R, A, r)


@SETTINGS
@given(ANY_SYSTEM)
def test_existing_is_available_plus_held(system):
    C, R, A = system
    E = A + C.sum(axis=0)
    a = deadlock.detect(C, R, available=A)
    b = deadlock.detect(C, R, existing=E)
    c = deadlock.detect(C, R, available=A, existing=E)
    assert a.deadlocked.tolist() == b.deadlocked.tolist() == c.deadlocked.tolist()
    assert a.order.tolist() == b.order.tolist() == c.order.tolist()


@settings(max_examples=40, deadline=None)
@given(
    st.integers(0, 12),
    st.integers(0, 6),
    st.integers(0, 20),
    st.integers(0, 2**32 - 1),
    st.sampled_from([1, 2, -1, None]),
)
def test_batch_equals_single_calls(n, m, k, seed, threads):
    rng = np.random.default_rng(seed)
    C = rng.integers(0, 3, size=(k, n, m))
    R = rng.integers(0, 4, size=(k, n, m))
    A = rng.integers(0, 3, size=(k, m))
    got = deadlock.detect_batch(C, R, A, num_threads=threads)
    assert got.shape == (k, n) and got.dtype == np.bool_
    for s in range(k):
        expected = np.zeros(n, dtype=bool)
        expected[deadlock.detect(C[s], R[s], available=A[s]).deadlocked] = True
        np.testing.assert_array_equal(got[s], expected)


@pytest.mark.parametrize("threads", [1, 2])
def test_batch_of_chains(threads):
    systems = [chain_system(30, 3, broken=b, seed=b) for b in [None, 0, 10, 29] * 5]
    C = np.stack([s[0] for s in systems])
    R = np.stack([s[1] for s in systems])
    A = np.stack([s[2] for s in systems])
    got = deadlock.detect_batch(C, R, A, num_threads=threads)
    for s, (c, r, a, _) in enumerate(systems):
        np.testing.assert_array_equal(
            np.flatnonzero(got[s]), deadlock.detect(c, r, available=a).deadlocked
        )


@pytest.mark.parametrize("threads", [1, 2])
def test_batch_of_long_chains_grows_the_heaps(threads):
    # More than 256 processes queue on one resource type: the per-thread heaps must grow.
    systems = [chain_system(700, 2, broken=b, seed=b or 0) for b in [None, 350, None, 5]]
    C, R, A = (np.stack([s[i] for s in systems]) for i in range(3))
    got = deadlock.detect_batch(C, R, A, num_threads=threads)
    for s, (c, r, a, _) in enumerate(systems):
        expected = deadlock.detect(c, r, available=a, method="numpy").deadlocked
        np.testing.assert_array_equal(np.flatnonzero(got[s]), expected)


def test_batch_empty_shapes():
    assert deadlock.detect_batch(
        np.zeros((0, 3, 2)), np.zeros((0, 3, 2)), np.zeros((0, 2))
    ).shape == (0, 3)
    assert not deadlock.detect_batch(
        np.zeros((2, 3, 0)), np.zeros((2, 3, 0)), np.zeros((2, 0))
    ).any()
    assert deadlock.detect_batch(
        np.zeros((2, 0, 4)), np.zeros((2, 0, 4)), np.zeros((2, 4))
    ).shape == (2, 0)


@SETTINGS
@given(banker_states())
def test_is_safe_matches_reference(state):
    A, C, M = state
    s = deadlock.is_safe(A, C, M)
    safe, _ = reference.is_safe(A.tolist(), C.tolist(), M.tolist())
    assert s.safe == safe == bool(s)
    need = M - C
    replay(C, need, A, s.sequence)
    assert sorted(s.sequence.tolist() + s.stuck.tolist()) == list(range(C.shape[0]))
    assert (s.stuck.size == 0) == s.safe


@SETTINGS
@given(banker_states(), st.data())
def test_request_ok_is_grant_then_check(state, data):
    A, C, M = state
    n, m = C.shape
    if n == 0:
        return
    p = data.draw(st.integers(0, n - 1))
    need = M - C
    req = np.array([data.draw(st.integers(0, int(v))) for v in need[p]], dtype=np.int64)
    got = deadlock.request_ok(A, C, M, p, req)
    if (req > A).any():
        expected = False
    else:
        C2 = C.copy()
        C2[p] += req
        expected = deadlock.is_safe(A - req, C2, M).safe
    assert got == expected
    assert got == reference.request_ok(A.tolist(), C.tolist(), M.tolist(), p, req.tolist())


# --- inputs: any integer form accepted, never modified ----------------------------------------


def _variants(arr):
    """The same values as lists, other dtypes, big-endian, strided and read-only arrays."""
    arr = np.asarray(arr)
    yield arr.tolist()
    yield arr.astype(np.int8)
    yield arr.astype(np.uint16)
    yield arr.astype(">i8")
    yield arr.astype(np.float64)
    wide = np.zeros(arr.shape[:-1] + (2 * arr.shape[-1],), dtype=np.int32)
    wide[..., ::2] = arr
    yield wide[..., ::2]  # strided view
    fortran = np.asfortranarray(arr)
    yield fortran
    frozen = arr.copy()
    frozen.setflags(write=False)
    yield frozen


def test_input_forms_give_the_same_answer_and_are_not_modified():
    C, R, A = (np.array(x) for x in (TANENBAUM_C, TANENBAUM_R, TANENBAUM_A))
    expected = deadlock.detect(C, R, available=A).order.tolist()
    for c, r, a in zip(_variants(C), _variants(R), _variants(A), strict=True):
        before = [np.array(x, copy=True) for x in (c, r, a)]
        assert deadlock.detect(c, r, available=a).order.tolist() == expected
        assert deadlock.detect(c, r, available=a, method="numpy").deadlocked.size == 0
        for x, old in zip((c, r, a), before, strict=True):
            np.testing.assert_array_equal(np.asarray(x), old)


@pytest.mark.parametrize("method", METHODS)
def test_results_never_alias_native_int64_inputs(method):
    C, R, A, _ = chain_system(40, 3, broken=5, seed=3)
    copies = [x.copy() for x in (C, R, A)]
    r = deadlock.detect(C, R, available=A, method=method)
    for x, old in zip((C, R, A), copies, strict=True):
        np.testing.assert_array_equal(x, old)
        for field in (r.deadlocked, r.order, r.available, r.shortfall):
            assert not np.shares_memory(x, field)
    A0, C0, M0 = np.array([3]), np.array([[3], [2], [2]]), np.array([[9], [4], [7]])
    assert deadlock.request_ok(A0, C0, M0, 1, np.array([1]))
    assert A0.tolist() == [3] and C0.tolist() == [[3], [2], [2]] and M0.tolist() == [[9], [4], [7]]


def test_banker_and_batch_do_not_modify_inputs():
    A = np.array([3, 1])
    C = np.array([[1, 0], [2, 1]])
    M = np.array([[4, 1], [3, 1]])
    copies = [x.copy() for x in (A, C, M)]
    for a, c, mx in zip(_variants(A), _variants(C), _variants(M), strict=True):
        assert deadlock.is_safe(a, c, mx).safe
        deadlock.request_ok(a, c, mx, 0, [1, 0])
        deadlock.request_ok(a, c, mx, 1, [1, 0])
    for x, old in zip((A, C, M), copies, strict=True):
        np.testing.assert_array_equal(x, old)
    Cb = np.stack([C, C])
    Rb = np.stack([M - C, M + 1])
    Ab = np.stack([A, A])
    before = [x.copy() for x in (Cb, Rb, Ab)]
    for cb, rb, ab in zip(_variants(Cb), _variants(Rb), _variants(Ab), strict=True):
        assert deadlock.detect_batch(cb, rb, ab, num_threads=2).tolist() == [
            [False, False],
            [True, True],
        ]
    for x, old in zip((Cb, Rb, Ab), before, strict=True):
        np.testing.assert_array_equal(x, old)


# --- bad input --------------------------------------------------------------------------------

C2 = [[1, 0], [0, 1]]
R2 = [[0, 1], [0, 0]]
BIG = np.iinfo(np.int64).max


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            dict(allocation=[[1, -1], [0, 1]]),
            ValueError,
            r"allocation\[0, 1\] = -1: .*non-negative",
        ),
        (dict(request=[[0, 1], [0, -2]]), ValueError, r"request\[1, 1\] = -2"),
        (dict(request=[[0, 1.5], [0, 0]]), ValueError, r"request\[0, 1\] = 1.5: .*integers"),
        (dict(request=[[0, float("nan")], [0, 0]]), ValueError, r"request\[0, 1\] = nan"),
        (dict(allocation=[[1, "x"], [0, 1]]), TypeError, r"allocation\[0, 1\] = 'x': .*not str"),
        (dict(allocation=np.array([[1, None], [0, 1]])), TypeError, r"allocation\[0, 1\] = None"),
        (
            dict(allocation=[[True, False], [False, True]]),
            TypeError,
            r"allocation\[0, 0\] = True: values must be integers, not booleans",
        ),
        (dict(allocation=[[1, 0], [0]]), ValueError, r"allocation is ragged"),
        (dict(request=[[0, 1]]), ValueError, r"request has shape \(1, 2\) but allocation"),
        (dict(allocation=[1, 0]), ValueError, r"allocation must be 2-dimensional"),
        (dict(available=[0, 0, 0]), ValueError, r"available has shape \(3,\).*\(2,\)"),
        (dict(available=[0, -1]), ValueError, r"available\[1\] = -1"),
        (dict(available=None), TypeError, r"available= .* or existing="),
        (
            dict(existing=[1, 0], available=None),
            ValueError,
            r"resource 1: allocation\[:, 1\] sums to 1, more than existing\[1\] = 0",
        ),
        (dict(existing=[2, 1]), ValueError, r"resource 0: available\[0\] = 0 but existing\[0\]"),
        (
            dict(available=[BIG, 0]),
            OverflowError,
            r"resource 0: available\[0\] = .* must fit in int64",
        ),
        (dict(allocation=[[BIG, 0], [BIG, 1]], available=[0, 0]), OverflowError, r"resource 0: "),
        (dict(request=[[0, 2**64], [0, 0]]), OverflowError, r"request\[0, 1\] = .*int64"),
        (dict(method="fast"), ValueError, r"method = 'fast': must be one of"),
    ],
)
def test_detect_bad_input(kwargs, error, match):
    args = dict(allocation=C2, request=R2, available=[0, 0])
    args.update(kwargs)
    with pytest.raises(error, match=match):
        deadlock.detect(**args)


def test_existing_overflow_cannot_happen_but_huge_counts_work():
    big = BIG // 2
    r = deadlock.detect([[big, 0], [big, 0]], [[0, 0], [big, 0]], existing=[2 * big, 0])
    assert not r and r.available.tolist() == [2 * big, 0]


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        (([[[0]]], [[[0]]], [[0]]), dict(num_threads=0), ValueError, r"num_threads = 0"),
        (([[[0]]], [[[0]]], [[0]]), dict(num_threads=1.5), TypeError, r"num_threads must be"),
        (([[0]], [[0]], [0]), {}, ValueError, r"allocation must be 3-dimensional"),
        (([[[0]]], [[[0]], [[0]]], [[0]]), {}, ValueError, r"request has shape \(2, 1, 1\)"),
        (([[[0]]], [[[0]]], [[0], [0]]), {}, ValueError, r"available has shape \(2, 1\)"),
        (
            ([[[1]], [[BIG]]], [[[0]], [[0]]], [[0], [1]]),
            {},
            OverflowError,
            r"system 1, resource 0",
        ),
        (([[[0]]], [[[-3]]], [[0]]), {}, ValueError, r"request\[0, 0, 0\] = -3"),
    ],
)
def test_batch_bad_input(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        deadlock.detect_batch(*args, **kwargs)


A3 = [3]
C3 = [[3], [2], [2]]
M3 = [[9], [4], [7]]


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: deadlock.is_safe(A3, [[10], [2], [2]], M3),
            ValueError,
            r"process 0, resource 0: allocation\[0, 0\] = 10 exceeds max_claim\[0, 0\] = 9",
        ),
        (lambda: deadlock.is_safe(A3, C3, [[9], [4]]), ValueError, r"max_claim has shape"),
        (lambda: deadlock.is_safe([-1], C3, M3), ValueError, r"available\[0\] = -1"),
        (lambda: deadlock.is_safe([BIG], C3, M3), OverflowError, r"must fit in int64"),
        (
            lambda: deadlock.request_ok(A3, C3, M3, 3, [1]),
            ValueError,
            r"process = 3: must be a process index in range\(3\)",
        ),
        (lambda: deadlock.request_ok(A3, C3, M3, -1, [1]), ValueError, r"process = -1"),
        (
            lambda: deadlock.request_ok(A3, C3, M3, 1.0, [1]),
            TypeError,
            r"process must be an integer",
        ),
        (
            lambda: deadlock.request_ok(A3, C3, M3, True, [1]),
            TypeError,
            r"process must be an integer",
        ),
        (
            lambda: deadlock.request_ok(A3, C3, M3, 1, [3]),
            ValueError,
            r"process 1, resource 0: request\[0\] = 3 exceeds its remaining need .* = 2",
        ),
        (
            lambda: deadlock.request_ok(A3, C3, M3, 1, [1, 0]),
            ValueError,
            r"request has shape \(2,\)",
        ),
        (lambda: deadlock.request_ok(A3, C3, M3, 1, [-1]), ValueError, r"request\[0\] = -1"),
    ],
)
def test_banker_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_banker_textbook():
    # MOS Fig. 6-9 / 6-10 (one resource type, 10 units): safe; granting A one more is not.
    s = deadlock.is_safe(A3, C3, M3)
    assert s and s.sequence.tolist() == [1, 2, 0] and s.stuck.size == 0
    assert deadlock.request_ok(A3, C3, M3, 1, [1])
    assert not deadlock.request_ok(A3, C3, M3, 0, [1])
    assert not deadlock.is_safe([2], [[4], [2], [2]], M3)
    # Above what is free: must wait, even if it would be safe later.
    assert not deadlock.request_ok([1], [[0], [0]], [[2], [2]], 0, [2])
    unsafe = deadlock.is_safe([2], [[4], [2], [2]], M3)
    assert unsafe.stuck.tolist() == [0, 2] and "unsafe" in repr(unsafe)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 300), st.integers(1, 8), st.integers(0, 2**32 - 1), st.integers(1, 6))
def test_kernel_equals_numpy_on_larger_systems(n, m, seed, spread):
    # Mixed systems: a drainable hidden-order part plus random noise rows, so runs go through
    # the sweeps, then the watch heaps, and stop with some processes deadlocked.
    rng = np.random.default_rng(seed)
    C = rng.integers(0, 3, size=(n, m))
    A = rng.integers(0, 3, size=m)
    R = np.zeros((n, m), dtype=np.int64)
    free = A.copy()
    for p in rng.permutation(n):
        R[p] = rng.integers(0, free + 1)
        free += C[p]
    noisy = rng.random(n) < spread / 100
    R[noisy] += rng.integers(0, 3 * spread, size=(int(noisy.sum()), m))
    kernel = deadlock.detect(C, R, available=A)
    numpy = deadlock.detect(C, R, available=A, method="numpy")
    assert kernel.deadlocked.tolist() == numpy.deadlocked.tolist()
    check_detection(C, R, A, kernel)


# --- issue 11: zero processes as lists, value equality, clear refusals ------------------------


def test_zero_processes_as_empty_lists():
    found = deadlock.detect([], [], available=[1, 2])
    assert not found and found.available.tolist() == [1, 2] and found.order.size == 0
    assert deadlock.detect([], [], existing=[3]).available.tolist() == [3]
    assert deadlock.is_safe([1, 2], [], []).safe
    flags = deadlock.detect_batch([[], []], [[], []], [[1, 2], [3, 4]])
    assert flags.shape == (2, 0)
    with pytest.raises(ValueError, match=r"request has shape \(1, 1\) but allocation has"):
        deadlock.detect([], [[1]], available=[1])  # the other matrix still has to agree


def test_results_compare_by_value():
    a = deadlock.detect([[1, 0]], [[0, 2]], available=[0, 1])
    b = deadlock.detect(np.array([[1, 0]], dtype=np.int8), [[0, 2]], available=[0, 1])
    assert a == b and not a != b
    assert a != deadlock.detect([[1, 0]], [[0, 0]], available=[0, 1])
    s1, s2 = deadlock.is_safe([3], [[3], [2], [2]], [[9], [4], [7]]), deadlock.is_safe(
        [3], [[3], [2], [2]], [[9], [4], [7]])
    assert s1 == s2 and s1 != deadlock.is_safe([2], [[4], [2], [2]], [[9], [4], [7]])
    with pytest.raises(TypeError):
        hash(a)


@pytest.mark.parametrize("process", ["0", None, 1.0, True])
def test_short_of_takes_a_process_index(process):
    found = deadlock.detect([[1]], [[2]], available=[0])
    with pytest.raises(TypeError, match="process must be an integer process index"):
        found.short_of(process)
    assert found.short_of(0) == {0: 2}


def test_reports_share_one_size_limit():
    C, R, A, _ = chain_system(100, 3, broken=99)
    found = deadlock.detect(C, R, available=A)
    text = found.report()
    assert f"... ({found.deadlocked.size} in all)" in text
    assert f"and {found.deadlocked.size - deadlock.REPORT_LIMIT} more" in text
    assert "in all" not in found.report(limit=None)
    assert len(found.report(limit=None).splitlines()) == found.deadlocked.size + 2


@pytest.mark.parametrize("call", [
    lambda C, R: deadlock.detect(C, R, available=[0]),
    lambda C, R: deadlock.is_safe([0], C, R),
    lambda C, R: deadlock.detect_batch(C[None], R[None], [[0]]),
])
def test_more_resource_types_than_the_kernels_index_is_refused(call):
    # A zero-stride view: 2**32 columns without the 32 GiB; refused before any copy.
    wide = np.broadcast_to(np.int64(0), (1, 2**32))
    with pytest.raises(ValueError, match=r"4,294,967,296 resource types .*at most 2\*\*32 - 1"):
        call(wide, wide)
