"""Evidence levels as declarative data, composed into one scoring model.

Splink's idea, without Splink: a *comparison* is an ordered list of *levels*;
each level is a polars condition over pair features and carries a weight (a
log2 Bayes factor, "how many times likelier among true matches than among
random pairs", in bits). The first level whose condition holds gives the
evidence value written to ``matches.csv`` (``name_evidence`` ...). The model
adds the weights of the three comparisons to a prior and maps the sum to a
score in [0, 1] with the logistic function in base 2.

The feature columns the conditions read are computed by
:mod:`matching.scoring`; their names are listed in :data:`FEATURES`.

The weights are set by hand from the figures in the background notes (about
23,700 distinct birth dates in a population, a kana name shared by roughly
one person in several thousand, addresses years old at the bank) and tuned on
synthetic offices; they order candidates. The *class* of an account is
decided by the rules of :mod:`matching.classify`, which read the evidence
values, never the score alone - so a weight change can reorder candidates
but cannot break a safety rule.

>>> [lvl.label for lvl in NAME.levels]
['exact', 'other_name', 'variant', 'partial', 'mismatch']
>>> round(DEFAULT_MODEL.probability(10 + 11 + 8), 4)
0.9995
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import polars as pl

__all__ = [
    "ADDRESS",
    "ADDRESS_LEVELS",
    "DEFAULT_MODEL",
    "DOB",
    "DOB_LEVELS",
    "FEATURES",
    "NAME",
    "NAME_LEVELS",
    "Comparison",
    "ComparisonLevel",
    "MatchModel",
]

#: Feature columns (computed by ``matching.scoring``) the level conditions read.
FEATURES: dict[str, str] = {
    "n_same": "bank name key equals the person's name form key",
    "n_other": "the form is one of the person's other names (旧姓, 通称)",
    "n_variant": "edit distance within the variant limit, same secondary key, truncated prefix, or name + suffix words",
    "n_partial": "family part or given part agrees",
    "d_missing": "birth date unknown on either side",
    "d_exact": "same birth date",
    "d_near": "one digit differs, day and month swapped, or the year off by one (same month and day)",
    "a_missing": "the bank holds no address",
    "a_block": "same municipality, town and block (丁目-番-号)",
    "a_current": "the compared address is the person's current address",
    "a_town": "same municipality and town (町名/大字)",
    "a_no_block": "the bank holds no block number, or only the first numbers of this address's block (丁目 without 番-号)",
    "a_city": "same municipality (市区町村)",
}


@dataclass(frozen=True, slots=True)
class ComparisonLevel:
    """One evidence value: its label, when it holds, and its weight in bits."""

    label: str
    condition: pl.Expr
    weight: float
    description: str


@dataclass(frozen=True, slots=True)
class Comparison:
    """An ordered list of levels; the first level whose condition holds wins.

    The last level is the *else* level (its condition is ignored).
    """

    name: str
    levels: tuple[ComparisonLevel, ...]

    @property
    def labels(self) -> list[str]:
        return [lvl.label for lvl in self.levels]

    @property
    def dtype(self) -> pl.Enum:
        return pl.Enum(self.labels)

    def level_index(self) -> pl.Expr:
        """Index (UInt8, 0 = first level) of the first level that holds."""
        *conds, _last = self.levels
        expr: pl.Expr = pl.lit(len(self.levels) - 1, dtype=pl.UInt8)
        for i in range(len(conds) - 1, -1, -1):
            expr = pl.when(conds[i].condition.fill_null(False)).then(pl.lit(i, dtype=pl.UInt8)).otherwise(expr)
        return expr

    def label_of(self, index: pl.Expr) -> pl.Expr:
        """Evidence label (Enum) for a level index column."""
        return index.cast(pl.UInt32).replace_strict(
            list(range(len(self.levels))), self.labels, return_dtype=self.dtype
        )

    def weight_of(self, index: pl.Expr) -> pl.Expr:
        """Weight (bits) for a level index column."""
        return index.cast(pl.UInt32).replace_strict(
            list(range(len(self.levels))), [lvl.weight for lvl in self.levels], return_dtype=pl.Float64
        )


def _c(name: str) -> pl.Expr:
    return pl.col(name)


NAME_LEVELS: tuple[ComparisonLevel, ...] = (
    ComparisonLevel("exact", _c("n_same") & ~_c("n_other"), 10.0, "same name key"),
    ComparisonLevel("other_name", _c("n_same") & _c("n_other"), 9.0,
                    "same as one of the person's other names, or other family name + same given name"),
    ComparisonLevel("variant", _c("n_variant"), 6.0,
                    "one kana off, same secondary key (long vowels, dakuten), a truncated prefix, "
                    "or the name followed by a guardian's or shop's name"),
    ComparisonLevel("partial", _c("n_partial"), 1.0, "family or given name only"),
    ComparisonLevel("mismatch", pl.lit(True), -8.0, "the names differ"),
)
DOB_LEVELS: tuple[ComparisonLevel, ...] = (
    ComparisonLevel("missing", _c("d_missing"), 0.0, "birth date unknown on either side"),
    ComparisonLevel("exact", _c("d_exact"), 11.0, "same birth date"),
    ComparisonLevel("near", _c("d_near"), 4.0, "one digit off, day and month swapped, or the year off by one"),
    ComparisonLevel("mismatch", pl.lit(True), -10.0, "birth dates differ"),
)
ADDRESS_LEVELS: tuple[ComparisonLevel, ...] = (
    ComparisonLevel("missing", _c("a_missing"), 0.0, "the bank holds no address"),
    ComparisonLevel("current", _c("a_block") & _c("a_current"), 8.0, "block level equal to the current address"),
    ComparisonLevel("history", _c("a_block"), 6.0, "block level equal to a former address"),
    ComparisonLevel("town", _c("a_town") & _c("a_no_block"), 4.0,
                    "same town as a known address; the bank holds no block (or only its first numbers)"),
    ComparisonLevel("other_block", _c("a_town"), 3.0,
                    "same town as a known address, but the bank names a block that is none of the person's"),
    ComparisonLevel("city", _c("a_city"), 1.5, "same municipality as a known address only"),
    ComparisonLevel("mismatch", pl.lit(True), -3.0, "a municipality where the person never lived"),
)

NAME = Comparison("name", NAME_LEVELS)
DOB = Comparison("dob", DOB_LEVELS)
ADDRESS = Comparison("address", ADDRESS_LEVELS)


@dataclass(frozen=True, slots=True)
class MatchModel:
    """Three comparisons, a prior, and a small similarity term for ordering.

    ``score = 1 / (1 + 2 ** -(prior + w_name + w_dob + w_address + s))`` where
    ``s = similarity_weight * (name_similarity - 1)`` (<= 0) breaks ties
    between two names at the same level by their Jaro-Winkler similarity.
    """

    name: Comparison = NAME
    dob: Comparison = DOB
    address: Comparison = ADDRESS
    prior_weight: float = -18.0
    similarity_weight: float = 4.0

    @property
    def comparisons(self) -> tuple[Comparison, Comparison, Comparison]:
        return (self.name, self.dob, self.address)

    def probability(self, total_weight: float) -> float:
        """Score for a sum of level weights (a plain-number helper for docs and tests)."""
        return 1.0 / (1.0 + 2.0 ** -(self.prior_weight + total_weight))

    def score(self, name_idx: str, dob_idx: str, address_idx: str, similarity: str) -> pl.Expr:
        """Score expression over three level-index columns and a name similarity column."""
        total = (
            pl.lit(self.prior_weight)
            + self.name.weight_of(pl.col(name_idx))
            + self.dob.weight_of(pl.col(dob_idx))
            + self.address.weight_of(pl.col(address_idx))
            + self.similarity_weight * (pl.col(similarity).fill_null(0.0) - 1.0)
        )
        return (1.0 / (1.0 + (-total * math.log(2.0)).exp())).alias("score")


DEFAULT_MODEL = MatchModel()
