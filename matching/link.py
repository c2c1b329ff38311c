"""``link()``: every returned account to at most one person, with a class.

The pipeline is four small steps on whole tables::

    normalise  ->  candidate pairs  ->  evidence + score  ->  classes, one owner
    (names,        (blocking.py)        (scoring.py,          (classify.py)
     addresses)                          comparisons.py)

An account returned several times (for several inquiries, or in several
files) is linked once, against every plausible person of the master - not
only the inquired one - and the result explains itself (evidence values,
score, candidates, reason).

Example (two strangers share 佐藤花子's kana name; one even shares her birth
date, but lives elsewhere)::

    >>> import datetime as dt, polars as pl
    >>> persons = pl.DataFrame({
    ...     "person_id": ["P1"], "name_kana": ["サトウ ハナコ"], "kana_estimated": [False],
    ...     "other_names_kana": [[]], "birth_date": [dt.date(1970, 3, 12)],
    ...     "address": ["東京都世田谷区太子堂一丁目2番3号"], "address_history": [[]]},
    ...     schema_overrides={"other_names_kana": pl.List(pl.Utf8), "address_history": pl.List(pl.Utf8)})
    >>> accounts = pl.DataFrame({
    ...     "account_key": ["A", "B", "C"], "inquiry_id": ["Q1"] * 3, "inquired_person_id": ["P1"] * 3,
    ...     "holder_kana": ["ｻﾄｳ ﾊﾅｺ"] * 3,
    ...     "holder_birth_date": [dt.date(1970, 3, 12), dt.date(1970, 3, 12), dt.date(1981, 7, 1)],
    ...     "holder_address": ["世田谷区太子堂1-2-3", "大阪市北区梅田1-1-1", "大阪市北区梅田2-2-2"]})
    >>> link(accounts, persons).select("account_key", "class").rows()
    [('A', 'CONFIRMED'), ('B', 'REVIEW'), ('C', 'HOMONYM')]
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import polars as pl

from matching.blocking import BLOCKING_RULES, BlockingRule, LinkFrames, candidate_pairs, secondary_key
from matching.classify import CLASS_DTYPE, classify_pairs, resolve_accounts
from matching.comparisons import DEFAULT_MODEL, MatchModel
from matching.scoring import ScoringOptions, score_pairs
from matching.stages import StageClock

__all__ = [
    "ACCOUNT_COLUMNS",
    "EVIDENCE_COLUMN",
    "EVIDENCE_FIELDS",
    "PERSON_COLUMNS",
    "RESULT_COLUMNS",
    "LinkConfig",
    "LinkInputError",
    "build_frames",
    "candidate_evidence",
    "link",
    "normalise_accounts",
    "normalise_persons",
    "rules_digest",
]

ACCOUNT_COLUMNS = ("account_key", "inquiry_id", "inquired_person_id", "holder_kana", "holder_birth_date", "holder_address")
PERSON_COLUMNS = ("person_id", "name_kana", "other_names_kana", "birth_date", "address", "address_history")
RESULT_COLUMNS = (
    "account_key", "inquiry_id", "inquired_person_id", "person_id", "class", "score",
    "name_evidence", "dob_evidence", "address_evidence", "candidates", "reason",
)
#: the per-candidate evidence of an account (after :data:`RESULT_COLUMNS`): a list, best first, of
#: structs with :data:`EVIDENCE_FIELDS` - what the engine saw of each person it weighed
EVIDENCE_COLUMN = "candidate_evidence"
EVIDENCE_FIELDS = ("person_id", "class", "score", "name_evidence", "dob_evidence", "address_evidence", "reason")


class LinkInputError(ValueError):
    """A frame given to :func:`link` lacks a required column."""


@dataclass(frozen=True, slots=True)
class LinkConfig:
    """Tunable parts of the linking model (defaults documented in docs/matching.md)."""

    model: MatchModel = DEFAULT_MODEL
    scoring: ScoringOptions = field(default_factory=ScoringOptions)
    blocking_rules: tuple[BlockingRule, ...] = BLOCKING_RULES
    prefix_length: int = 4
    max_candidates: int = 5


@functools.cache
def rules_digest() -> str:
    """A digest of this package's source: the rules :func:`link` applies, whatever the version number says.

    A store that keeps links made earlier and links only what is new when
    nothing else changed (``inquiry match``) must notice any change of a
    rule, a fix included, and link every open account again once.

    >>> len(rules_digest()), rules_digest() == rules_digest()
    (32, True)
    """
    digest = hashlib.sha256()
    for source in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(source.name.encode("utf-8") + b"\0" + source.read_bytes().replace(b"\r\n", b"\n"))
    return digest.hexdigest()[:32]


def _check(frame: pl.DataFrame, required: tuple[str, ...], what: str) -> None:
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise LinkInputError(f"{what}: missing column(s) {', '.join(missing)}")


def _name_columns(raw: pl.Expr) -> list[pl.Expr]:
    """The name's family and given parts; :func:`_parsed` makes the key from them (the key is
    the two parts joined, and keying the name twice would run NFKC and the key table twice)."""
    from matching.names import name_parts

    return [name_parts(raw).alias("_name_parts")]


def _holder_columns(raw: pl.Expr) -> list[pl.Expr]:
    """Name columns of the bank's holder, plus ``head``: the key of its first two
    words when it has more (a guardian's or a shop's name after the holder's,
    often cut at the field width: ``ｵﾉ ﾋﾛｺ ｾｲﾈﾝｺｳｹﾝﾆﾝ ｻﾄ``)."""
    from matching.names import name_key

    words = raw.str.replace_all(r"\s+", " ").str.strip_chars(" ").str.split(" ")
    head = pl.when(words.list.len() >= 3).then(name_key(words.list.head(2).list.join(" ")))
    return [*_name_columns(raw), head.alias("head")]


def _address_columns(raw: pl.Expr) -> list[pl.Expr]:
    from matching.addresses import address_parts

    return [address_parts(raw, distinct_values=True).alias("_address_parts")]  # :func:`_parsed` gives distinct values


#: distinct names or addresses parsed at once (see :func:`_parsed`)
PARSE_SLICE = 250_000


def _parsed(frame: pl.DataFrame, raw: str, columns: Callable[[pl.Expr], list[pl.Expr]]) -> pl.DataFrame:
    """Add the parsed ``columns`` of ``raw``, parsing each distinct value once.

    Names and addresses repeat (an account answered for several inquiries,
    the same street for many people), and address parsing is the costliest
    step of normalisation.
    """
    distinct = frame.select(pl.col(raw).alias("_raw")).unique().drop_nulls()
    # in slices: the parse holds a dozen intermediate string columns per value (2 M addresses at L)
    slices = [distinct.slice(i, PARSE_SLICE) for i in range(0, max(distinct.height, 1), PARSE_SLICE)]
    parsed = pl.concat([part.with_columns(columns(pl.col("_raw"))) for part in slices])
    # Struct results are computed once and spread into columns here (an
    # expression per field would run the parser once per field).
    if "_name_parts" in parsed.columns:
        parsed = parsed.unnest("_name_parts").with_columns(
            key=pl.concat_str(["family", "given"], ignore_nulls=True).replace("", None)
        )
    if "_address_parts" in parsed.columns:
        parsed = parsed.unnest("_address_parts").with_columns(
            # the room: the last number of the building part (方書), e.g. 703 in レジデンス緑ヶ丘703号
            room=pl.col("building").str.extract(r"([0-9]+)[^0-9]*$", 1).str.strip_chars_start("0").replace("", None)
        ).drop("building")
    # every part is null when absent, never empty (names.name_parts, addresses.address_parts, the room above)
    return frame.join(parsed, left_on=raw, right_on="_raw", how="left", maintain_order="left")


def _nonempty(col: str) -> pl.Expr:
    return pl.col(col).is_not_null() & (pl.col(col).str.strip_chars().str.len_chars() > 0)


def _as_list(frame: pl.DataFrame, col: str, sep: str) -> pl.Expr:
    if col not in frame.columns:
        return pl.lit([], dtype=pl.List(pl.Utf8)).alias(col)
    if frame.schema[col] == pl.Utf8:
        return pl.col(col).str.split(sep).alias(col)
    return pl.col(col).cast(pl.List(pl.Utf8))


def _distinct_accounts(accounts: pl.DataFrame) -> pl.DataFrame:
    """Each account's first row, numbered ``acct_idx`` in the order of first occurrence."""
    return accounts.unique("account_key", keep="first", maintain_order=True).with_row_index("acct_idx")


def normalise_accounts(accounts: pl.DataFrame) -> pl.DataFrame:
    """Distinct accounts (first occurrence wins) with name and address parts.

    Returns the input's columns plus ``acct_idx, key, family, given, dob,
    has_address, pref, city, town, block, room``.
    """
    _check(accounts, ACCOUNT_COLUMNS, "accounts")
    distinct = _distinct_accounts(accounts)
    # the addresses (the costliest parse) in a second thread while the names are parsed:
    # polars runs each string pass on one core, and releases the GIL while it does
    with ThreadPoolExecutor(max_workers=1) as pool:
        addresses = pool.submit(_parsed, distinct.select("holder_address"), "holder_address", _address_columns)
        named = _parsed(distinct, "holder_kana", _holder_columns)
        distinct = pl.concat([named, addresses.result().drop("holder_address")], how="horizontal")
    return distinct.with_columns(
        dob=pl.col("holder_birth_date").cast(pl.Date),
        has_address=_nonempty("holder_address"),
    )


def normalise_persons(persons: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """``(persons, forms, addresses)`` with name and address parts (see blocking.py)."""
    _check(persons, PERSON_COLUMNS, "persons")
    base = persons.with_row_index("person_idx").with_columns(
        _as_list(persons, "other_names_kana", ";"),
        _as_list(persons, "address_history", "|"),
        _as_list(persons, "kana_candidates", ";"),
        estimated=(pl.col("kana_estimated").cast(pl.Boolean).fill_null(False)
                   if "kana_estimated" in persons.columns else pl.lit(False)),
        dob=pl.col("birth_date").cast(pl.Date),
    )
    table = base.select("person_idx", pl.col("person_id").cast(pl.Utf8), "estimated", "dob")
    raw = pl.concat(
        [
            base.select("person_idx", kind_other=pl.lit(False), raw=pl.col("name_kana"), main=pl.lit(True)),
            base.select("person_idx", kind_other=pl.lit(False), raw=pl.col("kana_candidates"), main=pl.lit(False))
            .explode("raw"),
            base.select("person_idx", kind_other=pl.lit(True), raw=pl.col("other_names_kana"), main=pl.lit(False))
            .explode("raw"),
        ]
    ).filter(_nonempty("raw"))
    named = _parsed(raw, "raw", _name_columns)
    current_given = named.filter(pl.col("main")).select("person_idx", cur_given=pl.col("given"))
    maiden = (
        named.filter(pl.col("kind_other") & pl.col("family").is_not_null())
        .join(current_given.filter(pl.col("cur_given").is_not_null()), on="person_idx")
        .select(
            "person_idx",
            kind_other=pl.lit(True),
            key=pl.col("family") + pl.col("cur_given"),
            family=pl.col("family"),
            given=pl.col("cur_given"),
        )
    )
    forms = (
        pl.concat([named.select("person_idx", "kind_other", "key", "family", "given"), maiden])
        .filter(pl.col("key").is_not_null())
        .sort("person_idx", "kind_other")
        .unique(["person_idx", "key"], keep="first", maintain_order=True)
        .join(table.select("person_idx", "dob"), on="person_idx")
    )
    addr_raw = pl.concat(
        [
            base.select("person_idx", is_current=pl.lit(True), raw=pl.col("address")),
            base.select("person_idx", is_current=pl.lit(False), raw=pl.col("address_history")).explode("raw"),
        ]
    ).filter(_nonempty("raw"))
    addresses = _parsed(addr_raw, "raw", _address_columns).drop("raw")
    return table, forms, addresses


def _encode(tables: list[pl.DataFrame], columns: tuple[str, ...]) -> tuple[list[pl.DataFrame], np.ndarray]:
    """Replace string ``columns`` (where present) by UInt32 codes of one shared vocabulary (exact, no hashing)."""
    values = [t.get_column(c).cast(pl.Utf8).alias("s") for t in tables for c in columns if c in t.columns]
    vocab = pl.concat(values).drop_nulls().unique().to_frame().with_row_index("code")
    out = []
    for t in tables:
        for c in columns:
            if c in t.columns:
                t = (
                    t.with_columns(pl.col(c).cast(pl.Utf8))
                    .join(vocab.rename({"s": c}), on=c, how="left", maintain_order="left")
                    .with_columns(pl.col("code").alias(c))
                    .drop("code")
                )
        out.append(t)
    return out, vocab.get_column("s").to_numpy().astype(object)


def _hashed(*columns: str) -> list[pl.Expr]:
    """64-bit hashes of blocking keys: joins on integers; a collision only adds a pair to score."""
    return [pl.when(pl.col(c).is_not_null()).then(pl.col(c).hash(seed=0)).alias(f"{c}_h") for c in columns]


def _ymd(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        y=pl.col("dob").dt.year(), m=pl.col("dob").dt.month(), d=pl.col("dob").dt.day()
    )


def _address_keys(frame: pl.DataFrame) -> pl.DataFrame:
    """``block`` becomes ``town|block`` (a block number means nothing without its town).

    The municipality stays apart: an address written without it (the
    office's own residents, a local branch) is compared on town and block.
    """
    return frame.with_columns(block=pl.concat_str([pl.col("town"), pl.col("block")], separator="\x1f"))


def build_frames(
    accounts: pl.DataFrame,
    persons: pl.DataFrame,
    forms: pl.DataFrame,
    addresses: pl.DataFrame,
    *,
    prefix_length: int = 4,
) -> LinkFrames:
    """Encode normalised tables into the integer-keyed :class:`LinkFrames`.

    ``accounts``: ``acct_idx, key, family, given, dob, has_address, pref,
    city, town, block``, ``inquired_person_id`` and optionally ``head``, ``room``; ``persons``:
    ``person_idx, person_id, estimated, dob``; ``forms``: ``person_idx,
    kind_other, key, family, given, dob``; ``addresses``: ``person_idx,
    is_current, pref, city, town, block`` - all strings already normalised.
    """

    def name_derived(frame: pl.DataFrame) -> pl.DataFrame:
        return _ymd(frame).with_columns(
            key2=secondary_key(pl.col("key")),
            prefix=pl.col("key").str.slice(0, prefix_length),
            key_len=pl.col("key").str.len_chars().cast(pl.Int32),
        )

    accounts = accounts.with_columns(
        pl.lit(None, dtype=pl.Utf8).alias(c) for c in ("head", "room") if c not in accounts.columns
    )
    addresses = addresses.with_columns(
        pl.lit(None, dtype=pl.Utf8).alias(c) for c in ("room",) if c not in addresses.columns
    )
    acc = name_derived(
        accounts.select(
            "acct_idx", "key", "head", "family", "given", "dob", "has_address", "pref", "city", "town", "block",
            "room", pl.col("inquired_person_id").cast(pl.Utf8),
        )
    )
    acc = acc.join(
        persons.select(pl.col("person_id").alias("inquired_person_id"), pl.col("person_idx").alias("inquired_idx")),
        on="inquired_person_id",
        how="left",
        maintain_order="left",
    ).drop("inquired_person_id")
    frm = name_derived(forms.select("person_idx", "kind_other", "key", "family", "given", "dob"))
    (acc, frm), vocabulary = _encode([acc, frm], ("key", "head"))
    # the prefix is only ever joined on (blocking): its hash is kept, not its text (L: 2.6 M + 1.4 M strings)
    acc = _address_keys(acc).with_columns(_hashed("key2", "family", "given", "prefix", "town", "block")).drop("prefix")
    frm = frm.with_columns(_hashed("key2", "family", "given", "prefix")).drop("prefix")
    adr = _address_keys(addresses.select("person_idx", "is_current", "pref", "city", "town", "block", "room")).with_columns(
        _hashed("town", "block")
    )
    return LinkFrames(
        accounts=acc.sort("acct_idx"),
        forms=frm,
        persons=persons.select("person_idx", "person_id", "estimated", "dob").sort("person_idx"),
        addresses=adr,
        vocabulary=vocabulary,
    )


def link(
    accounts: pl.DataFrame,
    persons: pl.DataFrame,
    *,
    config: LinkConfig | None = None,
    timings: dict[str, float] | None = None,
    evidence: bool = True,
    normalised_persons: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame] | None = None,
) -> pl.DataFrame:
    """Link every distinct returned account to at most one person, with a class.

    ``accounts``: one row per returned account record, with ``account_key,
    inquiry_id, inquired_person_id, holder_kana, holder_birth_date,
    holder_address`` (other columns are passed through, first occurrence).
    ``persons``: ``person_id, name_kana, other_names_kana (list),
    birth_date, address, address_history (list)`` and optionally
    ``kana_estimated`` and ``kana_candidates`` (alternative readings).

    Returns one row per distinct ``account_key`` (input order of first
    occurrence) with :data:`RESULT_COLUMNS` then the passed-through columns.
    Raises :class:`LinkInputError` when a required column is missing.
    ``timings``, when given, receives the seconds of each phase (normalise,
    encode, candidates, score, classify): the benchmarks compare phases with
    other engines. ``evidence=False`` leaves out :data:`EVIDENCE_COLUMN`
    (``inquiry link`` writes no evidence list: at L it is millions of
    structs built for nothing). ``normalised_persons``: :func:`normalise_persons`
    of ``persons``, made already (``inquiry match`` makes it while the
    accounts are read, and links the accounts in parts against it); the
    result is the one ``link()`` gives without it, and ``persons`` is then
    not read (``inquiry link`` passes an empty frame: the master's rows are
    freed). ``timings`` also gets ``assemble``: the chunks' results put together.
    """
    config = config or LinkConfig()
    clock = StageClock(timings)
    with ThreadPoolExecutor(max_workers=1) as pool:  # independent, and mostly outside the GIL
        persons_done = pool.submit(normalise_persons, persons) if normalised_persons is None else None
        acc_n = normalise_accounts(accounts)
        per_n, forms_n, addr_n = persons_done.result() if persons_done is not None else normalised_persons
    clock("normalise")
    frames = build_frames(acc_n, per_n, forms_n, addr_n, prefix_length=config.prefix_length)
    # the parsed strings live on encoded in ``frames``; what the result shows is taken again at the end
    del acc_n, per_n, forms_n, addr_n
    clock("encode")
    pairs = candidate_pairs(frames, config.blocking_rules)
    frames = _for_scoring(frames)
    clock("candidates")
    resolved, lists = [], []
    for chunk_pairs, chunk_accounts in _account_chunks(pairs, frames.accounts):
        # the chunk's accounts only: the pairs name no other, and each join then builds on the chunk
        chunk_frames = replace(frames, accounts=chunk_accounts)
        scored = score_pairs(chunk_frames, chunk_pairs, model=config.model, options=config.scoring).join(
            frames.persons.select("person_idx", "person_id"), on="person_idx"
        )
        clock("score")
        classified = classify_pairs(scored, config.model)
        del scored
        chunk_resolved = resolve_accounts(classified, chunk_accounts, max_candidates=config.max_candidates)
        if evidence:
            lists.append(candidate_evidence(classified, chunk_resolved, chunk_accounts, max_candidates=config.max_candidates))
        del classified
        resolved.append(chunk_resolved.select(_lean(config.model)))
        del chunk_resolved
        clock("classify")
    del pairs, frames
    # each account's first row, taken again rather than held through the scoring; in ``acct_idx``
    # order, and the joins keep the left order: no sort (a copy of every column)
    passthrough = [c for c in accounts.columns if c not in (*RESULT_COLUMNS, EVIDENCE_COLUMN)]
    head = _distinct_accounts(accounts).select("acct_idx", "account_key", "inquiry_id", "inquired_person_id", *passthrough)
    out = head.join(pl.concat(resolved), on="acct_idx", how="left", maintain_order="left")
    del head, resolved
    out = out.select(*RESULT_COLUMNS, *passthrough, "acct_idx").with_columns(_as_text())
    if not evidence:
        clock("assemble")
        return out.drop("acct_idx")
    merged = pl.concat(lists)
    out = out.join(merged, on="acct_idx", how="left", maintain_order="left").with_columns(
        pl.col(EVIDENCE_COLUMN).fill_null(pl.lit([], dtype=merged.schema[EVIDENCE_COLUMN]))
    )
    clock("assemble")
    return out.select(*RESULT_COLUMNS, EVIDENCE_COLUMN, *passthrough)


#: what scoring, classes and the owner read of the prepared tables (:mod:`matching.scoring`,
#: :mod:`matching.classify`); the rest (the blocking keys' hashes, ``y``/``m``/``d``) only served the candidates
_SCORING_COLUMNS = {
    "accounts": ("acct_idx", "key", "head", "key2", "family", "given", "key_len", "dob", "has_address",
                 "pref", "city", "town", "block", "room", "inquired_idx"),
    "forms": ("person_idx", "kind_other", "key", "key2", "family", "given", "key_len"),
    "addresses": ("person_idx", "is_current", "pref", "city", "town", "block", "room"),
}  # fmt: skip


def _for_scoring(frames: LinkFrames) -> LinkFrames:
    """``frames`` without what only blocking needed, freed before the scoring (L: ~0.2 GB)."""
    return replace(frames, **{name: getattr(frames, name).select(cols) for name, cols in _SCORING_COLUMNS.items()})


#: result columns held as codes while the chunks are scored (:func:`_lean`), text again in the result
_CODED = ("person_id", "class", "name_evidence", "dob_evidence", "address_evidence", "reason")


def _lean(model: MatchModel) -> list[pl.Expr]:
    """A chunk's resolved accounts as held until every chunk is done: the labels as enums and the
    person and reason as categoricals (1-4 bytes a row instead of a string each - the reason is a
    sentence - for the 2.6 M accounts of L while the encoded frames are still alive)."""
    enums = {"class": CLASS_DTYPE, "name_evidence": model.name.dtype, "dob_evidence": model.dob.dtype,
             "address_evidence": model.address.dtype}  # fmt: skip
    return [
        "acct_idx", "score", "candidates",
        *[pl.col(c).cast(enums.get(c, pl.Categorical)) for c in _CODED],
    ]  # fmt: skip


def _as_text() -> list[pl.Expr]:
    """The columns :func:`_lean` coded, as text again (the result's types)."""
    return [pl.col(c).cast(pl.Utf8) for c in _CODED]


#: candidate pairs scored and classified at once: the evidence of a pair is a few wide rows per name
#: form and known address, so at L (6.9 M pairs) one pass would hold several GB of them at once
#: (each chunk's joins build on its own accounts, so smaller chunks cost little: at L, 14 chunks of
#: 500,000 took 26 CPU s to score where 7 of 1 M took 24, and held less at once)
PAIRS_PER_CHUNK = 500_000


def _account_chunks(pairs: pl.DataFrame, accounts: pl.DataFrame) -> Iterator[tuple[pl.DataFrame, pl.DataFrame]]:
    """``(pairs, accounts)`` of consecutive account ranges of about :data:`PAIRS_PER_CHUNK` pairs.

    Scoring, classes, the one owner and the evidence are all decided per
    account, so an account's pairs are never split and the chunks' results
    only need to be put together. ``pairs`` and ``accounts`` are sorted by
    ``acct_idx`` (:func:`matching.blocking.candidate_pairs`, :func:`build_frames`).
    """
    if pairs.height <= PAIRS_PER_CHUNK:
        yield pairs, accounts
        return
    acct = pairs.get_column("acct_idx").to_numpy()
    ids = accounts.get_column("acct_idx").to_numpy()
    # the first account of each chunk: the account of about every PAIRS_PER_CHUNK-th pair
    marks = acct[np.arange(PAIRS_PER_CHUNK, pairs.height, PAIRS_PER_CHUNK)]
    bounds = [*sorted({int(ids[0]), *(int(a) for a in marks)}), int(ids[-1]) + 1]
    for lo, hi in zip(bounds, bounds[1:], strict=False):
        start, stop = np.searchsorted(acct, [lo, hi])
        first, last = np.searchsorted(ids, [lo, hi])
        yield pairs.slice(int(start), int(stop - start)), accounts.slice(int(first), int(last - first))


def candidate_evidence(
    classified: pl.DataFrame, resolved: pl.DataFrame, accounts: pl.DataFrame, *, max_candidates: int = 5
) -> pl.DataFrame:
    """``acct_idx, candidate_evidence``: the evidence of every person the account was weighed against.

    Kept per account, best first (the order of :func:`resolve_accounts`:
    class, score, person index): the ``max_candidates`` best pairs, the
    inquired person, and every person the result names in ``candidates`` -
    so the review sheet and the report show, for each person they name, the
    very evidence that decided, never a recomputation. Built on whole
    columns from the classified pairs; accounts without a pair are absent
    (:func:`link` gives them an empty list).
    """
    named = (
        resolved.select("acct_idx", person_id=pl.col("candidates").str.split(";"))
        .explode("person_id")
        .drop_nulls()
        .with_columns(_named=pl.lit(True))
    )
    fields = [pl.col("person_id").cast(pl.Utf8), pl.col("class").cast(pl.Utf8), pl.col("score").cast(pl.Float64),
              *[pl.col(c).cast(pl.Utf8) for c in ("name_evidence", "dob_evidence", "address_evidence", "reason")]]  # fmt: skip
    # the position of each pair within its account, on the sorted rows (a window per account costs more)
    row = pl.int_range(pl.len(), dtype=pl.UInt32)
    starts = (pl.col("acct_idx") != pl.col("acct_idx").shift(1)).fill_null(True)
    position = row - pl.when(starts).then(row).forward_fill()
    return (
        classified.select("acct_idx", "person_idx", "class_rank", *EVIDENCE_FIELDS)
        .with_columns(pl.col("person_id").cast(pl.Utf8))
        .join(accounts.select("acct_idx", "inquired_idx"), on="acct_idx", how="left")
        .join(named, on=["acct_idx", "person_id"], how="left")
        .sort(["acct_idx", "class_rank", "score", "person_idx"], descending=[False, True, True, False])
        .filter(
            (position < max_candidates)
            | (pl.col("person_idx") == pl.col("inquired_idx")).fill_null(False)
            | pl.col("_named").fill_null(False)
        )
        .group_by("acct_idx", maintain_order=True)
        .agg(pl.struct(fields).alias(EVIDENCE_COLUMN))
    )
