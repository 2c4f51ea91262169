"""Types of the compiled graph kernel (see ``_graph.pyx`` for the contract it trusts)."""

import numpy as np
import numpy.typing as npt

_Index = np.int32 | np.int64

def scan(
    indptr: npt.NDArray[_Index], indices: npt.NDArray[_Index]
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[_Index] | None]: ...
def first_cycle(
    indptr: npt.NDArray[_Index], indices: npt.NDArray[_Index]
) -> npt.NDArray[_Index] | None: ...
def csr_from_edges(
    src: npt.NDArray[_Index], dst: npt.NDArray[_Index], n: int
) -> tuple[npt.NDArray[_Index], npt.NDArray[_Index]]: ...
