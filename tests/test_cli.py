"""The ``cysolve`` command: formats in and out, JSON schema, errors and exit codes, Ctrl-C."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import cysolve
from cysolve import cli, xscore

SRC = str(Path(cysolve.__file__).resolve().parent.parent)  # the checkout (or site-packages)
RNG = np.random.default_rng(20261125)
BATCH = [list(row) for row in RNG.integers(0, 51, size=(40, 7)).tolist()] + [
    [1, 2, 3], [10, 0, 0, 0], [], [5], [50, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1],
]
EXPECTED = xscore.best_scores(BATCH).tolist()


def run(*argv: str, cwd=None) -> subprocess.CompletedProcess:
    """``python -m cysolve ARGV`` in a subprocess, importing this checkout's cysolve."""
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run(
        [sys.executable, "-m", "cysolve", *argv], capture_output=True, text=True, env=env,
        cwd=cwd, timeout=120,
    )


def write(path: Path, batch, fmt: str) -> Path:
    if fmt == ".npy":
        np.save(path, np.array(batch, dtype=np.int64))
    elif fmt == ".jsonl":
        path.write_text("".join(json.dumps(row) + "\n" for row in batch))
    elif fmt == ".csv":
        path.write_text("".join(",".join(map(str, row)) + "\n" for row in batch))
    else:
        path.write_text("".join(" ".join(map(str, row)) + "\n" for row in batch))
    return path


def read(path: Path) -> list[int]:
    if path.suffix == ".npy":
        arr = np.load(path)
        assert arr.dtype == np.int64 and arr.ndim == 1
        return arr.tolist()
    return [int(line) for line in path.read_text().splitlines()]


# --- one instance ---------------------------------------------------------------------------


def test_single_instance_text(capsys):
    assert cli.main(["xscore", "12", "5", "50", "7"]) == 0
    out = capsys.readouterr().out
    score, order = xscore.best_order([12, 5, 50, 7])
    assert f"best score: {score}" in out
    assert f"order (indices): {' '.join(map(str, order))}" in out


@pytest.mark.parametrize("method", xscore.METHODS)
def test_single_instance_json_schema(capsys, method):
    values = [50, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]
    assert cli.main(["xscore", "--json", "--method", method, *map(str, values)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) == {"values", "score", "order", "order_values", "method"}
    assert doc["values"] == values and doc["method"] == method
    assert isinstance(doc["score"], int) and doc["score"] == 830122
    assert all(isinstance(i, int) for i in doc["order"])
    assert sorted(doc["order"]) == list(range(len(values)))
    assert doc["order_values"] == [values[i] for i in doc["order"]]
    assert xscore.play(values, doc["order"]) == doc["score"]


def test_python_dash_m():
    done = run("xscore", "--json", "1", "2", "3")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["score"] == 12
    assert run("--version").stdout.strip() == f"cysolve {cysolve.__version__}"


# --- batches: every input format to every output ----------------------------------------------


@pytest.mark.parametrize("fmt", [".jsonl", ".txt", ".csv"])
@pytest.mark.parametrize("out", [".npy", ".jsonl", ".txt", None])
def test_batch_formats(tmp_path, capsys, fmt, out):
    # A text line cannot hold an empty instance (blank lines are skipped); JSON can: [].
    batch = BATCH if fmt == ".jsonl" else [row for row in BATCH if row]
    expected = [s for row, s in zip(BATCH, EXPECTED, strict=True) if row in batch]
    src = write(tmp_path / f"in{fmt}", batch, fmt)
    argv = ["xscore", "--input", str(src), "--threads", "2", "--chunk-size", "7"]
    if out is not None:
        argv += ["--output", str(tmp_path / f"out{out}")]
    assert cli.main(argv) == 0
    captured = capsys.readouterr()
    if out is None:
        assert [int(s) for s in captured.out.split()] == expected
    else:
        assert read(tmp_path / f"out{out}") == expected
        assert captured.out == ""
        assert f"solved {len(batch)} instances" in captured.err


@pytest.mark.parametrize("dtype", [np.int64, np.uint8, np.int16, ">i4"])
def test_npy_input_matches_library(tmp_path, capsys, dtype):
    batch = RNG.integers(0, 51, size=(300, 9)).astype(dtype)
    np.save(tmp_path / "in.npy", batch)
    argv = ["xscore", "-i", str(tmp_path / "in.npy"), "-o", str(tmp_path / "out.npy"),
            "--chunk-size", "64", "--method", "residue", "--json"]
    assert cli.main(argv) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary == {"input": str(tmp_path / "in.npy"), "output": str(tmp_path / "out.npy"),
                       "instances": 300, "method": "residue", "threads": summary["threads"]}
    assert isinstance(summary["threads"], int) and summary["threads"] >= 1
    np.testing.assert_array_equal(np.load(tmp_path / "out.npy"), xscore.best_scores(batch))


def test_blank_lines_skipped_and_empty_instances(tmp_path, capsys):
    (tmp_path / "a.txt").write_text("1 2 3\n\n   \n10, 0, 0, 0\n5")  # no final newline
    (tmp_path / "b.jsonl").write_text("[1, 2, 3]\n\n[]\n")
    assert cli.main(["xscore", "-i", str(tmp_path / "a.txt")]) == 0
    assert capsys.readouterr().out.split() == ["12", "80", "5"]
    assert cli.main(["xscore", "-i", str(tmp_path / "b.jsonl")]) == 0
    assert capsys.readouterr().out.split() == ["12", "0"]


def test_empty_files(tmp_path, capsys):
    (tmp_path / "e.txt").write_text("")
    np.save(tmp_path / "e.npy", np.zeros((0, 4), dtype=np.int64))
    assert cli.main(["xscore", "-i", str(tmp_path / "e.txt"), "-o", str(tmp_path / "o.npy")]) == 0
    assert np.load(tmp_path / "o.npy").shape == (0,)
    assert cli.main(["xscore", "-i", str(tmp_path / "e.npy")]) == 0
    assert capsys.readouterr().out == ""


def test_batch_through_subprocess(tmp_path):
    write(tmp_path / "in.jsonl", BATCH, ".jsonl")
    done = run("xscore", "-i", "in.jsonl", "-o", "out.jsonl", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert read(tmp_path / "out.jsonl") == EXPECTED
    assert "\r" not in done.stderr  # no progress bar when stderr is not a terminal
    piped = run("xscore", "-i", "in.jsonl", cwd=tmp_path)
    assert [int(s) for s in piped.stdout.split()] == EXPECTED


class FakeTerminal:
    """A stderr that says it is a terminal, to see the progress bar."""

    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass

    def isatty(self):
        return True


def test_progress_bar_on_a_terminal_only(tmp_path, monkeypatch):
    write(tmp_path / "in.txt", BATCH[:20], ".txt")
    argv = ["xscore", "-i", str(tmp_path / "in.txt"), "-o", str(tmp_path / "o.npy")]
    for extra, shown in (([], True), (["--no-progress"], False)):
        terminal = FakeTerminal()
        monkeypatch.setattr(sys, "stderr", terminal)
        assert cli.main(argv + extra) == 0
        assert ("20/20" in terminal.text) is shown, terminal.text


# --- bad input: exit 2, the file, the line and the rule ----------------------------------------


def _bad(tmp_path, capsys, name: str, content, *extra: str) -> str:
    path = tmp_path / name
    if isinstance(content, np.ndarray):
        np.save(path, content)
    elif content is not None:
        path.write_text(content)
    assert cli.main(["xscore", "-i", str(path), *extra]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert str(path) in err
    return err


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("missing.txt", None, "no such file"),
        ("m.jsonl", "[1, 2]\n[3, 4]\n[1, 2\n", "line 3: malformed JSON"),
        ("o.jsonl", '[1]\n{"a": 1}\n', "line 2: expected a JSON list of integers"),
        ("n.jsonl", "[1]\n[2]\n\n[4, -1]\n", "line 4: a[1] = -1: values must be non-negative"),
        ("f.jsonl", "[1.5]\n", "line 1: a[0] = 1.5: values must be integers"),
        ("b.jsonl", "[true]\n", "line 1: a[0] = True: values must be integers, not booleans"),
        ("big.jsonl", "[1]\n[18446744073709551616]\n", "line 2: a[0] = 18446744073709551616: "
         "values must fit in int64"),
        ("n.txt", "1 2\n3 -4 5\n", "line 2: a[1] = -4: values must be non-negative"),
        ("w.csv", "1,2\n3,x\n", "line 2: a[1] = 'x': values must be integers"),
        ("long.txt", "1 2\n" + " ".join(["1"] * 70) + "\n", "line 2 has 70 values"),
        ("wide.txt", "1\n" + " ".join(["60"] * 60) + "\n", "line 2: 60 values of up to 6 bits"),
        ("dtype.npy", np.ones((3, 3)), "dtype float64: expected a 2-D integer array"),
        ("ndim.npy", np.ones(3, dtype=np.int64), "shape (3,): expected a 2-D integer array"),
        ("neg.npy", np.array([[1, 2], [3, -4]]), "row 1, column 1 = -4: values must be non-neg"),
        ("junk.npy", "not an npy file", "not a readable .npy file"),
    ],
)
def test_bad_files(tmp_path, capsys, name, content, expected):
    err = _bad(tmp_path, capsys, name, content)
    assert expected in err


def test_table_too_large_names_the_line(tmp_path, capsys):
    err = _bad(tmp_path, capsys, "mem.txt", "1 2\n" + " ".join(map(str, range(20))) + "\n",
               "--max-memory", "1000")
    assert "line 2: the dominance table for this instance needs" in err


def test_unknown_extensions_and_usage(tmp_path, capsys):
    write(tmp_path / "in.txt", [[1, 2]], ".txt")
    assert cli.main(["xscore", "-i", str(tmp_path / "in.xyz")]) == 2
    assert "unknown file type '.xyz'" in capsys.readouterr().err
    assert cli.main(["xscore", "-i", str(tmp_path / "in.txt"), "-o", str(tmp_path / "o.h5")]) == 2
    assert cli.main(["xscore", "-i", str(tmp_path / "in.txt"), "-o", str(tmp_path / "in.txt")]) == 2
    assert "is the input file" in capsys.readouterr().err
    assert cli.main(["xscore", "1", "2", "-i", str(tmp_path / "in.txt")]) == 2
    assert cli.main(["xscore"]) == 2
    assert cli.main(["xscore", "1", "-o", str(tmp_path / "o.npy")]) == 2
    assert cli.main(["xscore", "-i", str(tmp_path / "in.txt"), "--threads", "0"]) == 2
    assert cli.main(["xscore", "1", "-2"]) == 2
    assert "a[1] = -2: values must be non-negative" in capsys.readouterr().err
    assert cli.main(["nonsense"]) == 2
    assert cli.main(["--help"]) == 0


def test_unwritable_output_is_a_failure_not_bad_input(tmp_path, capsys):
    write(tmp_path / "in.txt", [[1, 2]], ".txt")
    out = tmp_path / "no" / "such" / "dir" / "o.npy"
    assert cli.main(["xscore", "-i", str(tmp_path / "in.txt"), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and str(out) in err


def test_bad_file_through_subprocess(tmp_path):
    (tmp_path / "bad.jsonl").write_text("[1, 2]\n[3, oops]\n")
    done = run("xscore", "-i", "bad.jsonl", cwd=tmp_path)
    assert done.returncode == 2
    assert "bad.jsonl line 2: malformed JSON" in done.stderr
    assert "Traceback" not in done.stderr


# --- Ctrl-C: stop between chunks, keep what was finished ---------------------------------------


@pytest.mark.parametrize("out", [".npy", ".jsonl"])
def test_interrupted_batch_keeps_finished_output(tmp_path, capsys, monkeypatch, out):
    write(tmp_path / "in.jsonl", BATCH, ".jsonl")
    real = xscore.best_scores
    calls = []

    def interrupted_after_first_chunk(batch, **kw):
        calls.append(len(batch))
        if len(calls) > 1:
            raise KeyboardInterrupt
        return real(batch, **kw)

    monkeypatch.setattr(xscore, "best_scores", interrupted_after_first_chunk)
    target = tmp_path / f"out{out}"
    status = cli.main(["xscore", "-i", str(tmp_path / "in.jsonl"), "-o", str(target),
                       "--chunk-size", "10"])
    assert status == 130
    assert read(target) == EXPECTED[:10]  # a valid file holding the first chunk's results
    err = capsys.readouterr().err
    assert "interrupted: 10 instances were solved" in err and str(target) in err


def test_interrupt_while_reading(tmp_path, capsys, monkeypatch):
    from cysolve import _io

    write(tmp_path / "in.txt", BATCH, ".txt")

    def stop(self, count):
        raise KeyboardInterrupt

    monkeypatch.setattr(_io.TextReader, "read", stop)
    assert cli.main(["xscore", "-i", str(tmp_path / "in.txt"), "-o", str(tmp_path / "o.npy")]) \
        == 130
    assert np.load(tmp_path / "o.npy").shape == (0,)


# --- demo and bench ---------------------------------------------------------------------------


def test_demo(capsys):
    assert cli.main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "830122 (ok" in out
    assert "deadlocked processes: D, E, G" in out
    assert "in this order: P3, P2, P1" in out
    assert "safe: every process can finish, in this order: B, C, A" in out
    assert "ratio" in out and "deadlock-graph" in out  # the short benchmark ran


# --- cysolve deadlock -------------------------------------------------------------------------

from cysolve import _deadlock_cli, deadlock  # noqa: E402

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
    state = dict(_deadlock_cli.BOOK_MATRIX)
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
        "holds": _deadlock_cli.BOOK_GRAPH["holds"], "waits": _deadlock_cli.BOOK_GRAPH["waits"]
    }
    status, out, _ = deadlock_cmd(tmp_path, capsys, state)
    assert status == 0 and out.startswith("deadlock: ")
    status, out, _ = deadlock_cmd(tmp_path, capsys, state, "--json")
    doc = json.loads(out)
    assert set(doc) == {"kind", "deadlock", "cycle", "deadlocked", "blocked", "order"}
    assert doc["kind"] == "graph" and doc["deadlock"] is True
    cycle = doc["cycle"]
    edges = {tuple(e) for e in BOOK_EDGES["edges"]}
    assert all((a, b) in edges for a, b in zip(cycle, cycle[1:] + cycle[:1], strict=True))
    processes = {"D", "E", "G"}
    assert processes <= set(doc["deadlocked"]) and processes | {"B"} <= set(doc["blocked"])
    assert "B" not in doc["order"] and {"A", "C", "F"} <= set(doc["order"])
    # Nodes on the cycle, processes and resources alike (as detect_graph reports them).
    assert doc["deadlocked"] == ["D", "E", "G", "T", "U", "V"]
    assert doc["blocked"] == ["B", "D", "E", "G", "T", "U", "V"]
    if form == "holds":  # a resource graph: the finishing order lists processes only
        assert sorted(doc["order"]) == ["A", "C", "F"]


def test_deadlock_no_cycle_wait_for_graph(tmp_path, capsys):
    status, out, _ = deadlock_cmd(tmp_path, capsys, {"edges": [[1, 2], [2, 3]]}, "--json")
    assert status == 0
    assert json.loads(out) == {"kind": "graph", "deadlock": False, "cycle": None,
                               "deadlocked": [], "blocked": [], "order": [3, 2, 1]}


def test_deadlock_banker(tmp_path, capsys):
    state = dict(_deadlock_cli.BOOK_BANKER)
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
         "unknown keys 'avail'"),
        ({"available": [1], "allocation": [[1]], "max_claim": [[2]]}, (), "needs --banker"),
        ({"available": [1], "allocation": [[1]], "max_claim": [[2]], "x": 1}, ("--banker",),
         "unknown keys 'x' for the banker form"),
        ({"available": [1], "allocation": [[1]]}, ("--banker",), "missing 'max_claim'"),
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


def test_dask_extra_missing_is_a_clear_import_error(monkeypatch):
    import cysolve.dask

    monkeypatch.setitem(sys.modules, "dask", None)
    monkeypatch.setitem(sys.modules, "dask.array", None)
    with pytest.raises(ImportError, match=r"pip install 'cysolve\[dask\]'"):
        cysolve.dask.best_scores([[1, 2, 3]])
