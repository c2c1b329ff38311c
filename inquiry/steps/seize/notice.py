"""What a seizure notice needs: the office's settings and wording, 文書番号, and the claim text.

The wording, the transfer-fee lines and the thresholds live in a TOML file
the office edits (``inquiry/data/seizure.toml``, or ``<workspace>/seizure.toml``
when the office made its own copy), so that a new fee or a re-worded claim
is an edit of a text file, not of the program. A template names its fields
(``{bank}``, ``{account_number}`` …); it is turned into one polars
expression, so the claims of a whole plan are built column-wise, and a
template naming a field that does not exist is refused with the file and the
key.

ゆうちょ (bank 9900) notices go to the 貯金事務センター that keeps the account,
chosen by the kind of account (総合口座: 記号 ``1xxxx``; 振替口座: ``0xxxx``) and
the 記号's 2nd–3rd digits — which are also the first two digits of the 振込用
店番, so an answer without the 記号番号 is routed too
(``formats/refdata/yucho_centres.csv``, source named in its README).

>>> fiscal_year(date(2027, 3, 31)), fiscal_year(date(2027, 4, 1))
(2026, 2027)
>>> format_doc_no("{fiscal_year}-{number:05d}", 2026, 12)
'2026-00012'
>>> format_doc_no("R{era_year}-{number}", 2026, 12)
'R8-12'
"""

from __future__ import annotations

import string
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from formats.dates import ERAS
from formats.refdata import banks, branches, yucho_centres
from inquiry.messages import text
from inquiry.runtime.step import StepFailed
from inquiry.runtime.store import Store
from inquiry.vocabulary import ACCOUNT_TYPE_LABELS

__all__ = [
    "PACKAGED_CONFIG",
    "YUCHO",
    "SeizureConfig",
    "fiscal_year",
    "format_doc_no",
    "load_config",
    "notice_columns",
    "reserve_numbers",
]  # fmt: skip

PACKAGED_CONFIG = Path(__file__).resolve().parents[2] / "data" / "seizure.toml"
WORKSPACE_CONFIG = "seizure.toml"
YUCHO = "9900"
_BRANCH_SUFFIXES = ("支店", "営業部", "出張所", "本店", "支所", "本所", "事務所", "センター")
_FIELDS = {"bank", "branch", "account_type", "account_number", "min_balance", "fee_clause"}
_YUCHO_FIELDS = _FIELDS | {"centre", "symbol", "passbook_number"}


@dataclass(frozen=True)
class SeizureConfig:
    """The office's seizure settings (see the comments in ``inquiry/data/seizure.toml``)."""

    source: Path
    min_balance_yen: int
    max_answer_age_days: int
    protected_window_days: int
    protected_share: float
    salary_protected_base_yen: int
    document_number: str
    wording: dict[str, str]
    yucho: dict[str, str]
    transfer_fee: dict[str, str]


def load_config(home: Path) -> SeizureConfig:
    """The workspace's ``seizure.toml`` if the office made one, else the packaged default.

    Any mistake (bad TOML, a missing key, a template naming an unknown field)
    stops the command with the file, and the line where TOML says it.
    """
    path = home / WORKSPACE_CONFIG
    if not path.exists():
        path = PACKAGED_CONFIG
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise StepFailed(text("seize_config_unreadable", path=path, error=exc)) from None

    def need(section: str, key: str, kind: type) -> object:
        value = data.get(section, {}).get(key)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise StepFailed(text("seize_config_missing", path=path, section=section, key=key, kind=kind.__name__))
        return value

    wording = {k: str(need("wording", k, str)) for k in ("claim", "claim_yucho", "claim_yucho_branch", "fee_clause", "balance_line")}
    for key, allowed in (("claim", _FIELDS), ("claim_yucho", _YUCHO_FIELDS), ("claim_yucho_branch", _YUCHO_FIELDS)):
        unknown = {f for _, f, _, _ in string.Formatter().parse(wording[key]) if f} - allowed
        if unknown:
            raise StepFailed(text("seize_config_unknown_fields", path=path, key=key, fields=", ".join(sorted(unknown))))
    fees = data.get("transfer_fee", {})
    if not isinstance(fees, dict) or not all(isinstance(v, str) for v in fees.values()):
        raise StepFailed(text("seize_config_transfer_fee", path=path))
    doc = str(need("document_number", "format", str))
    try:
        format_doc_no(doc, 2026, 1)
    except (KeyError, ValueError, IndexError) as exc:
        raise StepFailed(text("seize_config_doc_no", path=path, error=exc)) from None
    share = need("rules", "protected_share", (int, float))  # type: ignore[arg-type]
    return SeizureConfig(
        source=path,
        min_balance_yen=int(need("rules", "min_balance_yen", int)),  # type: ignore[arg-type]
        max_answer_age_days=int(need("rules", "max_answer_age_days", int)),  # type: ignore[arg-type]
        protected_window_days=int(need("rules", "protected_window_days", int)),  # type: ignore[arg-type]
        protected_share=float(share),  # type: ignore[arg-type]
        salary_protected_base_yen=int(need("rules", "salary_protected_base_yen", int)),  # type: ignore[arg-type]
        document_number=doc,
        wording=wording,
        yucho={k: str(need("yucho", k, str)) for k in ("sogo_label", "furikae_label")},
        transfer_fee={str(k).zfill(4): v for k, v in fees.items()},
    )


# -- 文書番号 -------------------------------------------------------------------
def fiscal_year(day: date) -> int:
    """The Japanese fiscal year (年度, April to March) a day falls in."""
    return day.year if day.month >= 4 else day.year - 1


def format_doc_no(fmt: str, year: int, number: int) -> str:
    """The 文書番号 text of ``number`` in fiscal ``year`` (``era_year``: the era in force on 1 April)."""
    april = date(year, 4, 1)
    start = max((s for _, _, _, s in ERAS if s <= april), default=ERAS[0][3])
    return fmt.format(fiscal_year=year, era_year=year - start.year + 1, number=number)


def reserve_numbers(store: Store, year: int, count: int) -> int:
    """Take the next ``count`` numbers of ``year``'s counter; return the first.

    Called inside the step's one transaction: a command killed before its
    commit takes nothing, so numbers never skip, and a committed number is
    never handed out again (the counter only goes up; a cancelled seizure
    keeps its number).
    """
    last = store.scalar("SELECT last_number FROM seizure_counters WHERE fiscal_year = ?", (year,)) or 0
    store.conn.execute(
        "INSERT INTO seizure_counters (fiscal_year, last_number) VALUES (?, ?) "
        "ON CONFLICT (fiscal_year) DO UPDATE SET last_number = excluded.last_number",
        (year, last + count),
    )
    return int(last) + 1


# -- the claim text ------------------------------------------------------------
_DIGITS = [str(d) for d in range(10)] + [","]
_WIDE = [chr(0xFF10 + d) for d in range(10)] + ["，"]


def _wide(e: pl.Expr) -> pl.Expr:
    return e.cast(pl.Utf8).str.replace_many(_DIGITS, _WIDE)


def _template(text: str, fields: dict[str, pl.Expr]) -> pl.Expr:
    parts: list[pl.Expr] = []
    for literal, name, _, _ in string.Formatter().parse(text):
        if literal:
            parts.append(pl.lit(literal))
        if name:
            parts.append(fields[name].fill_null(""))
    return pl.concat_str(parts) if parts else pl.lit("")


def notice_columns(frame: pl.DataFrame, cfg: SeizureConfig) -> pl.DataFrame:
    """Add the notice's columns to accounts: 口座種別, 支店, the ゆうちょ centre and 差押文言1–3.

    ``frame`` has ``bank_code, bank_name, branch_code, branch_name, account_type,
    account_number, passbook_symbol, passbook_number``. Adds
    ``account_type_label, branch_label, centre, wording1, wording2, wording3``;
    a ゆうちょ account whose 記号 is not in the table gets an empty ``centre``
    (the caller flags it: a notice is never addressed by guess).
    """
    yucho = pl.col("bank_code") == YUCHO
    symbol = pl.col("passbook_symbol")
    has_passbook = symbol.is_not_null() & (symbol.fill_null("") != "") & pl.col("passbook_number").is_not_null()
    kind = (
        pl.when(has_passbook)
        .then(pl.when(symbol.str.starts_with("1")).then(pl.lit("総合口座")).otherwise(pl.lit("振替口座")))
        .when(pl.col("branch_code").str.slice(2, 1) == "8")
        .then(pl.lit("総合口座"))
        .when(pl.col("branch_code").str.slice(2, 1) == "9")
        .then(pl.lit("振替口座"))
    )
    digits = pl.when(has_passbook).then(symbol.str.slice(1, 2)).otherwise(pl.col("branch_code").str.slice(0, 2))
    centres = yucho_centres().rename({"account_kind": "_kind", "symbol_digits": "_digits"})
    out = frame.with_columns(
        pl.when(yucho).then(kind).alias("_kind"), pl.when(yucho).then(digits).alias("_digits"), has_passbook.alias("_passbook")
    ).join(centres, on=["_kind", "_digits"], how="left")
    # names the answer left out come from the bank/branch master (formats/refdata)
    out = out.join(branches().select("bank_code", "branch_code", pl.col("name").alias("_ref_branch")), on=["bank_code", "branch_code"], how="left")
    out = out.join(banks().select("bank_code", pl.col("name").alias("_ref_bank")), on="bank_code", how="left")
    labels = pl.col("account_type").replace_strict(ACCOUNT_TYPE_LABELS, default=None, return_dtype=pl.Utf8)
    type_label = (
        pl.when(pl.col("_kind") == "総合口座")
        .then(pl.lit(cfg.yucho["sogo_label"]))
        .when(pl.col("_kind") == "振替口座")
        .then(pl.lit(cfg.yucho["furikae_label"]))
        .otherwise(pl.concat_str([labels.fill_null("その他"), pl.lit("預金")]))
    )
    branch = pl.col("branch_name").fill_null(pl.col("_ref_branch")).fill_null(pl.col("branch_code"))
    branch_label = (
        pl.when(yucho | branch.str.ends_with(_BRANCH_SUFFIXES[0]))
        .then(branch)
        .when(pl.any_horizontal([branch.str.ends_with(s) for s in _BRANCH_SUFFIXES[1:]]))
        .then(branch)
        .otherwise(pl.concat_str([branch, pl.lit("支店")]))
    )
    fees = {k: v for k, v in cfg.transfer_fee.items() if v}
    fee = pl.col("bank_code").replace_strict(fees, default=None, return_dtype=pl.Utf8)
    out = out.with_columns(type_label.alias("account_type_label"), branch_label.alias("branch_label"), fee.alias("wording2"))
    fields = {
        "bank": pl.col("bank_name").fill_null(pl.col("_ref_bank")).fill_null(pl.col("bank_code")),
        "branch": pl.col("branch_label"),
        "account_type": pl.col("account_type_label"),
        "account_number": _wide(pl.col("account_number")),
        "min_balance": _wide(pl.lit(f"{cfg.min_balance_yen:,}")),
        "fee_clause": pl.when(pl.col("wording2").is_not_null()).then(pl.lit(cfg.wording["fee_clause"])).otherwise(pl.lit("")),
        "centre": pl.col("centre"),
        "symbol": _wide(symbol),
        "passbook_number": _wide(pl.col("passbook_number")),
    }
    claim = (
        pl.when(yucho & pl.col("_passbook"))
        .then(_template(cfg.wording["claim_yucho"], fields))
        .when(yucho)
        .then(_template(cfg.wording["claim_yucho_branch"], fields))
        .otherwise(_template(cfg.wording["claim"], fields))
    )
    return out.with_columns(claim.alias("wording1"), pl.lit(cfg.wording["balance_line"]).alias("wording3")).drop("_kind", "_digits", "_passbook", "_ref_branch", "_ref_bank")
