import numpy as np
import numpy.typing as npt

NARROW: int  # residue bits up to which residue sets are bitsets (wider: sorted pairs)
LONGEST: int  # the most values one instance may have (63: h < 2**n fits int64)

def best(
    a: npt.NDArray[np.int64], max_bytes: int, with_order: bool = False, bucket_from: int = ...
) -> tuple[int | None, int | None, int, npt.NDArray[np.int64] | None, int | None]:
    """``(h, r, b, steps, None)`` with the optimum ``h * 2**b + r`` (``steps``: the values
    in an optimal order, with ``with_order``); or, when the buffers
    would grow past ``max_bytes``, ``(None, None, b, None, needed)``: the bytes they would
    have held in all."""

def best_batch(
    values: npt.NDArray[np.int64],
    offsets: npt.NDArray[np.int64],
    out_h: npt.NDArray[np.int64],
    out_r: npt.NDArray[np.int64],
    out_b: npt.NDArray[np.int64],
    out_need: npt.NDArray[np.int64],
    max_bytes_per_thread: int,
    num_threads: int,
    steps: npt.NDArray[np.int64] | None = None,
) -> None:
    """Rows ``values[offsets[i]:offsets[i + 1]]``: ``out_b[i] = b`` and the optimum
    ``out_h[i] * 2**b + out_r[i]``; or ``out_b[i] = -1`` (over the limit; ``out_need[i]`` =
    the bytes needed) or ``-2`` (the system refused the memory). With ``steps`` (as long as
    ``values``): each row's values in an optimal order, at the row's offsets."""
