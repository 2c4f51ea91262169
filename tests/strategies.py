"""Hypothesis strategies shared by the test modules (one section per family)."""

from hypothesis import strategies as st

# --- xscore -----------------------------------------------------------------------------------


# --- deadlock: matrix algorithm -------------------------------------------------------------


# --- deadlock: graphs ----------------------------------------------------------------------
