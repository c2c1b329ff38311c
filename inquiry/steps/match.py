"""``inquiry match``: link every account whose decision is not final, with its evidence.

Reads the found accounts and the persons from the store, hands both to
:func:`matching.link` (which knows nothing of the store) and records one
row per account in ``matches`` and the evidence of every person it weighed
in ``match_evidence`` (a view: the row of the person a link names, with the
link's own class, score and evidence, is the ``matches`` row itself, at its
``evidence_rank``; the others are in ``match_evidence_rest``, migration 10).

An account is linked when it first comes back, and linked again, in every
later cycle in which new or changed persons arrive, as long
as its decision is not *final* (:data:`FINAL_KEYS_SQL`): a person decided it on
review, or a history inquiry was queued or sent on its strength. An
account returned as ``HOMONYM`` for a namesake thus becomes its true
owner's hit once that person is in the master. Nothing arrived since the
last run: no answer is read and nothing linked (a nightly run reads the
persons and two counts, :func:`_inputs_state`); new answers only, for the
persons of the last run: only the accounts never linked are
(:func:`_only_new_accounts`: an account's link rests on its first answer
and the persons, and neither changed). A re-link
that reaches the same result writes nothing, so running it again changes
nothing and an exported review sheet stays valid.

The summary counts each answer once (the classes are those of accounts
linked for the first time) and says how many decisions changed, and from
what to what (``HOMONYM→CONFIRMED``), without personal data.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import polars as pl

from inquiry.messages import text
from inquiry.runtime.step import Context, StepBody, StepResult
from inquiry.runtime.store import FastQuery, Store
from matching import link, rules_digest
from matching.classify import CLASSES
from matching.link import EVIDENCE_COLUMN, normalise_persons

__all__ = ["EVIDENCE_SCHEMA", "FINAL_KEYS_SQL", "FOUND_KEPT_SQL", "FOUND_STATE_SQL", "match", "persons_frame"]

#: the accounts whose link no re-link may change: a reviewer decided it, or a history inquiry rests
#: on it (any follow-up row: queued, written, sent, answered, or shown as skipped because the person
#: paid). A UNION, not an OR: SQLite then builds the set once (a year: 1 s instead of 3 s).
FINAL_KEYS_SQL = "SELECT account_key FROM matches WHERE decision IS NOT NULL UNION SELECT account_key FROM followups"
#: what the re-link writes of a ``matches`` row (the rest - matched_at, the decision - it keeps)
_LINK_COLUMNS = (
    "inquiry_id", "inquired_person_id", "person_id", "class", "score",
    "name_evidence", "dob_evidence", "address_evidence", "candidates", "reason",
)  # fmt: skip
#: a change of these is a new decision: ``matched_at`` moves (the review backlog's age restarts)
_DECISION_COLUMNS = ("class", "person_id", "candidates")
EVIDENCE_SCHEMA = {
    "account_key": pl.Utf8, "rank": pl.Int64, "person_id": pl.Utf8, "class": pl.Utf8, "score": pl.Float64,
    "name_evidence": pl.Utf8, "dob_evidence": pl.Utf8, "address_evidence": pl.Utf8, "reason": pl.Utf8,
}  # fmt: skip
_INPUTS_KEY = "match:inputs"
#: the found answer rows, as the inputs' state counts them: those with an account key (``ingest`` gives one to a
#: found row alone, and a row without one is never linked: :data:`_ACCOUNTS_READ`'s ``NOT IN`` leaves it out).
#: Counted on the answers' account index alone (``answers_account``, partial on this very condition), not by
#: reading every answer row: a year's first match, 0.36 s cold (0.12 s warm) down to 0.03 s
_FOUND = "account_key IS NOT NULL"
#: the found rows' count and last row (:func:`_inputs_state`)
FOUND_STATE_SQL = f"SELECT count(*), max(rowid) FROM answers WHERE {_FOUND}"
#: the found rows up to a row, and whether that row is still there (:func:`_only_new_accounts`); ``+rowid``:
#: the account index alone, not a walk of the table by rowid
FOUND_KEPT_SQL = f"SELECT count(*), (SELECT count(*) FROM answers WHERE rowid = ? AND {_FOUND}) FROM answers WHERE +rowid <= ? AND {_FOUND}"


_PERSON_TEXT = ("name_kana", "kana_candidates", "other_names_kana", "address", "address_history")
#: the persons as stored, in person id order (:func:`persons_frame`)
_PERSONS_READ = FastQuery(
    f"SELECT person_id, {', '.join(_PERSON_TEXT)}, kana_estimated, birth_date FROM persons ORDER BY person_id",
    {"person_id": pl.Utf8, **dict.fromkeys(_PERSON_TEXT, pl.Utf8), "kana_estimated": pl.Int64, "birth_date": pl.Date},
    _PERSON_TEXT,
)
#: the found answer rows of the accounts to link: those never linked and those linked before whose decision is
#: not final (:data:`FINAL_KEYS_SQL`), every found answer of each (the result is that of one run over all
#: answers); in no order yet (:func:`_in_answer_order`): ``answer_row``
#: is the stored order, the one the view ``first_answers`` takes an account's first answer by
_ACCOUNTS_READ = FastQuery(
    f"""
    SELECT a.account_key, a.inquiry_id, i.person_id AS inquired_person_id, a.holder_kana,
           a.holder_birth_date, a.holder_address, a.rowid AS answer_row
    FROM answers a JOIN inquiries i ON i.inquiry_id = a.inquiry_id
    WHERE a.answer = 'found' AND a.account_key NOT IN ({FINAL_KEYS_SQL})
    """,
    {**dict.fromkeys(("account_key", "inquiry_id", "inquired_person_id", "holder_kana"), pl.Utf8),
     "holder_birth_date": pl.Date, "holder_address": pl.Utf8, "answer_row": pl.Int64},
    ("holder_kana", "holder_address"),
)  # fmt: skip
#: the answer rows of the accounts never linked (:func:`_only_new_accounts`: the persons are those of the last run)
_NEW_ACCOUNTS_READ = _ACCOUNTS_READ._replace(
    sql=_ACCOUNTS_READ.sql.replace(f"NOT IN ({FINAL_KEYS_SQL})", "NOT IN (SELECT account_key FROM matches)")
)
#: the links and the evidence a re-link may replace (those not final)
_LINKS_READ = FastQuery(
    f"SELECT account_key, {', '.join(_LINK_COLUMNS)} FROM matches WHERE account_key NOT IN ({FINAL_KEYS_SQL})",
    {"account_key": pl.Utf8, **{c: pl.Float64 if c == "score" else pl.Utf8 for c in _LINK_COLUMNS}},
    ("reason",),
)
_EVIDENCE_READ = FastQuery(
    f"SELECT {', '.join(EVIDENCE_SCHEMA)} FROM match_evidence WHERE account_key NOT IN ({FINAL_KEYS_SQL})",
    EVIDENCE_SCHEMA,
    ("reason",),
)


def persons_frame(store: Store) -> pl.DataFrame:
    """Persons as :func:`matching.link` expects them (lists split, dates typed).

    In person id order, whatever order they were loaded in: link() breaks an
    exact tie between two persons by their position, and an office that
    loads its master in two cycles must get the decisions of one load.
    """
    raw = store.fast_frame(_PERSONS_READ.sql, _PERSONS_READ.schema, text=_PERSONS_READ.text)

    def split(col: str, sep: str) -> pl.Expr:
        return pl.col(col).fill_null("").str.split(sep).list.eval(pl.element().filter(pl.element() != ""))

    return raw.with_columns(
        pl.col("kana_estimated").cast(pl.Boolean),
        split("kana_candidates", ";"),
        split("other_names_kana", ";"),
        split("address_history", "|"),
    )


def _in_answer_order(rows: pl.DataFrame) -> pl.DataFrame:
    """:data:`_ACCOUNTS_READ`'s rows in the order they were recorded (earlier ingests first, then file and line).

    link() takes an account's inquiry and holder data from its first row:
    the stored order makes that the row ``first_answers`` (and so
    ``matches.csv``, the review sheet, the report) shows the account's bank data from.
    """
    return rows.sort("answer_row").drop("answer_row")


def _inputs_state(store: Store, persons: pl.DataFrame) -> str:
    """What link() weighs, summarised without timestamps: the persons' content and the answers.

    The persons as :func:`persons_frame` gives them, digested row by row
    (any person added, changed or deleted changes it; a polars upgrade that
    hashes differently costs one needless re-link); the basic answer files
    ingested (every new answer comes in a new file, ``response_files``),
    the found answer rows (count, last row: :data:`_FOUND`) and the matching rules
    (:func:`matching.rules_digest`: a rule fixed links every open account
    again). The same text as the last run left means nothing new can be
    linked or change.
    """
    files = store.conn.execute(
        "SELECT count(*), group_concat(sha256, ',') FROM (SELECT sha256 FROM response_files WHERE kind = 'basic' ORDER BY sha256)"
    ).fetchone()
    answers = store.conn.execute(FOUND_STATE_SQL).fetchone()
    people = hashlib.sha256(persons.hash_rows(seed=0).to_numpy().tobytes()).hexdigest()[:32]
    taken = hashlib.sha256((files[1] or "").encode("ascii")).hexdigest()[:32]
    return json.dumps(
        {"persons": persons.height, "persons_digest": people, "rules": rules_digest(),
         "files": files[0], "files_digest": taken, "found": answers[0], "last_found": answers[1]}
    )  # fmt: skip


def _only_new_accounts(store: Store, previous: str | None, state: str) -> bool:
    """Whether only the accounts never linked can get a new link: the persons are the last run's, no answer went.

    link() decides an account from its first found row (the stored order)
    and the persons alone. With the persons of the last run (the same
    digest) and every found row the last run saw still stored (as many
    found rows up to its last row, and that row still there: a new row
    then always comes after it), an account linked then has the same first
    row and gets the same link again: only accounts never linked are read
    and linked (a cycle's new answers; the open links are neither read nor
    compared). A new person, a changed one, a change of a matching rule
    (:func:`matching.rules_digest`), or a purge that took an account's first answer: every open
    account is linked again.
    """
    try:
        before, now = json.loads(previous or ""), json.loads(state)
    except ValueError:
        return False
    same = ("persons", "persons_digest", "rules")
    if not isinstance(before, dict) or before.keys() != now.keys() or any(before[k] != now[k] for k in same):
        return False
    found, last = before["found"], before["last_found"]
    if last is None:
        return found == 0
    kept = store.conn.execute(FOUND_KEPT_SQL, (last, last)).fetchone()
    return kept == (found, 1)


def _evidence_rows(linked: pl.DataFrame) -> pl.DataFrame:
    """``match_evidence`` rows of ``linked`` (one per account and candidate, rank 0 = best)."""
    return (
        linked.select("account_key", EVIDENCE_COLUMN, rank=pl.int_ranges(pl.col(EVIDENCE_COLUMN).list.len(), dtype=pl.Int64))
        .explode(EVIDENCE_COLUMN, "rank")
        .drop_nulls(EVIDENCE_COLUMN)
        .unnest(EVIDENCE_COLUMN)
        .select(list(EVIDENCE_SCHEMA))
        .cast(EVIDENCE_SCHEMA)
    )


#: what a link's own evidence shows besides the person (:func:`_with_evidence_rank`)
_OWN_EVIDENCE = ("class", "score", "name_evidence", "dob_evidence", "address_evidence", "reason")


def _with_evidence_rank(linked: pl.DataFrame, evidence: pl.DataFrame) -> pl.DataFrame:
    """``linked`` with ``evidence_rank``: the rank of its evidence row that its ``matches`` row shows already.

    link() keeps, among the evidence of an account, the pair its result
    names (the person, else the one candidate) with the same class, score,
    evidence words and reason as the result itself (a year: every account).
    That row is not stored again (migration 10: the view ``match_evidence``
    makes it from the ``matches`` row); ``evidence_rank`` says at which rank
    it stands, null when no row is exactly the result's (then every row is
    stored, :func:`_evidence_rest`). Equal means equal: the same texts, the
    same double.
    """
    own = {"person_id": pl.coalesce("person_id", "candidates")} | {c: pl.col(c) for c in _OWN_EVIDENCE}
    # mostly the best (rank 0): tested on the lists themselves; the others (a year: 7,374 homonyms) looked up
    top = pl.col(EVIDENCE_COLUMN).list.first()
    at_top = pl.all_horizontal([top.struct.field(c).eq_missing(value) for c, value in own.items()]).fill_null(False)
    ranked = linked.with_columns(evidence_rank=pl.when(at_top).then(pl.lit(0, dtype=pl.Int64)))
    others = ranked.filter(pl.col("evidence_rank").is_null()).select("account_key", **own)
    if others.height == 0:
        return ranked
    found = (
        evidence.join(others, on=["account_key", *own], how="semi", nulls_equal=True, maintain_order="left")
        .unique("account_key", keep="first", maintain_order=True)
        .select("account_key", _rank="rank")
    )
    return ranked.join(found, on="account_key", how="left", maintain_order="left").with_columns(
        evidence_rank=pl.coalesce("evidence_rank", "_rank")
    ).drop("_rank")


def _evidence_rest(evidence: pl.DataFrame, ranked: pl.DataFrame) -> pl.DataFrame:
    """The rows of ``evidence`` that ``match_evidence_rest`` stores: all but each account's row at ``evidence_rank`` (of ``ranked``)."""
    own = ranked.select("account_key", rank="evidence_rank").drop_nulls()
    return evidence.join(own, on=["account_key", "rank"], how="anti", maintain_order="left")


def _differs(columns: tuple[str, ...] | list[str]) -> pl.Expr:
    """Any of ``columns`` differs from its ``_old`` copy (null-safe).

    Scores are equal within 1e-9 (a score read back from the store is the
    double stored, :meth:`Store.fast_frame`; the margin costs nothing).
    """

    def differs(c: str) -> pl.Expr:
        if c == "score":
            return (pl.col(c) - pl.col(f"{c}_old")).abs().fill_null(1.0) > 1e-9
        return ~pl.col(c).eq_missing(pl.col(f"{c}_old"))

    return pl.any_horizontal([differs(c) for c in columns])


def _changed_evidence(new: pl.DataFrame, old: pl.DataFrame) -> pl.Series:
    """Account keys whose evidence rows differ in any field, or in number."""
    fields = [c for c in EVIDENCE_SCHEMA if c not in ("account_key", "rank")]
    both = new.join(old, on=["account_key", "rank"], how="full", suffix="_old", coalesce=False)
    key = pl.coalesce("account_key", "account_key_old")
    return both.filter(pl.col("account_key").is_null() | pl.col("account_key_old").is_null() | _differs(fields)).select(key)[
        "account_key"
    ].unique()


def _transitions(changed: pl.DataFrame) -> dict[str, int]:
    """``{"HOMONYM_to_CONFIRMED": 3, "CONFIRMED_to_CONFIRMED_other_person": 1, ...}`` of the changed decisions.

    Count keys, as the audit trail records them; the summary shows them as
    ``HOMONYM→CONFIRMED`` and ``CONFIRMED→CONFIRMED (別人 other person)``
    (:data:`inquiry.messages.COUNT_LABELS`).
    """
    label = pl.concat_str(
        pl.col("class_old"), pl.lit("_to_"), pl.col("class"),
        pl.when(pl.col("class_old") == pl.col("class")).then(pl.lit("_other_person")).otherwise(pl.lit("")),
    )  # fmt: skip
    counts = changed.group_by(label.alias("transition")).len().sort("transition")
    return dict(zip(counts["transition"].to_list(), counts["len"].to_list()))


def _write_changed(store: Store, again: pl.DataFrame, evidence: pl.DataFrame, previous_evidence: pl.DataFrame, at: str) -> pl.DataFrame:
    """Write the re-linked accounts (``again``: new result beside the ``_old`` one) whose link or evidence changed.

    ``again`` has the new ``evidence_rank`` (:func:`_with_evidence_rank`);
    ``evidence`` and ``previous_evidence`` are whole evidence lists, as the
    view ``match_evidence`` shows them. Returns the rows written, with
    ``_decision`` (class, person or candidates changed: ``matched_at`` moves).
    """
    moved_evidence = _changed_evidence(evidence.join(again.select("account_key"), on="account_key", how="semi"), previous_evidence)
    changed = again.with_columns(
        _decision=_differs(_DECISION_COLUMNS),
        _changed=_differs(_LINK_COLUMNS) | pl.col("account_key").is_in(moved_evidence.implode()),
    ).filter(pl.col("_changed"))
    store.conn.executemany(
        f"UPDATE matches SET {', '.join(f'{c} = ?' for c in _LINK_COLUMNS)}, evidence_rank = ?, "
        "matched_at = CASE WHEN ? THEN ? ELSE matched_at END "
        # never a final link (already left out when read; a probe per row, not the set again)
        "WHERE account_key = ? AND decision IS NULL "
        "AND NOT EXISTS (SELECT 1 FROM followups f WHERE f.account_key = matches.account_key)",
        changed.select(*_LINK_COLUMNS, "evidence_rank", pl.col("_decision").cast(pl.Int8), pl.lit(at), "account_key").iter_rows(),
    )
    keys = changed.select("account_key")
    # one statement for any number of accounts (the keys as one JSON array)
    store.conn.execute("DELETE FROM match_evidence_rest WHERE account_key IN (SELECT value FROM json_each(?))", (json.dumps(keys["account_key"].to_list()),))
    store.insert("match_evidence_rest", _evidence_rest(evidence.join(keys, on="account_key", how="semi"), changed))
    return changed


#: the most distinct accounts linked at once (:func:`_linked_in_parts`): a year's first match (about 300,000,
#: read in two halves) links in two parts; a part costs link() about 0.1 s more, nothing at 2 of 150,000 (docs/performance.md)
LINK_PART_ACCOUNTS = 200_000


def _nothing_linked(store: Store) -> bool:
    """No account was ever linked and none is followed up: the store's first match (of a year, after a purge).

    Then every found answer is of an account never linked, whatever the
    inputs' state says (:data:`_NEW_ACCOUNTS_READ` gives the rows
    :data:`_ACCOUNTS_READ` would), and there is no link or evidence to read.
    """
    return store.scalar("SELECT NOT EXISTS (SELECT 1 FROM matches) AND NOT EXISTS (SELECT 1 FROM followups)") == 1


def _account_parts(accounts: pl.DataFrame, size: int) -> list[pl.DataFrame]:
    """``accounts`` cut into consecutive runs of at most ``size`` distinct accounts (by first row), each in the rows' order.

    As few runs as that allows, of equal numbers of accounts. Every row of an account goes to the part of its first row, so a part
    links each of its accounts from the row :func:`matching.link` would
    take; the parts' results, concatenated, are in the order of one link.
    """
    first = accounts.select("account_key").unique(keep="first", maintain_order=True).with_row_index("_part")
    if first.height <= size:
        return [accounts]
    each = -(-first.height // -(-first.height // size))  # ceil(n / number of parts)
    parted = accounts.join(first.with_columns(pl.col("_part") // each), on="account_key", how="left", maintain_order="left")
    return [part.drop("_part") for part in parted.partition_by("_part", maintain_order=True)]


def _first_reads(store: Store) -> dict[str, FastQuery]:
    """:data:`_NEW_ACCOUNTS_READ` as two reads of the answers' stored halves (:meth:`Store.in_parts` by rowid), for :meth:`Store.fast_frames`.

    The store's first match reads every found answer: two child processes
    read side by side, and the first half can be linked while the second
    is still read (:func:`_linked_in_parts`).
    """
    halves = store.in_parts(_NEW_ACCOUNTS_READ, "answer_row", "answers", parts=2, table_key="rowid")
    return dict(zip(("accounts", "accounts_after"), halves, strict=False))


def _linked_in_parts(pieces: Iterable[pl.DataFrame], persons: pl.DataFrame, normalised: tuple[pl.DataFrame, ...]) -> Iterator[pl.DataFrame]:
    """:func:`matching.link` of the answer rows in ``pieces``, part by part: the next part links while the caller stores this one.

    ``pieces``: consecutive runs of the rows in stored order (taken one at a
    time, as they are read). An account is linked in the part of its first
    row (its later rows, in a later piece, are left out there: link() takes
    an account's first row), and each piece is cut into parts of
    :data:`LINK_PART_ACCOUNTS` accounts (:func:`_account_parts`). link()
    decides each account from its own first row and the persons (what
    ``_only_new_accounts`` rests on too), so the parts give the rows of one
    link, in its order. The link runs in a worker thread (polars works
    outside the GIL; the store's connection stays in the caller's thread),
    and the persons are normalised once (``normalised``).
    """

    def parts() -> Iterator[pl.DataFrame]:
        seen = pl.Series("account_key", [], dtype=pl.Utf8)
        for piece in pieces:
            new = piece.filter(~pl.col("account_key").is_in(seen.implode())) if seen.len() else piece
            seen = pl.concat([seen, new.get_column("account_key").unique()])
            yield from (part for part in _account_parts(new, LINK_PART_ACCOUNTS) if part.height)

    with ThreadPoolExecutor(max_workers=1) as pool:
        pending: Future[pl.DataFrame] | None = None
        for part in parts():
            started = pool.submit(link, part, persons, normalised_persons=normalised)
            if pending is not None:
                yield pending.result()
            pending = started
        if pending is not None:
            yield pending.result()


def match() -> StepBody:
    def body(ctx: Context) -> StepResult:
        result = StepResult(title=text("match_title"))
        store = ctx.store
        # the store's first match: its one read (every found answer) starts now, beside the persons' read
        first = _nothing_linked(store)
        early = store.fast_frames(_first_reads(store)) if first else {}
        persons = persons_frame(store)
        state, previous_state = _inputs_state(store, persons), store.get_meta(_INPUTS_KEY)
        relink = previous_state != state
        only_new = relink and (first or _only_new_accounts(store, previous_state, state))
        at = ctx.now.isoformat(timespec="seconds")
        transitions: dict[str, int] = {}
        by_class: dict[str, int] = {}
        new_records = relinked = updated = decided_anew = 0
        # nothing new (same persons, same answers): no account can be new, none can change; new answers only
        # (same persons): only the accounts never linked (_only_new_accounts); else the accounts and what a
        # re-link may replace are read side by side (nothing is written before)
        queries = {"accounts": _NEW_ACCOUNTS_READ} if only_new else {"accounts": _ACCOUNTS_READ, "links": _LINKS_READ, "evidence": _EVIDENCE_READ}
        reads = (early or store.fast_frames(queries)) if relink else {}
        # while the answers are read: the persons as link() weighs them (once for all parts)
        normalised = normalise_persons(persons) if relink else ()
        # the rows in stored order, taken piece by piece as each read ends (the first match: two halves)
        rows: list[pl.DataFrame] = []

        def pieces() -> Iterator[pl.DataFrame]:
            for name, read in reads.items():
                if name.startswith("accounts"):
                    rows.append(_in_answer_order(read.result()))
                    yield rows[-1]

        if relink:
            if only_new:
                previous, previous_evidence = pl.DataFrame(schema=_LINKS_READ.schema), pl.DataFrame(schema=EVIDENCE_SCHEMA)
            else:
                previous, previous_evidence = reads["links"].result(), reads["evidence"].result()
            was_linked = pl.col("account_key").is_in(previous["account_key"].implode())
            fresh_parts, again_parts, evidence_parts = [], [], []
            # each part stored (new accounts) while the next one links; re-linked ones compared at the end.
            # Only new accounts read (only_new): each one linked is new, its rows are all of the rows read
            for linked in _linked_in_parts(pieces(), persons, normalised):
                evidence = _evidence_rows(linked)
                linked = _with_evidence_rank(linked, evidence)
                fresh = linked if only_new else linked.filter(~was_linked)
                store.insert("matches", fresh.select("account_key", *_LINK_COLUMNS, "evidence_rank", pl.lit(at).alias("matched_at")))
                fresh_evidence = evidence if only_new else evidence.join(fresh.select("account_key"), on="account_key", how="semi")
                store.insert("match_evidence_rest", _evidence_rest(fresh_evidence, fresh))
                fresh_parts.append(fresh.select("account_key", "class"))
                if not only_new:
                    again_parts.append(linked.filter(was_linked).drop(EVIDENCE_COLUMN))
                    evidence_parts.append(evidence.join(again_parts[-1].select("account_key"), on="account_key", how="semi"))
            if fresh_parts:  # any account to link
                fresh = pl.concat(fresh_parts)
                counts = fresh["class"].value_counts()
                by_class = dict(zip(counts["class"], counts["count"]))
                if only_new:
                    new_records = sum(r.height for r in rows)
                else:
                    new_records = pl.concat(rows).join(fresh.select("account_key"), on="account_key", how="semi").height
            if again_parts:
                again = pl.concat(again_parts).join(previous, on="account_key", suffix="_old")
                changed = _write_changed(store, again, pl.concat(evidence_parts), previous_evidence, at)
                moved = changed.filter(_differs(("class", "person_id")))
                transitions = _transitions(moved)
                relinked, decided_anew, updated = again.height, moved.height, changed.height - moved.height
        store.set_meta(_INPUTS_KEY, state)
        result.counts = {"account_records": new_records, "accounts_linked": sum(by_class.values())}
        result.counts.update({c: int(by_class.get(c, 0)) for c in CLASSES})
        result.counts.update(
            {"accounts_relinked": relinked, "decisions_changed": decided_anew, "links_updated_same_decision": updated}
        )
        result.counts.update(transitions)
        if not relink:
            result.notes.append(text("match_nothing_new"))
        return result

    return body
