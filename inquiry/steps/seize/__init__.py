"""From hit to seizure plan: ``inquiry seize plan / export / import / cancel`` and ``inquiry export seizures``.

The inquiries exist to seize deposits (滞納処分). This module turns hits into
a 差押予定一覧 (seizure plan) the way a collection office works — a person
chooses, the program numbers and words the notices — and adds the checks a
person cannot easily make by hand:

1. ``seize plan [--execute-on DATE]`` lists the **candidates**: hits a
   seizure may rest on (``CONFIRMED``, or accepted on review; ``PROBABLE`` too
   but marked 要本人確認, never selectable until a person confirms the owner),
   status 通常/休眠, balance at least ``min_balance_yen``, the person's arrears
   not paid and not already covered by live planned seizures, the account not
   already planned — in the follow-up priority order
   (:func:`inquiry.steps.followups.select_accounts`). Each candidate carries the
   last checks' findings (:mod:`inquiry.steps.seize.checks`). Re-running replaces
   the candidates; nothing is seized by it.
2. ``seize export --out F`` writes them as a selection sheet (xlsx or CSV,
   like the review sheet); a person marks ``選択``, the staff member
   (``職員``), the execution date, and — where asked — ``本人確認`` (a
   PROBABLE owner confirmed) and ``差押禁止額の確認済`` (the protected-income
   flag overridden). ``seize import F`` records the confirmations (who,
   when) and plans the selected rows: each gets a 文書番号 from the fiscal
   year's counter and the notice data. A row the checks refuse is listed in
   the rejects file and not planned; a malformed sheet is refused whole.
3. ``export seizures`` re-runs the last checks on the live plan (a payment
   that clears the arrears pulls the seizure — 引抜 in 処理済フラグ1 with the
   reason; a smaller payment is noted in 処理済フラグ2; protected income and
   stale answers in 処理済フラグ3) and writes the 預金差押予定一覧 with
   exactly the columns of :data:`LIST_COLUMNS`.
4. ``seize cancel <文書番号> --reason R`` pulls one seizure (引抜), audited.

A planned seizure (table ``seizures``) is the office's case file: it keeps
what the notice needs — name, 住民票住所, the bank's 届出住所, the account and
the wording — and who decided what, when; it is not inquiry data and is not
purged at 60 days (docs/decisions.md). Candidates and confirmations are
inquiry data and disappear with their match.

The rooms: :mod:`~inquiry.steps.seize.candidates` (1), :mod:`~inquiry.steps.seize.sheet`
and :mod:`~inquiry.steps.seize.register` (2), :mod:`~inquiry.steps.seize.listing` (3),
:mod:`~inquiry.steps.seize.pull` (4), the checks (:mod:`~inquiry.steps.seize.checks`),
the notice's settings and wording (:mod:`~inquiry.steps.seize.notice`) and the
report's section (:mod:`~inquiry.steps.seize.report`). What other modules use is
imported from here.
"""

from __future__ import annotations

from inquiry.steps.seize.candidates import plan
from inquiry.steps.seize.listing import LIST_COLUMNS, LIST_NAME, export_seizures, seizure_list
from inquiry.steps.seize.pull import cancel
from inquiry.steps.seize.report import report_tables
from inquiry.steps.seize.sheet import (
    CONFIRM,
    EXECUTE_ON,
    FINGERPRINT,
    KEY,
    OVERRIDE,
    SELECT,
    STAFF,
    selection_sheet,
    sheet_export,
    sheet_import,
)

__all__ = [
    "CONFIRM", "EXECUTE_ON", "FINGERPRINT", "KEY", "LIST_COLUMNS", "LIST_NAME", "OVERRIDE", "SELECT", "STAFF", "cancel",
    "export_seizures", "plan", "report_tables", "seizure_list", "selection_sheet", "sheet_export", "sheet_import",
]  # fmt: skip
