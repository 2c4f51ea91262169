"""Types of the compiled matrix-algorithm kernel (private; see cysolve.deadlock.matrix)."""

import numpy as np
from numpy.typing import NDArray

def detect(
    allocation: NDArray[np.int64],
    request: NDArray[np.int64],
    available: NDArray[np.int64],
    order: NDArray[np.int64],
    strategy: int = 0,
) -> int: ...
def solve_batch(
    allocation: NDArray[np.int64],
    request: NDArray[np.int64],
    available: NDArray[np.int64],
    deadlocked: NDArray[np.uint8],
    orders: NDArray[np.int64],
    finished: NDArray[np.int64],
    num_threads: int,
) -> None: ...
def detect_batch(
    allocation: NDArray[np.int64],
    request: NDArray[np.int64],
    available: NDArray[np.int64],
    deadlocked: NDArray[np.uint8],
    num_threads: int,
) -> None: ...
def plan(
    allocation: NDArray[np.int64],
    request: NDArray[np.int64],
    available: NDArray[np.int64],
) -> tuple[str, int]: ...
def avx2(on: bool | None = None) -> bool: ...
