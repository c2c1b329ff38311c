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

from typing import Any

__all__ = ["COUNT_LABELS", "MESSAGES", "count_label", "text"]

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
    # -- steps: report (inquiry/report/step.py) ------------------------------------
    # the command's title and progress; the page's and workbook's own headings are the report's
    # content, not messages: they stay with the tables that they name (inquiry/report/tables.py)
    "report_title": "報告書 (report)",
    "report_progress": "報告書: {stage}",
    "report_stage_accounts": "口座・名寄せ結果 (accounts)",
    "report_stage_inquiries": "照会・回答 (inquiries)",
    "report_stage_tables": "集計 (tables)",
    "report_stage_followups": "追跡照会・完納 (follow-ups, payments)",
    "report_stage_seizures": "差押予定 (seizure plan)",
    "report_stage_persons": "個人の詳細 (person detail)",
    "report_stage_files": "HTML・Excel",
    "report_written": "→ {path}",
}

#: count key (what the audit trail records) → how the summary table names it; a key not here is shown as it is
COUNT_LABELS: dict[str, str] = {}


def text(key: str, **values: Any) -> str:
    """The message ``key`` with ``values`` filled in."""
    return MESSAGES[key].format(**values)


def count_label(key: str) -> str:
    """How the summary table names the count ``key``."""
    return COUNT_LABELS.get(key, key)
