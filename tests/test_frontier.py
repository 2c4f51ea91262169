"""cysolve.xscore._frontier: the layer-frontier kernel against brute force, the dominance DP
and the plain-Python frontier; orders, batches, wide values and the memory limit."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cysolve import xscore
from cysolve.xscore import _frontier, reference
from strategies import xscore_multisets, xscore_values

ROOMY = 1 << 30
WIDE = st.sampled_from([1 << 13, 10**6, 10**9, 1 << 40, 2**63 - 1])


def solve(a, *, with_order=False, max_bytes=ROOMY, bucket_from=None):
    """``(score, steps)`` from the kernel: steps are the values in an optimal order (None
    without ``with_order``)."""
    arr = np.asarray(a, dtype=np.int64).reshape(-1)
    extra = () if bucket_from is None else (bucket_from,)
    h, r, b, steps, needed = _frontier.best(arr, max_bytes, with_order, *extra)
    assert needed is None, f"refused: needs {needed} bytes"
    return (int(h) << int(b)) + int(r), steps


def assert_steps_reach(a, score, steps):
    """``steps`` uses each value of ``a`` once and replays to ``score``."""
    steps = np.asarray(steps)
    assert steps.dtype == np.int64
    assert sorted(steps.tolist()) == sorted(np.asarray(a, dtype=np.int64).tolist())
    x = 0
    for v in steps.tolist():
        x += x ^ v
    assert x == score


# --- the definition ----------------------------------------------------------------------------

@pytest.mark.parametrize(("a", "expected"), reference.TOPCODER_EXAMPLES)
def test_topcoder_examples(a, expected):
    score, order = solve(a, with_order=True)
    assert score == expected == reference.best_score_frontier(a)
    assert_steps_reach(a, score, order)


@pytest.mark.parametrize(
    ("a", "expected"),
    [([], 0), ([0], 0), ([5], 5), ([3, 3], 3), ([1, 2], 5), ([64], 64), ([1000, 0], 2000),
     ([2**63 - 1], 2**63 - 1), ([2**63 - 1, 0], 2**64 - 2)],
)
def test_small_cases(a, expected):
    score, order = solve(a, with_order=True)
    assert score == expected == reference.best_score_frontier(a)
    assert_steps_reach(a, score, order)


@settings(max_examples=200, deadline=None)
@given(a=xscore_values(max_n=7, max_value=70))
def test_reference_frontier_equals_bruteforce(a):
    assert reference.best_score_frontier(a) == reference.best_score_bruteforce(a)


@settings(max_examples=200, deadline=None)
@given(a=xscore_values(max_n=8, max_value=70))
def test_equals_bruteforce(a):
    score, order = solve(a, with_order=True)
    assert score == reference.best_score_bruteforce(a)
    assert_steps_reach(a, score, order)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_wide_values_equal_bruteforce(data):
    a = data.draw(xscore_values(max_n=7, max_value=data.draw(WIDE)))
    score, order = solve(a, with_order=True)
    assert score == reference.best_score_bruteforce(a)
    assert_steps_reach(a, score, order)


# --- against the dominance DP and the plain-Python frontier ----------------------------------

@pytest.mark.parametrize(
    ("max_n", "max_value"),
    [(16, 63), (12, 4095)],  # one-word residue sets (b <= 6); up to 64 words (6 < b <= 12)
)
@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_equals_dominance(max_n, max_value, data):
    a = data.draw(xscore_values(max_n=max_n, max_value=max_value))
    score, steps = solve(a, with_order=True)
    assert score == xscore.best_score(a, method="dominance")
    assert_steps_reach(a, score, steps)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_wide_values_equal_reference_frontier(data):
    # Wide values (b > 12): sorted residue lists.
    a = data.draw(xscore_values(max_n=11, max_value=data.draw(WIDE), min_n=8))
    score, order = solve(a, with_order=True)
    assert score == reference.best_score_frontier(a)
    assert_steps_reach(a, score, order)


@settings(max_examples=60, deadline=None)
@given(a=xscore_values(max_n=13, max_value=300))
def test_equals_reference_frontier(a):
    assert solve(a)[0] == reference.best_score_frontier(a)


@settings(max_examples=60, deadline=None)
@given(a=xscore_multisets(max_n=40, max_value=100, min_n=10))
def test_repeated_values(a):
    # Few distinct values, many copies: the multiset key packs counts up to 40 in a field.
    score, order = solve(a, with_order=True)
    assert score == reference.best_score_frontier(a)
    assert score == xscore.best_score(a, method="dominance")
    assert_steps_reach(a, score, order)


@pytest.mark.parametrize(
    "a", [[1 << (i % 7) for i in range(63)], [0] * 31 + [1] * 31 + [127], [5] * 63]
)
def test_sixty_three_values(a):
    # The longest instances: h < 2**63; scores beyond int64 come back exact.
    score, order = solve(a, with_order=True)
    assert_steps_reach(a, score, order)
    assert score == reference.best_score_frontier(a)


@settings(max_examples=40, deadline=None)
@given(a=xscore_values(max_n=16, max_value=63), order=st.booleans())
def test_bucket_merge_equals_hash_merge(a, order):
    # Merging every layer in buckets gives the same answer (and a valid order).
    score, path = solve(a, with_order=order, bucket_from=0)
    assert score == solve(a)[0]
    if order:
        assert_steps_reach(a, score, path)


@pytest.mark.parametrize("n", [20, 24, 28])
def test_large_instances_both_merges(n):
    a = np.random.default_rng(n).integers(0, 51, size=n).tolist()
    score, order = solve(a, with_order=True)
    assert score == solve(a, bucket_from=0)[0] == solve(a, bucket_from=1 << 40)[0]
    assert_steps_reach(a, score, order)
    if n <= 20:
        assert score == xscore.best_score(a, method="dominance")


def test_orders_are_deterministic():
    a = np.random.default_rng(1).integers(0, 64, size=14).tolist()
    first = solve(a, with_order=True)[1]
    assert np.array_equal(first, solve(a, with_order=True)[1])


def test_inputs_are_not_modified():
    a = np.array([3, 1, 4, 1, 5, 9, 2, 6], dtype=np.int64)
    a.setflags(write=False)
    solve(a, with_order=True)
    assert a.tolist() == [3, 1, 4, 1, 5, 9, 2, 6]


# --- batches ----------------------------------------------------------------------------------

def batch_arrays(batch):
    values = np.array([v for a in batch for v in a], dtype=np.int64)
    offsets = np.zeros(len(batch) + 1, dtype=np.int64)
    np.cumsum([len(a) for a in batch], out=offsets[1:])
    return values, offsets


def run_batch(batch, max_bytes=ROOMY, threads=1):
    values, offsets = batch_arrays(batch)
    k = len(batch)
    h, r, b, need = (np.full(k, -7, dtype=np.int64) for _ in range(4))
    _frontier.best_batch(values, offsets, h, r, b, need, max_bytes, threads)
    return h, r, b, need


@settings(max_examples=40, deadline=None)
@given(
    batch=st.lists(xscore_values(max_n=10, max_value=5000), max_size=12),
    threads=st.sampled_from([1, 2, 4]),
)
def test_batch_equals_single_calls(batch, threads):
    h, r, b, need = run_batch(batch, threads=threads)
    got = [(int(x) << int(y)) + int(z) for x, y, z in zip(h, b, r, strict=True)]
    assert got == [solve(a)[0] for a in batch]
    assert (need == 0).all()


def test_batch_with_wide_values():
    rng = np.random.default_rng(4)
    batch = [rng.integers(0, 10**9, size=int(rng.integers(0, 9))).tolist() for _ in range(50)]
    h, r, b, _ = run_batch(batch, threads=2)
    got = [(int(x) << int(y)) + int(z) for x, y, z in zip(h, b, r, strict=True)]
    assert got == [xscore.best_score(a, method="dominance") for a in batch]


# --- the memory limit ----------------------------------------------------------------------

def test_refuses_growth_past_the_limit():
    a = np.arange(20, dtype=np.int64)
    h, r, b, order, needed = _frontier.best(a, 10_000, False)
    assert (h, r, b, order) == (None, None, 5, None)
    assert needed > 10_000
    # With room for what it asked for, the same solve gets further or finishes.
    again = _frontier.best(a, needed, False)[4]
    assert again is None or again > needed
    assert _frontier.best(a, ROOMY, False)[4] is None


@pytest.mark.parametrize("a", [list(range(16)), [10**9 + i for i in range(12)]])
def test_refusal_with_orders_and_wide_values(a):
    arr = np.array(a, dtype=np.int64)
    needed = _frontier.best(arr, 5_000, True)[4]
    assert needed > 5_000


@pytest.mark.parametrize("a", [[1, 2, 3], [5], [3, 3, 1, 0], [0]])
def test_tiny_instance_within_a_tiny_limit(a):
    # Buffers start at what the instance needs (a few hundred bytes here), not at a fixed
    # minimum: a limit of 1 KiB refused every instance when each buffer took 4 KiB.
    score, steps = solve(a, with_order=True, max_bytes=1024)
    assert score == reference.best_score_bruteforce(a)
    assert_steps_reach(a, score, steps)
    assert xscore.best_score(a, max_memory=1024) == score
    assert xscore.best_order(a, max_memory=1024)[0] == score
    assert xscore.best_scores([a] * 3, max_memory=1024, num_threads=1).tolist() == [score] * 3


def test_batch_marks_rows_over_the_limit():
    small, big = [1, 2, 3], list(range(20))
    h, r, b, need = run_batch([small, big, small], max_bytes=50_000)
    assert b.tolist()[0] == b.tolist()[2] == 2
    assert b[1] == -1 and need[1] > 50_000
    assert (int(h[0]) << 2) + int(r[0]) == 12 == (int(h[2]) << 2) + int(r[2])


@settings(max_examples=30, deadline=None)
@given(batch=st.lists(xscore_values(max_n=10, max_value=5000), max_size=10))
def test_batch_steps_replay_to_the_scores(batch):
    values, offsets = batch_arrays(batch)
    k = len(batch)
    h, r, b, need = (np.empty(k, dtype=np.int64) for _ in range(4))
    steps = np.full(values.size, -1, dtype=np.int64)
    _frontier.best_batch(values, offsets, h, r, b, need, ROOMY, 2, steps)
    for i, a in enumerate(batch):
        score = (int(h[i]) << int(b[i])) + int(r[i])
        assert score == solve(a)[0]
        assert_steps_reach(a, score, steps[offsets[i] : offsets[i + 1]])
