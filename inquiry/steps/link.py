"""``inquiry link``: answers + master → ``matches.csv``, without a workspace.

For one-off checks and benchmarks: the same readers, the same
:func:`matching.link` and the same ``matches.csv`` shape as the workspace
path, with nothing stored. Without the request files, ``inquired_person_id``
is known only where the answer echoes 宛名番号 (pipitLINQ).

Rejected input is reported as ``ingest`` reports it (outputs.md): an answer
row the reader refuses (an impossible 和暦 date such as 令和1年4月1日, a bad
code), a response file refused whole, and a master row without a usable
reading are counted in the summary and written to ``rejects-<timestamp>.csv``
beside ``--out``, and the exit code is 1. Answer rows read = accepted +
rejected, per file and in all.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import polars as pl

import formats
from formats import REJECT_SCHEMA, rejects_frame
from formats.errors import FileRejected
from formats.inputs import read_master
from formats.yucho import account_key
from inquiry.messages import count_label, text
from inquiry.runtime.csvout import write_csv, write_csv_parts, write_rejects
from inquiry.runtime.step import console
from inquiry.steps.exports import shape_matches
from inquiry.steps.persons import with_kana
from matching import link
from matching.link import normalise_persons
from matching.stages import STAGES, StageClock

__all__ = ["link_files", "run_link"]

_ANSWER_COLUMNS = [
    "account_key", "inquiry_id", "person_id", "holder_kana", "holder_birth_date", "holder_address",
    "bank_code", "branch_code", "account_type", "account_number", "balance_yen", "account_status", "last_activity",
]  # fmt: skip
#: what the codec decodes of a basic answer file's found rows (the account key is made of four of them)
_READ_COLUMNS = [c for c in _ANSWER_COLUMNS if c != "account_key"]
#: found answers gathered before those of accounts already kept are dropped (see :class:`_FirstAnswers`)
_BATCH_ROWS = 1_000_000
#: threads reading the answer files at once (the master is read in a process of its own: :func:`link_files`)
_READERS = min(8, max(4, (os.cpu_count() or 1) + 1))

_T = TypeVar("_T")
_R = TypeVar("_R")


def _kanji_key(e: pl.Expr) -> pl.Expr:
    return e.str.normalize("NFKC").str.replace_all(r"\s+", "")


def _inquired_persons(requests: list[Path], persons: pl.DataFrame) -> pl.DataFrame:
    """``inquiry_id → person_id`` from request files.

    pipitLINQ requests carry 宛名番号; DAIS requests do not, so their person is
    found by the 漢字氏名 and 生年月日 sent, which come from the master as they
    are. Two persons with the same kanji name and birth date stay unknown
    rather than guessed (cp932 substitutions such as 〓 also stay unknown).
    """
    rows = pl.concat(
        [formats.read_request(p).rows.select("inquiry_id", "person_id", "name_kanji", "birth_date") for p in requests]
    ).unique("inquiry_id")
    key = persons.select("person_id", _kanji_key(pl.col("name_kanji")).alias("_k"), pl.col("birth_date").alias("_d"))
    unique_key = key.filter(pl.len().over("_k", "_d") == 1).rename({"person_id": "_by_name"})
    return (
        rows.with_columns(_k=_kanji_key(pl.col("name_kanji")), _d=pl.col("birth_date"))
        .join(unique_key, on=["_k", "_d"], how="left")
        .select("inquiry_id", pl.coalesce("person_id", "_by_name").alias("_req_person"))
    )


def _read_found(path: Path) -> formats.ParsedFile:
    """A basic answer file's found rows and the columns linking needs, every row still checked
    (the codec decodes nothing else); any other answer file read whole, to be told by its kind.

    Only a basic answer's frame has the holder's columns: a history answer
    file refuses the projection (before decoding a row) and is read whole.
    """
    try:
        return formats.read_response(path, columns=_READ_COLUMNS, found_only=True, digest=False)
    except ValueError:
        return formats.read_response(path, digest=False)


def _read_answer_file(path: Path) -> tuple[str, pl.DataFrame | None, pl.DataFrame, int, int]:
    """One answer file: ``(kind, first answers, rejects, rows read, found records)``; kind ``"rejected"``
    when refused whole.

    Runs in a worker thread: the codecs spend their time in polars and numpy,
    which release the GIL. Only the columns linking and ``matches.csv`` need
    are kept, and of an account answered twice in the file only its first
    answer (see :class:`_FirstAnswers`), so the file's other rows and columns
    are freed as it is read.
    """
    try:
        parsed = _read_found(path)
    except FileRejected as exc:
        reason = text("file_rejected_whole", reason=exc.reason)
        return "rejected", None, rejects_frame(path, [exc.line], [reason]), 0, 0
    if parsed.kind != "basic":
        return parsed.kind, None, pl.DataFrame(schema=REJECT_SCHEMA), 0, 0
    assert parsed.rows_accepted + parsed.rejects.height == parsed.rows_read, "rows read must equal accepted + rejected"
    found = parsed.rows
    first = found.with_columns(
        account_key=account_key(pl.col("bank_code"), pl.col("branch_code"), pl.col("account_type"), pl.col("account_number")),
        provider=pl.lit(parsed.provider),
    ).unique("account_key", keep="first", maintain_order=True)
    rejects = parsed.rejects.select(list(REJECT_SCHEMA)).cast(REJECT_SCHEMA)
    return "basic", first, rejects, parsed.rows_read, found.height


class _FirstAnswers:
    """The first found answer of each account, gathered file by file in the order given.

    Linking and ``matches.csv`` use only an account's first answer (the
    first stored, docs/decisions.md "An account's first answer is the first
    stored, for linking too"), so a later answer of a known account is
    dropped as the files come in rather than held to the end: at L the
    11.8 M found records are 2.6 M accounts. The answers wait in a batch of
    about ``batch_rows`` rows, which is then cut to the accounts not seen
    before (one hash set of the kept keys per batch, not per file).
    """

    def __init__(self, batch_rows: int | None = None) -> None:
        self.batch_rows = _BATCH_ROWS if batch_rows is None else batch_rows
        self.kept: list[pl.DataFrame] = []
        self.keys = pl.Series("account_key", [], dtype=pl.Utf8)
        self.pending: list[pl.DataFrame] = []
        self.pending_rows = 0

    def add(self, answers: pl.DataFrame) -> None:
        """Take one file's first answers (in file order)."""
        self.pending.append(answers)
        self.pending_rows += answers.height
        if self.pending_rows >= self.batch_rows:
            self._flush()

    def _flush(self) -> None:
        if not self.pending:
            return
        batch = pl.concat(self.pending, how="diagonal_relaxed").unique("account_key", keep="first", maintain_order=True)
        self.pending, self.pending_rows = [], 0
        if self.keys.len():
            batch = batch.filter(~pl.col("account_key").is_in(self.keys.implode()))
        self.kept.append(_compact(batch))
        self.keys = pl.concat([self.keys, batch.get_column("account_key")], rechunk=True)

    def frame(self) -> pl.DataFrame:
        """Every account's first answer, in the order of first appearance."""
        self._flush()
        return pl.concat(self.kept, how="diagonal_relaxed") if self.kept else pl.DataFrame()


def _compact(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with its text copied into buffers of its own.

    A filtered or deduplicated polars string column still points into the
    buffers of every row it came from (here: each answer file as parsed,
    found or not, each later answer of a known account), which stay alive
    with it; writing the kept text anew lets them go.
    """
    return frame.with_columns(pl.concat_str([pl.col(c), pl.lit("")]).alias(c) for c, t in frame.schema.items() if t == pl.Utf8)


def _read_ahead(pool: Executor, fn: Callable[[_T], _R], items: Iterable[_T], ahead: int) -> Iterator[_R]:
    """``pool.map(fn, items)`` with at most ``ahead`` items started beyond the one being taken.

    ``Executor.map`` submits every item at once: a file read before the
    files ahead of it are gathered is held until its turn, so how much the
    read stage holds depended on timing (at L, 1,768 files).
    """
    pending: deque[Future[_R]] = deque()
    for item in items:
        pending.append(pool.submit(fn, item))
        if len(pending) > ahead:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _read_answers(responses: list[Path], pool: Executor) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, int]]:
    """The first found answer of each account in the basic answer files, their rejects, and the row counts.

    The files are read concurrently on ``pool`` and gathered in the order
    given, so accounts and rejects come out as a one-by-one read gives them. A
    file refused whole is one reject (like ``ingest``, the others are still
    read); a history file has no accounts to link and is skipped, counted.
    """
    first = _FirstAnswers()
    rejects: list[pl.DataFrame] = [pl.DataFrame(schema=REJECT_SCHEMA)]
    counts = {"answer_rows_read": 0, "answer_rows_rejected": 0, "files_rejected": 0, "files_skipped_not_basic": 0, "account_records": 0}
    for kind, found, file_rejects, rows_read, records in _read_ahead(pool, _read_answer_file, responses, 2 * _READERS):
        rejects.append(file_rejects)
        if kind == "rejected":
            counts["files_rejected"] += 1
        elif found is None:
            counts["files_skipped_not_basic"] += 1
        else:
            counts["answer_rows_read"] += rows_read
            counts["answer_rows_rejected"] += file_rejects.height
            counts["account_records"] += records
            first.add(found)
    return first.frame(), pl.concat(rejects), counts


def _persons(
    master: Path, encoding: str | None, requests: list[Path]
) -> tuple[tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame], int, pl.DataFrame, pl.DataFrame]:
    """``(normalised persons, number of persons, rejects, inquired)``: the master read, its missing kana estimated,
    normalised for linking (:func:`matching.link.normalise_persons`) and the request files' persons found.

    Runs in a process of its own beside the answer files' reads
    (:func:`link_files`); what it returns is all linking needs of the
    master, so the master's rows (readings, histories), pykakasi and the
    parse's columns end with that process.
    """
    table = read_master(master, encoding=encoding)
    persons, kana_rejects = with_kana(table.rows, master)
    rejects = pl.concat([table.rejects.select(list(REJECT_SCHEMA)).cast(REJECT_SCHEMA), kana_rejects])
    del table
    inquired = pl.DataFrame(schema={"inquiry_id": pl.Utf8, "_req_person": pl.Utf8})
    if requests:
        inquired = _inquired_persons(requests, persons)
    normalised = normalise_persons(persons.select(_PERSON_COLUMNS))
    return normalised, persons.height, rejects, inquired


#: what linking reads of the master's persons
_PERSON_COLUMNS = ["person_id", "name_kana", "kana_estimated", "kana_candidates", "other_names_kana", "birth_date", "address", "address_history"]
#: what ``matches.csv`` shows of an account's first answer (beside the link)
_FIRST_COLUMNS = [
    "account_key", "provider", "bank_code", "branch_code", pl.col("account_type").cast(pl.Int64), "account_number",
    "holder_kana", "holder_birth_date", "holder_address", "balance_yen", "account_status", "last_activity",
]  # fmt: skip
#: rows of ``matches.csv`` put together and written at once (at L: 2.6 M rows in 6 parts)
_WRITE_ROWS = 500_000


def _link_found(
    found: pl.DataFrame, normalised: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame], inquired: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``(linked, first answers)``: every account of ``found`` (one first answer each) linked, row for
    row in ``found``'s order, and the answer columns ``matches.csv`` shows."""
    if inquired.height:
        found = found.join(inquired, on="inquiry_id", how="left", maintain_order="left").with_columns(
            inquired_person_id=pl.coalesce("_req_person", "person_id")
        )
    else:  # no request files: the inquired person is what the answer echoes (pipitLINQ's 宛名番号)
        found = found.with_columns(inquired_person_id=pl.col("person_id"))
    accounts = found.select("account_key", "inquiry_id", "inquired_person_id", "holder_kana", "holder_birth_date", "holder_address")
    first = found.select(_FIRST_COLUMNS)
    del found
    # the persons are given normalised (the raw rows are gone): ``link()`` reads nothing else of them
    linked = link(accounts, pl.DataFrame(), evidence=False, normalised_persons=normalised)
    return linked, first


def _write_matches(linked: pl.DataFrame, first: pl.DataFrame, out: Path) -> dict[str, int]:
    """Write ``matches.csv`` (sorted by account key) in parts of :data:`_WRITE_ROWS` rows; return the
    accounts per class.

    Each part is :func:`shape_matches` of the same accounts' link and first
    answer, so the file is byte for byte the one shaped whole, without the
    whole shaped table (22 text columns, 2.6 M rows at L) held at once.
    """
    if linked.height <= _WRITE_ROWS:  # one part: shaped as it is (M: 300,000 accounts)
        parts: Iterable[pl.DataFrame] = [shape_matches(linked, first)]
    else:
        order = linked.get_column("account_key").arg_sort()
        # ``linked`` comes row for row in ``first``'s order (:func:`_link_found`); else sorted apart
        same_rows = linked.get_column("account_key").equals(first.get_column("account_key"))
        first_order = order if same_rows else first.get_column("account_key").arg_sort()
        parts = (
            shape_matches(linked[order.slice(i, _WRITE_ROWS)], first[first_order.slice(i, _WRITE_ROWS)])
            for i in range(0, linked.height, _WRITE_ROWS)
        )
    write_csv_parts(parts, out, schema=shape_matches(pl.DataFrame(), pl.DataFrame()).schema)
    return dict(linked.get_column("class").value_counts().sort("class").iter_rows())


def link_files(
    master: Path, responses: list[Path], requests: list[Path], out: Path, encoding: str | None = None
) -> tuple[dict[str, int], dict[str, int], pl.DataFrame]:
    """Link the found accounts of ``responses`` to ``master`` and write ``out`` (``matches.csv``);
    return (counts, accounts per class, rejects).

    ``rejects`` (``file, line, reason``) holds the master rows and answer rows
    refused, and the answer files refused whole. Nothing is written when the
    master is refused (:class:`FileRejected`).
    """
    clock = StageClock()
    # The master and the answer files are read at the same time; the master in a process of its own
    # (spawned, as Windows starts every process): only the normalised persons come back, and what making
    # them took - pykakasi's dictionaries (~110 MB), the master's rows and the parse's columns - ends
    # with that process instead of staying in this one's heap through the linking.
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as master_pool, ThreadPoolExecutor(max_workers=_READERS) as pool:
        master_read = master_pool.submit(_persons, master, encoding, requests)
        found, answer_rejects, answer_counts = _read_answers(responses, pool)
        clock("answers read")
        normalised, n_persons, master_rejects, inquired = master_read.result()
    clock("master read")
    rejects = pl.concat([master_rejects, answer_rejects])
    counts = {"persons": n_persons, "persons_rejected": master_rejects.height, **answer_counts}
    if found.height == 0:
        write_csv(shape_matches(pl.DataFrame(), pl.DataFrame()), out)
        return {**counts, "accounts": 0}, {}, rejects
    linked, first = _link_found(found, normalised, inquired)
    del found, normalised
    clock("link")
    by_class = _write_matches(linked, first, out)
    clock("write")
    return {**counts, "accounts": linked.height}, by_class, rejects


def run_link(master: Path, responses: list[Path], requests: list[Path], out: Path, encoding: str | None) -> int:
    """``inquiry link``: 0 when every input row was taken, 1 when some were rejected
    (listed in the rejects file beside ``out``), 2 when the master itself is refused or ``out`` is a folder.

    With the environment variable ``INQUIRY_STAGES`` set, each stage's wall and CPU
    seconds and memory are logged on stderr (:mod:`matching.stages`).
    """
    started, stamp = time.perf_counter(), datetime.now()
    # checked before the work, not found at its end: at L the write comes after ~80 s of reading and linking
    if out.is_dir():
        console.print(f"[red]{text('error', error=text('link_out_is_folder', out=out))}[/red]")
        return 2
    if os.environ.get("INQUIRY_STAGES"):
        _log_stages()
    try:
        counts, by_class, rejects = link_files(master, responses, requests, out, encoding)
    except FileRejected as exc:
        console.print(f"[red]{text('error', error=exc)}[/red]")
        return 2
    labelled = {count_label(key): value for key, value in counts.items()}
    console.print(text("link_done", counts=labelled, seconds=time.perf_counter() - started, out=out))
    for cls, n in by_class.items():
        console.print(f"  {cls}: {n:,}")
    rejects_path = write_rejects(rejects, out.parent, stamp)
    if rejects_path is not None:
        console.print(f"[yellow]{text('rejected_rows', count=f'{rejects.height:,}', path=rejects_path)}[/yellow]")
    return 1 if rejects.height else 0


def _log_stages() -> None:
    """Send the stage clock's lines (:data:`matching.stages.STAGES`) to stderr."""
    if not STAGES.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("stage %(message)s"))
        STAGES.addHandler(handler)
    STAGES.setLevel(logging.DEBUG)
