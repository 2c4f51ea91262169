"""``cysolve deadlock FILE``: a system state in JSON, a report or JSON out; the demo's figures.

The state's form is told by its keys:

- ``{"allocation", "request", "available" | "existing"}`` - the matrix algorithm (several units
  per resource type); optional ``"processes"`` / ``"resources"``: names for the report.
- ``{"edges": [[u, v], ...]}`` - a resource-allocation graph (R -> P: P holds R; P -> R: P
  waits for R) or a wait-for graph (P -> Q); labels are strings or integers.
- ``{"holds": {resource: process}, "waits": {process: [resources]}}`` - who holds what and who
  waits for what.
- with ``--banker``: ``{"available", "allocation", "max_claim"}`` - Banker's safety check.

Errors name the file, the place in it (JSON line and column, or the key and index) and the rule.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Hashable

import numpy as np

from cysolve import deadlock
from cysolve.cli.batchio import InputError, refusals_named, strict_json

MATRIX_KEYS = {"allocation", "request", "available", "existing"}
BANKER_KEYS = {"available", "allocation", "max_claim"}
NAME_KEYS = {"processes", "resources", "comment"}


# --- reading the state ----------------------------------------------------------------------


def load(path: str) -> dict:
    """The JSON object in ``path`` (``-``: standard input), or an InputError saying where."""
    name = "<stdin>" if path == "-" else path
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with refusals_named(path), open(path, encoding="utf-8") as f:
                text = f.read()
    except UnicodeDecodeError:
        raise InputError(f"{name}: not UTF-8 text") from None
    state = strict_json(text, name)
    if not isinstance(state, dict):
        raise InputError(f"{name}: expected a JSON object with the system's state")
    return state


FORMS = (
    '{"allocation", "request", "available" | "existing"}, {"edges": [[u, v], ...]} or '
    '{"holds": {resource: process}, "waits": {process: [resources]}}'
)


def _kind(state: dict, name: str, banker: bool) -> str:
    """Which form the state is in, from its keys; an InputError for anything else."""
    keys = set(state) - NAME_KEYS
    if not banker and "max_claim" in keys:
        raise InputError(
            f"{name}: max_claim is for Banker's safety check, which needs --banker"
        )
    if banker:
        kind, allowed, required = "banker", BANKER_KEYS, BANKER_KEYS
    elif "edges" in keys:
        kind, allowed, required = "edges", {"edges"}, {"edges"}
    elif keys & {"holds", "waits"}:
        kind, allowed, required = "holds", {"holds", "waits"}, set()
    elif keys & MATRIX_KEYS:
        kind, allowed, required = "matrix", MATRIX_KEYS, {"allocation", "request"}
        if not keys & {"available", "existing"}:
            raise InputError(f'{name}: missing "available" or "existing"')
    else:
        raise InputError(f"{name}: expected {FORMS}; got keys {sorted(state)}")
    missing = required - keys
    unknown = keys - allowed
    expected = f"the {kind} form takes {', '.join(map(repr, sorted(allowed | NAME_KEYS)))}"
    if missing:
        odd = f"; unknown {_keys(unknown)}" if unknown else ""
        raise InputError(f"{name}: missing {_keys(missing)}{odd} ({expected})")
    if unknown:
        raise InputError(f"{name}: unknown {_keys(unknown)} ({expected})")
    return kind


def _keys(keys) -> str:
    names = ", ".join(map(repr, sorted(keys)))
    return f"key {names}" if len(keys) == 1 else f"keys {names}"


def _label(value, where: str) -> Hashable:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InputError(f"{where} = {json.dumps(value)}: labels must be strings or integers")
    return value


def _edges(state: dict, name: str) -> list[tuple]:
    edges = state["edges"]
    if not isinstance(edges, list):
        raise InputError(f"{name}: edges must be a list of [u, v] pairs")
    out = []
    for i, edge in enumerate(edges):
        if not isinstance(edge, list) or len(edge) != 2:
            raise InputError(
                f"{name}: edges[{i}] = {json.dumps(edge)}: each edge must be a pair [u, v]"
            )
        out.append((_label(edge[0], f"{name}: edges[{i}][0]"),
                    _label(edge[1], f"{name}: edges[{i}][1]")))
    return out


def _holds_waits(state: dict, name: str):
    holds = state.get("holds", {})
    waits = state.get("waits", {})
    for key, value in (("holds", holds), ("waits", waits)):
        if not isinstance(value, dict):
            raise InputError(f"{name}: {key} must be a JSON object, not {type(value).__name__}")
    for r, p in holds.items():
        if p is not None:
            _label(p, f"{name}: holds[{r!r}]")
    clean_waits = {}
    for p, rs in waits.items():
        rs = rs if isinstance(rs, list) else [rs]
        clean_waits[p] = [_label(r, f"{name}: waits[{p!r}][{j}]") for j, r in enumerate(rs)]
    return holds, clean_waits


# --- solving and reporting ------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    """``cysolve deadlock FILE``: detect (or, with --banker, check safety) and report."""
    if getattr(args, "events", None) is not None:
        return run_events(args)
    if args.file is None:
        raise InputError("give a state FILE, or --events FILE.jsonl")
    name = "<stdin>" if args.file == "-" else args.file
    if args.request is not None and not args.banker:
        args.parser.error("--request needs --banker (it asks Banker's algorithm)")
    state = load(args.file)
    kind = _kind(state, name, args.banker)
    limit = None if args.all else deadlock.REPORT_LIMIT
    if kind in ("edges", "holds"):
        extra = {key: _label_list(state, key, name) for key in ("processes", "resources")}
    if kind == "edges":
        adjacency = {p: [] for p in extra["processes"]}
        for u, v in _edges(state, name):
            adjacency.setdefault(u, []).append(v)
    elif kind == "holds":
        holds, waits = _holds_waits(state, name)
    try:
        dot = getattr(args, "dot", None)
        if dot is not None and kind in ("banker", "matrix"):
            raise InputError(f"{name}: --dot draws graphs; the {kind} form has none")
        if kind == "banker":
            if args.request is not None:
                return _request(state, args.request, args.json)
            return _banker(state, args.json, limit)
        if kind == "matrix":
            return _matrix(state, args.json, limit)
        if kind == "edges":
            return _graph(adjacency, args.json, limit, dot)
        graph = deadlock.resource_graph(holds=holds, waits=waits, **extra)
        return _graph(graph, args.json, limit, dot)
    except (TypeError, ValueError, OverflowError) as exc:
        if isinstance(exc, InputError):
            raise
        raise type(exc)(f"{name}: {exc}") from None


def _names(state: dict, key: str, count: int, default: str) -> list[str]:
    names = state.get(key)
    if names is None:
        return [f"{default} {i}" for i in range(count)]
    if not isinstance(names, list) or len(names) != count:
        raise ValueError(f"{key} must be a list of {count} names, one per {default}")
    return [str(x) for x in names]


def _label_list(state: dict, key: str, name: str) -> list:
    """The optional ``processes`` / ``resources`` labels of a graph form (isolated nodes)."""
    labels = state.get(key, [])
    if not isinstance(labels, list):
        raise InputError(f"{name}: {key} must be a list of labels")
    return [_label(x, f"{name}: {key}[{j}]") for j, x in enumerate(labels)]


def _matrix(state: dict, as_json: bool, limit: int | None) -> int:
    found = deadlock.detect(
        state["allocation"], state["request"],
        available=state.get("available"), existing=state.get("existing"),
    )
    n = found.deadlocked.size + found.order.size
    m = found.available.size
    procs = _names(state, "processes", n, "process")
    res = _names(state, "resources", m, "resource")
    if as_json:
        print(json.dumps({
            "kind": "matrix", "deadlock": bool(found), "deadlocked": found.deadlocked.tolist(),
            "order": found.order.tolist(), "available": found.available.tolist(),
            "shortfall": np.asarray(found.shortfall).tolist(),
        }))
        return 0
    print(found.report(procs, res, limit))
    return 0


def _sorted(labels) -> list:
    return sorted(labels, key=lambda x: (isinstance(x, str), x))


def _graph(graph, as_json: bool, limit: int | None, dot: str | None = None) -> int:
    found = deadlock.detect_graph(graph)
    if dot is not None:
        write_dot(found, dot)
    if as_json:
        order = found.finishing_order()
        doc = {"kind": "graph", "deadlock": bool(found), "cycle": found.cycle}
        if found.processes is None:  # a wait-for graph: every node is a process
            doc |= {"deadlocked": _sorted(found.deadlocked), "blocked": _sorted(found.blocked)}
        else:  # a resource-allocation graph: the same facts as the text report
            procs = found.processes
            doc |= {
                "deadlocked_processes": _sorted(found.deadlocked & procs),
                "blocked_processes": _sorted(found.blocked & procs),
                "resources_in_cycles": _sorted(found.deadlocked - procs),
            }
        print(json.dumps(doc | {"order": order}))
        return 0
    print(found.report(limit, order=True))
    return 0


def _request(state: dict, request: str, as_json: bool) -> int:
    """``--request PID V1,V2,...``: would granting it leave the state safe?"""
    try:
        process, values = _parse_request(request)
    except ValueError as exc:
        raise InputError(f"--request {request!r}: {exc}") from None
    granted = deadlock.request_ok(state["available"], state["allocation"], state["max_claim"],
                                  process, values)
    if as_json:
        print(json.dumps({"kind": "banker-request", "process": process, "request": values,
                          "granted": bool(granted)}))
    else:
        verdict = "grant it: the state stays safe" if granted else (
            "refuse it (for now): granting it would leave the state unsafe")
        print(f"process {process} asks for {', '.join(map(str, values))}: {verdict}")
    return 0


def _parse_request(text: str) -> tuple[int, list[int]]:
    """``"PID V1,V2,..."`` or ``"PID:V1,V2"`` as (process, request vector)."""
    head, sep, tail = text.replace(":", " ").strip().partition(" ")
    if not sep or not tail.strip():
        raise ValueError("expected PID then the request vector, as '1 0,2,1'")
    try:
        return int(head), [int(v) for v in tail.replace(",", " ").split()]
    except ValueError:
        raise ValueError("the process and the counts must be integers") from None


def _banker(state: dict, as_json: bool, limit: int | None) -> int:
    safety = deadlock.is_safe(state["available"], state["allocation"], state["max_claim"])
    if as_json:
        print(json.dumps({
            "kind": "banker", "safe": bool(safety.safe), "sequence": safety.sequence.tolist(),
            "stuck": safety.stuck.tolist(),
        }))
        return 0
    n = safety.sequence.size + safety.stuck.size
    print(safety.report(_names(state, "processes", n, "process"), limit))
    return 0


# --- online: ``--events FILE.jsonl`` and ``--dot`` -------------------------------------------

EVENT_FORMS = '{"wait": [waiter, holder]}, {"release": [waiter, holder]} or {"remove": process}'


def write_dot(found, path: str) -> None:
    """The graph in Graphviz DOT (``GraphDetection.to_dot``) to ``path``."""
    with refusals_named(path), open(path, "w", encoding="utf-8") as f:
        f.write(found.to_dot())


def _event(line: str, where: str):
    """One line of an events file as ``(kind, labels)``; an InputError naming the line."""
    try:
        event = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: malformed JSON ({exc.msg})") from None
    if not isinstance(event, dict) or len(event) != 1:
        raise InputError(f"{where}: an event is one of {EVENT_FORMS}")
    (kind, value), = event.items()
    if kind in ("wait", "release"):
        if not isinstance(value, list) or len(value) != 2:
            raise InputError(f"{where}: {kind} takes a pair [waiter, holder]")
        return kind, (_label(value[0], f"{where}: {kind}[0]"),
                      _label(value[1], f"{where}: {kind}[1]"))
    if kind == "remove":
        return kind, (_label(value, f"{where}: remove"),)
    raise InputError(f"{where}: unknown event {kind!r}; an event is one of {EVENT_FORMS}")


def _lines(stream, name: str):
    try:
        yield from stream
    except UnicodeDecodeError:
        raise InputError(f"{name}: not UTF-8 text") from None


def run_events(args: argparse.Namespace) -> int:
    """Replay a stream of lock events; report each deadlock as it forms (``--resolve``:
    abort its victims and go on). A bad line stops the replay with exit status 2, after
    everything found before it has been printed."""
    path = args.events
    name = "<stdin>" if path == "-" else path
    g = deadlock.WaitForGraph()
    aborted: set = set()
    found = events = 0
    with refusals_named(path):
        stream = sys.stdin if path == "-" else open(path, encoding="utf-8")  # noqa: SIM115
    with stream:
        for number, line in enumerate(_lines(stream, name), 1):
            if not line.strip():
                continue
            where = f"{name} line {number}"
            kind, labels = _event(line, where)
            events += 1
            try:
                if kind == "wait":
                    aborted.discard(labels[0])
                    cycle = g.add_wait(*labels)
                elif kind == "release":
                    cycle = None
                    if not (args.resolve and aborted & set(labels)):
                        g.remove_wait(*labels)
                else:
                    cycle = None
                    if not (args.resolve and labels[0] in aborted and labels[0] not in g):
                        g.remove(labels[0])
            except ValueError as exc:
                raise InputError(f"{where}: {exc}") from None
            if cycle is None:
                continue
            found += 1
            victims = g.resolve() if args.resolve else g.victims()
            aborted.update(victims)
            _print_deadlock(number, cycle, victims, args.resolve, args.json)
    if not args.json:
        done = f"{events} events, {found} deadlock{'s' if found != 1 else ''}"
        print(done + (" (victims aborted)" if args.resolve and found else ""))
    if getattr(args, "dot", None) is not None:
        write_dot(g.detect(), args.dot)
    return 0


def _print_deadlock(number: int, cycle: list, victims: list, resolved: bool,
                    as_json: bool) -> None:
    if as_json:
        print(json.dumps({"line": number, "cycle": cycle, "victims": victims,
                          "resolved": resolved}), flush=True)
        return
    waits = "; ".join(f"{a} waits for {b}" for a, b in zip(cycle, cycle[1:] + cycle[:1],
                                                          strict=True))
    print(f"line {number}: deadlock: {waits}")
    print(f"  {'aborted' if resolved else 'victims'}: " + ", ".join(map(str, victims)),
          flush=True)


# --- the textbook figures for ``cysolve demo`` -------------------------------------------------

# Tanenbaum & Bos, Modern Operating Systems (4th ed.), section 6.4.2: E = (4 2 3 1) tape drives,
# plotters, scanners, Blu-ray drives.
BOOK_MATRIX = {
    "existing": [4, 2, 3, 1],
    "allocation": [[0, 0, 1, 0], [2, 0, 0, 1], [0, 1, 2, 0]],
    "request": [[2, 0, 0, 1], [1, 0, 1, 0], [2, 1, 0, 0]],
    "processes": ["P1", "P2", "P3"],
    "resources": ["tape drives", "plotters", "scanners", "Blu-ray drives"],
}
# Section 6.4.1: processes A-G, resources R-W; the cycle T-E-V-G-U-D.
BOOK_GRAPH = {
    "holds": {"R": "A", "U": "D", "T": "E", "W": "F", "V": "G"},
    "waits": {"A": ["S"], "B": ["T"], "C": ["S"], "D": ["S", "T"], "E": ["V"], "F": ["S"],
              "G": ["U"]},
}
# Section 6.5.2, Banker's algorithm for one resource: A has 3 of 9, B 2 of 4, C 2 of 7, 3 free.
BOOK_BANKER = {"available": [3], "allocation": [[3], [2], [2]], "max_claim": [[9], [4], [7]]}


def demo() -> int:
    print("Deadlock detection, the examples of Tanenbaum's Modern Operating Systems (6.4, 6.5):")
    _demo_graph()
    _demo_matrix()
    _demo_banker()
    return 0


def _demo_graph() -> None:
    print("One resource of each type (6.4.1): A holds R, wants S; B wants T; C wants S;")
    print("D holds U, wants S and T; E holds T, wants V; F holds W, wants S; G holds V, wants U")
    g = BOOK_GRAPH
    found = deadlock.detect_graph(deadlock.resource_graph(holds=g["holds"], waits=g["waits"]))
    print(_indent(found.report(order=True)))


def _demo_matrix() -> None:
    print("Several resources of each type (6.4.2): E = (4 2 3 1), A = (2 1 0 0)")
    m = BOOK_MATRIX
    found = deadlock.detect(m["allocation"], m["request"], existing=m["existing"])
    print(_indent(found.report(m["processes"], m["resources"])))
    print("... and if P3 also needs the Blu-ray drive, R3 = (2 1 0 1):")
    request = [row[:] for row in m["request"]]
    request[2][3] = 1
    found = deadlock.detect(m["allocation"], request, existing=m["existing"])
    print(_indent(found.report(m["processes"], m["resources"])))


def _demo_banker() -> None:
    b = BOOK_BANKER
    print("Banker's algorithm (6.5.2): A has 3 of 9, B 2 of 4, C 2 of 7, 3 free")
    safety = deadlock.is_safe(b["available"], b["allocation"], b["max_claim"])
    print(_indent(safety.report(["A", "B", "C"])))
    print("... and after A gets one more (A has 4, 2 free):")
    print(_indent(deadlock.is_safe([2], [[4], [2], [2]], b["max_claim"]).report(["A", "B", "C"])))


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())
