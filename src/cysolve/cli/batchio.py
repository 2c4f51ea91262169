"""Batch files for the ``cysolve`` command: read instances in chunks, write results as they come.

One job per format, chosen by the file's extension:

- ``.npy``: a 2-D integer array, one instance per row, memory-mapped so that a file larger
  than memory streams through.
- ``.jsonl``: one JSON list of integers per line.
- ``.txt`` / ``.csv``: one instance per line, values separated by commas and/or spaces.

Blank lines are skipped (results follow the non-blank lines, in order); a ``.jsonl`` line ``[]``
is an empty instance. Every error names the file, the line (1-based) or the row and column, and
the rule, as an :class:`InputError` (the command's exit status 2); the values themselves are
checked by ``xscore.best_scores``, whose errors carry the instance's row for :meth:`where`.

Results are written by :func:`open_writer`: ``.npy`` (int64, 1-D; the header is rewritten with
the final count when the writer is closed, so a batch stopped early leaves a valid file),
``.jsonl`` / ``.txt`` / ``.csv`` (one score per line), or standard output.
"""

from __future__ import annotations

import json
import os
import struct
import sys
from contextlib import contextmanager
from pathlib import Path

import numpy as np

__all__ = ["FORMATS", "InputError", "open_reader", "open_writer"]

FORMATS = (".npy", ".jsonl", ".txt", ".csv")  # read and written alike
INT64_MAX = np.iinfo(np.int64).max


class InputError(ValueError):
    """A user's file is missing, unreadable or breaks a rule; the message says where."""


@contextmanager
def refusals_named(path: str):
    """Turn the system's refusals to open ``path`` into InputErrors that name it."""
    try:
        yield
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None


def _extension(path: str, formats: tuple[str, ...], what: str) -> str:
    ext = Path(path).suffix.lower()
    if ext not in formats:
        raise InputError(
            f"{what} {path}: unknown file type {ext or '(no extension)'!r}; "
            f"use one of {', '.join(formats)}"
        )
    return ext


# --- readers --------------------------------------------------------------------------------


class NpyReader:
    """Rows of a 2-D integer ``.npy`` file, memory-mapped; ``read(n)`` gives a 2-D array."""

    def __init__(self, path: str):
        self.path = path
        with refusals_named(path):
            try:
                arr = np.load(path, mmap_mode="r", allow_pickle=False)
            except (FileNotFoundError, IsADirectoryError, PermissionError):
                raise
            except (ValueError, OSError, EOFError) as exc:
                raise InputError(f"{path}: not a readable .npy file ({exc})") from None
        if not isinstance(arr, np.ndarray):
            raise InputError(f"{path}: holds several arrays; expected one 2-D integer array")
        if arr.dtype.kind not in "iu":
            raise InputError(
                f"{path}: dtype {arr.dtype}: expected a 2-D integer array (one instance per row)"
            )
        if arr.ndim != 2:
            raise InputError(
                f"{path}: shape {arr.shape}: expected a 2-D integer array (one instance per row)"
            )
        self._arr = arr
        self._next = 0
        self.total = arr.shape[0]

    def read(self, count: int):
        """The next ``count`` rows (fewer at the end) as an int array, or None when done."""
        lo = self._next
        if lo >= self.total:
            return None
        hi = min(self.total, lo + count)
        chunk = np.asarray(self._arr[lo:hi])
        if chunk.dtype.kind == "i" and chunk.size and chunk.min() < 0:
            i, j = np.argwhere(chunk < 0)[0]
            raise InputError(
                f"{self.path}: row {lo + i}, column {j} = {chunk[i, j]}: "
                "values must be non-negative"
            )
        if chunk.dtype == np.uint64 and chunk.size and chunk.max() > INT64_MAX:
            i, j = np.argwhere(chunk > INT64_MAX)[0]
            raise InputError(
                f"{self.path}: row {lo + i}, column {j} = {chunk[i, j]}: values must fit in int64"
            )
        self._next = hi
        self._first = lo
        return chunk

    @property
    def position(self) -> int:
        """Rows consumed so far."""
        return self._next

    def where(self, i: int) -> str:
        """Where instance ``i`` of the last chunk came from."""
        return f"{self.path}: row {self._first + i}"

    def close(self) -> None:
        self._arr = None


class _LineReader:
    """Shared by the line formats: one instance per non-blank line, 1-based line numbers."""

    def __init__(self, path: str):
        self.path = path
        with refusals_named(path):
            self._file = open(path, "rb")  # noqa: SIM115 - closed by close()
        self.total = _count_lines(self._file)
        self._line = 0
        self._lines: list[int] = []

    def read(self, count: int):
        """The next ``count`` instances as a list of lists of ints, or None when done."""
        rows: list[list[int]] = []
        lines: list[int] = []
        for raw in self._file:
            self._line += 1
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise InputError(f"{self.path} line {self._line}: not UTF-8 text") from None
            if not text.strip():
                continue
            rows.append(self._parse(text, self._line))
            lines.append(self._line)
            if len(rows) >= count:
                break
        self._lines = lines
        return rows if rows else None

    @property
    def position(self) -> int:
        """Lines consumed so far, blank ones included (the progress bar counts these)."""
        return self._line

    def where(self, i: int) -> str:
        return f"{self.path} line {self._lines[i]}"

    def close(self) -> None:
        self._file.close()


class JsonlReader(_LineReader):
    def _parse(self, text: str, line: int) -> list[int]:
        try:
            obj = json.loads(text.strip())
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{self.path} line {line}: malformed JSON ({exc.msg} at column {exc.colno})"
            ) from None
        if not isinstance(obj, list):
            raise InputError(
                f"{self.path} line {line}: expected a JSON list of integers, "
                f"got {_json_type(obj)}"
            )
        return obj  # its values are checked by xscore.best_scores, which names a[j]


class TextReader(_LineReader):
    def _parse(self, text: str, line: int) -> list[int]:
        out = []
        for j, token in enumerate(text.replace(",", " ").split()):
            try:
                value = int(token)
            except ValueError:
                raise InputError(
                    f"{self.path} line {line}: a[{j}] = {token!r}: values must be integers"
                ) from None
            out.append(value)
        return out


def _json_type(obj) -> str:
    return {dict: "an object", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(obj), "a number"
    )


def _count_lines(f) -> int:
    """Lines in a binary file (a last line without a newline counts), then rewind."""
    count = 0
    last = b"\n"
    for block in iter(lambda: f.read(1 << 20), b""):
        count += block.count(b"\n")
        last = block[-1:]
    f.seek(0)
    return count + (last != b"\n")


def open_reader(path: str):
    """A reader for ``path`` by its extension: ``.read(n)``, ``.where(i)``, ``.total``."""
    ext = _extension(path, FORMATS, "input")
    if ext == ".npy":
        return NpyReader(path)
    if ext == ".jsonl":
        return JsonlReader(path)
    return TextReader(path)


# --- writers --------------------------------------------------------------------------------

# A fixed-size .npy header (a multiple of 64 bytes, as the format asks) with room for any
# count, so that it can be rewritten in place when the number of results is known.
_NPY_HEADER_BYTES = 128


def _npy_header(count: int) -> bytes:
    header = f"{{'descr': '<i8', 'fortran_order': False, 'shape': ({count},), }}"
    preamble = 10  # magic (6), version (2), header length (2)
    header = header.ljust(_NPY_HEADER_BYTES - preamble - 1) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1")


class NpyWriter:
    """A 1-D int64 ``.npy`` file that grows chunk by chunk and is valid after each flush."""

    def __init__(self, path: str):
        self.path = path
        self.count = 0
        self._file = open(path, "wb")  # noqa: SIM115 - closed by close()
        self._file.write(_npy_header(0))

    def write(self, scores: np.ndarray) -> None:
        self._file.write(np.ascontiguousarray(scores, dtype="<i8").tobytes())
        self.count += len(scores)
        self._file.seek(0)
        self._file.write(_npy_header(self.count))
        self._file.seek(0, os.SEEK_END)
        self._file.flush()

    def close(self) -> None:
        self._file.close()


class LineWriter:
    """One score per line, to a file or to standard output (a JSON int is a JSON line)."""

    def __init__(self, path: str | None):
        self.path = path
        self.count = 0
        self._file = sys.stdout if path is None else open(path, "w")  # noqa: SIM115

    def write(self, scores: np.ndarray) -> None:
        if len(scores):
            self._file.write("\n".join(map(str, scores.tolist())) + "\n")
        self.count += len(scores)
        self._file.flush()

    def close(self) -> None:
        if self._file is not sys.stdout:
            self._file.close()


def open_writer(path: str | None):
    """A writer for ``path`` by its extension (None: standard output): ``.write(scores)``."""
    if path is None:
        return LineWriter(None)
    ext = _extension(path, FORMATS, "output")
    return NpyWriter(path) if ext == ".npy" else LineWriter(path)
