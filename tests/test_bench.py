"""Smoke test of the benchmark code paths on tiny inputs: answers only, never timings."""

import json

import pytest

from cysolve import bench
from cysolve.bench import cases


@pytest.fixture(scope="module")
def tiny():
    case_list = cases.all_cases("tiny")
    return case_list, bench.run(case_list, budget=0.0)


def test_every_implementation_runs_and_agrees(tiny):
    case_list, results = tiny
    # run() raises when an implementation disagrees with the kernel; here: all ran.
    assert len(results) == sum(len(c.implementations) for c in case_list)
    missing = [(r.case, r.implementation, r.note) for r in results if r.median_s is None]
    assert missing == []  # the test extra installs every peer, and CI has a C compiler
    for r in results:
        assert r.median_s > 0 and r.ratio > 0 and r.rounds >= 1


def test_run_rejects_a_wrong_implementation():
    case = cases.xscore_cases("tiny")[0]
    wrong = cases.Case(case.family, case.series, case.label, case.size, case.build,
                       {"kernel": case.implementations["kernel"],
                        "off by one": lambda: lambda a: case.implementations["kernel"]()(a) + 1})
    with pytest.raises(AssertionError, match="off by one disagrees with kernel"):
        bench.run([wrong], budget=0.0)


def test_report_json_and_plot(tiny, tmp_path, capsys):
    case_list, results = tiny
    text = bench.report(results, case_list, bench.machine())
    assert "xscore n=8" in text and "ratio" in text and "cores" in text
    bench.plot(results, case_list, tmp_path / "b.png")
    assert (tmp_path / "b.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert bench.main(demo=True, json_path=tmp_path / "b.json") == 0
    data = json.loads((tmp_path / "b.json").read_text())
    assert data["machine"]["cores"] >= 1 and data["profile"] == "demo"
    assert {r["family"] for r in data["results"]} == {"xscore", "deadlock-matrix", "deadlock-graph"}
    assert "kernel" in capsys.readouterr().out


def test_fit_growth_recovers_known_laws():
    rows = [bench.Result("f", "s", str(n), n, "k", 1e-3 * 2.0**n, 1, 1.0) for n in (4, 6, 8)]
    assert bench.fit_growth(rows, "exponential")[("s", "k")] == pytest.approx(2.0)
    rows = [bench.Result("f", "s", str(n), n, "k", 1e-6 * n**2, 1, 1.0) for n in (100, 1e3, 1e4)]
    assert bench.fit_growth(rows, "power")[("s", "k")] == pytest.approx(2.0)


def test_growth_series():
    xs = cases.GROWTH["xscore"]()
    assert [c.size for c in xs][-1] == 40 and {c.series for c in xs} == {"growth"}
    assert set(xs[0].implementations) == {"frontier", "c-frontier", "dominance", "residue"}
    assert set(xs[-1].implementations) == {"frontier", "c-frontier"}
    results = bench.run(xs[:2], budget=0.0)  # agreement of every method, n = 10 and 12
    assert {r.implementation for r in results} == set(xs[0].implementations)
    graphs = cases.GROWTH["deadlock-graph"]()
    assert all(set(c.implementations) == {"kernel", "scipy"} for c in graphs)
    assert max(c.size for c in graphs) >= 10**7
