"""The ``cysolve`` command as a whole: the demo, exit statuses, ``python -m cysolve``."""



from cysolve import cli

# --- demo and bench ---------------------------------------------------------------------------


def test_demo(capsys):
    assert cli.main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "830122 (ok" in out
    assert "n = 30 (values 0..50): best score" in out and "the order replays to it" in out
    assert "deadlocked processes: D, E, G" in out
    assert "in this order: P3, P2, P1" in out
    assert "safe: every process can finish, in this order: B, C, A" in out
    assert "ratio" in out and "deadlock-graph" in out  # the short benchmark ran
