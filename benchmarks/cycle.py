"""A year's cycle as users run it: every step a subprocess of the real ``inquiry`` CLI, timed.

``python -m benchmarks.cycle --persons N [--seed K] [--workdir DIR] [--keep] [--splink] [--json FILE]``
``python -m benchmarks.cycle --relink --workdir DIR [--splink]`` (again on a kept run's files)

What is measured is the command, not the function: start-up, imports
(from bytecode, as an installed product has it: :func:`compile_product`),
reading and writing files on disk, the store, the audit entry. The steps::

    init → prepare → (banks answer) → sent → ingest → match → followups
    → (banks answer the history inquiries) → sent → ingest → followups
    → report → export matches / outcomes / followups → purge (a year on)

The exports are written to ``WORKDIR/exports/`` (not ``reports/``, which
the purge empties), so with ``--keep`` two runs of the same ``--persons`` and
``--seed`` can be compared byte for byte before and after a change. Then, on
a copy of the same basic answer files, ``inquiry link`` as a whole
command and (``--splink``) a Splink 5 + DuckDB linker as a whole command
(:mod:`benchmarks.splink_link`). The office comes from the project's own
generator and the banks are :class:`sample_data.BankWorld`, both in
one helper process; neither is the product, so neither counts in the
product's total.

Each child's wall time, CPU time and peak RSS are its own: ``os.wait4``
gives the child's rusage on POSIX (``ru_maxrss``: KiB on Linux, bytes on
macOS), ``GetProcessMemoryInfo`` its peak working set on Windows; where
neither is there the column says ``n/a``. Each ``inquiry`` command also writes its
main thread's CPU time (:mod:`benchmarks._main_thread`), and the table
shows the step's floor on this machine's cores (:func:`floor_seconds`):
how far a step is from the least its work allows. Linux carries the parent's
high-water mark into a child across ``exec``, so this driver imports nothing
big (no polars): its own few tens of MB are the floor of every peak shown.

Load average is printed before and after: on a shared machine compare
numbers only within one run.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = ["Measure", "compile_product", "floor_seconds", "format_table", "main", "run_child", "run_cycle"]

ROOT = Path(__file__).resolve().parent.parent
#: retention of the default settings (protection.md: 60 days after the answer)
RETENTION_DAYS = 60


@dataclass
class Measure:
    """One row of the table: a child process and what it cost."""

    step: str
    exit_code: int
    seconds: float
    cpu_seconds: float | None
    peak_rss_mb: float | None
    product: bool = True
    log: str = ""
    #: the CPU seconds of the command's main thread (:mod:`benchmarks._main_thread`), where measured
    main_thread_seconds: float | None = None


def floor_seconds(row: Measure, cores: int) -> float | None:
    """The least wall time ``row``'s work could take on ``cores`` cores: its CPU time spread over every core,
    or its main thread's CPU time (the store's one writer), whichever is more.

    A step far above its floor loses time to waiting: a core idle, polars'
    threads working while the main thread waits for them, the disk. A step
    at its floor is made faster only by less work.

    >>> floor_seconds(Measure("ingest", 0, 9.2, 11.0, None, main_thread_seconds=6.6), 2)
    6.6
    >>> floor_seconds(Measure("report", 0, 4.9, 8.4, None, main_thread_seconds=0.9), 2)
    4.2
    >>> floor_seconds(Measure("(banks answer)", 0, 25.0, None, None), 2) is None
    True
    """
    if row.cpu_seconds is None:
        return None
    return max(row.cpu_seconds / cores, row.main_thread_seconds or 0.0)


# -- measuring a child ------------------------------------------------------------
def _windows_peak_mb(proc: subprocess.Popen) -> float | None:
    """Peak working set of a finished child on Windows (its handle is still open)."""
    try:
        import ctypes
        from ctypes import wintypes

        class Counters(ctypes.Structure):
            _fields_ = [
                ("cb", wintypes.DWORD),
                ("PageFaultCount", wintypes.DWORD),
                ("PeakWorkingSetSize", ctypes.c_size_t),
                ("WorkingSetSize", ctypes.c_size_t),
                ("QuotaPeakPagedPoolUsage", ctypes.c_size_t),
                ("QuotaPagedPoolUsage", ctypes.c_size_t),
                ("QuotaPeakNonPagedPoolUsage", ctypes.c_size_t),
                ("QuotaNonPagedPoolUsage", ctypes.c_size_t),
                ("PagefileUsage", ctypes.c_size_t),
                ("PeakPagefileUsage", ctypes.c_size_t),
            ]

        counters = Counters()
        counters.cb = ctypes.sizeof(Counters)
        ok = ctypes.windll.psapi.GetProcessMemoryInfo(int(proc._handle), ctypes.byref(counters), counters.cb)  # type: ignore[attr-defined]
        return counters.PeakWorkingSetSize / 2**20 if ok else None
    except Exception:
        return None


def run_child(step: str, argv: list[str], log: Path, *, product: bool = True, main_thread: Path | None = None) -> Measure:
    """Run ``argv`` to the end, output to ``log``; its wall time, CPU time and peak RSS, and its main thread's
    CPU time from the file ``main_thread`` where the command wrote it (:mod:`benchmarks._main_thread`)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
        cpu = peak = None
        if hasattr(os, "wait4"):
            _, status, usage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - started
            proc.returncode = os.waitstatus_to_exitcode(status)
            cpu = usage.ru_utime + usage.ru_stime
            peak = usage.ru_maxrss / (2**20 if sys.platform == "darwin" else 2**10)
        else:
            proc.wait()
            seconds = time.perf_counter() - started
            if os.name == "nt":
                peak = _windows_peak_mb(proc)
    main = float(main_thread.read_text(encoding="ascii")) if main_thread is not None and main_thread.exists() else None
    return Measure(step, proc.returncode, seconds, cpu, peak, product, str(log), main)


# -- the office and the banks, in a helper process ---------------------------------
def _banks(persons: int, seed: int, office_dir: Path) -> int:
    """Helper process: generate the office, write its files, then answer outboxes on request.

    Protocol on stdin/stdout, one JSON value a line, ASCII only (``\\u`` escapes:
    no console encoding can garble a path or 新宿区): first ``{"inputs": ...,
    "as_of", "municipality_code", "municipality_name"}``; then for each
    ``"HOME"`` read, every request file waiting in ``HOME/outbox`` is answered
    into ``HOME/inbox`` and ``{"requests": [...]}`` is written back. Ends at
    end of input. The office is generated once and kept, as the banks' state
    (strangers already returned) must be.
    """
    from sample_data import BankWorld, generate_office

    office = generate_office(persons, seed=seed)
    inputs = office.write(office_dir)
    world = BankWorld.from_office(office, seed=seed)
    hello = {
        "inputs": {k: str(v) for k, v in inputs.items()},
        "as_of": office.as_of.isoformat(),
        "municipality_code": office.municipality_code,
        "municipality_name": office.municipality_name,
    }
    print(json.dumps(hello), flush=True)
    for line in sys.stdin:
        home = Path(json.loads(line))
        requests = world.answer_outbox(home / "outbox", home / "inbox")
        print(json.dumps({"requests": [str(r) for r in requests]}), flush=True)
    return 0


class _BankProcess:
    """The helper process of :func:`_banks`, driven line by line."""

    def __init__(self, persons: int, seed: int, office_dir: Path, log: Path) -> None:
        log.parent.mkdir(parents=True, exist_ok=True)
        self._log = log.open("wb")
        argv = [sys.executable, "-m", "benchmarks.cycle", "--role", "banks", "--persons", str(persons), "--seed", str(seed), "--workdir", str(office_dir)]
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log, cwd=ROOT, text=True, encoding="ascii"
        )

    def read(self) -> dict:
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        if not line:
            raise RuntimeError(f"the simulated office/banks process ended (exit {self.proc.wait()}); see {self._log.name}")
        return json.loads(line)

    def answer(self, home: Path) -> list[Path]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(str(home)) + "\n")
        self.proc.stdin.flush()
        return [Path(p) for p in self.read()["requests"]]

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()
        self._log.close()


# -- the cycle ------------------------------------------------------------------
def _load() -> str:
    if hasattr(os, "getloadavg"):
        one, five, fifteen = os.getloadavg()
        return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f}"
    return "load average n/a"


def _machine() -> str:
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text(encoding="ascii").split("\n", 1)[0].split()[1])
        memory = f", {kib / 2**20:.0f} GiB RAM"
    return f"{os.cpu_count()} CPUs{memory}, {platform.system()} {platform.machine()}, Python {platform.python_version()}"


class _Steps:
    """The rows of one run, each step's output in ``logs/NN-step.log``."""

    def __init__(self, logs: Path, echo: bool) -> None:
        self.rows: list[Measure] = []
        self.logs, self.echo = logs, echo

    def add(self, row: Measure) -> None:
        self.rows.append(row)
        if self.echo:
            print(f"  {row.step:<36} exit {row.exit_code}  {row.seconds:8.2f} s  {_mb(row.peak_rss_mb):>8} MB", flush=True)

    def inquiry(self, name: str, args: list[str], *, product: bool = True) -> bool:
        """Run ``inquiry ARGS``, its main thread's CPU time measured too; False when it failed (exit 2 or more)."""
        thread_file = self.logs / f"{len(self.rows):02d}-main-thread.txt"
        thread_file.unlink(missing_ok=True)
        return self.run(name, [sys.executable, "-m", "benchmarks._main_thread", str(thread_file), *args], product=product, main_thread=thread_file)

    def run(self, name: str, argv: list[str], *, product: bool = True, main_thread: Path | None = None) -> bool:
        """Run one command; False when it failed (exit 2 or more)."""
        log = self.logs / f"{len(self.rows):02d}-{name.replace(' ', '-').replace('(', '').replace(')', '')}.log"
        row = run_child(name, argv, log, product=product, main_thread=main_thread)
        self.add(row)
        if row.exit_code >= 2:
            tail = Path(row.log).read_text(encoding="utf-8", errors="replace")[-2000:]
            print(f"{name} failed (exit {row.exit_code}); the end of {row.log}:\n{tail}", file=sys.stderr)
        return row.exit_code < 2


#: the packages the commands run (from this checkout: the children start in :data:`ROOT`)
PRODUCT_PACKAGES = ("inquiry", "formats", "matching")


def compile_product() -> None:
    """Compile the product's modules to bytecode before the first timed command, as ``pip install`` does.

    An installed product runs from bytecode made at install time. A checkout
    has none until a command writes it, and none is ever written where
    ``PYTHONDONTWRITEBYTECODE`` is set (as on the development machine): every
    command then compiled the ~40 modules it imports from source, about 75 ms
    that no office pays.
    """
    for package in PRODUCT_PACKAGES:
        compileall.compile_dir(ROOT / package, quiet=1)


def run_cycle(
    persons: int, seed: int, workdir: Path, *, splink: bool = False, echo: bool = True, keep_store: bool = False
) -> list[Measure]:
    """Every step of the cycle as a subprocess, on files in ``workdir``; the rows of the table.

    Stops after a step that exits with 2 (a failed step leaves the rest
    meaningless); exit 1 (done, with rejects) goes on.
    """
    home, answers = workdir / "home", workdir / "basic-answers"
    steps = _Steps(workdir / "logs", echo)

    def step(name: str, args: list[str]) -> bool:
        return steps.inquiry(name, args)

    started = time.perf_counter()
    banks = _BankProcess(persons, seed, workdir / "office", workdir / "logs" / "banks.log")
    try:
        office = banks.read()
        steps.add(Measure("(generate the office)", 0, time.perf_counter() - started, None, None, product=False))
        inputs, h = office["inputs"], ["--home", str(home)]

        def answer(name: str) -> list[Path]:
            t = time.perf_counter()
            requests = banks.answer(home)
            steps.add(Measure(f"({name}: {len(requests)} files)", 0, time.perf_counter() - t, None, None, product=False))
            return requests

        ok = step("init", ["init", *h, "--municipality", office["municipality_code"], "--name", office["municipality_name"]])
        ok = ok and step("prepare", ["prepare", *h, "--master", inputs["master"], "--institutions", inputs["institutions"],
                                     "--payments", inputs["payments"], "--as-of", office["as_of"]])  # fmt: skip
        if not ok:
            return steps.rows
        requests = answer("banks answer")
        answers.mkdir(parents=True, exist_ok=True)
        basic = sorted(p for p in (home / "inbox").iterdir() if p.is_file())
        for p in basic:  # ingest deletes what it took in; inquiry link reads the same files afterwards
            shutil.copy2(p, answers / p.name)
        ok = step("sent", ["sent", *h, *map(str, requests)]) and step("ingest", ["ingest", *h])
        ok = ok and step("match", ["match", *h]) and step("followups", ["followups", *h])
        if not ok:
            return steps.rows
        history = answer("banks answer histories")
        banks.close()  # its memory is not the product's
        if history:
            ok = step("sent (histories)", ["sent", *h, *map(str, history)]) and step("ingest (histories)", ["ingest", *h])
            ok = ok and step("followups (summaries)", ["followups", *h])
        ok = ok and step("report", ["report", *h])
        for what in ("matches", "outcomes", "followups"):  # kept out of reports/, which the purge empties
            ok = ok and step(f"export {what}", ["export", what, *h, "--out", str(workdir / "exports" / f"{what}.csv")])
        if keep_store and ok:  # a year's full store, for timing the store's commands again without a new cycle
            shutil.copytree(home, workdir / "home-before-purge", dirs_exist_ok=True)
        a_year_on = dt.date.today() + dt.timedelta(days=RETENTION_DAYS + 1)  # everything answered today is past retention
        ok = ok and step("purge", ["purge", *h, "--as-of", a_year_on.isoformat()])
        run_links(workdir, steps, splink=splink)
    finally:
        banks.close()
    return steps.rows


def run_links(workdir: Path, steps: _Steps, *, splink: bool) -> None:
    """``inquiry link`` (and Splink) as whole commands on the run's master and basic answer files.

    Also on its own (``--relink``) on a kept workdir: the same files timed
    again, without generating the office anew.
    """
    files = sorted((workdir / "basic-answers").iterdir())
    responses = [arg for p in files for arg in ("--responses", str(p))]
    link_args = ["--master", str(workdir / "office" / "master.csv"), *responses]
    steps.inquiry("inquiry link", ["link", *link_args, "--out", str(workdir / "link" / "matches.csv")], product=False)
    if splink:
        splink_link = [sys.executable, "-m", "benchmarks.splink_link"]
        steps.run("splink link", [*splink_link, *link_args, "--out", str(workdir / "link" / "splink.csv")], product=False)


def _mb(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.0f}"


def _seconds(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def format_table(rows: list[Measure], cores: int | None = None) -> str:
    """A Markdown table of the rows and the product's total (for the terminal and docs/performance.md).

    Beside each command's wall time: its CPU time, its main thread's and
    its floor on ``cores`` cores (:func:`floor_seconds`; default: this
    machine's).
    """
    cores = cores or os.cpu_count() or 1
    lines = [
        f"| step | exit | wall s | CPU s | main thread s | floor s ({cores} cores) | peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]

    def cells(r: Measure) -> str:
        return f"{_seconds(r.cpu_seconds)} | {_seconds(r.main_thread_seconds)} | {_seconds(floor_seconds(r, cores))}"

    cycle = [r for r in rows if r.step not in ("inquiry link", "splink link")]
    for r in cycle:
        lines.append(f"| {r.step if r.product else f'*{r.step}*'} | {r.exit_code} | {r.seconds:.2f} | {cells(r)} | {_mb(r.peak_rss_mb) if r.product else ''} |")
    product = [r for r in cycle if r.product]
    if product:
        peaks = [r.peak_rss_mb for r in product if r.peak_rss_mb is not None]

        def total(values: list[float | None]) -> str:
            return "" if any(v is None for v in values) else f"{sum(v for v in values if v is not None):.1f}"

        totals = f"{total([r.cpu_seconds for r in product])} | {total([r.main_thread_seconds for r in product])} | {total([floor_seconds(r, cores) for r in product])}"
        lines.append(f"| **product total** ({len(product)} commands) | {max(r.exit_code for r in product)} | "
                     f"**{sum(r.seconds for r in product):.2f}** | {totals} | {_mb(max(peaks)) if peaks else 'n/a'} (max) |")  # fmt: skip
    for r in rows:
        if r not in cycle:
            lines.append(f"| {r.step} (same answer files) | {r.exit_code} | {r.seconds:.2f} | {cells(r)} | {_mb(r.peak_rss_mb)} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cycle", description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, help="persons in the synthetic office (M: 52668)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, help="an empty or new folder for the run (default: a new temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep the workdir (workspace, answer files, logs) afterwards, and a copy of the store before the purge in home-before-purge/")
    parser.add_argument("--splink", action="store_true", help="also time a Splink linker as a whole command (needs the [splink] extra)")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    parser.add_argument("--relink", action="store_true", help="only time inquiry link (and --splink) again on a kept --workdir's files")
    parser.add_argument("--role", choices=["banks"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.role == "banks":
        return _banks(args.persons, args.seed, args.workdir)
    compile_product()  # once, before anything is timed (a cycle and its links, or --relink alone)

    if args.relink:
        if args.workdir is None or not (args.workdir / "basic-answers").is_dir():
            print("--relink needs the --workdir of a run kept with --keep", file=sys.stderr)
            return 2
        print(f"{_machine()}; the files of {args.workdir}\nbefore: {_load()}", flush=True)
        steps = _Steps(args.workdir / "logs", echo=True)
        run_links(args.workdir, steps, splink=args.splink)
        print(f"after: {_load()}", flush=True)
        return _finish(steps.rows, args.json)
    if args.persons is None:
        parser.error("--persons is required")
    if args.workdir is None:
        workdir = Path(tempfile.mkdtemp(prefix=f"inquiry-cycle-{args.persons}-"))
    else:
        workdir = args.workdir
        if workdir.exists() and any(workdir.iterdir()):
            print(f"{workdir} is not empty: give a new or empty --workdir", file=sys.stderr)
            return 2
        workdir.mkdir(parents=True, exist_ok=True)
    print(f"{_machine()}; {args.persons:,} persons, seed {args.seed}; workdir {workdir}", flush=True)
    print(f"before: {_load()}", flush=True)
    rows = run_cycle(args.persons, args.seed, workdir, splink=args.splink, keep_store=args.keep)
    print(f"after: {_load()}", flush=True)
    worst = _finish(rows, args.json)
    if args.keep or worst >= 2:
        print(f"kept: {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return worst


def _finish(rows: list[Measure], json_out: Path | None) -> int:
    """Print the table, write the JSON; the worst exit code (2 when nothing ran)."""
    print(format_table(rows))
    if json_out:
        json_out.write_text(json.dumps([asdict(r) for r in rows], indent=1), encoding="utf-8")
    return max((r.exit_code for r in rows), default=2)


if __name__ == "__main__":
    sys.exit(main())
