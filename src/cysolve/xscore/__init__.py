"""XScoreGame (TopCoder SRM 709): the best order for ``x <- x + (x XOR a_i)``.

Start with ``x = 0`` and apply every element of ``a`` once, in an order of your choice, as
``x = x + (x ^ a_i)``. :func:`best_score` finds the largest final ``x`` exactly, by a DP over
the multiset of values used and the low bits of ``x``; :func:`best_order` also returns an order
reaching it; :func:`best_scores` solves a batch on every core. ``cysolve.xscore.reference``
holds the plain-Python definitions the kernels are tested against.

Examples
--------
>>> from cysolve import xscore
>>> xscore.best_score([1, 2, 3])
12
>>> score, order = xscore.best_order([1, 2, 3])
>>> xscore.play([1, 2, 3], order) == score
True
>>> xscore.best_scores([[1, 2, 3], [10, 0, 0, 0], []]).tolist()
[12, 80, 0]
"""

from cysolve.xscore import reference
from cysolve.xscore.solve import (
    DEFAULT_MAX_MEMORY,
    METHODS,
    best_order,
    best_orders,
    best_score,
    best_scores,
    memory_needed,
    play,
)

__all__ = [
    "DEFAULT_MAX_MEMORY",
    "METHODS",
    "best_order",
    "best_orders",
    "best_score",
    "best_scores",
    "memory_needed",
    "play",
    "reference",
]
