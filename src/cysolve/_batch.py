"""Running a batch kernel in chunks: prompt Ctrl-C, an optional progress bar, one policy.

A kernel call releases the GIL and cannot be interrupted, so a batch is cut into chunks of
about ``CHUNK_SECONDS`` of estimated work; Python handles Ctrl-C between them, and tqdm shows
progress over the instances when asked.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from tqdm.auto import tqdm

CHUNK_SECONDS = 0.05


def chunk_edges(seconds: np.ndarray) -> list[int]:
    """Chunk boundaries ``[0, ..., k]`` for instances whose estimated times are ``seconds``."""
    k = len(seconds)
    if k == 0:
        return [0]
    done = np.cumsum(seconds, dtype=np.float64)
    cuts = np.searchsorted(done, np.arange(CHUNK_SECONDS, done[-1], CHUNK_SECONDS), side="right")
    return sorted({0, *cuts.tolist(), k})


def run_in_chunks(edges: list[int], solve: Callable[[int, int], None], *, progress: bool,
                  unit: str) -> None:
    """Call ``solve(lo, hi)`` for each chunk, updating a tqdm bar when ``progress`` is true."""
    with tqdm(total=edges[-1], disable=not progress, unit=unit) as bar:
        for lo, hi in zip(edges[:-1], edges[1:], strict=True):
            solve(lo, hi)
            bar.update(hi - lo)
