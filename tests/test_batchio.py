"""Batch files in and out (``cysolve.cli.batchio``): an existing output is replaced only by a
complete or Ctrl-C-truncated result, never by an error; every valid instance before a bad one
is kept; the line formats are strict (empty fields, deep or ambiguous JSON)."""

import io
import json
import sys

import numpy as np
import pytest

from clitools import read, write
from cysolve import cli, xscore
from cysolve.cli import batchio

OUTPUTS = [".npy", ".jsonl", ".txt", ".csv"]
GOOD = [[1, 2, 3], [10, 0, 0, 0], [5, 9]]


def precious(path):
    """An existing output file with content a failed run must not touch."""
    if path.suffix == ".npy":
        np.save(path, np.arange(30).reshape(5, 6))
    else:
        path.write_text("precious\n")
    return path.read_bytes()


@pytest.mark.parametrize("out", OUTPUTS)
@pytest.mark.parametrize(("content", "said"), [
    ("[-1, 2]\n", "line 1: a[0] = -1"),  # a bad value (found by the solver)
    ("[1, 2\n", "line 1: malformed JSON"),  # a bad line (found by the reader)
])
def test_bad_first_instance_leaves_an_existing_output_untouched(tmp_path, capsys, out, content,
                                                                said):
    target = tmp_path / f"out{out}"
    before = precious(target)
    (tmp_path / "bad.jsonl").write_text(content)
    assert cli.main(["xscore", "-i", str(tmp_path / "bad.jsonl"), "-o", str(target)]) == 2
    assert target.read_bytes() == before
    assert list(tmp_path.glob(".*.part")) == []  # no temporary file left behind
    assert said in capsys.readouterr().err


@pytest.mark.parametrize("out", OUTPUTS)
@pytest.mark.parametrize("bad_line", ["[1, -2]", "[1, 2", "[1, 2.5]"])
def test_bad_later_instance_keeps_every_result_before_it(tmp_path, capsys, out, bad_line):
    rows = [[1, 2, 3]] * 3000
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows) + bad_line + "\n[4]\n")
    target = tmp_path / f"out{out}"
    precious(target)
    argv = ["xscore", "-i", str(path), "-o", str(target), "--chunk-size", "1024"]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert read(target) == [12] * 3000  # all 3,000 valid lines, not just whole chunks
    assert "the 3,000 results before it" in err and "line 3001" in err


@pytest.mark.parametrize("out", OUTPUTS)
def test_ctrl_c_keeps_the_finished_results(tmp_path, capsys, monkeypatch, out):
    write(tmp_path / "in.txt", GOOD * 400, ".txt")
    target = tmp_path / f"out{out}"
    precious(target)
    calls = {"n": 0}
    real = xscore.best_scores

    def interrupted(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(xscore, "best_scores", interrupted)
    argv = ["xscore", "-i", str(tmp_path / "in.txt"), "-o", str(target), "--chunk-size", "300"]
    assert cli.main(argv) == 130
    assert read(target) == xscore.best_scores(GOOD * 100).tolist()  # the first chunk of 300


def test_empty_input_writes_an_empty_result(tmp_path, capsys):
    (tmp_path / "empty.txt").write_text("\n\n")
    target = tmp_path / "out.npy"
    precious(target)
    assert cli.main(["xscore", "-i", str(tmp_path / "empty.txt"), "-o", str(target)]) == 0
    assert np.load(target).shape == (0,)


def test_output_path_is_checked_before_any_work(tmp_path, capsys, monkeypatch):
    write(tmp_path / "in.txt", GOOD, ".txt")
    monkeypatch.setattr(xscore, "best_scores", lambda *a, **k: pytest.fail("solved anyway"))
    (tmp_path / "dir.txt").mkdir()
    for target in (tmp_path / "missing" / "out.txt", tmp_path / "dir.txt"):
        assert cli.main(["xscore", "-i", str(tmp_path / "in.txt"), "-o", str(target)]) == 1
        assert str(target) in capsys.readouterr().err


@pytest.mark.parametrize("option", ["--json", "--plot"])
def test_bench_outputs_are_checked_before_the_run(tmp_path, capsys, monkeypatch, option):
    from cysolve import bench

    monkeypatch.setattr(bench, "main", lambda **kw: pytest.fail("benchmarked anyway"))
    assert cli.main(["bench", "--quick", option, str(tmp_path / "no" / "x.json")]) == 1
    assert "does not exist" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("line", "column"), [("1,,2", 2), (",1", 1), ("1,2,", 3), ("3, ,4", 2)]
)
def test_an_empty_csv_field_is_an_error(tmp_path, capsys, line, column):
    (tmp_path / "e.csv").write_text(f"5\n{line}\n")
    assert cli.main(["xscore", "-i", str(tmp_path / "e.csv")]) == 2
    assert f"e.csv line 2, column {column}: empty field" in capsys.readouterr().err


def test_deeply_nested_json_is_bad_input(tmp_path, capsys):
    (tmp_path / "deep.jsonl").write_text("[" * 200_000 + "]" * 200_000 + "\n")
    assert cli.main(["xscore", "-i", str(tmp_path / "deep.jsonl")]) == 2
    err = capsys.readouterr().err
    assert "deep.jsonl line 1: JSON nested too deeply" in err and "Traceback" not in err


def test_duplicate_json_keys_are_refused():
    with pytest.raises(batchio.InputError, match="the key 'a' appears twice"):
        batchio.strict_json('{"a": 1, "b": {"a": 2, "a": 3}}', "x.json")
    assert batchio.strict_json('{"a": 1, "b": {"a": 2}}', "x.json") == {"a": 1, "b": {"a": 2}}


@pytest.mark.parametrize("fmt", ["jsonl", "txt", "csv"])
def test_standard_input_and_output_by_name(monkeypatch, capsys, fmt):
    text = {"jsonl": "[1, 2, 3]\n[10, 0, 0, 0]\n", "txt": "1 2 3\n10 0 0 0\n",
            "csv": "1,2,3\n10,0,0,0\n"}[fmt]
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    assert cli.main(["xscore", "-i", "-", "--format", fmt, "-o", "-"]) == 0
    assert capsys.readouterr().out.split() == ["12", "80"]


def test_standard_input_needs_a_line_format(capsys):
    assert cli.main(["xscore", "-i", "-"]) == 2
    assert "needs --format jsonl, txt or csv" in capsys.readouterr().err


def test_text_outputs_hold_scores_beyond_int64(tmp_path, capsys):
    wide = [2**62, 0]  # 2**62 + 2**62 = 2**63: one past int64
    write(tmp_path / "in.jsonl", [[1, 2, 3], wide], ".jsonl")
    assert cli.main(["xscore", "-i", str(tmp_path / "in.jsonl"), "-o",
                     str(tmp_path / "o.txt")]) == 0
    assert read(tmp_path / "o.txt") == [12, 2**63]
    assert cli.main(["xscore", "-i", str(tmp_path / "in.jsonl"), "-o",
                     str(tmp_path / "o.npy")]) == 2
    assert "in.jsonl line 2: the best score 9223372036854775808 does not fit in int64" in (
        capsys.readouterr().err)


def test_threads_above_the_cores_are_said_once(tmp_path, capsys):
    write(tmp_path / "in.txt", GOOD, ".txt")
    assert cli.main(["xscore", "-i", str(tmp_path / "in.txt"), "--threads", "100000"]) == 0
    err = capsys.readouterr().err
    assert err.count("warning: --threads 100000 is more than the") == 1
