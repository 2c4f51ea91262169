"""Deterministic inputs for the benchmarks and the tests: every generator takes a seed.

The adversarial shapes live here once, so the test strategies, ``cysolve bench`` and the
pytest-benchmark suite all exercise the same systems.
"""

from __future__ import annotations

import numpy as np


def xscore_instance(n: int, seed: int = 709) -> np.ndarray:
    """``n`` values in 0..50 (TopCoder's range), one fixed draw per ``(n, seed)``."""
    return np.random.default_rng(seed + n).integers(0, 51, size=n)


def xscore_batch(k: int, n: int, seed: int = 709) -> np.ndarray:
    """A (k, n) batch of values in 0..50."""
    return np.random.default_rng(seed).integers(0, 51, size=(k, n))


def chain_system(n: int, m: int, broken: int | None = None, seed: int = 0):
    """An adversarial chain: process i waits for what processes i+1, i+2 ... hold.

    Process i holds one unit of type i % m and requests every unit of type (i+1) % m that
    the processes after it hold, so each textbook pass finishes exactly one process, from
    the last one back. With ``broken = b``, process b asks for one unit more than can ever
    be free: b and everything before it is deadlocked. Rows are shuffled by ``seed``.
    Returns ``(C, R, A)``, int64, and the permutation (``perm[new row] = chain position``).
    """
    C = np.zeros((n, m), dtype=np.int64)
    R = np.zeros((n, m), dtype=np.int64)
    if m:
        C[np.arange(n), np.arange(n) % m] = 1
        held_after = np.zeros(m, dtype=np.int64)
        for i in range(n - 1, -1, -1):
            t = (i + 1) % m
            R[i, t] = held_after[t] + (1 if i == broken else 0)
            held_after[i % m] += 1
    perm = np.random.default_rng(seed).permutation(n)
    return C[perm], R[perm], np.zeros(m, dtype=np.int64), perm


def hidden_order_system(n: int, m: int, seed: int = 0, max_hold: int = 5,
                        vectorised: bool = False):
    """A system that fully drains only in a hidden order, after many textbook passes.

    Process at rank t of a random order requests a random share of what is free once the
    ranks before it finished. Returns ``(C, R, A)``, int64. ``vectorised``: the same law
    drawn without a Python loop (other numbers for the same seed; for n up to millions).
    """
    rng = np.random.default_rng(seed)
    C = rng.integers(0, max_hold + 1, size=(n, m), dtype=np.int64)
    A0 = rng.integers(0, max_hold + 1, size=m, dtype=np.int64)
    if vectorised:
        perm = rng.permutation(n)
        free = np.cumsum(C[perm], axis=0) - C[perm] + A0  # free[t]: once ranks < t finished
        R = np.empty((n, m), dtype=np.int64)
        R[perm] = np.floor(free * rng.random((n, m)) ** 0.25).astype(np.int64)
        return C, R, A0
    R = np.zeros((n, m), dtype=np.int64)
    free = A0.copy()
    for p in rng.permutation(n):
        R[p] = np.floor(free * rng.random(m) ** 0.25).astype(np.int64)
        free += C[p]
    return C, R, A0


def staircase_system(n: int, m: int, seed: int = 0, max_hold: int = 12, lag: int = 1):
    """The matrix kernel's own worst case: every process waits on each of its types in turn.

    A hidden order as in ``hidden_order_system``, but the process at rank t asks, of type j,
    for exactly what is free once ranks ``< t - (m - 1 - j) * lag`` finished (every process
    holds 1..``max_hold`` of every type, so each step frees something of every type). Its
    types are met one after another, type 0 first: it watches all m of them in turn (Holt's
    O(nm) bound is met; random systems watch about ``ln m`` types), each watch re-reads its
    request row at a random place, and the counts (mean ``max_hold / 2`` a process) make the
    bucket queues as wide as the shape rule allows (16 units). Returns ``(C, R, A)``, int64.
    """
    rng = np.random.default_rng(seed)
    C = rng.integers(1, max_hold + 1, size=(n, m), dtype=np.int64)
    A0 = rng.integers(0, max_hold + 1, size=m, dtype=np.int64)
    perm = rng.permutation(n)
    free = np.empty((n + 1, m), dtype=np.int64)  # free[t]: once ranks < t finished
    free[0] = A0
    np.cumsum(C[perm], axis=0, out=free[1:])
    free[1:] += A0
    ranks = np.arange(n)[:, None] - (m - 1 - np.arange(m))[None, :] * lag
    R = np.empty((n, m), dtype=np.int64)
    R[perm] = free[np.clip(ranks, 0, None), np.arange(m)[None, :]]
    return C, R, A0



def decoy_staircase_system(n: int, m: int, seed: int = 0, early: float = 0.1,
                           max_hold: int = 12, decoy_hold: int = 120):
    """The ranked seats' worst case found: a staircase whose shares lie about its order.

    ``staircase_system`` (``m >= 2``), but type 0 is a decoy: only the first ``early``
    share of the ranks hold it (``decoy_hold`` each), and every later rank asks for a
    random amount of it, up to all of it. The decoy is all free once the early ranks
    finish, so the order is the staircase's, but its share (``(R[i][0] - A[0]) / held``,
    uniform in 0..1) is most processes' largest: the kernel's ranking by the largest share
    is a random order, so most seats fail (the first guessed watches too), and the requests
    span the decoy's units (no narrowing: the radix heaps run). The kernel ranks again once
    3 in 4 seats fail (``watch_buckets``). Returns ``(C, R, A)``, int64.
    """
    C, R, A = staircase_system(n, m, seed=seed, max_hold=max_hold)
    rng = np.random.default_rng(seed + 1)
    ranks = np.argsort(R[:, -1], kind="stable")  # the staircase's order: its last type
    k = max(1, int(early * n))
    first, rest = ranks[:k], ranks[k:]
    C[:, 0] = 0
    C[first, 0] = decoy_hold
    R[:, 0] = 0
    R[rest, 0] = rng.integers(A[0] + 1, A[0] + decoy_hold * len(first) + 1, size=len(rest))
    return C, R, A


def uniform_system(n: int, m: int, seed: int = 0):
    """Uniform random counts 0..9: most processes finish in the first passes."""
    rng = np.random.default_rng(seed)
    C = rng.integers(0, 10, size=(n, m), dtype=np.int64)
    R = rng.integers(0, 10, size=(n, m), dtype=np.int64)
    A = rng.integers(0, 10, size=m, dtype=np.int64)
    return C, R, A


def system_batch(k: int, n: int, m: int, seed: int = 0):
    """k hidden-order systems of n x m, with about 2% of requests raised (some deadlock)."""
    rng = np.random.default_rng(seed)
    systems = [hidden_order_system(n, m, seed=int(s)) for s in rng.integers(0, 2**32, size=k)]
    C = np.stack([s[0] for s in systems])
    R = np.stack([s[1] for s in systems])
    A = np.stack([s[2] for s in systems])
    R += (rng.random(R.shape) < 0.02) * rng.integers(0, 10, size=R.shape)
    return C, R, A


def random_edges(n: int, m: int, seed: int = 0, dag: bool = False):
    """``m`` random edges ``src -> dst`` on ``n`` nodes (int64); ``dag``: all point upwards."""
    rng = np.random.default_rng(seed)
    src = rng.integers(0, n, m, dtype=np.int64)
    dst = rng.integers(0, n, m, dtype=np.int64)
    if dag:  # every edge from the smaller id to the larger: acyclic, nothing to stop early on
        src, dst = np.minimum(src, dst), np.maximum(src, dst)
        keep = src != dst
        src, dst = src[keep], dst[keep]
    return src, dst


def hoarder_staircase_system(n: int, m: int, seed: int = 0, hoarders: int = 4,
                             max_hold: int = 12):
    """The matrix kernel's watch rule at its worst: a staircase whose type weights lie.

    ``staircase_system`` of ``n - hoarders`` processes (types met in order 0, 1, ... m - 1),
    plus ``hoarders`` deadlocked processes that hold ``4^j`` times (``4^20`` from j = 20 on)
    as much of type j as all the others together and ask for more than can ever be free.
    A waiting process watches the type whose shortfall is the largest share of what the
    waiting processes hold of it; the hoarders' units (never released) shrink the shares of
    the high types the most, so the first unmet type always looks furthest away and is met
    first: every guess fails, and a process would move once per type (``W = nm``), weighing
    the rest of its row each time. The held counts are huge (the buckets would be too wide)
    while the requests are small: the kernel narrows its buckets and weights to the requests
    (``key_span``), which defuses both. Returns ``(C, R, A)``, int64.
    """
    C, R, A = staircase_system(n - hoarders, m, seed=seed, max_hold=max_hold)
    held = C.sum(axis=0)
    scale = 4 ** np.minimum(np.arange(m), 20)
    extra = np.maximum(1, (held * scale) // max(hoarders, 1))
    HC = np.tile(extra, (hoarders, 1)).astype(np.int64)
    HR = np.zeros((hoarders, m), dtype=np.int64)
    HR[:, 0] = A[0] + held[0] + extra[0] * hoarders + 1  # more than can ever be free
    return np.vstack([C, HC]), np.vstack([R, HR]), A


def beggar_system(n: int, m: int, seed: int = 0):
    """The matrix kernel's worst case found: a hoarder staircase that narrowing cannot help.

    ``hoarder_staircase_system`` of ``n - 1`` processes plus one "beggar" that holds nothing
    and asks for every unit of type 0 that exists: never met (the hoarders never finish),
    but not beyond what can be free either, so its key keeps type 0's span as wide as the
    hoarded units, the sample refuses to narrow, and the radix heaps run (about 6.6x the
    read floor at 100,000 x 10; ``BENCHMARKS.md``). Returns ``(C, R, A)``, int64.
    """
    C, R, A = hoarder_staircase_system(n - 1, m, seed=seed)
    beggar = np.zeros((1, m), dtype=np.int64)
    ask = beggar.copy()
    ask[0, 0] = A[0] + C[:, 0].sum()
    return np.vstack([C, beggar]), np.vstack([R, ask]), A
