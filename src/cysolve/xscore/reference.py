"""XScoreGame in plain Python: the definition, brute force and the 64-residue DP.

TopCoder SRM 709 Div 1 Level 1 "Xscoregame". Start with ``x = 0``; use every element of ``a``
once, in any order, doing ``x = x + (x ^ a_i)``; maximise the final ``x``. The oracle for the
tests and the baseline for the benchmarks. Never imported by a kernel.
"""

from collections.abc import Sequence
from itertools import permutations

# The problem statement's examples with their official answers: ``(a, best score)``.
TOPCODER_EXAMPLES = [
    ([1, 2, 3], 12),
    ([10, 0, 0, 0], 80),
    ([1, 1, 1, 1, 1, 1], 1),
    ([1, 0, 1, 0, 1, 0, 1, 0], 170),
    ([50, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1], 830122),
]


def play(a: Sequence[int], order: Sequence[int]) -> int:
    """The final ``x`` after applying ``a[i]`` for ``i`` in ``order``."""
    a = [int(v) for v in a]
    x = 0
    for i in order:
        x = x + (x ^ a[i])
    return x


def best_score_bruteforce(a: Sequence[int]) -> int:
    """The best score over all ``n!`` orders (use only for small ``n``)."""
    a = [int(v) for v in a]
    return max(play(a, order) for order in permutations(range(len(a))))


def best_score_dp(a: Sequence[int]) -> int:
    """The best score by the 64-residue subset DP, in its most direct form.

    With every value below ``R = 2**b``, write ``x = h * R + r``. Then
    ``x + (x ^ v) = 2h * R + r + (r ^ v)``: the future depends only on ``r``, and for equal
    ``r`` a larger ``h`` is never worse. ``best[mask][r]`` is the largest ``h`` over orders of
    the elements in ``mask`` that end on residue ``r``.
    """
    a = [int(v) for v in a]
    n = len(a)
    b = max(1, max(a, default=0).bit_length())
    R = 1 << b
    best = [dict() for _ in range(1 << n)]
    best[0][0] = 0
    for mask in range(1 << n):
        for r, h in best[mask].items():
            for i in range(n):
                if mask & (1 << i):
                    continue
                t = r + (r ^ a[i])
                new_r, new_h = t % R, 2 * h + t // R
                nxt = best[mask | (1 << i)]
                if nxt.get(new_r, -1) < new_h:
                    nxt[new_r] = new_h
    return max(h * R + r for r, h in best[(1 << n) - 1].items())


def best_score_frontier(a):
    """The best score by the layer frontier: only the states with the layer's largest ``h``.

    After ``k`` steps every order has ``x = h * R + r``; the ``n - k`` steps left turn it into
    ``(h * 2**(n-k) + c) * R + r'`` with ``c < 2**(n-k)`` and ``r' < R``, so a state whose
    ``h`` is below the layer's largest ``H`` can never win, whatever values it used. A state
    is the multiset of values used (a tuple of counts) with the set of residues reaching ``H``.
    """
    a = [int(v) for v in a]
    b = max(1, max(a, default=0).bit_length())
    R = 1 << b
    values = sorted(set(a))
    copies = [a.count(v) for v in values]
    frontier = {tuple(0 for _ in values): {0}}
    H = 0
    for _ in a:
        carried, plain = {}, {}
        for used, residues in frontier.items():
            for d, v in enumerate(values):
                if used[d] == copies[d]:
                    continue
                child = used[:d] + (used[d] + 1,) + used[d + 1 :]
                for r in residues:
                    t = r + (r ^ v)
                    chosen = carried if t >= R else plain
                    chosen.setdefault(child, set()).add(t % R)
        # If any child carries, only carrying children reach the new largest high part.
        frontier, H = (carried, 2 * H + 1) if carried else (plain, 2 * H)
    return H * R + max(frontier[tuple(copies)])
