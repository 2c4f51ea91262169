"""The pytest-benchmark suite reads its inputs and implementations from cysolve.bench.cases.

Run it with ``pytest benchmarks/ --benchmark-only`` (add ``--benchmark-json out.json`` to keep
the numbers, ``--benchmark-compare`` to compare runs). Every implementation's answer is
checked against the kernel's on the same input; peers that are missing here are skipped with
the reason.
"""

import functools

import pytest

from cysolve.bench.ceiling import CeilingUnavailable

SLOW_CALL = 0.5  # seconds: slower calls are timed in 3 rounds instead of a calibrated loop


def parametrize_cases(case_list):
    """``@pytest.mark.parametrize`` over every (case, implementation) pair."""
    pairs = [(case, impl) for case in case_list for impl in case.implementations]
    ids = [f"{case.label}-{impl}".replace(" ", "_") for case, impl in pairs]
    return pytest.mark.parametrize(("case", "impl"), pairs, ids=ids)


@functools.cache
def _inputs_and_answer(case):
    args = case.build()
    return args, case.implementations[case.baseline]()(*args)


@pytest.fixture
def bench_case(benchmark):
    def go(case, impl):
        benchmark.group = case.title
        try:
            fn = case.implementations[impl]()
        except (ImportError, CeilingUnavailable) as exc:
            pytest.skip(f"{impl} unavailable: {exc}")
        args, expected = _inputs_and_answer(case)
        import time

        start = time.perf_counter()
        got = fn(*args)
        if time.perf_counter() - start > SLOW_CALL:
            benchmark.pedantic(fn, args=args, rounds=3, iterations=1)
        else:
            benchmark(fn, *args)
        assert case.same(got, expected), f"{impl} disagrees with {case.baseline}"

    return go
