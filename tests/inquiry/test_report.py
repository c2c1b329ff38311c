"""The supervisors' report: the numbers a supervisor reads are the store's, in a real browser.

A synthetic year (``_store_fixture``) goes through ``inquiry report``; the
HTML is opened in headless Chromium (the page's script must unpack its data
and rebuild every table), and the numbers shown — classes, hits, total hit
balance, answers per service — are checked against the store with SQL of
their own, and against the xlsx workbook. The page must reference nothing
outside itself.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from inquiry.cli import app
from inquiry.report import accounts as account_tables_module
from inquiry.report import queries
from inquiry.report.html import payload, render_html
from inquiry.report.step import build_report
from inquiry.report.xlsx import write_xlsx
from inquiry.runtime.store import Store
from inquiry.runtime.workspace import Workspace
from inquiry.steps.exports import matches_frame, outcomes_frame
from inquiry.vocabulary import CLASS_LABELS, EVIDENCE_LABELS
from tests.inquiry._store_fixture import TODAY, make_workspace

NOW = datetime(TODAY.year, TODAY.month, TODAY.day, 18, 0)
CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="headless Chromium not installed (Debian package 'chromium'): cannot render the report")

EFFECTIVE_CLASS = """
    CASE WHEN decision = 'accept' THEN 'CONFIRMED' WHEN decision = 'reject' THEN 'UNMATCHED' ELSE class END
"""


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    home = make_workspace(tmp_path_factory.mktemp("report") / "ws", persons=400)
    with Store(home / "store.sqlite3") as store, store.transaction():
        # text typed at a bank counter must stay text: in the page and in the workbook
        key = store.scalar("SELECT account_key FROM matches WHERE class = 'HOMONYM' ORDER BY account_key LIMIT 1")
        store.conn.execute(
            "UPDATE answers SET holder_address = '=HYPERLINK(\"x\")<script>alert(1)</script>' WHERE account_key = ?", (key,)
        )
    result = CliRunner().invoke(app, ["report", "--home", str(home), "--operator", "監督 花子"])
    assert result.exit_code == 0, result.output
    html = next((home / "reports").glob("report-*.html"))
    xlsx = next((home / "reports").glob("report-*.xlsx"))
    return home, html, xlsx


def _store(home: Path) -> Store:
    return Store(home / "store.sqlite3")


def _expected(home: Path) -> dict[str, int]:
    """The numbers, straight from the store (not through the report's code)."""
    with _store(home) as s:
        by_class = dict(s.conn.execute(f"SELECT {EFFECTIVE_CLASS} AS c, count(*) FROM matches GROUP BY c").fetchall())
        hit_balance = s.scalar(
            f"""SELECT sum(a.balance_yen) FROM matches m JOIN answers a ON a.rowid =
                  (SELECT min(rowid) FROM answers x WHERE x.account_key = m.account_key AND x.answer = 'found')
                WHERE {EFFECTIVE_CLASS} IN ('CONFIRMED', 'PROBABLE')"""
        )
        inquiries = s.scalar("SELECT count(*) FROM inquiries")
    out = {c: int(by_class.get(c, 0)) for c in ("CONFIRMED", "PROBABLE", "REVIEW", "HOMONYM", "UNMATCHED")}
    out.update(hits=out["CONFIRMED"] + out["PROBABLE"], hit_balance=int(hit_balance or 0), inquiries=int(inquiries))
    return out


def _chromium(*args: str, tmp: Path) -> subprocess.CompletedProcess[str]:
    profile = tmp / "profile"
    profile.mkdir(exist_ok=True)
    cmd = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}",
        "--virtual-time-budget=15000", *args,
    ]  # fmt: skip
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


def _kpi(dom: str, key: str) -> int:
    m = re.search(rf'id="kpi-{key}" data-v="(-?\d+)"', dom)
    assert m, f"KPI {key} not on the page"
    return int(m.group(1))


def _row_values(dom: str, table: str, row: str) -> list[str]:
    """The numeric cells (data-v) of one row of one table."""
    body = re.search(rf'<table data-table="{table}".*?</table>', dom, re.S)
    assert body, f"table {table} not on the page"
    tr = re.search(rf'<tr data-row="{re.escape(row)}"[^>]*>(.*?)</tr>', body.group(0), re.S)
    assert tr, f"row {row} not in table {table}"
    return re.findall(r'data-v="([^"]*)"', tr.group(1))


@needs_chromium
def test_browser_shows_the_store_numbers(made: tuple[Path, Path, Path], tmp_path: Path) -> None:
    home, html, _ = made
    shot = tmp_path / "report.png"
    run = _chromium(f"--screenshot={shot}", "--window-size=1280,2000", html.as_uri(), tmp=tmp_path)
    assert shot.exists() and shot.stat().st_size > 20_000, run.stderr[-2000:]
    shutil.copy(shot, home / "reports" / "screenshot.png")  # for a person to look at

    dom = _chromium("--dump-dom", html.as_uri(), tmp=tmp_path).stdout
    assert 'data-ready="1"' in dom, "the page script did not unpack its data"
    want = _expected(home)
    assert _kpi(dom, "hits") == want["hits"]
    assert _kpi(dom, "hit_balance") == want["hit_balance"]
    assert _kpi(dom, "inquiries") == want["inquiries"]
    assert _kpi(dom, "review") == want["REVIEW"]
    for cls in ("CONFIRMED", "PROBABLE", "REVIEW", "HOMONYM", "UNMATCHED"):
        assert int(_row_values(dom, "classes", cls)[0]) == want[cls], cls
    # the hits table was rebuilt by the script: every hit counted, largest balance first
    assert re.search(rf'data-count="{want["hits"]}"', dom)
    hits = re.search(r'<table data-table="hits".*?<tbody>(.*?)</tbody>', dom, re.S).group(1)  # type: ignore[union-attr]
    balances = [int(v) for v in re.findall(r'<td class="n" data-v="(\d+)">[\d,]+</td><td class="d">', hits)]
    assert balances and balances == sorted(balances, reverse=True)


@needs_chromium
def test_person_detail_one_click_from_a_hit(made: tuple[Path, Path, Path], tmp_path: Path) -> None:
    home, html, _ = made
    with _store(home) as s:
        person, n_inq, name = s.conn.execute(
            f"""SELECT m.person_id, (SELECT count(*) FROM inquiries i WHERE i.person_id = m.person_id), p.name_kanji
                FROM matches m JOIN persons p ON p.person_id = m.person_id
                WHERE {EFFECTIVE_CLASS} = 'CONFIRMED' ORDER BY m.account_key LIMIT 1"""
        ).fetchone()
    dom = _chromium("--dump-dom", html.as_uri() + f"#p-{person}", tmp=tmp_path).stdout
    dialog = re.search(r'<dialog id="person".*?</dialog>', dom, re.S).group(0)  # type: ignore[union-attr]
    assert f"宛名番号 {person}" in dialog and name in dialog
    assert f"照会と回答 ({n_inq} 件)" in dialog
    assert "該当口座" in dialog  # the accounts naming them


def test_page_references_nothing_outside_itself(made: tuple[Path, Path, Path]) -> None:
    page = made[1].read_text(encoding="utf-8")
    assert "http://" not in page and "https://" not in page
    assert not re.search(r"url\(|@import|<link\b|<iframe\b|<img\b", page)
    for attr in re.findall(r'(?:src|href|action)="([^"]*)"', page):
        assert attr.startswith("#"), attr
    assert "//" not in "".join(re.findall(r'(?:src|href)=\S+', page))
    assert "default-src 'none'" in page  # and the browser is told to refuse any request


def test_purpose_and_untrusted_text(made: tuple[Path, Path, Path]) -> None:
    page = made[1].read_text(encoding="utf-8")
    assert "滞納整理" in page and "利用目的" in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the tampered holder address, shown as text


def test_workbook_holds_the_same_numbers(made: tuple[Path, Path, Path]) -> None:
    home, html, xlsx = made
    want = _expected(home)
    classes = pl.read_excel(xlsx, sheet_name="分類")
    got = dict(zip(classes["分類"], classes["口座数"]))
    for cls in ("CONFIRMED", "PROBABLE", "REVIEW", "HOMONYM", "UNMATCHED"):
        assert got[cls] == want[cls]
    page = html.read_text(encoding="utf-8")
    assert int(_row_values(page, "classes", "CONFIRMED")[0]) == got["CONFIRMED"]
    hits = pl.read_excel(xlsx, sheet_name="該当口座")
    assert hits.height == want["hits"] == _kpi(page, "hits")
    assert hits["残高 (円)"].sum() == want["hit_balance"]
    assert hits["残高 (円)"].to_list() == sorted(hits["残高 (円)"].to_list(), reverse=True)
    assert hits.schema["最終取引日"] == pl.Date
    with zipfile.ZipFile(xlsx) as z:
        names = z.namelist()
        hits_xml = z.read("xl/worksheets/sheet7.xml").decode("utf-8")
        every_sheet = "".join(z.read(n).decode("utf-8") for n in names if n.startswith("xl/worksheets/"))
    assert "xl/worksheets/sheet18.xml" in names and "xl/worksheets/sheet19.xml" not in names  # overview + 13 tables + 4 of the seizure plan
    assert 'ySplit="1"' in hits_xml and 'state="frozen"' in hits_xml  # header row frozen
    assert "<autoFilter " in hits_xml
    assert "'=HYPERLINK" in every_sheet  # neutralised, and an inline string: never a live formula
    assert "<f>" not in every_sheet
    assert "&lt;script&gt;" in every_sheet


def test_review_backlog_shows_each_candidates_stored_evidence(made: tuple[Path, Path, Path]) -> None:
    """The 要確認 sheet shows, per candidate, the evidence link() kept (match_evidence), in candidate order."""
    home, _, xlsx = made
    with _store(home) as s:
        rows = s.conn.execute(
            "SELECT m.account_key, e.person_id, e.class, e.score, e.name_evidence, e.dob_evidence, e.address_evidence "
            "FROM matches m JOIN match_evidence e ON e.account_key = m.account_key "
            "WHERE m.class = 'REVIEW' AND m.decision IS NULL ORDER BY m.account_key, e.rank"
        ).fetchall()
    want: dict[str, list[str]] = {}
    for key, pid, cls, score, n, d, a in rows:
        ev = f"氏名:{EVIDENCE_LABELS['name'][n]} 生年月日:{EVIDENCE_LABELS['dob'][d]} 住所:{EVIDENCE_LABELS['address'][a]}"
        want.setdefault(key, []).append(f"{pid} {CLASS_LABELS[cls]} {round(score, 2)} ({ev})")
    sheet = pl.read_excel(xlsx, sheet_name="要確認", infer_schema_length=0)
    cells = sheet["候補者ごとの根拠 (名寄せ時)"].to_list()
    assert len(want) == sheet.height >= 3 and all(cells)
    assert sorted(cells) == sorted(" / ".join(v) for v in want.values())
    assert any("市区町村のみ" in c for c in cells)  # the second candidate's own evidence (the fixture's), not the account's


def test_answers_match_outcomes_and_matches_export(made: tuple[Path, Path, Path]) -> None:
    home, html, xlsx = made
    with _store(home) as s:
        outcomes = outcomes_frame(s)
    per_service = pl.read_excel(xlsx, sheet_name="回答_サービス別")
    expected = outcomes.filter(pl.col("answer") == "HIT").group_by("provider").len()
    labels = {"dais": "DAIS", "pipitlinq": "pipitLINQ"}
    got = dict(zip(per_service["サービス"], per_service["該当あり"]))
    for provider, n in expected.iter_rows():
        assert got[labels[provider]] == n
    assert got["合計"] == outcomes.filter(pl.col("answer") == "HIT").height


def test_audit_logs_the_persons_shown(made: tuple[Path, Path, Path]) -> None:
    home, html, _ = made
    with _store(home) as s:
        op, counts = s.conn.execute("SELECT operator, counts FROM audit WHERE command = 'report' ORDER BY seq DESC LIMIT 1").fetchone()
    shown = json.loads(counts)["persons_shown"]
    assert op == "監督 花子"
    assert 0 < shown <= 400
    assert f"掲載人数: {shown:,} 人" in html.read_text(encoding="utf-8")


@needs_chromium
def test_tables_sort_filter_and_open_a_person(made: tuple[Path, Path, Path], tmp_path: Path) -> None:
    """Click the balance header twice, type a person's id in the filter, click their link."""
    home, html, _ = made
    with _store(home) as s:
        person, n_hits = s.conn.execute(
            f"SELECT person_id, count(*) FROM matches WHERE {EFFECTIVE_CLASS} IN ('CONFIRMED', 'PROBABLE') "
            "GROUP BY person_id ORDER BY count(*) DESC, person_id LIMIT 1"
        ).fetchone()
        lowest = s.scalar(
            f"""SELECT min(a.balance_yen) FROM matches m JOIN answers a ON a.rowid =
                  (SELECT min(rowid) FROM answers x WHERE x.account_key = m.account_key AND x.answer = 'found')
                WHERE {EFFECTIVE_CLASS} IN ('CONFIRMED', 'PROBABLE')"""
        )
    driver = """<script>(function wait(){
      if (document.body.getAttribute("data-ready") !== "1") { setTimeout(wait, 50); return; }
      var t = document.querySelector('table[data-table="hits"]'), th = t.querySelectorAll("th")[6];
      th.click(); th.click();
      var first = t.tBodies[0].rows[0].cells[6].getAttribute("data-v");
      var q = document.querySelector('.ctl[data-for="hits"] input');
      q.value = "PERSON"; q.dispatchEvent(new Event("input"));
      setTimeout(function () {
        var rows = t.tBodies[0].rows.length;
        t.querySelector("a.pl").click();
        document.body.setAttribute("data-test", first + "|" + rows + "|" + document.getElementById("person").open);
      }, 600);
    })();</script></body>""".replace("PERSON", person)
    page = tmp_path / "driven.html"
    page.write_text(html.read_text(encoding="utf-8").replace("</body>", driver), encoding="utf-8")
    dom = _chromium("--dump-dom", page.as_uri(), tmp=tmp_path).stdout
    m = re.search(r'data-test="(\d+)\|(\d+)\|(\w+)"', dom)
    assert m, "the driver did not run"
    assert int(m.group(1)) == lowest  # second click: smallest balance first
    assert int(m.group(2)) == n_hits  # the filter keeps that person's hits only
    assert m.group(3) == "true" and f"宛名番号 {person}" in dom


def test_report_reads_the_accounts_as_the_export_does(made: tuple[Path, Path, Path]) -> None:
    """The report's own narrow read of the accounts gives the same values as matches.csv."""
    home = made[0]
    with _store(home) as s:
        read = s.fast_frames({k: queries.READS[k] for k in ("first_answers", "linked")})
        mine = queries.accounts(read["first_answers"].result(), read["linked"].result())
        export = matches_frame(s)
        reasons = s.frame("SELECT account_key, reason FROM matches WHERE class IN ('REVIEW', 'HOMONYM') AND decision IS NULL")
    cols = [c for c in export.columns if c in mine.columns]
    assert len(cols) >= 15 and mine.height == export.height > 0
    as_text = [pl.col(c).cast(pl.Utf8) for c in cols]
    assert mine.select(as_text).sort("account_key").equals(export.select(as_text).sort("account_key"))
    shown = mine.filter(pl.col("class").is_in(("REVIEW", "HOMONYM")) & pl.col("decision").is_null())
    assert shown.select("account_key", "reason").sort("account_key").equals(reasons.sort("account_key"))


def test_homonyms_are_summarised_and_the_nearest_listed(made: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A year has hundreds of thousands of homonyms: the page lists the nearest few and says where
    the rest are; the summary counts them all, the workbook lists them all."""
    home = tmp_path / "ws"
    shutil.copytree(made[0], home)
    ws = Workspace.open(home)
    with _store(home) as s, s.transaction():
        n = s.scalar(f"SELECT count(*) FROM matches WHERE {EFFECTIVE_CLASS} = 'HOMONYM'")
        # two near misses (birth date unknown, same town), last in key order
        near = [r[0] for r in s.conn.execute(
            f"SELECT account_key FROM matches WHERE {EFFECTIVE_CLASS} = 'HOMONYM' ORDER BY account_key DESC LIMIT 2"
        ).fetchall()]  # fmt: skip
        s.conn.executemany("UPDATE matches SET dob_evidence = 'missing', address_evidence = 'town' WHERE account_key = ?", [(k,) for k in near])
    assert n > 5, "the fixture should have homonyms"
    monkeypatch.setattr(account_tables_module, "HOMONYMS_SHOWN", 5)
    with ws.store() as s:
        rep = build_report(s, ws.settings, NOW)
    homonyms, why = rep.table("homonyms"), rep.table("homonym_why")
    assert homonyms.frame.height == n and homonyms.html_frame.height == 5
    assert why.frame.filter(pl.col("evidence") == "合計")["accounts"].item() == n
    assert why.frame.filter(pl.col("evidence") == "合計")["in_page"].item() == 5
    # nearest first: the near misses lead the list, and the summary says why
    assert set(homonyms.html_frame["account_key"].head(2).to_list()) == set(near)
    assert why.frame["evidence"][0] == "氏名:一致 生年月日:不明 住所:町名まで" and why.frame["accounts"][0] == 2
    page = render_html(rep)
    assert f"全 {n:,} 件は xlsx の「同名異人」シートを参照" in page
    data = payload(rep)["tables"]["homonyms"]["data"]
    assert all(len(col["p"] if isinstance(col, dict) and "p" in col else col) == 5 for col in data if col is not None)
    # the detail of every person the page names, and of nobody else
    named = set().union(*(set(t.named(t.html_frame).to_list()) for t in rep.tables))
    assert set(rep.persons["person_id"].to_list()) == named
    assert rep.persons_shown >= rep.persons_detailed
    path = write_xlsx(rep, tmp_path / "r.xlsx")
    assert pl.read_excel(path, sheet_name="同名異人").height == n


def test_a_failed_report_leaves_no_file_behind(made: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The workbook is written while the report is computed: a failure after its first sheets
    removes the unfinished files, commits nothing, and the next run writes both."""
    home = tmp_path / "ws"
    shutil.copytree(made[0], home)
    for old in (home / "reports").glob("report-*"):
        old.unlink()
    import inquiry.report.html as html_module

    def broken(rep: object) -> str:
        raise RuntimeError("disk full")

    monkeypatch.setattr(html_module, "render_html", broken)
    with _store(home) as s:
        before = s.scalar("SELECT count(*) FROM audit")
    result = CliRunner().invoke(app, ["report", "--home", str(home)])
    assert result.exit_code == 2 and "disk full" in result.output
    assert list((home / "reports").glob("report-*")) == []
    with _store(home) as s:
        assert s.scalar("SELECT count(*) FROM audit") == before
    monkeypatch.undo()
    assert CliRunner().invoke(app, ["report", "--home", str(home)]).exit_code == 0
    assert sorted(p.suffix for p in (home / "reports").glob("report-*")) == [".html", ".xlsx"]


def test_report_reads_the_outcomes_as_the_export_does(made: tuple[Path, Path, Path]) -> None:
    """The report's inquiries come through the store's inquiry_outcomes view: every inquiry with the
    answer outcomes.csv gives it (the report does not recompute an outcome of its own)."""
    with _store(made[0]) as s:
        mine = s.fast_frames({"inquiries": queries.READS["inquiries"]})["inquiries"].result()
        export = outcomes_frame(s)
    assert mine.height == export.height > 0
    assert set(mine["outcome"].unique()) >= {"HIT", "ACCOUNTS", "NO_ACCOUNT"}
    cols = ["person_id", "provider", "bank_code", "sent_on", "answered_on", "outcome"]
    as_text = [pl.col(c).cast(pl.Utf8) for c in cols]
    exported = export.rename({"answer": "outcome"}).select(as_text).sort(cols, nulls_last=True)
    assert mine.select(as_text).sort(cols, nulls_last=True).equals(exported)


def test_report_reads_of_the_outcomes_count_no_hit_accounts(made: tuple[Path, Path, Path]) -> None:
    """The view computes a column only when it is read: the report reads an inquiry's outcome (two probes
    of its answers that stop at the first row deciding it), not its hits' count, which no table shows
    and which costs each found inquiry a DISTINCT over its answers (a year: 0.5 s of the longest read)."""
    from inquiry.runtime.store import _as_text

    with _store(made[0]) as s:
        plan = " | ".join(r[3] for r in s.conn.execute("EXPLAIN QUERY PLAN " + _as_text(queries.READS["inquiries"])))
        whole = " | ".join(r[3] for r in s.conn.execute("EXPLAIN QUERY PLAN SELECT answer, hits FROM inquiry_outcomes"))
    assert "DISTINCT" in whole  # the hits' count, as the export reads it
    assert "inquiry_outcomes" in queries.READS["inquiries"].sql and "DISTINCT" not in plan, plan


def test_page_and_workbook_renderers_read_only_the_model() -> None:
    """html.py and xlsx.py render a Report; they import nothing of the computation (no cycle back
    into the step), only the model, the charts, the shared words and the runtime's neutraliser."""
    import ast

    import inquiry.report

    allowed = {"inquiry.report.model", "inquiry.report.charts", "inquiry.vocabulary", "inquiry.messages", "inquiry.runtime.csvout"}
    folder = Path(inquiry.report.__file__).parent
    for name in ("html.py", "xlsx.py", "charts.py", "model.py"):
        tree = ast.parse((folder / name).read_text(encoding="utf-8"))
        imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        ours = {m for m in imported if m.split(".")[0] in ("inquiry", "formats", "matching")}
        assert ours <= allowed, f"{name} imports {sorted(ours - allowed)}"


def test_page_carries_its_css_and_script_from_the_package_files(made: tuple[Path, Path, Path]) -> None:
    """The page's CSS and script are package data files (inquiry/report/static/), inlined as they are."""
    from importlib import resources

    static = resources.files("inquiry.report") / "static"
    css, js = (static / "report.css").read_text(encoding="utf-8"), (static / "report.js").read_text(encoding="utf-8")
    assert "@media print" in css and "DecompressionStream" in js
    page = made[1].read_text(encoding="utf-8")
    assert f"<style>{css}</style>" in page
    assert f"<script>{js}</script>" in page


def _b85_decode(text: str) -> bytes:
    """The page's base85 (:data:`inquiry.report.html.B85`), decoded the way the page's script does."""
    from inquiry.report.html import B85

    value = {c: i for i, c in enumerate(B85.decode("ascii"))}
    pad = -len(text) % 5
    digits = [value[c] for c in text] + [84] * pad
    out = bytearray()
    for i in range(0, len(digits), 5):
        word = 0
        for d in digits[i : i + 5]:
            word = word * 85 + d
        out += word.to_bytes(4, "big")
    return bytes(out[: len(out) - pad] if pad else out)


def test_page_data_deflated_in_pieces_is_the_one_gzip_of_the_payload(made: tuple[Path, Path, Path]) -> None:
    """The page's JSON is made and deflated piece by piece on two threads (session 6, second round):
    the embedded bytes must be exactly ``gzip.compress(json.dumps(payload), 5, mtime=0)``, as before."""
    import gzip

    from inquiry.report.html import _json_pieces, _payload_parts

    ws = Workspace.open(made[0])
    with ws.store() as s:
        rep = build_report(s, ws.settings, NOW)
    whole = json.dumps(payload(rep), ensure_ascii=False, separators=(",", ":"), default=str)
    pieces = list(_json_pieces(_payload_parts(rep)))
    assert len(pieces) > len(rep.tables) and "".join(pieces) == whole
    page = render_html(rep)
    data = re.search(r'<script type="application/octet-stream" id="data"[^>]*>([^<]*)</script>', page)
    assert data is not None
    assert _b85_decode(data.group(1)) == gzip.compress(whole.encode("utf-8"), compresslevel=5, mtime=0)


def _entries(path: Path) -> dict[str, tuple[int, bytes]]:
    """Each zip entry's CRC and its deflated bytes as stored (the compression's output, not only the text)."""
    out = {}
    with zipfile.ZipFile(path) as z, path.open("rb") as f:
        for i in z.infolist():
            f.seek(i.header_offset + 26)
            name_len, extra_len = int.from_bytes(f.read(2), "little"), int.from_bytes(f.read(2), "little")
            f.seek(i.header_offset + 30 + name_len + extra_len)
            out[i.filename] = (i.CRC, f.read(i.compress_size))
    return out


def test_workbook_sheets_made_in_parts_are_the_same_bytes(made: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A sheet's rows are made ``_ROWS`` at a time and deflated on another thread while the next
    part is made: with parts of 7 rows, every entry of the workbook is byte for byte the one of
    a single part (row numbers go on across parts; deflate does not see the cuts)."""
    from inquiry.report import xlsx as xlsx_module

    ws = Workspace.open(made[0])
    with ws.store() as s:
        rep = build_report(s, ws.settings, NOW)
    assert max(t.frame.height for t in rep.tables) > 7 * 3
    monkeypatch.setattr(xlsx_module, "_ROWS", 10**9)
    whole = _entries(write_xlsx(rep, tmp_path / "whole.xlsx"))
    monkeypatch.setattr(xlsx_module, "_ROWS", 7)
    parts = _entries(write_xlsx(rep, tmp_path / "parts.xlsx"))
    assert parts == whole
    with zipfile.ZipFile(tmp_path / "parts.xlsx") as z:
        rows = re.findall(rb'<row r="(\d+)"', z.read("xl/worksheets/sheet10.xml"))  # the homonyms
    assert [int(r) for r in rows] == list(range(1, len(rows) + 1)) and len(rows) > 7 * 3


def test_a_failed_deflate_is_raised_when_the_sheet_is_closed(tmp_path: Path) -> None:
    """The zip entry is written on a thread of its own: its error must still stop the workbook."""
    from inquiry.report.xlsx import _Behind

    class Full:
        def write(self, data: bytes) -> int:
            raise OSError("No space left on device")

    out = _Behind(Full())  # type: ignore[arg-type]
    out.write(b"<row/>")
    with pytest.raises(OSError, match="No space"):
        out.close()
