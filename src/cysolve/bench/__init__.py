"""``cysolve bench``: kernels vs references vs peers, timed in one process, as ratios.

Every implementation of a case runs on the same input in the same run; each time is the median
of several rounds, and each ratio is an implementation's median over the kernel's. The report
names the machine and the versions, so a table is never read without its context.

>>> from cysolve import bench
>>> results = bench.run(bench.cases.all_cases("tiny", ["xscore"]), budget=0.01)
>>> {"kernel", "python-dp"} <= {r.implementation for r in results}
True
"""

from __future__ import annotations

import json
import math
import os
import platform
import statistics
import sys
import time
from dataclasses import asdict, dataclass

import numpy as np

from cysolve.bench import cases
from cysolve.bench.ceiling import CeilingUnavailable

FIT_FLOOR = 1e-4
SLOW = 3.0  # seconds: a call this slow is timed once (a pure-Python baseline on a large input)

__all__ = ["Result", "cases", "fit_growth", "machine", "main", "report", "run"]


@dataclass(frozen=True)
class Result:
    family: str
    series: str
    case: str
    size: float
    implementation: str
    median_s: float | None  # None: not available here (see ``note``)
    rounds: int
    ratio: float | None  # median / the kernel's median on the same case
    note: str = ""


def measure(fn, args, *, budget: float, min_rounds: int = 3, max_rounds: int = 200):
    """Median seconds of ``fn(*args)`` over rounds filling ``budget``, and its result.

    At least ``min_rounds`` rounds unless one call alone takes over ``SLOW`` seconds; a call that is
    fast next to the budget gets one untimed warm-up call first.
    """
    start = time.perf_counter()
    result = fn(*args)
    first = time.perf_counter() - start
    times = [first] if first * 3 > budget else []
    least = 1 if first > SLOW else min_rounds
    while len(times) < max_rounds and (len(times) < least or sum(times) < budget):
        start = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times), len(times), result


def run(case_list, *, budget: float = 0.3, progress=None) -> list[Result]:
    """Time every implementation of every case; checks every answer against the kernel's.

    Raises ``AssertionError`` when an implementation disagrees with the kernel: a benchmark of
    a wrong answer is worthless.
    """
    results = []
    for case in case_list:
        args = case.build()
        base_time = None
        base_answer = None
        for name, factory in case.implementations.items():
            if progress:
                progress(f"{case.title}: {name}")
            try:
                fn = factory()
            except (ImportError, CeilingUnavailable) as exc:
                results.append(Result(case.family, case.series, case.label, case.size, name,
                                      None, 0, None, f"unavailable: {exc}"))
                continue
            median, rounds, answer = measure(fn, args, budget=budget)
            if base_time is None:
                base_time, base_answer = median, answer
            elif not case.same(answer, base_answer):
                raise AssertionError(f"{case.title}: {name} disagrees with {case.baseline}")
            results.append(Result(case.family, case.series, case.label, case.size, name,
                                  median, rounds, median / base_time))
    return results


def fit_growth(results: list[Result], growth: str) -> dict[tuple[str, str], float]:
    """Per (series, implementation): the fitted growth of time with size.

    ``"exponential"``: ``g`` in ``t ~ g**size`` (the XScoreGame DP's ``2**n * n`` reads as a
    little over 2); ``"power"``: ``p`` in ``t ~ size**p`` (1 linear, 2 quadratic). Least squares
    on the log of the times, over the sizes that take at least ``FIT_FLOOR`` seconds (below it
    the fixed cost of a call hides the growth); series with fewer than three are left out.
    """
    fits = {}
    groups: dict[tuple[str, str], list[Result]] = {}
    for r in results:
        if r.median_s and r.median_s >= FIT_FLOOR:
            groups.setdefault((r.series, r.implementation), []).append(r)
    for key, rows in groups.items():
        if len({r.size for r in rows}) < 3:
            continue
        x = np.array([r.size for r in rows], dtype=float)
        y = np.log([r.median_s for r in rows])
        if growth == "power":
            x = np.log(x)
        slope = float(np.polyfit(x, y, 1)[0])
        fits[key] = math.exp(slope) if growth == "exponential" else slope
    return fits


def machine() -> dict:
    """The CPU, cores and versions the numbers were measured with."""
    from cysolve import __version__, openmp_enabled
    from cysolve import effective_threads as num_threads

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    versions = {
        "cysolve": __version__, "python": platform.python_version(), "numpy": np.__version__
    }
    for name in ("numba", "networkx", "scipy", "rustworkx", "igraph"):
        module = sys.modules.get(name)
        if module is None:
            try:
                module = __import__(name)
            except ImportError:
                continue
        versions[name] = module.__version__
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "threads_used": num_threads(None),
        "openmp": openmp_enabled(),
        "platform": platform.platform(),
        "versions": versions,
    }


def _time(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    for unit, scale in (("s", 1), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def report(results: list[Result], case_list, info: dict) -> str:
    """The table a person reads: per case, each implementation's median and ratio to the kernel."""
    lines = [
        f"cysolve {info['versions']['cysolve']} on {info['cpu']} ({info['cores']} cores, "
        f"{info['threads_used']} threads, OpenMP {'on' if info['openmp'] else 'off'})",
        "versions: " + ", ".join(f"{k} {v}" for k, v in info["versions"].items()),
        "ratio = the implementation's median time / the kernel's (first row) on the same input",
        "",
    ]
    by_case: dict[str, list[Result]] = {}
    for r in results:
        by_case.setdefault(f"{r.family} {r.case}", []).append(r)
    width = max((len(r.implementation) for r in results), default=10) + 2
    for title, rows in by_case.items():
        lines.append(title)
        for r in rows:
            if r.median_s is None:
                lines.append(f"  {r.implementation:<{width}}{'-':>10}   {r.note}")
            else:
                lines.append(f"  {r.implementation:<{width}}{_time(r.median_s):>10}   "
                             f"{r.ratio:8.2f}x  ({r.rounds} rounds)")
    growth_of = {(c.family, c.series): c.growth for c in case_list}
    fitted = []
    for (family, series), growth in growth_of.items():
        rows = [r for r in results if r.family == family and r.series == series]
        for (_, impl), value in fit_growth(rows, growth).items():
            law = f"{value:.2f}**size" if growth == "exponential" else f"size**{value:.2f}"
            fitted.append(f"  {family} {series}, {impl}: time ~ {law}")
    if fitted:
        lines += ["", "fitted growth (least squares on log time):", *fitted]
    return "\n".join(lines)


def _pyplot():
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError("plotting needs matplotlib (pip install 'cysolve[plot]')") from exc
    return plt


def plot(results: list[Result], case_list, path: str) -> None:
    """Time against size, one panel per family series, one line per implementation.

    A series whose cases say ``notes["plot"] == "per unit"`` (the random graphs) gets a
    second panel: time per unit of size (ns per edge), flat while the working set fits in a
    cache and rising where it falls out of one, so the cache steps of each implementation
    show directly.
    """
    plt = _pyplot()
    series = list(dict.fromkeys((c.family, c.series, c.growth) for c in case_list))
    units = {(c.family, c.series): c.unit for c in case_list}
    per_unit = {(c.family, c.series) for c in case_list if c.notes.get("plot") == "per unit"}
    sizes = {(s[0], s[1]): {c.size for c in case_list if (c.family, c.series) == s[:2]}
             for s in series}
    series = [s for s in series if len(sizes[s[:2]]) > 1]
    if not series:
        raise ValueError("nothing to plot: every series has a single size")
    panels = [(s, False) for s in series]
    panels += [(s, True) for s in series if s[:2] in per_unit]
    cols = min(3, len(panels))
    rows = -(-len(panels) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 4 * rows), squeeze=False)
    for ax, ((family, name, growth), scaled) in zip(axes.flat, panels, strict=False):
        mine = [r for r in results if r.family == family and r.series == name and r.median_s]
        for impl in dict.fromkeys(r.implementation for r in mine):
            pts = sorted((r.size, r.median_s / r.size * 1e9 if scaled else r.median_s)
                         for r in mine if r.implementation == impl)
            ax.plot(*zip(*pts, strict=True), marker="o", label=impl)
        ax.set_yscale("log")
        if growth == "power":
            ax.set_xscale("log")
        unit = units[family, name]
        ax.set_title(f"{family}: {name}" + (" (per unit)" if scaled else ""))
        ax.set_xlabel(unit)
        ax.set_ylabel(f"ns per {unit.split()[0]}" if scaled else "median time (s)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    for ax in list(axes.flat)[len(panels):]:
        ax.set_visible(False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(*, quick: bool = False, json_path=None, plot_path=None, demo: bool = False,
         families=None, growth: str | None = None) -> int:
    """Run, print the table, write JSON and the plot on request; the ``cysolve bench`` command.

    ``growth="xscore"`` or ``"deadlock-graph"`` runs that family's growth series alone
    (``cases.GROWTH``): the data and plot of ``docs/xscore-growth.*`` / ``docs/graph-growth.*``.
    """
    if plot_path:
        _pyplot()  # fail before the run, not after it
    if growth is not None:
        profile = f"growth {growth}"
        case_list = cases.GROWTH[growth]()
    else:
        profile = "demo" if demo else "quick" if quick else "full"
        case_list = cases.demo_cases() if demo else cases.all_cases(profile, families)
    budget = 0.05 if demo else 0.15 if quick else 0.5
    tty = sys.stderr.isatty()

    def progress(text):
        if tty:
            print(f"\r\033[K  running {text}", end="", file=sys.stderr, flush=True)

    results = run(case_list, budget=budget, progress=progress)
    if tty:
        print("\r\033[K", end="", file=sys.stderr)
    info = machine()
    print(report(results, case_list, info))
    if json_path:
        with open(json_path, "w") as f:
            json.dump({"machine": info, "profile": profile,
                       "results": [asdict(r) for r in results]}, f, indent=1)
    if plot_path:
        plot(results, case_list, plot_path)
    return 0
