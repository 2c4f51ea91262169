"""cysolve._batch: chunked batches give the same answers however they are cut."""

import numpy as np
import pytest

from cysolve import _batch, deadlock, xscore
from cysolve.bench import inputs


def test_chunk_edges_cover_every_instance_once(monkeypatch):
    monkeypatch.setattr(_batch, "CHUNK_SECONDS", 1.0)
    assert _batch.chunk_edges(np.array([])) == [0]
    assert _batch.chunk_edges(np.full(10, 0.3)) == [0, 3, 6, 10]  # about 1 s each
    assert _batch.chunk_edges(np.array([5.0, 0.1, 0.1])) == [0, 1, 3]


@pytest.fixture
def tiny_chunks(monkeypatch):
    monkeypatch.setattr(_batch, "CHUNK_SECONDS", 1e-6)  # about one instance a chunk


def test_xscore_batch_in_many_chunks(tiny_chunks, capsys):
    batch = inputs.xscore_batch(40, 9)
    expected = [xscore.best_score(a) for a in batch]
    assert xscore.best_scores(batch, num_threads=2, progress=True).tolist() == expected
    assert "40/40" in capsys.readouterr().err  # the bar reached the end


def test_matrix_batch_in_many_chunks(tiny_chunks, capsys):
    C, R, A = inputs.system_batch(30, 12, 3, seed=4)
    expected = np.stack([np.isin(np.arange(12), deadlock.detect(c, r, available=a).deadlocked)
                         for c, r, a in zip(C, R, A, strict=True)])
    got = deadlock.detect_batch(C, R, A, num_threads=2, progress=True)
    assert np.array_equal(got, expected)
    assert "30/30" in capsys.readouterr().err
