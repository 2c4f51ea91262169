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
    output = None if args.output in (None, "-") else args.output
    batchio.check_output(output)  # before any work: a bad path fails at once
    threads = resolve_threads(args.threads)
    reader = batchio.open_reader(args.input, args.format)
    try:
        if output is not None and args.input != "-" and os.path.exists(output) and (
            os.path.samefile(args.input, output)
        ):
            raise batchio.InputError(f"--output {output} is the input file; choose another")
        writer = batchio.open_writer(output)
        try:
            status = _stream(reader, writer, args, threads)
        finally:
            writer.close()
    finally:
        reader.close()
    if status == EXIT_OK and output is not None:
        if args.json:
            print(json.dumps({
                "input": args.input, "output": output, "instances": writer.count,
                "method": args.method, "threads": threads,
            }))
        else:
            err(f"solved {writer.count:,} instances: {output}")
    return status


def _stream(reader, writer, args: argparse.Namespace, threads: int) -> int:
    """Chunks from ``reader`` through ``best_scores`` into ``writer``, one progress bar.

    Chunks start small and double while one takes under a quarter of a second (up to
    ``--chunk-size``), so the bar moves and Ctrl-C loses at most a moment's work. A bad
    instance stops the run after every instance before it is solved and written.
    """
    size = min(args.chunk_size, 1024)
    # tqdm's disable=None: a bar only when stderr is a terminal. None either when the scores
    # themselves go to the terminal, where the bar would tear through them.
    quiet = args.no_progress or (writer.path is None and sys.stdout.isatty())
    bar = tqdm(
        total=reader.total, unit=" instances", desc="xscore", disable=True if quiet else None,
        file=sys.stderr, dynamic_ncols=True,
    )
    # Exact ints where the output is text; .npy holds int64 (a score beyond it is an error).
    exact = not (writer.path or "").endswith(".npy")
    kw = {"method": args.method, "num_threads": threads, "max_memory": args.max_memory,
          "dtype": object if exact else np.int64}
    try:
        while True:
            chunk = reader.read(size)
            if chunk is None:
                break
            start = time.perf_counter()
            try:
                scores = xscore.best_scores(chunk, **kw)
            except InstanceError as exc:
                if exc.index:  # keep every result before the bad instance
                    writer.write(xscore.best_scores(chunk[: exc.index], **kw))
                row = exc.index
                raise exc.moved(row, reader.where(row)) from None
            writer.write(scores)
            bar.update((reader.position if reader.total is not None else bar.n + len(chunk))
                       - bar.n)
            if time.perf_counter() - start < 0.25:
                size = min(2 * size, args.chunk_size)
    except KeyboardInterrupt:
        bar.close()
        writer.finish()  # a Ctrl-C-truncated result is a result
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
    writer.finish()
    return EXIT_OK
