"""``inquiry purge`` the step: delete what is due, keep its anonymous counts, certify, then vacuum.

The deleting is :mod:`inquiry.steps.purge.due`, the certificate
:mod:`inquiry.steps.purge.certificate`; this module ties them into one
transaction and leaves the file work (certificate files, old files,
``VACUUM``) to after the commit.
"""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date, timedelta

import polars as pl

from inquiry.messages import text
from inquiry.runtime.step import Context, StepBody, StepResult
from inquiry.runtime.store import Store
from inquiry.steps.purge.certificate import CERT_PREFIX, IdDigest, certificate, certificate_files, id_lines, write_missing_certificates
from inquiry.steps.purge.due import ID_OF, delete_due, file_folders, unlink_all

__all__ = ["cutoff_for", "purge", "vacuum_if_pending"]

_VACUUM_FLAG = "purge:vacuum_pending"
#: the kinds the statistics count (:func:`_anonymous_counts`)
_COUNTED = ("inquiries", "answers", "matches", "followups", "transactions")
_STATS_SCHEMA = {"day": pl.Utf8, "provider": pl.Utf8, "bank_code": pl.Utf8, "kind": pl.Utf8, "value": pl.Utf8, "count": pl.Int64}


def cutoff_for(as_of: date, retention_days: int) -> date:
    """Data answered on or before this day is due for deletion on ``as_of``."""
    return as_of - timedelta(days=retention_days)



def _stats(frame: pl.DataFrame, kind: str, value: str | pl.Expr, weight: pl.Expr | None = None) -> pl.DataFrame:
    """Anonymous counts: one row per (day, provider, bank_code, value)."""
    v = pl.lit(value) if isinstance(value, str) else value
    return (
        frame.select(
            pl.col("day").fill_null(""),
            pl.col("provider").fill_null(""),
            pl.col("bank_code").fill_null(""),
            pl.lit(kind).alias("kind"),
            v.fill_null("").cast(pl.Utf8).alias("value"),
            (weight if weight is not None else pl.lit(1)).cast(pl.Int64).alias("n"),
        )
        .group_by("day", "provider", "bank_code", "kind", "value")
        .agg(pl.col("n").sum().alias("count"))
        .cast(_STATS_SCHEMA)
    )


def vacuum_if_pending(store: Store) -> bool:
    """``VACUUM`` the store if a committed purge asked for it; outside any transaction."""
    if store.get_meta(_VACUUM_FLAG) is None:
        return False
    store.conn.execute("PRAGMA temp_store = MEMORY")  # no copy of the store in a temp file
    store.conn.execute("VACUUM")
    with store.transaction():
        store.conn.execute("DELETE FROM meta WHERE key = ?", (_VACUUM_FLAG,))
    return True


def _anonymous_counts(d: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """``stats`` rows for what goes: answers, classes, history inquiries and their transactions.

    ``d``: the rows read of each kind (``inquiries``, ``answers``, ``matches``, ``followups``, ``transactions``).
    """
    answered = d["inquiries"].drop("answered_on")  # ``day``: when answered, or sent when closed unanswered
    # where each purged link was answered: the latest deleted answer of its account
    where = (
        d["answers"].filter(pl.col("account_key").is_not_null())
        .join(d["inquiries"].select("inquiry_id", "provider", "bank_code"), on="inquiry_id", how="left")
        .sort("answered_on")
        .group_by("account_key")
        .agg(pl.col("answered_on").last().alias("day"), pl.col("provider").last(), pl.col("bank_code").last())
    )
    linked = d["matches"].join(where, on="account_key", how="left").with_columns(
        pl.col("day").fill_null(pl.col("matched_on")), pl.col("bank_code").fill_null(pl.col("account_key").str.slice(0, 4))
    )
    tx = d["followups"].join(d["transactions"].group_by("followup_id").len("tx"), on="followup_id", how="inner")
    return pl.concat(
        [
            _stats(answered, "answer", pl.col("answer")),
            _stats(linked, "class", pl.col("class")),
            _stats(d["followups"], "followup", pl.col("status")),
            _stats(tx, "transactions", "rows", pl.col("tx")),
        ]
    )


def _add_stats(store: Store, stats: pl.DataFrame) -> None:
    store.conn.executemany(
        "INSERT INTO stats (day, provider, bank_code, kind, value, count) VALUES (?,?,?,?,?,?) "
        "ON CONFLICT (day, provider, bank_code, kind, value) DO UPDATE SET count = count + excluded.count",
        stats.iter_rows(),
    )


def purge(as_of: date | None = None) -> StepBody:
    """The step body for :func:`inquiry.runtime.step.run_step`: delete what is past retention."""

    def body(ctx: Context) -> StepResult:
        store = ctx.store
        day = as_of or ctx.today
        cutoff = cutoff_for(day, ctx.settings.retention_days)
        unanswered = cutoff_for(day, ctx.settings.unanswered_days)
        result = StepResult(title=text("purge_title"))

        # a worker makes and sorts each kind's id lines and hashes them (IdDigest), and counts what goes for the
        # statistics, as soon as the rows are read: beside SQLite's deletes (polars, hashlib and SQLite all work
        # outside Python's lock), so that little is left for after the last delete
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="purge-ids") as worker:
            digest = IdDigest(kind for kind, _ in ID_OF.values())
            done: list[Future[None]] = []
            counted: dict[str, pl.DataFrame] = {}
            counting: list[Future[pl.DataFrame]] = []

            def taken(name: str, rows: pl.DataFrame) -> None:
                kind, id_of = ID_OF[name]
                done.append(worker.submit(lambda: digest.add(kind, id_lines(kind, id_of(rows)))))
                if name in _COUNTED:
                    counted[name] = rows
                    if len(counted) == len(_COUNTED):
                        counting.append(worker.submit(_anonymous_counts, dict(counted)))

            deleted = delete_due(ctx, cutoff, unanswered, taken=taken)
            for future in done:
                future.result()
            stats = counting[0].result()
        ids_sha256 = digest.hexdigest()
        _add_stats(store, stats)
        counts = deleted.counts()
        result.counts = {  # type: ignore[assignment]
            "as_of": day.isoformat(),
            "cutoff": cutoff.isoformat(),
            "unanswered_cutoff": unanswered.isoformat(),
            **counts,
            "stats_rows": stats.height,
        }

        if any(counts.values()):
            cert = certificate(ctx, deleted, stats.height, day, cutoff, unanswered, ids_sha256)
            store.set_meta(CERT_PREFIX + cert["name"], json.dumps(cert, ensure_ascii=False, sort_keys=True))
            for fname, data in certificate_files(cert).items():
                result.files[fname] = hashlib.sha256(data).hexdigest()
            result.files["deleted_record_ids"] = cert["ids_sha256"]
            result.notes.append(text("purge_certificate_written", path=ctx.ws.reports / (cert["name"] + ".txt")))
        if any(v for k, v in counts.items() if k != "files"):
            store.set_meta(_VACUUM_FLAG, ctx.now.isoformat(timespec="seconds"))

        # after the commit: certificate files, old files, vacuum
        def write_certificates() -> None:  # this one, and any a purge killed after its commit left unwritten
            write_missing_certificates(store, ctx.ws.reports)

        def vacuum() -> None:
            vacuum_if_pending(store)

        result.after_commit += [write_certificates, unlink_all(deleted.files, [*file_folders(ctx), ctx.ws.outbox]), vacuum]
        result.notes.append(
            text(
                "purge_cutoffs", cutoff=cutoff, unanswered=unanswered, retention_days=ctx.settings.retention_days,
                unanswered_days=ctx.settings.unanswered_days,
            )
        )  # fmt: skip
        return result

    return body
