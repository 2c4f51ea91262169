"""Deadlock detection after Tanenbaum, *Modern Operating Systems* (section 6.4).

- Several units of each resource type: the matrix algorithm (``detect``, ``detect_batch``)
  and Banker's safety test (``is_safe``, ``request_ok``, and over many states at once
  ``is_safe_batch``, ``request_ok_batch``) - public wrappers in ``matrix.py``.
- One unit of each resource type: cycles in resource-allocation / wait-for graphs
  (``detect_graph``, ``find_cycle``, ``resource_graph``) - public wrappers in ``graph.py``.
- Online, one event at a time: ``WaitForGraph`` (``online.py``) answers whether each new wait
  closes a cycle and who to abort; ``Banker`` (``banker.py``) decides each request of a
  Banker's state kept between calls.
"""

from cysolve.deadlock._text import REPORT_LIMIT
from cysolve.deadlock.banker import Banker
from cysolve.deadlock.graph import (
    GraphDetection,
    ResourceGraph,
    detect_graph,
    find_cycle,
    resource_graph,
)
from cysolve.deadlock.matrix import (
    Detection,
    Safety,
    detect,
    detect_batch,
    is_safe,
    is_safe_batch,
    request_ok,
    request_ok_batch,
)
from cysolve.deadlock.online import WaitForGraph

__all__ = [
    "REPORT_LIMIT",
    # several units per resource type: the matrix algorithm and Banker's (matrix.py)
    "Detection",
    "Safety",
    "detect",
    "detect_batch",
    "is_safe",
    "is_safe_batch",
    "request_ok",
    "request_ok_batch",
    # one unit per resource type: cycles in graphs (graph.py)
    "GraphDetection",
    "ResourceGraph",
    "detect_graph",
    "find_cycle",
    "resource_graph",
    # online: one event at a time (online.py, banker.py)
    "WaitForGraph",
    "Banker",
]
