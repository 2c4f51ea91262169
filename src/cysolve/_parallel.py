"""How many threads a kernel gets, and how a batch runs: in chunks, with progress and Ctrl-C.

The thread policy is scikit-learn's (``num_threads``). A kernel call releases the GIL and
cannot be interrupted, so a batch is cut into chunks of about ``CHUNK_SECONDS`` of estimated
work; Python handles Ctrl-C between them, and tqdm shows progress over the instances when
asked. Every batch API (``xscore.best_scores``, ``deadlock.detect_batch``) goes through
:func:`run`.
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Callable

import numpy as np
from tqdm.auto import tqdm

from cysolve._openmp import omp_max_threads, openmp_enabled

CHUNK_SECONDS = 0.05

def _usable_cpus() -> int:
    """CPUs this process may use: affinity mask and cgroup v2/v1 quota (as joblib counts)."""
    try:
        count = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        count = os.cpu_count() or 1
    quota = _cgroup_cpu_quota()
    if quota is not None:
        count = min(count, quota)
    return max(1, count)


def _cgroup_cpu_quota() -> int | None:
    try:
        with open("/sys/fs/cgroup/cpu.max") as f:
            quota, period = f.read().split()[:2]
        if quota != "max":
            return max(1, -(-int(quota) // int(period)))
    except (OSError, ValueError):
        pass
    try:
        with open("/sys/fs/cgroup/cpu/cpu.cfs_quota_us") as f:
            quota_us = int(f.read())
        with open("/sys/fs/cgroup/cpu/cpu.cfs_period_us") as f:
            period_us = int(f.read())
        if quota_us > 0 and period_us > 0:
            return max(1, -(-quota_us // period_us))
    except (OSError, ValueError):
        pass
    return None


# A thread is worth starting for about this much work: below it, waking the OpenMP team costs
# more than it saves (and on a loaded machine a woken thread can wait milliseconds for a core).
SECONDS_PER_THREAD = 1e-3


MAX_THREADS_PER_CPU = 4
MIN_THREAD_CAP = 64


def num_threads(value, name: str = "num_threads", *, work_seconds: float | None = None) -> int:
    """scikit-learn's thread-count convention, as a positive int.

    ``None`` means every usable core (``OMP_NUM_THREADS``, affinity and cgroup quotas
    respected); a negative number counts back from that (``-1`` = all, ``-2`` = all but one);
    ``0`` is an error; a build without OpenMP always runs on 1 thread. For ``None`` and
    negative values, a batch whose estimated ``work_seconds`` is small gets fewer threads
    (one per ``SECONDS_PER_THREAD``); an explicit positive count is honoured as given, up to
    ``MAX_THREADS_PER_CPU`` threads per usable core (at least ``MIN_THREAD_CAP``): beyond that
    more threads only oversubscribe, and an OpenMP runtime that cannot create the threads it is
    asked for ends the process ("libgomp: Thread creation failed"), it does not raise.
    """
    if value is not None and (isinstance(value, bool) or not isinstance(value, numbers.Integral)):
        raise TypeError(f"{name} must be an integer or None, not {type(value).__name__}")
    if value == 0:
        raise ValueError(f"{name} = 0: use None or -1 for all cores, or a positive count")
    if not openmp_enabled():
        return 1
    if value is not None and value > 0:
        return min(int(value), max(MIN_THREAD_CAP, MAX_THREADS_PER_CPU * _usable_cpus()))
    most = max(1, min(omp_max_threads(), _usable_cpus()))
    chosen = most if value is None else max(1, most + 1 + int(value))
    if work_seconds is not None:
        chosen = max(1, min(chosen, int(work_seconds / SECONDS_PER_THREAD)))
    return chosen


def chunk_edges(seconds: np.ndarray) -> list[int]:
    """Chunk boundaries ``[0, ..., k]`` for instances whose estimated times are ``seconds``."""
    k = len(seconds)
    if k == 0:
        return [0]
    done = np.cumsum(seconds, dtype=np.float64)
    cuts = np.searchsorted(done, np.arange(CHUNK_SECONDS, done[-1], CHUNK_SECONDS), side="right")
    return sorted({0, *cuts.tolist(), k})


def run(
    solve: Callable[[int, int, int], None],
    seconds: np.ndarray,
    *,
    threads: int,
    progress: bool,
    unit: str,
) -> None:
    """Call ``solve(lo, hi, threads)`` over chunks of a batch whose instances take ``seconds``.

    ``threads`` is a count from :func:`num_threads` (already resolved); each chunk holds
    about ``CHUNK_SECONDS`` of work for that many threads, so Ctrl-C (between chunks) is
    prompt and a tqdm bar over the instances moves when ``progress`` is true.
    """
    edges = chunk_edges(np.asarray(seconds, dtype=np.float64) / threads)
    with tqdm(total=edges[-1], disable=not progress, unit=unit) as bar:
        for lo, hi in zip(edges[:-1], edges[1:], strict=True):
            solve(lo, hi, threads)
            bar.update(hi - lo)


def effective_threads(value: int | None = None) -> int:
    """The number of threads a kernel given ``num_threads=value`` runs on at most.

    scikit-learn's convention: ``None`` every usable core (``OMP_NUM_THREADS``, affinity and
    cgroup quotas respected), ``-1`` all, ``-2`` all but one, ``0`` a ValueError; 1 in a build
    without OpenMP. Batches too small to pay for a team may use fewer.

    Examples
    --------
    >>> import cysolve
    >>> cysolve.effective_threads(1)
    1
    """
    return num_threads(value)
