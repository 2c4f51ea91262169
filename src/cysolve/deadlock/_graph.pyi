"""Types of the compiled graph kernel (see ``_graph.pyx`` for the contract it trusts)."""

import numpy as np
import numpy.typing as npt

_Index = np.int32 | np.int64

class MalformedCSR(ValueError):
    kind: str  # "row" (an indptr pair) or "index" (an entry of indices)
    position: int
    def __init__(self, kind: str, position: int) -> None: ...

def scan(
    indptr: npt.NDArray[_Index],
    indices: npt.NDArray[_Index],
    peel: bool = True,
    wide: bool = False,
    split: bool | None = None,
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_], npt.NDArray[np.int64] | None]: ...
def first_cycle(
    indptr: npt.NDArray[_Index], indices: npt.NDArray[_Index]
) -> npt.NDArray[np.int64] | None: ...
def csr_from_edges(
    src: npt.NDArray[_Index], dst: npt.NDArray[_Index], n: int
) -> tuple[npt.NDArray[_Index], npt.NDArray[_Index]]: ...
