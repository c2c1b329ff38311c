"""A stage clock: seconds (wall and CPU) and memory of each stage of a long run.

``link()`` at L runs for minutes and holds gigabytes; where the time and the
memory go is read stage by stage, not off a curve. Turned on by the logger
``matching.stages`` at DEBUG (``inquiry link`` does so when the environment
variable ``INQUIRY_STAGES`` is set): each stage then logs one line, e.g.
``score  wall 1.92 s  cpu 3.10 s  rss 2,914 MB  peak 3,020 MB``. Off, it costs
one ``perf_counter`` per stage.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

__all__ = ["STAGES", "StageClock", "memory_mb"]

STAGES = logging.getLogger("matching.stages")
_STATUS = Path("/proc/self/status")


def memory_mb() -> tuple[int, int] | None:
    """``(resident, peak resident)`` of this process in MB, None where the system does not say
    (``/proc`` is Linux's; the peak is the kernel's high-water mark, so it catches the highs between stages)."""
    try:
        lines = _STATUS.read_text(encoding="ascii", errors="replace").splitlines()
    except OSError:
        return None
    kb = {k: int(v.split()[0]) for k, _, v in (line.partition(":") for line in lines) if k in ("VmRSS", "VmHWM")}
    if len(kb) < 2:
        return None
    return kb["VmRSS"] // 1024, kb["VmHWM"] // 1024


class StageClock:
    """Adds the seconds since the last call to ``timings[stage]`` (when given) and logs the stage
    on :data:`STAGES` (when enabled at DEBUG) with its wall and CPU seconds and the memory after it."""

    def __init__(self, timings: dict[str, float] | None = None) -> None:
        self.timings = timings
        self.last, self.last_cpu = time.perf_counter(), time.process_time()

    def __call__(self, stage: str) -> None:
        now = time.perf_counter()
        if self.timings is not None:
            self.timings[stage] = self.timings.get(stage, 0.0) + now - self.last
        if STAGES.isEnabledFor(logging.DEBUG):
            cpu = time.process_time()
            memory = memory_mb()
            held = f"  rss {memory[0]:,} MB  peak {memory[1]:,} MB" if memory else ""
            STAGES.debug("%-14s wall %6.2f s  cpu %6.2f s%s", stage, now - self.last, cpu - self.last_cpu, held)
            self.last_cpu = cpu
        self.last = now
