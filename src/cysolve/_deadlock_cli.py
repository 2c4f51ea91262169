"""``cysolve deadlock``: placeholder until cysolve.deadlock lands."""
from __future__ import annotations


def available() -> bool:
    return False
