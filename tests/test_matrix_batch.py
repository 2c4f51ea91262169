"""The matrix kernel's watch structures (bucket queues, radix heaps, binary heaps) and
Banker's batch APIs.

The kernel picks its structure by the shape rule in ``cysolve.deadlock._matrix``; every class
the rule can pick (the sweeps alone, bucket queues of every width up to 32 units, narrowed to
the requests' span or not, radix heaps; Holt's lists only when forced) is drawn here, and
each forced structure is checked on every input too: kernel == NumPy loop == reference, and
every order is a valid finishing order. The batch Banker calls equal the single calls one by one.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cysolve import deadlock
from cysolve.bench import inputs
from cysolve.deadlock import _inputs, _matrix, _numpy_loop, reference
from cysolve.errors import InstanceError
from strategies import chain_systems, hidden_order_systems, matrix_systems, staircase_systems

SETTINGS = settings(max_examples=60, deadline=None)
STRATEGIES = {"auto": 0, "heaps": 1, "buckets": 2, "holt": 3, "radix": 4}


def run_kernel(C, R, A, strategy):
    """``(order, final A)`` from the compiled kernel with a forced (or automatic) structure."""
    final = A.copy()
    order = np.empty(C.shape[0], dtype=np.int64)
    done = _matrix.detect(C, R, final, order, STRATEGIES[strategy])
    return order[:done], final


def replay(C, R, A, order):
    """Check that ``order`` is a valid finishing order of distinct processes; return A after."""
    assert len(set(order.tolist())) == order.size
    A = A.copy()
    for p in order.tolist():
        assert (R[p] <= A).all(), f"process {p} does not fit in {A} at its turn"
        A += C[p]
    return A


def check_all_agree(C, R, A):
    C, R, A = (np.ascontiguousarray(x, dtype=np.int64) for x in (C, R, A))
    np_order, np_final = _numpy_loop.detect(C, R, A)
    stuck = sorted(set(range(C.shape[0])) - set(np_order.tolist()))
    for strategy in STRATEGIES:
        order, final = run_kernel(C, R, A, strategy)
        np.testing.assert_array_equal(replay(C, R, A, order), final)
        np.testing.assert_array_equal(final, np_final)
        assert sorted(set(range(C.shape[0])) - set(order.tolist())) == stuck, strategy
    return stuck, np_final


@st.composite
def scaled_systems(draw, max_n=40, max_m=5):
    """Hidden-order systems with noise, counts scaled so the shape rule picks every class.

    Scale 1..4: bucket queues of width 1..16 units; larger scales: the radix heaps (wide
    buckets);
    ``spread`` makes some requests hopeless (above what can ever be free).
    """
    n = draw(st.integers(1, max_n))
    m = draw(st.integers(1, max_m))
    seed = draw(st.integers(0, 2**32 - 1))
    scale = draw(st.sampled_from([1, 2, 3, 4, 8, 16, 1000, 10**6, 10**12]))
    rng = np.random.default_rng(seed)
    C, R, A = inputs.hidden_order_system(n, m, seed=seed, max_hold=3)
    C, R, A = C * scale, R * scale, A * scale
    noisy = rng.random(n) < draw(st.sampled_from([0.0, 0.05, 0.3]))
    R[noisy] += rng.integers(0, 3 * scale + 1, size=(int(noisy.sum()), m))
    hopeless = rng.random(n) < draw(st.sampled_from([0.0, 0.1]))
    R[hopeless, rng.integers(0, m)] += 10**13
    return C, R, A


@SETTINGS
@given(matrix_systems() | chain_systems() | hidden_order_systems() | scaled_systems())
def test_kernel_equals_numpy_and_reference_for_every_structure(system):
    C, R, A = system
    stuck, final = check_all_agree(C, R, A)
    expected, _, ref_final = reference.detect(C.tolist(), R.tolist(), A.tolist())
    assert stuck == expected
    assert final.tolist() == ref_final


@settings(max_examples=25, deadline=None)
@given(st.integers(300, 3000), st.integers(1, 12), st.integers(0, 2**32 - 1),
       st.sampled_from([1, 3, 16, 10**9]))
def test_larger_systems_agree(n, m, seed, scale):
    rng = np.random.default_rng(seed)
    C, R, A = inputs.hidden_order_system(n, m, seed=seed)
    C, R, A = C * scale, R * scale, A * scale
    noisy = rng.random(n) < 0.01
    R[noisy] += rng.integers(0, 3 * scale, size=(int(noisy.sum()), m))
    check_all_agree(C, R, A)



@settings(max_examples=30, deadline=None)
@given(st.integers(64, 700), st.integers(1, 8), st.integers(0, 2**32 - 1),
       st.sampled_from([1, 2, 6]), st.sampled_from([0.0, 0.1]))
def test_ranked_seats_with_tied_hopeless_and_met_shares_agree(n, m, seed, top, hopeless):
    # From 64 waiting processes on they are seated in rank order (``rank_live``): ties
    # (repeated rows, tiny counts: crowded buckets that the bounded insertion sort leaves
    # unsorted), shares above 1 (hopeless keys) and at most 0 (met since the sweep), and the
    # rest ranked again when 3 in 4 seats fail.
    rng = np.random.default_rng(seed)
    C = rng.integers(0, top + 1, size=(n, m), dtype=np.int64)
    R = rng.integers(0, 2 * top + 1, size=(n, m), dtype=np.int64)
    R[rng.random(n) < 0.5] = R[0]
    R[rng.random(n) < hopeless, rng.integers(0, m)] += 10**6
    A = rng.integers(0, top + 1, size=m, dtype=np.int64)
    check_all_agree(C, R, A)


def _plan(C, R, A):
    C, R, A = _inputs.matrix_system(C, R, A)
    return _matrix.plan(C, R, A.copy())


def test_shape_rule_picks_every_class():
    # Everything finishes in the sweeps.
    assert _plan(*inputs.uniform_system(200, 5))[0] == "sweeps"
    # Holt's lists only when forced (round 7: the ranked seats beat them at m <= 5 too).
    assert _plan(*inputs.chain_system(3000, 3, seed=1)[:3]) == ("buckets", 1)
    for hold in (1, 5, 40, 10**6):
        name, shift = _plan(*inputs.hidden_order_system(2000, 5, seed=3, max_hold=hold))
        assert name == ("buckets" if shift <= 5 else "radix")
    # Exact buckets on a chain; counts that grow: wider buckets (up to 32 units), then the
    # radix heaps.
    assert _plan(*inputs.chain_system(40, 6, seed=1)[:3]) == ("buckets", 0)
    seen = {}
    for hold in (1, 2, 3, 5, 8, 12, 40, 10**6):
        name, shift = _plan(*inputs.hidden_order_system(2000, 6, seed=3, max_hold=hold))
        seen[shift] = name
        assert name == ("buckets" if shift <= 5 else "radix")
    assert {"buckets", "radix"} <= set(seen.values())
    assert len([s for s, name in seen.items() if name == "buckets"]) >= 3


@pytest.mark.parametrize("strategy", list(STRATEGIES))
def test_staircase_and_chain_orders(strategy):
    C, R, A, perm = inputs.chain_system(500, 3, seed=4)
    order, _ = run_kernel(C, R, A, strategy)
    assert perm[order].tolist() == list(range(499, -1, -1))
    C, R, A = inputs.staircase_system(300, 8, seed=5)
    order, final = run_kernel(C, R, A, strategy)
    assert order.size == 300
    np.testing.assert_array_equal(replay(C, R, A, order), final)


def test_holt_lists_and_their_fallback_agree_with_numpy():
    # Holt's lists (forced, in ``check_all_agree``), or (keys spanning 2^31 units or more)
    # the lists built, dropped, and the radix heaps run instead on the same state.
    for hold in (1, 5, 40, 10**6, 10**12):
        C, R, A = _inputs.matrix_system(*inputs.hidden_order_system(2000, 5, seed=3,
                                                                     max_hold=hold))
        R[::97, 0] += 1  # some deadlock
        check_all_agree(C, R, A)


def test_holt_releases_the_met_keys_of_an_unsorted_bucket():
    # One type, Holt forced. The sweep finishes only 8 (A = 1; the four hopeless processes 4-7
    # make one finish too few to sweep again), so Holt's lists get keys R - 2 of 1, 2, 3: 2 (p1), 0
    # (p2), 5 (p3) for a span of 6 units (what 0-3 hold) over 3 entries: buckets 2 units
    # wide, p1 before p2 in bucket 1 (row order). 0 fits now and frees 3 (A = 4, key 2): the
    # walk stops at p1's key 3 and must find p2 behind it in the same bucket.
    C = np.array([[3], [1], [1], [1], [0], [0], [0], [0], [1]], dtype=np.int64)
    R = np.array([[1], [5], [4], [7], [99], [99], [99], [99], [0]], dtype=np.int64)
    C, R, A = _inputs.matrix_system(C, R, np.zeros(1, dtype=np.int64))
    for strategy in STRATEGIES:
        order, final = run_kernel(C, R, A, strategy)
        if strategy == "holt":
            assert order.tolist() == [8, 0, 2, 1], strategy
        assert sorted(order.tolist()) == [0, 1, 2, 8] and final.tolist() == [6], strategy
    R[3, 0] = 6  # what is free once 0, 1 and 2 finished: 3 finishes too
    for strategy in STRATEGIES:
        order, final = run_kernel(C, R, A, strategy)
        assert sorted(order.tolist()) == [0, 1, 2, 3, 8] and final.tolist() == [7], strategy
        np.testing.assert_array_equal(replay(C, R, A, order), final)


@SETTINGS
@given(staircase_systems())
def test_staircases_and_lying_weights_agree_for_every_structure(system):
    # The watches guess the type met last; on staircases (hoarders: the guesses fail and the
    # processes fall back to their first unmet type) every structure must still agree.
    C, R, A = system
    stuck, final = check_all_agree(C, R, A)
    expected, _, ref_final = reference.detect(C.tolist(), R.tolist(), A.tolist())
    assert stuck == expected
    assert final.tolist() == ref_final


@pytest.mark.parametrize("strategy", list(STRATEGIES))
def test_a_met_type_is_never_watched(strategy):
    # A chain keeps 400 processes waiting after the sweeps. Y, the only holder of type 2,
    # finishes in the first sweep; X has type 0 and type 2 met (A[2] = 1 = its request), and
    # waits for all of type 1. Nothing of type 2 can come any more (its weight is inf): were
    # X to watch it (0 * inf must not win), no release would ever wake X, and a heap would
    # report it deadlocked (a bucket would index below its type's first).
    C, R, A, _ = inputs.chain_system(400, 2, seed=1)
    C = np.hstack([C, np.zeros((400, 1), dtype=np.int64)])
    R = np.hstack([R, np.zeros((400, 1), dtype=np.int64)])
    x = [[0, 0, 0]], [[0, int(C[:, 1].sum()), 1]]
    y = [[0, 0, 1]], [[0, 0, 0]]
    C = np.vstack([C, x[0], y[0]])
    R = np.vstack([R, x[1], y[1]])
    A = np.zeros(3, dtype=np.int64)
    order, final = run_kernel(C, R, A, strategy)
    assert order.size == 402 and final.tolist() == [200, 200, 1]
    np.testing.assert_array_equal(replay(C, R, A, order), final)
    assert _plan(C, R, A)[0] == "buckets"


def test_a_woken_process_is_seated_three_finishes_later_or_when_the_stack_runs_dry():
    # One type, one unit each. The sweep finishes only 9 (A = 1). The others are seated in
    # turn, each only once nothing is ready: 0-6 wait for 2 units, 7 for 4, and 8 fits, so it
    # finishes (A = 2) before anything else is seated and wakes 0-6 with the stack empty:
    # they are seated at once, all ready. Finishing 0 and 1 makes A = 4 and wakes 7, which is
    # seated SEAT_DELAY = 3 finishes later (after 2, 3, 4), on top of 5 and 6.
    C = np.ones((10, 1), dtype=np.int64)
    R = np.array([[2]] * 7 + [[4], [1], [0]], dtype=np.int64)
    A = np.zeros(1, dtype=np.int64)
    assert _plan(C, R, A)[0] == "buckets"
    order, final = run_kernel(C, R, A, "buckets")
    assert order.tolist() == [9, 8, 0, 1, 2, 3, 4, 7, 5, 6]
    assert final.tolist() == [10]


def test_hoarders_make_the_weights_lie():
    # The hoarders hold 4^j times the others' units of type j and never finish: every
    # waiting process's first unmet type has the largest weighed shortfall.
    C, R, A = inputs.hoarder_staircase_system(300, 6, seed=2, hoarders=2)
    assert (R[-2:] > A + C.sum(axis=0)).any(axis=1).all()  # the hoarders never finish
    stuck, _ = check_all_agree(C, R, A)
    assert stuck == [298, 299]
    live = C[:-2].sum(axis=0) + C[-2:].sum(axis=0)
    short = (R[:-2] - A) / live
    first = (R[:-2] > A).argmax(axis=1)
    assert (short.argmax(axis=1) == first).mean() > 0.9


def test_requests_far_below_the_held_units_narrow_the_buckets_and_the_weights():
    # The hoarders' units are never free, so the requests span a sliver of what the waiting
    # processes hold: the buckets are planned on the largest request that can still be met
    # (one pass over the rows, after a sample), not on the holdings (which made them the
    # heaps). The row holding that request is mostly outside the sample: were its key
    # dropped as hopeless, its process would be reported deadlocked.
    C, R, A = _inputs.matrix_system(*inputs.hoarder_staircase_system(2000, 8, seed=1))
    assert C[-4:].sum() > 1000 * C[:-4].sum()
    assert _plan(C, R, A)[0] == "buckets"
    stuck, _ = check_all_agree(C, R, A)
    assert stuck == [1996, 1997, 1998, 1999]
    # A beggar asks for all of type 0: its span stays wide and the radix heaps take it.
    C, R, A = _inputs.matrix_system(*inputs.beggar_system(2000, 8, seed=1))
    assert _plan(C, R, A)[0] == "radix"
    stuck, _ = check_all_agree(C, R, A)
    assert stuck == [1995, 1996, 1997, 1998, 1999]


def test_forced_buckets_on_wide_keys_that_narrowing_leaves_alone():
    # Counts x 1000: the buckets would be 2^11 units wide and the requests span what is held,
    # so the sample declines to narrow; the forced buckets must still start from a clean plan
    # (the sample's scratch is the planned thresholds). Nobody holds or asks for the last
    # type: a threshold left at the sample's answer, A, would drain its empty queue at once.
    C, R, A = inputs.staircase_system(300, 8, seed=1)
    C = np.hstack([C * 1000, np.zeros((300, 1), dtype=np.int64)])
    R = np.hstack([R * 1000, np.zeros((300, 1), dtype=np.int64)])
    C, R, A = _inputs.matrix_system(C, R, np.append(A * 1000, 0))
    assert _plan(C, R, A)[0] == "radix"
    check_all_agree(C, R, A)


def test_narrowing_when_every_waiting_request_is_hopeless():
    # One process finishes in the sweep (too few to sweep again); the seven left ask for 2^40
    # units, more than can ever be free (1 + 10^12, what one of them hoards). Narrowed to the
    # requests that can still be met - none - every type's span is empty: no buckets at all
    # (the sanitizer build checks that nothing touches the absent bucket bits).
    C = np.array([[1], [10**12]] + [[0]] * 6, dtype=np.int64)
    R = np.array([[0]] + [[2**40]] * 7, dtype=np.int64)
    C, R, A = _inputs.matrix_system(C, R, np.zeros(1, dtype=np.int64))
    assert _plan(C, R, A) == ("buckets", 0)
    for strategy in STRATEGIES:
        order, final = run_kernel(C, R, A, strategy)
        assert order.tolist() == [0] and final.tolist() == [1], strategy


@pytest.mark.parametrize("top", [40, 61])
def test_radix_heaps_refile_keys_down_to_the_last_unit(top):
    # Process t holds and asks for 2^(top - t): it fits once every smaller one finished (A =
    # 1 + their sum = its request). The smallest is listed last, so the first sweep finishes
    # it alone and the rest wait on one type whose keys span every power of two up to 2^top:
    # each is refiled down the radix buckets as A doubles. With top = 61 everything that can
    # be free is 2^62, and a hopeless process asks for INT64_MAX.
    C = (np.int64(2) ** np.arange(top, -1, -1, dtype=np.int64))[:, None]
    R = C.copy()
    C = np.vstack([C, [[0]]])
    R = np.vstack([R, [[np.iinfo(np.int64).max]]])
    C, R, A = _inputs.matrix_system(C, R, np.ones(1, dtype=np.int64))
    assert _plan(C, R, A)[0] == "radix"
    for strategy in STRATEGIES:
        order, final = run_kernel(C, R, A, strategy)
        assert order.tolist() == list(range(top, -1, -1)), strategy
        assert final.tolist() == [2 ** (top + 1)], strategy


def test_staircase_is_drained_only_type_by_type():
    # Every process waits on each of its types in turn: m watches each (Holt's worst case).
    C, R, A = inputs.staircase_system(200, 6, seed=0)
    assert _numpy_loop.detect(C, R, A)[0].size == 200
    first = (R > A).argmax(axis=1)
    assert (first == 0).mean() > 0.9


# --- Banker's algorithm in batches -----------------------------------------------------------


@st.composite
def banker_batches(draw, max_k=12, max_n=7, max_m=4):
    """k Banker states of one shape ``(A (k, m), C (k, n, m), M (k, n, m))``."""
    k = draw(st.integers(0, max_k))
    n = draw(st.integers(0, max_n))
    m = draw(st.integers(0, max_m))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    C = rng.integers(0, 4, size=(k, n, m))
    M = C + rng.integers(0, 5, size=(k, n, m))
    A = rng.integers(0, 5, size=(k, m))
    return A, C, M


@SETTINGS
@given(banker_batches(), st.sampled_from([1, 2, -1, None]))
def test_is_safe_batch_equals_single_calls(state, threads):
    A, C, M = state
    k, n, _ = C.shape
    safe, seqs = deadlock.is_safe_batch(A, C, M, return_sequences=True, num_threads=threads)
    assert safe.shape == (k,) and safe.dtype == np.bool_
    assert seqs.shape == (k, n) and seqs.dtype == np.int64
    np.testing.assert_array_equal(deadlock.is_safe_batch(A, C, M, num_threads=threads), safe)
    for s in range(k):
        single = deadlock.is_safe(A[s], C[s], M[s])
        assert bool(safe[s]) == single.safe
        row = seqs[s]
        done = row[row >= 0]
        assert (row[done.size:] == -1).all()
        assert sorted(done.tolist()) == sorted(single.sequence.tolist())
        replay(C[s], M[s] - C[s], A[s], done)
    existing = A + C.sum(axis=1)
    np.testing.assert_array_equal(deadlock.is_safe_batch(None, C, M, existing=existing), safe)
    np.testing.assert_array_equal(
        deadlock.is_safe_batch(A, C, M, existing=existing, num_threads=1), safe)


@SETTINGS
@given(banker_batches(), st.data())
def test_request_ok_batch_equals_single_calls(state, data):
    A, C, M = state
    k, n, m = C.shape
    if n == 0:
        return
    procs = np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=k, max_size=k)),
                     dtype=np.int64)
    need = M - C
    req = np.zeros((k, m), dtype=np.int64)
    for s in range(k):
        req[s] = [data.draw(st.integers(0, int(v))) for v in need[s, procs[s]]]
    copies = [x.copy() for x in (A, C, M, procs, req)]
    got = deadlock.request_ok_batch(A, C, M, procs, req, num_threads=2)
    assert got.shape == (k,) and got.dtype == np.bool_
    for s in range(k):
        assert got[s] == deadlock.request_ok(A[s], C[s], M[s], int(procs[s]), req[s])
    for x, old in zip((A, C, M, procs, req), copies, strict=True):
        np.testing.assert_array_equal(x, old)


def test_banker_batch_textbook_and_empty_shapes():
    M3 = [[9], [4], [7]]
    safe = deadlock.is_safe_batch([[3], [2]], [[[3], [2], [2]], [[4], [2], [2]]], [M3, M3])
    assert safe.tolist() == [True, False]
    assert deadlock.is_safe_batch(np.zeros((0, 2)), np.zeros((0, 3, 2)),
                                  np.zeros((0, 3, 2))).shape == (0,)
    safe, seqs = deadlock.is_safe_batch(np.zeros((2, 2)), np.zeros((2, 0, 2)),
                                        np.zeros((2, 0, 2)), return_sequences=True)
    assert safe.tolist() == [True, True] and seqs.shape == (2, 0)
    assert deadlock.is_safe_batch(np.zeros((2, 0)), np.zeros((2, 3, 0)),
                                  np.zeros((2, 3, 0))).tolist() == [True, True]
    assert deadlock.request_ok_batch(
        np.zeros((0, 1)), np.zeros((0, 2, 1)), np.zeros((0, 2, 1)), [], np.zeros((0, 1))
    ).shape == (0,)


def test_banker_batch_of_large_states_uses_both_structures():
    n, m = 400, 4
    states = [inputs.hidden_order_system(n, m, seed=s, max_hold=h)
              for s, h in enumerate([2, 2, 3, 10**5, 10**5, 4])]
    C = np.stack([s[0] for s in states])
    need = np.stack([s[1] for s in states])
    A = np.stack([s[2] for s in states])
    need[1, 7] += 10**7  # one hopeless process: unsafe
    need[4, 9, 0] += 10**12
    safe = deadlock.is_safe_batch(A, C, C + need, num_threads=2)
    assert safe.tolist() == [True, False, True, True, False, True]


@pytest.mark.parametrize(
    ("call", "error", "match", "index"),
    [
        (lambda: deadlock.is_safe_batch([[1], [1]], [[[0]], [[3]]], [[[1]], [[2]]]),
         ValueError, r"allocation\[1, 0, 0\] = 3 exceeds its max_claim, 2", 1),
        (lambda: deadlock.is_safe_batch([[1], [-1]], [[[0]], [[0]]], [[[1]], [[2]]]),
         ValueError, r"available\[1, 0\] = -1", 1),
        (lambda: deadlock.is_safe_batch(None, [[[2]], [[0]]], [[[3]], [[2]]],
                                        existing=[[1], [1]]),
         ValueError, r"existing\[0, 0\] = 1: the processes hold 2 units of resource 0", 0),
        (lambda: deadlock.is_safe_batch([[0], [1]], [[[0]], [[0]]], [[[1]], [[2]]],
                                        existing=[[0], [2]]),
         ValueError, r"available\[1, 0\] = 1 but existing minus .* is 2", 1),
        (lambda: deadlock.is_safe_batch([[0], [2**62]], [[[0]], [[2**62]]],
                                        [[[1]], [[2**62]]]),
         OverflowError, r"system 1, resource 0", 1),
        (lambda: deadlock.request_ok_batch([[1], [1]], [[[0]], [[0]]], [[[1]], [[2]]],
                                           [0, 1], [[0], [0]]),
         ValueError, r"process\[1\] = 1: must be a process index in range\(1\)", 1),
        (lambda: deadlock.request_ok_batch([[1], [1]], [[[0]], [[0]]], [[[1]], [[2]]],
                                           [0, 0], [[0], [3]]),
         ValueError, r"request\[1, 0\] = 3 exceeds the remaining need", 1),
    ],
)
def test_banker_batch_errors_name_the_system(call, error, match, index):
    with pytest.raises(error, match=match) as info:
        call()
    assert isinstance(info.value, InstanceError) and info.value.index == index


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: deadlock.is_safe_batch(None, [[[0]]], [[[1]]]), TypeError, "existing="),
        (lambda: deadlock.is_safe_batch([[0]], [[0]], [[1]]), ValueError, "3-dimensional"),
        (lambda: deadlock.is_safe_batch([[0]], [[[0]]], [[[1]]], num_threads=0),
         ValueError, "num_threads = 0"),
        (lambda: deadlock.request_ok_batch([[0]], [[[0]]], [[[1]]], [0, 0], [[0]]),
         ValueError, r"process has shape \(2,\)"),
        (lambda: deadlock.request_ok_batch([[0]], [[[0]]], [[[1]]], [0], [[0, 0]]),
         ValueError, r"request has shape \(1, 2\)"),
    ],
)
def test_banker_batch_bad_shapes(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.parametrize("span", [2**31 - 2, 2**31 - 1, 2**31, 2**31 + 1])
def test_bucket_keys_at_the_32_bit_edge(span):
    # Waiting keys are stored relative to their type's base in 32 bits: keys spanning 2^31
    # units or more go to the radix heaps (forced buckets too), keys just below stay exact in
    # the forced buckets. Eight
    # hopeless processes make the first sweep finish too few to sweep again.
    C = np.zeros((11, 1), dtype=np.int64)
    R = np.full((11, 1), 2**40, dtype=np.int64)
    C[0, 0], R[0, 0] = span, 1
    R[1, 0] = 0
    C[1, 0] = 1
    R[2, 0] = span + 1  # everything 0 and 1 hold
    C, R, A = _inputs.matrix_system(C, R, np.zeros(1, dtype=np.int64))
    name, shift = _plan(C, R, A)
    assert name == "radix"  # a span far above 32 units x 64 buckets
    assert (shift == 63) == (span > 2**31 - 1)
    for strategy in STRATEGIES:
        order, final = run_kernel(C, R, A, strategy)
        assert order.tolist() == [1, 0, 2], strategy
        assert final.tolist() == [span + 1]
    R[2, 0] = span + 2  # one unit more than can ever be free: deadlocked
    for strategy in STRATEGIES:
        order, final = run_kernel(C, R, A, strategy)
        assert order.tolist() == [1, 0], strategy


def test_c_ceiling_runs_the_same_algorithm():
    # bench/c/matrix.c is the kernel's algorithm by hand: the same answer, a valid order, and
    # (the sweeps, buckets and radix heaps pick the same processes in the same turns) the same
    # order.
    from cysolve.bench import ceiling

    try:
        c_detect = ceiling.matrix()
    except ceiling.CeilingUnavailable as why:
        pytest.skip(str(why))
    systems = [inputs.hidden_order_system(1500, 6, seed=2, max_hold=h)
               for h in (1, 3, 40, 10**6)]
    systems += [inputs.chain_system(300, 3, seed=1)[:3], inputs.staircase_system(400, 8, seed=1)]
    systems.append(systems[0][:2] + (systems[0][2] - 1,))  # some deadlocked
    # Narrowed buckets, and the radix heaps with and without narrowed weights.
    systems += [inputs.hoarder_staircase_system(400, 8, seed=1),
                inputs.beggar_system(400, 8, seed=1),
                inputs.staircase_system(400, 8, seed=1, max_hold=10**6)]
    # Ranked again when the seats in rank order fail (the buckets and the radix heaps).
    systems += [inputs.decoy_staircase_system(3000, 6, seed=1, decoy_hold=h) for h in (12, 120)]
    for C, R, A in systems:
        C, R, A = _inputs.matrix_system(C, R, np.maximum(A, 0))
        order, final = c_detect(C, R, A)
        want_order, want_final = run_kernel(C, R, A, "auto")
        np.testing.assert_array_equal(final, want_final)
        np.testing.assert_array_equal(order, want_order)


@pytest.mark.parametrize("m", [6, 10, 16, 17, 40])
def test_staircase_finishes_in_rank_order_whether_drains_look_ahead_or_not(m):
    # Up to LOOKAHEAD_MAX_M = 16 types the bucket queues run in their own compiled loop whose
    # drains prefetch the next buckets' rows (``lookahead``); above, in the loop without.
    # On the staircase only the next rank is ever ready (every C >= 1 makes its requests of
    # the last type strictly increase with rank), so both must give exactly that order.
    C, R, A = inputs.staircase_system(3000, m, seed=5)
    assert _plan(C, R, A)[0] == "buckets"
    for strategy in ("auto", "buckets"):
        order, final = run_kernel(C, R, A, strategy)
        assert order.tolist() == np.argsort(R[:, -1], kind="stable").tolist()
        np.testing.assert_array_equal(final, A + C.sum(axis=0))


@settings(max_examples=40, deadline=None)
@given(st.integers(12, 22), st.integers(2, 120), st.integers(0, 2**32 - 1),
       st.sampled_from([0.0, 0.2]), st.sampled_from([1, 4]), st.booleans())
def test_drains_that_look_ahead_agree_on_both_sides_of_their_type_limit(n_m, n, seed, noise,
                                                                        scale, stair):
    # Both bucket loops (m <= 16 looks ahead, m > 16 does not) against NumPy and the
    # reference: noisy requests re-seat processes into buckets already prefetched, scaled
    # counts leave most buckets empty (the lookahead's search runs to a type's last bucket),
    # and some processes stay deadlocked.
    m = n_m
    rng = np.random.default_rng(seed)
    if stair:
        C, R, A = inputs.staircase_system(n, m, seed=seed)
    else:
        C, R, A = inputs.hidden_order_system(n, m, seed=seed, max_hold=3)
    C, R, A = C * scale, R * scale, A * scale
    noisy = rng.random(n) < noise
    R[noisy] += rng.integers(0, 3 * scale + 1, size=(int(noisy.sum()), m))
    stuck, final = check_all_agree(C, R, A)
    expected, _, ref_final = reference.detect(C.tolist(), R.tolist(), A.tolist())
    assert stuck == expected
    assert final.tolist() == ref_final
