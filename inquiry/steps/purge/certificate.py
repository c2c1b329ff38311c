"""The deletion certificate (消去記録): what a purge deleted, when, by whom, and a digest of the deleted records' ids.

Kept in the store (``meta``) in the purge's own transaction and written to
``reports/purge-<timestamp>.txt`` / ``.json`` after the commit; a certificate
whose files a kill prevented is written by the next purge
(:func:`write_missing_certificates`). It holds counts and hashes only — no
personal data — so it is never purged itself.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from formats.files import write_atomically
from inquiry.messages import text
from inquiry.runtime.step import Context
from inquiry.runtime.store import Store
from inquiry.steps.purge.due import RECORD_KINDS, Deleted

__all__ = ["CERT_PREFIX", "IdDigest", "certificate", "certificate_files", "id_lines", "write_missing_certificates"]

CERT_PREFIX = "purge_certificate:"
#: lines of the certificate's id digest hashed at once
_DIGEST_ROWS = 500_000


def id_lines(kind: str, ids: pl.Series) -> pl.Series:
    """The certificate's lines of one kind of id, ``kind<TAB>id``, sorted (what :class:`IdDigest` hashes)."""
    return (f"{kind}\t" + ids.cast(pl.Utf8).fill_null("None")).rename("line").sort()


class IdDigest:
    """SHA-256 of every kind's sorted lines (:func:`id_lines`), the kinds in order, all lines joined by ``\\n``.

    The tab after a kind's name sorts before any letter, so this is the
    digest of all the lines sorted together: the value of the Python formula
    (``sorted`` lines joined by ``\\n``) that proves later which records were
    deleted, since polars sorts text by its UTF-8 bytes, the code point order
    of ``sorted``.

    Fed kind by kind in any order (:meth:`add`): each kind's lines are
    turned into UTF-8 text at once (polars' CSV writer, no quoting: each
    line as it is, then ``\\n``) in pieces of :data:`_DIGEST_ROWS` lines, so
    that a year's millions of ids are never one Python text, and hashed as
    soon as every kind before it is in. The purge's worker feeds it while
    SQLite deletes: what is left to hash after the last kind is that kind
    and any held back for it.
    """

    def __init__(self, kinds: Iterable[str]) -> None:
        self._waiting = sorted(kinds)
        self._texts: dict[str, list[bytes]] = {}
        self._sha = hashlib.sha256()
        self._first = True

    def add(self, kind: str, lines: pl.Series) -> None:
        """``kind``'s sorted lines (:func:`id_lines`); hash every kind that can be hashed now, in order."""
        if kind not in self._waiting or kind in self._texts:
            raise ValueError(f"id digest: kind {kind!r} not expected")
        pieces = []
        for piece in lines.to_frame().iter_slices(_DIGEST_ROWS):
            out = io.BytesIO()
            piece.write_csv(out, include_header=False, quote_style="never", line_terminator="\n")
            pieces.append(out.getvalue())
        self._texts[kind] = pieces
        while self._waiting and self._waiting[0] in self._texts:
            for text_ in self._texts.pop(self._waiting.pop(0)):
                if not self._first:
                    self._sha.update(b"\n")
                self._sha.update(memoryview(text_)[:-1])  # the piece's lines, without its last line's end
                self._first = False

    def hexdigest(self) -> str:
        """The digest, once every kind is in (a kind never added would make it another digest)."""
        if self._waiting:
            raise RuntimeError(f"id digest: kinds {self._waiting} never added")
        return self._sha.hexdigest()


def _certificate_text(cert: dict[str, Any]) -> str:
    """The certificate as people read it (the template: ``purge_certificate`` in :mod:`inquiry.messages`).

    A certificate kept by an older version may lack the unanswered deadline: ``-``.
    """
    counts = "\n".join(f"  {k:<21} {cert['counts'][k]:>10,}" for k in RECORD_KINDS if k in cert["counts"])
    period = f"{cert['period_from']} 〜 {cert['period_to']}" if cert["period_from"] else text("purge_no_period")
    values = {**cert, "unanswered_cutoff": cert.get("unanswered_cutoff", "-"), "unanswered_days": cert.get("unanswered_days", "-")}
    return text("purge_certificate", **(values | {"counts": counts, "period": period}))


def certificate_files(cert: dict[str, Any]) -> dict[str, bytes]:
    """The certificate's two files by name: the text people read and the JSON a program checks."""
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



def certificate(ctx: Context, d: Deleted, stats_rows: int, day: date, cutoff: date, unanswered: date, ids_sha256: str) -> dict[str, Any]:
    """The certificate of what ``d`` deleted, under a name no earlier certificate has (two purges in one second).

    ``ids_sha256``: the digest of the deleted records' ids (:class:`IdDigest`),
    prepared by the purge while it deleted.
    """
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
        "ids_sha256": ids_sha256,
    }
