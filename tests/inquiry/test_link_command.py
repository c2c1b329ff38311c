"""``inquiry link``: stateless linking of answer files to a master, as outputs.md says."""

from __future__ import annotations

import datetime as dt
import logging
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

import formats
import inquiry.steps.link
from formats.yucho import account_key
from inquiry.cli import app
from inquiry.steps.exports import MATCHES_COLUMNS
from sample_data import BankWorld, generate_office, sample_requests
from tests.inquiry._fixtures import cli

SPEC_COLUMNS = (
    "account_key, provider, bank_code, branch_code, account_type, account_number, inquiry_id, inquired_person_id, "
    "person_id, class, score, name_evidence, dob_evidence, address_evidence, candidates, holder_kana, "
    "holder_birth_date, holder_address, balance_yen, account_status, last_activity, maturity_date"
).split(", ")


def test_matches_columns_are_exactly_the_spec() -> None:
    assert MATCHES_COLUMNS == SPEC_COLUMNS


def test_link_files_to_master_without_a_workspace(tmp_path: Path) -> None:
    office = generate_office(400, seed=11)
    inputs = office.write(tmp_path / "office")
    world = BankWorld.from_office(office, seed=11)
    requests, responses = [], []
    for provider in ("dais", "pipitlinq"):
        req = sample_requests(office, provider).head(2000)
        path = tmp_path / f"{provider}-req"
        written = formats.write_request(
            provider, "basic", req, path, municipality_code="131041", municipality_kana="ｼﾝｼﾞﾕｸｸ", created_on=office.as_of, seq=1
        )
        requests.append(written.path)
        responses.append(world.answer_file(written.path, tmp_path / "inbox"))
    out = tmp_path / "matches.csv"
    args = ["link", "--master", str(inputs["master"]), "--out", str(out)]
    for r in responses:
        args += ["--responses", str(r)]
    for r in requests:
        args += ["--requests", str(r)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    m = pl.read_csv(out, infer_schema=False)
    assert m.columns == SPEC_COLUMNS
    assert m["account_key"].is_unique().all()
    assert set(m["class"]) <= {"CONFIRMED", "PROBABLE", "REVIEW", "HOMONYM", "UNMATCHED"}
    truth = world.truth.select("account_key", pl.col("person_id").alias("owner"))
    j = m.join(truth, on="account_key", how="left")
    hits = j.filter(pl.col("class").is_in(["CONFIRMED", "PROBABLE"]))
    assert hits.height > 0 and (hits["person_id"] == hits["owner"]).all()  # no wrongful hit
    assert j.filter(pl.col("class") == "HOMONYM")["person_id"].is_null().all()
    # known from the request files (DAIS: by the kanji name and birth date sent; ambiguous pairs stay empty)
    assert m["inquired_person_id"].null_count() <= m.height // 100


def test_answer_files_are_read_together_the_master_apart_and_gathered_in_the_order_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue #10: the answer files are read at the same time (a barrier that only two concurrent
    reads pass: one after another the command would time out) and the master in a process of its
    own (this process never reads it: its reader here fails), yet the accounts and the rejects come
    out in the order of ``--responses``."""
    office = generate_office(300, seed=5)
    inputs = office.write(tmp_path / "office")
    world = BankWorld.from_office(office, seed=5)
    requests = sample_requests(office, "pipitlinq")
    answers = []
    for seq, part in enumerate(requests.iter_slices(n_rows=requests.height // 3 + 1), start=1):
        written = formats.write_request(
            "pipitlinq", "basic", part, tmp_path / f"req-{seq}", municipality_code="131041", municipality_kana="ｼﾝｼﾞﾕｸｸ",
            created_on=office.as_of, seq=seq,
        )
        answers.append(world.answer_file(written.path, tmp_path / f"inbox-{seq}"))
    junk = tmp_path / "junk.csv"
    junk.write_text("これは回答ファイルではない\r\n", encoding="utf-8")
    not_an_answer = written.path  # the last request file, given as an answer
    files = [answers[0], junk, answers[1], not_an_answer, answers[2]]

    barrier = threading.Barrier(2, timeout=60)
    real_read = formats.read_response

    def master_here(*args: object, **kwargs: object) -> object:
        raise AssertionError("the master is read in this process")

    def read_at_barrier(path: Path, **projection: object) -> formats.ParsedFile:
        if path in files[:2]:
            barrier.wait()
        return real_read(path, **projection)

    monkeypatch.setattr(inquiry.steps.link, "read_master", master_here)
    monkeypatch.setattr(formats, "read_response", read_at_barrier)
    out = tmp_path / "out" / "matches.csv"
    code, output = cli("link", "--master", inputs["master"], *[a for f in files for a in ("--responses", f)], "--out", out)
    assert code == 1, output
    assert "'files_rejected': 2" in output

    def found(path: Path) -> pl.DataFrame:
        rows = real_read(path).rows.filter(pl.col("answer") == "found")
        return rows.select(account_key=account_key(pl.col("bank_code"), pl.col("branch_code"), pl.col("account_type"), pl.col("account_number")))

    expected = pl.concat([found(a) for a in answers])
    m = pl.read_csv(out, infer_schema=False)
    assert expected.height > 0 and f"'account_records': {expected.height}" in output
    assert sorted(m["account_key"]) == sorted(expected["account_key"].unique())
    (rejects,) = out.parent.glob("rejects-*.csv")
    assert pl.read_csv(rejects, infer_schema=False)["file"].to_list() == [str(junk), str(not_an_answer)]


def test_only_the_first_answer_of_each_account_is_held_across_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue #10 (memory at L): the answers of an account already seen are dropped as the files
    come in, batch by batch, not held to the end (11.8 M found records are 2.6 M accounts at L),
    and what is kept is exactly the first answer of each account in the order of the files."""
    office = generate_office(300, seed=7)
    world = BankWorld.from_office(office, seed=7)
    requests = sample_requests(office, "pipitlinq")
    parts = [*requests.iter_slices(n_rows=requests.height // 3 + 1), requests]  # the last file repeats every account
    files = []
    for seq, part in enumerate(parts, start=1):
        written = formats.write_request(
            "pipitlinq", "basic", part, tmp_path / f"req-{seq}", municipality_code="131041", municipality_kana="ｼﾝｼﾞﾕｸｸ",
            created_on=office.as_of, seq=seq,
        )
        files.append(world.answer_file(written.path, tmp_path / f"inbox-{seq}"))
    monkeypatch.setattr(inquiry.steps.link, "_BATCH_ROWS", 40)  # many batches, each cut against the kept keys

    with ThreadPoolExecutor(max_workers=3) as pool:
        first, rejects, counts = inquiry.steps.link._read_answers(files, pool)

    every = pl.concat(
        [
            formats.read_response(f).rows.filter(pl.col("answer") == "found").with_columns(
                account_key=account_key(pl.col("bank_code"), pl.col("branch_code"), pl.col("account_type"), pl.col("account_number"))
            )
            for f in files
        ]
    )
    expected = every.unique("account_key", keep="first", maintain_order=True)
    assert every.height > expected.height > 40 * 3  # accounts repeat, and several batches were cut
    assert counts["account_records"] == every.height and rejects.height == 0
    assert first["account_key"].is_unique().all()
    assert first.select("account_key", "inquiry_id", "balance_yen", "holder_address").equals(
        expected.select("account_key", "inquiry_id", "balance_yen", "holder_address")
    )


def test_a_history_answer_file_among_the_responses_is_skipped_and_counted(tmp_path: Path) -> None:
    """The projected read (found rows, the holder's columns) is a basic answer's: a history answer file
    given by mistake is read whole, told by its kind, skipped and counted, and changes nothing."""
    office = generate_office(300, seed=4)
    inputs = office.write(tmp_path / "office")
    world = BankWorld.from_office(office, seed=4)
    req = formats.write_request(
        "dais", "basic", sample_requests(office, "dais").head(800), tmp_path / "req",
        municipality_code="131041", municipality_kana="ｼﾝｼﾞﾕｸｸ", created_on=office.as_of, seq=1,
    )  # fmt: skip
    basic = world.answer_file(req.path, tmp_path / "inbox")
    tx = {"inquiry_id": "H1", "answer": "found", "bank_code": "0001", "branch_code": "101", "account_type": 1,
          "account_number": "1234567", "detail_no": 1, "tx_date": office.as_of, "description": "ｷﾕｳﾖ",
          "withdrawal_yen": 0, "deposit_yen": 250_000, "balance_yen": 300_000}  # fmt: skip
    history = formats.write_response(
        "dais", "history", pl.DataFrame([tx], schema=formats.FRAME_SCHEMAS[("response", "history")]), tmp_path / "hist",
        municipality_code="131041", created_on=office.as_of, seq=2,
    ).path  # fmt: skip
    outputs = []
    for name, responses in (("alone", [basic]), ("with_history", [history, basic])):
        out = tmp_path / name / "matches.csv"
        code, output = cli("link", "--master", inputs["master"], *[a for f in responses for a in ("--responses", f)], "--out", out)
        assert code == 0, output
        outputs.append((out.read_bytes(), output))
    assert outputs[0][0] == outputs[1][0] and pl.read_csv(outputs[0][0], infer_schema=False).height > 0
    assert "'files_skipped (not basic)': 0" in outputs[0][1] and "'files_skipped (not basic)': 1" in outputs[1][1]


def _linkable_files(tmp_path: Path, seed: int) -> tuple[Path, list[Path]]:
    """A master and two basic answer files (one per service) of a small synthetic office."""
    office = generate_office(300, seed=seed)
    inputs = office.write(tmp_path / "office")
    world = BankWorld.from_office(office, seed=seed)
    responses = []
    for provider in ("dais", "pipitlinq"):
        written = formats.write_request(
            provider, "basic", sample_requests(office, provider).head(1500), tmp_path / f"{provider}-req",
            municipality_code="131041", municipality_kana="ｼﾝｼﾞﾕｸｸ", created_on=office.as_of, seq=1,
        )  # fmt: skip
        responses.append(world.answer_file(written.path, tmp_path / "inbox"))
    return inputs["master"], responses


def test_matches_written_in_parts_are_the_file_shaped_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue #10 (memory at L): ``matches.csv`` is put together and written part by part, sorted by
    account key across the parts; the bytes are those of the table shaped and written whole - a
    formula-like cell is neutralised in whichever part it falls, the other cells are left as they are."""
    master, responses = _linkable_files(tmp_path, seed=8)
    pip = formats.read_response(responses[1])
    rows = pip.rows.drop("line").with_columns(  # a bank echoes a few addresses as formulas
        holder_address=pl.when(pl.int_range(pl.len()) % 97 == 5).then(pl.lit('=HYPERLINK("http://x")')).otherwise("holder_address")
    )
    responses[1] = formats.write_response(
        "pipitlinq", "basic", rows, tmp_path / "inbox-formulas", municipality_code="131041", created_on=dt.date(2026, 11, 1), seq=1
    ).path
    args = ["--master", master, *[a for f in responses for a in ("--responses", f)]]
    whole, parts = tmp_path / "whole" / "matches.csv", tmp_path / "parts" / "matches.csv"
    monkeypatch.setattr(inquiry.steps.link, "_WRITE_ROWS", 10**9)
    assert cli("link", *args, "--out", whole)[0] == 0
    monkeypatch.setattr(inquiry.steps.link, "_WRITE_ROWS", 37)  # dozens of parts
    code, output = cli("link", *args, "--out", parts)
    assert code == 0, output
    assert parts.read_bytes() == whole.read_bytes()
    m = pl.read_csv(parts, infer_schema=False)
    assert m.height > 37 * 10 and m["account_key"].is_sorted()
    assert m.filter(pl.col("holder_address").str.starts_with("'=HYPERLINK")).height > 2
    counts = m["class"].value_counts().sort("class").iter_rows()
    assert all(f"{cls}: {n:,}" in output for cls, n in counts)


def test_stages_are_timed_and_measured_when_asked(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Issue #10: where ``inquiry link``'s time and memory go is logged stage by stage (the logger
    ``matching.stages``; ``INQUIRY_STAGES`` turns it on for the command), from the reads to the write."""
    master, responses = _linkable_files(tmp_path, seed=9)
    caplog.set_level(logging.DEBUG, logger="matching.stages")
    code, output = cli("link", "--master", master, *[a for f in responses for a in ("--responses", f)], "--out", tmp_path / "m.csv")
    assert code == 0, output
    lines = [r.getMessage() for r in caplog.records if r.name == "matching.stages"]
    stages = [line.split(" wall ")[0].strip() for line in lines]
    for stage in ("answers read", "master read", "normalise", "encode", "candidates", "score", "classify", "assemble", "link", "write"):
        assert stage in stages, stages
    assert all(" wall " in line and " cpu " in line for line in lines)
    if sys.platform.startswith("linux"):
        assert all(" rss " in line and " peak " in line for line in lines)



def test_an_out_that_is_a_folder_is_refused_before_any_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--out`` naming a folder is exit 2 with a clear message before a file is read, not a
    traceback at the end of the work (at L, after ~80 s of reading and linking)."""
    master, responses = _linkable_files(tmp_path, seed=3)
    out = tmp_path / "results"
    out.mkdir()
    read: list[Path] = []
    monkeypatch.setattr(formats, "read_response", lambda path, *a, **k: read.append(path))
    args = ["link", "--master", str(master), "--out", str(out)] + [a for r in responses for a in ("--responses", str(r))]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    said = result.output.replace("\n", "")  # the console wraps long lines
    assert "フォルダです" in said and "matches.csv" in said, result.output
    assert read == [] and list(out.iterdir()) == []


def test_answer_files_are_read_only_a_few_ahead_of_the_one_gathered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The readers run at most ``2 × readers`` files ahead of the file being gathered: a read file
    waits whole until its turn, so with every file started at once (``Executor.map``) what the read
    stage held depended on how far the readers outran the gathering (at L, 1,768 files)."""
    master, responses = _linkable_files(tmp_path, seed=7)
    files = []
    for i in range(40):  # the same two answers under forty names: each is read, the accounts are the first file's
        source = responses[i % 2]
        files.append(tmp_path / "many" / f"{i:02d}-{source.name}")
        files[-1].parent.mkdir(exist_ok=True)
        files[-1].write_bytes(source.read_bytes())
    started: list[Path] = []
    ahead: list[int] = []
    real_read, real_add = formats.read_response, inquiry.steps.link._FirstAnswers.add

    def read(path: Path, *args: object, **kwargs: object) -> formats.ParsedFile:
        started.append(path)
        return real_read(path, *args, **kwargs)

    def slow_add(self: object, answers: pl.DataFrame) -> None:
        ahead.append(len(started) - (len(ahead) + 1))  # files started beyond the one being gathered
        threading.Event().wait(0.02)
        real_add(self, answers)

    monkeypatch.setattr(formats, "read_response", read)
    monkeypatch.setattr(inquiry.steps.link._FirstAnswers, "add", slow_add)
    out = tmp_path / "matches.csv"
    code, output = cli("link", "--master", master, *[a for f in files for a in ("--responses", f)], "--out", out)
    assert code == 0, output
    assert len(ahead) == 40 and "'account_records': " in output
    assert max(ahead) <= 2 * inquiry.steps.link._READERS, ahead
    assert pl.read_csv(out, infer_schema=False).height > 0
