"""Shared fixtures for the benchmark suite (run with ``pytest benchmarks/ --benchmark-only``)."""

import pytest


@pytest.fixture
def run(benchmark):
    """``run(fn, *args, rounds=None)``: benchmark ``fn(*args)`` and return its result.

    Slow implementations (pure Python) pass ``rounds`` to be timed that many times only,
    instead of pytest-benchmark's calibrated loop.
    """

    def go(fn, *args, rounds=None, **kwargs):
        if rounds is None:
            return benchmark(fn, *args, **kwargs)
        return benchmark.pedantic(fn, args=args, kwargs=kwargs, rounds=rounds, iterations=1)

    return go
