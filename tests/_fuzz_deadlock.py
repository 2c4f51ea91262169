"""Fuzz targets for cysolve.deadlock (see tests/_fuzz_worker.py).

Each target is built only when ``cysolve.deadlock`` has the function, so this file works
before and after the deadlock family is merged; a missing function is reported as SKIP.
"""

from cysolve import deadlock


def groups(ns):
    def missing(name):
        return lambda: None if not hasattr(deadlock, name) else None

    return {
        "deadlock_matrix": {n: missing(n) for n in ("detect", "detect_batch", "is_safe", "request_ok")},
        "deadlock_graph": {n: missing(n) for n in ("detect_graph", "resource_graph")},
    }
