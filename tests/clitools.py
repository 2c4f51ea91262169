"""What the command-line tests share: running ``python -m cysolve`` and batch files."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

import cysolve
from cysolve import xscore

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

