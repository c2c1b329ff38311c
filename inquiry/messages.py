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

from matching import CLASSES

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
    # -- steps: exports (inquiry/steps/exports.py) ------------------------------------
    "export_unknown": "export は matches / outcomes / followups のいずれかです: {what!r}",
    "export_title": "出力 (export {what})",
    "export_written": "→ {path}",
    # -- steps: match (inquiry/steps/match.py) ------------------------------------------
    "match_title": "名寄せ (match)",
    "match_nothing_new": "前回の名寄せ以降、新しい回答・対象者はありません (nothing new since the last match: nothing re-linked)",
    # -- steps: review (inquiry/steps/review.py) ----------------------------------------
    "review_accept_needs_person": "accept の後に宛名番号を1つ書いてください (write: accept <person_id>)",
    "review_unknown_decision": "判定は 'accept <宛名番号>' か 'reject' です (unknown decision {text!r})",
    "sheet_suffix": "{path}: {label}は .xlsx か .csv です (sheet must be .xlsx or .csv)",
    "review_sheet_label": "確認シート",
    "review_export_title": "確認シート出力 (review export)",
    "review_export_written": "→ {path}  (判定列に accept <宛名番号> / reject を記入し、inquiry review import {name} で取り込みます)",
    "review_no_file": "{path}: ファイルがありません (no such file)",
    "review_unreadable": "{path}: 確認シートとして読めません (cannot read the sheet): {kind}: {error}",
    "review_missing_columns": (
        "{path}: 確認シートの列がありません (missing columns): {columns} — inquiry review export で出力したシートを使ってください"
    ),
    "review_account_twice": "{where}: 同じ口座が複数行にあります (account {account} appears twice)",
    "review_empty_key": "{where}: 口座キーが空です (empty account key)",
    "review_not_candidate": "{where}: {person} はこの口座の候補者ではありません (not among the candidates {candidates})",
    "review_more_problems": "… ほか {count} 件",
    "review_refused": "確認シートに不備があるため取り込みません (sheet refused, nothing applied):\n  {problems}",
    "review_import_title": "確認結果の取込 (review import)",
    "review_unknown_account": "口座 {account} はこのワークスペースにありません (unknown or purged account): not applied",
    "review_stale_account": (
        "口座 {account} はシート出力後に変更されています (changed since the sheet was exported: already decided or re-linked): not applied"
    ),
    # -- steps: followups (inquiry/steps/followups.py; the reasons are stored, followups.csv shows them) --
    "followups_title": "取引履歴照会 (followups)",
    "followups_period_reversed": "照会期間が逆です (period from {period_from} is after period to {period_to})",
    "followups_by_balance": "残高 {balance}円",
    "followups_by_activity": "最終取引 {day}",
    "followups_accepted": "確認で本人と判断 (accepted on review)",
    "followups_cleared": "納付済のため照会せず (cleared by payment): 納付 {paid}円 ≥ 滞納 {arrears}円",
    "followups_paper": "{reason}; 書面で照会 (institution not reachable through DAIS or pipitLINQ)",
    "followups_written": "取引履歴照会ファイル (history request files) → {outbox}; 期間 {period_from} 〜 {period_to}",
    "followups_paper_note": "[yellow]書面で照会する口座 (paper history inquiries, status QUEUED): {count}[/yellow]",
    # -- steps: history (inquiry/steps/history.py; stored as a follow-up's regular_income) --
    "history_no_transactions": "期間内の取引なし (no transactions in the period)",
    "history_no_regular_income": "定期的な入金なし (no regular income found)",
}

#: count key (what the audit trail records) → how the summary table names it; a key not here is shown as it is
COUNT_LABELS: dict[str, str] = {
    # -- steps: match ---------------------------------------------------------------
    "links_updated_same_decision": "links_updated (same decision)",
    # a re-link to another person of the same class (a transition, ``HOMONYM→CONFIRMED``, is its own label)
    **{f"{c}→{c}_other_person": f"{c}→{c} (別人 other person)" for c in CLASSES},
    # -- steps: review --------------------------------------------------------------
    "undecided_blank": "undecided (blank)",
    "stale_refused": "stale (refused)",
    # -- steps: followups -------------------------------------------------------------
    "skipped_cleared": "skipped_cleared (納付済)",
    "cleared_shown_before": "cleared (shown before)",
    "waiting_to_be_sent": "waiting to be sent (QUEUED/WRITTEN)",
    "sent_within_repeat_days": "sent within repeat days",
    "not_followed_closed": "not followed: 解約済/支払停止",
    "not_followed_small_inactive": "not followed: small balance, inactive",
    "queued_paper": "queued_paper (書面照会)",
}


def text(key: str, **values: Any) -> str:
    """The message ``key`` with ``values`` filled in."""
    return MESSAGES[key].format(**values)


def count_label(key: str) -> str:
    """How the summary table names the count ``key``."""
    return COUNT_LABELS.get(key, key)
