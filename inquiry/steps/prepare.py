"""``inquiry prepare``: from the office's exports to request files of both services.

Reads and validates the inputs, records the persons, decides who is asked
where — each person × target institution is routed to the one service that
reaches it; ``paper`` institutions, unknown codes and address-required
institutions for persons without an address are listed for paper inquiries
instead; persons cleared by payment are not asked — and writes the request
files (at most 10,000 inquiries each) into ``outbox/``. Re-running with the
same ``--as-of`` asks nobody twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from formats.files import sha256_of
from formats.inputs import InputTable, read_institutions, read_master, read_payments
from formats.refdata import banks
from inquiry.messages import text
from inquiry.runtime.csvout import write_csv
from inquiry.runtime.step import Context, StepBody, StepResult
from inquiry.steps import payments as payments_mod
from inquiry.steps.persons import with_kana
from inquiry.steps.requests import assign_ids, write_request_files
from inquiry.vocabulary import PROVIDERS
from matching import fold_variants
from matching.kana import to_fullwidth, to_zengin

__all__ = ["PrepareOptions", "prepare"]



@dataclass(frozen=True)
class PrepareOptions:
    master: Path
    institutions: Path | None = None
    dais_list: Path | None = None
    pipitlinq_list: Path | None = None
    payments: Path | None = None
    as_of: date | None = None
    encoding: str | None = None


def _store_persons(ctx: Context, persons: pl.DataFrame, as_of: date) -> None:
    frame = persons.select(
        "person_id",
        "name_kanji",
        "name_kana",
        pl.col("kana_estimated"),
        pl.col("kana_candidates").list.join(";"),
        pl.col("other_names_kana").list.join(";"),
        "birth_date",
        "sex",
        "postal_code",
        "address",
        pl.col("address_history").list.join("|"),
        "arrears_yen",
        "fiscal_class",
        "staff_code",
        pl.col("target_banks").list.join(";"),
        pl.lit(as_of).alias("as_of"),
        pl.lit(ctx.now.isoformat(timespec="seconds")).alias("updated_at"),
    )
    updates = ", ".join(f"{c} = excluded.{c}" for c in frame.columns if c != "person_id")
    ctx.store.insert("persons", frame, on_conflict=f"ON CONFLICT (person_id) DO UPDATE SET {updates}, cleared_on = NULL")


def _store_institutions(ctx: Context, inst: pl.DataFrame) -> None:
    frame = inst.select("bank_code", "name", "provider", "default_target", "requires_address", "bank_type")
    updates = ", ".join(f"{c} = excluded.{c}" for c in frame.columns if c != "bank_code")
    ctx.store.insert("institutions", frame, on_conflict=f"ON CONFLICT (bank_code) DO UPDATE SET {updates}")


#: the order of a service's inquiries (their ids, their files) as two integers: ``_bank_rank``, the
#: institution's place by (service, bank code), and ``_person_rank``, the person's place by id
_FILE_ORDER = ("_bank_rank", "_person_rank")


def _targets(persons: pl.DataFrame, inst: pl.DataFrame) -> pl.DataFrame:
    """person × institution, from ``target_banks`` or the default targets.

    A million rows at a year's size: only whether the person has an address
    is carried (what an address-required institution needs), not the address.
    Each row carries its place in the request files' order (:data:`_FILE_ORDER`):
    sorting a million rows by two integers takes a tenth of the CPU of
    sorting them by three texts (service, bank code, person id), and the
    integers come from the small tables (persons, institutions), in the same
    order as the texts.
    """
    defaults = inst.filter(pl.col("default_target"))["bank_code"].to_list()
    banks_in_order = inst.select("bank_code", "provider", "requires_address", pl.col("name").alias("bank_name")).sort("provider", "bank_code")
    return (
        persons.select(
            "person_id",
            pl.col("person_id").rank("ordinal").alias("_person_rank"),  # person ids are unique (read_master)
            pl.col("address").is_not_null().alias("has_address"),
            pl.when(pl.col("target_banks").list.len() > 0).then(pl.col("target_banks")).otherwise(pl.lit(defaults, dtype=pl.List(pl.Utf8))).alias("bank_code"),
        )
        .explode("bank_code")
        .drop_nulls("bank_code")
        .unique(["person_id", "bank_code"], maintain_order=True)
        .join(banks_in_order.with_row_index("_bank_rank"), on="bank_code", how="left")
    )


GETA = "〓"


def _cp932_char(ch: str) -> str:
    """``ch`` if cp932 has it, else its folded variant (𠮷→吉) if cp932 has that, else 〓."""
    for candidate in (ch, fold_variants(ch)):
        try:
            candidate.encode("cp932")
            return candidate
        except UnicodeEncodeError:
            continue
    return GETA


def _cp932_safe_text(values: pl.Series) -> pl.Series:
    """Text a cp932 file can carry: variant kanji folded (𠮷→吉), anything else as 〓 (ゲタ).

    DAIS files are cp932, which has no code for some kanji in names and
    addresses. The bank matches by kana; the kanji is secondary, so the
    office's usual practice (ゲタ文字) is kept rather than refusing the file.
    Python looks only at each distinct character once (a few thousand in a
    city's names and addresses); the values are then changed as a column,
    and only those that hold a character cp932 lacks.
    """
    chars = values.drop_nulls().str.split("").explode().unique().drop_nulls().to_list()
    replace = {ch: safe for ch in chars if (safe := _cp932_char(ch)) != ch}
    if not replace:
        return values
    bad = list(replace)
    return values.str.replace_many(bad, [replace[ch] for ch in bad])


def _service_forms(persons: pl.DataFrame) -> pl.DataFrame:
    """Each person's kana in both services' forms, and the kanji a cp932 (DAIS) file can carry.

    Computed once per person, not per inquiry.
    """
    def forms(form: Callable[[pl.Expr], pl.Expr]) -> tuple[pl.Expr, pl.Expr]:
        return (
            form(pl.col("name_kana")),
            pl.col("other_names_kana").list.eval(form(pl.element())).list.join(";").replace("", None),
        )

    (dais_name, dais_other), (pipit_name, pipit_other) = forms(to_zengin), forms(to_fullwidth)
    return persons.select(
        "person_id",
        dais_name.alias("kana_dais"),
        dais_other.alias("other_dais"),
        pipit_name.alias("kana_pipitlinq"),
        pipit_other.alias("other_pipitlinq"),
        pl.col("name_kanji").alias("kanji_pipitlinq"),
        pl.col("address").alias("address_pipitlinq"),
    ).with_columns(
        kanji_dais=_cp932_safe_text(persons["name_kanji"]),
        address_dais=_cp932_safe_text(persons["address"]),
    )


def _request_frame(provider: str, batch: pl.DataFrame, as_of: date) -> pl.DataFrame:
    return batch.select(
        "inquiry_id",
        "person_id",
        "staff_code",
        "fiscal_class",
        "bank_code",
        pl.lit(None, dtype=pl.Utf8).alias("branch_code"),
        pl.col(f"kana_{provider}").alias("name_kana"),
        pl.col(f"kanji_{provider}").alias("name_kanji"),
        "birth_date",
        pl.col("sex").cast(pl.Int8),
        "postal_code",
        pl.col(f"address_{provider}").alias("address"),
        pl.col(f"other_{provider}").alias("other_names_kana"),
        pl.lit(as_of).alias("as_of"),
    )


def prepare(options: PrepareOptions) -> StepBody:
    """The step body for :func:`inquiry.runtime.step.run_step`."""

    def body(ctx: Context) -> StepResult:
        result = StepResult(title=text("prepare_title"))
        as_of = options.as_of or ctx.today
        inst = read_institutions(
            options.institutions,
            dais_list=options.dais_list,
            pipitlinq_list=options.pipitlinq_list,
            encoding=options.encoding,
            known_banks=banks(),
        )
        master = read_master(options.master, encoding=options.encoding)
        tables: list[InputTable] = [inst, master]
        result.add_rejects(inst.rejects)
        result.add_rejects(master.rejects)
        result.notes += [f"[yellow]{text('prepare_warning', warning=w)}[/yellow]" for w in inst.warnings]
        for t in tables:
            if t.unknown_columns:
                result.notes.append(f"[dim]{text('ignored_columns', file=t.path.name, columns=', '.join(t.unknown_columns))}[/dim]")

        persons, kana_rejects = with_kana(master.rows, options.master)
        result.add_rejects(kana_rejects)
        _store_institutions(ctx, inst.rows)
        _store_persons(ctx, persons, as_of)

        if options.payments is not None:
            pays = read_payments(options.payments, encoding=options.encoding)
            result.add_rejects(pays.rejects)
            result.counts["payments_read"] = pays.rows_read
            payments_mod.record(ctx, pays, sha256_of(Path(options.payments)))
        cleared = payments_mod.mark_cleared(ctx)

        targets = _targets(persons.filter(~pl.col("person_id").is_in(cleared)), inst.rows)
        paper_reason = (
            pl.when(pl.col("provider").is_null())
            .then(pl.lit(text("paper_not_in_master")))
            .when(pl.col("provider") == "paper")
            .then(pl.lit(text("paper_by_institution")))
            .when(pl.col("requires_address") & ~pl.col("has_address"))
            .then(pl.lit(text("paper_no_address")))
        )
        targets = targets.with_columns(_paper=paper_reason)
        paper = targets.filter(pl.col("_paper").is_not_null())
        electronic = targets.filter(pl.col("_paper").is_null()).select("provider", "bank_code", "person_id", *_FILE_ORDER)
        del targets  # a million rows: not held beside the inquiries made from them

        already = ctx.store.frame(
            "SELECT person_id, bank_code FROM inquiries WHERE as_of = ?", (as_of.isoformat(),), schema={"person_id": pl.Utf8, "bank_code": pl.Utf8}
        )
        fresh = electronic.join(already, on=["person_id", "bank_code"], how="anti")
        result.counts.update(
            {
                "master_rows_read": master.rows_read,
                "persons_accepted": persons.height,
                "kana_estimated": int(persons["kana_estimated"].sum()),
                "persons_cleared": len(cleared),
                "already_asked_same_as_of": electronic.height - fresh.height,
                "paper_inquiries": paper.height,
            }
        )
        # a million rows of three keys, sorted by (provider, bank, person), which is unique (as the two
        # integers of _FILE_ORDER); what the request files need of each person (once per person, not per
        # inquiry) is joined to one file's batch at a time, so a million wide rows are never held at once
        detail = fresh.sort(*_FILE_ORDER).drop(*_FILE_ORDER)
        del electronic, fresh
        forms = persons.select("person_id", "staff_code", "fiscal_class", "birth_date", "sex", "postal_code").join(
            _service_forms(persons), on="person_id", how="left"
        )

        def request_frame(provider: str, batch: pl.DataFrame) -> pl.DataFrame:
            return _request_frame(provider, batch.join(forms, on="person_id", how="left", maintain_order="left"), as_of)

        created = ctx.now.isoformat(timespec="seconds")
        for provider in PROVIDERS:
            rows = detail.filter(pl.col("provider") == provider)
            result.counts[f"inquiries_{provider}"] = rows.height
            rows = assign_ids(ctx, rows, prefix="B", sequence="inquiry", column="inquiry_id")

            # one insert per request file, its inquiries (at most 10,000) at once: the file's name is then
            # one value, bound once per statement, and the Python values of a file are held at a time, not
            # those of a million rows; made while the next files are written (write_request_files)
            def record(name: str, batch: pl.DataFrame) -> None:
                ctx.store.insert_rows(
                    "inquiries",
                    batch.select(
                        "inquiry_id",
                        "person_id",
                        "provider",
                        "bank_code",
                        pl.lit(as_of).alias("as_of"),
                        pl.lit(name).alias("request_file"),
                        pl.lit(created).alias("created_at"),
                    ),
                )

            write_request_files(ctx, result, provider, "basic", rows, lambda b, p=provider: request_frame(p, b), record=record)
        result.counts["request_files"] = len(result.files)
        if paper.height:
            paper_out = paper.join(persons.select("person_id", "name_kanji", "name_kana"), on="person_id", how="left").select(
                "person_id", "name_kanji", "name_kana", "bank_code", "bank_name", pl.col("_paper").alias("reason")
            )
            path = ctx.ws.reports / f"paper-inquiries-{ctx.now:%Y%m%d-%H%M%S}.csv"
            write_csv(paper_out, path)
            result.notes.append(text("paper_list", path=path))
        result.notes.append(text("request_files_in", folder=ctx.ws.outbox))
        result.notes.append(text("prepare_rows", read=master.rows_read, accepted=persons.height, rejected=master.rows_read - persons.height))
        return result

    return body
