"""The benchmark inputs and the implementations compared on each, for every family.

One :class:`Case` is one input (built from a fixed seed) and every implementation that runs on
it; ``cysolve bench`` and the pytest-benchmark suite in ``benchmarks/`` both read these lists,
so the two always measure the same things. Profiles: ``"tiny"`` (the smoke test: seconds),
``"quick"`` (``cysolve bench --quick``: under a minute) and ``"full"``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cysolve import xscore
from cysolve.bench import ceiling, peers
from cysolve.xscore import reference as xscore_reference

PROFILES = ("tiny", "quick", "full")


@dataclass(frozen=True, eq=False)  # hashed by identity: the suite caches inputs per case
class Case:
    """One input and the implementations timed on it.

    ``implementations`` maps a name to a factory that returns ``fn(*args)``; a factory raises
    ``ImportError`` or :class:`~cysolve.bench.ceiling.CeilingUnavailable` when that peer is
    missing here. The first implementation is the kernel every ratio is taken against.
    """

    family: str
    series: str  # one line of the scaling plot per (series, implementation)
    label: str
    size: float
    build: Callable[[], tuple]
    implementations: dict[str, Callable[[], Callable[..., Any]]]
    same: Callable[[Any, Any], bool] = operator.eq
    growth: str = "power"  # how the series is fitted: "power" (size**p) or "exponential" (g**size)
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return f"{self.family} {self.label}"

    @property
    def baseline(self) -> str:
        return next(iter(self.implementations))


def _ready(fn):
    """A factory for an implementation that is always available."""
    return lambda: fn


# --- xscore ---------------------------------------------------------------------------------

XSCORE_SEED = 709
XSCORE_SIZES = {
    "tiny": [4, 6, 8],
    "quick": [4, 6, 8, 10, 12, 14, 16],
    "full": [4, 6, 8, 10, 12, 14, 15, 16, 18, 20],
}
# Largest n each slower implementation is run at (it would take minutes beyond).
XSCORE_LIMITS = {"python-dp": 12, "python-bruteforce": 8, "residue": 18, "c-residue": 18}


def xscore_instance(n: int) -> np.ndarray:
    """Values 0..50 (TopCoder's range) from a fixed seed per ``n``."""
    return np.random.default_rng(XSCORE_SEED + n).integers(0, 51, size=n)


def xscore_cases(profile: str) -> list[Case]:
    implementations = {
        "kernel": _ready(lambda a: xscore.best_score(a)),
        "residue": _ready(lambda a: xscore.best_score(a, method="residue")),
        "numba": peers.numba_xscore,
        "c-dominance": lambda: ceiling.xscore("dominance"),
        "c-residue": lambda: ceiling.xscore("residue"),
        "python-dp": _ready(lambda a: xscore_reference.best_score_dp(a.tolist())),
        "python-bruteforce": _ready(lambda a: xscore_reference.best_score_bruteforce(a.tolist())),
    }
    cases = []
    for n in XSCORE_SIZES[profile]:
        chosen = {
            name: make
            for name, make in implementations.items()
            if n <= XSCORE_LIMITS.get(name, n)
        }
        cases.append(
            Case("xscore", "best_score", f"n={n}", n, lambda n=n: (xscore_instance(n),),
                 chosen, growth="exponential")
        )
    k, n = {"tiny": (50, 8), "quick": (2000, 12), "full": (2000, 12)}[profile]
    batch = lambda: (np.random.default_rng(XSCORE_SEED).integers(0, 51, size=(k, n)),)  # noqa: E731
    cases.append(
        Case(
            "xscore", "batch", f"batch {k} x n={n}", k, batch,
            {
                "kernel all threads": _ready(lambda b: xscore.best_scores(b, num_threads=-1)),
                "kernel 1 thread": _ready(lambda b: xscore.best_scores(b, num_threads=1)),
            },
            same=np.array_equal,
        )
    )
    return cases


FAMILIES: dict[str, Callable[[str], list[Case]]] = {"xscore": xscore_cases}


def all_cases(profile: str = "quick", families=None) -> list[Case]:
    if profile not in PROFILES:
        raise ValueError(f"profile = {profile!r}: must be one of {', '.join(PROFILES)}")
    chosen = FAMILIES if families is None else {f: FAMILIES[f] for f in families}
    return [case for make in chosen.values() for case in make(profile)]
