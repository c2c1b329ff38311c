"""The message table (inquiry/messages/) against the code that uses it, and the audit trail's count keys.

A text is looked up by key at run time, so a misspelt key or a field its
template names but the caller does not pass would only fail on the day that
message is shown — often an error path no test walks. The static checks read
every ``text("key", ...)`` / ``column_text("key", ...)`` call in ``inquiry/``
with :mod:`ast` instead. The count keys are checked on a real run: what the
audit trail records must be identifiers (its JSON schema), while the summary
table still shows the labels the operators know.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

import inquiry
from inquiry.messages import COUNT_LABELS, MESSAGES, fields
from tests.inquiry._fixtures import OFFICE_ARGS, answer_outbox, cli, mark_sent, write_office

SOURCES = sorted(p for p in Path(inquiry.__file__).parent.rglob("*.py") if "messages" not in p.parent.name)
#: a count key is an identifier: snake_case, or a class name as vocabulary.py spells it (match counts by class)
IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
#: commands whose count keys other branches of issue #11 turn into identifiers (h11v: match.py, followups.py);
#: the merger empties this set once they are in
NOT_YET_CONVERTED: set[str] = set()


def _calls() -> list[tuple[Path, ast.Call]]:
    """Every call of ``text`` / ``column_text`` in the package."""
    found = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("text", "column_text"):
                found.append((path, node))
    return found


def test_every_message_call_names_a_key_and_passes_exactly_its_fields() -> None:
    problems = []
    literal = 0
    for path, call in _calls():
        where = f"{path.relative_to(Path(inquiry.__file__).parent.parent)}:{call.lineno}"
        first = call.args[0] if call.args else None
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
            continue  # a key from a table of keys (nightly's _OUTCOME): covered by the key-use check below
        literal += 1
        key = first.value
        if key not in MESSAGES:
            problems.append(f"{where}: no message {key!r}")
            continue
        if any(k.arg is None for k in call.keywords):  # **values: cannot be checked statically
            continue
        passed = {k.arg for k in call.keywords}
        if passed != fields(key):
            problems.append(f"{where}: {key!r} takes {sorted(fields(key))}, given {sorted(passed)}")
    assert literal > 100, "the check found too few calls to be reading the code"
    assert not problems, "\n".join(problems)


def test_every_message_is_used() -> None:
    """No dead text: each key is named somewhere in the code (a call, or a table of keys)."""
    named = set()
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                named.add(node.value)
    assert sorted(set(MESSAGES) - named) == []


def test_count_label_keys_are_identifiers() -> None:
    assert [k for k in COUNT_LABELS if not IDENTIFIER.fullmatch(k)] == []


@pytest.fixture()
def cycle(tmp_path: Path) -> tuple[Path, list[str]]:
    """A workspace through the real CLI: prepare, sent, ingest (and the same answers again), payments, nightly."""
    home = tmp_path / "ws"
    office = write_office(tmp_path / "office")
    screens = []
    for args in (("init", "--home", home, *OFFICE_ARGS),
                 ("prepare", "--home", home, "--master", office["master"], "--institutions", office["institutions"], "--as-of", "2026-10-01")):  # fmt: skip
        code, out = cli(*args)
        assert code == 0, out
        screens.append(out)
    answers = answer_outbox(home)
    kept = [Path(shutil.copy(a, tmp_path / a.name)) for a in answers]  # ingest deletes what it took from inbox/
    mark_sent(home)
    for args in (("ingest", "--home", home), ("ingest", "--home", home, *kept)):
        code, out = cli(*args)
        assert code == 0, out
        screens.append(out)
    feed = tmp_path / "payments.csv"
    feed.write_text("person_id,paid_on,amount_yen\r\nP001,2026-10-02,1000\r\n", encoding="utf-8")
    code, out = cli("payments", "load", feed, "--home", home)
    assert code == 0, out
    code, out = cli("nightly", "--home", home)
    assert code in (0, 1), out
    return home, screens


def test_audit_count_keys_are_identifiers_and_the_screen_keeps_its_labels(cycle: tuple[Path, list[str]]) -> None:
    home, screens = cycle
    con = sqlite3.connect(home / "store.sqlite3")
    try:
        entries = con.execute("SELECT command, counts FROM audit ORDER BY seq").fetchall()
    finally:
        con.close()
    commands = {command for command, _ in entries}
    assert {"init", "prepare", "sent", "ingest", "payments load", "nightly ingest", "nightly match", "nightly purge"} <= commands
    bad = [(command, key) for command, counts in entries if command not in NOT_YET_CONVERTED for key in json.loads(counts) if not IDENTIFIER.fullmatch(key)]
    assert bad == []
    recorded = {key for command, counts in entries for key in json.loads(counts)}
    assert {"master_rows_read", "already_asked_same_as_of", "files_skipped_already_ingested"} <= recorded
    prepare_screen, ingest_again = screens[1], screens[3]
    assert "rows_read (master) │ 4" in prepare_screen and "already_asked (same as-of)" in prepare_screen
    assert "files_skipped (already ingested) │ 2" in ingest_again


def test_link_says_its_counts_with_their_labels(tmp_path: Path) -> None:
    """``inquiry link`` keeps no audit trail but prints its counts: by label, as before the keys changed."""
    office = write_office(tmp_path / "office")
    out = tmp_path / "matches.csv"
    code, screen = cli("link", "--master", office["master"], "--responses", office["institutions"], "--out", out)
    assert code == 1, screen  # the institutions file is no answer file: rejected whole
    assert "'files_skipped (not basic)': 0" in screen and "files_skipped_not_basic" not in screen
