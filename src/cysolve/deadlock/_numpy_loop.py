"""The textbook matrix algorithm vectorised with NumPy: a baseline for ``method="numpy"``.

Each pass tests every live process at once (``(R[live] <= A).all(axis=1)``) and finishes all
that fit; the textbook's pass structure, so it needs one pass per link on a chain:
O(n^2 m) element comparisons in the worst case, each pass at NumPy speed.
"""

from __future__ import annotations

import numpy as np


def detect(allocation: np.ndarray, request: np.ndarray, available: np.ndarray):
    """Return ``(order, available)`` for a validated system (int64 arrays, no overflow).

    The processes that fit at the start of a pass fit in every later ``A`` (it only grows),
    so finishing them in index order is a valid finishing order.
    """
    A = available.copy()
    live = np.arange(allocation.shape[0])
    finished = []
    while live.size:
        fits = (request[live] <= A).all(axis=1)
        if not fits.any():
            break
        done = live[fits]
        A += allocation[done].sum(axis=0)
        finished.append(done)
        live = live[~fits]
    order = np.concatenate(finished) if finished else np.empty(0, dtype=np.int64)
    return order.astype(np.int64, copy=False), A
