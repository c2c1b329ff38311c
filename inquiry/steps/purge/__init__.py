"""``inquiry purge``: delete inquiry and response data 60 days after the answer.

protection.md: names, birth dates, addresses, accounts, balances and
transactions are kept ``settings.retention_days`` (60) days after the answer
was received, then deleted — by ``inquiry purge`` and by every ``nightly``.
An inquiry or history inquiry that is never answered is closed as 未回答
``settings.unanswered_days`` (60) days after it was sent (written, if it was
never sent) and deleted then; the statistics count it as ``unanswered`` /
``UNANSWERED``. What survives is anonymous counts in ``stats`` (per day,
service, institution, kind, value) and the audit trail, which never held
personal data.

One purge, in one transaction:

1. answered inquiries whose last answer is past retention, with their answer
   rows, and unanswered ones past their deadline; links (``matches``) of
   accounts no remaining answer names, with the evidence kept for them
   (``match_evidence``); answered history inquiries (``followups``) past
   retention, unanswered ones past their deadline and unsent ones whose
   account is gone, with their ``transactions``; ``persons`` loaded before
   the cutoff that nothing (inquiry, link, follow-up) references any more,
   and their ``payments``;
2. the anonymous counts of all that into ``stats``, before it goes;
3. a deletion certificate (消去記録) — when, by whom, what period, how many
   records of each kind, and a SHA-256 of the deleted records' ids — kept in
   the store and written to ``reports/purge-<timestamp>.txt`` / ``.json``
   after the commit; its hashes go into the audit entry.

After the commit the store is ``VACUUM``-ed (``secure_delete`` already zeroes
deleted cells; the vacuum leaves no free page behind), so a purged name,
account number or address cannot be found in the store file's bytes. Report,
rejects and export files anywhere under ``reports/`` (and rejected answer
files under ``inbox/rejected/``, error logs under ``logs/``, a demo
workspace's generated ``office/``) last written on or before the cutoff are
deleted too, with the subfolders they leave empty: they hold the same
personal data. Request files still in ``outbox/`` at the unanswered deadline
(never sent) go with their inquiries. Kept: the deletion certificates and
``logs/audit.log`` (no personal data; the proof).

A purge killed at any point leaves the store as before or after; a vacuum or
certificate file that did not happen is done by the next purge (a flag and
the certificate are kept in ``meta``).

>>> from datetime import date
>>> cutoff_for(date(2026, 11, 23), 60)
datetime.date(2026, 9, 24)

The rooms: :mod:`~inquiry.steps.purge.due` (what is due, and the deleting),
:mod:`~inquiry.steps.purge.certificate` (the 消去記録) and
:mod:`~inquiry.steps.purge.step` (the command: statistics, certificate, vacuum).
"""

from __future__ import annotations

from inquiry.steps.purge.certificate import write_missing_certificates
from inquiry.steps.purge.due import RECORD_KINDS, Deleted
from inquiry.steps.purge.step import cutoff_for, purge, vacuum_if_pending

__all__ = ["RECORD_KINDS", "Deleted", "cutoff_for", "purge", "vacuum_if_pending", "write_missing_certificates"]
