"""The ``cysolve`` command (also ``python -m cysolve``).

Exit status: 0 success, 1 a failure that is not the input's fault (a file that cannot be
written, a missing optional part), 2 bad input or usage (the message names the file, the line
or index, and the rule), 130 stopped by Ctrl-C (a batch keeps what it finished).
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback

from cysolve import __version__
from cysolve.cli import deadlock as deadlock_command
from cysolve.cli import xscore as xscore_command
from cysolve.cli.batchio import InputError, check_output
from cysolve.cli.common import EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, err
from cysolve.deadlock import REPORT_LIMIT

# Named imports: the sub-modules cli.xscore and cli.deadlock shadow the packages' names here.
from cysolve.xscore import DEFAULT_MAX_MEMORY, METHODS, best_order, play
from cysolve.xscore.reference import TOPCODER_EXAMPLES

# --- deadlock -------------------------------------------------------------------------------


# --- demo and bench -------------------------------------------------------------------------


def _bench(args: argparse.Namespace) -> int:
    from cysolve import bench

    # Both outputs are checked before the run, not after minutes of it.
    check_output(args.json, None, "--json")
    check_output(args.plot, None, "--plot")
    try:
        return bench.main(quick=args.quick, json_path=args.json, plot_path=args.plot,
                          growth=args.growth)
    except ImportError as exc:  # --plot without matplotlib: the message names the extra
        err(f"error: {exc}")
        return EXIT_FAILURE


def _demo(args: argparse.Namespace) -> int:
    print("XScoreGame (TopCoder SRM 709), the official examples:")
    for a, expected in TOPCODER_EXAMPLES:
        score, order = best_order(a)
        mark = "ok" if score == expected else f"WRONG, expected {expected}"
        print(f"  {a} -> {score} ({mark}; order {order})")
        if score != expected:
            return EXIT_FAILURE
    # One instance far past the TopCoder limit: 30 values, solved by the layer frontier and
    # checked by replaying its order.
    import time

    import numpy as np

    a = np.random.default_rng(30).integers(0, 51, size=30).tolist()
    start = time.perf_counter()
    score, order = best_order(a)
    ms = 1000 * (time.perf_counter() - start)
    replayed = "replays to it" if play(a, order) == score else "DOES NOT REPLAY"
    print(f"  n = 30 (values 0..50): best score {score} in {ms:.1f} ms; the order {replayed}")
    from cysolve import bench

    print()
    if deadlock_command.demo() != EXIT_OK:
        return EXIT_FAILURE
    print()
    return bench.main(demo=True)


# --- the parser -----------------------------------------------------------------------------


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{value}: must be positive")
    return value


def _threads(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value == 0:
        raise argparse.ArgumentTypeError("0: use -1 for every core, -2 for all but one, or N > 0")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cysolve", description="Exact combinatorial solvers: XScoreGame and deadlocks.",
        epilog="Exit status: 0 ok, 1 failure, 2 bad input or usage, 130 interrupted.",
    )
    parser.add_argument("--version", action="version", version=f"cysolve {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = commands.add_parser(
        "xscore", help="best XScoreGame score and an optimal order; batches from files",
        description="One instance from VALUES (score and an optimal order), or a batch from "
        "--input (one score per instance, in input order). Input: .npy (2-D int array, one "
        "instance per row), .jsonl (one JSON list per line), .txt/.csv (one instance per line, "
        "values separated by commas or spaces; blank lines skipped). Output: .npy (int64), "
        ".jsonl/.txt/.csv (one score per line), or standard output.",
    )
    p.add_argument("values", nargs="*", type=int, metavar="VALUES",
                   help="the non-negative integers a_i of one instance")
    p.add_argument("--json", action="store_true",
                   help="print JSON: the answer of one instance, or a batch's summary")
    p.add_argument("-i", "--input", metavar="FILE",
                   help="a batch of instances ('-': standard input, with --format)")
    p.add_argument("--format", choices=("npy", "jsonl", "txt", "csv"),
                   help="the input's format when its extension does not say (standard input)")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="where the batch's scores go ('-' or none: standard output); an "
                   "existing file is replaced only once results are written")
    p.add_argument("--method", choices=METHODS, default="frontier",
                   help="the DP (all exact; default: frontier)")
    p.add_argument("-t", "--threads", type=_threads, default=None, metavar="N",
                   help="threads for a batch (default: every usable core; -1 all, -2 all but one)")
    p.add_argument("--max-memory", type=_positive, default=DEFAULT_MAX_MEMORY,
                   metavar="BYTES", help="refuse DP tables larger than this (default: 1 GiB)")
    p.add_argument("--chunk-size", type=_positive, default=100_000, metavar="K",
                   help="largest number of instances read and solved at a time "
                   "(default: 100000)")
    p.add_argument("--no-progress", action="store_true",
                   help="no progress bar (there is none anyway when stderr is not a terminal)")
    p.set_defaults(run=xscore_command.run, parser=p)

    p = commands.add_parser(
        "deadlock", help="deadlock detection for a system state in a JSON file",
        description="FILE is JSON: {\"allocation\", \"request\", \"available\" | \"existing\"} "
        "(the matrix algorithm, several units per resource type), {\"edges\": [[u, v], ...]} "
        "(a resource-allocation or wait-for graph), or {\"holds\": {resource: process}, "
        "\"waits\": {process: [resources]}}. With --banker: {\"available\", \"allocation\", "
        "\"max_claim\"}, the safety check. '-' reads standard input.",
    )
    p.add_argument("file", metavar="FILE", nargs="?", help="the system state (JSON)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--banker", action="store_true",
                   help="run Banker's safety check on {available, allocation, max_claim}")
    p.add_argument("--events", metavar="FILE.jsonl",
                   help='replay lock events, one a line: {"wait": [P, Q]}, '
                   '{"release": [P, Q]}, {"remove": P}; print each deadlock as it forms')
    p.add_argument("--resolve", action="store_true",
                   help="with --events: abort each deadlock's victims and go on")
    p.add_argument("--dot", metavar="OUT.dot",
                   help="also write the graph in Graphviz DOT (cycle in red, blocked shaded)")
    p.add_argument("--request", metavar="'PID V1,V2,...'",
                   help="with --banker: may process PID be granted this request (stays safe)?")
    p.add_argument("--all", action="store_true",
                   help=f"list every process in the text report (default: at most "
                   f"{REPORT_LIMIT} of each kind; JSON always holds all)")
    p.set_defaults(run=deadlock_command.run, parser=p)

    p = commands.add_parser("demo", help="solve the bundled examples and run a short benchmark")
    p.set_defaults(run=_demo, parser=p)

    p = commands.add_parser("bench", help="benchmark the kernels against references and peers")
    p.add_argument("--quick", action="store_true",
                   help="small inputs: about 80 s on 2 cores (the full run takes much longer)")
    p.add_argument("--json", metavar="PATH", help="write the measurements as JSON")
    p.add_argument("--plot", metavar="PATH", help="draw the measurements (needs matplotlib)")
    p.add_argument("--growth", choices=["xscore", "deadlock-graph"],
                   help="time one family's growth series alone (docs/xscore-growth.png: "
                        "about 2 min; docs/graph-growth.png: longer)")
    p.set_defaults(run=_bench, parser=p)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command with ``argv`` (default ``sys.argv[1:]``); returns the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        return args.run(args)
    except SystemExit as exc:  # argparse: --help, --version, usage errors
        return exc.code if isinstance(exc.code, int) else (EXIT_OK if exc.code is None else 2)
    except (InputError, TypeError, ValueError, OverflowError) as exc:
        err(f"error: {exc}")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        err("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader of our output went away (``| head``): stop quietly, as ``cat`` does.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 141
    except MemoryError:
        err("error: out of memory; try a smaller --max-memory or --chunk-size")
        return EXIT_FAILURE
    except OSError as exc:
        name = f": {exc.filename}" if exc.filename else ""
        err(f"error: {exc.strerror or exc}{name}")
        return EXIT_FAILURE
    except Exception:  # a bug in cysolve, not the user's mistake: show where
        traceback.print_exc()
        err("internal error: please report it with the traceback above")
        return EXIT_FAILURE

