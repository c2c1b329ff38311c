"""Every command's output on a fixed-seed office, for comparing two versions byte for byte.

``python -m benchmarks.snapshot DIR [--persons N] [--seed K]`` runs the whole
cycle through the real CLI — init, prepare, sent, ingest, match, followups,
the history round, report, every export, the review sheet, the seizure plan
(plan → sheet → import → list), payments, audit verify, ``inquiry link``,
purge — and keeps in ``DIR/out/`` what a user sees: each command's screen
output (``NN-command.txt``) and exit code, every file it wrote (request files,
exports, reports, rejects, certificates) and a dump of the store's tables.
Times, durations, temp paths and the workspace's random keys are masked, so
two runs of the same version give the same bytes.

``python -m benchmarks.snapshot --compare A B`` lists every file that differs
between two snapshots and exits 1 if any does. This is how a restructuring is
checked to change nothing (issue #11): snapshot before, snapshot after,
compare.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from benchmarks.cycle import ROOT, _BankProcess

__all__ = ["compare", "main", "snapshot"]

_MASKS = [
    (re.compile(rb"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:?\d{2}|Z)?"), b"<datetime>"),
    (re.compile(rb"\d{8}[-_]\d{6}(\d*)"), b"<stamp>"),
    (re.compile(rb"\d{4}\xe5\xb9\xb4\d{1,2}\xe6\x9c\x88\d{1,2}\xe6\x97\xa5 \d{1,2}:\d{2}(:\d{2})?"), b"<datetime>"),
    (re.compile(rb"\b\d{4}-\d{2}-\d{2} \d{2}:\d{2}\b"), b"<datetime>"),
    (re.compile(rb"\b\d{1,2}:\d{2}:\d{2}\b"), b"<time>"),
    (re.compile(rb"\d+(\.\d+)? ?(s|ms|\xe7\xa7\x92)\b"), b"<duration>"),
    (re.compile(rb"\b[0-9a-f]{64}\b"), b"<sha256>"),
    (re.compile(rb"\b(fp)?[0-9a-f]{16}\b"), b"<token>"),  # sheet fingerprints: keyed by the workspace's random key
]


def _mask(data: bytes, workdir: Path) -> bytes:
    data = data.replace(str(workdir).encode(), b"<workdir>").replace(str(ROOT).encode(), b"<repo>")
    for pattern, repl in _MASKS:
        data = pattern.sub(repl, data)
    return data


def _dump_store(db: Path, out: Path, workdir: Path) -> None:
    """Every table's rows, sorted, as JSON lines, masked like every other output."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    lines: list[str] = []
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        for table in tables:
            cols = [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')]
            rows = [json.dumps(dict(zip(cols, row)), ensure_ascii=False, default=str, sort_keys=True)
                    for row in con.execute(f'SELECT * FROM "{table}"')]  # fmt: skip
            masked = sorted(_mask(row.encode("utf-8"), workdir).decode("utf-8") for row in rows)
            lines += [f"## {table} ({len(rows)} rows)", *masked]
    finally:
        con.close()
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def snapshot(workdir: Path, persons: int, seed: int) -> Path:
    """Run every command on a new office in ``workdir``; return the folder of masked outputs."""
    home, out = workdir / "home", workdir / "out"
    out.mkdir(parents=True)
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb", "PYTHONIOENCODING": "utf-8"}
    env.pop("INQUIRY_HOME", None)
    counter = iter(range(1000))

    def run(name: str, *args: str) -> int:
        proc = subprocess.run([sys.executable, "-m", "inquiry", *args], capture_output=True, env=env, cwd=ROOT)
        text = _mask(proc.stdout + b"\n--- stderr ---\n" + proc.stderr, workdir)
        (out / f"{next(counter):02d}-{name}.txt").write_bytes(text + f"\nexit {proc.returncode}\n".encode())
        return proc.returncode

    banks = _BankProcess(persons, seed, workdir / "office", workdir / "banks.log")
    try:
        office = banks.read()
        inputs, h = office["inputs"], ["--home", str(home)]
        run("init", "init", *h, "--municipality", office["municipality_code"], "--name", office["municipality_name"])
        run("prepare", "prepare", *h, "--master", inputs["master"], "--institutions", inputs["institutions"],
            "--payments", inputs["payments"], "--as-of", office["as_of"])  # fmt: skip
        _keep(home / "outbox", out / "outbox-basic", workdir)
        requests = banks.answer(home)
        answers = workdir / "answers"
        shutil.copytree(home / "inbox", answers)
        run("sent", "sent", *h, *map(str, requests))
        run("ingest", "ingest", *h)
        run("match", "match", *h)
        run("followups", "followups", *h)
        _keep(home / "outbox", out / "outbox-history", workdir)
        history = banks.answer(home)
        run("sent-histories", "sent", *h, *map(str, history))
        run("ingest-histories", "ingest", *h)
        run("followups-summaries", "followups", *h)
        run("review-export", "review", "export", *h, "--out", str(workdir / "review.csv"))
        run("report", "report", *h)
        for what in ("matches", "outcomes", "followups"):
            run(f"export-{what}", "export", what, *h, "--out", str(workdir / "exports" / f"{what}.csv"))
        execute_on = (dt.date.today() + dt.timedelta(days=14)).isoformat()
        run("seize-plan", "seize", "plan", *h, "--execute-on", execute_on)
        sheet = workdir / "seize-sheet.csv"
        run("seize-export", "seize", "export", *h, "--out", str(sheet))
        if sheet.exists():
            _select_all(sheet)
            run("seize-import", "seize", "import", *h, str(sheet))
        run("export-seizures", "export", "seizures", *h, "--out", str(workdir / "exports" / "seizures.csv"))
        run("payments-load", "payments", "load", *h, inputs["payments"])
        run("audit-verify", "audit", "verify", *h)
        link_args = [a for p in sorted(answers.iterdir()) for a in ("--responses", str(p))]
        run("link", "link", "--master", inputs["master"], *link_args, "--out", str(workdir / "link" / "matches.csv"))
        _dump_store(home / "store.sqlite3", out / "store-before-purge.jsonl", workdir)
        _keep(home / "reports", out / "reports", workdir)
        for folder in ("exports", "link"):
            _keep(workdir / folder, out / folder, workdir)
        _keep_file(workdir / "review.csv", out / "review.csv", workdir)
        _keep_file(sheet, out / "seize-sheet.csv", workdir)
        run("purge", "purge", *h, "--as-of", (dt.date.today() + dt.timedelta(days=61)).isoformat())
        run("audit-verify-after", "audit", "verify", *h)
        _dump_store(home / "store.sqlite3", out / "store-after-purge.jsonl", workdir)
    finally:
        banks.close()
    return out


def _select_all(sheet: Path) -> None:
    """Play the staff member as ``inquiry demo`` does: select each candidate with no finding."""
    import polars as pl

    from inquiry.steps.seize import SELECT, STAFF

    rows = pl.read_csv(sheet, infer_schema=False)
    rows = rows.with_columns(pl.when(pl.col("確認事項").is_null()).then(pl.lit("○")).alias(SELECT), pl.col(STAFF).fill_null("職員"))
    sheet.write_bytes(b"\xef\xbb\xbf" + rows.write_csv(line_terminator="\r\n").encode("utf-8"))


def _keep_file(src: Path, dst: Path, workdir: Path) -> None:
    if src.is_file():
        dst.parent.mkdir(parents=True, exist_ok=True)
        data = src.read_bytes()
        dst.write_bytes(data if src.suffix in (".xlsx",) else _mask(data, workdir))


def _keep(src: Path, dst: Path, workdir: Path) -> None:
    """Copy a folder's files with masked names and contents (xlsx: its parts' texts)."""
    if not src.is_dir():
        return
    for path in sorted(p for p in src.rglob("*") if p.is_file()):
        name = _mask(str(path.relative_to(src)).encode(), workdir).decode()
        target = dst / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".xlsx":
            import zipfile

            with zipfile.ZipFile(path) as z:
                parts = b"".join(f"== {n}\n".encode() + _mask(z.read(n), workdir) + b"\n" for n in sorted(z.namelist()))
            target.with_suffix(".xlsx.txt").write_bytes(parts)
        elif path.suffix == ".gz":
            import gzip

            target.write_bytes(_mask(gzip.decompress(path.read_bytes()), workdir))
        else:
            target.write_bytes(_mask(path.read_bytes(), workdir))


def compare(a: Path, b: Path) -> list[str]:
    """The relative paths that differ (or exist on one side only) between two snapshots."""

    def digests(root: Path) -> dict[str, str]:
        return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()}

    da, db = digests(a), digests(b)
    return sorted(k for k in da.keys() | db.keys() if da.get(k) != db.get(k))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.snapshot", description=__doc__.split("\n\n")[0])
    parser.add_argument("workdir", type=Path, nargs="?")
    parser.add_argument("--persons", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--compare", type=Path, nargs=2, metavar=("A", "B"))
    args = parser.parse_args(argv)
    if args.compare:
        diff = compare(*args.compare)
        for name in diff:
            print(f"differs: {name}")
        print(f"{len(diff)} files differ" if diff else "identical")
        return 1 if diff else 0
    if args.workdir is None or (args.workdir.exists() and any(args.workdir.iterdir())):
        parser.error("give a new or empty workdir")
    out = snapshot(args.workdir.resolve(), args.persons, args.seed)
    print(f"{sum(1 for p in out.rglob('*') if p.is_file())} files in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
