"""Candidate generation: which (account, person) pairs are worth scoring.

Comparing every returned account with every person of the master is
quadratic; comparing it only with the inquired person misses the account of
another delinquent (matching.md safety rule 4) and the 旧姓 account. Blocking
joins the prepared tables on cheap integer keys instead; each rule below is
one join, and the candidate pairs are the union of all rules, plus the
inquired person of each account, plus - for an account no rule found - a few
persons sharing its name key (so that a homonym still gets a nearest person).

The name key is an integer code of one shared vocabulary and the other
string keys are 64-bit hashes (``*_h`` columns, built by
:func:`matching.link.build_frames`), so the joins compare integers; a hash
collision can only add a pair to score, never decide one.

The prepared tables (:class:`LinkFrames`):

- ``accounts``: one row per distinct account, ``acct_idx`` (0..n-1),
  ``key``/``key2``/``family``/``given`` codes, ``prefix_h`` (the prefix's hash only), ``key_len``,
  ``dob``, ``y``/``m``/``d``, ``inquired_idx``, ``has_address`` and the
  address codes ``pref``/``city``/``town``/``block``;
- ``forms``: one row per name form of a person (the name, each of
  ``other_names_kana``, each other family name + the current given name, each
  alternative estimated reading) with ``person_idx``, ``kind_other`` and the
  same name and birth-date columns;
- ``persons``: ``person_idx``, ``person_id``, ``estimated``, ``dob``;
- ``addresses``: one row per known address of a person (current first, then
  former) with ``person_idx``, ``is_current`` and the address codes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

__all__ = [
    "BLOCKING_RULES",
    "FALLBACK_NAMESAKES",
    "MAX_BLOCK",
    "BlockingRule",
    "LinkFrames",
    "candidate_pairs",
    "secondary_key",
]

PAIR_SCHEMA = {"acct_idx": pl.UInt32, "person_idx": pl.UInt32}


@dataclass(frozen=True, slots=True)
class LinkFrames:
    """The four prepared tables and the vocabulary of name strings (see module doc)."""

    accounts: pl.DataFrame
    forms: pl.DataFrame
    persons: pl.DataFrame
    addresses: pl.DataFrame
    vocabulary: np.ndarray = field(repr=False)


@dataclass(frozen=True, slots=True)
class BlockingRule:
    """One equi-join between accounts and person name forms (or forms × addresses).

    ``left_on`` columns of ``accounts`` are joined to ``right_on`` columns of
    ``forms`` (``right="forms"``) or of forms joined with their person's
    known addresses (``right="form_addresses"``). Null keys never join.
    ``max_block`` skips keys shared by more persons than that (a guard: a
    very common name in a big city must not multiply the pairs; such
    accounts still meet their inquired person and, through name+dob, every
    person with their name and birth date).
    """

    name: str
    left_on: tuple[str, ...]
    right_on: tuple[str, ...]
    why: str
    accounts_filter: pl.Expr | None = None
    forms_filter: pl.Expr | None = None
    right: str = "forms"
    max_block: int | None = None


#: Largest block (persons sharing one key) joined by a rule without the birth date.
MAX_BLOCK = 200

#: Namesakes paired with an account that no rule found (its nearest persons).
FALLBACK_NAMESAKES = 5

#: The blocking rules, each with the difficulty it catches. Every rule but
#: name+dob skips keys shared by more than ``MAX_BLOCK`` persons, so that no
#: name, however common, multiplies the pairs.
BLOCKING_RULES: tuple[BlockingRule, ...] = (
    BlockingRule("name+dob", ("key", "dob"), ("key", "dob"),
                 "same name and birth date (never capped)"),
    BlockingRule("name+year+month", ("key", "y", "m"), ("key", "y", "m"),
                 "same name; the day may be mistyped", max_block=MAX_BLOCK),
    BlockingRule("name+year+day", ("key", "y", "d"), ("key", "y", "d"),
                 "same name; the month may be mistyped", max_block=MAX_BLOCK),
    BlockingRule("name+month+day", ("key", "m", "d"), ("key", "m", "d"),
                 "same name; the year may be mistyped", max_block=MAX_BLOCK),
    BlockingRule("name+swapped dob", ("key", "y", "d", "m"), ("key", "y", "m", "d"),
                 "same name; day and month swapped", max_block=MAX_BLOCK),
    BlockingRule("name, bank dob missing", ("key",), ("key",),
                 "the bank holds no birth date (00000000)", accounts_filter=pl.col("dob").is_null(),
                 max_block=MAX_BLOCK),
    BlockingRule("name, person dob missing", ("key",), ("key",),
                 "the master holds no birth date", forms_filter=pl.col("dob").is_null(), max_block=MAX_BLOCK),
    BlockingRule("secondary key+dob", ("key2", "dob"), ("key2", "dob"),
                 "a long vowel written -/ウ/オ/イ, dropped or added; ヴァ written バ; a dropped dakuten",
                 max_block=MAX_BLOCK),
    BlockingRule("family+dob", ("family", "dob"), ("family", "dob"),
                 "typing error in the given name; a new given name (通称)", max_block=MAX_BLOCK),
    BlockingRule("given+dob", ("given", "dob"), ("given", "dob"),
                 "typing error in the family name; 旧姓 unknown to the master", max_block=MAX_BLOCK),
    BlockingRule("prefix+dob", ("prefix", "dob"), ("prefix", "dob"),
                 "a truncated bank name; a typing error late in the name", max_block=MAX_BLOCK),
    BlockingRule("name+town", ("key", "town"), ("key", "town"),
                 "same name in a town the person lived in; the birth date may be badly wrong",
                 right="form_addresses", max_block=MAX_BLOCK),
    # Every person at the account's block whose name could fit it, whatever the birth dates: the
    # rivals of safety rule 2 (a wrong estimated reading, a master without the birth date) must be
    # scored to be seen, and the block is selective enough to join without a birth date.
    BlockingRule("family+block", ("family", "block"), ("family", "block"),
                 "a slip in the given name or a wrong estimated reading at a block the person lived at; "
                 "the namesakes there that may rival a hit (safety rule 2)",
                 right="form_addresses", max_block=MAX_BLOCK),
    BlockingRule("given+block", ("given", "block"), ("given", "block"),
                 "another family name (旧姓 unknown, a slip) at a block the person lived at",
                 right="form_addresses", max_block=MAX_BLOCK),
    BlockingRule("secondary key+block", ("key2", "block"), ("key2", "block"),
                 "long vowels or a dakuten in both parts of the name, at a block the person lived at",
                 right="form_addresses", max_block=MAX_BLOCK),
)


#: Bank-side spellings of ヴ (systems that cannot hold ヴ): ヴァ → バ, ヴィ → ビ, ヴェ → ベ, ヴォ → ボ.
#: The name key has already made ヴ a ブ and enlarged the small vowel (ヴァ → ブア), so these
#: fold the key's ブア/ブイ/ブエ/ブオ; ヴ → ブ itself is in the name key (an ``exact`` name).
_BANK_V: dict[str, str] = {"ブア": "バ", "ブイ": "ビ", "ブエ": "ベ", "ブオ": "ボ"}


def _secondary_table() -> dict[str, str]:
    """One replace table (single Aho-Corasick pass, leftmost-first: the longer patterns come first)."""
    voiced = "ガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポ"
    plain = "カキクケコサシスセソタチツテトハヒフヘホハヒフヘホ"
    unvoice = dict(zip(voiced, plain))
    table: dict[str, str] = {}
    # ヴァ written バ ..., and a long vowel after it (ヴィー / ビー / ビ)
    for pair, bank in _BANK_V.items():
        for mark in ("-", ""):
            table[pair + mark] = unvoice[bank]
    # a long vowel in any spelling is dropped: after an O-row kana -, ウ or オ; after a U-row kana - or
    # ウ; after an E-row kana -, イ or エ; after any other kana - (the bank dropped or added a ー)
    rows = {"オ": "オコソトノホモヨロ", "ウ": "ウクスツヌフムユル", "エ": "エケセテネヘメレ"}
    marks = {"オ": "-ウオ", "ウ": "-ウ", "エ": "-イエ"}
    for vowel, row in rows.items():
        kana = row + "".join(v for v, p in unvoice.items() if p in row)
        for k in kana:
            for mark in marks[vowel]:
                table.setdefault(k + mark, unvoice.get(k, k))
    table.update(unvoice)
    table["-"] = ""
    return table


_SECONDARY = _secondary_table()


def secondary_key(key: pl.Expr) -> pl.Expr:
    """Coarser name key for blocking and the ``variant`` level, never for ``exact`` (kana.md rule 12).

    From the name key: the bank-side spellings of ヴ folded (ヴァ/ヴィ/ヴェ/ヴォ written
    バ/ビ/ベ/ボ, whose keys ブア/ブイ/ブエ/ブオ differ from バ... by two characters), every long
    vowel dropped whether written ``-`` or spelled (``ウ``/``オ`` after an O-row kana, ``ウ``
    after a U-row kana, ``イ``/``エ`` after an E-row kana - so a dropped or an added ー is no
    difference), and dakuten/handakuten dropped (a teller's most common slip).

    >>> import polars as pl
    >>> pl.select(secondary_key(pl.lit("サト-")).alias("k")).item()
    'サト'
    >>> pl.select(secondary_key(pl.lit("ヨウコ")).alias("k")).item()
    'ヨコ'
    >>> pl.select(secondary_key(pl.lit("ブアレンテイ-ナ")).alias("k")).item()  # ヴァレンティーナ
    'ハレンテナ'
    """
    return key.str.replace_many(list(_SECONDARY), list(_SECONDARY.values()), leftmost=True)


def _rule_pairs(frames: LinkFrames, rule: BlockingRule, form_addresses: pl.LazyFrame) -> pl.LazyFrame:
    left = frames.accounts.lazy()
    if rule.accounts_filter is not None:
        left = left.filter(rule.accounts_filter)
    right = frames.forms.lazy() if rule.right == "forms" else form_addresses
    if rule.forms_filter is not None:
        right = right.filter(rule.forms_filter)
    lcols = frames.accounts.columns
    rcols = frames.forms.columns if rule.right == "forms" else form_addresses.collect_schema().names()

    def col(c: str, present: list[str], i: int) -> pl.Expr:
        return pl.col(f"{c}_h" if f"{c}_h" in present else c).alias(f"_k{i}")

    left = left.select("acct_idx", *[col(c, lcols, i) for i, c in enumerate(rule.left_on)])
    right = right.select("person_idx", *[col(c, rcols, i) for i, c in enumerate(rule.right_on)])
    keys = [f"_k{i}" for i in range(len(rule.left_on))]
    if rule.max_block is not None:
        right = right.filter(pl.len().over(keys) <= rule.max_block)
    return left.join(right, on=keys, how="inner").select(_PAIR_CODE)


#: a pair as one integer, ``acct_idx`` in the high half: the union of the rules (tens of millions of
#: rows at L) is deduplicated on one 8-byte column instead of two (L: 0.1-0.2 GB less at its peak)
_PAIR_CODE = (pl.col("acct_idx").cast(pl.UInt64) * (1 << 32) + pl.col("person_idx").cast(pl.UInt64)).alias("_pair")


def candidate_pairs(frames: LinkFrames, rules: tuple[BlockingRule, ...] = BLOCKING_RULES) -> pl.DataFrame:
    """Distinct ``(acct_idx, person_idx)`` pairs to score.

    Union of the blocking rules and of each account's inquired person; an
    account left without any candidate is then paired with the persons
    sharing its name key (any birth date, at most ``FALLBACK_NAMESAKES``), so
    that even a homonym is compared with a nearest person.
    """
    form_addresses = (
        frames.forms.lazy()
        .select("person_idx", "key", "key2_h", "family_h", "given_h")
        .join(frames.addresses.lazy().select("person_idx", "town_h", "block_h"), on="person_idx")
        .unique()
    )
    parts = [_rule_pairs(frames, rule, form_addresses) for rule in rules]
    parts.append(
        frames.accounts.lazy()
        .filter(pl.col("inquired_idx").is_not_null())
        .select("acct_idx", pl.col("inquired_idx").alias("person_idx"))
        .select(_PAIR_CODE)
    )
    code = pl.concat(parts).unique().collect().get_column("_pair")
    pairs = pl.DataFrame({"acct_idx": (code // (1 << 32)).cast(pl.UInt32), "person_idx": (code % (1 << 32)).cast(pl.UInt32)})
    del code
    found = pairs.get_column("acct_idx").unique()
    lonely = frames.accounts.lazy().filter(~pl.col("acct_idx").is_in(found.implode()))
    namesakes = frames.forms.lazy().select("key", "person_idx").sort("key", "person_idx").group_by("key").head(
        FALLBACK_NAMESAKES
    )
    extra = (
        lonely.select("acct_idx", "key")
        .join(namesakes, on="key")
        .select("acct_idx", "person_idx")
        .unique()
        .collect()
    )
    out = pl.concat([pairs, extra]) if extra.height else pairs
    return out.cast(PAIR_SCHEMA).sort("acct_idx", "person_idx")
