"""``inquiry purge``: delete inquiry and response data 60 days after the answer.

protection.md: names, birth dates, addresses, accounts, balances and
transactions are kept ``settings.retention_days`` (60) days after the answer
was received, then deleted — by ``inquiry purge`` and by every ``nightly``.
What survives is anonymous counts in ``stats`` (per day, service,
institution, kind, value) and the audit trail, which never held personal
data.

One purge, in one transaction:

1. answered inquiries whose last answer is past retention, with their answer
   rows; links (``matches``) of accounts no remaining answer names, with
   the evidence kept for them (``match_evidence``);
   answered history inquiries (``followups``) past retention and unsent ones
   whose account is gone, with their ``transactions``; ``persons`` loaded
   before the cutoff that nothing references any more, and their
   ``payments``;
2. the anonymous counts of all that into ``stats``, before it goes;
3. a deletion certificate (消去記録) — when, by whom, what period, how many
   records of each kind, and a SHA-256 of the deleted records' ids — kept in
   the store and written to ``reports/purge-<timestamp>.txt`` / ``.json``
   after the commit; its hashes go into the audit entry.

After the commit the store is ``VACUUM``-ed (``secure_delete`` already zeroes
deleted cells; the vacuum leaves no free page behind), so a purged name,
account number or address cannot be found in the store file's bytes. Report,
rejects and export files in ``reports/`` (and rejected answer files in
``inbox/rejected/``, error logs in ``logs/``) older than the cutoff are
deleted too: they hold the same personal data.

A purge killed at any point leaves the store as before or after; a vacuum or
certificate file that did not happen is done by the next purge (a flag and
the certificate are kept in ``meta``).

>>> from datetime import date
>>> cutoff_for(date(2026, 11, 23), 60)
datetime.date(2026, 9, 24)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from formats.files import write_atomically
from inquiry.exports import EFFECTIVE_CLASS_SQL
from inquiry.step import Context, StepResult
from inquiry.store import Store

__all__ = ["purge", "cutoff_for", "vacuum_if_pending", "write_missing_certificates", "Deleted", "RECORD_KINDS"]

#: kinds of records a purge deletes, in the order the certificate lists them
RECORD_KINDS = ("inquiries", "answers", "matches", "followups", "transactions", "persons", "payments", "files")

_CERT_PREFIX = "purge_certificate:"
_VACUUM_FLAG = "purge:vacuum_pending"
_STATS_SCHEMA = {"day": pl.Utf8, "provider": pl.Utf8, "bank_code": pl.Utf8, "kind": pl.Utf8, "value": pl.Utf8, "count": pl.Int64}


def cutoff_for(as_of: date, retention_days: int) -> date:
    """Data answered on or before this day is due for deletion on ``as_of``."""
    return as_of - timedelta(days=retention_days)


# -- what is due -----------------------------------------------------------------
_DUE_INQUIRY = """
    i.answered_on IS NOT NULL AND i.answered_on <= :cutoff
    AND NOT EXISTS (SELECT 1 FROM answers a2 WHERE a2.inquiry_id = i.inquiry_id AND a2.answered_on > :cutoff)
"""
_TEXT = pl.Utf8


def _due_inquiries(store: Store, cutoff: str) -> pl.DataFrame:
    return store.frame(
        f"SELECT i.inquiry_id, i.person_id, i.provider, i.bank_code, i.answered_on, i.answer FROM inquiries i WHERE {_DUE_INQUIRY}",
        {"cutoff": cutoff},
        schema={c: _TEXT for c in ("inquiry_id", "person_id", "provider", "bank_code", "answered_on", "answer")},
    )


def _due_answers(store: Store, cutoff: str) -> pl.DataFrame:
    """Answer rows of due inquiries, and stray rows past retention whose inquiry is gone."""
    return store.frame(
        f"""
        SELECT a.response_sha, a.line, a.inquiry_id, a.account_key, a.answered_on FROM answers a
        WHERE a.inquiry_id IN (SELECT i.inquiry_id FROM inquiries i WHERE {_DUE_INQUIRY})
           OR (a.answered_on <= :cutoff AND a.inquiry_id NOT IN (SELECT inquiry_id FROM inquiries))
        """,
        {"cutoff": cutoff},
        schema={"response_sha": _TEXT, "line": pl.Int64, "inquiry_id": _TEXT, "account_key": _TEXT, "answered_on": _TEXT},
    )


#: an account no remaining answer row names (its answers were purged)
_ACCOUNT_GONE = "account_key NOT IN (SELECT account_key FROM answers WHERE account_key IS NOT NULL)"


def _orphan_matches(store: Store) -> pl.DataFrame:
    """Links of accounts that no remaining answer row names (run after deleting answers)."""
    return store.frame(
        f"""
        SELECT account_key, inquiry_id, substr(matched_at, 1, 10) AS matched_on, {EFFECTIVE_CLASS_SQL} AS class
        FROM matches
        WHERE {_ACCOUNT_GONE}
        """,
        schema={"account_key": _TEXT, "inquiry_id": _TEXT, "matched_on": _TEXT, "class": _TEXT},
    )


def _due_followups(store: Store, cutoff: str) -> pl.DataFrame:
    """Answered history inquiries past retention; unsent ones whose account is gone."""
    return store.frame(
        f"""
        SELECT followup_id, person_id, provider, substr(account_key, 1, 4) AS bank_code, status,
               COALESCE(answered_on, substr(created_at, 1, 10)) AS day
        FROM followups
        WHERE (status = 'ANSWERED' AND answered_on <= :cutoff)
           OR (status IN ('QUEUED', 'SKIPPED_CLEARED') AND {_ACCOUNT_GONE})
        """,
        {"cutoff": cutoff},
        schema={c: _TEXT for c in ("followup_id", "person_id", "provider", "bank_code", "status", "day")},
    )


def _orphan_transactions(store: Store) -> pl.DataFrame:
    """Transactions of history inquiries that are gone (run after deleting followups)."""
    return store.frame(
        "SELECT response_sha, line, followup_id FROM transactions WHERE followup_id NOT IN (SELECT followup_id FROM followups)",
        schema={"response_sha": _TEXT, "line": pl.Int64, "followup_id": _TEXT},
    )


def _referenced_persons(store: Store) -> pl.Series:
    """Every person id an inquiry, history inquiry or link still names (candidates included)."""
    refs = store.frame(
        """
        SELECT person_id AS id FROM inquiries
        UNION SELECT person_id FROM followups
        UNION SELECT person_id FROM matches UNION SELECT inquired_person_id FROM matches
        UNION SELECT decided_person_id FROM matches UNION SELECT candidates FROM matches
        """,
        schema={"id": _TEXT},
    )
    return refs["id"].drop_nulls().str.split(";").explode().str.strip_chars().unique()


def _unreferenced_persons(store: Store, cutoff: str) -> pl.DataFrame:
    loaded = store.frame(
        "SELECT person_id FROM persons WHERE substr(updated_at, 1, 10) <= ?", (cutoff,), schema={"person_id": _TEXT}
    )
    return loaded.filter(~pl.col("person_id").is_in(_referenced_persons(store).implode()))


def _due_payments(store: Store, removed_persons: pl.Series, cutoff: str) -> pl.DataFrame:
    """Payments of persons just deleted, and of persons not stored once past retention."""
    orphans = store.frame(
        "SELECT source_sha, line, person_id, paid_on FROM payments WHERE person_id NOT IN (SELECT person_id FROM persons)",
        schema={"source_sha": _TEXT, "line": pl.Int64, "person_id": _TEXT, "paid_on": _TEXT},
    )
    return orphans.filter(pl.col("person_id").is_in(removed_persons.implode()) | (pl.col("paid_on") <= cutoff)).drop("paid_on")


def _old_files(ctx: Context, cutoff: date) -> list[Path]:
    """Files in reports/, logs/, inbox/rejected/ last written on or before the cutoff (certificates kept)."""
    found: list[Path] = []
    for folder in (ctx.ws.reports, ctx.ws.logs, ctx.ws.inbox / "rejected"):
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if not path.is_file() or (folder == ctx.ws.reports and path.name.startswith("purge-")):
                continue
            if date.fromtimestamp(path.stat().st_mtime) <= cutoff:
                found.append(path)
    return found


# -- deleting ----------------------------------------------------------------------
def _delete(store: Store, sql: str, keys: pl.DataFrame) -> int:
    if keys.height:
        store.conn.executemany(sql, keys.iter_rows())
    return keys.height


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


def _ids_digest(ids: dict[str, pl.Series]) -> str:
    """SHA-256 of ``kind<TAB>id`` lines, sorted: proves later which records were deleted."""
    lines = sorted(f"{kind}\t{value}" for kind, series in ids.items() for value in series.cast(pl.Utf8).to_list())
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def _certificate_text(cert: dict[str, Any]) -> str:
    counts = "\n".join(f"  {k:<13} {cert['counts'][k]:>10,}" for k in RECORD_KINDS)
    period = f"{cert['period_from']} 〜 {cert['period_to']}" if cert["period_from"] else "(なし / none)"
    return (
        "消去記録 (deletion certificate)\n"
        "================================\n"
        f"団体 (municipality):        {cert['municipality']}\n"
        f"利用目的 (purpose):          {cert['purpose']}\n"
        f"実施日時 (executed at):      {cert['executed_at']}\n"
        f"実施者 (operator):           {cert['operator']}\n"
        f"基準日 (as of):              {cert['as_of']}\n"
        f"保存期間 (retention):        {cert['retention_days']} 日 (days) after the answer\n"
        f"消去対象 (answered on or before): {cert['cutoff']}\n"
        f"回答受領日の範囲 (period of the deleted answers): {period}\n"
        "消去件数 (records deleted):\n"
        f"{counts}\n"
        f"統計として残した集計行 (anonymous statistics rows written): {cert['stats_rows']:,}\n"
        f"消去レコードIDのSHA-256 (SHA-256 of the deleted records' ids): {cert['ids_sha256']}\n"
        "個人情報は上記の件数と統計集計のみを残して消去しました。\n"
        "(personal data deleted; only the counts above and anonymous statistics are kept)\n"
    )


def _certificate_files(cert: dict[str, Any]) -> dict[str, bytes]:
    name = cert["name"]
    return {
        f"{name}.txt": _certificate_text(cert).encode("utf-8"),
        f"{name}.json": (json.dumps(cert, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8"),
    }


def write_missing_certificates(store: Store, reports: Path) -> list[Path]:
    """Write every certificate the store holds whose file is missing (a purge killed after its commit)."""
    written: list[Path] = []
    for (value,) in store.conn.execute("SELECT value FROM meta WHERE key LIKE ? ORDER BY key", (_CERT_PREFIX + "%",)):
        for fname, data in _certificate_files(json.loads(value)).items():
            path = reports / fname
            if not path.exists():
                write_atomically(path, data)
                written.append(path)
    return written


def vacuum_if_pending(store: Store) -> bool:
    """``VACUUM`` the store if a committed purge asked for it; outside any transaction."""
    if store.get_meta(_VACUUM_FLAG) is None:
        return False
    store.conn.execute("PRAGMA temp_store = MEMORY")  # no copy of the store in a temp file
    store.conn.execute("VACUUM")
    with store.transaction():
        store.conn.execute("DELETE FROM meta WHERE key = ?", (_VACUUM_FLAG,))
    return True


def _unlink_all(paths: list[Path]) -> Callable[[], None]:
    def run() -> None:
        for p in paths:
            p.unlink(missing_ok=True)

    return run


@dataclass
class Deleted:
    """What one purge deleted, as the rows read just before (ids and what the statistics need)."""

    inquiries: pl.DataFrame
    answers: pl.DataFrame
    matches: pl.DataFrame
    followups: pl.DataFrame
    transactions: pl.DataFrame
    persons: pl.DataFrame
    payments: pl.DataFrame
    files: list[Path]

    def counts(self) -> dict[str, int]:
        heights = {k: getattr(self, k).height for k in RECORD_KINDS if k != "files"}
        return {**heights, "files": len(self.files)}

    def ids(self) -> dict[str, pl.Series]:
        def key(frame: pl.DataFrame, sha: str) -> pl.Series:
            return frame[sha] + ":" + frame["line"].cast(pl.Utf8)

        return {
            "inquiry": self.inquiries["inquiry_id"],
            "answer": key(self.answers, "response_sha"),
            "match": self.matches["account_key"],
            "followup": self.followups["followup_id"],
            "transaction": key(self.transactions, "response_sha"),
            "person": self.persons["person_id"],
            "payment": key(self.payments, "source_sha"),
            "file": pl.Series([p.name for p in self.files], dtype=pl.Utf8),
        }


def _delete_due(ctx: Context, cutoff_day: date) -> Deleted:
    """Delete everything past retention, in dependency order; return what went.

    Answers go with their inquiry; a link goes when no answer names its
    account any more; transactions go with their history inquiry; a person
    goes when nothing names them, and their payments with them.
    """
    store, cutoff = ctx.store, cutoff_day.isoformat()
    inquiries = _due_inquiries(store, cutoff)
    answers = _due_answers(store, cutoff)
    _delete(store, "DELETE FROM answers WHERE response_sha = ? AND line = ?", answers.select("response_sha", "line"))
    _delete(store, "DELETE FROM inquiries WHERE inquiry_id = ?", inquiries.select("inquiry_id"))
    matches = _orphan_matches(store)
    _delete(store, "DELETE FROM matches WHERE account_key = ?", matches.select("account_key"))
    _delete(store, "DELETE FROM match_evidence WHERE account_key = ?", matches.select("account_key"))  # the link's evidence goes with it
    followups = _due_followups(store, cutoff)
    _delete(store, "DELETE FROM followups WHERE followup_id = ?", followups.select("followup_id"))
    transactions = _orphan_transactions(store)
    _delete(store, "DELETE FROM transactions WHERE response_sha = ? AND line = ?", transactions.select("response_sha", "line"))
    persons = _unreferenced_persons(store, cutoff)
    _delete(store, "DELETE FROM persons WHERE person_id = ?", persons.select("person_id"))
    payments = _due_payments(store, persons["person_id"], cutoff)
    _delete(store, "DELETE FROM payments WHERE source_sha = ? AND line = ?", payments.select("source_sha", "line"))
    return Deleted(inquiries, answers, matches, followups, transactions, persons, payments, _old_files(ctx, cutoff_day))


def _anonymous_counts(d: Deleted) -> pl.DataFrame:
    """``stats`` rows for what goes: answers, classes, history inquiries and their transactions."""
    answered = d.inquiries.rename({"answered_on": "day"})
    # where each purged link was answered: the latest deleted answer of its account
    where = (
        d.answers.filter(pl.col("account_key").is_not_null())
        .join(d.inquiries.select("inquiry_id", "provider", "bank_code"), on="inquiry_id", how="left")
        .sort("answered_on")
        .group_by("account_key")
        .agg(pl.col("answered_on").last().alias("day"), pl.col("provider").last(), pl.col("bank_code").last())
    )
    linked = d.matches.join(where, on="account_key", how="left").with_columns(
        pl.col("day").fill_null(pl.col("matched_on")), pl.col("bank_code").fill_null(pl.col("account_key").str.slice(0, 4))
    )
    tx = d.followups.join(d.transactions.group_by("followup_id").len("tx"), on="followup_id", how="inner")
    return pl.concat(
        [
            _stats(answered, "answer", pl.col("answer")),
            _stats(linked, "class", pl.col("class")),
            _stats(d.followups, "followup", pl.col("status")),
            _stats(tx, "transactions", "rows", pl.col("tx")),
        ]
    )


def _add_stats(store: Store, stats: pl.DataFrame) -> None:
    store.conn.executemany(
        "INSERT INTO stats (day, provider, bank_code, kind, value, count) VALUES (?,?,?,?,?,?) "
        "ON CONFLICT (day, provider, bank_code, kind, value) DO UPDATE SET count = count + excluded.count",
        stats.iter_rows(),
    )


def _certificate(ctx: Context, d: Deleted, stats_rows: int, day: date, cutoff: date) -> dict[str, Any]:
    name = f"purge-{ctx.now:%Y%m%d-%H%M%S}"
    k = 1
    while ctx.store.get_meta(_CERT_PREFIX + name) is not None or (ctx.ws.reports / f"{name}.txt").exists():
        k += 1
        name = f"purge-{ctx.now:%Y%m%d-%H%M%S}-{k}"
    answered = d.inquiries["answered_on"]
    return {
        "name": name,
        "municipality": f"{ctx.settings.municipality_code} {ctx.settings.municipality_name}",
        "purpose": ctx.settings.purpose,
        "executed_at": ctx.now.isoformat(timespec="seconds"),
        "operator": ctx.operator,
        "as_of": day.isoformat(),
        "retention_days": ctx.settings.retention_days,
        "cutoff": cutoff.isoformat(),
        "period_from": answered.min() if answered.len() else None,
        "period_to": answered.max() if answered.len() else None,
        "counts": d.counts(),
        "stats_rows": stats_rows,
        "ids_sha256": _ids_digest(d.ids()),
    }


def purge(as_of: date | None = None):  # noqa: ANN201 - returns the step body
    """The step body for :func:`inquiry.step.run_step`: delete what is past retention."""

    def body(ctx: Context) -> StepResult:
        store = ctx.store
        day = as_of or ctx.today
        cutoff = cutoff_for(day, ctx.settings.retention_days)
        result = StepResult(title="保存期間経過データの消去 (purge)")

        deleted = _delete_due(ctx, cutoff)
        stats = _anonymous_counts(deleted)
        _add_stats(store, stats)
        counts = deleted.counts()
        result.counts = {"as_of": day.isoformat(), "cutoff": cutoff.isoformat(), **counts, "stats_rows": stats.height}  # type: ignore[dict-item]

        if any(counts.values()):
            cert = _certificate(ctx, deleted, stats.height, day, cutoff)
            store.set_meta(_CERT_PREFIX + cert["name"], json.dumps(cert, ensure_ascii=False, sort_keys=True))
            for fname, data in _certificate_files(cert).items():
                result.files[fname] = hashlib.sha256(data).hexdigest()
            result.files["deleted_record_ids"] = cert["ids_sha256"]
            result.notes.append(f"消去記録 (deletion certificate): {ctx.ws.reports / (cert['name'] + '.txt')}")
        if any(v for k, v in counts.items() if k != "files"):
            store.set_meta(_VACUUM_FLAG, ctx.now.isoformat(timespec="seconds"))

        # after the commit: certificate files, old files, vacuum
        def write_certificates() -> None:  # this one, and any a purge killed after its commit left unwritten
            write_missing_certificates(store, ctx.ws.reports)

        def vacuum() -> None:
            vacuum_if_pending(store)

        result.after_commit += [write_certificates, _unlink_all(deleted.files), vacuum]
        result.notes.append(
            f"回答受領日が {cutoff} 以前のデータが対象 (data answered on or before {cutoff}, retention {ctx.settings.retention_days} days)"
        )
        return result

    return body
