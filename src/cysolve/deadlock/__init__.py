"""Deadlock detection after Tanenbaum, *Modern Operating Systems* (section 6.4).

- Several units of each resource type: the matrix algorithm (``detect``, ``detect_batch``)
  and Banker's safety test (``is_safe``, ``request_ok``) - public wrappers in ``matrix.py``.
- One unit of each resource type: cycles in resource-allocation / wait-for graphs
  (``detect_graph``, ``resource_graph``) - public wrappers in ``graph.py``.
"""

from cysolve.deadlock.graph import GraphDetection, detect_graph, resource_graph

__all__: list[str] = ["GraphDetection", "detect_graph", "resource_graph"]
