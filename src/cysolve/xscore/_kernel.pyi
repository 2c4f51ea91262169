import numpy as np
import numpy.typing as npt

METHODS: dict[str, int]

def shapes(
    values: npt.NDArray[np.int64], offsets: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]: ...
def best(
    a: npt.NDArray[np.int64], method: int, nbytes: int, with_order: bool = False, K: int = 0
) -> tuple[int, int, int, npt.NDArray[np.int64] | None] | None: ...
def best_batch(
    values: npt.NDArray[np.int64],
    offsets: npt.NDArray[np.int64],
    method: int,
    out_h: npt.NDArray[np.int64],
    out_r: npt.NDArray[np.int64],
    out_b: npt.NDArray[np.int64],
    scratch_bytes: int,
    num_threads: int,
    room: int,
) -> None: ...
def table_size(states: int, bits: int, method: str, K: int) -> int: ...

SPARSE_BITS: int
