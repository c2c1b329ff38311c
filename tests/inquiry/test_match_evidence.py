"""``match_evidence`` stored narrower (issue #10, session 6; migration 10).

Each link's own evidence (the person its ``matches`` row names, with the
same class, score, evidence words and reason) is one row of its evidence
list: it is no longer stored twice. ``matches.evidence_rank`` says where it
stands, ``match_evidence_rest`` holds the other rows, and the view
``match_evidence`` shows what the table showed: every row link() kept.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import inquiry.runtime.store
import inquiry.steps.match as match_step
from inquiry.runtime.store import Store
from matching import link
from tests.inquiry._fixtures import OFFICE, cli, init_and_prepare, mark_sent, stored
from tests.inquiry.test_relink import _answer, _cycle_one, _prepare

_EVIDENCE = "SELECT account_key, rank, person_id, class, score, name_evidence, dob_evidence, address_evidence, reason FROM match_evidence"


def _linked_again(home: Path) -> pl.DataFrame:
    """link() of the store's accounts and persons, as ``inquiry match`` reads them (no link is final here)."""
    with Store(home / "store.sqlite3") as store:
        query = match_step._ACCOUNTS_READ
        accounts = match_step._in_answer_order(store.fast_frame(query.sql, query.schema, text=query.text))
        return link(accounts, match_step.persons_frame(store))


@pytest.fixture(scope="module")
def namesakes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Workspaces of test_relink's office with its namesakes (several candidates per account): matched once with the
    full master (the first match), and in two cycles (the second re-links and rewrites changed decisions)."""
    root = tmp_path_factory.mktemp("namesakes")
    two, full = _cycle_one(root / "two")
    _prepare(two, full)
    assert cli("match", "--home", two)[0] == 0
    one = root / "one" / "ws"
    init_and_prepare(one, full)
    _answer(one, OFFICE)
    mark_sent(one)
    assert cli("ingest", "--home", one)[0] == 0
    assert cli("match", "--home", one)[0] == 0
    return {"first match": one, "re-linked": two}


@pytest.mark.parametrize("case", ["first match", "re-linked"])
def test_the_view_gives_every_evidence_row_link_kept_and_each_is_stored_once(namesakes: dict[str, Path], case: str) -> None:
    """After real ``inquiry match`` runs: the view's rows are link()'s evidence of the same inputs, row for row, while the
    table holds only the rows that are not a link's own (those come from ``matches``)."""
    home = namesakes[case]
    linked = _linked_again(home)
    expected = match_step._evidence_rows(linked).sort("account_key", "rank").rows()
    assert len(expected) > linked.height > 5
    assert stored(home, _EVIDENCE + " ORDER BY account_key, rank") == expected
    links, own = stored(home, "SELECT count(*), count(evidence_rank) FROM matches")[0]
    assert links == linked.height and 0 < own <= links
    # a link naming one person has its own row in its list; a tie of two candidates (REVIEW, no person) has not
    assert stored(home, "SELECT count(*) FROM matches WHERE evidence_rank IS NULL AND coalesce(candidates, '') NOT LIKE '%;%'")[0][0] == 0
    assert stored(home, "SELECT count(*) FROM match_evidence_rest")[0][0] == len(expected) - own > 0
    # the view reads an account's rows through the indexes, as the table did (review, report)
    plan = " ".join(r[3] for r in stored(home, "EXPLAIN QUERY PLAN " + _EVIDENCE + " WHERE account_key = 'x'"))
    assert "SCAN" not in plan.replace("SCAN s", ""), plan


def test_evidence_rank_is_the_first_row_equal_to_the_link_and_null_when_none() -> None:
    """``evidence_rank``: the first rank whose person, class, score, evidence words and reason are the link's own
    (not always rank 0: a homonym's link is its inquired person's pair, another may score higher); when no row is
    (another reason, say) null, and every row of that account stored."""
    from benchmarks.quality import build_case

    case = build_case(300, 3)
    linked = link(case.accounts, case.persons)
    evidence = match_step._evidence_rows(linked)
    odd = linked["account_key"][0]
    changed = linked.with_columns(reason=pl.when(pl.col("account_key") == odd).then(pl.lit("other")).otherwise("reason"))
    ranked = match_step._with_evidence_rank(changed, evidence)
    # the definition, row by row
    own = changed.select("account_key", pl.coalesce("person_id", "candidates").alias("person_id"), *match_step._OWN_EVIDENCE)
    fields = ["person_id", *match_step._OWN_EVIDENCE]
    equal = evidence.join(own, on="account_key", suffix="_own").filter(pl.all_horizontal([pl.col(c).eq_missing(pl.col(f"{c}_own")) for c in fields]))
    expected = dict(equal.group_by("account_key").agg(pl.col("rank").min()).iter_rows())
    assert dict(zip(ranked["account_key"], ranked["evidence_rank"])) == {k: expected.get(k) for k in changed["account_key"]}
    assert odd not in expected and ranked["evidence_rank"].null_count() == 1 and (ranked["evidence_rank"] > 0).sum() > 0
    rest = match_step._evidence_rest(evidence, ranked)
    assert rest.filter(pl.col("account_key") == odd).equals(evidence.filter(pl.col("account_key") == odd))
    assert rest.height == evidence.height - (linked.height - 1)
    assert ranked.drop("evidence_rank").equals(changed)


def test_migration_10_keeps_the_stored_evidence_and_the_view_takes_inserts_and_deletes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A store of schema 9 with evidence: after migration the view shows the same rows (all kept in the table);
    an INSERT into the view and a DELETE from it act as on the table, the link's own row included."""
    path = tmp_path / "store.sqlite3"
    version = 9
    monkeypatch.setattr(inquiry.runtime.store, "MIGRATIONS", inquiry.runtime.store.MIGRATIONS[:version])
    monkeypatch.setattr(inquiry.runtime.store, "SCHEMA_VERSION", version)
    link_row = {"account_key": ["K1", "K2"], "inquiry_id": ["I1", "I2"], "person_id": ["P1", None], "class": ["CONFIRMED", "HOMONYM"],
                "score": [0.9, 0.01], "name_evidence": "exact", "dob_evidence": "exact", "address_evidence": "current",
                "candidates": [None, "P2"], "reason": ["agree", "namesake"], "matched_at": "2026-12-05T00:00:00"}  # fmt: skip
    rows = [("K1", 0, "P1", "CONFIRMED", 0.9, "exact", "exact", "current", "agree"),
            ("K1", 1, "P3", "HOMONYM", 0.2, "exact", "missing", "city", None),
            ("K2", 0, "P2", "HOMONYM", 0.01, "exact", "exact", "current", "namesake")]  # fmt: skip
    with Store(path) as store, store.transaction():
        assert store.schema_version() == version
        store.insert("matches", pl.DataFrame(link_row))
        store.insert("match_evidence", pl.DataFrame(rows, schema=list(match_step.EVIDENCE_SCHEMA), orient="row"))
    monkeypatch.undo()
    with Store(path) as store:
        assert store.schema_version() == len(inquiry.runtime.store.MIGRATIONS) > version
    assert stored(tmp_path, _EVIDENCE + " ORDER BY 1, 2") == rows
    assert stored(tmp_path, "SELECT count(*) FROM match_evidence_rest")[0][0] == 3
    assert stored(tmp_path, "SELECT count(evidence_rank) FROM matches")[0][0] == 0

    # as match stores them now: K1's own row from its link; then the view's triggers
    stored(tmp_path, "DELETE FROM match_evidence_rest WHERE account_key = 'K1' AND rank = 0")
    stored(tmp_path, "UPDATE matches SET evidence_rank = 0 WHERE account_key = 'K1'")
    assert stored(tmp_path, _EVIDENCE + " ORDER BY 1, 2") == rows
    stored(tmp_path, "DELETE FROM match_evidence WHERE account_key = 'K1' AND rank = 0")  # the link's own row
    stored(tmp_path, "DELETE FROM match_evidence WHERE account_key = 'K2'")
    assert stored(tmp_path, _EVIDENCE + " ORDER BY 1, 2") == rows[1:2]
    assert stored(tmp_path, "SELECT account_key, evidence_rank FROM matches ORDER BY 1") == [("K1", None), ("K2", None)]
    stored(tmp_path, "INSERT INTO match_evidence VALUES ('K2', 0, 'P2', 'HOMONYM', 0.01, 'exact', 'exact', 'current', 'namesake')")
    assert stored(tmp_path, _EVIDENCE + " ORDER BY 1, 2") == [rows[1], rows[2]]
