"""The review workflow: ``inquiry review export`` / ``inquiry review import``.

A ``REVIEW`` account is one the program refuses to decide (matching.md):
name and birth date fit but the address does not, or two persons fit
equally. A person decides, on a sheet that puts the bank's holder data and
every candidate's data side by side — kana, birth date, current and former
addresses — with the very evidence :func:`matching.link` weighed for that
candidate (``match_evidence``: name, birth date and address evidence, the
pair's class, score and reason; never a recomputation), and writes
``accept <person_id>`` or
``reject`` in the ``判定`` column. Importing the sheet records each decision
in ``matches`` (who, when); an accepted account then counts as a hit and is
followed up like a ``CONFIRMED`` one (:func:`inquiry.steps.exports.matches_frame`).

Each row carries a fingerprint of the account's match row and evidence at
export time. A row whose account changed since (decided by another sheet,
re-linked to other evidence, purged) is *stale*: refused, listed in the
rejects file, never applied. A sheet that is malformed — a missing column, a decision word that is neither
``accept`` nor ``reject``, a person who is not among the account's
candidates, an account twice — is refused whole, with every bad row named.

>>> parse_decision("accept  P0000012"), parse_decision("Reject"), parse_decision("")
(('accept', 'P0000012'), ('reject', None), (None, None))
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Callable
from pathlib import Path

import polars as pl

from formats import rejects_frame
from formats.files import sha256_of
from inquiry import messages
from inquiry.runtime.csvout import neutralise, unneutralise, write_csv
from inquiry.runtime.step import Context, StepBody, StepFailed, StepResult
from inquiry.runtime.store import Store
from inquiry.steps.match import EVIDENCE_SCHEMA
from inquiry.vocabulary import ACCOUNT_TYPE_LABELS, CLASS_LABELS, EVIDENCE_LABELS

__all__ = ["review_export", "review_import", "review_sheet", "read_sheet", "write_sheet", "parse_decision", "fingerprint", "KEY", "DECISION", "FINGERPRINT"]

KEY = "口座キー"
DECISION = "判定"
FINGERPRINT = "照合値 (変更しないでください)"
MAX_CANDIDATES = 5

_ACCOUNT_COLS = {
    "account_key": KEY, "bank_code": "金融機関コード", "bank_name": "金融機関", "branch_code": "支店コード",
    "branch_name": "支店", "account_type": "種目", "account_number": "口座番号", "balance_yen": "残高 (円)",
    "holder_kana": "名義カナ", "holder_birth_date": "名義生年月日", "holder_address": "名義住所", "reason": "要確認の理由",
}  # fmt: skip
_CAND_COLS = {
    "person_id": "宛名番号", "name_kanji": "氏名", "name_kana": "カナ", "name_fit": "氏名の一致",
    "birth_date": "生年月日", "dob_fit": "生年月日の一致", "address": "現住所", "address_history": "旧住所",
    "address_fit": "住所の一致", "pair_class": "照合の分類", "score": "スコア", "pair_reason": "照合の理由",
}  # fmt: skip
_EVIDENCE_SQL = f"""
    SELECT {", ".join(EVIDENCE_SCHEMA)}
    FROM match_evidence WHERE account_key IN (SELECT value FROM json_each(?)) ORDER BY account_key, rank
"""

#: the undecided REVIEW links, each with its bank data as first answered (the view ``first_answers``)
_REVIEW_SQL = """
    SELECT m.account_key, m.inquiry_id, m.person_id, m.class, m.score, m.name_evidence, m.dob_evidence,
           m.address_evidence, m.candidates, m.reason, m.matched_at, m.decision, m.decided_person_id,
           a.bank_code, COALESCE(a.bank_name, i.name) AS bank_name, a.branch_code, a.branch_name, a.account_type,
           a.account_number, a.balance_yen, a.holder_kana, a.holder_birth_date, a.holder_address
    FROM matches m
    JOIN first_answers a ON a.account_key = m.account_key
    LEFT JOIN institutions i ON i.bank_code = a.bank_code
    WHERE m.class = 'REVIEW' AND m.decision IS NULL
    ORDER BY m.matched_at, m.account_key
"""
_FINGERPRINT_FIELDS = (
    "account_key", "class", "person_id", "candidates", "name_evidence", "dob_evidence", "address_evidence", "matched_at", "decision",
    "evidence",
)  # fmt: skip


def fingerprint(frame: pl.DataFrame) -> pl.Series:
    """``fp`` + 16 hex digits of SHA-256 over the match row's deciding fields (one per row).

    Any change to the account's link — class, candidates, evidence (its
    own and each candidate's: ``evidence``, see :func:`_with_evidence`), a
    decision already recorded — changes it, so an old sheet is detected.
    """
    joined = frame.select(pl.concat_str([pl.col(c).cast(pl.Utf8).fill_null("") for c in _FINGERPRINT_FIELDS], separator="\x1f")).to_series()
    # "fp" first, so that a spreadsheet never reads it as a number (12e34...)
    return pl.Series("fingerprint", ["fp" + hashlib.sha256(t.encode("utf-8")).hexdigest()[:16] for t in joined.to_list()], dtype=pl.Utf8)


def parse_decision(text: str | None) -> tuple[str | None, str | None]:
    """``accept <person_id>`` → ('accept', id); ``reject`` → ('reject', None); blank → (None, None).

    Case, full-width letters and extra spaces are forgiven; anything else
    raises ``ValueError``.
    """
    words = unicodedata.normalize("NFKC", text or "").strip().split()
    if not words:
        return None, None
    verb = words[0].lower()
    if verb == "reject" and len(words) == 1:
        return "reject", None
    if verb == "accept" and len(words) == 2:
        return "accept", words[1]
    if verb == "accept":
        raise ValueError(messages.text("review_accept_needs_person"))
    raise ValueError(messages.text("review_unknown_decision", text=text))


def _evidence(store: Store, keys: list[str]) -> pl.DataFrame:
    """The persisted per-candidate evidence of these accounts (``match_evidence``), best first."""
    if not keys:
        return pl.DataFrame(schema=EVIDENCE_SCHEMA)
    return store.frame(_EVIDENCE_SQL, (json.dumps(keys),), schema=EVIDENCE_SCHEMA)


def _with_evidence(rows: pl.DataFrame, evidence: pl.DataFrame) -> pl.DataFrame:
    """``rows`` plus ``evidence``: every candidate's evidence as one text (for the fingerprint)."""
    fields = [pl.col(c).cast(pl.Utf8).fill_null("") for c in EVIDENCE_SCHEMA if c != "account_key"]
    text = evidence.group_by("account_key", maintain_order=True).agg(
        pl.concat_str(fields, separator="|").str.join("\x1e").alias("evidence")
    )
    return rows.join(text, on="account_key", how="left", maintain_order="left")


def review_sheet(store: Store) -> pl.DataFrame:
    """One row per undecided REVIEW account: the account, then each candidate side by side.

    Column headers are the sheet's (Japanese); the last columns are the
    decision to fill in and the fingerprint.
    """
    text = ("account_key", "inquiry_id", "person_id", "class", "name_evidence", "dob_evidence", "address_evidence", "candidates", "reason",
            "matched_at", "decision", "decided_person_id", "bank_code", "bank_name", "branch_code", "branch_name", "account_number",
            "holder_kana", "holder_birth_date", "holder_address")  # fmt: skip
    rows = store.frame(_REVIEW_SQL, schema={**dict.fromkeys(text, pl.Utf8), "score": pl.Float64, "balance_yen": pl.Int64, "account_type": pl.Int64})
    evidence = _evidence(store, rows["account_key"].to_list())
    rows = _with_evidence(rows, evidence)
    rows = rows.with_columns(fingerprint(rows), pl.col("candidates").fill_null(pl.col("person_id")).fill_null(""))
    pairs = (
        rows.select("account_key", "holder_kana", "holder_birth_date", "holder_address", pl.col("candidates").str.split(";").alias("person_id"))
        .explode("person_id")
        .filter(pl.col("person_id").fill_null("") != "")
        .with_columns(pl.int_range(pl.len()).over("account_key").alias("n"))
        .filter(pl.col("n") < MAX_CANDIDATES)
    )
    persons = _persons(store, pairs["person_id"].unique().to_list())
    # what link() weighed for each candidate, as it was stored; "—" where none was stored
    # (a link made before the evidence was kept, until the next match re-links it)
    shown = evidence.select(
        "account_key", "person_id", pl.col("score").round(3),
        name_fit=pl.col("name_evidence").replace(EVIDENCE_LABELS["name"]),
        dob_fit=pl.col("dob_evidence").replace(EVIDENCE_LABELS["dob"]),
        address_fit=pl.col("address_evidence").replace(EVIDENCE_LABELS["address"]),
        pair_class=pl.col("class").replace(CLASS_LABELS),
        pair_reason=pl.col("reason"),
    ).unique(["account_key", "person_id"], keep="first", maintain_order=True)
    pairs = (
        pairs.join(persons, on="person_id", how="left")
        .join(shown, on=["account_key", "person_id"], how="left")
        .with_columns(pl.col("name_fit", "dob_fit", "address_fit", "pair_class").fill_null("—"), pl.col("address_history").str.replace_all(r"\|", " / "))
    )
    rows = rows.with_columns(pl.col("account_type").replace_strict(ACCOUNT_TYPE_LABELS, default=pl.col("account_type").cast(pl.Utf8), return_dtype=pl.Utf8))
    wide = rows.select(list(_ACCOUNT_COLS)).rename(_ACCOUNT_COLS)
    n_max = int(pairs["n"].max() or 0) + 1 if pairs.height else 1
    for k in range(n_max):
        cand = pairs.filter(pl.col("n") == k).select("account_key", *[pl.col(c).alias(f"候補{k + 1} {label}") for c, label in _CAND_COLS.items()])
        wide = wide.join(cand.rename({"account_key": KEY}), on=KEY, how="left", maintain_order="left")
    return wide.with_columns(pl.lit(None, dtype=pl.Utf8).alias(DECISION), pl.lit(None, dtype=pl.Utf8).alias("備考"), rows["fingerprint"].alias(FINGERPRINT))


def _persons(store: Store, ids: list[str]) -> pl.DataFrame:
    schema = {c: pl.Utf8 for c in ("person_id", "name_kanji", "name_kana", "birth_date", "address", "address_history")}
    if not ids:
        return pl.DataFrame(schema=schema)
    frame = store.frame(
        f"SELECT {', '.join(schema)} FROM persons WHERE person_id IN (SELECT value FROM json_each(?))", (json.dumps(ids),), schema=schema
    )
    return frame


def _write_xlsx(sheet: pl.DataFrame, path: Path) -> None:
    import xlsxwriter

    n_cand = sum(1 for c in sheet.columns if c.endswith(" 宛名番号"))
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    with xlsxwriter.Workbook(str(path), options) as wb:
        sheet.write_excel(
            workbook=wb,
            worksheet="要確認",
            column_formats={"残高 (円)": "#,##0"},
            header_format={"bold": True, "bg_color": "#EEF2F7", "text_wrap": True},
            freeze_panes=(1, 1),
            autofit=False,
            column_widths={c: (28 if c in (DECISION, "名義住所", "要確認の理由") or c.endswith(("住所", "旧住所", "照合の理由")) else 14) for c in sheet.columns},
            hidden_columns=[FINGERPRINT],
            table_style="Table Style Light 1",
        )
        ws = wb.get_worksheet_by_name("要確認")
        col = sheet.columns.index(DECISION)
        ids = sheet.select([f"候補{k + 1} 宛名番号" for k in range(n_cand)]).rows() if n_cand else [()] * sheet.height
        for r, cands in enumerate(ids, start=1):
            choices = [f"accept {p}" for p in cands if p] + ["reject"]
            ws.data_validation(r, col, r, col, {"validate": "list", "source": choices, "error_type": "warning",
                                                "input_title": "判定", "input_message": "accept <宛名番号> または reject"})  # fmt: skip


def write_sheet(ctx: Context, out: Path, sheet: pl.DataFrame, write_xlsx: Callable[[pl.DataFrame, Path], None], label: str) -> Path:
    """Write a sheet a person fills in (.csv, or .xlsx by ``write_xlsx``) to ``out``'s ``.part`` file, owner-only.

    The review sheet and the seizure selection sheet share it: cells are
    neutralised against formulas either way (``write_csv`` does it itself).
    """
    suffix = out.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise StepFailed(messages.text("sheet_suffix", path=out, label=label))
    out.parent.mkdir(parents=True, exist_ok=True)
    part = ctx.ws.part_path(out)
    if suffix == ".csv":
        write_csv(sheet, part)
    else:
        write_xlsx(neutralise(sheet), part)
    part.chmod(0o600)
    return part


def review_export(out: Path) -> StepBody:
    """The step body: write the review sheet to ``out`` (.xlsx or .csv)."""

    def body(ctx: Context) -> StepResult:
        sheet = review_sheet(ctx.store)
        part = write_sheet(ctx, out, sheet, _write_xlsx, messages.text("review_sheet_label"))
        cand_cols = [c for c in sheet.columns if c.endswith(" 宛名番号")]
        persons = pl.concat([sheet[c] for c in cand_cols]).drop_nulls().n_unique() if cand_cols and sheet.height else 0
        result = StepResult(title=messages.text("review_export_title"), parts=[part], persons_shown=persons)
        result.counts = {"review_accounts": sheet.height, "candidates_max": len(cand_cols)}
        result.notes.append(messages.text("review_export_written", path=out, name=out.name))
        return result

    return body


def read_sheet(path: Path) -> pl.DataFrame:
    """The sheet as text columns, with the physical line of each row (header = line 1)."""
    if not path.exists():
        raise StepFailed(messages.text("review_no_file", path=path))
    try:
        if path.suffix.lower() == ".xlsx":
            frame = pl.read_excel(path, sheet_id=1, infer_schema_length=0)
        elif path.suffix.lower() == ".csv":
            data = path.read_bytes()
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = data.decode("cp932")  # saved again by Excel
            frame = pl.read_csv(text.encode("utf-8"), infer_schema=False)
        else:
            raise StepFailed(messages.text("sheet_suffix", path=path, label=messages.text("review_sheet_label")))
    except StepFailed:
        raise
    except Exception as exc:  # a damaged or foreign file: say so, never a traceback
        raise StepFailed(messages.text("review_unreadable", path=path, kind=type(exc).__name__, error=exc)) from None
    frame = frame.with_columns(pl.all().cast(pl.Utf8))
    return frame.with_row_index("line", offset=2).with_columns(pl.col("line").cast(pl.Int64))


def review_import(path: Path) -> StepBody:
    """The step body: apply the sheet's decisions to ``matches``."""

    def body(ctx: Context) -> StepResult:
        sheet = read_sheet(path)
        missing = [c for c in (KEY, DECISION, FINGERPRINT) if c not in sheet.columns]
        if missing:
            raise StepFailed(messages.text("review_missing_columns", path=path, columns=", ".join(missing)))
        sheet = sheet.select("line", unneutralise(pl.col(KEY)).str.strip_chars().alias("account_key"), pl.col(DECISION).alias("text"), unneutralise(pl.col(FINGERPRINT)).str.strip_chars().alias("fp"))
        problems: list[str] = []
        parsed: list[tuple[str | None, str | None]] = []
        for line, text in zip(sheet["line"].to_list(), sheet["text"].to_list()):
            try:
                parsed.append(parse_decision(text))
            except ValueError as exc:
                parsed.append((None, None))
                problems.append(f"{path.name}:{line}: {exc}")
        sheet = sheet.with_columns(
            pl.Series("decision", [p[0] for p in parsed], dtype=pl.Utf8), pl.Series("chosen", [p[1] for p in parsed], dtype=pl.Utf8)
        )
        decided = sheet.filter(pl.col("decision").is_not_null())
        for key, lines in decided.group_by("account_key").agg("line").filter(pl.col("line").list.len() > 1).iter_rows():
            problems.append(messages.text("review_account_twice", where=f"{path.name}:{','.join(map(str, sorted(lines)))}", account=key))
        for line in decided.filter(pl.col("account_key").is_null())["line"].to_list():
            problems.append(messages.text("review_empty_key", where=f"{path.name}:{line}"))

        keys = decided["account_key"].drop_nulls().to_list()
        current = ctx.store.frame(
            "SELECT account_key, class, person_id, candidates, name_evidence, dob_evidence, address_evidence, matched_at, decision FROM matches WHERE account_key IN (SELECT value FROM json_each(?))",
            (json.dumps(keys),),
            schema={c: pl.Utf8 for c in ("account_key", "class", "person_id", "candidates", "name_evidence", "dob_evidence", "address_evidence", "matched_at", "decision")},
        )
        current = _with_evidence(current, _evidence(ctx.store, keys))
        current = current.with_columns(fingerprint(current).alias("now_fp"), pl.col("candidates").fill_null(pl.col("person_id")).fill_null("").alias("cands"))
        checked = decided.join(current.select("account_key", "now_fp", "cands"), on="account_key", how="left")
        stale = checked.filter(pl.col("now_fp").is_null() | (pl.col("now_fp") != pl.col("fp").fill_null("")))
        fresh = checked.filter(pl.col("now_fp").is_not_null() & (pl.col("now_fp") == pl.col("fp").fill_null("")))
        bad_person = fresh.filter((pl.col("decision") == "accept") & ~pl.col("cands").str.split(";").list.contains(pl.col("chosen")))
        for line, chosen, cands in bad_person.select("line", "chosen", "cands").iter_rows():
            problems.append(messages.text("review_not_candidate", where=f"{path.name}:{line}", person=chosen, candidates=cands.replace(";", ", ")))
        if problems:
            more = "\n  " + messages.text("review_more_problems", count=len(problems) - 20) if len(problems) > 20 else ""
            raise StepFailed(messages.text("review_refused", problems="\n  ".join(problems[:20]) + more))

        result = StepResult(title=messages.text("review_import_title"))
        reasons = stale.select(
            "line",
            pl.when(pl.col("now_fp").is_null())
            .then(pl.format(messages.text("review_unknown_account", account="{}"), pl.col("account_key")))
            .otherwise(pl.format(messages.text("review_stale_account", account="{}"), pl.col("account_key")))
            .alias("reason"),
        )
        result.add_rejects(rejects_frame(path, reasons["line"], reasons["reason"]))
        at = ctx.now.isoformat(timespec="seconds")
        ctx.store.conn.executemany(
            "UPDATE matches SET decision = ?, decided_person_id = ?, decided_by = ?, decided_at = ? WHERE account_key = ? AND decision IS NULL",
            [(d, c, ctx.operator, at, k) for d, c, k in fresh.select("decision", "chosen", "account_key").iter_rows()],
        )
        result.files[path.name] = sha256_of(path)
        result.counts = {
            "rows_read": sheet.height,
            "decisions_accept": int((fresh["decision"] == "accept").sum()),
            "decisions_reject": int((fresh["decision"] == "reject").sum()),
            "undecided_blank": sheet.height - decided.height,
            "stale_refused": stale.height,
        }
        # each decision, by sheet line (the sheet's hash is in the audit entry's files; no personal data here)
        result.counts["decisions"] = ", ".join(f"{line}={d}" for line, d in fresh.select("line", "decision").sort("line").iter_rows()) or "-"
        result.persons_shown = int(fresh["chosen"].drop_nulls().n_unique())
        return result

    return body
