"""``benchmarks.quality --wrongful``: each wrongful hit listed with both persons, to be explained."""

from __future__ import annotations

import datetime as dt

import polars as pl

from benchmarks.quality import Case, wrongful_hits
from matching import link
from tests.matching.test_link import ACCOUNT_SCHEMA, PERSON_SCHEMA, account, person

HOME = "東京都新宿区弁天町4番3号"


def test_a_hit_on_the_wrong_person_is_listed_with_the_true_owner_and_a_stranger_with_none() -> None:
    persons = pl.DataFrame(
        [person("P1", "イトウ ケンジ", dt.date(1931, 10, 2), HOME), person("P2", "サトウ ハナコ", dt.date(1970, 3, 12), HOME)],
        schema=PERSON_SCHEMA,
    )
    accounts = pl.DataFrame(
        [
            account("A", "ｲﾄｳ ｹﾝｼﾞ", dt.date(1931, 10, 2), HOME),  # P1's own: a right hit
            account("B", "ｲﾄｳ ｹﾝｼﾞ", None, HOME),  # truly P3's, who is not in this master: a wrongful hit on P1
            account("C", "ｻﾄｳ ﾊﾅｺ", None, HOME, inquired="P2"),  # a stranger's: a wrongful hit on P2
        ],
        schema=ACCOUNT_SCHEMA,
    )
    truth = pl.DataFrame({"account_key": ["A", "B", "C"], "owner": ["P1", "P3", None], "kind": ["delinquent", "delinquent", "stranger_same_name"]})
    linked = link(accounts, persons)
    assert linked["class"].to_list() == ["CONFIRMED", "PROBABLE", "PROBABLE"]
    w = wrongful_hits(linked, Case(accounts, persons, truth, 2, 0.0)).sort("account_key")
    assert w["account_key"].to_list() == ["B", "C"]
    assert w["person_id"].to_list() == ["P1", "P2"] and w["owner"].to_list() == ["P3", None]
    assert w["holder_address"].to_list() == [HOME, HOME] and w["address"].to_list() == [HOME, HOME]
    assert w["dob_evidence"].to_list() == ["missing", "missing"]
