"""``inquiry demo`` on the bundled sample office: the quick start's command."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from inquiry.cli import app
from inquiry.store import Store


def test_demo_runs_the_cycle_and_accounts_for_every_row(tmp_path: Path) -> None:
    home = tmp_path / "demo-home"
    result = CliRunner().invoke(app, ["demo", "--home", str(home)])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    with Store(home / "store.sqlite3") as store:
        providers = {r[0] for r in store.conn.execute("SELECT provider FROM request_files WHERE kind = 'basic'")}
        assert providers == {"dais", "pipitlinq"}
        assert store.scalar("SELECT count(*) FROM request_files WHERE sent_at IS NULL AND kind = 'basic'") == 0
        read, accepted, rejected = store.conn.execute(
            "SELECT sum(rows_read), sum(rows_accepted), sum(rows_rejected) FROM response_files WHERE kind = 'basic'"
        ).fetchone()
        assert read > 0 and read == accepted + rejected
        assert store.scalar("SELECT count(*) FROM answers") == accepted
        classes = {r[0] for r in store.conn.execute("SELECT DISTINCT class FROM matches")}
        assert {"CONFIRMED", "HOMONYM"} <= classes
    # files left the outbox when sent and the inbox when ingested
    assert not any(p.is_file() for p in (home / "outbox").iterdir())
    assert not any(p.is_file() for p in (home / "inbox").iterdir())


def test_demo_refuses_to_wipe_a_real_workspace(tmp_path: Path) -> None:
    home = tmp_path / "real"
    home.mkdir()
    (home / "store.sqlite3").write_bytes(b"precious")
    result = CliRunner().invoke(app, ["demo", "--home", str(home)])
    assert result.exit_code == 2
    assert (home / "store.sqlite3").read_bytes() == b"precious"
