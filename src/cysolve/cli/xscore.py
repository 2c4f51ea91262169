"""``cysolve xscore``: one instance (score and an optimal order), or a batch file streamed in
chunks through ``xscore.best_scores`` with a progress bar.

Errors name the file and line of the bad instance: a batch error carries the instance's row
(``cysolve.errors.InstanceError.index``), which the reader maps to its line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np
from tqdm.auto import tqdm

from cysolve import xscore
from cysolve.cli import batchio
from cysolve.cli.common import EXIT_INTERRUPTED, EXIT_OK, err, resolve_threads
from cysolve.errors import InstanceError


def run(args: argparse.Namespace) -> int:
    """``cysolve xscore``: one instance from VALUES, or a batch from --input."""
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
    threads = resolve_threads(args.threads)
    reader = batchio.open_reader(args.input)
    try:
        if args.output is not None and os.path.exists(args.output) and os.path.samefile(
            args.input, args.output
        ):
            raise batchio.InputError(f"--output {args.output} is the input file; choose another")
        writer = batchio.open_writer(args.output)
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
            err(f"solved {writer.count:,} instances: {args.output}")
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
        err(f"interrupted: {writer.count:,} instances were solved{where}")
        return EXIT_INTERRUPTED
    except (batchio.InputError, ValueError, OverflowError, TypeError):
        bar.close()
        if writer.count and writer.path is not None:
            err(f"stopped at bad input; the {writer.count:,} results before it are in "
                 f"{writer.path}")
        raise
    bar.close()
    return EXIT_OK


def _solve_chunk(chunk, reader, args: argparse.Namespace, threads: int) -> np.ndarray:
    """Scores of one chunk (a 2-D array or a list of rows), errors located in the file."""
    kw = {"method": args.method, "num_threads": threads, "max_memory": args.max_memory}
    return _located(chunk, np.arange(len(chunk)), reader, kw)


def _located(batch: np.ndarray, idx: np.ndarray, reader, kw: dict) -> np.ndarray:
    """``xscore.best_scores`` with errors that name the file and line, not ``batch[i]``."""
    try:
        return xscore.best_scores(batch, **kw)
    except InstanceError as exc:
        row = int(idx[exc.index])
        raise exc.moved(row, reader.where(row)) from None
