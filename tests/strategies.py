"""Hypothesis strategies shared by the test modules (one section per family)."""

from hypothesis import strategies as st

# --- xscore -----------------------------------------------------------------------------------

def xscore_values(max_n, max_value=63, min_n=0):
    """One XScoreGame instance: a list of non-negative ints, often with repeats."""
    return st.integers(0, max_value).flatmap(
        lambda top: st.lists(st.integers(0, top), min_size=min_n, max_size=max_n)
    )


def xscore_batches(max_k=12, max_n=8, max_value=63):
    """A ragged batch of instances."""
    return st.lists(xscore_values(max_n, max_value), max_size=max_k)


# --- deadlock: matrix algorithm -------------------------------------------------------------


# --- deadlock: graphs ----------------------------------------------------------------------
