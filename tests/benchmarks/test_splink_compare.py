"""The Splink side of the comparison: probabilities to classes, and the spec's rules as a gate.

No Splink needed: the functions take the frame of pairs Splink predicts.
"""

from __future__ import annotations

import polars as pl

from benchmarks.splink_compare import gated_classes, splink_classes

# gamma levels as Splink numbers them: name 4 exact, 3 other name, 2 jw>=0.95; dob 2 exact,
# 1 one edit, 0 else, -1 missing; address 3 block, 2 town, 1 city, 0 else, -1 missing
ROWS = [
    # account, person, probability, name, dob, address
    ("a-same-dob-elsewhere", "p1", 0.9995, 4, 2, 0),
    ("a-owner", "p2", 0.9995, 4, 2, 3),
    ("a-town", "p2", 0.995, 4, 2, 2),
    ("a-stranger-same-dob", "p3", 0.01, 4, 2, 0),
    ("a-stranger-other-dob", "p3", 0.0001, 4, 0, 0),
    ("a-estimated", "p4", 0.9995, 4, -1, 3),
    ("a-tie", "p1", 0.995, 4, 2, 3),
    ("a-tie", "p2", 0.995, 4, 2, 3),
]


def _linked() -> pl.DataFrame:
    pairs = pl.DataFrame(
        [(p, a, "master", prob, n, d, ad) for a, p, prob, n, d, ad in ROWS],
        schema=["unique_id_l", "unique_id_r", "source_dataset_l", "match_probability", "gamma_name", "gamma_dob", "gamma_address"],
        orient="row",
    )
    response = pl.DataFrame({"unique_id": list(dict.fromkeys(a for a, *_ in ROWS)) + ["a-nobody"]})
    return splink_classes(pairs, response)


def test_probabilities_become_classes() -> None:
    got = dict(_linked().select("account_key", "class").iter_rows())
    assert got == {
        "a-same-dob-elsewhere": "CONFIRMED",  # Splink alone: name and birth date outweigh the address
        "a-owner": "CONFIRMED",
        "a-town": "PROBABLE",
        "a-stranger-same-dob": "HOMONYM",
        "a-stranger-other-dob": "HOMONYM",
        "a-estimated": "CONFIRMED",
        "a-tie": "REVIEW",
        "a-nobody": "UNMATCHED",
    }


def test_the_spec_rules_gate_splinks_classes() -> None:
    estimated = pl.DataFrame({"person_id": ["p1", "p2", "p3", "p4"], "kana_estimated": [False, False, False, True]})
    got = dict(gated_classes(_linked(), estimated).select("account_key", "class").iter_rows())
    assert got == {
        "a-same-dob-elsewhere": "REVIEW",  # rule 1: name and birth date are not identity
        "a-owner": "CONFIRMED",
        "a-town": "PROBABLE",  # name and birth date exact, same town: PROBABLE in the spec's class table (ours is stricter)
        "a-stranger-same-dob": "REVIEW",  # not a HOMONYM in the class table: the birth date agrees
        "a-stranger-other-dob": "HOMONYM",
        "a-estimated": "REVIEW",  # rule 3: an estimated reading needs the birth date
        "a-tie": "REVIEW",
        "a-nobody": "UNMATCHED",
    }
