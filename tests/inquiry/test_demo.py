"""``inquiry demo`` on the bundled sample office: the quick start's command."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from inquiry.cli import app
from inquiry.runtime.store import Store


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("demo") / "demo-home"
    result = CliRunner().invoke(app, ["demo", "--home", str(home)])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return home


def test_demo_runs_the_cycle_and_accounts_for_every_row(demo_home: Path) -> None:
    home = demo_home
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


def test_purge_certificate_of_the_demo_office_matches_the_store(demo_home: Path, tmp_path: Path) -> None:
    home = Path(shutil.copytree(demo_home, tmp_path / "ws"))
    with Store(home / "store.sqlite3") as store:
        before = {
            table: store.scalar(f"SELECT count(*) FROM {table}")
            for table in ("inquiries", "answers", "matches", "followups", "transactions", "persons", "payments")
        }
    later = (dt.date.today() + dt.timedelta(days=61)).isoformat()
    result = CliRunner().invoke(app, ["purge", "--home", str(home), "--as-of", later])
    assert result.exit_code == 0, result.output
    cert = json.loads(next((home / "reports").glob("purge-*.json")).read_text(encoding="utf-8"))
    assert before["inquiries"] > 0 and before["answers"] > 0 and before["transactions"] > 0
    for table in ("inquiries", "answers", "matches", "followups", "transactions", "persons", "payments"):
        assert cert["counts"][table] == before[table], table
    text = next((home / "reports").glob("purge-*.txt")).read_text(encoding="utf-8")
    assert "消去記録" in text
    with Store(home / "store.sqlite3") as store:
        assert store.scalar("SELECT count(*) FROM answers") == 0
        assert store.scalar("SELECT sum(count) FROM stats WHERE kind = 'class'") == before["matches"]


def test_demo_makes_a_seizure_plan_and_the_list(demo_home: Path) -> None:
    from inquiry.steps.seize import LIST_COLUMNS

    listing = demo_home / "reports" / "預金差押予定一覧.csv"
    raw = listing.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf" + ",".join(LIST_COLUMNS).encode("utf-8") + b"\r\n")
    with Store(demo_home / "store.sqlite3") as store:
        planned = store.scalar("SELECT count(*) FROM seizures WHERE status = 'PLANNED'")
        assert planned > 0
        assert store.scalar("SELECT count(*) FROM seizures WHERE class = 'PROBABLE'") == 0  # the demo never confirms an owner
        assert store.scalar("SELECT max(doc_number) FROM seizures") == store.scalar("SELECT count(*) FROM seizures")
    assert raw.count(b"\r\n") == planned + 1
