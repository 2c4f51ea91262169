"""Fuzz targets for cysolve.deadlock (see tests/_fuzz_worker.py).

Each target is built only when ``cysolve.deadlock`` has the function, so this file works in a
build without the deadlock family too (the target is reported as SKIP). Valid inputs - small
systems and graphs in every container the package accepts - are checked against
``cysolve.deadlock.reference``; hostile ones must raise one of the allowed errors.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import strategies as hs
from cysolve import deadlock
from cysolve.deadlock import reference as dref


def groups(ns):
    call, counts, Invalid = ns["call"], ns["counts"], ns["Invalid"]
    expect_ok, refused, threads = ns["expect_ok"], ns["refused"], ns["threads"]

    def shape_of(x):
        """numpy's reading of the shape (an empty list is 1-D), or Invalid."""
        try:
            return np.asarray(x, dtype=object).shape if not isinstance(x, np.ndarray) else x.shape
        except (ValueError, TypeError) as exc:
            raise Invalid(str(exc)) from None

    # --- the matrix algorithm and Banker's algorithm -------------------------------------

    def matrix(n, m, top=4):
        return st.lists(st.integers(0, top), min_size=n * m, max_size=n * m).flatmap(
            lambda v: hs.contain(v, (n, m)))

    def vector(m, top=4):
        return st.lists(st.integers(0, top), min_size=m, max_size=m).flatmap(hs.contain)

    def hostile(shape_like):
        junk = st.one_of(hs.hostile_1d(max_n=4, max_value=5), hs.junk_arrays(),
                         st.lists(st.lists(st.integers(-3, 2**63), max_size=3), max_size=3))
        return st.one_of(shape_like, junk, junk)

    sizes = st.tuples(st.integers(0, 7), st.integers(0, 4))

    @st.composite
    def systems(draw):
        """A valid system in some containers, then (half the time) one argument made hostile."""
        n, m = draw(sizes)
        cells = st.integers(0, 4)
        C = draw(st.lists(cells, min_size=n * m, max_size=n * m))
        R = draw(st.lists(cells, min_size=n * m, max_size=n * m))
        A = draw(st.lists(cells, min_size=m, max_size=m))
        E = [a + sum(C[i * m + j] for i in range(n)) for j, a in enumerate(A)]
        args = {"C": draw(hs.contain(C, (n, m))), "R": draw(hs.contain(R, (n, m))),
                "available": draw(hs.contain(A)), "existing": draw(hs.contain(E))}
        which = draw(st.sampled_from(["available", "existing", "both", "neither"]))
        bad = draw(st.sampled_from(["C", "R", "available", "existing", None, None, None, None]))
        if bad:
            args[bad] = draw(hostile(hs.contain([0] * m)))
        kw = {k: args[k] for k in ("available", "existing") if which in (k, "both")}
        return args["C"], args["R"], kw

    def no_processes(x, ndim, vectors):
        """JSON cannot write a (0, m) matrix: ``[]`` (``[[], ...]`` in a batch) is one when the
        first resource vector given says ``m``."""
        if not isinstance(x, (list, tuple)) or not (
            (ndim == 2 and len(x) == 0)
            or (ndim == 3 and len(x) and all(isinstance(r, (list, tuple)) and not r for r in x))
        ):
            return x
        vector = next((v for v in vectors if v is not None), None)
        try:
            shape = np.shape(vector) if vector is not None else ()
        except (ValueError, TypeError):
            shape = ()
        if not shape:
            return x
        return np.zeros((() if ndim == 2 else (len(x),)) + (0, shape[-1]), dtype=np.int64)

    def spec_system(C, R, kw):
        """The independent reading of a system: (C, R, A) as lists, or Invalid."""
        vectors = (kw.get("available"), kw.get("existing"))
        C, R = no_processes(C, 2, vectors), no_processes(R, 2, vectors)
        shape_c, shape_r = shape_of(C), shape_of(R)
        C, R = counts(C, 2), counts(R, 2)
        kw = {k: v for k, v in kw.items() if v is not None}  # None: the default, not given
        if not kw:
            raise Invalid("neither available nor existing")
        A = counts(kw["available"], 1) if "available" in kw else None
        E = counts(kw["existing"], 1) if "existing" in kw else None
        m = len(A if A is not None else E)
        if shape_c != shape_r or shape_c[1] != m or (
                A is not None and E is not None and len(A) != len(E)):
            raise Invalid("shapes")
        sums = [sum(row[j] for row in C) for j in range(m)]
        if E is not None:
            if any(s > e for s, e in zip(sums, E, strict=False)):
                raise Invalid("allocation above existing")
            derived = [e - s for e, s in zip(E, sums, strict=False)]
            if A is not None and A != derived:
                raise Invalid("available and existing disagree")
            A = derived
        if any(a + s >= 2**63 for a, s in zip(A, sums, strict=False)):
            raise Invalid("overflow")
        return C, R, A

    def detect_target():
        @given(system=systems(), method=st.sampled_from(["kernel", "numpy", "reference"])
               | st.sampled_from(["", None, 1]))
        def body(system, method):
            C, R, kw = system
            out = call(deadlock.detect, C, R, method=method, **kw)
            try:
                C, R, A = spec_system(C, R, kw)
            except Invalid as why:
                return refused(out, str(why))
            if method not in ("kernel", "numpy", "reference"):
                return refused(out, "method")
            got = expect_ok(out)
            want, _, final = dref.detect(C, R, A)
            assert got.deadlocked.tolist() == want
            free = list(A)
            for i in got.order.tolist():  # a valid finishing order
                assert all(r <= f for r, f in zip(R[i], free, strict=False))
                free = [f + c for f, c in zip(free, C[i], strict=False)]
            assert got.available.tolist() == final == free
            return None

        return body

    def detect_batch_target():
        @st.composite
        def batches(draw):
            k, n, m = draw(st.integers(0, 4)), draw(st.integers(0, 5)), draw(st.integers(0, 3))
            def block(shape):
                size = math.prod(shape)
                return st.lists(st.integers(0, 3), min_size=size, max_size=size).flatmap(
                    lambda v: hs.contain(v, shape))
            args = [draw(block((k, n, m))), draw(block((k, n, m))), draw(block((k, m)))]
            bad = draw(st.integers(0, 5))  # half the time one argument is junk
            if bad < 3:
                args[bad] = draw(st.one_of(hs.junk_arrays(), hs.hostile_1d(max_n=3),
                                           block((k + 1, n, m)), block((k, m))))
            return tuple(args)

        @given(batch=batches(), num_threads=threads)
        def body(batch, num_threads):
            C, R, A = batch
            out = call(deadlock.detect_batch, C, R, A, num_threads=num_threads)
            try:
                C, R = no_processes(C, 3, (A,)), no_processes(R, 3, (A,))
                shape_c, shape_r, shape_a = shape_of(C), shape_of(R), shape_of(A)
                C, R, A = counts(C, 3), counts(R, 3), counts(A, 2)
                if shape_c != shape_r or shape_a != (shape_c[0], shape_c[2]):
                    raise Invalid("shapes")
                k, n = shape_c[:2]
            except Invalid as why:
                return refused(out, str(why))
            if num_threads is not None and (isinstance(num_threads, bool) or not isinstance(
                    num_threads, int) or num_threads == 0):
                return refused(out, "num_threads")
            got = expect_ok(out)
            assert got.dtype == np.bool_ and got.shape == (k, n)
            for s in range(k):
                want = dref.detect(C[s], R[s], A[s])[0]
                assert np.flatnonzero(got[s]).tolist() == want
            return None

        return body

    @st.composite
    def banker(draw):
        n, m = draw(sizes)
        C = draw(st.lists(st.integers(0, 4), min_size=n * m, max_size=n * m))
        extra = draw(st.lists(st.integers(0, 4) | st.just(-1), min_size=n * m, max_size=n * m))
        M = [c + e for c, e in zip(C, extra, strict=False)]
        args = [draw(vector(m)), draw(hs.contain(C, (n, m))), draw(hs.contain(M, (n, m)))]
        bad = draw(st.integers(0, 5))  # half the time one argument is hostile
        if bad < 3:
            args[bad] = draw(hostile(hs.contain([0] * m)))
        return tuple(args)

    def spec_banker(A, C, M):
        C, M = no_processes(C, 2, (A,)), no_processes(M, 2, (A,))
        shapes = shape_of(A), shape_of(C), shape_of(M)
        A, C, M = counts(A, 1), counts(C, 2), counts(M, 2)
        if shapes[1] != shapes[2] or shapes[1][1] != shapes[0][0]:
            raise Invalid("shapes")
        if any(c > x for rc, rm in zip(C, M, strict=False) for c, x in zip(rc, rm, strict=False)):
            raise Invalid("allocation above max_claim")
        if any(a + sum(row[j] for row in C) >= 2**63 for j, a in enumerate(A)):
            raise Invalid("overflow")
        return A, C, M

    def is_safe_target():
        @given(state=banker())
        def body(state):
            out = call(deadlock.is_safe, *state)
            try:
                A, C, M = spec_banker(*state)
            except Invalid as why:
                return refused(out, str(why))
            got = expect_ok(out)
            safe, _ = dref.is_safe(A, C, M)
            assert bool(got.safe) == safe
            return None

        return body

    def request_ok_target():
        @st.composite
        def asks(draw):
            state = draw(banker())
            try:
                n, m = shape_of(state[1])[0], shape_of(state[0])[0]
            except (Invalid, IndexError):
                n, m = 0, 0
            n, m = min(n, 10), min(m, 10)  # absurd shapes: any small request will do
            process = draw(st.one_of(*[st.integers(0, max(n - 1, 0))] * 3,
                                     st.integers(-2, 8), hs.JUNK_SCALARS))
            request = draw(st.one_of(
                *[st.lists(st.integers(0, 2), min_size=m, max_size=m).flatmap(hs.contain)] * 3,
                hs.hostile_1d(max_n=4, max_value=3)))
            return state, process, request

        @given(ask=asks())
        def body(ask):
            state, process, request = ask
            out = call(deadlock.request_ok, *state, process, request)
            try:
                A, C, M = spec_banker(*state)
                # An index, unlike a count, must be an integer type (0.0 is refused).
                if isinstance(process, (bool, np.bool_)) or not isinstance(
                        process, numbers.Integral):
                    raise Invalid("process is no integer")
                p = int(process)
                if not 0 <= p < len(C):
                    raise Invalid("process")
                req = counts(request, 1)
                if len(req) != len(A):
                    raise Invalid("request shape")
                if any(r > mm - c for r, mm, c in zip(req, M[p], C[p], strict=False)):
                    raise Invalid("request above need")
            except Invalid as why:
                return refused(out, str(why))
            assert expect_ok(out) is dref.request_ok(A, C, M, p, req)
            return None

        return body

    @st.composite
    def banker_batches(draw):
        """k copies of a ``banker()`` state: a valid one as (k, ...) arrays (or nested lists)
        with another ``available`` per system; a hostile one as k-lists of its objects."""
        state = draw(banker())
        k = draw(st.integers(1, 3))
        try:
            A, C, M = spec_banker(*state)
        except Invalid:
            return [[x] * k for x in state], None
        n, m = len(C), len(A)
        A = np.array(A, dtype=np.int64).reshape(m)
        A = A[None, :] + np.array(draw(st.lists(st.integers(0, 3), min_size=k, max_size=k)),
                                  dtype=np.int64)[:, None]
        C = np.repeat(np.array(C, dtype=np.int64).reshape(1, n, m), k, axis=0)
        M = np.repeat(np.array(M, dtype=np.int64).reshape(1, n, m), k, axis=0)
        args = [A, C, M]
        if n and m and draw(st.booleans()):
            args = [x.tolist() for x in args]
        return args, (A, C, M)

    def is_safe_batch_target():
        @given(batch=banker_batches(), num_threads=threads)
        def body(batch, num_threads):
            args, valid = batch
            out = call(deadlock.is_safe_batch, *args, num_threads=num_threads)
            if valid is None:
                return refused(out, "a hostile state in every system")
            if num_threads is not None and (isinstance(num_threads, bool) or not isinstance(
                    num_threads, int) or num_threads == 0):
                return refused(out, "num_threads")
            got = expect_ok(out)
            A, C, M = valid
            want = [dref.is_safe(a.tolist(), c.tolist(), x.tolist())[0]
                    for a, c, x in zip(A, C, M, strict=True)]
            assert got.dtype == np.bool_ and got.tolist() == want
            return None

        return body

    def request_ok_batch_target():
        @st.composite
        def asks(draw):
            args, valid = draw(banker_batches())
            k = len(args[0])
            n, m = (valid[1].shape[1], valid[0].shape[1]) if valid is not None else (2, 2)
            process = draw(st.lists(st.integers(-1, n), min_size=k, max_size=k))
            request = draw(st.lists(st.lists(st.integers(0, 2), min_size=m, max_size=m),
                                    min_size=k, max_size=k))
            return args, valid, process, request

        @given(ask=asks())
        def body(ask):
            args, valid, process, request = ask
            out = call(deadlock.request_ok_batch, *args, process, request, num_threads=1)
            if valid is None:
                return refused(out, "a hostile state in every system")
            A, C, M = valid
            n = C.shape[1]
            if any(not 0 <= p < n for p in process):
                return refused(out, "process")
            if any(r > x - c for s, p in enumerate(process)
                   for r, x, c in zip(request[s], M[s, p], C[s, p], strict=True)):
                return refused(out, "request above need")
            got = expect_ok(out)
            want = [dref.request_ok(A[s].tolist(), C[s].tolist(), M[s].tolist(), p, request[s])
                    for s, p in enumerate(process)]
            assert got.tolist() == want
            return None

        return body

    # --- graphs --------------------------------------------------------------------------

    labels = st.one_of(
        st.integers(-3, 6), st.text(max_size=2), st.tuples(st.integers(0, 2)),
        st.frozensets(st.integers(0, 2), max_size=2), st.sampled_from([None, 1.5, math.nan, True]),
    )
    unhashable = st.one_of(st.lists(st.integers(0, 2), max_size=2), st.builds(dict),
                           st.builds(set, st.lists(st.integers(0, 2), max_size=2)))

    @st.composite
    def graphs(draw):
        """``(graph, edges)``: a graph in some accepted form and its edge list; edges=None
        for a hostile graph (anything may happen but a crash or a foreign error)."""
        nodes = draw(st.lists(labels, min_size=1, max_size=6,
                              unique_by=lambda x: (type(x), repr(x))))
        node = st.sampled_from(nodes)
        edges = draw(st.lists(st.tuples(node, node), max_size=12))
        form = draw(st.sampled_from(["edges", "lists", "adjacency", "ints", "csr", "sparse",
                                     "networkx", "hostile"]))
        if form == "edges":
            return edges, edges
        if form == "lists":
            return [list(e) for e in edges], edges
        if form == "adjacency":
            adj = {}
            for u, v in edges:
                adj.setdefault(u, []).append(v)
            return adj, edges
        n = draw(st.integers(1, 8))
        ints = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=16))
        if form == "ints":
            dtype = draw(st.sampled_from(["i8", "i4", "u2", ">i8", "i1"]))
            arr = np.array(ints, dtype=dtype).reshape(-1, 2)
            return arr, ints
        if form in ("csr", "sparse"):
            import scipy.sparse as sp

            mat = sp.csr_matrix((np.ones(len(ints)), ([u for u, _ in ints], [v for _, v in ints])),
                                shape=(n, n))
            pairs = [tuple(map(int, p)) for p in zip(*mat.nonzero(), strict=False)]
            if form == "sparse":
                return mat, pairs
            dtype = draw(st.sampled_from(["i4", "i8", "u4", ">i8"]))
            return (mat.indptr.astype(dtype), mat.indices.astype(dtype)), pairs
        if form == "networkx":
            import networkx as nx

            g = nx.DiGraph()
            g.add_nodes_from(range(n))
            g.add_edges_from(ints)
            return g, ints
        bad = draw(st.one_of(
            st.lists(st.one_of(st.tuples(labels, unhashable), st.tuples(unhashable, labels),
                               st.tuples(labels), st.tuples(labels, labels, labels),
                               hs.JUNK_SCALARS, st.text(max_size=2)), min_size=1, max_size=3),
            st.dictionaries(labels, st.one_of(unhashable.map(lambda x: [x]), hs.JUNK_SCALARS),
                            min_size=1, max_size=3),
            st.tuples(hs.hostile_1d(max_n=4, max_value=5), hs.hostile_1d(max_n=4, max_value=5)),
            st.tuples(st.builds(np.array, st.lists(st.integers(-3, 5), max_size=5)),
                      st.builds(np.array, st.lists(st.integers(-3, 5), max_size=5))),
            hs.junk_arrays(), hs.JUNK_SCALARS,
            st.builds(lambda v: np.array(v + [None] * (len(v) % 2), dtype=object).reshape(-1, 2),
                      st.lists(labels | unhashable, max_size=6)),
        ))
        return bad, None

    def detect_graph_target():
        @given(g=graphs())
        def body(g):
            graph, edges = g
            out = call(deadlock.detect_graph, graph)
            if edges is None:
                if out[0] == "ok":  # a hostile-looking graph it could read: still consistent
                    got = out[1]
                    assert (got.cycle is None) == (not got.deadlocked)
                return None
            got = expect_ok(out)
            arcs = [tuple(e) for e in edges]
            assert got.deadlocked == dref.deadlocked_nodes(arcs)
            assert got.blocked == dref.blocked_nodes(arcs)
            if got.cycle is None:
                assert not got.deadlocked
            else:
                arcset = set(arcs)
                cyc = got.cycle
                assert all((cyc[i], cyc[(i + 1) % len(cyc)]) in arcset for i in range(len(cyc)))
            return None

        return body

    def resource_graph_target():
        maps = st.dictionaries(labels, st.one_of(labels, unhashable, st.none()), max_size=4)
        waits = st.dictionaries(labels, st.one_of(
            labels, st.lists(labels | unhashable, max_size=3), st.frozensets(labels, max_size=2)),
            max_size=4)

        @given(holds=maps | hs.JUNK_SCALARS, waits=waits | hs.JUNK_SCALARS,
               processes=st.lists(labels | unhashable, max_size=2) | hs.JUNK_SCALARS,
               resources=st.lists(labels, max_size=2))
        def body(holds, waits, processes, resources):
            out = call(deadlock.resource_graph, holds, waits, processes=processes,
                       resources=resources)
            if out[0] == "raised":
                return None
            g = out[1]
            got = deadlock.detect_graph(g)
            arcs = list(g)
            assert got.deadlocked == dref.deadlocked_nodes(arcs)
            assert got.blocked == dref.blocked_nodes(arcs)
            str(got)  # the report renders
            ns["STATS"]["checked"] += 1
            return None

        return body

    return {
        "deadlock_matrix": {
            "detect": detect_target,
            "detect_batch": detect_batch_target,
            "is_safe": is_safe_target,
            "request_ok": request_ok_target,
            "is_safe_batch": is_safe_batch_target,
            "request_ok_batch": request_ok_batch_target,
        },
        "deadlock_graph": {
            "detect_graph": detect_graph_target,
            "resource_graph": resource_graph_target,
        },
    }
