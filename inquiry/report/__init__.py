"""``inquiry report``: the supervisors' hit/no-hit report, as one HTML page and one xlsx workbook."""
