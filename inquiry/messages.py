"""Every text an operator reads on screen, in one table: Japanese first, English in brackets.

Collection staff read the Japanese; the English is for the vendor's support
and for logs shared outside the office. Keeping the texts here, not inline
in the commands, lets an office reword a message without touching a step,
keeps the two languages side by side, and keeps what the audit trail
records (count keys: identifiers, :data:`COUNT_LABELS`) apart from how the
screen names it: rewording a label never changes the audit trail's schema.

A message is a template for :meth:`str.format` with named fields:

>>> text("rejected_rows", count="1,234", path="reports/rejects.csv")
'不備 1,234 件 (rejected) → reports/rejects.csv'
>>> count_label("rows_read")
'rows_read'
"""

from __future__ import annotations

import string
from typing import Any

import polars as pl

__all__ = ["COUNT_LABELS", "MESSAGES", "count_label", "text", "text_expr"]

#: key → template. Sections follow the rooms of ``inquiry/``; keys are unique across them.
MESSAGES: dict[str, str] = {
    # -- runtime: how every command runs (inquiry/runtime/step.py) ----------------
    "summary_item": "項目 (item)",
    "summary_count": "件数 (count)",
    "rejected_rows": "不備 {count} 件 (rejected) → {path}",
    "interrupted": "中断されました (interrupted): {state}",
    "error": "エラー (error): {error}",
    "internal_error": "内部エラー (internal error): {kind}: {error}",
    "error_details": "詳細 (details): {path}",
    "no_key": "注意: 暗号化キーが設定されていません (no encryption key set: the store is protected by file permissions only)",
    "nothing_committed": "何も記録されていません (nothing was committed)",
    "committed_but": (
        "{command} の記録と操作履歴は保存済みです (committed: the store holds what {command} did, with its audit entry); "
        "その後の処理で失敗しました (failed while {after}). "
        "次のコマンドの開始時に残りの処理を完了します; 同じコマンドの再実行でも二重には記録されません "
        "(the next command finishes the file moves and deletions it left; running it again records nothing twice)"
    ),
    # -- steps: seize (inquiry/steps/seize/) --------------------------------------
    "seize_plan_title": "差押予定 候補 (seize plan)",
    "seize_execute_on_past": "執行日が過去です (execution date {execute_on} is before today)",
    "seize_settings": "設定・文言 (settings and wording): {source}",
    "seize_plan_next": "→ inquiry seize export --out F で選択シートを出力し、選択して inquiry seize import F で取り込みます",
    "seize_export_title": "差押予定 選択シート出力 (seize export)",
    "seize_export_next": "→ {out}  ({select} 列に ○、{staff}・{execute_on} を記入し inquiry seize import {name} で取り込みます)",
    "seize_import_title": "差押予定 選択の取込 (seize import)",
    "seize_sheet_columns_missing": "{path}: 選択シートの列がありません (missing columns): {columns} — inquiry seize export で出力したシートを使ってください",
    "seize_sheet_mark_unreadable": "{file}:{line}: {column}: {value!r} は読めません: ○ か空欄で記入してください (write ○ or leave blank)",
    "seize_sheet_execute_on_missing": "{file}:{line}: {column} を記入してください (execution date missing)",
    "seize_sheet_execute_on_unreadable": "{file}:{line}: {column} を読めません (cannot read date {value!r})",
    "seize_sheet_staff_missing": "{file}:{line}: {column} を記入してください (staff missing)",
    "seize_sheet_key_empty": "{file}:{line}: 口座キーが空です (empty account key)",
    "seize_sheet_key_twice": "{file}:{lines}: 同じ口座が複数行にあります (account {key} appears twice)",
    "seize_sheet_refused": "選択シートに不備があるため取り込みません (sheet refused, nothing applied):\n  {problems}",
    "seize_sheet_more_problems": "\n  … ほか {count} 件",
    "seize_row_stale": "口座 {account} は候補にないか、シート出力後に候補が作り直されています (stale: run seize export again): not applied",
    "seize_row_unconfirmed": "口座 {account}: PROBABLE のため {column} 列に ○ (本人であることを確認) がなければ選択できません: not planned",
    "seize_row_protected": "口座 {account}: {flag} のため {column} 列に ○ がなければ選択できません: not planned",
    "seize_row_execute_on_past": "口座 {account}: 執行日 {execute_on} が過去です (execution date in the past): not planned",
    "seize_row_paid": "口座 {account}: 候補作成後の納付で完納しています (arrears paid since the plan): not planned",
    "seize_list_title": "預金差押予定一覧 (export seizures)",
    "seize_pulled_relinked": "名寄せ変更 (the account's link no longer names this person as a hit)",
    "seize_pulled_paid": "完納 (arrears paid)",
    "seize_cancel_title": "引抜 (seize cancel)",
    "seize_cancel_no_reason": "--reason に引抜の理由を書いてください (a reason is required)",
    "seize_cancel_unknown": "文書番号 {doc_no} の差押予定はありません (no seizure with this document number)",
    "seize_cancel_already": "文書番号 {doc_no} は引抜済です (already cancelled)",
    "seize_cancelled": "文書番号 {doc_no} を引抜きました (cancelled)",
    "seize_config_unreadable": "{path}: 設定ファイルを読めません (cannot read the seizure settings): {error}",
    "seize_config_missing": "{path}: [{section}] {key} がないか型が違います (missing or not a {kind})",
    "seize_config_unknown_fields": "{path}: [wording] {key} に使えない項目があります (unknown fields): {fields}",
    "seize_config_transfer_fee": "{path}: [transfer_fee] は 金融機関コード = \"文言\" の形です (bank_code = \"text\")",
    "seize_config_doc_no": "{path}: [document_number] format を使えません (bad format): {error}",
    # -- steps: purge (inquiry/steps/purge/) --------------------------------------
    "purge_title": "保存期間経過データの消去 (purge)",
    "purge_certificate_written": "消去記録 (deletion certificate): {path}",
    "purge_cutoffs": (
        "回答受領日が {cutoff} 以前のデータが対象 (data answered on or before {cutoff}, retention {retention_days} days); "
        "{unanswered} 以前に送信し未回答の照会は未回答として終了 (inquiries sent on or before {unanswered} and never answered "
        "are closed as 未回答, {unanswered_days} days after sending)"
    ),
    "purge_no_period": "(なし / none)",
    #: the deletion certificate's text file (reports/purge-<timestamp>.txt); ``counts``: one line a kind
    "purge_certificate": (
        "消去記録 (deletion certificate)\n"
        "================================\n"
        "団体 (municipality):        {municipality}\n"
        "利用目的 (purpose):          {purpose}\n"
        "実施日時 (executed at):      {executed_at}\n"
        "実施者 (operator):           {operator}\n"
        "基準日 (as of):              {as_of}\n"
        "保存期間 (retention):        {retention_days} 日 (days) after the answer\n"
        "消去対象 (answered on or before): {cutoff}\n"
        "未回答として終了 (closed unanswered: sent on or before): {unanswered_cutoff} "
        "({unanswered_days} 日 / days after sending)\n"
        "回答受領日の範囲 (period of the deleted answers): {period}\n"
        "消去件数 (records deleted):\n"
        "{counts}\n"
        "統計として残した集計行 (anonymous statistics rows written): {stats_rows:,}\n"
        "消去レコードIDのSHA-256 (SHA-256 of the deleted records' ids): {ids_sha256}\n"
        "個人情報は上記の件数と統計集計のみを残して消去しました。\n"
        "(personal data deleted; only the counts above and anonymous statistics are kept)\n"
    ),
}

#: count key (what the audit trail records) → how the summary table names it; a key not here is shown as it is
COUNT_LABELS: dict[str, str] = {
    # -- steps: seize (inquiry/steps/seize/) --------------------------------------
    "not_planned_closed": "not planned: 解約済/支払停止",
    "not_planned_small": "not planned: balance below the floor",
    "not_planned_cleared": "not planned: arrears paid (完納)",
    "not_planned_planned": "not planned: already planned (live)",
    "not_planned_covered": "not planned: arrears covered by live plans",
    "candidates_unconfirmed": "candidates 要本人確認 (PROBABLE)",
    "candidates_protected": "candidates 差押禁止額の確認",
    "candidates_stale": "candidates 回答が古い",
    "pulled_paid": "pulled (引抜: 完納)",
    "pulled_relinked": "pulled (引抜: 名寄せ変更)",
    "reduced_paid": "reduced (納付あり)",
    "flagged_protected": "flagged 差押禁止額の確認",
    "stale_rows_refused": "stale (refused)",
}


def text(key: str, /, **values: Any) -> str:
    """The message ``key`` with ``values`` filled in."""
    return MESSAGES[key].format(**values)


def text_expr(key: str, /, **values: pl.Expr | str) -> pl.Expr:
    """The message ``key`` as a polars expression, its fields filled row by row: for reasons built on whole columns.

    A field is an expression (a column) or a fixed text; a row where a field
    is null gives null, as :func:`polars.format` does.

    >>> df = pl.DataFrame({"k": ["0001-101-1-8123457"]})
    >>> df.select(text_expr("seize_row_paid", account=pl.col("k"))).item()
    '口座 0001-101-1-8123457: 候補作成後の納付で完納しています (arrears paid since the plan): not planned'
    """
    parts: list[pl.Expr] = []
    for literal, field, _, _ in string.Formatter().parse(MESSAGES[key]):
        if literal:
            parts.append(pl.lit(literal))
        if field is not None:
            value = values[field]
            parts.append(value if isinstance(value, pl.Expr) else pl.lit(value))
    return pl.concat_str(parts)


def count_label(key: str) -> str:
    """How the summary table names the count ``key``."""
    return COUNT_LABELS.get(key, key)
