"""``inquiry ingest``: answer files of both services into the store.

Files are recognised by content. A file already ingested (same SHA-256) is
skipped and said so. A file rejected whole — unreadable, truncated, count or
balance mismatch, another office's (DAIS 照会機関コード), a service or kind
this workspace never asked, or one whose rows the store refuses — is moved
after the commit to ``inbox/rejected/`` with ``<name>.reason.txt`` beside it
and its reason in the rejects file, and nothing of it is stored. Row by
row, an answer whose 照会番号 the workspace never sent, or sent through the
other service, that names another person, that answers an inquiry already
answered (never recorded twice: the reason names the earlier file and
line), repeats an earlier row of the file, comes from an institution the
inquiry did not go to, or says 該当あり without a whole account key is a
rejected row. After the commit each ingested file is deleted from
``inbox/`` (送受信後直ちに削除). For every file: rows read = rows recorded
+ rows rejected, checked. docs/decisions.md says why.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import polars as pl

import formats
from formats import rejects_frame
from formats.errors import FileRejected
from formats.limits import SERVICE_FILE, read_limited
from formats.yucho import account_key
from inquiry.messages import column_text, text
from inquiry.runtime.step import Context, StepResult
from inquiry.runtime.store import BoundInsert, Store, bind_insert, quoted
from inquiry.steps import history

__all__ = ["REASON_SUFFIX", "UNABLE", "ingest"]

UNABLE = text("history_unable")

#: beside each file moved to ``inbox/rejected/``: why it was rejected
REASON_SUFFIX = ".reason.txt"

_ANSWER_COLUMNS = [
    "inquiry_id", "answer", "detail_no", "account_key", "bank_code", "bank_name", "branch_code", "branch_name",
    "account_type", "account_number", "passbook_symbol", "passbook_number", "holder_kana", "holder_birth_date",
    "holder_address", "balance_yen", "balance_date", "opened_on", "last_activity", "account_status", "unable_reason",
]  # fmt: skip


def _free_name(folder: Path, name: str) -> Path:
    """``folder/name``, or ``name-2``, ``name-3``... when taken: a rejected file never overwrites another."""
    target = folder / name
    n = 1
    while target.exists() or target.with_name(target.name + REASON_SUFFIX).exists():
        n += 1
        stem, dot, ext = name.rpartition(".")
        target = folder / (f"{stem}-{n}.{ext}" if dot and stem else f"{name}-{n}")
    return target


def _move_rejected(path: Path, inbox: Path, reason: str, notes: list[str]) -> None:
    """Move a file rejected whole to ``inbox/rejected/``, its reason in ``<name>.reason.txt`` beside it.

    Run after the commit, so that the next night does not read it again; the
    reason is also in the rejects file. A move that fails is said, never raised:
    the commit is done.
    """
    folder = inbox / "rejected"
    try:
        folder.mkdir(exist_ok=True, mode=0o700)
        target = _free_name(folder, path.name)
        path.replace(target)
        reason_file = target.with_name(target.name + REASON_SUFFIX)
        reason_file.write_text(f"{path.name}: {reason}\n", encoding="utf-8")
        reason_file.chmod(0o600)
    except OSError as exc:
        notes.append(f"[red]{text('cannot_move_rejected', file=path.name, error=exc.strerror or exc)}[/red]")


class _Unstorable(Exception):
    """A file whose rows could not be recorded: rolled back alone and rejected whole."""


# only the ids of the file at hand are looked up (a year holds about a million inquiries), {which}: how
# (_sent_where); _rid: the rowid
# the ingest keeps tonight's answers by and marks the inquiries by (_Answered);
# _earlier: the file and line of the answer already recorded, if any (purged answers leave only the date);
# looked up only for an inquiry answered on an earlier night (answered_on set) — what earlier files of this
# ingest answered is kept by the ingest itself (_Answered.earlier), so the first night of a year's inquiries
# does not search the answers once per row
_SENT_BASIC = """SELECT inquiry_id, rowid AS _rid, bank_code AS _sent_bank, provider AS _sent_provider, person_id AS _sent_person,
                        answered_on AS _answered_on,
                        CASE WHEN answered_on IS NOT NULL THEN
                        (SELECT r.file_name || ':' || a.line FROM answers a JOIN response_files r ON r.file_id = a.file_id
                         WHERE a.inquiry_id = i.inquiry_id ORDER BY a.line LIMIT 1) END AS _earlier
                 FROM inquiries i WHERE inquiry_id {which}"""
_SENT_HISTORY = """SELECT followup_id AS inquiry_id, rowid AS _rid, substr(account_key, 1, 4) AS _sent_bank, provider AS _sent_provider,
                          person_id AS _sent_person, answered_on AS _answered_on,
                          CASE WHEN answered_on IS NOT NULL THEN
                          (SELECT r.file_name || ':' || t.line FROM transactions t JOIN response_files r ON r.file_id = t.file_id
                           WHERE t.followup_id = f.followup_id ORDER BY t.line LIMIT 1) END AS _earlier
                   FROM followups f WHERE followup_id {which}"""
_SENT_SCHEMA = {
    "inquiry_id": pl.Utf8, "_rid": pl.Int64,
    **{n: pl.Utf8 for n in ("_sent_bank", "_sent_provider", "_sent_person", "_answered_on", "_earlier")},
}  # fmt: skip
#: free text among them (a file name as the office saved it), quoted by Store.fast_frame
_SENT_TEXT = ("_earlier",)
#: the table and key each look-up reads, for :func:`_sent_where`
_SENT_KEYS = {_SENT_BASIC: ("inquiries", "inquiry_id"), _SENT_HISTORY: ("followups", "followup_id")}


def _sent_where(store: Store, sent_sql: str, ids: pl.Series) -> str:
    """How the sent look-up picks the file's ids (``ids``: sorted, distinct): their key range, or the ids one by one.

    An answer file answers a request file, whose inquiries were inserted
    together: its ids are then all the keys between its smallest and its
    largest (at M, every one of the 95 files). Walking that range along the
    key is a third cheaper for SQLite than seeking each id from a JSON list
    (at M: 0.9 s against 1.4 s); counting the keys in it first costs little
    (an index walk, 35 ms for the 95 files). Where other keys lie in the
    range (a file answering part of a request file, or several), the range
    is taken only while they are few — what it returns beyond the file's ids
    matches no row and is left by the join — else the ids are looked up one
    by one as before.
    """
    table, key = _SENT_KEYS[sent_sql]
    lo, hi = ids[0], ids[-1]
    in_range = int(store.scalar(f"SELECT count(*) FROM {table} WHERE {key} BETWEEN ? AND ?", (lo, hi)))
    if in_range <= ids.len() + ids.len() // 4:
        return f"BETWEEN {quoted(lo)} AND {quoted(hi)}"
    return f"IN (SELECT value FROM json_each({quoted(json.dumps(ids.to_list()))}))"

#: what a 該当あり answer must carry to name its account (the account key of README.md)
_KEY_PARTS = {"bank_code": "金融機関コード", "branch_code": "支店コード", "account_type": "預金種目", "account_number": "口座番号"}


def _text(e: pl.Expr) -> pl.Expr:
    """A value as it goes into a reason: never null, so that a blank field cannot make the reason null."""
    return e.cast(pl.Utf8).fill_null(text("blank_value"))


def _check_rows(ctx: Context, parsed: formats.ParsedFile, sent_sql: str, answered: _Answered | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split rows into (recordable, rejected); every check null-safe, the first failing one named.

    Rejected: an id the workspace never sent, or sent through the other
    service; a 宛名番号 echo (pipitLINQ) that is not the inquiry's person; an
    inquiry already answered by an earlier file (never doubled: the reason
    names that file and line); a row repeating an earlier row of this file
    (same 照会番号 and 明細番号); an answer from an institution the inquiry did
    not go to; a 該当あり basic answer without a whole account key. What
    earlier files of this ingest answered is in ``answered`` (basic answers),
    not yet on the inquiries.
    """
    # in key order: SQLite then seeks along the inquiries' key instead of all over it (at M: 40 % less SQL)
    ids = parsed.rows["inquiry_id"].unique().drop_nulls().sort()
    if ids.len():
        known = ctx.store.fast_frame(sent_sql.format(which=_sent_where(ctx.store, sent_sql, ids)), _SENT_SCHEMA, text=_SENT_TEXT)
    else:  # no id at all (every 照会番号 blank): nothing to look up
        known = pl.DataFrame(schema=_SENT_SCHEMA)
    rows = parsed.rows.join(known, on="inquiry_id", how="left")
    if answered is not None:
        tonight = answered.earlier(rows["_rid"])
        rows = rows.with_columns(
            _answered_on=pl.coalesce("_answered_on", pl.when(tonight.is_not_null()).then(pl.lit(ctx.today.isoformat()))),
            _earlier=pl.coalesce("_earlier", tonight),
        )
    iid, found = _text(pl.col("inquiry_id")), (pl.col("answer") == "found").fill_null(False)
    first_line = pl.col("line").min().over("inquiry_id", "detail_no")
    checks: list[tuple[pl.Expr, pl.Expr]] = [
        (pl.col("_sent_bank").is_null(), column_text("unknown_inquiry", inquiry_id=iid)),
        (pl.col("_sent_provider") != parsed.provider, column_text("other_service", inquiry_id=iid, service=pl.col("_sent_provider"))),
        (
            pl.col("person_id").is_not_null() & (pl.col("person_id") != pl.col("_sent_person")),
            column_text("other_person", person_id=pl.col("person_id"), inquiry_id=iid),
        ),
        (
            pl.col("_answered_on").is_not_null() | pl.col("_earlier").is_not_null(),
            column_text("already_answered", inquiry_id=iid, earlier=_text(pl.col("_earlier")), answered_on=_text(pl.col("_answered_on"))),
        ),
        (pl.col("line") != first_line, column_text("repeated_line", line=first_line)),
        (found & pl.col("bank_code").is_null(), column_text("found_bank_blank")),
        (
            pl.col("bank_code").is_not_null() & (pl.col("bank_code") != pl.col("_sent_bank")),
            column_text("other_institution", sent_bank=pl.col("_sent_bank"), bank=pl.col("bank_code")),
        ),
    ]
    if parsed.kind == "basic":
        missing = [pl.when(pl.col(c).is_null() | (pl.col(c) == 0 if c == "account_type" else pl.lit(False))).then(pl.lit(label)) for c, label in _KEY_PARTS.items()]
        checks.append(
            (
                found & pl.any_horizontal(m.is_not_null() for m in missing),
                column_text("incomplete_key", missing=pl.concat_str(missing, separator="・", ignore_nulls=True)),
            )
        )
    if "person_id" not in rows.columns:
        rows = rows.with_columns(person_id=pl.lit(None, pl.Utf8))
    reason: Any = pl.lit(None, pl.Utf8)
    for condition, said in reversed(checks):
        reason = pl.when(condition.fill_null(False)).then(said).otherwise(reason)
    rows = rows.with_columns(_reason=reason)
    bad = rows.filter(pl.col("_reason").is_not_null())
    good = rows.filter(pl.col("_reason").is_null()).drop("_reason", *[c for c in _SENT_SCHEMA if c not in ("inquiry_id", "_rid")])
    return good, rejects_frame(parsed.path, bad["line"], bad["_reason"])


# one statement per ingest and dense run of rowids (:meth:`_Answered.mark`, :func:`_runs`): an inquiry is answered by its first answer file; 'found'
# wins over none/unable, else the answer of the file's first line for the inquiry — worked out in polars from
# the rows in hand. What each inquiry got is one byte of a BLOB, at its rowid's place in the run answered
# (0: not answered tonight; k: the k-th of the answer words, {answer} is a CASE over them): one walk along the
# run of the table by rowid, no JSON to parse, no text key looked up, no answer read back from the store
_ANSWERED = """
UPDATE inquiries SET answered_on = COALESCE(inquiries.answered_on, :today),
                     answer = CASE WHEN inquiries.answer = 'found' THEN inquiries.answer ELSE {answer} END
WHERE rowid BETWEEN :lo AND :hi AND substr(:codes, rowid - :lo + 1, 1) <> X'00'
"""


# the follow-ups a history file answered, from one JSON text of (id, found rows, all 照会不能);
# 照会不能: nothing to summarise, and say so rather than "no transactions"
_HISTORY_ANSWERED = """
UPDATE followups SET status = 'ANSWERED', answered_on = COALESCE(followups.answered_on, :today),
                     transactions = COALESCE(followups.transactions, 0) + s.n,
                     regular_income = CASE WHEN s.unable AND COALESCE(followups.transactions, 0) + s.n = 0
                                           THEN :unable ELSE followups.regular_income END,
                     summarised_tx = CASE WHEN s.unable AND COALESCE(followups.transactions, 0) + s.n = 0
                                          THEN 0 ELSE followups.summarised_tx END
FROM (SELECT value ->> 'inquiry_id' AS followup_id, value ->> 'n' AS n, value ->> 'unable' AS unable FROM json_each(:counts)) AS s
WHERE followups.followup_id = s.followup_id
"""


class _Answered:
    """The basic inquiries this ingest has answered so far; marked on the inquiries once, at its end.

    An inquiry is answered by the first file that answers it: a later row
    for it — of an earlier night (``inquiries.answered_on``) or of an
    earlier file tonight (kept here) — is rejected, naming that file and
    line. Tonight's are kept by the inquiry's rowid (from the sent look-up)
    in two arrays, looked up a whole file at a time; :meth:`mark` then
    writes them with one ``UPDATE`` per dense run of rowids, a walk along the table
    (at M: under 1 s of CPU, where an ``UPDATE`` per file — each seeking its
    inquiries across the table — took 2.3 s). A file rolled back is never
    added (:func:`_record` hands a file's rows over only once its savepoint
    is released).
    """

    def __init__(self, store: Store) -> None:
        size = int(store.scalar("SELECT COALESCE(max(rowid), 0) FROM inquiries")) + 1
        self._file = np.full(size, -1, dtype=np.int32)  # the index in _names of the file that answered it tonight
        self._line = np.zeros(size, dtype=np.int32)  # the first line of it there (a file of 2³¹ lines is far past the size limit)
        self._names: list[str] = []
        self._pairs: list[pl.DataFrame] = []  # _rid, answer: what mark() writes

    def earlier(self, rid: pl.Series) -> pl.Series:
        """``file:line`` of tonight's answer of each inquiry rowid in ``rid``; null where none tonight, or no rowid."""
        outside = rid.is_null() | (rid < 0) | (rid >= len(self._file))  # no inquiry of the store as the ingest began
        at = rid.fill_null(0).clip(0, len(self._file) - 1).to_numpy()
        tonight = pl.Series(self._file[at]).set(outside, -1)
        if not bool((tonight >= 0).any()):  # the usual file: nothing of it answered earlier tonight
            return pl.repeat(None, rid.len(), dtype=pl.Utf8, eager=True)
        name = tonight.replace_strict(list(range(len(self._names))), self._names, default=None, return_dtype=pl.Utf8)
        return pl.select(pl.format("{}:{}", name, pl.Series(self._line[at]))).to_series()

    def add(self, name: str, rows: pl.DataFrame) -> None:
        """Keep what a file answered: its recorded rows (``_rid``, ``line``, ``answer``)."""
        if rows.height == 0:
            return
        per = rows.group_by("_rid").agg(
            pl.col("line").min(),
            pl.when((pl.col("answer") == "found").any()).then(pl.lit("found")).otherwise(pl.col("answer").sort_by("line").first()).alias("answer"),
        )
        rid = per["_rid"].to_numpy()
        self._file[rid] = len(self._names)
        self._line[rid] = per["line"].to_numpy()
        self._names.append(name)
        self._pairs.append(per.select("_rid", "answer"))

    def mark(self, store: Store, today: str) -> None:
        """Mark every inquiry answered tonight: one statement (:data:`_ANSWERED`) per dense run of rowids (:func:`_runs`)."""
        if not self._pairs:
            return
        pairs = pl.concat(self._pairs)
        words = pairs["answer"].unique().sort().to_list()  # the codecs' words (found, none, unable): a few
        if len(words) > 255:
            raise ValueError(f"{len(words)} different answers: more than one byte can tell")
        order = pairs["_rid"].arg_sort()
        rid = pairs["_rid"].gather(order).to_numpy()
        code = pairs["answer"].gather(order).replace_strict(words, list(range(1, len(words) + 1)), return_dtype=pl.UInt8).to_numpy()
        at = "substr(:codes, rowid - :lo + 1, 1)"
        # the simple CASE reads the byte once (a CASE of WHEN … = … read it once per word tried: at M 0.1 s more)
        answer = f"CASE {at} " + " ".join(f"WHEN X'{k:02X}' THEN {quoted(w)}" for k, w in enumerate(words, 1)) + " END"
        sql = _ANSWERED.format(answer=answer)
        for first, last in _runs(rid, _GAP):
            lo, hi = int(rid[first]), int(rid[last - 1])
            codes = np.zeros(hi - lo + 1, dtype=np.uint8)
            codes[rid[first:last] - lo] = code[first:last]
            store.conn.execute(sql, {"today": today, "lo": lo, "hi": hi, "codes": codes.tobytes()})


#: unanswered inquiries in a row (by rowid) that cut :meth:`_Answered.mark`'s walk in two: a row walked and left
#: costs SQLite a fraction of a microsecond, a statement of its own some tens of microseconds, so a gap this long
#: costs about as much to walk as to skip; and a table of n rows never takes more than n / this many statements
_GAP = 4096


def _runs(rid: np.ndarray, gap: int) -> list[tuple[int, int]]:
    """``(first, last)`` index ranges of the sorted rowids ``rid`` with no more than ``gap`` rowids missing inside one.

    An old inquiry answered beside tonight's new ones would otherwise make
    the one ``UPDATE`` walk everything between them (at L, most of ~17 M
    inquiries); cut at the large gaps, each run is walked alone.
    """
    cuts = (np.flatnonzero(np.diff(rid) > gap + 1) + 1).tolist()
    return list(zip([0, *cuts], [*cuts, len(rid)], strict=True))


def _answer_inserts(rows: pl.DataFrame, file_id: int, today: str) -> tuple[BoundInsert, BoundInsert]:
    """The inserts of a basic answer file's recordable ``rows`` into ``answers``: its found rows, then the others.

    ``file_id``: the file's ``response_files.file_id`` (:func:`_next_file_id`).
    Each in line order: a none/unable row is null in most columns, which then
    go in as NULL in the SQL rather than bound row by row (Store.insert).
    What reads the answers' stored order reads found rows only
    (first_answers, latest_answers, match), whose order is the same.
    """
    stored = rows.select(
        pl.lit(file_id, pl.Int64).alias("file_id"), "line", *[c for c in _ANSWER_COLUMNS if c != "account_key"], pl.lit(today).alias("answered_on"),
        account_key=pl.when(pl.col("answer") == "found")
        .then(account_key(pl.col("bank_code"), pl.col("branch_code"), pl.col("account_type"), pl.col("account_number")))
        .otherwise(None),
    ).select("file_id", "line", *_ANSWER_COLUMNS, "answered_on")  # fmt: skip
    found = (pl.col("answer") == "found").fill_null(False)  # a blank answer goes with the others: the store refuses it
    return bind_insert("answers", stored.filter(found)), bind_insert("answers", stored.filter(~found))


def _record_basic(
    ctx: Context, parsed: formats.ParsedFile, file_id: int, answered: _Answered, ready: tuple[BoundInsert, BoundInsert] | None
) -> tuple[int, pl.DataFrame, pl.DataFrame]:
    """Store a basic answer file's rows; (rows recorded, rejects, the rows for :meth:`_Answered.add`).

    ``ready``: the inserts of every row of the file, made by the reader
    thread (:func:`_load`) with this ``file_id``; taken when every row passed
    the checks, in the same order (the usual file), else the recordable
    rows' are made here.
    """
    rows, rejects = _check_rows(ctx, parsed, _SENT_BASIC, answered)
    if ready is None or not rows["line"].equals(parsed.rows["line"]):
        ready = _answer_inserts(rows, file_id, ctx.today.isoformat())
    recorded = ctx.store.insert_bound(ready[0]) + ctx.store.insert_bound(ready[1])
    return recorded, rejects, rows.select("_rid", "line", "answer")  # recorded: what went in, counted by _record


def _record_history(ctx: Context, parsed: formats.ParsedFile, file_id: int) -> tuple[int, pl.DataFrame, pl.DataFrame]:
    """Store a history answer file's transactions; (rows recorded, rejects, the transactions for :func:`history.summarise_file`)."""
    rows, rejects = _check_rows(ctx, parsed, _SENT_HISTORY)
    today = ctx.today.isoformat()
    tx = rows.filter(pl.col("answer") == "found").select(
        pl.col("inquiry_id").alias("followup_id"), "line", "detail_no",
        "tx_date", "description", "withdrawal_yen", "deposit_yen", "balance_yen",
    )  # fmt: skip
    # narrow rows (eight values each), a night's 1.6 M at M: many rows per statement
    ctx.store.insert_rows("transactions", tx.with_columns(pl.lit(file_id, pl.Int64).alias("file_id")))
    # none/unable rows are not stored (no transaction to keep): what the follow-ups need of them comes as one JSON text
    counts = rows.group_by("inquiry_id").agg(
        (pl.col("answer") == "found").sum().alias("n"), (pl.col("answer") == "unable").all().cast(pl.Int8).alias("unable")
    )
    ctx.store.conn.execute(_HISTORY_ANSWERED, {"today": today, "unable": UNABLE, "counts": counts.write_json()})
    return rows.height, rejects, tx


def _check_header(ctx: Context, parsed: formats.ParsedFile) -> None:
    """Reject a file that is not this workspace's to take: another office's, or a service/kind never asked.

    The DAIS header names the office (照会機関コード); the pipitLINQ header row
    names no office, so its rows' 宛名番号 echo is checked row by row
    (:func:`_check_rows`). Neither layout names the request file an answer
    file answers: each row's 照会番号 is checked against what was sent instead.
    """
    ours = ctx.settings.municipality_code
    theirs = parsed.header.get("municipality_code")
    if parsed.provider == "dais" and theirs != ours:
        raise FileRejected(
            parsed.path,
            1,
            text("other_office_file", theirs=theirs or text("blank_value"), ours=ours, name=ctx.settings.municipality_name),
        )
    sent = ctx.store.scalar("SELECT 1 FROM request_files WHERE provider = ? AND kind = ? LIMIT 1", (parsed.provider, parsed.kind))
    if not sent:
        raise FileRejected(
            parsed.path,
            1,
            text("kind_never_sent", provider=parsed.provider, kind=parsed.kind),
        )


def _parse(path: Path) -> formats.ParsedFile:
    """Read and recognise an answer file; :class:`FileRejected` for any whole-file problem of the file itself.

    An unexpected error of the reader (a bug, or a file no test foresaw) is a
    whole-file rejection too — nothing has been recorded yet, and the night
    must go on; the reason names the error so that it can be reported.
    """
    try:
        return formats.read_response(path)
    except FileRejected:
        raise
    except MemoryError:
        raise
    except Exception as exc:  # see the docstring
        raise FileRejected(path, 0, text("internal_read_error", kind=type(exc).__name__, error=exc)) from exc


class _Loaded(NamedTuple):
    """What :func:`_load` made of a file: refused by the size limit, or its SHA-256 and what the reader gave.

    ``inserts``: a basic file's rows made ready for the store as if every one
    passed the checks (:func:`_answer_inserts`), or None; ``file_id``: the
    file id they name.
    """

    too_big: FileRejected | None
    sha: str
    parsed: formats.ParsedFile | BaseException | None
    inserts: tuple[BoundInsert, BoundInsert] | None = None
    file_id: int = 0


def _next_file_id(store: Store) -> int:
    """The ``response_files.file_id`` the next file recorded takes: one past the largest (a file skipped or rejected takes none).

    Ids are never reused: no command deletes a ``response_files`` row (the
    purge keeps them: they name no person), so the largest only grows.
    """
    return int(store.scalar("SELECT COALESCE(max(file_id), 0) + 1 FROM response_files"))


def _load(path: Path, today: str, file_id: int) -> _Loaded:
    """Everything of a file that needs no store: the size limit, its SHA-256, its rows (run one file ahead).

    :func:`ingest` loads the next file in a worker thread while it records
    this one: the codecs (numpy, polars) and SQLite's inserts both run
    outside Python's lock for most of their time, so a 2-core machine reads
    and writes at once. What this raises is handed back, not raised, and
    raised where the file is taken — in the same order as one file after
    the other (a file found already ingested is skipped, its parse unused).
    ``file_id``: the id the main thread will give the file if every file
    before it is recorded (:func:`_next_file_id`); the inserts name it, and
    are made again on the main thread when the file gets another.
    """
    try:  # the size limit before anything is loaded (the reader applies it again)
        data = read_limited(path, SERVICE_FILE)
    except FileRejected as exc:
        return _Loaded(exc, "", None)
    sha = hashlib.sha256(data).hexdigest()
    del data
    try:
        parsed = _parse(path)
    except BaseException as exc:  # raised by the caller, where reading it used to raise it
        return _Loaded(None, sha, exc)
    # a basic file's insert made ready here, beside the main thread: at M 1.1 s of its CPU. What fails here is
    # left to the main thread, which makes the insert again and fails where it always did (in _record's savepoint)
    try:
        inserts = _answer_inserts(parsed.rows, file_id, today) if parsed.kind == "basic" else None
    except Exception:  # see the comment
        inserts = None
    return _Loaded(None, sha, parsed, inserts, file_id)


def _record(
    ctx: Context,
    parsed: formats.ParsedFile,
    sha: str,
    file_id: int,
    answered: _Answered,
    ready: tuple[BoundInsert, BoundInsert] | None = None,
) -> tuple[int, pl.DataFrame, pl.DataFrame]:
    """Record one file's rows inside a savepoint; a file whose rows cannot be stored is undone alone.

    The rows name the file by ``file_id`` (:func:`_next_file_id`), which its
    ``response_files`` row takes with its SHA-256 at the end of the savepoint.

    Returns the rows recorded, the rejects and what the ingest keeps of the
    file once it is in (the rows for :meth:`_Answered.add`, or the
    transactions for :func:`history.summarise_file`): returned only when the
    savepoint is released, so a file undone leaves nothing behind.

    A row the store refuses (a constraint no check foresaw) or counts that do
    not add up raise :class:`_Unstorable` after the savepoint is rolled back:
    the file is then rejected whole and the others still go in. Errors of the
    store itself (disk full, I/O) are not the file's fault and fail the step.
    """
    conn = ctx.store.conn
    conn.execute("SAVEPOINT answer_file")
    try:
        if parsed.kind == "basic":
            recorded, rejects, kept = _record_basic(ctx, parsed, file_id, answered, ready)
        else:
            recorded, rejects, kept = _record_history(ctx, parsed, file_id)
        rejects = pl.concat([parsed.rejects, rejects])
        if recorded + rejects.height != parsed.rows_read:
            raise _Unstorable(text("rows_mismatch", read=parsed.rows_read, recorded=recorded, rejected=rejects.height))
        conn.execute(
            "INSERT INTO response_files (file_id, sha256, file_name, provider, kind, rows_read, rows_accepted, rows_rejected, ingested_at) "
            "VALUES (?,?,?,?,?,?,?,?,?)",
            (file_id, sha, parsed.path.name, parsed.provider, parsed.kind, parsed.rows_read, recorded, rejects.height, ctx.now.isoformat(timespec="seconds")),
        )
    except (_Unstorable, sqlite3.IntegrityError, pl.exceptions.PolarsError, ValueError) as exc:
        conn.execute("ROLLBACK TO answer_file")
        conn.execute("RELEASE answer_file")
        reason = str(exc) if isinstance(exc, _Unstorable) else text("cannot_store", kind=type(exc).__name__, error=exc)
        raise _Unstorable(reason) from exc
    conn.execute("RELEASE answer_file")
    return recorded, rejects, kept


def ingest(paths: list[Path] | None = None) -> Callable[[Context], StepResult]:
    """The step body of ``inquiry ingest`` (and of the ingest stage of ``nightly``) for ``paths`` or the inbox."""

    def body(ctx: Context) -> StepResult:
        result = StepResult(title=text("ingest_title"))
        inbox = ctx.ws.inbox
        files = list(paths or ctx.ws.inbox_files())
        kinds: list[str] = []
        c = {"files": 0, "files_skipped_already_ingested": 0, "files_rejected": 0, "rows_read": 0, "rows_recorded": 0, "rows_rejected": 0}

        def reject_whole(path: Path, line: int, reason: str) -> None:
            c["files_rejected"] += 1
            result.add_rejects(rejects_frame(path, [line], [text("file_rejected_whole", reason=reason)]))
            if path.resolve().parent == inbox.resolve():
                result.after_commit.append(lambda: _move_rejected(path, inbox, reason, result.notes))

        answered = _Answered(ctx.store)
        # tonight's history files, each summarised once stored (history.Tonight), in a thread of its own
        # while the next file is recorded (polars and SQLite work outside the GIL); one file waits at most
        summaries: list[Future[pl.DataFrame]] = []
        tx_before = int(ctx.store.scalar("SELECT COALESCE(max(rowid), 0) FROM transactions"))
        with (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-read") as reader,
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-summary") as summariser,
        ):
            today = ctx.today.isoformat()
            ahead = [reader.submit(_load, p, today, _next_file_id(ctx.store)) for p in files[:1]]
            for i, path in enumerate(files):
                loaded = ahead.pop().result()
                file_id = _next_file_id(ctx.store)  # this file's, if it is recorded
                # the next file, while this one is recorded; its inserts made with the id it takes if this one is recorded
                ahead += [reader.submit(_load, p, today, file_id + 1) for p in files[i + 1 : i + 2]]
                c["files"] += 1
                if loaded.too_big is not None:
                    reject_whole(path, loaded.too_big.line, loaded.too_big.reason)
                    continue
                sha = loaded.sha
                if ctx.store.scalar("SELECT 1 FROM response_files WHERE sha256 = ?", (sha,)):
                    c["files_skipped_already_ingested"] += 1
                    result.notes.append(text("already_ingested", file=path.name))
                    if path.resolve().parent == inbox.resolve():
                        result.after_commit.append(lambda p=path: p.unlink(missing_ok=True))
                    continue
                try:
                    if isinstance(loaded.parsed, BaseException):
                        raise loaded.parsed
                    parsed = loaded.parsed
                    assert parsed is not None
                    _check_header(ctx, parsed)
                    ready = loaded.inserts if loaded.file_id == file_id else None  # made for another id: made again
                    recorded, rejects, kept = _record(ctx, parsed, sha, file_id, answered, ready)
                except FileRejected as exc:
                    reject_whole(path, exc.line, exc.reason)
                    continue
                except _Unstorable as exc:
                    reject_whole(path, 0, str(exc))
                    continue
                if parsed.kind == "basic":
                    answered.add(path.name, kept)
                else:
                    if summaries:
                        summaries[-1].result()  # the file before summarised: one file's transactions held, not a night's
                    summaries.append(summariser.submit(history.summarise_file, kept))
                kinds.append(parsed.kind)
                result.add_rejects(rejects)
                c["rows_read"] += parsed.rows_read
                c["rows_recorded"] += recorded
                c["rows_rejected"] += rejects.height
                result.files[path.name] = sha
                if path.resolve().parent == inbox.resolve():
                    result.after_commit.append(lambda p=path: p.unlink(missing_ok=True))
        answered.mark(ctx.store, ctx.today.isoformat())
        if any(k == "history" for k in kinds):
            c["followups_summarised"] = history.summarise(ctx.store, history.Tonight(tx_before, [f.result() for f in summaries]))
        result.counts = c
        result.notes.append(text("ingest_rows", read=c["rows_read"], recorded=c["rows_recorded"], rejected=c["rows_rejected"]))
        return result

    return body
