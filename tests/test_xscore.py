"""cysolve.xscore: kernels against the references, the TopCoder examples, and bad input."""

import re
from contextlib import contextmanager

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cysolve import xscore
from cysolve.errors import InstanceError
from cysolve.xscore import _kernel, reference
from strategies import xscore_batches, xscore_values

METHODS = ["frontier", "dominance", "residue"]

TOPCODER = reference.TOPCODER_EXAMPLES


# --- hand-checked answers ------------------------------------------------------------------

@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(("a", "expected"), TOPCODER)
def test_topcoder_examples(a, expected, method):
    assert xscore.best_score(a, method=method) == expected
    score, order = xscore.best_order(a, method=method)
    assert score == expected
    assert sorted(order) == list(range(len(a)))
    assert xscore.play(a, order) == expected


@pytest.mark.parametrize(("a", "expected"), TOPCODER[:4])
def test_references_on_topcoder_examples(a, expected):
    assert reference.best_score_bruteforce(a) == expected
    assert reference.best_score_dp(a) == expected


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    ("a", "expected"),
    [
        ([], 0),  # nothing to apply
        ([0], 0),  # 0 + (0 ^ 0)
        ([5], 5),  # 0 + (0 ^ 5)
        ([3, 3], 3),  # 0 -> 3 -> 3 + (3 ^ 3) = 3
        ([1, 2], 5),  # 2 first: 0 -> 2 -> 2 + (2 ^ 1) = 5; 1 first ends on 4
        ([64], 64),  # b = 7: a value above 63
        ([1000, 0], 2000),  # 0 -> 1000 -> 1000 + (1000 ^ 0); 0 first ends on 1000
    ],
)
def test_small_cases(a, expected, method):
    assert xscore.best_score(a, method=method) == expected
    assert reference.best_score_bruteforce(a) == expected


def test_play_is_the_definition():
    # order (1, 0, 2) applies 2, 1, 3: 0 -> 2 -> 2 + (2 ^ 1) = 5 -> 5 + (5 ^ 3) = 11
    assert xscore.play([1, 2, 3], [1, 0, 2]) == 11
    # the optimum's order (2, 0, 1) applies 3, 1, 2: 0 -> 3 -> 3 + 2 = 5 -> 5 + (5 ^ 2) = 12
    assert xscore.play([1, 2, 3], [2, 0, 1]) == 12
    assert xscore.play([], []) == 0


# --- against the references ----------------------------------------------------------------

@settings(max_examples=150, deadline=None)
@given(a=xscore_values(max_n=7, max_value=70), method=st.sampled_from(METHODS))
def test_equals_bruteforce(a, method):
    assert xscore.best_score(a, method=method) == reference.best_score_bruteforce(a)


@settings(max_examples=60, deadline=None)
@given(a=xscore_values(max_n=11, max_value=300), method=st.sampled_from(METHODS))
def test_equals_reference_dp(a, method):
    # Values above 63 exercise residue sets wider than one 64-bit word.
    assert xscore.best_score(a, method=method) == reference.best_score_dp(a)


# --- wide values: sparse residue lists ----------------------------------------------------

WIDE = st.sampled_from([1 << 13, 10**6, 10**9, 1 << 40, 2**63 - 1])


# The shipped starting room, and room for one residue (nearly every DP has to regrow).
ROOMS = pytest.mark.parametrize("room", [64, 1], ids=["room-64", "room-1"])


@contextmanager
def start_room(room):
    """Sparse residue sets start with ``room`` residues inside the block."""
    previous = _kernel.set_start_room(room)
    try:
        yield
    finally:
        _kernel.set_start_room(previous)


@ROOMS
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_wide_values_equal_bruteforce(room, data):
    a = data.draw(xscore_values(max_n=7, max_value=data.draw(WIDE)))
    expected = reference.best_score_bruteforce(a)
    with start_room(room):  # the dominance DP's sparse lists (the frontier has no room)
        assert xscore.best_score(a, method="dominance") == expected
        score, order = xscore.best_order(a, method="dominance")
    assert score == expected == xscore.play(a, order)


@ROOMS
@settings(max_examples=12, deadline=None)
@given(data=st.data())
def test_wide_values_equal_reference_dp(room, data):
    a = data.draw(xscore_values(max_n=9, max_value=data.draw(WIDE), min_n=8))
    with start_room(room):
        assert xscore.best_score(a, method="dominance") == reference.best_score_dp(a)


@ROOMS
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_wide_values_in_batches(room, data):
    batch = data.draw(st.lists(xscore_values(max_n=9, max_value=10**9), max_size=6))
    with start_room(room):
        got = xscore.best_scores(batch, method="dominance", num_threads=2)
    assert got.tolist() == [xscore.best_score(a) for a in batch]


def test_wide_values_fit_where_bitsets_cannot():
    # 16 values near 10**9: bitsets would need 2**16 states x 2**30 bits; sparse lists fit.
    a = np.random.default_rng(5).integers(0, 10**9, size=16)
    for method in ("frontier", "dominance"):
        score, order = xscore.best_order(a, method=method, max_memory=300 << 20)
        assert xscore.play(a, order) == score == xscore.best_score(a, max_memory=300 << 20)


def test_regrowing_sparse_lists_is_checked_against_the_limit():
    a = [10**9, 3, 5, 6, 9, 12, 17]
    with start_room(1):
        first = _kernel.table_size(2**7, 30, _kernel.METHODS["dominance"], 1)
        with pytest.raises(ValueError, match=r"room for 2 residues a state\) needs .* max_memory"):
            xscore.best_score(a, method="dominance", max_memory=first)
        assert xscore.best_score(a, method="dominance", max_memory=1 << 20) == (
            reference.best_score_bruteforce(a))


@settings(max_examples=100, deadline=None)
@given(a=xscore_values(max_n=14, max_value=1 << 12), method=st.sampled_from(METHODS))
def test_best_order_reaches_best_score(a, method):
    score, order = xscore.best_order(a, method=method)
    assert sorted(order) == list(range(len(a)))
    assert xscore.play(a, order) == score == xscore.best_score(a, method=method)
    assert xscore.best_order(a, method=method) == (score, order)  # deterministic


@settings(max_examples=60, deadline=None)
@given(a=xscore_values(max_n=24, max_value=7, min_n=12))
def test_methods_agree_on_long_multisets(a):
    # Few distinct values: the multiset DP handles n far beyond the subset DP's reach.
    assert xscore.best_score(a) == xscore.best_score(a, method="residue")


@settings(max_examples=60, deadline=None)
@given(batch=xscore_batches(), method=st.sampled_from(METHODS), threads=st.sampled_from([1, 2]))
def test_batch_equals_single_calls_ragged(batch, method, threads):
    got = xscore.best_scores(batch, method=method, num_threads=threads)
    assert got.dtype == np.int64
    assert got.tolist() == [xscore.best_score(a, method=method) for a in batch]


@settings(max_examples=40, deadline=None)
@given(
    rows=st.integers(0, 30),
    n=st.integers(0, 10),
    seed=st.integers(0, 2**32 - 1),
    threads=st.sampled_from([1, 2, -1, None]),
)
def test_batch_equals_single_calls_2d(rows, n, seed, threads):
    batch = np.random.default_rng(seed).integers(0, 51, size=(rows, n))
    got = xscore.best_scores(batch, num_threads=threads)
    assert got.tolist() == [xscore.best_score(a) for a in batch]


def test_batch_spans_many_chunks():
    batch = np.random.default_rng(7).integers(0, 64, size=(3000, 12))
    expected = [xscore.best_score(a) for a in batch[:50]]
    got = xscore.best_scores(batch, num_threads=2)
    assert got[:50].tolist() == expected
    assert got.tolist() == xscore.best_scores(batch, num_threads=1).tolist()


# --- input forms ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    "make",
    [
        tuple,
        lambda a: np.array(a, dtype=np.uint8),
        lambda a: np.array(a, dtype=">i4"),  # big-endian
        lambda a: np.array(a, dtype=np.float64),  # whole numbers only
        lambda a: np.repeat(np.array(a, dtype=np.int16), 2)[::2],  # strided view
    ],
)
def test_input_forms(make):
    a = [50, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]
    assert xscore.best_score(make(a)) == 830122


def test_inputs_are_not_modified():
    a = np.array([3, 1, 4, 1, 5, 9, 2, 6], dtype=np.int64)
    a.setflags(write=False)
    before = a.copy()
    xscore.best_score(a)
    xscore.best_order(a)
    xscore.best_scores(np.stack([a, a]))
    batch = [[3, 1], [4, 1, 5]]
    xscore.best_scores(batch)
    assert np.array_equal(a, before)
    assert batch == [[3, 1], [4, 1, 5]]


def test_results_are_exact_beyond_int64():
    # 63 values, three distinct (2048 states): the optimum needs 69 bits; Python ints are exact.
    a = [0] * 31 + [1] * 31 + [127]
    score, order = xscore.best_order(a)
    assert score == xscore.play(a, order) == xscore.best_score(a)
    assert score > 2**63
    with pytest.raises(OverflowError, match=r"batch\[0\]: the best score \d+ does not fit in"):
        xscore.best_scores([a])
    assert xscore.best_scores([a], dtype=object).tolist() == [score]


# --- bad input -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("a", "error", "match"),
    [
        ([1, -1], ValueError, r"a\[1\] = -1: values must be non-negative"),
        ([1, 2.5], ValueError, r"a\[1\] = 2.5: values must be integers"),
        ([1.0, float("nan")], ValueError, r"a\[1\] = nan: values must be integers"),
        (np.array([1.0, np.inf]), ValueError, r"a\[1\] = inf: values must be integers"),
        ([1, "2"], TypeError, r"a\[1\] = '2': values must be integers, not str"),
        ([None, 1], TypeError, r"a\[0\] = None"),
        ([True, False], TypeError, r"a\[0\] = True: values must be integers, not booleans"),
        (np.array([1, None]), TypeError, r"a\[1\] = None: values must be integers, not NoneType"),
        ("123", TypeError, r"a must be an array of integers, not str"),
        (None, TypeError, r"a must be an array of integers, not NoneType"),
        ([[1, 2], [3, 4]], ValueError, r"a must be 1-dimensional, got shape \(2, 2\)"),
        ([[1, 2], [3]], ValueError, r"a is ragged"),
        ([2**70], OverflowError, r"a\[0\] = 1180591620717411303424: values must fit in int64"),
        (np.array([2**63], dtype=np.uint64), OverflowError, r"a\[0\] = 9223372036854775808"),
        (np.array(["x"]), TypeError, r"a must hold integers, not <U1 values"),
        (np.array([1 + 2j]), TypeError, r"a must hold integers, not complex128 values"),
    ],
)
def test_bad_values(a, error, match):
    for call in (xscore.best_score, xscore.best_order):
        with pytest.raises(error, match=match):
            call(a)


def test_bad_method_and_limits():
    with pytest.raises(
        ValueError, match=r"method = 'fast': must be one of 'frontier', 'dominance', 'residue'"
    ):
        xscore.best_score([1], method="fast")
    with pytest.raises(ValueError, match=r"needs 16,777,232 bytes .* more than max_memory = 1,000"):
        xscore.best_score(list(range(20)), method="dominance", max_memory=1000)
    # The frontier grows on demand: refused at the growth that would pass the limit.
    with pytest.raises(ValueError, match=r"the frontier for 27 values \(its buffers so far\) "
                                         r"needs [\d,]+ bytes .* more than max_memory = 1,048,576"):
        xscore.best_score(list(range(16, 43)), max_memory=1 << 20)
    with pytest.raises(ValueError, match=r"max_memory = 0: the memory limit must be positive"):
        xscore.best_score([1], max_memory=0)
    with pytest.raises(TypeError, match=r"max_memory must be an integer number of bytes"):
        xscore.best_score([1], max_memory=1.5)
    # 2**40 states: refused by the guard before anything is allocated.
    with pytest.raises(ValueError, match=r"GiB\), more than max_memory"):
        xscore.best_score(list(range(40)), method="dominance")
    with pytest.raises(OverflowError, match=r"residue DP .* at most 31 values"):
        xscore.best_score([1] * 32, method="residue")
    with pytest.raises(OverflowError, match=r"at most 63 values"):
        xscore.best_score([1] * 64)


def test_bad_batches():
    with pytest.raises(ValueError, match=r"num_threads = 0"):
        xscore.best_scores([[1]], num_threads=0)
    with pytest.raises(TypeError, match=r"num_threads must be an integer or None, not float"):
        xscore.best_scores([[1]], num_threads=1.0)
    with pytest.raises(ValueError, match=r"batch\[1\]\[0\] = -3: values must be non-negative"):
        xscore.best_scores([[1], [-3]])
    with pytest.raises(ValueError, match=r"batch\[0, 1\] = -1: values must be non-negative"):
        xscore.best_scores(np.array([[1, -1]]))
    with pytest.raises(ValueError, match=r"batch must be 2-dimensional"):
        xscore.best_scores(np.array([1, 2]))
    with pytest.raises(TypeError, match=r"batch must be a 2-D integer array or a sequence"):
        xscore.best_scores(42)
    with pytest.raises(TypeError, match=r"batch\[0\] must be an array of integers, not NoneType"):
        xscore.best_scores([None])


def test_bad_orders():
    with pytest.raises(ValueError, match=r"order has 2 entries: it must be a permutation of"):
        xscore.play([1, 2, 3], [0, 1])
    with pytest.raises(ValueError, match=r"order\[1\] = 0: index 0 appears twice"):
        xscore.play([1, 2, 3], [0, 0, 1])
    with pytest.raises(ValueError, match=r"order\[2\] = 3: indices must be in range\(3\)"):
        xscore.play([1, 2, 3], [0, 1, 3])
    with pytest.raises(ValueError, match=r"order\[0\] = -1: values must be non-negative"):
        xscore.play([1, 2, 3], [-1, 0, 1])


def test_memory_needed_matches_the_guard():
    a = list(range(16))
    need = xscore.memory_needed(a, method="dominance")
    assert xscore.best_score(a, method="dominance", max_memory=need) == xscore.best_score(a)
    with pytest.raises(ValueError, match="max_memory"):
        xscore.best_score(a, method="dominance", max_memory=need - 1)


@pytest.mark.parametrize("a", [list(range(16)), [7] * 20 + [60] * 3, [10**9, 3, 5, 6, 9, 12]])
def test_memory_needed_bounds_the_frontier(a):
    # Not known before solving: the dominance table's size is the documented bound.
    bound = xscore.memory_needed(a)
    assert bound == xscore.memory_needed(a, method="dominance")
    assert xscore.best_score(a, max_memory=max(bound, 1 << 17)) == xscore.best_score(
        a, method="dominance")


def test_batch_uses_fewer_threads_when_memory_is_short():
    batch = np.random.default_rng(3).integers(0, 64, size=(8, 14))
    one_table = max(xscore.memory_needed(a) for a in batch)
    got = xscore.best_scores(batch, num_threads=2, max_memory=one_table)
    assert got.tolist() == [xscore.best_score(a) for a in batch]


def test_frontier_batch_names_the_row_over_the_limit():
    batch = [[1, 2], list(range(16, 43)), [3]]
    with pytest.raises(InstanceError, match=r"batch\[1\]: the frontier for 27 values") as info:
        xscore.best_scores(batch, num_threads=2, max_memory=1 << 20)
    assert info.value.index == 1
    # Rows over one thread's share but within the whole limit run again on their own
    # (24 distinct values from 16..39: the frontier's buffers peak near 0.95 MB).
    rows = [list(range(16, 40))] * 3
    assert xscore.best_scores(rows, num_threads=2, max_memory=1_500_000).tolist() == (
        [xscore.best_score(rows[0])] * 3)


# --- issue 11: rows named, honest memory, exact scores, batch orders, clear messages ----------


def test_memory_guard_in_a_batch_names_the_row():
    wide = np.random.default_rng(5).integers(10**9 - 1000, 10**9, size=16).tolist()
    batch = [[1, 2, 3]] * 5 + [wide] + [[4, 5]]
    with pytest.raises(ValueError, match=r"^batch\[5\]: the dominance table") as e:
        xscore.best_scores(batch, method="dominance", max_memory=1 << 20)
    assert isinstance(e.value, InstanceError) and e.value.index == 5


@pytest.mark.slow  # the pure-Python reference takes ~40 s: in the default run, not the wheel's
def test_memory_needed_is_an_upper_bound():
    # The example: the first table is small, but regrowing sparse lists may reach
    # the bitset table, and memory_needed must not promise less than a call may take.
    a = [0, 1048966, 1048587, 1048959, 1049070, 1048856, 1049234, 1049405, 1049047, 1049283,
         1049461, 1049191]
    D = "dominance"
    bound = xscore.memory_needed(a, method=D)
    first = xscore.memory_needed(a, method=D, first_table=True)
    assert first < bound
    with pytest.raises(ValueError, match=r"needs ([\d,]+) bytes") as e:
        xscore.best_score(a, method=D, max_memory=first)
    needed = int(e.value.args[0].split("needs ")[1].split(" bytes")[0].replace(",", ""))
    assert first < needed <= bound
    expected = reference.best_score_dp(a)  # ~40 s of pure Python: once
    assert xscore.best_score(a, method=D, max_memory=bound) == expected
    # The frontier's bound is the dominance DP's; it solves within it.
    assert xscore.memory_needed(a) == bound
    assert xscore.best_score(a, max_memory=bound) == expected


@pytest.mark.parametrize(("n", "fits"), [(12, 8 << 20), (16, 256 << 20)])
def test_readme_memory_examples(n, fits):
    """README's measured examples: n values uniform in [0, 10**9) solve within ``fits``."""
    for seed in range(3):
        a = np.random.default_rng(seed).integers(0, 10**9, size=n)
        assert xscore.best_score(a, max_memory=fits, method="dominance") > 0


def test_readme_memory_example_clustered_values_are_refused():
    """... while 16 values within 10**4 of 10**9 keep ~2,000 residues a state: refused at the
    default limit, with the bytes they would need, before anything is allocated."""
    a = np.random.default_rng(0).integers(10**9 - 10**4, 10**9, size=16)
    with pytest.raises(ValueError, match=r"needs [\d,]+ bytes \(1\.00 GiB\), more than max_m"):
        xscore.best_score(a, method="dominance")


def test_scores_that_fit_int64_are_not_refused():
    assert xscore.best_scores([[2**62]]).tolist() == [2**62]
    assert xscore.best_scores([[2**62, 2**62]]).tolist() == [2**62]
    with pytest.raises(OverflowError, match=r"batch\[1\]: the best score 9223372036854775808") as e:
        xscore.best_scores([[1], [2**62, 0]])
    assert e.value.index == 1
    exact = xscore.best_scores([[1], [2**62, 0], [2**62, 2**62, 1]], dtype=object)
    assert exact.dtype == object
    assert exact.tolist() == [1, 2**63, xscore.best_score([2**62, 2**62, 1])]
    with pytest.raises(TypeError, match="dtype"):
        xscore.best_scores([[1]], dtype=np.float64)


@settings(max_examples=40, deadline=None)
@given(batch=st.lists(xscore_values(max_n=8, max_value=70), max_size=8),
       method=st.sampled_from(METHODS))
def test_best_orders_equal_single_calls(batch, method):
    scores, orders = xscore.best_orders(batch, method=method, num_threads=2)
    assert len(orders) == len(batch) and scores.dtype == object
    for a, score, order in zip(batch, scores.tolist(), orders, strict=True):
        assert (score, order.tolist()) == xscore.best_order(a, method=method)
        assert xscore.play(a, order) == score


def test_best_orders_with_wide_values_that_regrow():
    batch = [[10**9, 3, 5, 6, 9, 12, 17], [1, 2, 3]]
    with start_room(1):
        scores, orders = xscore.best_orders(batch, method="dominance")
    assert [xscore.play(a, o) for a, o in zip(batch, orders, strict=True)] == scores.tolist()
    assert scores.tolist() == [reference.best_score_bruteforce(a) for a in batch]


@pytest.mark.parametrize(
    ("value", "words"),
    [({1, 2}, "a mapping or set (set)"), ({1: 2}, "a mapping or set (dict)"),
     ((i for i in range(3)), "an iterator (generator)"), (iter([1]), "an iterator")],
)
def test_unordered_or_one_shot_inputs_are_named(value, words):
    with pytest.raises(TypeError, match=re.escape(f"a must be a list, tuple or array of "
                                                  f"integers, not {words}")):
        xscore.best_score(value)


def test_masked_arrays_are_refused():
    with pytest.raises(TypeError, match="a is a masked array: its mask would be ignored"):
        xscore.best_score(np.ma.masked_array([1, 2, 3], mask=[0, 1, 0]))
