"""``inquiry link``: stateless linking of answer files to a master, as outputs.md says."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from typer.testing import CliRunner

import formats
from inquiry.cli import app
from inquiry.steps.exports import MATCHES_COLUMNS
from sample_data import BankWorld, generate_office, sample_requests

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
