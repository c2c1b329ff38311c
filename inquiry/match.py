"""``inquiry match``: link every account not yet linked, with its evidence.

Reads the found accounts and the persons from the store, hands both to
:func:`matching.link` (which knows nothing of the store) and records one
row per account. Accounts already linked keep their link and any reviewer
decision, so running it again changes nothing.
"""

from __future__ import annotations

import polars as pl

from inquiry.step import Context, StepResult
from inquiry.store import Store
from matching import link
from matching.classify import CLASSES

__all__ = ["match", "persons_frame", "accounts_to_link"]

def persons_frame(store: Store) -> pl.DataFrame:
    """Persons as :func:`matching.link` expects them (lists split, dates typed)."""
    text = ("name_kana", "kana_candidates", "other_names_kana", "address", "address_history")
    raw = store.fast_frame(
        f"SELECT person_id, {', '.join(text)}, kana_estimated, birth_date FROM persons",
        {"person_id": pl.Utf8, **dict.fromkeys(text, pl.Utf8), "kana_estimated": pl.Int64, "birth_date": pl.Date},
        text=text,
    )

    def split(col: str, sep: str) -> pl.Expr:
        return pl.col(col).fill_null("").str.split(sep).list.eval(pl.element().filter(pl.element() != ""))

    return raw.with_columns(
        pl.col("kana_estimated").cast(pl.Boolean),
        split("kana_candidates", ";"),
        split("other_names_kana", ";"),
        split("address_history", "|"),
    )


def accounts_to_link(store: Store) -> pl.DataFrame:
    """Found accounts with no link yet, first returning inquiry first (by answer date, file, line)."""
    return (
        store.fast_frame(
            """
            SELECT a.account_key, a.inquiry_id, i.person_id AS inquired_person_id, a.holder_kana,
                   a.holder_birth_date, a.holder_address, a.answered_on, a.response_sha, a.line
            FROM answers a JOIN inquiries i ON i.inquiry_id = a.inquiry_id
            WHERE a.answer = 'found' AND a.account_key NOT IN (SELECT account_key FROM matches)
            """,
            {**dict.fromkeys(("account_key", "inquiry_id", "inquired_person_id", "holder_kana"), pl.Utf8),
             "holder_birth_date": pl.Date, "holder_address": pl.Utf8, "answered_on": pl.Utf8, "response_sha": pl.Utf8, "line": pl.Int64},
            text=("holder_kana", "holder_address"),
        )  # fmt: skip
        .sort("answered_on", "response_sha", "line")
        .drop("answered_on", "response_sha", "line")
    )


def match():  # noqa: ANN201 - returns the step body
    def body(ctx: Context) -> StepResult:
        result = StepResult(title="名寄せ (match)")
        accounts = accounts_to_link(ctx.store)
        if accounts.height:
            linked = link(accounts, persons_frame(ctx.store))
            ctx.store.insert(
                "matches",
                linked.select(
                    "account_key", "inquiry_id", "inquired_person_id", "person_id", "class", "score",
                    "name_evidence", "dob_evidence", "address_evidence", "candidates", "reason",
                    pl.lit(ctx.now.isoformat(timespec="seconds")).alias("matched_at"),
                ),  # fmt: skip
            )
            counts = linked["class"].value_counts()
            by_class = dict(zip(counts["class"], counts["count"]))
        else:
            by_class = {}
        result.counts = {"account_records": accounts.height, "accounts_linked": sum(by_class.values())}
        result.counts.update({c: int(by_class.get(c, 0)) for c in CLASSES})
        return result

    return body
