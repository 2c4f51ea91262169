"""Fuzz the public API with hostile inputs; run as a script so a crash cannot kill pytest.

    python tests/_fuzz_worker.py GROUP [--examples N] [--seed S] [--last FILE]

Each target of GROUP is a hypothesis test: the function is called on anything at all (wrong
types, ragged lists, NaN/inf, huge and negative numbers, zero-size and absurd shapes, strided,
read-only, big-endian, object and bool arrays ...) and must either return the right answer -
checked against the pure-Python references whenever the input is a small valid instance - or
raise TypeError/ValueError/OverflowError/MemoryError with a non-empty message. It must never
modify its inputs or return arrays that share memory with them.

Before every call the input's repr is written to FILE, so when the process dies on a signal
the caller (tests/test_hardening_fuzz.py) can say which input killed it. Exit status: 0 all
targets passed, 1 a target found a falsifying example (printed), negative: killed by a signal.
"""

from __future__ import annotations

import argparse
import copy
import faulthandler
import functools
import math
import numbers
import os
import sys
import traceback
import warnings
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent))
import cysolve  # noqa: E402
import strategies as hs  # noqa: E402
from cysolve import _convert, _parallel, xscore  # noqa: E402
from cysolve.xscore import reference as xref  # noqa: E402

ALLOWED = (TypeError, ValueError, OverflowError, MemoryError)
INT64 = (-(2**63), 2**63 - 1)
LAST_FD = None


# --- the oracle's own view of the input --------------------------------------------------------

class Invalid(Exception):
    """The independent spec says: this input must be refused."""


def plain_int(v) -> int:
    """One count as the spec reads it: an integer (or a whole real number) in int64, no bools."""
    if isinstance(v, (bool, np.bool_)):
        raise Invalid("bool")
    if isinstance(v, numbers.Integral):
        v = int(v)
    elif isinstance(v, numbers.Real):
        if not math.isfinite(v) or v != int(v):
            raise Invalid("not whole")
        v = int(v)
    else:
        raise Invalid(type(v).__name__)
    if not INT64[0] <= v <= INT64[1]:
        raise Invalid("beyond int64")
    return v


def plain(x, ndim: int, nested: bool = False):
    """``x`` as nested lists of ints with exactly ``ndim`` levels (rectangular), or Invalid.

    An empty array inside a list is an empty row whatever its dtype (there is no element to
    be wrong); at the top level the dtype itself must be an integer or real one.
    """
    if isinstance(x, memoryview):
        x = np.asarray(x)
    if isinstance(x, np.ndarray):
        if nested and x.size == 0 and x.ndim == ndim:
            return np.zeros(x.shape, dtype=np.int64).tolist()
        if x.ndim != ndim or x.dtype.kind not in "iufO":
            raise Invalid(f"ndarray {x.dtype} {x.shape}")
        if x.size > 10**6:
            raise Invalid("absurd")
        x = x.tolist()
        return _map_ints(x, ndim)
    if ndim == 0:
        return plain_int(x)
    if not isinstance(x, (list, tuple)):
        raise Invalid(type(x).__name__)
    if ndim > 1 and not x:
        raise Invalid("an empty list is 1-D (numpy's reading): no shape for the rows")
    rows = [plain(e, ndim - 1, nested=True) for e in x]
    if ndim > 1 and len({len(r) for r in rows}) > 1:
        raise Invalid("ragged")
    return rows


def _map_ints(x, ndim):
    if ndim == 0:
        return plain_int(x)
    return [_map_ints(e, ndim - 1) for e in x]


def counts(x, ndim: int):
    """``plain`` that also requires every value to be non-negative."""
    out = plain(x, ndim)
    flat = np.array(out, dtype=object).reshape(-1).tolist() if ndim > 1 else (
        out if ndim == 1 else [out])
    if any(v < 0 for v in flat):
        raise Invalid("negative")
    return out


def spec_ok(fn, *args) -> bool:
    try:
        fn(*args)
    except Invalid:
        return False
    return True


# --- calling, and the invariants every call keeps ----------------------------------------------

def record(label, args, kwargs):
    """Write the input about to be tried where the parent can read it after a crash."""
    if LAST_FD is None:
        return
    text = f"{label}(*{args!r}, **{kwargs!r})"[:4000].encode("utf-8", "backslashreplace")
    os.lseek(LAST_FD, 0, os.SEEK_SET)
    os.ftruncate(LAST_FD, 0)
    os.write(LAST_FD, text)


# The largest legitimate table is the 1 GiB default guard; a call that takes the process past
# this has a runaway allocation (it once built a Python list of 10**13 elements).
PEAK_LIMIT = 3 << 30


def peak_rss() -> int:
    """This process's peak RSS (VmHWM), bytes; 0 where /proc is missing."""
    try:
        with open("/proc/self/status") as f:
            return next(int(x.split()[1]) for x in f if x.startswith("VmHWM:")) * 1024
    except (OSError, StopIteration):
        return 0


def limit_address_space() -> None:
    """Cap the address space at 8 GiB, so a runaway allocation ends in MemoryError here and
    never in the OOM killer on a shared machine. Not under ASan: its shadow memory reserves
    terabytes of address space."""
    if "asan" in os.environ.get("LD_PRELOAD", ""):
        return
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        want = 8 << 30
        if soft == resource.RLIM_INFINITY or soft > want:
            resource.setrlimit(resource.RLIMIT_AS, (want, hard))
    except (ImportError, ValueError, OSError):
        pass


def snapshot(x):
    """What ``x`` looks like now, to show later that a call did not modify it."""
    if isinstance(x, np.ndarray):
        if x.size > 10**6:
            return ("big", x.shape, x.strides, x.dtype)
        return ("array", x.shape, x.dtype, x.flags.writeable, x.copy())
    if isinstance(x, memoryview):
        return ("memoryview", bytes(x))
    if isinstance(x, (list, tuple)):
        return ("sequence", type(x), [snapshot(e) for e in x])
    if isinstance(x, (dict, set)):
        return ("container", copy.deepcopy(x))
    return ("other", None)


def same(before, after) -> bool:
    if before[0] != after[0]:
        return False
    if before[0] == "array":
        return before[1:4] == after[1:4] and before[4].tobytes() == after[4].tobytes()
    if before[0] == "sequence":
        return before[1] is after[1] and len(before[2]) == len(after[2]) and all(
            same(b, a) for b, a in zip(before[2], after[2], strict=False))
    if before[0] in ("container", "memoryview", "big"):
        return repr(before[1:]) == repr(after[1:])
    return True


def arrays_in(x):
    if isinstance(x, np.ndarray):
        yield x
    elif isinstance(x, (list, tuple)):
        for e in x:
            yield from arrays_in(e)
    elif hasattr(x, "__dataclass_fields__"):
        for name in x.__dataclass_fields__:
            yield from arrays_in(getattr(x, name))


def call(fn, *args, **kwargs):
    """``("ok", result)`` or ``("raised", exc)``; anything but an allowed error fails the test."""
    record(getattr(fn, "__qualname__", repr(fn)), args, kwargs)
    inputs = list(args) + list(kwargs.values())
    before = [snapshot(x) for x in inputs]
    try:
        result = fn(*args, **kwargs)
    except MemoryError as exc:
        # Fine when refused at once (numpy asked for 80 TB); not when the address-space limit
        # below was hit by real, growing use: that is a runaway allocation.
        assert peak_rss() < PEAK_LIMIT, f"MemoryError after using {peak_rss():,} bytes: {exc}"
        outcome = ("raised", exc)
    except ALLOWED as exc:
        assert str(exc).strip(), f"{type(exc).__name__} with an empty message"
        outcome = ("raised", exc)
    except Exception as exc:  # noqa: BLE001 - exactly what the fuzz test is looking for
        raise AssertionError(f"unexpected {type(exc).__name__}: {exc}") from exc
    else:
        outcome = ("ok", result)
        for out in arrays_in(result):
            for x in inputs:
                if isinstance(x, np.ndarray):
                    assert not np.shares_memory(out, x), "the result aliases an input array"
    assert peak_rss() < PEAK_LIMIT, f"the process peaked at {peak_rss():,} bytes"
    after = [snapshot(x) for x in inputs]
    for i, (b, a) in enumerate(zip(before, after, strict=False)):
        assert same(b, a), f"argument {i} was modified"
    return outcome


STATS = {"checked": 0, "refused": 0}


def expect_ok(outcome):
    assert outcome[0] == "ok", f"valid input refused: {outcome[1]!r}"
    STATS["checked"] += 1
    return outcome[1]


def refused(outcome, why=""):
    """``expect_raised`` for the last statement of a test body (which must return None)."""
    expect_raised(outcome, why)


def expect_raised(outcome, why=""):
    assert outcome[0] == "raised", f"invalid input accepted ({why}): returned {outcome[1]!r}"
    STATS["refused"] += 1
    return outcome[1]


# --- xscore -----------------------------------------------------------------------------------

XMETHODS = xscore.METHODS
LONGEST = {"residue": 31, "dominance": 63, "frontier": 63}


@functools.lru_cache(maxsize=4096)
def x_reference(sorted_values: tuple[int, ...]) -> int:
    if len(sorted_values) <= 5:
        return xref.best_score_bruteforce(list(sorted_values))
    return xref.best_score_dp(list(sorted_values))


def table_bytes(values, method, bound=False) -> int:
    """The DP table size, recomputed from the layouts README describes (not from the package).

    The first table; with ``bound``, the largest a call may allocate (``memory_needed``): for
    wide values, sparse lists regrow up to the bitset table's size. The frontier's size is
    unknown before solving; memory_needed gives the dominance table's.
    """
    if method == "frontier":
        method = "dominance"
    states = 1
    for v in set(values):
        states *= values.count(v) + 1
    bits = max(1, max(values, default=0).bit_length())
    if method == "residue":
        return states * 2**bits * 4
    if bits > 12 and not bound:  # sparse residue lists with room for 64 a state at first
        return states * (8 + 8 + 8 * 64) + 4 * 64 * 8
    words = max(1, 2**bits // 64)
    return states * (8 + 8 * words) + 16 * words


def frontier_may_refuse(rows, limit) -> bool:
    """Whether the frontier may refuse these rows under ``limit`` (its buffers grow on demand
    from a few KiB each; a frontier holds fewer states than the dominance table; a batch
    splits the limit over at most 64 threads)."""
    return limit < 64 * max((2 * table_bytes(r, "dominance") + (1 << 18) for r in rows),
                            default=0)


def frontier_refused(out, rows, limit) -> bool:
    """True (and checked) when the frontier refused for memory, as it may."""
    if out[0] != "raised" or isinstance(out[1], OverflowError):
        return False
    assert isinstance(out[1], ValueError) and "max_memory" in str(out[1]), repr(out[1])
    assert frontier_may_refuse(rows, limit), (limit, rows, out[1])
    STATS["refused"] += 1
    return True


def small(values) -> bool:
    return len(values) <= 8 and max(values, default=0) < 512


valid_1d = st.lists(st.integers(0, 63), max_size=8) | st.lists(st.integers(0, 300), max_size=5)
any_1d = st.one_of(*[valid_1d.flatmap(hs.contain)] * 2, hs.hostile_1d())
# Mostly valid options, so that most examples reach the answer check.
methods = st.one_of(
    *[st.sampled_from(XMETHODS)] * 4, st.sampled_from(["", "Dominance", None, 0, b"residue"])
)
memory = st.one_of(
    *[st.just(None)] * 3, st.integers(1, 2**22),
    st.sampled_from([0, -1, True, 1.5, "1GB", 2**20 + 0.0]),
)
threads = st.one_of(st.none(), st.integers(-4, 4), st.sampled_from([1.0, True, "2", 2**70]))


def settled(method, max_memory):
    """The outcome the options alone force: None (they are fine) or the reason to refuse."""
    if not isinstance(method, str) or method not in XMETHODS:
        return "method"
    if max_memory is not None and (
        isinstance(max_memory, bool) or not isinstance(max_memory, int) or max_memory <= 0
    ):
        return "max_memory"
    return None


def memory_kw(max_memory):
    return {} if max_memory is None else {"max_memory": max_memory}


def x_single(label, fn):
    def body(a, method, max_memory):
        out = call(fn, a, method=method, **memory_kw(max_memory))
        bad = settled(method, max_memory)
        try:
            values = counts(a, 1)
        except Invalid as why:
            return refused(out, f"a: {why}")
        if bad:
            return refused(out, bad)
        limit = max_memory or xscore.DEFAULT_MAX_MEMORY
        if method == "frontier" and len(values) <= LONGEST[method]:
            if frontier_refused(out, [values], limit):
                return None
        elif len(values) > LONGEST[method] or table_bytes(values, method) > limit:
            exc = expect_raised(out, "too big")
            assert isinstance(exc, (ValueError, OverflowError)), repr(exc)
            return None
        result = expect_ok(out)
        score = result if label == "best_score" else result[0]
        assert type(score) is int
        if small(values):
            assert score == x_reference(tuple(sorted(values))), (score, values)
        if label == "best_order":
            order = result[1]
            assert sorted(order) == list(range(len(values)))
            assert xref.play(values, order) == score
        return None

    return given(a=any_1d, method=methods, max_memory=memory)(body)


def x_play():
    @st.composite
    def games(draw):
        """A valid (a, order) pair, then (half the time) one of them swapped for junk."""
        values = draw(valid_1d)
        order = draw(st.permutations(list(range(len(values)))))
        a, order = draw(hs.contain(values)), draw(hs.contain(order))
        swap = draw(st.integers(0, 3))
        if swap == 1:
            a = draw(hs.hostile_1d())
        elif swap == 2:
            order = draw(hs.hostile_1d(max_value=9))
        return a, order

    orders = None  # noqa: F841 - (a, order) come together from games()

    @given(game=games())
    def body(game):
        a, order = game
        out = call(xscore.play, a, order)
        try:
            values, perm = counts(a, 1), counts(order, 1)
        except Invalid as why:
            return refused(out, str(why))
        if sorted(perm) != list(range(len(values))):
            return refused(out, "not a permutation")
        assert expect_ok(out) == xref.play(values, perm)
        return None

    return body


def x_memory_needed():
    @given(a=any_1d, method=methods)
    def body(a, method):
        out = call(xscore.memory_needed, a, method=method)
        try:
            values = counts(a, 1)
        except Invalid as why:
            return refused(out, str(why))
        if settled(method, None):
            return refused(out, "method")
        assert expect_ok(out) == table_bytes(values, method, bound=True)
        return None

    return body


def batches():
    rows = st.lists(valid_1d, max_size=6)
    rect = st.tuples(st.integers(0, 5), st.integers(0, 6), st.integers(0, 63)).flatmap(
        lambda t: st.lists(
            st.integers(0, t[2]), min_size=t[0] * t[1], max_size=t[0] * t[1]
        ).flatmap(lambda v: hs.contain(v, (t[0], t[1])))
    )
    return st.one_of(
        rows,  # ragged lists of lists
        rows.flatmap(lambda rs: st.tuples(*[hs.contain(r) for r in rs]).map(list)),
        rect,
        hs.hostile_1d(),
        st.lists(hs.hostile_1d(max_n=3), max_size=3),
        hs.junk_arrays(),
    )


def batch_rows(batch):
    """The instances of a batch as the spec reads it, or Invalid."""
    if isinstance(batch, (np.ndarray, memoryview)):
        return counts(batch, 2)
    if not isinstance(batch, (list, tuple)):
        raise Invalid(type(batch).__name__)
    return [counts(row, 1) for row in batch]


def x_best_scores():
    @given(batch=batches(), method=methods, num_threads=threads, max_memory=memory,
           progress=st.sampled_from([False, None, 0]))
    def body(batch, method, num_threads, max_memory, progress):
        out = call(xscore.best_scores, batch, method=method, num_threads=num_threads,
                   progress=progress, **memory_kw(max_memory))
        try:
            rows = batch_rows(batch)
        except Invalid as why:
            return refused(out, f"batch: {why}")
        bad = settled(method, max_memory)
        if bad or (num_threads is not None and (
                isinstance(num_threads, bool) or not isinstance(num_threads, int)
                or num_threads == 0)):
            return refused(out, bad or "num_threads")
        limit = max_memory or xscore.DEFAULT_MAX_MEMORY
        if method == "frontier" and all(len(r) <= LONGEST[method] for r in rows):
            if frontier_refused(out, rows, limit):
                return None
        elif any(
            (table_bytes(r, method) > limit and method != "frontier") or len(r) > LONGEST[method]
            for r in rows
        ):
            exc = expect_raised(out, "too big")
            assert isinstance(exc, (ValueError, OverflowError)), repr(exc)
            return None
        if out[0] == "raised" and any(
            len(r) + max(1, max(r, default=0).bit_length()) > 63 for r in rows
        ):  # a score may pass int64: refused with OverflowError only if one really does
            exc = expect_raised(out, "score beyond int64")
            assert isinstance(exc, OverflowError), repr(exc)
            assert not all(small(r) for r in rows), rows  # the oracle's scores all fit
            return None
        result = expect_ok(out)
        assert isinstance(result, np.ndarray) and result.dtype == np.int64
        assert result.shape == (len(rows),)
        for got, r in zip(result.tolist(), rows, strict=False):
            if small(r):
                assert got == x_reference(tuple(sorted(r))), (got, r)
        return None

    return body


# --- cysolve._convert --------------------------------------------------------------------------

def v_int_array():
    @given(obj=any_1d | batches(), ndim=st.sampled_from([None, 0, 1, 2, 3]),
           nonnegative=st.booleans())
    def body(obj, ndim, nonnegative):
        out = call(_convert.int_array, obj, "x", ndim=ndim, nonnegative=nonnegative)
        if out[0] == "raised":
            return None  # whether it should have: checked through the public functions
        result = out[1]
        assert isinstance(result, np.ndarray) and result.dtype == np.int64
        assert result.flags.c_contiguous and result.dtype.isnative and result.flags.writeable
        assert ndim is None or result.ndim == ndim
        want = (counts if nonnegative else plain)(obj, result.ndim)
        assert result.tolist() == want
        STATS["checked"] += 1
        return None

    return body


def v_ragged():
    @given(batch=batches())
    def body(batch):
        out = call(_convert.ragged, batch, "batch")
        try:
            rows = batch_rows(batch)
        except Invalid as why:
            return refused(out, str(why))
        values, offsets = expect_ok(out)
        assert values.dtype == offsets.dtype == np.int64
        got = [values[lo:hi].tolist() for lo, hi in zip(offsets[:-1], offsets[1:], strict=False)]
        assert got == rows
        return None

    return body


def v_permutation():
    @given(order=st.one_of(*[st.integers(0, 6).flatmap(lambda k: st.permutations(
               list(range(k))).flatmap(hs.contain))] * 2, hs.hostile_1d(max_value=6)),
           n=st.integers(0, 7), same=st.booleans())
    def body(order, n, same):
        if same and hasattr(order, "__len__") and not isinstance(order, (dict, set)):
            try:
                n = len(order)
            except TypeError:  # a 0-d array has __len__ but no length
                pass
        out = call(_convert.permutation, order, n)
        try:
            perm = counts(order, 1)
        except Invalid as why:
            return refused(out, str(why))
        if sorted(perm) != list(range(n)):
            return refused(out, "not a permutation")
        assert expect_ok(out).tolist() == perm
        return None

    return body


def v_scalars():
    @given(value=hs.JUNK_SCALARS | st.integers(-5, 5),
           which=st.sampled_from(["memory_limit", "num_threads", "choice"]))
    def body(value, which):
        if which == "choice":
            out = call(_convert.choice, value, "method", ("a", "b"))
            good = isinstance(value, str) and value in ("a", "b")
        elif which == "memory_limit":
            out = call(_convert.memory_limit, value)
            good = isinstance(value, numbers.Integral) and not isinstance(
                value, (bool, np.bool_)) and value > 0
        else:
            out = call(_parallel.num_threads, value)
            good = value is None or (isinstance(value, numbers.Integral) and not isinstance(
                value, (bool, np.bool_)) and value != 0)
        if not good:
            return refused(out, which)
        result = expect_ok(out)
        if which == "num_threads":
            assert type(result) is int and result >= 1
        return None

    return body


# --- deadlock (active once cysolve.deadlock has the functions) --------------------------------
# Defined in tests/_fuzz_deadlock.py so the xscore part never depends on the other family.

try:
    import _fuzz_deadlock
except ImportError:  # pragma: no cover - the file ships with this one
    _fuzz_deadlock = None


def groups():
    targets = {
        "xscore": {
            "best_score": lambda: x_single("best_score", xscore.best_score),
            "best_order": lambda: x_single("best_order", xscore.best_order),
            "play": x_play,
            "memory_needed": x_memory_needed,
            "best_scores": x_best_scores,
        },
        "validate": {
            "int_array": v_int_array,
            "ragged": v_ragged,
            "permutation": v_permutation,
            "scalars": v_scalars,
        },
    }
    if _fuzz_deadlock is not None:
        targets.update(_fuzz_deadlock.groups(globals()))
    return targets


def main(argv=None) -> int:
    global LAST_FD
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("group")
    parser.add_argument("--examples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--last", help="file that holds the input being tried")
    parser.add_argument("--only", help="one target of the group")
    args = parser.parse_args(argv)
    faulthandler.enable()
    limit_address_space()
    # A warning from the package (an overflow in a cast, a deprecation) is a failure too: a
    # caller running with -W error would get an exception that is none of the allowed four.
    warnings.filterwarnings("error", module=r"cysolve(\.|$)")
    if args.last:
        LAST_FD = os.open(args.last, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    targets = groups()[args.group]
    failed = 0
    print(f"cysolve {cysolve.__version__} openmp={cysolve.openmp_enabled()} seed={args.seed}")
    for name, make in targets.items():
        if args.only and name != args.only:
            continue
        test = make()
        test = settings(
            max_examples=args.examples, deadline=None, database=None, print_blob=True,
            suppress_health_check=list(HealthCheck),
        )(seed(args.seed)(test))
        STATS.update(checked=0, refused=0)
        try:
            test()
        except Exception as exc:  # noqa: BLE001 - report every falsifying example
            failed += 1
            print(f"FAIL {args.group}.{name}", flush=True)
            traceback.print_exception(exc, file=sys.stdout)
        else:
            print(f"PASS {args.group}.{name} ({args.examples} examples: {STATS['checked']} "
                  f"answers checked, {STATS['refused']} refusals checked)", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
