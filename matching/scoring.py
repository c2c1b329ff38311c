"""Evidence and score for every candidate pair, on whole columns.

Name similarity is computed with rapidfuzz on *characters*: every distinct
(bank name, person name form) pair of integer codes is scored once with
``process.cpdist`` (all cores) gathering strings from a numpy object array -
never a Python loop per pair, never bytes (a byte-based Jaro-Winkler rates
ヤマダタロウ/ヤマダジロウ 0.978 instead of 0.922, because every katakana shares
its UTF-8 lead bytes - the dangerous direction for 同名異人).

Evidence per pair is the best level over the person's name forms (name) and
over the person's known addresses (address); the levels and weights are the
declarative comparisons of :mod:`matching.comparisons`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler, Levenshtein

from matching.blocking import LinkFrames
from matching.comparisons import DEFAULT_MODEL, Comparison, MatchModel

__all__ = ["ScoringOptions", "edit_distance", "score_pairs", "similarity"]


@dataclass(frozen=True, slots=True)
class ScoringOptions:
    """Limits of the fuzzy name levels.

    - ``variant_max_distance``: Levenshtein distance (characters of the name
      key) still counted as a ``variant``;
    - ``variant_min_length``: both keys at least this long for the distance
      rule (ア/イ are one edit apart but are not variants of each other);
    - ``truncation_min_length``: a bank name that is a proper prefix of the
      person's name is a ``variant`` (a truncated field) from this length on.
    """

    variant_max_distance: int = 1
    variant_min_length: int = 4
    truncation_min_length: int = 10


def _as_objects(values: Sequence[str] | np.ndarray | pl.Series) -> np.ndarray:
    if isinstance(values, pl.Series):
        return values.to_numpy().astype(object)
    return np.asarray(values, dtype=object)


def similarity(left: Sequence[str] | np.ndarray | pl.Series, right: Sequence[str] | np.ndarray | pl.Series) -> np.ndarray:
    """Character-based Jaro-Winkler similarity of aligned pairs, in [0, 1].

    >>> round(float(similarity(["ヤマダタロウ"], ["ヤマダジロウ"])[0]), 3)
    0.922
    """
    return process.cpdist(
        _as_objects(left), _as_objects(right), scorer=JaroWinkler.normalized_similarity, workers=-1
    ).astype(np.float64)


def edit_distance(left: Sequence[str] | np.ndarray | pl.Series, right: Sequence[str] | np.ndarray | pl.Series) -> np.ndarray:
    """Levenshtein distance in characters of aligned pairs.

    >>> edit_distance(["サトウハナコ"], ["サトウハナエ"]).tolist()
    [1]
    """
    return process.cpdist(_as_objects(left), _as_objects(right), scorer=Levenshtein.distance, workers=-1).astype(
        np.int64
    )


def _string_pair_features(distinct: pl.DataFrame, vocabulary: np.ndarray) -> pl.DataFrame:
    """Similarity, distance, prefix and part tests for distinct code pairs."""
    a_codes = distinct.get_column("a_key").to_numpy()
    f_codes = distinct.get_column("f_key").to_numpy()
    a_str, f_str = vocabulary[a_codes], vocabulary[f_codes]
    words = pl.Series(vocabulary, dtype=pl.Utf8)
    a, f = pl.col("_a"), pl.col("_f")
    fam, giv = pl.col("f_family"), pl.col("f_given")
    return (
        distinct.with_columns(
            sim=pl.Series(similarity(a_str, f_str)),
            dist=pl.Series(edit_distance(a_str, f_str)),
            _a=words.gather(distinct.get_column("a_key")),
            _f=words.gather(distinct.get_column("f_key")),
        )
        .with_columns(
            prefix=f.str.starts_with(a) & (f.str.len_chars() > a.str.len_chars()),
            part_in=((fam.str.len_chars() >= 2) & a.str.starts_with(fam)).fill_null(False)
            | ((giv.str.len_chars() >= 2) & a.str.ends_with(giv)).fill_null(False),
        )
        .drop("_a", "_f")
    )


def _pair_code(a: str, f: str) -> pl.Expr:
    return (pl.col(a).cast(pl.UInt64) * (1 << 32) + pl.col(f).cast(pl.UInt64)).alias("_ab")


def _name_levels(frames: LinkFrames, pairs: pl.DataFrame, options: ScoringOptions, name: Comparison) -> pl.DataFrame:
    """Best name level and similarity per pair over the person's name forms."""
    acc = frames.accounts.select(
        "acct_idx",
        pl.col("key").alias("a_key"),
        pl.col("head").alias("a_head"),
        pl.col("key2").alias("a_key2"),
        pl.col("family").alias("a_family"),
        pl.col("given").alias("a_given"),
        pl.col("key_len").alias("a_len"),
    )
    forms = frames.forms.select(
        "person_idx",
        "kind_other",
        pl.col("key").alias("f_key"),
        pl.col("key2").alias("f_key2"),
        pl.col("family").alias("f_family"),
        pl.col("given").alias("f_given"),
        pl.col("key_len").alias("f_len"),
    )
    rows = pairs.join(acc, on="acct_idx").join(forms, on="person_idx")
    rows = rows.with_columns(_pair_code("a_key", "f_key"))
    distinct = (
        rows.filter(pl.col("a_key") != pl.col("f_key"))
        .select("_ab", "a_key", "f_key", "f_family", "f_given")
        # per name form, not per key: one key may be split into parts two ways (コバヤシ ナオミ and
        # コバヤシナオミ), and ``part_in`` tests the parts; keeping either was arbitrary, so a pair's
        # evidence depended on the other pairs scored with it
        .unique(subset=["_ab", "f_family", "f_given"])
    )
    feats = _string_pair_features(distinct, frames.vocabulary).select("_ab", "f_family", "f_given", "sim", "dist", "prefix", "part_in")
    rows = rows.join(feats, on=["_ab", "f_family", "f_given"], how="left", nulls_equal=True).with_columns(
        n_same=pl.col("a_key") == pl.col("f_key"),
        n_other=pl.col("kind_other"),
        n_variant=(
            (pl.col("dist") <= options.variant_max_distance)
            & (pl.min_horizontal("a_len", "f_len") >= options.variant_min_length)
        ).fill_null(False)
        | (pl.col("a_key2") == pl.col("f_key2")).fill_null(False)
        | (pl.col("prefix") & (pl.col("a_len") >= options.truncation_min_length)).fill_null(False)
        | (pl.col("a_head") == pl.col("f_key")).fill_null(False),
        n_partial=(pl.col("a_family") == pl.col("f_family")).fill_null(False)
        | (pl.col("a_given") == pl.col("f_given")).fill_null(False)
        | pl.col("part_in").fill_null(False),
        sim=pl.when(pl.col("a_key") == pl.col("f_key")).then(1.0).otherwise(pl.col("sim")),
    )
    n = len(name.levels)
    best = (
        rows.with_columns(name_idx=name.level_index())
        .group_by("pair_idx")
        .agg(((n - pl.col("name_idx").cast(pl.Float64)) * 2.0 + pl.col("sim").fill_null(0.0)).max().alias("_best"))
        .with_columns(_lvl=(pl.col("_best") / 2.0).floor())
        .select(
            "pair_idx",
            name_idx=(n - pl.col("_lvl")).cast(pl.UInt8),
            name_similarity=(pl.col("_best") - 2.0 * pl.col("_lvl")).clip(0.0, 1.0),
        )
    )
    return best


def _dob_levels(frames: LinkFrames, pairs: pl.DataFrame, dob: Comparison) -> pl.DataFrame:
    acc = frames.accounts.select("acct_idx", pl.col("dob").alias("a_dob"))
    per = frames.persons.select("person_idx", pl.col("dob").alias("p_dob"), "estimated")

    def ymd(col: str) -> pl.Expr:
        c = pl.col(col)
        return (c.dt.year().cast(pl.Int64) * 10000 + c.dt.month().cast(pl.Int64) * 100 + c.dt.day().cast(pl.Int64))

    differing = pl.sum_horizontal(
        [((pl.col("_a") // 10**k) % 10 != (pl.col("_p") // 10**k) % 10).cast(pl.UInt8) for k in range(8)]
    )
    swapped = (
        (pl.col("a_dob").dt.year() == pl.col("p_dob").dt.year())
        & (pl.col("a_dob").dt.month() == pl.col("p_dob").dt.day())
        & (pl.col("a_dob").dt.day() == pl.col("p_dob").dt.month())
    )
    # 1979 typed as 1980: two digits differ, but it is one slip (a year key off by one).
    year_off_by_one = ((pl.col("_a") - pl.col("_p")).abs() == 10000)
    return (
        pairs.join(acc, on="acct_idx")
        .join(per, on="person_idx")
        .with_columns(_a=ymd("a_dob"), _p=ymd("p_dob"))
        .with_columns(
            d_missing=pl.col("a_dob").is_null() | pl.col("p_dob").is_null(),
            d_exact=pl.col("a_dob") == pl.col("p_dob"),
            d_near=(differing == 1) | swapped | year_off_by_one,
        )
        .select("pair_idx", "estimated", dob_idx=dob.level_index())
    )


def _address_levels(frames: LinkFrames, pairs: pl.DataFrame, address: Comparison) -> pl.DataFrame:
    acc = frames.accounts.select(
        "acct_idx",
        "has_address",
        pl.col("pref").alias("a_pref"),
        pl.col("city").alias("a_city"),
        pl.col("town").alias("a_town"),
        pl.col("block").alias("a_block_code"),
        pl.col("room").alias("a_room"),
    )
    addr = frames.addresses.select(
        "person_idx",
        "is_current",
        pl.col("pref").alias("p_pref"),
        pl.col("city").alias("p_city"),
        pl.col("town").alias("p_town"),
        pl.col("block").alias("p_block"),
        pl.col("room").alias("p_room"),
    )
    pref_ok = pl.col("a_pref").is_null() | pl.col("p_pref").is_null() | (pl.col("a_pref") == pl.col("p_pref"))
    # An address written without its municipality is compared on town and block alone.
    city_ok = pref_ok & (pl.col("a_city").is_null() | pl.col("p_city").is_null() | (pl.col("a_city") == pl.col("p_city")))
    return (
        pairs.join(acc, on="acct_idx")
        .join(addr, on="person_idx", how="left")
        .with_columns(
            a_missing=~pl.col("has_address"),
            a_block=city_ok & (pl.col("a_block_code") == pl.col("p_block")),
            a_current=pl.col("is_current"),
            a_town=city_ok & (pl.col("a_town") == pl.col("p_town")),
            # Absence is not contradiction: a bank that stores only 町名 (or 町名 + 丁目) names no other block.
            a_no_block=pl.col("a_block_code").is_null()
            | pl.col("p_block").str.starts_with(pl.col("a_block_code") + "-").fill_null(False),
            a_city=pref_ok & (pl.col("a_city") == pl.col("p_city")),
        )
        .with_columns(
            # Same block, but both sides name a room and the rooms differ: another flat of the building.
            _conflict=(pl.col("a_room") != pl.col("p_room")).fill_null(False).cast(pl.UInt8),
        )
        .group_by("pair_idx")
        .agg(_best=(address.level_index().cast(pl.UInt8) * 2 + pl.col("_conflict")).min())
        .select(
            "pair_idx",
            address_idx=(pl.col("_best") // 2).cast(pl.UInt8),
            room_conflict=(pl.col("_best") % 2) == 1,
        )
    )


def score_pairs(
    frames: LinkFrames,
    pairs: pl.DataFrame,
    *,
    model: MatchModel = DEFAULT_MODEL,
    options: ScoringOptions | None = None,
) -> pl.DataFrame:
    """Evidence levels, similarity and score for every candidate pair.

    Returns ``acct_idx, person_idx, estimated, name_idx, dob_idx,
    address_idx, room_conflict, name_similarity, score, name_evidence,
    dob_evidence, address_evidence`` (evidence columns as ``pl.Enum`` of the
    level labels). ``room_conflict``: the best address agrees at block level
    but both sides name a room number and they differ.
    """
    options = options or ScoringOptions()
    pairs = pairs.select("acct_idx", "person_idx").with_row_index("pair_idx")
    name = _name_levels(frames, pairs, options, model.name)
    dob = _dob_levels(frames, pairs, model.dob)
    address = _address_levels(frames, pairs, model.address)
    out = (
        pairs.join(name, on="pair_idx", how="left")
        .join(dob, on="pair_idx", how="left")
        .join(address, on="pair_idx", how="left")
        .sort("pair_idx")
        .with_columns(
            pl.col("name_idx").fill_null(len(model.name.levels) - 1),
            pl.col("name_similarity").fill_null(0.0),
        )
    )
    return out.with_columns(
        model.score("name_idx", "dob_idx", "address_idx", "name_similarity"),
        name_evidence=model.name.label_of(pl.col("name_idx")),
        dob_evidence=model.dob.label_of(pl.col("dob_idx")),
        address_evidence=model.address.label_of(pl.col("address_idx")),
    ).drop("pair_idx")
