"""The ``cysolve`` command (also ``python -m cysolve``).

Exit status: 0 success, 1 a failure that is not the input's fault (a file that cannot be
written, a missing optional part), 2 bad input or usage (the message names the file, the line
or index, and the rule), 130 stopped by Ctrl-C (a batch keeps what it finished).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
import traceback

import numpy as np
from tqdm.auto import tqdm

from cysolve import __version__, _io, _validate, xscore

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


def _err(message: str) -> None:
    print(f"cysolve: {message}", file=sys.stderr)


# --- xscore ---------------------------------------------------------------------------------


def _xscore(args: argparse.Namespace) -> int:
    if args.input is not None:
        if args.values:
            args.parser.error("give either VALUES or --input FILE, not both")
        return _xscore_batch(args)
    if not args.values:
        args.parser.error("give the VALUES of one instance, or --input FILE for a batch")
    if args.output is not None:
        args.parser.error("--output needs --input (a single instance prints its answer)")
    score, order = xscore.best_order(args.values, method=args.method, max_memory=args.max_memory)
    if args.json:
        print(json.dumps({
            "values": args.values, "score": score, "order": order,
            "order_values": [args.values[i] for i in order], "method": args.method,
        }))
        return EXIT_OK
    print(f"best score: {score}")
    print(f"order (indices): {' '.join(map(str, order))}")
    print(f"order (values):  {' '.join(str(args.values[i]) for i in order)}")
    return EXIT_OK


def _xscore_batch(args: argparse.Namespace) -> int:
    threads = _validate.num_threads(args.threads)
    reader = _io.open_reader(args.input)
    try:
        if args.output is not None and os.path.exists(args.output) and os.path.samefile(
            args.input, args.output
        ):
            raise _io.InputError(f"--output {args.output} is the input file; choose another")
        writer = _io.open_writer(args.output)
        try:
            status = _stream(reader, writer, args, threads)
        finally:
            writer.close()
    finally:
        reader.close()
    if status == EXIT_OK and args.output is not None:
        if args.json:
            print(json.dumps({
                "input": args.input, "output": args.output, "instances": writer.count,
                "method": args.method, "threads": threads,
            }))
        else:
            _err(f"solved {writer.count:,} instances: {args.output}")
    return status


def _stream(reader, writer, args: argparse.Namespace, threads: int) -> int:
    """Chunks from ``reader`` through ``best_scores`` into ``writer``, one progress bar.

    Chunks start small and double while one takes under a quarter of a second (up to
    ``--chunk-size``), so the bar moves and Ctrl-C loses at most a moment's work.
    """
    size = min(args.chunk_size, 1024)
    # tqdm's disable=None: a bar only when stderr is a terminal. None either when the scores
    # themselves go to the terminal, where the bar would tear through them.
    quiet = args.no_progress or (writer.path is None and sys.stdout.isatty())
    bar = tqdm(
        total=reader.total, unit=" instances", desc="xscore", disable=True if quiet else None,
        file=sys.stderr, dynamic_ncols=True,
    )
    try:
        while True:
            chunk = reader.read(size)
            if chunk is None:
                break
            start = time.perf_counter()
            writer.write(_solve_chunk(chunk, reader, args, threads))
            bar.update(reader.position - bar.n)
            if time.perf_counter() - start < 0.25:
                size = min(2 * size, args.chunk_size)
    except KeyboardInterrupt:
        bar.close()
        where = "" if writer.path is None else f"; they are in {writer.path}"
        _err(f"interrupted: {writer.count:,} instances were solved{where}")
        return EXIT_INTERRUPTED
    except (_io.InputError, ValueError, OverflowError, TypeError):
        bar.close()
        if writer.count and writer.path is not None:
            _err(f"stopped at bad input; the {writer.count:,} results before it are in "
                 f"{writer.path}")
        raise
    bar.close()
    return EXIT_OK


_BATCH_INDEX = re.compile(r"^batch\[(\d+)(?:, (\d+))?\]")


def _solve_chunk(chunk, reader, args: argparse.Namespace, threads: int) -> np.ndarray:
    """Scores of one chunk: a 2-D array as is; a list of rows grouped by length into 2-D
    arrays (one fast conversion per length instead of one per row)."""
    kw = {"method": args.method, "num_threads": threads, "max_memory": args.max_memory}
    if isinstance(chunk, np.ndarray):
        return _located(chunk, np.arange(len(chunk)), reader, kw)
    lengths = np.fromiter(map(len, chunk), dtype=np.int64, count=len(chunk))
    out = np.empty(len(chunk), dtype=np.int64)
    for n in np.unique(lengths).tolist():
        idx = np.flatnonzero(lengths == n)
        group = np.array([chunk[i] for i in idx.tolist()], dtype=np.int64).reshape(idx.size, n)
        out[idx] = _located(group, idx, reader, kw)
    return out


def _located(batch: np.ndarray, idx: np.ndarray, reader, kw: dict) -> np.ndarray:
    """``xscore.best_scores`` with errors that name the file and line, not ``batch[i]``."""
    try:
        return xscore.best_scores(batch, **kw)
    except (ValueError, OverflowError) as exc:
        message = str(exc)
        found = _BATCH_INDEX.match(message)
        if found:
            where = reader.where(int(idx[int(found.group(1))]))
            if found.group(2) is not None:
                where += f": a[{found.group(2)}]"
            message = where + message[found.end():]
        else:
            message = _too_big(batch, idx, reader, kw) or f"{reader.path}: {message}"
        raise type(exc)(message) from None


def _too_big(batch: np.ndarray, idx: np.ndarray, reader, kw: dict) -> str | None:
    """Name the first instance whose DP table exceeds ``--max-memory`` (error path only)."""
    for i, row in enumerate(batch):
        needed = xscore.memory_needed(row, method=kw["method"])
        if needed > kw["max_memory"]:
            return (
                f"{reader.where(int(idx[i]))}: the {kw['method']} table for this instance needs "
                f"{needed:,} bytes, more than --max-memory {kw['max_memory']:,}"
            )
    return None


# --- deadlock -------------------------------------------------------------------------------


def _deadlock(args: argparse.Namespace) -> int:
    from cysolve import _deadlock_cli

    return _deadlock_cli.run(args)


# --- demo and bench -------------------------------------------------------------------------


def _bench(args: argparse.Namespace) -> int:
    from cysolve import bench

    try:
        return bench.main(quick=args.quick, json_path=args.json, plot_path=args.plot)
    except ImportError as exc:  # --plot without matplotlib: the message names the extra
        _err(f"error: {exc}")
        return EXIT_FAILURE


def _demo(args: argparse.Namespace) -> int:
    print("XScoreGame (TopCoder SRM 709), the official examples:")
    for a, expected in xscore.reference.TOPCODER_EXAMPLES:
        score, order = xscore.best_order(a)
        mark = "ok" if score == expected else f"WRONG, expected {expected}"
        print(f"  {a} -> {score} ({mark}; order {order})")
        if score != expected:
            return EXIT_FAILURE
    from cysolve import _deadlock_cli, bench

    print()
    if _deadlock_cli.demo() != EXIT_OK:
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
    p.add_argument("-i", "--input", metavar="FILE", help="a batch of instances")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="where the batch's scores go (default: standard output)")
    p.add_argument("--method", choices=xscore.METHODS, default="dominance",
                   help="the DP (both exact; default: dominance)")
    p.add_argument("-t", "--threads", type=_threads, default=None, metavar="N",
                   help="threads for a batch (default: every usable core; -1 all, -2 all but one)")
    p.add_argument("--max-memory", type=_positive, default=xscore.DEFAULT_MAX_MEMORY,
                   metavar="BYTES", help="refuse DP tables larger than this (default: 1 GiB)")
    p.add_argument("--chunk-size", type=_positive, default=100_000, metavar="K",
                   help="largest number of instances read and solved at a time "
                   "(default: 100000)")
    p.add_argument("--no-progress", action="store_true",
                   help="no progress bar (there is none anyway when stderr is not a terminal)")
    p.set_defaults(run=_xscore, parser=p)

    p = commands.add_parser(
        "deadlock", help="deadlock detection for a system state in a JSON file",
        description="FILE is JSON: {\"allocation\", \"request\", \"available\" | \"existing\"} "
        "(the matrix algorithm, several units per resource type), {\"edges\": [[u, v], ...]} "
        "(a resource-allocation or wait-for graph), or {\"holds\": {resource: process}, "
        "\"waits\": {process: [resources]}}. With --banker: {\"available\", \"allocation\", "
        "\"max_claim\"}, the safety check. '-' reads standard input.",
    )
    p.add_argument("file", metavar="FILE", help="the system state (JSON)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--banker", action="store_true",
                   help="run Banker's safety check on {available, allocation, max_claim}")
    p.set_defaults(run=_deadlock, parser=p)

    p = commands.add_parser("demo", help="solve the bundled examples and run a short benchmark")
    p.set_defaults(run=_demo, parser=p)

    p = commands.add_parser("bench", help="benchmark the kernels against references and peers")
    p.add_argument("--quick", action="store_true", help="small inputs, a few seconds")
    p.add_argument("--json", metavar="PATH", help="write the measurements as JSON")
    p.add_argument("--plot", metavar="PATH", help="draw the measurements (needs matplotlib)")
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
    except (_io.InputError, TypeError, ValueError, OverflowError) as exc:
        _err(f"error: {exc}")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        _err("interrupted")
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
        _err("error: out of memory; try a smaller --max-memory or --chunk-size")
        return EXIT_FAILURE
    except OSError as exc:
        name = f": {exc.filename}" if exc.filename else ""
        _err(f"error: {exc.strerror or exc}{name}")
        return EXIT_FAILURE
    except Exception:  # a bug in cysolve, not the user's mistake: show where
        traceback.print_exc()
        _err("internal error: please report it with the traceback above")
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
