"""cysolve.dask: the batch solvers over dask arrays equal the single-machine batches, on the
threaded scheduler and on a two-worker ``distributed.LocalCluster`` bound to loopback."""

import sys

import dask.array as da
import distributed
import numpy as np
import pytest

import cysolve.dask
from cysolve import deadlock, xscore

RNG = np.random.default_rng(6)
BATCH = RNG.integers(0, 51, size=(2_000, 9))


def systems(k=300, n=6, m=3):
    """Random systems where some processes are deadlocked and some are not."""
    allocation = RNG.integers(0, 3, size=(k, n, m))
    request = RNG.integers(0, 4, size=(k, n, m))
    available = RNG.integers(0, 3, size=(k, m))
    return allocation, request, available


@pytest.fixture(scope="module")
def cluster_client():
    """Two worker processes, one thread each, scheduler and workers on 127.0.0.1 only."""
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, protocol="tcp", host="127.0.0.1",
        dashboard_address=None,
    ) as cluster, distributed.Client(cluster) as client:
        yield client


def test_best_scores_threaded_scheduler():
    darr = da.from_array(BATCH, chunks=(300, 4))  # columns split too: joined per instance
    result = cysolve.dask.best_scores(darr, num_threads=1)
    assert isinstance(result, da.Array)
    assert result.dtype == np.int64 and result.shape == (len(BATCH),)
    assert result.chunks == ((300,) * 6 + (200,),)
    out = result.compute(scheduler="threads")
    np.testing.assert_array_equal(out, xscore.best_scores(BATCH))


def test_best_scores_accepts_numpy_and_method():
    out = cysolve.dask.best_scores(BATCH[:50], method="residue").compute()
    np.testing.assert_array_equal(out, xscore.best_scores(BATCH[:50], method="residue"))


def test_best_scores_bad_input():
    with pytest.raises(ValueError, match="2-dimensional"):
        cysolve.dask.best_scores(da.zeros(5, dtype=np.int64, chunks=2))
    with pytest.raises(TypeError, match="integers"):
        cysolve.dask.best_scores(da.zeros((5, 2), chunks=2))
    bad = BATCH[:10].copy()
    bad[7, 3] = -1
    with pytest.raises(ValueError, match="non-negative"):
        cysolve.dask.best_scores(da.from_array(bad, chunks=5)).compute()


def test_detect_batch_wiring(monkeypatch):
    """Blocks reach the kernel aligned (systems split, processes and resources whole)."""
    seen = []

    def fake(allocation, request, available, *, num_threads=None):
        seen.append((allocation.shape, request.shape, available.shape, num_threads))
        return (request > available[:, None, :]).any(axis=2)

    monkeypatch.setattr(deadlock, "detect_batch", fake, raising=False)
    allocation, request, available = systems()
    result = cysolve.dask.detect_batch(
        da.from_array(allocation, chunks=(100, 2, 2)), da.from_array(request, chunks=(60, 6, 3)),
        da.from_array(available, chunks=(300, 1)), num_threads=1,
    )
    assert result.dtype == bool and result.shape == (300, 6)
    expected = fake(allocation, request, available)
    seen.clear()
    np.testing.assert_array_equal(result.compute(scheduler="threads"), expected)
    assert len(seen) >= 3
    assert {shape[1:] for shape, *_ in seen} == {(6, 3)}
    assert all(a[0] == r[0] == v[0] and t == 1 for a, r, v, t in seen)
    with pytest.raises(ValueError, match="request has shape"):
        cysolve.dask.detect_batch(allocation, request[:, :5], available)
    with pytest.raises(ValueError, match="available has shape"):
        cysolve.dask.detect_batch(allocation, request, available[:, :2])


def test_detect_batch_threaded_scheduler():
    allocation, request, available = systems()
    out = cysolve.dask.detect_batch(
        da.from_array(allocation, chunks=(70, 6, 3)), da.from_array(request, chunks=(70, 6, 3)),
        da.from_array(available, chunks=(70, 3)),
    ).compute(scheduler="threads")
    expected = deadlock.detect_batch(allocation, request, available)
    assert expected.any() and not expected.all()
    np.testing.assert_array_equal(out, expected)


def test_on_local_cluster(cluster_client):
    scores = cysolve.dask.best_scores(da.from_array(BATCH, chunks=(250, 9)), num_threads=1)
    out = cluster_client.compute(scores).result()
    np.testing.assert_array_equal(out, xscore.best_scores(BATCH))
    # Both workers took part.
    assert len(cluster_client.scheduler_info()["workers"]) == 2
    assert all(w.startswith("tcp://127.0.0.1:") for w in cluster_client.scheduler_info()["workers"])
    allocation, request, available = systems()
    flags = cysolve.dask.detect_batch(
        da.from_array(allocation, chunks=(50, 6, 3)),
        da.from_array(request, chunks=(50, 6, 3)),
        da.from_array(available, chunks=(50, 3)), num_threads=1,
    )
    np.testing.assert_array_equal(
        cluster_client.compute(flags).result(),
        deadlock.detect_batch(allocation, request, available),
    )


def test_dask_extra_missing_is_a_clear_import_error(monkeypatch):
    import cysolve.dask

    monkeypatch.setitem(sys.modules, "dask", None)
    monkeypatch.setitem(sys.modules, "dask.array", None)
    with pytest.raises(ImportError, match=r"pip install 'cysolve\[dask\]'"):
        cysolve.dask.best_scores([[1, 2, 3]])


def test_errors_name_the_row_of_the_whole_array():
    bb = np.ones((1000, 3), dtype=np.int64)
    bb[500, 0] = -1
    with pytest.raises(ValueError, match=r"^batch\[500, 0\] = -1") as e:
        cysolve.dask.best_scores(da.from_array(bb, chunks=(100, 3))).compute()
    assert e.value.index == 500
    allocation, request, available = systems()
    request = request.copy()
    request[250, 1, 1] = -3
    with pytest.raises(ValueError, match=r"^request\[250, 1, 1\] = -3") as e:
        cysolve.dask.detect_batch(da.from_array(allocation, chunks=(100, 6, 3)),
                                  da.from_array(request, chunks=(100, 6, 3)),
                                  da.from_array(available, chunks=(100, 3))).compute()
    assert e.value.index == 250


def banker_states(k=300, n=6, m=3):
    """Random Banker states, some safe and some not."""
    allocation = RNG.integers(0, 3, size=(k, n, m))
    max_claim = allocation + RNG.integers(0, 4, size=(k, n, m))
    available = RNG.integers(0, 4, size=(k, m))
    return available, allocation, max_claim


def test_is_safe_batch_threaded_scheduler():
    available, allocation, max_claim = banker_states()
    result = cysolve.dask.is_safe_batch(
        da.from_array(available, chunks=(70, 2)), da.from_array(allocation, chunks=(70, 6, 3)),
        da.from_array(max_claim, chunks=(50, 3, 3)),
    )
    assert isinstance(result, da.Array) and result.dtype == bool and result.shape == (300,)
    out = result.compute(scheduler="threads")
    expected = deadlock.is_safe_batch(available, allocation, max_claim)
    assert expected.any() and not expected.all()
    np.testing.assert_array_equal(out, expected)
    existing = available + allocation.sum(axis=1)
    out = cysolve.dask.is_safe_batch(
        None, allocation, max_claim, existing=da.from_array(existing, chunks=100),
        num_threads=1,
    ).compute(scheduler="threads")
    np.testing.assert_array_equal(out, expected)


def test_is_safe_batch_bad_input():
    available, allocation, max_claim = banker_states(k=20)
    with pytest.raises(ValueError, match="max_claim has shape"):
        cysolve.dask.is_safe_batch(available, allocation, max_claim[:, :5])
    with pytest.raises(ValueError, match="available has shape"):
        cysolve.dask.is_safe_batch(available[:, :2], allocation, max_claim)
    with pytest.raises(TypeError, match="existing="):
        cysolve.dask.is_safe_batch(None, allocation, max_claim)
    bad = allocation.copy()
    bad[13, 2, 1] = max_claim[13, 2, 1] + 1
    with pytest.raises(ValueError, match="exceeds its max_claim") as info:
        cysolve.dask.is_safe_batch(
            available, da.from_array(bad, chunks=(10, 6, 3)), max_claim
        ).compute(scheduler="threads")
    assert info.value.index == 13  # its row in the whole batch, not in its chunk
    assert str(info.value).startswith("allocation[13, 2, 1] = ")


def test_is_safe_batch_on_local_cluster(cluster_client):
    available, allocation, max_claim = banker_states()
    flags = cysolve.dask.is_safe_batch(
        da.from_array(available, chunks=(50, 3)), da.from_array(allocation, chunks=(50, 6, 3)),
        da.from_array(max_claim, chunks=(50, 6, 3)), num_threads=1,
    )
    np.testing.assert_array_equal(
        cluster_client.compute(flags).result(),
        deadlock.is_safe_batch(available, allocation, max_claim),
    )
