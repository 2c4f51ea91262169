"""cysolve._parallel: the thread-count convention, and chunked batches that give the same
answers however they are cut."""

import os
import subprocess
import sys

import numpy as np
import pytest

import cysolve
from cysolve import _parallel, deadlock, xscore
from cysolve.bench import inputs


def test_num_threads_convention(monkeypatch):
    most = _parallel.num_threads(None)
    assert most >= 1
    assert _parallel.num_threads(-1) == most
    assert _parallel.num_threads(-2) == max(1, most - 1)
    assert _parallel.num_threads(-1000) == 1
    assert _parallel.num_threads(3) == 3  # explicit counts are honoured, as in scikit-learn
    with pytest.raises(ValueError, match="num_threads = 0"):
        _parallel.num_threads(0)
    with pytest.raises(TypeError, match="num_threads must be an integer or None, not bool"):
        _parallel.num_threads(True)
    # Automatic counts shrink for small batches; explicit counts are honoured.
    assert _parallel.num_threads(None, work_seconds=1e-5) == 1
    assert _parallel.num_threads(-1, work_seconds=10.0) == most
    assert _parallel.num_threads(2, work_seconds=1e-9) == 2
    monkeypatch.setattr(_parallel, "openmp_enabled", lambda: False)
    assert _parallel.num_threads(None) == _parallel.num_threads(8) == 1


def test_num_threads_honours_omp_num_threads():
    code = "from cysolve._parallel import num_threads; print(num_threads(None), num_threads(-1))"
    env = dict(os.environ, OMP_NUM_THREADS="1")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["1", "1"]


def test_effective_threads_is_the_public_face():
    assert cysolve.effective_threads() == _parallel.num_threads(None)
    assert cysolve.effective_threads(1) == 1


def test_chunk_edges_cover_every_instance_once(monkeypatch):
    monkeypatch.setattr(_parallel, "CHUNK_SECONDS", 1.0)
    assert _parallel.chunk_edges(np.array([])) == [0]
    assert _parallel.chunk_edges(np.full(10, 0.3)) == [0, 3, 6, 10]  # about 1 s each
    assert _parallel.chunk_edges(np.array([5.0, 0.1, 0.1])) == [0, 1, 3]


@pytest.fixture
def tiny_chunks(monkeypatch):
    monkeypatch.setattr(_parallel, "CHUNK_SECONDS", 1e-6)  # about one instance a chunk


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
