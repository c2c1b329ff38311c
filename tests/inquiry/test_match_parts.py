"""``inquiry match`` on the store's first match: the answers read early, in two halves; accounts linked in parts (issue #10, session 5).

The first match of a year reads every found answer in two child reads (the
stored halves, side by side) that start before the persons are read, reads no links or evidence (there are
none), and links the accounts in parts while the previous part is stored.
What it stores is what one link of all accounts gives.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

import inquiry.steps.match as match_step
from inquiry.runtime.store import Store
from matching import link
from matching.link import normalise_persons
from tests.inquiry._fixtures import cli, ingested_workspace, snapshot, stored


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace whose four persons were asked at both banks and answered: ingested, never matched."""
    return ingested_workspace(tmp_path_factory.mktemp("ingested"))


def _copy(ingested: Path, tmp_path: Path, name: str) -> Path:
    return Path(shutil.copytree(ingested, tmp_path / name))


def test_the_first_match_reads_the_answers_once_and_no_links(ingested: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No link and no follow-up stored yet: the found answers read in two halves side by side, started before the
    persons are read, and no read of links or evidence."""
    home = _copy(ingested, tmp_path, "ws")
    calls: list[tuple[str, ...]] = []
    reads, frame = Store.fast_frames, Store.fast_frame

    def spy_reads(self: Store, queries: dict) -> dict:
        calls.append(tuple(queries))
        return reads(self, queries)

    def spy_frame(self: Store, sql: str, *args: object, **kwargs: object) -> pl.DataFrame:
        calls.append(("persons",) if "FROM persons" in sql else ("other",))
        return frame(self, sql, *args, **kwargs)

    monkeypatch.setattr(Store, "fast_frames", spy_reads)
    monkeypatch.setattr(Store, "fast_frame", spy_frame)
    code, out = cli("match", "--home", home)
    assert code == 0, out
    assert calls == [("accounts", "accounts_after"), ("persons",)]  # the answers' two halves, read side by side
    linked = stored(home, "SELECT count(*) FROM matches")[0][0]
    assert linked > 0 and linked == stored(home, "SELECT count(DISTINCT account_key) FROM answers WHERE answer = 'found'")[0][0]
    # a second run (links stored now): the usual path, and nothing new
    calls.clear()
    code, out = cli("match", "--home", home)
    assert code == 0, out
    assert ("accounts",) not in calls and stored(home, "SELECT count(*) FROM matches")[0][0] == linked


def test_linking_in_parts_stores_what_one_link_stores(ingested: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One account per part (each stored while the next links): the same matches, evidence and order as one part."""
    whole, parts = _copy(ingested, tmp_path, "whole"), _copy(ingested, tmp_path, "parts")
    assert cli("match", "--home", whole)[0] == 0
    monkeypatch.setattr(match_step, "LINK_PART_ACCOUNTS", 1)
    assert cli("match", "--home", parts)[0] == 0
    assert snapshot(whole / "store.sqlite3") == snapshot(parts / "store.sqlite3")
    order = "SELECT account_key FROM {} ORDER BY rowid"
    for table in ("matches", "match_evidence"):
        assert stored(whole, order.format(table)) == stored(parts, order.format(table))
    assert len(stored(whole, order.format("matches"))) > 1


def test_accounts_in_parts_link_as_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """:func:`_linked_in_parts` on a synthetic office, its rows in two pieces (as the first match reads them), some
    accounts with rows in both: every part's rows, concatenated, are one link's (evidence too), each account linked
    once, from its first row."""
    from benchmarks.quality import build_case

    case = build_case(600, 4)
    # 40 accounts answered twice: a first row (another address: what link() takes) before the others' rows
    twice = case.accounts.tail(40).with_columns(holder_address=pl.lit("大阪市北区梅田9-9-9"))
    accounts = pl.concat([case.accounts.head(300), twice, case.accounts.slice(300)])
    whole = link(accounts, case.persons)
    parts = match_step._account_parts(accounts, 97)
    assert len(parts) > 3 and sum(p.height for p in parts) == accounts.height
    keys = [set(p["account_key"]) for p in parts]
    assert all(not (a & b) for i, a in enumerate(keys) for b in keys[i + 1 :])
    normalised = normalise_persons(case.persons)
    monkeypatch.setattr(match_step, "LINK_PART_ACCOUNTS", 97)
    pieces = [accounts.head(320), accounts.slice(320)]  # 20 of the 40 start in the first piece; all their later rows in the second
    linked = list(match_step._linked_in_parts(iter(pieces), case.persons, normalised))
    assert len(linked) > 3 and whole.height > 500 and pl.concat(linked).equals(whole)
    assert link(accounts, case.persons, normalised_persons=normalised).equals(whole)


def test_the_found_rows_are_counted_on_the_account_index_alone(ingested: Path) -> None:
    """The inputs' state counts the found rows (and :func:`_only_new_accounts` those kept) on the answers'
    account index, without reading the answer rows: the same count as ``answer = 'found'`` on a real ingest."""
    with Store(ingested / "store.sqlite3") as store:
        found = store.conn.execute("SELECT count(*), max(rowid) FROM answers WHERE answer = 'found'").fetchone()
        state = store.conn.execute(match_step.FOUND_STATE_SQL).fetchone()
        kept = store.conn.execute(match_step.FOUND_KEPT_SQL, (found[1], found[1])).fetchone()
        plans = {
            sql: [row[3] for row in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()]
            for sql, params in ((match_step.FOUND_STATE_SQL, ()), (match_step.FOUND_KEPT_SQL, (1, 1)))
        }
    assert found[0] > 0
    assert state == found and kept == (found[0], 1)
    for plan in plans.values():
        assert plan[0].startswith("SEARCH answers USING COVERING INDEX answers_account"), plan
