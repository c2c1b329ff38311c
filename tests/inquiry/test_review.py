"""The review workflow through the real CLI: export → decide → import, and the sheets refused.

What a reviewer and a supervisor check: the sheet shows each candidate's
evidence beside the bank's; decisions land in ``matches`` with who and
when; an accepted account becomes a hit (and so a follow-up candidate),
a rejected one does not; the audit entry counts each decision; a sheet with
a wrong word, a wrong person or a missing column is refused whole, naming
the row; an old sheet applied twice changes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from inquiry.cli import app
from inquiry.runtime.store import Store
from inquiry.steps.exports import matches_frame
from inquiry.steps.review import DECISION, FINGERPRINT, KEY
from inquiry.vocabulary import CLASS_LABELS, EVIDENCE_LABELS
from tests.inquiry._store_fixture import make_workspace

runner = CliRunner()


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), terminal_width=200)
    return result.exit_code, result.output


@pytest.fixture()
def home(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "ws", persons=300, seed=11)


def _undecided(home: Path) -> int:
    with Store(home / "store.sqlite3") as s:
        return int(s.scalar("SELECT count(*) FROM matches WHERE class = 'REVIEW' AND decision IS NULL"))


def _export(home: Path, name: str) -> tuple[Path, pl.DataFrame]:
    out = home / name
    code, output = cli("review", "export", "--home", str(home), "--out", str(out))
    assert code == 0, output
    frame = pl.read_excel(out, infer_schema_length=0) if out.suffix == ".xlsx" else pl.read_csv(out, infer_schema=False)
    return out, frame


def _save(frame: pl.DataFrame, path: Path) -> None:
    if path.suffix == ".csv":
        path.write_bytes(b"\xef\xbb\xbf" + frame.write_csv().encode("utf-8"))
    else:
        frame.write_excel(path, worksheet="要確認")


def _decide(frame: pl.DataFrame, decisions: dict[int, str]) -> pl.DataFrame:
    return frame.with_columns(pl.Series(DECISION, [decisions.get(i) for i in range(frame.height)], dtype=pl.Utf8))


def _shows_the_stored_evidence(home: Path, sheet: pl.DataFrame) -> None:
    """Each candidate's cells are its ``match_evidence`` row as link() kept it, not a recomputation."""
    with Store(home / "store.sqlite3") as s:
        stored = {
            (k, p): (c, n, d, a, sc, r)
            for k, p, c, n, d, a, sc, r in s.conn.execute(
                "SELECT account_key, person_id, class, name_evidence, dob_evidence, address_evidence, score, reason FROM match_evidence"
            )
        }
    shown = 0
    for k in range(1, 6):
        if f"候補{k} 宛名番号" not in sheet.columns:
            break
        for row in sheet.select(KEY, *[f"候補{k} {c}" for c in ("宛名番号", "照合の分類", "氏名の一致", "生年月日の一致", "住所の一致", "スコア", "照合の理由")]).iter_rows():
            key, pid, klass, name, dob, address, score, reason = row
            if pid is None:
                continue
            c, n, d, a, sc, r = stored[(key, pid)]
            assert (klass, name, dob, address, reason) == (
                CLASS_LABELS[c], EVIDENCE_LABELS["name"][n], EVIDENCE_LABELS["dob"][d], EVIDENCE_LABELS["address"][a], r)
            assert float(score) == pytest.approx(sc, abs=1e-3)
            shown += 1
    assert shown >= sheet.height + 1  # every row, and second candidates too
    second = sheet.filter(pl.col("候補2 宛名番号").is_not_null())["候補2 住所の一致"]
    assert second.len() and (second == EVIDENCE_LABELS["address"]["city"]).all()  # the candidate's own, not the account's


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_round_trip_applies_decisions(home: Path, suffix: str) -> None:
    before = _undecided(home)
    out, sheet = _export(home, "review" + suffix)
    assert sheet.height == before >= 3
    # evidence side by side: the bank's holder data, then each candidate's
    for col in ("名義カナ", "名義生年月日", "名義住所", "候補1 宛名番号", "候補1 カナ", "候補1 生年月日", "候補1 現住所", "候補1 住所の一致", "候補2 宛名番号"):
        assert col in sheet.columns
    _shows_the_stored_evidence(home, sheet)
    accept_key, reject_key, other_key = sheet[KEY][0], sheet[KEY][1], sheet[KEY][2]
    chosen = sheet["候補2 宛名番号"][0]
    filled = _decide(sheet, {0: f"accept {chosen}", 1: "Reject"})
    _save(filled, out)

    code, output = cli("review", "import", str(out), "--home", str(home), "--operator", "審査 次郎")
    assert code == 0, output
    assert _undecided(home) == before - 2
    with Store(home / "store.sqlite3") as s:
        rows = {k: (d, p, by, at) for k, d, p, by, at in s.conn.execute("SELECT account_key, decision, decided_person_id, decided_by, decided_at FROM matches")}
        classes = matches_frame(s).select("account_key", "class", "person_id")
        entry = json.loads(s.scalar("SELECT counts FROM audit WHERE command = 'review import' ORDER BY seq DESC LIMIT 1"))
    assert rows[accept_key][:3] == ("accept", chosen, "審査 次郎") and rows[accept_key][3]
    assert rows[reject_key][:3] == ("reject", None, "審査 次郎")
    assert rows[other_key][0] is None
    by_key = {k: (c, p) for k, c, p in classes.iter_rows()}
    assert by_key[accept_key] == ("CONFIRMED", chosen)  # now a hit, for the follow-ups too
    assert by_key[reject_key] == ("UNMATCHED", None)
    assert by_key[other_key][0] == "REVIEW"
    assert entry["decisions_accept"] == 1 and entry["decisions_reject"] == 1 and entry["stale_refused"] == 0 == entry["rejected"]
    assert entry["decisions"] == "2=accept, 3=reject"  # sheet lines, no personal data

    # the next sheet no longer lists them
    _, again = _export(home, "again" + suffix)
    assert accept_key not in again[KEY].to_list() and other_key in again[KEY].to_list()


def test_stale_sheet_is_refused_row_by_row(home: Path) -> None:
    out, sheet = _export(home, "review.csv")
    filled = _decide(sheet, {0: "reject", 1: "reject"})
    _save(filled, out)
    assert cli("review", "import", str(out), "--home", str(home))[0] == 0
    # a colleague's copy of the same sheet, decided differently, comes in later
    copy = home / "copy.csv"
    _save(_decide(sheet, {0: f"accept {sheet['候補1 宛名番号'][0]}", 2: "reject"}), copy)
    code, output = cli("review", "import", str(copy), "--home", str(home))
    assert code == 1, output
    rejects = "".join(p.read_text(encoding="utf-8-sig") for p in (home / "reports").glob("rejects-*.csv"))
    assert "copy.csv,2," in rejects and "変更されています" in rejects
    with Store(home / "store.sqlite3") as s:
        first = s.scalar("SELECT decision FROM matches WHERE account_key = ?", (sheet[KEY][0],))
        third = s.scalar("SELECT decision FROM matches WHERE account_key = ?", (sheet[KEY][2],))
    assert first == "reject"  # not overwritten by the stale row
    assert third == "reject"  # the fresh row of the same sheet applied


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(FINGERPRINT), "missing columns"),
        (lambda f: _decide(f, {1: "maybe"}), "review.csv:3"),
        (lambda f: _decide(f, {0: "accept P9999999"}), "review.csv:2: P9999999"),
        (lambda f: _decide(f, {0: "accept"}), "review.csv:2"),
        (lambda f: pl.concat([_decide(f, {0: "reject"}), _decide(f, {0: "reject"}).head(1)]), "appears twice"),
    ],
)
def test_malformed_sheet_is_refused_whole(home: Path, change, message: str) -> None:
    out, sheet = _export(home, "review.csv")
    bad = change(_decide(sheet, {2: "reject"}))
    _save(bad, out)
    before = _undecided(home)
    code, output = cli("review", "import", str(out), "--home", str(home))
    assert code == 2
    assert message in output.replace("\n", " ")
    assert "Traceback" not in output
    assert _undecided(home) == before  # nothing applied, not even the good row


def test_sheet_cells_never_run_as_formulas(home: Path) -> None:
    with Store(home / "store.sqlite3") as s, s.transaction():
        key = s.scalar("SELECT account_key FROM matches WHERE class = 'REVIEW' AND decision IS NULL ORDER BY matched_at, account_key LIMIT 1")
        s.conn.execute("UPDATE answers SET holder_address = '=cmd|'' /C calc''!A0' WHERE account_key = ?", (key,))
    out, sheet = _export(home, "review.csv")
    row = sheet.filter(pl.col(KEY) == key)
    assert row["名義住所"][0].startswith("'=")
    # and the neutralised sheet still imports
    _save(_decide(sheet, {0: "reject"}), out)
    assert cli("review", "import", str(out), "--home", str(home))[0] == 0
