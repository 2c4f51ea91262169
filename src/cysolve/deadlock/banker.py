"""Banker's algorithm one request at a time: a state that decides each request at once.

Tanenbaum & Bos, *Modern Operating Systems* (4th ed.), section 6.5: grant a request only if
the state after granting it is safe. ``request_ok`` answers one question about a state it
is given (validating and copying everything, then a full safety check); ``Banker`` keeps the
state, and a safe sequence of it, between calls: most grants keep that sequence valid, which
is checked on the processes before the requester only (``deadlock._online.BankerCore``); a
full check (the compiled matrix kernel, on the state's own arrays) runs only when it fails.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cysolve._convert import int_array
from cysolve.deadlock import _inputs, _online
from cysolve.deadlock.matrix import Safety, is_safe

__all__ = ["Banker"]


def _readonly(arr: np.ndarray) -> np.ndarray:
    view = arr.view()
    view.flags.writeable = False
    return view


class Banker(_online.BankerCore):
    """A Banker's state: ``request`` grants only what keeps it safe.

    Parameters
    ----------
    max_claim : array_like of int, shape (n, m)
        The most each process may ever hold of each resource type.
    allocation : array_like of int, shape (n, m), optional
        What each process holds now (default: nothing); never above ``max_claim``.
    available, existing : array_like of int, shape (m,)
        The free units, or all units (free ones are ``existing - allocation.sum(0)``); give
        one or both (they must agree).

    The arrays are copied; ``available``, ``allocation``, ``need`` and ``max_claim`` are
    read-only views of the state. A finished process keeps its index (its rows are zero).
    Bad calls raise ``TypeError``/``ValueError`` naming the argument and change nothing.

    Examples
    --------
    Tanenbaum's Fig. 6-9: one resource type, 10 units, three processes.

    >>> from cysolve.deadlock import Banker
    >>> b = Banker([[9], [4], [7]], allocation=[[3], [2], [2]], existing=[10])
    >>> b.safe_sequence()
    [1, 2, 0]
    >>> b.request(0, [1])        # A asks for one more: the state would be unsafe
    False
    >>> b.request(1, [2])        # B may have its last two
    True
    >>> b.finish(1)
    >>> b.available.tolist(), b.request(0, [1]), b.request(2, [2])
    ([5], False, True)
    """

    def __init__(
        self,
        max_claim: ArrayLike,
        allocation: ArrayLike | None = None,
        *,
        available: ArrayLike | None = None,
        existing: ArrayLike | None = None,
    ) -> None:
        M = int_array(max_claim, "max_claim", ndim=2)
        if allocation is None:
            allocation = np.zeros_like(M)
        if available is None and existing is None:
            raise TypeError("Banker needs available= or existing= (the free or all units)")
        C = int_array(allocation, "allocation", ndim=2)
        if C.shape != M.shape:
            raise ValueError(
                f"allocation has shape {C.shape} but max_claim has shape {M.shape}: "
                "they must agree (processes x resource types)"
            )
        available = _inputs.free_units(C, available, existing)  # the matrix rules, one place
        A, C, need = _inputs.banker_state(available, C, M)
        self._load(
            np.array(A, dtype=np.int64, order="C"),
            np.array(C, dtype=np.int64, order="C"),
            np.array(need, dtype=np.int64, order="C"),
            np.zeros(C.shape[0], dtype=np.uint8),
        )
        self.is_safe()

    # --- the state ----------------------------------------------------------------------------

    @property
    def available(self) -> NDArray[np.int64]:
        return _readonly(self._A)

    @property
    def allocation(self) -> NDArray[np.int64]:
        return _readonly(self._C)

    @property
    def need(self) -> NDArray[np.int64]:
        return _readonly(self._need)

    @property
    def max_claim(self) -> NDArray[np.int64]:
        return _readonly(self._C + self._need)

    @property
    def finished(self) -> NDArray[np.bool_]:
        return _readonly(self._done.view(bool))

    def __repr__(self) -> str:
        state = "safe" if self.seq_ok else "unsafe"
        return (
            f"Banker({self.n} processes, {self.m} resource types, {state}, "
            f"available={self._A.tolist()})"
        )

    def is_safe(self) -> Safety:
        """The safety test from scratch on the current state (finished processes included,
        as processes holding and needing nothing)."""
        safety = is_safe(self._A, self._C, self._C + self._need)
        if safety.safe:
            self._set_sequence(safety.sequence)
        else:
            self.seq_ok = False
        return safety

    def safe_sequence(self) -> list[int] | None:
        """An order in which the unfinished processes can all finish, or None when unsafe."""
        if not self.seq_ok:
            self.is_safe()
        return self._sequence() if self.seq_ok else None

    # --- events -------------------------------------------------------------------------------

    def _process(self, process, name: str = "process") -> int:
        i = _inputs.process_index(process, self.n, name)
        if self._done[i]:
            raise ValueError(f"{name} = {i}: that process has finished")
        return i

    def _vector(self, values, name: str) -> np.ndarray:
        return _inputs.resource_vector(values, name, self.m)

    def request(self, process: int, request: ArrayLike) -> bool:
        """Grant ``request`` to ``process`` if the state stays safe (True); else False.

        False also when fewer units are free than asked (the process must wait). The state
        changes only on True. A request above the process's remaining need is an error.
        """
        if type(process) is int and 0 <= process < self.n and not self._done[process]:
            granted = self._fast_request(process, request)
            if granted is not None:
                return granted
        i = self._process(process)
        req = _inputs.banker_request(request, self._need, i)
        self._load_request(req)
        return self._try(i, False)

    def release(self, process: int, release: ArrayLike) -> None:
        """``process`` gives back ``release`` units (never more than it holds)."""
        i = self._process(process)
        rel = self._vector(release, "release")
        above = rel > self._C[i]
        if above.any():
            j = int(np.argmax(above))
            raise ValueError(
                f"process {i}, resource {j}: release[{j}] = {rel[j]} exceeds its allocation "
                f"{self._C[i, j]}: a process cannot give back more than it holds"
            )
        self._A += rel
        self._C[i] -= rel
        self._need[i] += rel  # a safe sequence stays safe: i returns the same units later

    def finish(self, process: int) -> None:
        """``process`` is done: it gives back everything and needs nothing more."""
        i = self._process(process)
        self._A += self._C[i]
        self._C[i] = 0
        self._need[i] = 0
        self._done[i] = 1
        if self.seq_ok:
            order = self._sequence()
            order.remove(i)
            self._set_sequence(order)

    def add_process(self, max_claim_row: ArrayLike) -> int:
        """A new process holding nothing, with this maximum claim; returns its index.

        A claim above the existing units of a type could never be met (``ValueError``).
        """
        row = self._vector(max_claim_row, "max_claim_row")
        existing = self._A + self._C.sum(axis=0)
        above = row > existing
        if above.any():
            j = int(np.argmax(above))
            raise ValueError(
                f"resource {j}: max_claim_row[{j}] = {row[j]} exceeds the {existing[j]} units "
                "that exist: the process could never finish"
            )
        order = self._sequence() if self.seq_ok else None
        n = self.n
        self._load(
            self._A,
            np.vstack([self._C, np.zeros((1, self.m), dtype=np.int64)]),
            np.vstack([self._need, row[None, :]]),
            np.append(self._done, np.uint8(0)),
        )
        if order is not None:  # last in the sequence: everything is free by then
            self._set_sequence(order + [n])
        return n
