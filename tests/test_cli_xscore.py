"""``cysolve xscore``: formats in and out, JSON schema, errors and exit codes, Ctrl-C."""

import json
import sys

import numpy as np
import pytest

import cysolve
from clitools import BATCH, EXPECTED, RNG, read, run, write
from cysolve import cli, xscore

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
               "--max-memory", "1000", "--method", "dominance")
    assert "mem.txt line 2: the dominance table for 20 values" in err
    assert "needs 16,777,232 bytes" in err
    # The frontier (the default) is refused at the growth that would pass the limit.
    err = _bad(tmp_path, capsys, "mem.txt", "1 2\n" + " ".join(map(str, range(16, 43))) + "\n",
               "--max-memory", str(1 << 20))
    assert "mem.txt line 2: the frontier for 27 values (its buffers so far) needs" in err


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
    from cysolve.cli import batchio

    write(tmp_path / "in.txt", BATCH, ".txt")

    def stop(self, count):
        raise KeyboardInterrupt

    monkeypatch.setattr(batchio.TextReader, "read", stop)
    assert cli.main(["xscore", "-i", str(tmp_path / "in.txt"), "-o", str(tmp_path / "o.npy")]) \
        == 130
    assert np.load(tmp_path / "o.npy").shape == (0,)
