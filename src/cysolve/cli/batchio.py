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
the count after every chunk, so a batch stopped early leaves a valid file), ``.jsonl`` /
``.txt`` / ``.csv`` (one score per line), or standard output. A file is written beside its
destination under a temporary name and moved into place (``os.replace``) only once it holds
results (or the whole, empty, answer): an existing output is never replaced by an error.
"""

from __future__ import annotations

import errno
import json
import os
import struct
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np

__all__ = ["FORMATS", "InputError", "check_output", "open_reader", "open_writer", "strict_json"]

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
    """Shared by the line formats: one instance per non-blank line, 1-based line numbers.

    A bad line ends its chunk: the rows before it are returned, and the error is raised by
    the next :meth:`read`, so every valid instance before it is still solved and written.
    """

    def __init__(self, path: str):
        self.path = path
        if path == "-":
            self.path = "<stdin>"
            self._file = sys.stdin.buffer
            self.total = None
        else:
            with refusals_named(path):
                self._file = open(path, "rb")  # noqa: SIM115 - closed by close()
            self.total = _count_lines(self._file)
        self._line = 0
        self._lines: list[int] = []
        self._pending: InputError | None = None

    def read(self, count: int):
        """The next ``count`` instances as a list of rows, or None when done."""
        if self._pending is not None:
            raise self._pending
        rows: list = []
        lines: list[int] = []
        for raw in self._file:
            self._line += 1
            try:
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    raise InputError(f"{self.path} line {self._line}: not UTF-8 text") from None
                if not text.strip():
                    continue
                rows.append(self._parse(text, self._line))
            except InputError as exc:
                if not rows:
                    raise
                self._pending = exc
                break
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
        if self._file is not sys.stdin.buffer:
            self._file.close()


def strict_json(text: str, where: str, *, one_line: bool = False):
    """``json.loads`` that refuses duplicate keys and too-deep nesting with an InputError.

    A syntax error names its line and column (``one_line``: its column; ``where`` is the line).
    """
    try:
        return json.loads(text, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        if one_line:
            raise InputError(f"{where}: malformed JSON ({exc.msg} at column {exc.colno})") from None
        raise InputError(
            f"{where} line {exc.lineno}, column {exc.colno}: malformed JSON ({exc.msg})"
        ) from None
    except RecursionError:
        raise InputError(f"{where}: JSON nested too deeply to be a system or a batch") from None
    except _DuplicateKey as exc:
        raise InputError(f"{where}: the key {exc.args[0]!r} appears twice in one object") from None


class _DuplicateKey(ValueError):
    pass


def _unique_keys(pairs: list) -> dict:
    out: dict = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


class JsonlReader(_LineReader):
    def _parse(self, text: str, line: int) -> list[int]:
        obj = strict_json(text.strip(), f"{self.path} line {line}", one_line=True)
        if not isinstance(obj, list):
            raise InputError(
                f"{self.path} line {line}: expected a JSON list of integers, "
                f"got {_json_type(obj)}"
            )
        return obj  # its values are checked by xscore.best_scores, which names a[j]


class TextReader(_LineReader):
    def _parse(self, text: str, line: int) -> list[int]:
        out = []
        fields = text.split(",")
        for column, field in enumerate(fields, start=1):
            if not field.strip() and len(fields) > 1:
                raise InputError(
                    f"{self.path} line {line}, column {column}: empty field between commas"
                )
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


def open_reader(path: str, fmt: str | None = None):
    """A reader for ``path`` by its extension or ``fmt``: ``.read(n)``, ``.where(i)``, ``.total``.

    ``-`` reads standard input, in the line format ``fmt`` names (jsonl, txt or csv).
    """
    if path == "-":
        if fmt is None or fmt == "npy":
            raise InputError("-i - (standard input) needs --format jsonl, txt or csv")
        return JsonlReader(path) if fmt == "jsonl" else TextReader(path)
    ext = f".{fmt}" if fmt is not None else _extension(path, FORMATS, "input")
    if ext == ".npy":
        return NpyReader(path)
    if ext == ".jsonl":
        return JsonlReader(path)
    return TextReader(path)


def check_output(path: str | None, formats: tuple[str, ...] | None = FORMATS,
                 what: str = "output") -> None:
    """Refuse, before any work, an output path that cannot be written.

    ``None`` and ``-`` are standard output. An unknown extension (not one of ``formats``;
    None: any) is bad usage (InputError); a missing or read-only directory, or a directory in
    the file's place, is an OSError naming the path (the command's failure status, 1).
    """
    if path is None or path == "-":
        return
    if formats is not None:
        _extension(path, formats, what)
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise IsADirectoryError(errno.EISDIR, f"{what} is a directory, not a file", path)
    if not os.path.isdir(folder):
        raise FileNotFoundError(errno.ENOENT, f"{what}'s directory {folder} does not exist",
                                path)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PermissionError(errno.EACCES, f"{what}'s directory {folder} is not writable",
                              path)


# --- writers --------------------------------------------------------------------------------

# A fixed-size .npy header (a multiple of 64 bytes, as the format asks) with room for any
# count, so that it can be rewritten in place when the number of results is known.
_NPY_HEADER_BYTES = 128


def _npy_header(count: int) -> bytes:
    header = f"{{'descr': '<i8', 'fortran_order': False, 'shape': ({count},), }}"
    preamble = 10  # magic (6), version (2), header length (2)
    header = header.ljust(_NPY_HEADER_BYTES - preamble - 1) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1")


class _PlacedFile:
    """A file written beside ``path`` under a temporary name, moved onto ``path`` by
    :meth:`place`; :meth:`close` removes it if it was never placed. The open descriptor keeps
    writing to the same file after the move, so later chunks land in ``path``."""

    def __init__(self, path: str, mode: str):
        self.path = path
        folder = os.path.dirname(os.path.abspath(path))
        fd, self._temp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(path)}.",
                                          suffix=".part")
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)  # the permissions open() would have given it
        self.file = os.fdopen(fd, mode)
        self.placed = False

    def place(self) -> None:
        self.file.flush()
        if not self.placed:
            os.replace(self._temp, self.path)
            self.placed = True

    def close(self) -> None:
        self.file.close()
        if not self.placed:
            try:
                os.unlink(self._temp)
            except FileNotFoundError:
                pass


class NpyWriter:
    """A 1-D int64 ``.npy`` file that grows chunk by chunk and is valid after each one."""

    def __init__(self, path: str):
        self.path = path
        self.count = 0
        self._out = _PlacedFile(path, "wb")
        self._out.file.write(_npy_header(0))

    def write(self, scores: np.ndarray) -> None:
        f = self._out.file
        f.write(np.ascontiguousarray(scores, dtype="<i8").tobytes())
        self.count += len(scores)
        f.seek(0)
        f.write(_npy_header(self.count))
        f.seek(0, os.SEEK_END)
        if len(scores):
            self._out.place()

    def finish(self) -> None:
        """The run is complete: place the file even if it holds no result."""
        self._out.place()

    def close(self) -> None:
        self._out.close()


class LineWriter:
    """One score per line, to a file or to standard output (a JSON int is a JSON line)."""

    def __init__(self, path: str | None):
        self.path = path
        self.count = 0
        self._out = None if path is None else _PlacedFile(path, "w")
        self._file = sys.stdout if path is None else self._out.file

    def write(self, scores: np.ndarray) -> None:
        if len(scores):
            self._file.write("\n".join(map(str, scores.tolist())) + "\n")
        self.count += len(scores)
        if self._out is None:
            self._file.flush()
        elif len(scores):
            self._out.place()

    def finish(self) -> None:
        if self._out is not None:
            self._out.place()

    def close(self) -> None:
        if self._out is not None:
            self._out.close()


def open_writer(path: str | None):
    """A writer for ``path`` by its extension (None or ``-``: standard output)."""
    if path is None or path == "-":
        return LineWriter(None)
    ext = _extension(path, FORMATS, "output")
    return NpyWriter(path) if ext == ".npy" else LineWriter(path)
