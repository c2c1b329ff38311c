"""``inquiry ingest``: answer files of both services into the store.

Files are recognised by content. A file already ingested (same SHA-256) is
skipped and said so. A file rejected whole (truncated transfer, count or
balance mismatch) is moved to ``inbox/rejected/`` with its reason in the
rejects file, and nothing of it is stored. Row by row, an answer whose
照会番号 the workspace never sent, or whose institution is not the one the
inquiry went to, is a rejected row. After the commit each ingested file is
deleted from ``inbox/`` (送受信後直ちに削除). For every file:
rows read = rows recorded + rows rejected.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import polars as pl

import formats
from formats._text import rejects_frame
from formats.errors import FileRejected
from formats.yucho import account_key
from inquiry import history
from inquiry.step import Context, StepResult

__all__ = ["ingest", "UNABLE"]

UNABLE = "照会不能 (the institution could not answer)"

_ANSWER_COLUMNS = [
    "inquiry_id", "answer", "detail_no", "account_key", "bank_code", "bank_name", "branch_code", "branch_name",
    "account_type", "account_number", "passbook_symbol", "passbook_number", "holder_kana", "holder_birth_date",
    "holder_address", "balance_yen", "balance_date", "opened_on", "last_activity", "account_status", "unable_reason",
]  # fmt: skip


def _move_rejected(path: Path, inbox: Path) -> None:
    target = inbox / "rejected"
    target.mkdir(exist_ok=True, mode=0o700)
    path.replace(target / path.name)


# only the ids of the file at hand are looked up (a year holds about a million inquiries)
_SENT_BASIC = """SELECT inquiry_id, bank_code AS _sent_bank, provider AS _sent_provider FROM inquiries
                 WHERE inquiry_id IN (SELECT value FROM json_each(?))"""
_SENT_HISTORY = """SELECT followup_id AS inquiry_id, substr(account_key, 1, 4) AS _sent_bank, provider AS _sent_provider
                   FROM followups WHERE followup_id IN (SELECT value FROM json_each(?))"""


def _check_rows(ctx: Context, parsed: formats.ParsedFile, sent_sql: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split rows into (known, rejected): unknown ids and answers from the wrong institution."""
    ids = json.dumps(parsed.rows["inquiry_id"].unique().drop_nulls().to_list())
    known = ctx.store.frame(
        sent_sql,
        (ids,),
        schema={"inquiry_id": pl.Utf8, "_sent_bank": pl.Utf8, "_sent_provider": pl.Utf8},
    )
    rows = parsed.rows.join(known, on="inquiry_id", how="left")
    reason = (
        pl.when(pl.col("_sent_bank").is_null())
        .then(pl.format("照会番号がありません (unknown inquiry id): {}", pl.col("inquiry_id")))
        .when(pl.col("_sent_provider") != parsed.provider)
        .then(pl.format("照会番号 {} は {} に送っていません (inquiry was not sent through this service)", pl.col("inquiry_id"), pl.col("_sent_provider")))
        .when(pl.col("bank_code") != pl.col("_sent_bank"))
        .then(pl.format("照会先 {} 以外の金融機関 {} からの回答です (answer from an institution the inquiry did not go to)", pl.col("_sent_bank"), pl.col("bank_code")))
    )
    rows = rows.with_columns(_reason=reason)
    bad = rows.filter(pl.col("_reason").is_not_null())
    good = rows.filter(pl.col("_reason").is_null()).drop("_reason", "_sent_bank", "_sent_provider")
    return good, rejects_frame(parsed.path, bad["line"], bad["_reason"])


def _record_basic(ctx: Context, parsed: formats.ParsedFile, sha: str) -> tuple[int, pl.DataFrame]:
    rows, rejects = _check_rows(ctx, parsed, _SENT_BASIC)
    today = ctx.today.isoformat()
    rows = rows.with_columns(
        account_key=pl.when(pl.col("answer") == "found")
        .then(account_key(pl.col("bank_code"), pl.col("branch_code"), pl.col("account_type"), pl.col("account_number")))
        .otherwise(None)
    )
    ctx.store.insert(
        "answers",
        rows.select(pl.lit(sha).alias("response_sha"), "line", *_ANSWER_COLUMNS, pl.lit(today).alias("answered_on")),
    )
    # an inquiry is answered by its first answer file; 'found' wins over none/unable
    summary = rows.group_by("inquiry_id").agg(
        pl.when((pl.col("answer") == "found").any()).then(pl.lit("found")).otherwise(pl.col("answer").first()).alias("answer")
    )
    ctx.store.conn.executemany(
        "UPDATE inquiries SET answered_on = COALESCE(answered_on, ?), answer = CASE WHEN answer = 'found' THEN answer ELSE ? END WHERE inquiry_id = ?",
        [(today, a, i) for i, a in summary.iter_rows()],
    )
    return rows.height, rejects


def _record_history(ctx: Context, parsed: formats.ParsedFile, sha: str) -> tuple[int, pl.DataFrame]:
    rows, rejects = _check_rows(ctx, parsed, _SENT_HISTORY)
    today = ctx.today.isoformat()
    tx = rows.filter(pl.col("answer") == "found")
    ctx.store.insert(
        "transactions",
        tx.select(
            pl.col("inquiry_id").alias("followup_id"), pl.lit(sha).alias("response_sha"), "line", "detail_no",
            "tx_date", "description", "withdrawal_yen", "deposit_yen", "balance_yen",
        ),  # fmt: skip
    )
    counts = rows.group_by("inquiry_id").agg(
        (pl.col("answer") == "found").sum().alias("n"), (pl.col("answer") == "unable").all().alias("unable")
    )
    ctx.store.conn.executemany(
        "UPDATE followups SET status = 'ANSWERED', answered_on = COALESCE(answered_on, ?), transactions = COALESCE(transactions, 0) + ? WHERE followup_id = ?",
        [(today, int(n), i) for i, n, _ in counts.iter_rows()],
    )
    # 照会不能: nothing to summarise, and say so rather than "no transactions"
    ctx.store.conn.executemany(
        "UPDATE followups SET regular_income = ?, summarised_tx = 0 WHERE followup_id = ? AND transactions = 0",
        [(UNABLE, i) for i, _, unable in counts.iter_rows() if unable],
    )
    return rows.height, rejects


def ingest(paths: list[Path] | None = None):  # noqa: ANN201 - returns the step body
    def body(ctx: Context) -> StepResult:
        result = StepResult(title="回答取込 (ingest)")
        inbox = ctx.ws.inbox
        files = paths or ctx.ws.inbox_files()
        kinds: list[str] = []
        c = {"files": 0, "files_skipped (already ingested)": 0, "files_rejected": 0, "rows_read": 0, "rows_recorded": 0, "rows_rejected": 0}
        for path in files:
            c["files"] += 1
            in_inbox = path.resolve().parent == inbox.resolve()
            try:
                data = path.read_bytes()
            except OSError as exc:
                result.add_rejects(rejects_frame(path, [0], [f"ファイルを読めません: {exc.strerror}"]))
                c["files_rejected"] += 1
                continue
            sha = hashlib.sha256(data).hexdigest()
            if ctx.store.scalar("SELECT 1 FROM response_files WHERE sha256 = ?", (sha,)):
                c["files_skipped (already ingested)"] += 1
                result.notes.append(f"取込済みのためスキップ (already ingested): {path.name}")
                if in_inbox:
                    result.after_commit.append(path.unlink)
                continue
            try:
                parsed = formats.read_response(path)
            except FileRejected as exc:
                c["files_rejected"] += 1
                result.add_rejects(rejects_frame(path, [exc.line], [f"ファイル全体を不採用 (file rejected whole): {exc.reason}"]))
                if in_inbox:
                    result.after_commit.append(lambda p=path: _move_rejected(p, inbox))
                continue
            kinds.append(parsed.kind)
            recorded, rejects = (_record_basic if parsed.kind == "basic" else _record_history)(ctx, parsed, sha)
            rejects = pl.concat([parsed.rejects, rejects])
            result.add_rejects(rejects)
            assert recorded + rejects.height == parsed.rows_read, "rows read must equal recorded + rejected"
            c["rows_read"] += parsed.rows_read
            c["rows_recorded"] += recorded
            c["rows_rejected"] += rejects.height
            ctx.store.conn.execute(
                "INSERT INTO response_files (sha256, file_name, provider, kind, rows_read, rows_accepted, rows_rejected, ingested_at) VALUES (?,?,?,?,?,?,?,?)",
                (sha, path.name, parsed.provider, parsed.kind, parsed.rows_read, recorded, rejects.height, ctx.now.isoformat(timespec="seconds")),
            )
            result.files[path.name] = sha
            if in_inbox:
                result.after_commit.append(path.unlink)
        if any(k == "history" for k in kinds):
            c["followups_summarised"] = history.summarise(ctx.store)
        result.counts = c
        result.notes.append(f"行数 (rows): read {c['rows_read']:,} = recorded {c['rows_recorded']:,} + rejected {c['rows_rejected']:,}")
        return result

    return body
