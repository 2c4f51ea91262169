"""What every ``cysolve`` sub-command shares: exit statuses and messages on standard error."""

from __future__ import annotations

import sys

from cysolve import effective_threads

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


def err(message: str) -> None:
    """``message`` on standard error, after the program's name."""
    print(f"cysolve: {message}", file=sys.stderr)


def resolve_threads(value: int | None) -> int:
    """``--threads`` as the count the kernels will use (scikit-learn's convention).

    An explicit count above the usable cores runs (up to a cap) but is said once on stderr:
    more threads than cores only share them.
    """
    used = effective_threads(value)
    cores = effective_threads(-1)
    if value is not None and value > cores:
        err(f"warning: --threads {value} is more than the {cores} usable cores; "
            f"running {used} threads")
    return used
