"""The matrix kernel's AVX2 row passes (``_rowsimd.h``) against its portable ones.

Rows of ``AVX2_MIN_M`` (32) types or more take the AVX2 passes where the CPU has them; every
test here runs the kernel both ways (only the portable way on other CPUs) with every forced
structure and checks kernel == NumPy loop == reference, valid orders, and the *same* order
both ways: the passes keep the portable loops' tie rule, so orders do not depend on the CPU.
"""

import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cysolve.bench import inputs
from cysolve.deadlock import _inputs, _matrix, _numpy_loop, reference

STRATEGIES = {"auto": 0, "heaps": 1, "buckets": 2, "holt": 3, "radix": 4}
HAS_AVX2 = _matrix.avx2(True)
PATHS = [False, True] if HAS_AVX2 else [False]


@pytest.fixture(autouse=True)
def restore_the_row_passes():
    yield
    _matrix.avx2(True)


def run(C, R, A, strategy, avx2):
    assert _matrix.avx2(avx2) == avx2
    final = A.copy()
    order = np.empty(C.shape[0], dtype=np.int64)
    done = _matrix.detect(C, R, final, order, STRATEGIES[strategy])
    return order[:done], final


def check_both_paths(C, R, A, with_reference=False):
    """Every structure, both paths: the NumPy loop's answer, valid orders, one order a
    structure whichever path ran. Returns the deadlocked processes."""
    C, R, A = _inputs.matrix_system(C, R, A)
    np_order, np_final = _numpy_loop.detect(C, R, A)
    stuck = sorted(set(range(C.shape[0])) - set(np_order.tolist()))
    if with_reference:
        expected, _, ref_final = reference.detect(C.tolist(), R.tolist(), A.tolist())
        assert stuck == expected and np_final.tolist() == ref_final
    for strategy in STRATEGIES:
        orders = []
        for avx2 in PATHS:
            order, final = run(C, R, A, strategy, avx2)
            free = A.copy()
            for p in order.tolist():
                assert (R[p] <= free).all(), (strategy, avx2, p)
                free += C[p]
            np.testing.assert_array_equal(free, final)
            np.testing.assert_array_equal(final, np_final)
            assert len(set(order.tolist())) == order.size
            assert sorted(set(range(C.shape[0])) - set(order.tolist())) == stuck
            orders.append(order.tolist())
        assert all(o == orders[0] for o in orders), strategy
    return stuck


@st.composite
def wide_systems(draw, max_n=60, max_m=80):
    """Hidden orders, staircases and hoarder staircases of 1 .. ``max_m`` types (most not a
    multiple of 4, many above 64), small counts (ties between the watch weights everywhere)
    or scaled ones (up to 2^40 a unit: shares whose int64 -> double conversion rounds), with
    noise and hopeless requests."""
    m = draw(st.integers(1, max_m))
    n = draw(st.integers(2, max_n))
    seed = draw(st.integers(0, 2**32 - 1))
    family = draw(st.sampled_from(["hidden", "staircase", "hoarder"]))
    if family == "hidden":
        hold = draw(st.sampled_from([1, 3]))
        C, R, A = inputs.hidden_order_system(n, m, seed=seed, max_hold=hold)
    elif family == "staircase":
        C, R, A = inputs.staircase_system(n, m, seed=seed)
    else:
        C, R, A = inputs.hoarder_staircase_system(n, m, seed=seed, hoarders=1)
    # (The hoarders hold 4^j units of type j: no room for a scale that would overflow.)
    scale = draw(st.sampled_from([1, 1, 3] + ([] if family == "hoarder" else [2**40 + 1])))
    rng = np.random.default_rng(seed)
    C, R, A = C * scale, R * scale, A * scale
    noisy = rng.random(n) < draw(st.sampled_from([0.0, 0.1]))
    R[noisy] += rng.integers(0, 3, size=(int(noisy.sum()), m)) * scale
    hopeless = rng.random(n) < draw(st.sampled_from([0.0, 0.05]))
    R[hopeless, rng.integers(0, m)] += 2**60
    return C, R, A


@settings(max_examples=120, deadline=None)
@given(wide_systems())
def test_both_row_passes_agree_with_numpy_and_the_reference(system):
    check_both_paths(*system, with_reference=True)


@settings(max_examples=15, deadline=None)
@given(st.integers(500, 2500), st.sampled_from([31, 32, 33, 45, 64, 67, 100]),
       st.integers(0, 2**32 - 1), st.sampled_from(["hidden", "staircase", "hoarder"]))
def test_both_row_passes_agree_on_larger_wide_systems(n, m, seed, family):
    make = {"hidden": inputs.hidden_order_system, "staircase": inputs.staircase_system,
            "hoarder": inputs.hoarder_staircase_system}[family]
    C, R, A = make(n, m, seed=seed)
    A = A.copy()
    A[0] -= 1 if A[0] > 0 else 0  # often some deadlocked
    check_both_paths(C, R, A)


def test_weights_that_tie_in_every_lane_and_the_tail():
    # A hand-checked answer where the weighing ties everywhere. Every process holds one unit
    # of each of m = 37 types (nine vector steps and a scalar tail) and nothing is free;
    # process k < 7 asks for 7 - k units of types 5, 10, 20 and 36 (lanes 1, 2 and 0 of three
    # vector steps, and the tail): equal shortfalls of types with equal held units, so equal
    # shares. Process 7 asks for nothing, so the first sweep finishes only it and the rest
    # go through the weighed watches; they then finish 6, 5, .., 0. Process 8 asks for 9
    # units of type 3: 9 exist, but one is its own, so at most 8 are ever free: deadlocked.
    # (Which type a tie watches shows in the orders that ``check_both_paths`` compares:
    # reversing the AVX2 lanes' tie rule makes
    # ``test_both_row_passes_agree_with_numpy_and_the_reference`` fail.)
    n, m = 9, 37
    C = np.ones((n, m), dtype=np.int64)
    R = np.zeros((n, m), dtype=np.int64)
    A = np.zeros(m, dtype=np.int64)
    for k in range(7):
        R[k, [5, 10, 20, 36]] = 7 - k
    R[8, 3] = 9
    assert check_both_paths(C, R, A, with_reference=True) == [8]
    for avx2 in PATHS:
        order, final = run(*_inputs.matrix_system(C, R, A), "auto", avx2)
        assert order.tolist() == [7, 6, 5, 4, 3, 2, 1, 0] and final.tolist() == [8] * m


def test_shares_above_2_to_the_53_round_the_same_way():
    # Shortfalls around 2^62 that differ below double precision: the AVX2 conversion must
    # round them exactly as cvtsi2sd does, or the watched types (and orders) would differ.
    m = 33
    rng = np.random.default_rng(5)
    n = 40
    C = np.ones((n, m), dtype=np.int64) * (2**56)
    A = np.zeros(m, dtype=np.int64)
    R = rng.integers(0, 2**10, size=(n, m)) + (2**62 + rng.integers(0, 3, size=(n, m)))
    R[rng.random((n, m)) < 0.7] = 0
    R[: n // 4] = 0  # some finish at once and free units
    check_both_paths(C, R, A)


def test_row_pass_switch():
    assert _matrix.avx2(False) is False and _matrix.avx2() is False
    assert _matrix.avx2(True) is HAS_AVX2 and _matrix.avx2() is HAS_AVX2


def test_environment_variable_forces_the_portable_passes():
    code = "from cysolve.deadlock import _matrix; print(_matrix.avx2())"
    env = dict(os.environ, CYSOLVE_NO_AVX2="1")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "False"
    env["CYSOLVE_NO_AVX2"] = "0"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == str(HAS_AVX2)


def test_c_ceiling_takes_the_same_turns_on_wide_rows():
    # bench/c/matrix.c is scalar: the AVX2 kernel must still pick the same processes in the
    # same turns on rows of 32 types or more.
    from cysolve.bench import ceiling

    try:
        c_detect = ceiling.matrix()
    except ceiling.CeilingUnavailable as why:
        pytest.skip(str(why))
    systems = [inputs.hidden_order_system(800, 41, seed=3),
               inputs.staircase_system(600, 64, seed=2),
               inputs.hoarder_staircase_system(500, 35, seed=1),
               inputs.hidden_order_system(500, 33, seed=4, max_hold=10**6)]
    for C, R, A in systems:
        C, R, A = _inputs.matrix_system(C, R, A)
        order, final = c_detect(C, R, A)
        for avx2 in PATHS:
            want_order, want_final = run(C, R, A, "auto", avx2)
            np.testing.assert_array_equal(final, want_final)
            np.testing.assert_array_equal(order, want_order)
