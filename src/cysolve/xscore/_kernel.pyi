import numpy as np
import numpy.typing as npt

METHODS: dict[str, int]

def shapes(
    values: npt.NDArray[np.int64], offsets: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]: ...
def set_start_room(room: int) -> int: ...
def room_for(bits: int, method: int) -> int: ...
def next_room(states: int, bits: int, method: int, room: int) -> int: ...
def best(
    a: npt.NDArray[np.int64], method: int, limit: int, with_order: bool = False
) -> tuple[
    int | None, int | None, int, npt.NDArray[np.int64] | None, tuple[int, int, int] | None
]: ...
def best_batch(
    values: npt.NDArray[np.int64],
    offsets: npt.NDArray[np.int64],
    method: int,
    out_h: npt.NDArray[np.int64],
    out_r: npt.NDArray[np.int64],
    out_b: npt.NDArray[np.int64],
    scratch_bytes: int,
    num_threads: int,
    out_steps: npt.NDArray[np.int64] | None = None,
) -> None: ...
def table_size(states: int, bits: int, method: int, room: int) -> int: ...
