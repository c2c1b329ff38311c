"""The deletion certificate (消去記録): what a purge deleted, when, by whom, and a digest of the deleted records' ids.

Kept in the store (``meta``) in the purge's own transaction and written to
``reports/purge-<timestamp>.txt`` / ``.json`` after the commit; a certificate
whose files a kill prevented is written by the next purge
(:func:`write_missing_certificates`). It holds counts and hashes only — no
personal data — so it is never purged itself.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from formats.files import write_atomically
from inquiry.runtime.step import Context
from inquiry.runtime.store import Store
from inquiry.steps.purge.due import RECORD_KINDS, Deleted

__all__ = ["CERT_PREFIX", "certificate", "certificate_files", "ids_digest", "write_missing_certificates"]

CERT_PREFIX = "purge_certificate:"
#: lines of the certificate's id digest hashed at once
_DIGEST_ROWS = 500_000


def ids_digest(ids: dict[str, pl.Series]) -> str:
    """SHA-256 of ``kind<TAB>id`` lines, sorted: proves later which records were deleted.

    The value of the Python formula (``sorted`` lines joined by ``\\n``),
    built column-wise: the tab after a kind's name sorts before any letter,
    so the sorted lines are the kinds in order, each kind's lines sorted (polars
    sorts text by its UTF-8 bytes, the code point order of ``sorted``); one
    kind at a time, hashed in pieces, so that a year's millions of ids are
    never all in memory as text at once.
    """
    digest = hashlib.sha256()
    first = True
    for kind in sorted(ids):
        lines = (f"{kind}\t" + ids[kind].cast(pl.Utf8).fill_null("None")).rename("line").sort()
        for piece in lines.to_frame().iter_slices(_DIGEST_ROWS):
            digest.update((("" if first else "\n") + piece["line"].str.join("\n").item()).encode("utf-8"))
            first = False
    return digest.hexdigest()


def _certificate_text(cert: dict[str, Any]) -> str:
    counts = "\n".join(f"  {k:<21} {cert['counts'][k]:>10,}" for k in RECORD_KINDS if k in cert["counts"])
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
        f"未回答として終了 (closed unanswered: sent on or before): {cert.get('unanswered_cutoff', '-')} "
        f"({cert.get('unanswered_days', '-')} 日 / days after sending)\n"
        f"回答受領日の範囲 (period of the deleted answers): {period}\n"
        "消去件数 (records deleted):\n"
        f"{counts}\n"
        f"統計として残した集計行 (anonymous statistics rows written): {cert['stats_rows']:,}\n"
        f"消去レコードIDのSHA-256 (SHA-256 of the deleted records' ids): {cert['ids_sha256']}\n"
        "個人情報は上記の件数と統計集計のみを残して消去しました。\n"
        "(personal data deleted; only the counts above and anonymous statistics are kept)\n"
    )


def certificate_files(cert: dict[str, Any]) -> dict[str, bytes]:
    name = cert["name"]
    return {
        f"{name}.txt": _certificate_text(cert).encode("utf-8"),
        f"{name}.json": (json.dumps(cert, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8"),
    }


def write_missing_certificates(store: Store, reports: Path) -> list[Path]:
    """Write every certificate the store holds whose file is missing (a purge killed after its commit)."""
    written: list[Path] = []
    for (value,) in store.conn.execute("SELECT value FROM meta WHERE key LIKE ? ORDER BY key", (CERT_PREFIX + "%",)):
        for fname, data in certificate_files(json.loads(value)).items():
            path = reports / fname
            if not path.exists():
                write_atomically(path, data)
                written.append(path)
    return written



def certificate(ctx: Context, d: Deleted, stats_rows: int, day: date, cutoff: date, unanswered: date) -> dict[str, Any]:
    name = f"purge-{ctx.now:%Y%m%d-%H%M%S}"
    k = 1
    while ctx.store.get_meta(CERT_PREFIX + name) is not None or (ctx.ws.reports / f"{name}.txt").exists():
        k += 1
        name = f"purge-{ctx.now:%Y%m%d-%H%M%S}-{k}"
    answered = d.inquiries["answered_on"].drop_nulls()
    return {
        "name": name,
        "municipality": f"{ctx.settings.municipality_code} {ctx.settings.municipality_name}",
        "purpose": ctx.settings.purpose,
        "executed_at": ctx.now.isoformat(timespec="seconds"),
        "operator": ctx.operator,
        "as_of": day.isoformat(),
        "retention_days": ctx.settings.retention_days,
        "cutoff": cutoff.isoformat(),
        "unanswered_days": ctx.settings.unanswered_days,
        "unanswered_cutoff": unanswered.isoformat(),
        "period_from": answered.min() if answered.len() else None,
        "period_to": answered.max() if answered.len() else None,
        "counts": d.counts(),
        "stats_rows": stats_rows,
        "ids_sha256": ids_digest(d.ids()),
    }
