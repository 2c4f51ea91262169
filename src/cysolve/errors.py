"""The package's exception types: the standard ones, with structure a program can read.

A batch API that refuses one instance raises an :class:`InstanceError` subclass of the
standard exception it would raise for a single instance (``ValueError``, ``OverflowError``,
``TypeError`` or ``MemoryError``), so ``except ValueError`` keeps working, and ``.index`` says
which instance (the row of the batch) without parsing the message.

Examples
--------
>>> from cysolve import errors, xscore
>>> try:
...     xscore.best_scores([[1, 2], [3, -4]])
... except ValueError as exc:
...     print(type(exc).__name__, exc.index, exc.argument, repr(exc.rule))
...     print(exc)
InstanceValueError 1 batch ': a[1] = -4: values must be non-negative'
batch[1][1] = -4: values must be non-negative
"""

from __future__ import annotations

__all__ = [
    "InstanceError",
    "InstanceMemoryError",
    "InstanceOverflowError",
    "InstanceTypeError",
    "InstanceValueError",
    "instance_error",
]


class InstanceError(Exception):
    """Base of the errors that name one instance of a batch.

    Attributes
    ----------
    index : int
        The instance's row in the batch (0-based, in the caller's numbering).
    argument : str
        The argument that holds the batch (``"batch"``, ``"allocation"`` ...).
    rule : str
        The message without its location ``argument[index]``, an element of the instance
        written as ``a[j]``: ``": a[1] = -4: values must be non-negative"``. A caller that
        knows the instance by another name (a file's line) prefixes its own.
    """

    def __init__(self, message: str, *, index: int, argument: str, rule: str | None = None):
        super().__init__(message)
        self.index = int(index)
        self.argument = argument
        self.rule = _rule(message, self.index, argument) if rule is None else rule

    def __reduce__(self):  # picklable across processes (dask workers) with its fields
        return _rebuild, (type(self), str(self), self.index, self.argument, self.rule)

    def moved(self, index: int, where: str | None = None) -> InstanceError:
        """The same error for the instance at ``index`` of a larger batch (a dask chunk's
        row in the whole array), or located by ``where`` (a file's line) when given."""
        here = f"{self.argument}[{self.index}"
        text = str(self)
        if where is not None:
            message = where + self.rule
        elif text.startswith(here):
            message = f"{self.argument}[{index}" + text[len(here):]
        else:
            message = text
        return type(self)(message, index=index, argument=self.argument, rule=self.rule)


def _rebuild(cls, message, index, argument, rule):
    return cls(message, index=index, argument=argument, rule=rule)


def _rule(message: str, index: int, argument: str) -> str:
    """``message`` without its leading location; ``[i, j]`` / ``[i][j]`` become ``: a[j]``."""
    for prefix, element in ((f"{argument}[{index}, ", True), (f"{argument}[{index}][", True),
                            (f"{argument}[{index}]", False)):
        if message.startswith(prefix):
            rest = message[len(prefix):]
            return f": a[{rest}" if element else rest
    return f": {message}"


class InstanceValueError(InstanceError, ValueError):
    """A batch instance breaks a value rule (negative count, table over the memory limit)."""


class InstanceOverflowError(InstanceError, OverflowError):
    """A batch instance whose numbers or answer do not fit in int64."""


class InstanceTypeError(InstanceError, TypeError):
    """A batch instance of the wrong type (a non-integer element)."""


class InstanceMemoryError(InstanceError, MemoryError):
    """A batch instance whose working memory could not be allocated."""


_BY_BASE = {
    ValueError: InstanceValueError,
    OverflowError: InstanceOverflowError,
    TypeError: InstanceTypeError,
    MemoryError: InstanceMemoryError,
}


def instance_error(exc: BaseException, index: int, argument: str) -> InstanceError:
    """``exc`` (a standard error about one instance) as the matching :class:`InstanceError`.

    An ``exc`` that already is an :class:`InstanceError` keeps its message; its index is
    shifted by nothing (the caller passes the global row).
    """
    for base, cls in _BY_BASE.items():
        if isinstance(exc, base):
            return cls(str(exc), index=index, argument=argument)
    raise TypeError(f"no InstanceError for {type(exc).__name__}")
