"""The stateful Banker against Banker's algorithm from scratch (``deadlock.reference``) after
every call of random streams of requests, releases, finishes and new processes."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cysolve import deadlock
from cysolve.deadlock import Banker, reference
from strategies import banker_states

PROPERTY = settings(max_examples=150, deadline=None)


def vector(draw, m, hi):
    return draw(st.lists(st.integers(0, hi), min_size=m, max_size=m))


@st.composite
def banker_streams(draw):
    A, C, M = draw(banker_states(max_n=6, max_m=3, max_value=4))
    n, m = C.shape
    events = []
    for _ in range(draw(st.integers(0, 25))):
        kind = draw(st.sampled_from(["request", "request", "request", "release", "finish",
                                     "add"]))
        events.append((kind, draw(st.integers(0, 7)), vector(draw, m, 3)))
    return A, C, M, events


def check(b):
    A, C, M = b.available, b.allocation, b.max_claim
    want = reference.is_safe(A.tolist(), C.tolist(), M.tolist())
    want_safe = want[0] if isinstance(want, tuple) else bool(want)
    got = b.is_safe()
    assert got.safe == want_safe == deadlock.is_safe(A, C, M).safe
    seq = b.safe_sequence()
    if want_safe:  # the sequence really lets every unfinished process finish
        work = A.copy()
        live = [i for i in range(b.n) if not b.finished[i]]
        assert sorted(seq) == live
        for p in seq:
            assert (M[p] - C[p] <= work).all()
            work += C[p]
    else:
        assert seq is None


@PROPERTY
@given(banker_streams())
def test_streams_against_the_algorithm_from_scratch(stream):
    A, C, M, events = stream
    b = Banker(M, C, available=A)
    check(b)
    for kind, i, v in events:
        before = (b.available.copy(), b.allocation.copy(), b.need.copy())
        live = i < b.n and not b.finished[i]
        if kind == "request":
            if not live or (np.array(v) > b.need[i]).any():
                with pytest.raises(ValueError):
                    b.request(i, v)
                granted = False
            else:
                expected = deadlock.request_ok(*[x.copy() for x in (b.available, b.allocation,
                                                                    b.max_claim)], i, v)
                was_safe = b.safe_sequence() is not None
                granted = b.request(i, v)
                if was_safe or not granted:
                    assert granted == expected
                if granted:
                    assert b.safe_sequence() is not None
        elif kind == "release":
            if not live or (np.array(v) > b.allocation[i]).any():
                with pytest.raises(ValueError):
                    b.release(i, v)
            else:
                b.release(i, v)
        elif kind == "finish":
            if not live:
                with pytest.raises(ValueError):
                    b.finish(i)
            else:
                b.finish(i)
        else:
            existing = b.available + b.allocation.sum(axis=0)
            if (np.array(v) > existing).any():
                with pytest.raises(ValueError, match="exceeds"):
                    b.add_process(v)
            else:
                assert b.add_process(v) == b.n - 1
        if kind != "add" and not (kind == "request" and granted):
            changed = [not np.array_equal(x, y) for x, y in
                       zip(before, (b.available, b.allocation, b.need), strict=True)]
            if kind == "request":
                assert not any(changed)
        check(b)


def test_tanenbaum_figures():
    b = Banker([[9], [4], [7]], allocation=[[3], [2], [2]], available=[3])
    assert b.safe_sequence() == [1, 2, 0]
    assert b.request(0, [1]) is False and b.available.tolist() == [3]
    assert b.request(1, [2]) is True and b.need.tolist() == [[6], [0], [5]]
    b.finish(1)
    assert b.available.tolist() == [5] and b.safe_sequence() == [2, 0]
    assert b.add_process([10]) == 3 and b.need.tolist()[3] == [10]


def test_errors_change_nothing():
    b = Banker([[2, 2], [1, 1]], existing=[3, 3])
    with pytest.raises(ValueError, match="exceeds its remaining need"):
        b.request(1, [2, 0])
    with pytest.raises(ValueError, match="non-negative|negative"):
        b.request(0, [-1, 0])
    with pytest.raises(ValueError, match="range"):
        b.request(5, [0, 0])
    with pytest.raises(TypeError, match="integer"):
        b.request("0", [0, 0])
    with pytest.raises(ValueError, match="shape"):
        b.request(0, [1])
    with pytest.raises(ValueError, match="exceeds its allocation"):
        b.release(0, [1, 0])
    with pytest.raises(ValueError, match="could never finish"):
        b.add_process([4, 0])
    with pytest.raises(TypeError, match="available= or existing="):
        Banker([[1]])
    with pytest.raises(ValueError, match="must agree"):
        Banker([[1]], available=[1], existing=[2])
    with pytest.raises(ValueError, match="more than existing"):
        Banker([[2]], allocation=[[2]], existing=[1])
    assert b.available.tolist() == [3, 3] and b.allocation.tolist() == [[0, 0], [0, 0]]
    b.finish(0)
    with pytest.raises(ValueError, match="finished"):
        b.request(0, [0, 0])
    with pytest.raises(ValueError, match="read-only"):
        b.available[0] = 7
    assert "2 processes" in repr(b)


def test_numpy_requests_and_unsafe_start():
    b = Banker(np.array([[2], [2]]), allocation=[[1], [1]], available=[0])
    assert b.safe_sequence() is None and not b.is_safe()
    assert b.request(np.int64(0), np.array([0])) is False  # the state after it is unsafe
    b.release(1, [1])
    assert b.safe_sequence() == [0, 1]
