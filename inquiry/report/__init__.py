"""``inquiry report``: the supervisors' hit/no-hit report, as one HTML page and one xlsx workbook.

Where each part lives: :mod:`~inquiry.report.model` (what a report is: Col,
Table, Chart, Report), :mod:`~inquiry.report.queries` (what it reads of the
store, through the shared views), :mod:`~inquiry.report.tables` and
:mod:`~inquiry.report.accounts` (the numbers), :mod:`~inquiry.report.html`,
:mod:`~inquiry.report.charts` and :mod:`~inquiry.report.xlsx` (the two files,
reading only the model; the page's CSS and script are in ``static/``),
:mod:`~inquiry.report.step` (build_report and the command).
"""
