"""``python -m benchmarks._main_thread OUT ARGS...``: the command ``inquiry ARGS...``, as ``python -m inquiry``
runs it, and then its main thread's CPU seconds written to the file ``OUT``.

Why: the store has one writing connection, in the main thread, so a step
cannot end sooner than its main thread's CPU time, however many cores
share the rest of its work. :mod:`benchmarks.cycle` shows that time beside
the step's whole CPU time. It is taken at exit (``atexit`` runs in the main
thread), so it is the whole command's, start-up and imports included.
Nothing of the product is changed: the same module runs as ``__main__``.
"""

from __future__ import annotations

import atexit
import runpy
import sys
import time
from pathlib import Path

__all__ = ["main"]


def main() -> None:
    out = Path(sys.argv[1])
    atexit.register(lambda: out.write_text(f"{time.thread_time():.6f}\n", encoding="ascii"))
    sys.argv = ["inquiry", *sys.argv[2:]]
    runpy.run_module("inquiry", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
