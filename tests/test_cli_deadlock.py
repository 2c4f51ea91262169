"""``cysolve deadlock``: the state forms, reports and JSON, Banker's, bad files."""

import json
import os
import subprocess
import sys

import pytest

from clitools import SRC
from cysolve import cli, deadlock
from cysolve.cli import deadlock as deadlock_command

# --- cysolve deadlock -------------------------------------------------------------------------


BOOK_EDGES = {"edges": [["A", "S"], ["R", "A"], ["B", "T"], ["C", "S"], ["U", "D"], ["D", "S"],
                        ["D", "T"], ["T", "E"], ["E", "V"], ["W", "F"], ["F", "S"], ["G", "U"],
                        ["V", "G"]]}


def deadlock_cmd(tmp_path, capsys, state, *extra: str):
    path = tmp_path / "state.json"
    path.write_text(state if isinstance(state, str) else json.dumps(state))
    status = cli.main(["deadlock", str(path), *extra])
    out, err = capsys.readouterr()
    return status, out, err


def test_deadlock_matrix_report_and_json(tmp_path, capsys):
    state = dict(deadlock_command.BOOK_MATRIX)
    del state["processes"], state["resources"]
    status, out, _ = deadlock_cmd(tmp_path, capsys, state)
    assert status == 0 and "no deadlock" in out and "process 2, process 1, process 0" in out
    state["request"] = [[2, 0, 0, 1], [1, 0, 1, 0], [2, 1, 0, 1]]
    status, out, _ = deadlock_cmd(tmp_path, capsys, state)
    assert status == 0 and "process 0, process 1, process 2 are deadlocked" in out
    assert "process 1 is short of resource 2 by 1" in out
    status, out, _ = deadlock_cmd(tmp_path, capsys, state, "--json")
    doc = json.loads(out)
    found = deadlock.detect(state["allocation"], state["request"], existing=state["existing"])
    assert doc == {
        "kind": "matrix", "deadlock": True, "deadlocked": found.deadlocked.tolist(),
        "order": found.order.tolist(), "available": found.available.tolist(),
        "shortfall": found.shortfall.tolist(),
    }
    assert all(isinstance(x, int) for row in doc["shortfall"] for x in row)


def test_deadlock_available_form(tmp_path, capsys):
    state = {"allocation": [[1, 0], [0, 1]], "request": [[0, 1], [1, 0]], "available": [0, 0]}
    status, out, _ = deadlock_cmd(tmp_path, capsys, state, "--json")
    assert status == 0 and json.loads(out)["deadlocked"] == [0, 1]


@pytest.mark.parametrize("form", ["edges", "holds"])
def test_deadlock_graph_forms(tmp_path, capsys, form):
    state = BOOK_EDGES if form == "edges" else {
        "holds": deadlock_command.BOOK_GRAPH["holds"], "waits": deadlock_command.BOOK_GRAPH["waits"]
    }
    status, out, _ = deadlock_cmd(tmp_path, capsys, state)
    assert status == 0 and out.startswith("deadlock: ")
    status, out, _ = deadlock_cmd(tmp_path, capsys, state, "--json")
    doc = json.loads(out)
    assert doc["kind"] == "graph" and doc["deadlock"] is True
    cycle = doc["cycle"]
    edges = {tuple(e) for e in BOOK_EDGES["edges"]}
    assert all((a, b) in edges for a, b in zip(cycle, cycle[1:] + cycle[:1], strict=True))
    assert "B" not in doc["order"] and {"A", "C", "F"} <= set(doc["order"])
    if form == "edges":  # a graph of unknown nodes: every node on a cycle, as detect_graph
        assert set(doc) == {"kind", "deadlock", "cycle", "deadlocked", "blocked", "order"}
        assert doc["deadlocked"] == ["D", "E", "G", "T", "U", "V"]
        assert doc["blocked"] == ["B", "D", "E", "G", "T", "U", "V"]
    else:  # a resource graph: processes and resources apart, as the text report says them
        assert set(doc) == {"kind", "deadlock", "cycle", "deadlocked_processes",
                            "blocked_processes", "resources_in_cycles", "order"}
        assert doc["deadlocked_processes"] == ["D", "E", "G"]
        assert doc["blocked_processes"] == ["B", "D", "E", "G"]
        assert doc["resources_in_cycles"] == ["T", "U", "V"]
        assert sorted(doc["order"]) == ["A", "C", "F"]  # processes only


def test_deadlock_no_cycle_wait_for_graph(tmp_path, capsys):
    status, out, _ = deadlock_cmd(tmp_path, capsys, {"edges": [[1, 2], [2, 3]]}, "--json")
    assert status == 0
    assert json.loads(out) == {"kind": "graph", "deadlock": False, "cycle": None,
                               "deadlocked": [], "blocked": [], "order": [3, 2, 1]}


def test_deadlock_banker(tmp_path, capsys):
    state = dict(deadlock_command.BOOK_BANKER)
    status, out, _ = deadlock_cmd(tmp_path, capsys, state, "--banker")
    assert status == 0 and out.startswith("safe") and "process 1, process 2, process 0" in out
    state["available"], state["allocation"] = [2], [[4], [2], [2]]
    status, out, _ = deadlock_cmd(tmp_path, capsys, state, "--banker", "--json")
    assert json.loads(out) == {"kind": "banker", "safe": False, "sequence": [1], "stuck": [0, 2]}


@pytest.mark.parametrize(
    ("state", "extra", "expected"),
    [
        ('{"edges": [[1, 2],\n [2 3]]}', (), "line 2, column 5: malformed JSON"),
        ("[1, 2]", (), "expected a JSON object"),
        ({"alloc": [[1]]}, (), "expected {\"allocation\""),
        ({"allocation": [[1]], "request": [[1]]}, (), 'missing "available" or "existing"'),
        ({"allocation": [[1]], "request": [[1]], "available": [1], "avail": 1}, (),
         "unknown key 'avail'"),
        ({"available": [1], "allocation": [[1]], "max_claim": [[2]]}, (), "needs --banker"),
        ({"available": [1], "allocation": [[1]], "max_claim": [[2]], "x": 1}, ("--banker",),
         "unknown key 'x' (the banker form takes"),
        ({"available": [1], "allocation": [[1]]}, ("--banker",), "missing key 'max_claim'"),
        ({"edges": [[1, 2], [3]]}, (), "edges[1] = [3]: each edge must be a pair"),
        ({"edges": [[1, [2]]]}, (), "edges[0][1] = [2]: labels must be strings or integers"),
    ],
)
def test_deadlock_bad_files(tmp_path, capsys, state, extra, expected):
    status, _, err = deadlock_cmd(tmp_path, capsys, state, *extra)
    assert status == 2
    assert "Traceback" not in err and "state.json" in err and expected in err


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ({"allocation": [[1, -1]], "request": [[0, 0]], "available": [0, 0]}, "allocation[0, 1]"),
        ({"allocation": [[1, 0]], "request": [[0, 0, 0]], "available": [0, 0]}, "request"),
        ({"allocation": [[5]], "request": [[0]], "existing": [3]}, "existing"),
    ],
)
def test_deadlock_bad_values_name_the_file(tmp_path, capsys, state, expected):
    status, _, err = deadlock_cmd(tmp_path, capsys, state)
    assert status == 2
    assert "Traceback" not in err and "state.json: " in err and expected in err


def test_deadlock_missing_file(tmp_path, capsys):
    assert cli.main(["deadlock", str(tmp_path / "nope.json")]) == 2
    assert "nope.json: no such file" in capsys.readouterr().err


def test_deadlock_stdin_subprocess(tmp_path):
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    done = subprocess.run(
        [sys.executable, "-m", "cysolve", "deadlock", "-", "--json"], input=json.dumps(BOOK_EDGES),
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["deadlock"] is True


# --- issue 11 ----------------------------------------------------------------------------------


def test_zero_processes_in_json(tmp_path, capsys):
    state = {"allocation": [], "request": [], "available": [1, 2]}
    status, out, _ = deadlock_cmd(tmp_path, capsys, state, "--json")
    assert status == 0 and json.loads(out)["deadlocked"] == []
    banker = {"available": [1], "allocation": [], "max_claim": []}
    status, out, _ = deadlock_cmd(tmp_path, capsys, banker, "--banker", "--json")
    assert status == 0 and json.loads(out)["safe"] is True


def test_deeply_nested_state_is_bad_input(tmp_path, capsys):
    status, _, err = deadlock_cmd(tmp_path, capsys, "[" * 200_000 + "]" * 200_000)
    assert status == 2 and "nested too deeply" in err and "Traceback" not in err


def test_duplicate_keys_are_refused(tmp_path, capsys):
    status, _, err = deadlock_cmd(tmp_path, capsys, '{"edges": [], "edges": [[1, 2]]}')
    assert status == 2 and "the key 'edges' appears twice" in err


def test_a_misspelt_key_is_named(tmp_path, capsys):
    state = {"Allocation": [[1]], "request": [[1]], "available": [0]}
    status, _, err = deadlock_cmd(tmp_path, capsys, state)
    assert status == 2
    assert "missing key 'allocation'; unknown key 'Allocation' (the matrix form takes" in err


@pytest.mark.parametrize("form", ["edges", "holds"])
def test_processes_key_adds_isolated_processes(tmp_path, capsys, form):
    state = ({"edges": [["P1", "P2"], ["P2", "P1"]], "processes": ["P9"]} if form == "edges"
             else {"holds": {"R1": "P1", "R2": "P2"}, "waits": {"P1": ["R2"], "P2": ["R1"]},
                   "processes": ["P9"]})
    status, out, _ = deadlock_cmd(tmp_path, capsys, state, "--json")
    assert status == 0 and json.loads(out)["order"] == ["P9"]
    status, out, _ = deadlock_cmd(tmp_path, capsys, state)
    assert "the others can finish in this order: P9" in out


def test_all_lists_every_process(tmp_path, capsys):
    n = 60  # a ring of 60 processes: more than REPORT_LIMIT of them deadlocked
    state = {"edges": [[f"P{i}", f"P{(i + 1) % n}"] for i in range(n)]}
    _, out, _ = deadlock_cmd(tmp_path, capsys, state)
    assert f"({n} in all)" in out
    _, out, _ = deadlock_cmd(tmp_path, capsys, state, "--all")
    assert "in all" not in out and ", ".join(f"P{i}" for i in range(n)) in out
    _, out, _ = deadlock_cmd(tmp_path, capsys, state, "--json")
    assert len(json.loads(out)["deadlocked"]) == n


def test_banker_request(tmp_path, capsys):
    state = dict(deadlock_command.BOOK_BANKER)
    status, out, _ = deadlock_cmd(tmp_path, capsys, state, "--banker", "--request", "0 1")
    assert status == 0 and "refuse it" in out  # MOS fig. 6-9: A asking one more is unsafe
    status, out, _ = deadlock_cmd(tmp_path, capsys, state, "--banker", "--request", "1 2",
                                  "--json")
    assert json.loads(out) == {"kind": "banker-request", "process": 1, "request": [2],
                               "granted": deadlock.request_ok([3], [[3], [2], [2]],
                                                              [[9], [4], [7]], 1, [2])}
    status, _, err = deadlock_cmd(tmp_path, capsys, state, "--banker", "--request", "x")
    assert status == 2 and "--request 'x'" in err
    status, _, err = deadlock_cmd(tmp_path, capsys, state, "--request", "0 1")
    assert status == 2 and "--request needs --banker" in err


# --- cysolve deadlock --events / --resolve / --dot ---------------------------------------------

EVENTS = [
    {"wait": ["P1", "P2"]}, {"wait": ["P2", "P3"]}, {"wait": ["P3", "P1"]},
    {"wait": ["P4", "P1"]}, {"release": ["P3", "P1"]}, {"wait": ["P3", "P1"]},
    {"remove": "P3"},
]


def events_cmd(tmp_path, capsys, lines, *extra):
    path = tmp_path / "events.jsonl"
    path.write_text("".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines))
    status = cli.main(["deadlock", "--events", str(path), *extra])
    out, err = capsys.readouterr()
    return status, out, err


def test_events_report_each_deadlock_as_it_forms(tmp_path, capsys):
    status, out, _ = events_cmd(tmp_path, capsys, EVENTS)
    assert status == 0
    assert "line 3: deadlock: P3 waits for P1; P1 waits for P2; P2 waits for P3" in out
    assert "line 6: deadlock" in out and "victims: P3" in out
    assert out.rstrip().endswith("7 events, 2 deadlocks")


def test_events_resolve_and_json(tmp_path, capsys):
    status, out, _ = events_cmd(tmp_path, capsys, EVENTS, "--resolve", "--json")
    assert status == 0
    docs = [json.loads(line) for line in out.splitlines()]
    assert docs == [{"line": 3, "cycle": ["P3", "P1", "P2"], "victims": ["P3"],
                     "resolved": True}]


def test_events_bad_line_after_what_was_found(tmp_path, capsys):
    status, out, err = events_cmd(tmp_path, capsys, EVENTS[:3] + ['{"wait": ["P1"]}'])
    assert status == 2 and "line 3: deadlock" in out
    assert "line 4" in err and "pair" in err
    for bad, rule in (("{", "malformed JSON"), ('{"lock": 1}', "unknown event"),
                      ('{"remove": [1]}', "strings or integers"),
                      ('{"release": ["A", "B"]}', "no such process")):
        status, _, err = events_cmd(tmp_path, capsys, [bad])
        assert status == 2 and "line 1" in err and rule in err, err


def test_dot_output_of_a_state_and_of_events(tmp_path, capsys):
    dot = tmp_path / "out.dot"
    status, _, _ = deadlock_cmd(tmp_path, capsys, BOOK_EDGES, "--dot", str(dot))
    text = dot.read_text()
    assert status == 0 and text.startswith('digraph "deadlock" {')
    assert text.count("color=red, penwidth=2") == 6  # the cycle T-E-V-G-U-D
    assert '"#d9d9d9"' in text  # blocked, shaded
    state = {"holds": deadlock_command.BOOK_GRAPH["holds"],
             "waits": deadlock_command.BOOK_GRAPH["waits"]}
    status, _, _ = deadlock_cmd(tmp_path, capsys, state, "--dot", str(dot))
    assert status == 0 and "shape=circle" in dot.read_text()
    status, _, _ = events_cmd(tmp_path, capsys, EVENTS[:3], "--dot", str(dot))
    assert status == 0 and dot.read_text().count("penwidth=2") == 3
    status, _, err = deadlock_cmd(tmp_path, capsys, deadlock_command.BOOK_MATRIX, "--dot",
                                  str(dot))
    assert status == 2 and "--dot draws graphs" in err
    status, _, err = cli.main(["deadlock"]), *capsys.readouterr()
    assert status == 2


def test_dot_renders_with_graphviz(tmp_path):
    import shutil

    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed (apt-get install graphviz)")
    found = deadlock.detect_graph(deadlock.resource_graph(
        holds=deadlock_command.BOOK_GRAPH["holds"], waits=deadlock_command.BOOK_GRAPH["waits"]))
    done = subprocess.run(["dot", "-Tsvg"], input=found.to_dot(), capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0 and "<svg" in done.stdout, done.stderr
