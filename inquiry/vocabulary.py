"""The words every command shares, each defined once: classes, answers, statuses, providers, labels.

The values are what the store holds and the exports write (outputs.md); the
labels are how people read them on the report, the review sheet and the
seizure list. A command that needs one of these imports it from here, so a
class or a label can never mean two things in two files.

>>> HIT_CLASSES
('CONFIRMED', 'PROBABLE')
>>> CLASS_LABELS["REVIEW"], ANSWER_LABELS["NO_ACCOUNT"], PROVIDER_LABELS["pipitlinq"]
('要確認', '口座なし', 'pipitLINQ')
>>> class_label("PROBABLE")
'本人の可能性高 (PROBABLE)'
"""

from __future__ import annotations

from matching import CLASSES, HITS

__all__ = [
    "ACCOUNT_TYPE_LABELS", "ANSWERS", "ANSWER_LABELS", "BANK_TEXT", "CLASSES", "CLASS_LABELS", "EFFECTIVE_CLASS_SQL",
    "EFFECTIVE_PERSON_SQL", "EVIDENCE_LABELS", "FOLLOWUP_LABELS", "FOLLOWUP_STATUSES", "HIT_CLASSES", "OPEN_STATUSES",
    "PROVIDERS", "PROVIDER_LABELS", "TIME_DEPOSIT", "class_label",
]  # fmt: skip

# -- the services -------------------------------------------------------------
#: the two inquiry services, in the order files and counts are listed
PROVIDERS = ("dais", "pipitlinq")
#: the services as people name them; ``paper`` is a 書面照会 (a bank on neither service)
PROVIDER_LABELS = {"dais": "DAIS", "pipitlinq": "pipitLINQ", "paper": "書面"}

# -- matching decisions --------------------------------------------------------
#: the classes that are hits (follow-ups, the report's 該当, seizure candidates): matching's own definition
HIT_CLASSES = HITS
#: the classes as people read them (the report, the review sheet)
CLASS_LABELS = {"CONFIRMED": "本人", "PROBABLE": "本人の可能性高", "REVIEW": "要確認", "HOMONYM": "同名異人", "UNMATCHED": "不一致"}
#: the evidence values as people read them (the report, the review sheet)
EVIDENCE_LABELS = {
    "name": {"exact": "一致", "other_name": "旧姓等一致", "variant": "近似", "partial": "一部一致", "mismatch": "不一致"},
    "dob": {"exact": "一致", "near": "近似", "missing": "不明", "mismatch": "不一致"},
    "address": {"current": "現住所", "history": "旧住所", "town": "町名まで", "other_block": "同町名・別番地", "city": "市区町村のみ", "missing": "なし", "mismatch": "不一致"},
}  # fmt: skip
#: A reviewer's decision overrides the match: accepted → CONFIRMED for the decided person,
#: rejected → UNMATCHED with nobody. SQL over ``matches``, the one definition every reader uses.
EFFECTIVE_PERSON_SQL = "CASE WHEN decision = 'accept' THEN decided_person_id WHEN decision = 'reject' THEN NULL ELSE person_id END"
EFFECTIVE_CLASS_SQL = "CASE WHEN decision = 'accept' THEN 'CONFIRMED' WHEN decision = 'reject' THEN 'UNMATCHED' ELSE class END"


def class_label(cls: str) -> str:
    """A class as a reason or list shows it: the label with the code (``本人 (CONFIRMED)``)."""
    return f"{CLASS_LABELS[cls]} ({cls})"


# -- answers and accounts ------------------------------------------------------
#: an inquiry's outcome (outcomes.csv ``answer``), in the report's order; PENDING while unanswered
ANSWERS = ("HIT", "ACCOUNTS", "NO_ACCOUNT", "UNABLE")
ANSWER_LABELS = {"HIT": "該当あり", "ACCOUNTS": "口座あり・該当なし", "NO_ACCOUNT": "口座なし", "UNABLE": "照会不能", "PENDING": "未回答"}
#: 預金種目 定期: its 最終取引日 is the maturity date
TIME_DEPOSIT = 6
#: 預金種目 codes as people read them (the report, the review sheet, the seizure list)
ACCOUNT_TYPE_LABELS = {1: "普通", 2: "当座", 4: "貯蓄", 5: "通知", 6: "定期", 7: "積立", 8: "納税準備", 9: "その他"}
#: account statuses a history inquiry and a seizure can still act on (not 解約済 / 支払停止)
OPEN_STATUSES = ("通常", "休眠")
#: columns of an answer row as the bank wrote them (text no program made): quoted in a fast read (``Store.fast_frame``)
BANK_TEXT = (
    "branch_code", "account_number", "passbook_symbol", "passbook_number", "holder_kana", "holder_birth_date", "holder_address",
    "account_status", "last_activity",
)  # fmt: skip

# -- follow-ups ------------------------------------------------------------------
#: a follow-up's status, in the order it moves
FOLLOWUP_STATUSES = ("QUEUED", "WRITTEN", "SENT", "ANSWERED", "SKIPPED_CLEARED")
FOLLOWUP_LABELS = {"QUEUED": "作成待ち", "WRITTEN": "作成済", "SENT": "送信済", "ANSWERED": "回答済", "SKIPPED_CLEARED": "完納により中止"}
