"""Files in and out (``_files``): the office's CSV files read back with the product's readers, the banks answer real request files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

import formats
import sample_data
from formats.inputs import read_institutions, read_master, read_payments
from sample_data import generate_office, make_office, sample_requests
from tests.sample_data._fixtures import write_request


def test_written_files_read_back_with_every_row_accepted(office, tmp_path):
    paths = office.write(tmp_path)
    raw = paths["payments"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    assert raw[3:].decode("utf-8").startswith("宛名番号,")
    master = read_master(paths["master"])
    assert master.rows_read == 3000 and master.rows.height == 3000, master.rejects.head()
    inst = read_institutions(paths["institutions"])
    assert inst.rows.height == office.institutions.height
    pay = read_payments(paths["payments"])
    assert pay.rows.height == office.payments.height
    estimated = master.rows.filter(pl.col("name_kana").is_null()).height
    assert estimated == (office.master["name_kana"] == "").sum()
    assert master.rows["birth_date"].equals(office.people["birth_date"], check_names=False)


def test_spoilt_rows_are_rejected_by_the_reader_and_the_rest_accepted(tmp_path):
    office = generate_office(200, seed=5, bad_rows=8)
    assert office.people["bad_row"].drop_nulls().len() == 8
    master = read_master(office.write(tmp_path)["master"])
    assert master.rows_read == 200
    # a duplicated 宛名番号 rejects both rows that carry it
    duplicated = office.people.filter(pl.col("bad_row") == "duplicate_id").height
    assert master.rejects.height == 8 + duplicated
    assert master.rows.height + master.rejects.height == 200


@pytest.mark.parametrize("provider", ["dais", "pipitlinq"])
def test_answer_file_reads_back_with_every_inquiry_answered(world, bank_office, tmp_path, provider):
    requests = sample_requests(bank_office, provider).head(4000)
    request_path = write_request(provider, "basic", requests, tmp_path)
    answer_path = world.answer_file(request_path, tmp_path / "answers")
    parsed = formats.read_response(answer_path)
    assert parsed.provider == provider and parsed.kind == "basic"
    assert parsed.rejects.height == 0
    assert parsed.rows_read == parsed.rows.height
    rows = parsed.rows
    assert set(rows["inquiry_id"]) == set(requests["inquiry_id"])
    # one none/unable row, or found rows numbered 1..n, per inquiry
    per = rows.group_by("inquiry_id").agg(pl.col("answer").n_unique().alias("kinds"), pl.len(), pl.col("detail_no").max())
    assert per.filter(pl.col("kinds") > 1).height == 0
    found = rows.filter(pl.col("answer") == "found")
    assert found.group_by("inquiry_id").agg((pl.col("detail_no").sort() == pl.int_range(1, pl.len() + 1)).all()).to_series(1).all()
    assert rows.filter(pl.col("answer") != "found")["detail_no"].eq(0).all()
    assert set(rows["answer"]) == {"found", "none", "unable"}
    assert found["holder_kana"].null_count() == 0


def test_make_office_writes_the_bundled_sample_office_byte_for_byte(tmp_path):
    """``inquiry demo`` reads sample_data/office/ and answers it with generate_office(SAMPLE_PERSONS, SAMPLE_SEED)'s banks: they must agree."""
    from inquiry.steps.demo import SAMPLE_PERSONS, SAMPLE_SEED

    bundled = Path(sample_data.__file__).with_name("office")
    argv = [sys.executable, "-m", "sample_data.make_office", "--persons", str(SAMPLE_PERSONS), "--seed", str(SAMPLE_SEED), "--no-truth", "--out", str(tmp_path)]
    done = subprocess.run(argv, capture_output=True, text=True, encoding="utf-8", check=False)
    assert done.returncode == 0, done.stderr
    for name in ("master", "institutions", "payments"):
        assert (tmp_path / f"{name}.csv").read_bytes() == (bundled / f"{name}.csv").read_bytes(), name
    assert not (tmp_path / "truth").exists()


def test_make_office_writes_the_ground_truth_it_was_drawn_with(tmp_path):
    assert make_office.main(["--persons", "120", "--seed", "4", "--bad-rows", "3", "--out", str(tmp_path)]) == 0
    office = generate_office(120, seed=4, bad_rows=3)
    assert pl.read_parquet(tmp_path / "truth" / "people.parquet").equals(office.people)
    assert pl.read_parquet(tmp_path / "truth" / "accounts.parquet").equals(office.truth)
    assert pl.read_parquet(tmp_path / "truth" / "addresses.parquet").equals(office.addresses)
    assert read_master(tmp_path / "master.csv").rejects.height >= 3
