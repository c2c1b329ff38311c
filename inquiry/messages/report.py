"""The report command's texts (inquiry/report/)."""

from __future__ import annotations

MESSAGES: dict[str, str] = {
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
