"""Our linker against Splink 5 (DuckDB) on the same synthetic office.

Optional extra (``pip install -e '.[splink]'``), never a runtime dependency.
Both products get the same inputs, normalised by the same functions
(``matching.names``, ``matching.addresses``); the comparison is about the
model and the engine:

- **ours**: :func:`matching.link` (blocking, rapidfuzz ``cpdist``, rule
  classes with the safety rules);
- **Splink 5 + DuckDB**: ``link_only`` master ↔ distinct accounts, blocking
  on birth date and on name key; name levels exact / other name /
  Jaro-Winkler ≥ 0.95 / ≥ 0.88 computed by **rapidfuzz registered as a
  DuckDB function** (DuckDB's own ``jaro_winkler_similarity`` works on UTF-8
  bytes and overrates kana pairs); birth-date levels exact / one edit /
  else; address levels block (current or former) / town / city / else; u
  by random sampling, m by EM in two sessions (blocked on birth date, then on
  name); probabilities mapped to the five classes (>= 0.999 CONFIRMED,
  >= 0.99 PROBABLE, >= 0.5 REVIEW, two persons >= 0.99 REVIEW, else HOMONYM
  when the name agrees, else UNMATCHED).

This compares the linkers on prepared frames; the same Splink model as a
whole command on the files (reading included), timed against ``inquiry
link``, is :mod:`benchmarks.splink_link`, run by ``python -m benchmarks.cycle
--splink``.

Each engine runs in its own subprocess (time and peak RSS are its own);
DuckDB, polars and rapidfuzz all use 2 threads. Usage::

    python -m benchmarks.splink_compare --persons 52668 --seed 1
    python -m benchmarks.splink_compare --case /tmp/inquiry-bench-M-52668-1.0-seed1
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import polars as pl

from benchmarks.quality import _peak_rss_mb, build_case, load_case, measure, save_case

__all__ = ["gated_classes", "main", "run_ours", "run_splink", "splink_classes", "splink_pairs"]

THREADS = 2


def run_ours(folder: Path) -> dict[str, object]:
    from matching import link

    accounts = pl.read_parquet(folder / "accounts.parquet")
    persons = pl.read_parquet(folder / "persons.parquet")
    phases: dict[str, float] = {}
    linked = link(accounts, persons, timings=phases)
    linked.select("account_key", "person_id", "class", "reason").write_parquet(folder / "linked_ours.parquet")
    prep = phases.pop("normalise")
    return {"engine": "ours", "prep_seconds": prep, "seconds": sum(phases.values()), "train_seconds": 0.0, "peak_rss_mb": _peak_rss_mb()}


def _splink_tables(accounts: pl.DataFrame, persons: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Master and response tables with the same columns, normalised by the product's functions.

    ``accounts`` and ``persons`` are what :func:`matching.link` takes.
    """
    from matching.link import normalise_accounts, normalise_persons

    acc = normalise_accounts(accounts)
    per, forms, addresses = normalise_persons(persons)
    main = forms.filter(~pl.col("kind_other")).unique("person_idx", keep="first", maintain_order=True)
    other = forms.filter(pl.col("kind_other")).unique("person_idx", keep="first", maintain_order=True)
    block = pl.concat_str([pl.col("town"), pl.col("block")], separator="|")
    current = addresses.filter(pl.col("is_current")).unique("person_idx", keep="first")
    history = addresses.group_by("person_idx").agg(hist_blocks=block.drop_nulls(), hist_towns=pl.col("town").drop_nulls())
    master = (
        per.select("person_idx", "person_id", "dob")
        .join(main.select("person_idx", pl.col("key").alias("name_key")), on="person_idx", how="left")
        .join(other.select("person_idx", pl.col("key").alias("other_key")), on="person_idx", how="left")
        .join(current.select("person_idx", "city", "town", addr_block=block), on="person_idx", how="left")
        .join(history, on="person_idx", how="left")
        .select(
            pl.col("person_id").alias("unique_id"),
            "name_key",
            "other_key",
            pl.col("dob").dt.strftime("%Y-%m-%d").alias("dob"),
            "city",
            "town",
            "addr_block",
            pl.col("hist_blocks").fill_null([]),
            pl.col("hist_towns").fill_null([]),
        )
    )
    response = acc.select(
        pl.col("account_key").alias("unique_id"),
        pl.col("key").alias("name_key"),
        pl.lit(None, dtype=pl.Utf8).alias("other_key"),
        pl.col("dob").dt.strftime("%Y-%m-%d").alias("dob"),
        "city",
        "town",
        block.alias("addr_block"),
        pl.lit([], dtype=pl.List(pl.Utf8)).alias("hist_blocks"),
        pl.lit([], dtype=pl.List(pl.Utf8)).alias("hist_towns"),
    )
    return master, response


def _rf_jw(a: Any, b: Any) -> Any:  # a DuckDB Arrow UDF: Arrow arrays in, an Arrow array out
    import pyarrow as pa
    from rapidfuzz import process
    from rapidfuzz.distance import JaroWinkler

    left = [x or "" for x in a.to_pylist()]
    right = [x or "" for x in b.to_pylist()]
    scores = process.cpdist(left, right, scorer=JaroWinkler.normalized_similarity, workers=THREADS)
    return pa.array(scores, type=pa.float64())


def splink_pairs(master: pl.DataFrame, response: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, float]]:
    """Train the Splink model on the two tables of :func:`_splink_tables` and predict; (pairs, seconds by phase).

    One place for the model, shared by the in-process comparison (:func:`run_splink`)
    and the whole-command linker (:mod:`benchmarks.splink_link`).
    """
    import duckdb
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    con = duckdb.connect()
    con.execute(f"SET threads={THREADS}")
    con.create_function(
        "rf_jw", _rf_jw, [duckdb.sqltypes.VARCHAR, duckdb.sqltypes.VARCHAR], duckdb.sqltypes.DOUBLE, type="arrow"
    )
    db = DuckDBAPI(connection=con)
    m_sdf = db.register(master.to_arrow(), dataset_display_name="master")
    r_sdf = db.register(response.to_arrow(), dataset_display_name="response")

    either_null = "{0}_l IS NULL OR {0}_r IS NULL"
    name = cl.CustomComparison(
        output_column_name="name",
        comparison_levels=[
            {"sql_condition": either_null.format("name_key"), "label_for_charts": "null", "is_null_level": True},
            {"sql_condition": "name_key_l = name_key_r", "label_for_charts": "exact"},
            {"sql_condition": "other_key_l = name_key_r OR other_key_r = name_key_l", "label_for_charts": "other name"},
            {"sql_condition": "rf_jw(name_key_l, name_key_r) >= 0.95", "label_for_charts": "jw >= 0.95"},
            {"sql_condition": "rf_jw(name_key_l, name_key_r) >= 0.88", "label_for_charts": "jw >= 0.88"},
            {"sql_condition": "ELSE", "label_for_charts": "else"},
        ],
    )
    dob = cl.CustomComparison(
        output_column_name="dob",
        comparison_levels=[
            {"sql_condition": either_null.format("dob"), "label_for_charts": "null", "is_null_level": True},
            {"sql_condition": "dob_l = dob_r", "label_for_charts": "exact"},
            {"sql_condition": "damerau_levenshtein(dob_l, dob_r) <= 1", "label_for_charts": "one edit"},
            {"sql_condition": "ELSE", "label_for_charts": "else"},
        ],
    )
    address = cl.CustomComparison(
        output_column_name="address",
        comparison_levels=[
            {"sql_condition": either_null.format("town"), "label_for_charts": "null", "is_null_level": True},
            {
                "sql_condition": "addr_block_l = addr_block_r OR list_contains(hist_blocks_l, addr_block_r) "
                "OR list_contains(hist_blocks_r, addr_block_l)",
                "label_for_charts": "block (current or former)",
            },
            {
                "sql_condition": "town_l = town_r OR list_contains(hist_towns_l, town_r) OR list_contains(hist_towns_r, town_l)",
                "label_for_charts": "town",
            },
            {"sql_condition": "city_l = city_r", "label_for_charts": "city"},
            {"sql_condition": "ELSE", "label_for_charts": "else"},
        ],
    )
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[name, dob, address],
        blocking_rules_to_generate_predictions=[block_on("dob"), block_on("name_key")],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker([m_sdf, r_sdf], settings, log_level="WARNING")
    started = time.perf_counter()
    linker.training.estimate_probability_two_random_records_match([block_on("name_key", "dob", "addr_block")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"), record_sample_proportion=1.0)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("name_key"), record_sample_proportion=1.0)
    trained = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=0.001)
    pairs = pl.from_arrow(
        predictions.as_duckdbpyrelation()
        .select("unique_id_l, unique_id_r, source_dataset_l, match_probability, gamma_name, gamma_dob, gamma_address")
        .arrow()
    )
    return pairs, {"train_seconds": trained - started, "predict_seconds": time.perf_counter() - trained}


def run_splink(folder: Path) -> dict[str, object]:
    prepared = time.perf_counter()
    master, response = _splink_tables(pl.read_parquet(folder / "accounts.parquet"), pl.read_parquet(folder / "persons.parquet"))
    prep_seconds = time.perf_counter() - prepared
    pairs, phases = splink_pairs(master, response)
    classified = time.perf_counter()
    linked = splink_classes(pairs, response)
    seconds = phases["predict_seconds"] + time.perf_counter() - classified
    linked.drop("gated").write_parquet(folder / "linked_splink.parquet")
    estimated = pl.read_parquet(folder / "persons.parquet").select("person_id", "kana_estimated")
    gated_classes(linked, estimated).write_parquet(folder / "linked_splink_gated.parquet")
    return {
        "engine": "splink",
        "seconds": seconds,
        "prep_seconds": prep_seconds,
        **phases,
        "pairs": pairs.height,
        "peak_rss_mb": _peak_rss_mb(),
    }


def splink_classes(pairs: pl.DataFrame, response: pl.DataFrame) -> pl.DataFrame:
    """Best person per account, probability bands mapped to the five classes.

    ``gated`` keeps the best pair's comparison levels (the same evidence levels as
    matching.md) for :func:`gated_classes`.
    """
    flip = pl.col("source_dataset_l") != "master"
    p = pairs.select(
        account_key=pl.when(flip).then("unique_id_l").otherwise("unique_id_r"),
        candidate=pl.when(flip).then("unique_id_r").otherwise("unique_id_l"),
        prob="match_probability",
        name_agrees=pl.col("gamma_name") >= 3,  # exact or other name
        gated=pl.struct("gamma_name", "gamma_dob", "gamma_address"),
    ).sort("account_key", "prob", descending=[False, True])
    best = p.group_by("account_key", maintain_order=True).agg(
        pl.col("candidate").first(),
        pl.col("prob").first(),
        pl.col("name_agrees").first(),
        pl.col("gated").first(),
        n_high=(pl.col("prob") >= 0.99).sum(),
    )
    klass = (
        pl.when(pl.col("n_high") >= 2).then(pl.lit("REVIEW"))
        .when(pl.col("prob") >= 0.999).then(pl.lit("CONFIRMED"))
        .when(pl.col("prob") >= 0.99).then(pl.lit("PROBABLE"))
        .when(pl.col("prob") >= 0.5).then(pl.lit("REVIEW"))
        .when(pl.col("name_agrees")).then(pl.lit("HOMONYM"))
        .otherwise(pl.lit("UNMATCHED"))
    )  # fmt: skip
    return (
        response.select(pl.col("unique_id").alias("account_key"))
        .join(best, on="account_key", how="left")
        .with_columns(pl.col("prob").fill_null(0.0), pl.col("name_agrees").fill_null(False), pl.col("n_high").fill_null(0))
        .select(
            "account_key",
            person_id=pl.when(klass.is_in(["CONFIRMED", "PROBABLE", "REVIEW"])).then("candidate"),
            **{"class": klass},
            reason=pl.lit(""),
            gated="gated",
        )
    )


def gated_classes(linked: pl.DataFrame, estimated: pl.DataFrame) -> pl.DataFrame:
    """Splink's classes where the spec's class table and safety rules 1 and 3 allow them, else REVIEW.

    The best pair's evidence is read from Splink's gamma levels (name 4 exact,
    3 other name, 2 Jaro-Winkler ≥ 0.95; birth date 2 exact, 1 one edit, 0
    else, -1 missing; address 3 block, 2 town, 1 city, 0 else, -1 missing).
    A hit stays a hit only for the evidence the spec lets be one; a homonym
    stays one only when the birth date disagrees, or is missing or near with
    the address elsewhere; anything else Splink was sure of becomes REVIEW.
    This is what Splink would have to do to be used under the spec: it shows
    which differences in the measures the rules themselves decide.
    """
    g = pl.col("gated")
    name, dob, addr = g.struct.field("gamma_name"), g.struct.field("gamma_dob"), g.struct.field("gamma_address")
    strong_name = name >= 3
    confirmed = strong_name & (dob == 2) & (addr == 3)
    probable = ((name == 2) & (dob == 2) & (addr == 3)) | (strong_name & (dob == 2) & (addr == 2)) | (strong_name & (dob == -1) & (addr == 3))
    est = pl.col("kana_estimated").fill_null(False)
    hit_allowed = (
        pl.when(est & (name >= 2) & (dob == 2) & (addr == 3)).then(pl.lit("PROBABLE"))  # rule 3
        .when(est).then(pl.lit(None, pl.Utf8))
        .when(confirmed).then(pl.col("class"))
        .when(probable).then(pl.lit("PROBABLE"))
    )  # fmt: skip
    homonym_allowed = (dob == 0) | (dob.is_in([-1, 1]) & (addr == 0))
    klass = pl.col("class")
    gated = (
        pl.when(klass.is_in(["CONFIRMED", "PROBABLE"])).then(pl.coalesce(hit_allowed, pl.lit("REVIEW")))
        .when((klass == "HOMONYM") & ~homonym_allowed.fill_null(False)).then(pl.lit("REVIEW"))
        .otherwise(klass)
    )  # fmt: skip
    return (
        linked.join(estimated.rename({"person_id": "_pid"}), left_on="person_id", right_on="_pid", how="left")
        .with_columns(**{"class": gated})
        .select("account_key", "person_id", "class", "reason")
    )


def _subprocess(engine: str, folder: Path) -> dict[str, object]:
    env = {**os.environ, "POLARS_MAX_THREADS": str(THREADS)}
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.splink_compare", "--engine", engine, "--case", str(folder)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.splink_compare", description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--case", type=Path, help="a case saved by benchmarks.quality --save (else one is built)")
    parser.add_argument("--engine", choices=["ours", "splink"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.engine:
        result = run_ours(args.case) if args.engine == "ours" else run_splink(args.case)
        print(json.dumps(result))
        return 0

    folder = args.case
    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="splink-compare-"))
        save_case(build_case(args.persons, args.seed), folder)
    case = load_case(folder)
    accounts, persons, truth = case.accounts, case.persons, case.truth
    rows = []
    runs = {engine: _subprocess(engine, folder) for engine in ("ours", "splink")}
    products = (
        ("ours", "linked_ours", "inquiry-batch link()"),
        ("splink", "linked_splink", "Splink 5 + DuckDB (rapidfuzz UDF)"),
        ("splink", "linked_splink_gated", "  the same, classes gated by the spec's rules"),
    )
    for engine, file, label in products:
        run = runs[engine]
        linked = pl.read_parquet(folder / f"{file}.parquet")
        m = measure(linked, truth, accounts, persons)
        prep, train, link_s = (float(run.get(k, 0.0)) for k in ("prep_seconds", "train_seconds", "seconds"))  # type: ignore[arg-type]
        rows.append(
            {
                "product": label,
                "normalise s": round(prep, 1),
                "train s": round(train, 1),
                "link s": round(link_s, 1),
                "total s": round(prep + train + link_s, 1),
                "peak RSS MB": round(float(run["peak_rss_mb"])),  # type: ignore[arg-type]
                "wrongful hits": m.wrongful_hits,
                "hit recall": round(m.hit_recall, 4),
                "review rate": round(m.review_rate, 4),
                "homonym catch": round(m.homonym_catch, 4),
            }
        )
    with pl.Config(tbl_width_chars=260, tbl_cols=-1, tbl_hide_dataframe_shape=True, tbl_hide_column_data_types=True):
        print(f"{persons.height:,} persons, {accounts.height:,} account records, "
              f"{accounts.get_column('account_key').n_unique():,} distinct accounts; {THREADS} threads each")
        print(pl.DataFrame(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
