"""How the deadlock family's results read as text: one size limit for every list.

Reports (``Detection.report``, ``Safety.report``, ``GraphDetection.report``) and reprs list
at most ``REPORT_LIMIT`` items of any one kind, then say how many there are in all; each
``report`` takes ``limit=None`` (the command line's ``--all``) to list everything. JSON output
always holds everything.
"""

from __future__ import annotations

from collections.abc import Sequence

REPORT_LIMIT = 20


def listing(items: Sequence[str], limit: int | None = REPORT_LIMIT) -> str:
    """``items`` joined by commas, cut after ``limit`` with the count in all."""
    if limit is None or len(items) <= limit:
        return ", ".join(items)
    return ", ".join(items[:limit]) + f", ... ({len(items)} in all)"
