"""How every command runs, whatever it does: nothing here decides about inquiries.

``workspace`` (the folders and their permissions), ``settings``, ``store`` (SQLite,
one transaction per step) with its ``migrations`` and ``reader`` (fast reads in a
child process), ``lock``, ``crypto`` (SQLCipher), ``audit`` (the keyed chain),
``csvout`` (CSVs Excel opens) and ``step`` (:func:`inquiry.runtime.step.run_step`,
the one mechanism every command goes through).
"""
