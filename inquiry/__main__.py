"""``python -m inquiry`` — same as the ``inquiry`` command."""

from inquiry.cli import main

main()
