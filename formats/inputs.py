"""The office's three input CSVs: delinquent master, institutions, payments.

Headers may be English or Japanese and come in any order; unknown columns
are reported once and ignored; a missing required column stops the read
before anything is written. Every row-level problem (bad date, bad code,
duplicate id, empty required field) becomes a reject with its line, so that
``rows_read == rows.height + rejects.height`` always holds.

This module parses and validates syntax only; what to do with a person
(kana checks, readings, routing) is decided in the pipeline.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from formats._csv import split_records
from formats._text import clean_text, decode_bytes, rejects_frame
from formats.dates import parse_date
from formats.errors import FileRejected
from formats.limits import INSTITUTIONS, MASTER, PAYMENTS, Limit, read_limited

__all__ = [
    "Column",
    "MASTER_COLUMNS",
    "INSTITUTION_COLUMNS",
    "PAYMENT_COLUMNS",
    "InputTable",
    "read_master",
    "read_institutions",
    "read_payments",
    "DuplicateInstitutions",
]


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    required: bool = False


MASTER_COLUMNS: tuple[Column, ...] = (
    Column("person_id", "宛名番号", True),
    Column("name_kanji", "氏名", True),
    Column("name_kana", "カナ氏名"),
    Column("other_names_kana", "旧氏名カナ"),
    Column("birth_date", "生年月日", True),
    Column("sex", "性別"),
    Column("postal_code", "郵便番号"),
    Column("address", "住所"),
    Column("address_history", "住所履歴"),
    Column("arrears_yen", "滞納額"),
    Column("fiscal_class", "年度区分"),
    Column("staff_code", "処分担当"),
    Column("target_banks", "照会先金融機関"),
)

INSTITUTION_COLUMNS: tuple[Column, ...] = (
    Column("bank_code", "金融機関コード", True),
    Column("name", "金融機関名", True),
    Column("provider", "照会サービス", True),
    Column("default_target", "標準照会先"),
    Column("requires_address", "住所必須"),
)

#: per-provider participation lists (``--dais-list``): only the code is required
PROVIDER_LIST_COLUMNS: tuple[Column, ...] = (
    Column("bank_code", "金融機関コード", True),
    Column("name", "金融機関名"),
    Column("default_target", "標準照会先"),
    Column("requires_address", "住所必須"),
)

PAYMENT_COLUMNS: tuple[Column, ...] = (
    Column("person_id", "宛名番号", True),
    Column("paid_on", "納付日", True),
    Column("amount_yen", "納付額", True),
)


@dataclass
class InputTable:
    """A read input: accepted rows (with their ``line``), rejects, counts."""

    path: Path
    encoding: str
    rows: pl.DataFrame
    rejects: pl.DataFrame
    rows_read: int
    unknown_columns: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class DuplicateInstitutions(FileRejected):
    """One institution listed twice: both services must never be asked about it."""

    def __init__(self, duplicates: dict[str, list[tuple[str, int]]]) -> None:
        parts = [
            f"{code}: " + ", ".join(f"{Path(f).name}:{line}" for f, line in places)
            for code, places in sorted(duplicates.items())
        ]
        self.duplicates = duplicates
        first_file = next(iter(duplicates.values()))[0][0]
        super().__init__(first_file, 0, "金融機関コードが重複しています (institution listed twice) — " + "; ".join(parts))


def _header_key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower()


def _load(
    path: Path, columns: tuple[Column, ...], encoding: str | None, limit: Limit
) -> tuple[pl.DataFrame, pl.DataFrame, int, str, list[str]]:
    """Decode, split and map headers; return (text frame, rejects, rows_read, encoding, unknown).

    The file's size and line count are checked against ``limit`` before it is parsed.
    """
    data = read_limited(path, limit)
    text, used = decode_bytes(data, path, encoding)
    if not text.strip():
        raise FileRejected(path, 1, "ヘッダ行がありません (empty file)")
    records = split_records(text.encode("utf-8"), path)
    labels = pl.Series(records.labels, dtype=pl.Utf8).to_frame("h").select(clean_text(pl.col("h")))["h"].to_list()
    by_key: dict[str, str] = {}
    for col in columns:
        by_key[_header_key(col.name)] = col.name
        by_key[_header_key(col.label)] = col.name
    mapping: dict[str, str] = {}
    unknown: list[str] = []
    for i, head in enumerate(labels):  # a BOM or zero-width space glued to a label (a file saved twice) is ignored
        name = by_key.get(_header_key(head))
        if name is None or name in mapping.values():
            unknown.append(head)
        else:
            mapping[f"u{i}"] = name
    missing = [f"{c.name} ({c.label})" for c in columns if c.required and c.name not in mapping.values()]
    if missing:
        raise FileRejected(path, 1, "必須列がありません (missing required column): " + ", ".join(missing))
    cells = records.cells
    rejects = pl.concat(
        [
            rejects_frame(path, records.bad_lines, records.bad_reasons),
            rejects_frame(path, *cells.filter(pl.col("_reason") != "").select("line", "_reason").get_columns()),
        ]
    )
    rows_read = cells.height + len(records.bad_lines)
    frame = cells.filter(pl.col("_reason") == "").select("line", *[pl.col(k).alias(v) for k, v in mapping.items()])
    absent = [pl.lit(None, dtype=pl.Utf8).alias(c.name) for c in columns if c.name not in mapping.values()]
    frame = frame.with_columns(absent).with_columns(
        [pl.col(c.name).str.strip_chars().replace("", None) for c in columns]
    )
    return frame, rejects, rows_read, used, unknown


def _first_problem(checks: list[tuple[pl.Expr, str | pl.Expr]]) -> pl.Expr:
    """The reason of the first failing check of a row, or null when all pass."""
    return pl.coalesce([pl.when(bad).then(msg if isinstance(msg, pl.Expr) else pl.lit(msg)) for bad, msg in checks])


def _split_list(e: pl.Expr, sep: str) -> pl.Expr:
    return e.fill_null("").str.split(sep).list.eval(pl.element().str.strip_chars().replace("", None)).list.drop_nulls()


def _finish(path: Path, frame: pl.DataFrame, reason: pl.Expr, rejects: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    frame = frame.with_columns(_reason=reason)
    bad = frame.filter(pl.col("_reason").is_not_null())
    all_rejects = pl.concat([rejects, rejects_frame(path, bad["line"], bad["_reason"])]).sort("line")
    return frame.filter(pl.col("_reason").is_null()).drop("_reason"), all_rejects


_SEX = {"1": 1, "2": 2, "男": 1, "女": 2, "M": 1, "F": 2, "男性": 1, "女性": 2}


def _int_yen(e: pl.Expr) -> pl.Expr:
    return e.str.normalize("NFKC").str.replace_all(",", "").cast(pl.Int64, strict=False)


def read_master(path: str | Path, *, encoding: str | None = None) -> InputTable:
    """Read the delinquent master (inputs.md §1) into typed person rows.

    Persons whose ``person_id`` appears more than once are all rejected: with
    two versions of one person there is no telling which is right, and an
    inquiry must not go out on a guess.
    """
    path = Path(path)
    raw, rejects, rows_read, used, unknown = _load(path, MASTER_COLUMNS, encoding, MASTER)
    pid = pl.col("person_id")
    nfkc = lambda name: pl.col(name).str.normalize("NFKC")  # noqa: E731
    postal = nfkc("postal_code").str.replace("-", "")
    sex = nfkc("sex").str.to_uppercase()
    banks = _split_list(nfkc("target_banks"), ";")
    typed = raw.with_columns(
        birth=parse_date(pl.col("birth_date")),
        sex_code=sex.replace_strict(_SEX, default=None, return_dtype=pl.Int8),
        arrears=_int_yen(pl.col("arrears_yen")),
        banks=banks,
        dup=pid.is_duplicated() & pid.is_not_null(),
    )
    reason = _first_problem(
        [
            (pid.is_null(), "宛名番号が空です (person_id empty)"),
            (~pid.str.contains(r"^[0-9A-Za-z]{1,15}$"), pl.format("宛名番号の形式が不正です: '{}'", pid)),
            (pl.col("dup"), pl.format("宛名番号が重複しています: {}", pid)),
            (pl.col("name_kanji").is_null(), "氏名が空です (name_kanji empty)"),
            (pl.col("birth_date").is_null(), "生年月日が空です (birth_date empty)"),
            (pl.col("birth").is_null(), pl.format("生年月日を読めません: '{}'", pl.col("birth_date"))),
            (pl.col("sex").is_not_null() & pl.col("sex_code").is_null(), pl.format("性別の値が不正です: '{}'", pl.col("sex"))),
            (
                pl.col("postal_code").is_not_null() & ~postal.str.contains(r"^\d{7}$"),
                pl.format("郵便番号の形式が不正です: '{}'", pl.col("postal_code")),
            ),
            (
                pl.col("arrears_yen").is_not_null() & pl.col("arrears").is_null(),
                pl.format("滞納額が整数ではありません: '{}'", pl.col("arrears_yen")),
            ),
            (
                pl.col("fiscal_class").is_not_null() & ~pl.col("fiscal_class").is_in(["現年", "滞繰"]),
                pl.format("年度区分の値が不正です: '{}'", pl.col("fiscal_class")),
            ),
            (
                ~pl.col("banks").list.eval(pl.element().str.contains(r"^\d{4}$")).list.all(),
                pl.format("照会先金融機関コードが不正です: '{}'", pl.col("target_banks")),
            ),
        ]
    )
    typed, rejects = _finish(path, typed, reason, rejects)
    rows = typed.select(
        "line",
        "person_id",
        pl.col("name_kanji").str.replace_all("\u3000", " "),
        "name_kana",
        _split_list(pl.col("other_names_kana"), ";").alias("other_names_kana"),
        pl.col("birth").alias("birth_date"),
        pl.col("sex_code").fill_null(0).alias("sex"),
        postal.alias("postal_code"),
        "address",
        _split_list(pl.col("address_history"), "|").alias("address_history"),
        pl.col("arrears").fill_null(0).alias("arrears_yen"),
        "fiscal_class",
        "staff_code",
        pl.col("banks").alias("target_banks"),
    )
    return InputTable(path, used, rows, rejects, rows_read, unknown)


def _flag(e: pl.Expr) -> pl.Expr:
    return e.str.normalize("NFKC").replace_strict({"1": True, "0": False}, default=None, return_dtype=pl.Boolean)


def _read_institution_file(path: Path, provider: str | None, encoding: str | None) -> InputTable:
    columns = INSTITUTION_COLUMNS if provider is None else PROVIDER_LIST_COLUMNS
    raw, rejects, rows_read, used, unknown = _load(path, columns, encoding, INSTITUTIONS)
    if provider is not None:
        raw = raw.with_columns(provider=pl.lit(provider))
    code = pl.col("bank_code").str.normalize("NFKC")
    prov = pl.col("provider").str.normalize("NFKC").str.to_lowercase()
    typed = raw.with_columns(
        code=code,
        prov=prov,
        default=_flag(pl.col("default_target")),
        needs_address=_flag(pl.col("requires_address")),
    )
    reason = _first_problem(
        [
            (~pl.col("code").str.contains(r"^\d{4}$").fill_null(False), pl.format("金融機関コードが不正です: '{}'", pl.col("bank_code"))),
            (
                pl.col("name").is_null() if provider is None else pl.lit(False),
                "金融機関名が空です (name empty)",
            ),
            (
                ~pl.col("prov").is_in(["dais", "pipitlinq", "paper"]).fill_null(False),
                pl.format("照会サービスは dais / pipitlinq / paper のいずれかです: '{}'", pl.col("provider")),
            ),
            (
                pl.col("default_target").is_not_null() & pl.col("default").is_null(),
                pl.format("標準照会先は 1 か 0 です: '{}'", pl.col("default_target")),
            ),
            (
                pl.col("requires_address").is_not_null() & pl.col("needs_address").is_null(),
                pl.format("住所必須は 1 か 0 です: '{}'", pl.col("requires_address")),
            ),
        ]
    )
    typed, rejects = _finish(path, typed, reason, rejects)
    rows = typed.select(
        "line",
        pl.lit(str(path)).alias("file"),
        pl.col("code").alias("bank_code"),
        pl.col("name"),
        pl.col("prov").alias("provider"),
        pl.col("default").fill_null(False).alias("default_target"),
        pl.col("needs_address").fill_null(False).alias("requires_address"),
    )
    return InputTable(path, used, rows, rejects, rows_read, unknown)


def read_institutions(
    path: str | Path | None = None,
    *,
    dais_list: str | Path | None = None,
    pipitlinq_list: str | Path | None = None,
    encoding: str | None = None,
    known_banks: pl.DataFrame | None = None,
) -> InputTable:
    """Read the institutions master and/or the per-service lists, merged.

    A code that appears twice anywhere raises :class:`DuplicateInstitutions`
    naming every place: asking two services about one institution would send
    a person's data where it is not needed. Codes missing from ``known_banks``
    (``banks.csv``) are warnings; a missing name is filled from it.
    """
    sources = [(path, None), (dais_list, "dais"), (pipitlinq_list, "pipitlinq")]
    tables = [_read_institution_file(Path(p), prov, encoding) for p, prov in sources if p is not None]
    if not tables:
        raise ValueError("no institutions file given")
    rows = pl.concat([t.rows for t in tables])
    dups = rows.filter(pl.col("bank_code").is_duplicated())
    if dups.height:
        places: dict[str, list[tuple[str, int]]] = {}
        for code, file, line in dups.select("bank_code", "file", "line").iter_rows():
            places.setdefault(code, []).append((file, line))
        raise DuplicateInstitutions(places)
    warnings: list[str] = []
    if known_banks is not None:
        rows = rows.join(
            known_banks.select("bank_code", pl.col("name").alias("_known_name"), pl.col("type").alias("bank_type")),
            on="bank_code",
            how="left",
        )
        unknown = rows.filter(pl.col("_known_name").is_null())
        warnings = [f"{Path(f).name}:{ln}: 金融機関コード {c} は banks.csv にありません" for c, f, ln in unknown.select("bank_code", "file", "line").iter_rows()]
        rows = rows.with_columns(pl.coalesce("name", "_known_name").alias("name")).drop("_known_name")
    rows = rows.with_columns(pl.col("name").fill_null(pl.col("bank_code")))
    return InputTable(
        path=tables[0].path,
        encoding=tables[0].encoding,
        rows=rows,
        rejects=pl.concat([t.rejects for t in tables]),
        rows_read=sum(t.rows_read for t in tables),
        unknown_columns=[c for t in tables for c in t.unknown_columns],
        warnings=warnings,
    )


def read_payments(path: str | Path, *, encoding: str | None = None) -> InputTable:
    """Read the payments feed (inputs.md §3)."""
    path = Path(path)
    raw, rejects, rows_read, used, unknown = _load(path, PAYMENT_COLUMNS, encoding, PAYMENTS)
    typed = raw.with_columns(paid=parse_date(pl.col("paid_on")), amount=_int_yen(pl.col("amount_yen")))
    reason = _first_problem(
        [
            (pl.col("person_id").is_null(), "宛名番号が空です (person_id empty)"),
            (pl.col("paid").is_null(), pl.format("納付日を読めません: '{}'", pl.col("paid_on"))),
            (pl.col("amount").is_null(), pl.format("納付額が整数ではありません: '{}'", pl.col("amount_yen"))),
        ]
    )
    typed, rejects = _finish(path, typed, reason, rejects)
    rows = typed.select("line", "person_id", pl.col("paid").alias("paid_on"), pl.col("amount").alias("amount_yen"))
    return InputTable(path, used, rows, rejects, rows_read, unknown)
