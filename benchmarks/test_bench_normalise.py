"""Normalisation throughput: name keys for 1,000,000 names, address parts for 100,000.

Run: ``pytest benchmarks/test_bench_normalise.py --benchmark-enable``.
Targets on a 2-core machine: ``name_key`` ≥ 1,000,000 names/s (a year of
answers of a large office is a few hundred thousand holder names, plus the
master's names and other names); ``address_parts`` on 100,000 addresses in
about a second. Each benchmark also checks the result, so a fast wrong
answer does not pass.
"""

from __future__ import annotations

from pathlib import Path

import jaconv
import numpy as np
import polars as pl
import pytest

from matching.addresses import address_parts
from matching.kana import to_zengin
from matching.names import name_key

N_NAMES = 1_000_000
N_ADDRESSES = 100_000

_SYLLABLES = (
    "ア イ ウ エ オ カ キ ク ケ コ サ シ ス セ ソ タ チ ツ テ ト ナ ニ ヌ ネ ノ ハ ヒ フ ヘ ホ マ ミ ム メ モ "
    "ヤ ユ ヨ ラ リ ル レ ロ ワ ン ガ ギ グ ゲ ゴ ザ ジ ズ ゼ ゾ ダ デ ド バ ビ ブ ベ ボ パ ピ プ ペ ポ "
    "キョ シュ ジュ チョ リョ ニャ ッ ー ヅ ヲ"
).split()


def _random_names(rng: np.random.Generator, n: int) -> list[str]:
    """n random full-width katakana 'FAMILY　GIVEN' names (small kana, ー, ヅ, ヲ included)."""
    syllables = np.array(_SYLLABLES, dtype=object)
    fam = syllables[rng.integers(0, len(_SYLLABLES), (n, 4))]
    giv = syllables[rng.integers(0, len(_SYLLABLES), (n, 3))]
    fam_len, giv_len = rng.integers(2, 5, n), rng.integers(2, 4, n)
    out = []
    for f, g, fl, gl in zip(fam.tolist(), giv.tolist(), fam_len.tolist(), giv_len.tolist(), strict=True):
        family = "".join(f[:fl]).lstrip("ーッ") or "ア"
        given = "".join(g[:gl]).lstrip("ーッ") or "イ"
        out.append(f"{family}\u3000{given}")
    return out


@pytest.fixture(scope="module")
def names() -> tuple[pl.DataFrame, pl.Series]:
    """1,000,000 names, each in one of six notations, with the expected key."""
    rng = np.random.default_rng(11)
    base = _random_names(rng, 200_000)
    full = pl.DataFrame({"full": base})
    zengin = full.select(to_zengin(pl.col("full")))["full"]
    renderings = pl.DataFrame(
        {
            "0": zengin,  # Zengin half-width with space
            "1": base,  # full width with U+3000
            "2": [jaconv.z2h(s.replace("\u3000", ""), kana=True) for s in base],  # half-width, small kana, no space
            "3": [jaconv.kata2hira(s) for s in base],  # hiragana
            "4": [s.replace("\u3000", "  ") for s in base],  # double space
            "5": zengin.str.replace(" ", ""),  # Zengin without space
        }
    )
    expected = full.select(name_key(pl.col("full")))["full"]
    pick = rng.integers(0, len(base), N_NAMES)
    notation = rng.integers(0, 6, N_NAMES)
    stacked = pl.concat([renderings[str(k)] for k in range(6)])
    rows = pl.DataFrame({"n": stacked.gather(notation * len(base) + pick)})
    return rows, expected.gather(pick)


def test_name_key_million(benchmark, names: tuple[pl.DataFrame, pl.Series]) -> None:
    rows, expected = names
    out = benchmark.pedantic(lambda: rows.select(name_key(pl.col("n"))), rounds=3, iterations=1)
    assert (out["n"] == expected).all()
    if benchmark.stats:
        benchmark.extra_info["names_per_second"] = round(N_NAMES / benchmark.stats.stats.min)


_ADDRESS_FORMS = [
    "東京都新宿区西新宿{a}丁目{b}番{c}号",
    "新宿区西新宿{a}-{b}-{c}　メゾン西新宿{i}号室",
    "新宿区西新宿{fa}－{fb}－{fc}",
    "世田谷区成城{ka}丁目{kb}番{kc}号",
    "千葉県市川市大字本行徳{i}番地の{kc}",
    "千代田区一番町{b}-{c} 一番町ハイツ{a}0{c}",
    "港区麻布十番{ka}丁目{b}-{c}",
    "東京都千代田区霞ヶ関{a}丁目{b}番{c}号",
]
_K = "〇一二三四五六七八九"


def _kanji(n: int) -> str:
    tens, ones = divmod(n, 10)
    return ("" if tens == 0 else ("十" if tens == 1 else _K[tens] + "十")) + ("" if ones == 0 else _K[ones])


@pytest.fixture(scope="module")
def addresses() -> tuple[pl.DataFrame, list[str]]:
    rng = np.random.default_rng(5)
    rows, blocks = [], []
    for i in range(N_ADDRESSES):
        a, b, c = int(rng.integers(1, 6)), int(rng.integers(1, 31)), int(rng.integers(1, 21))
        form = _ADDRESS_FORMS[int(rng.integers(0, len(_ADDRESS_FORMS)))]
        full = {k: jaconv.h2z(str(v), digit=True) for k, v in (("fa", a), ("fb", b), ("fc", c))}
        address = form.format(a=a, b=b, c=c, i=i, ka=_kanji(a), kb=_kanji(b), kc=_kanji(c), **full)
        rows.append(f"{address} 第{i}ビル")  # every address distinct: no help from deduplication
        blocks.append(f"{i}-{c}" if "{i}番地" in form else f"{a}-{b}-{c}" if "一番町" not in form else f"{b}-{c}")
    return pl.DataFrame({"a": rows}), blocks


def test_address_parts_100k(benchmark, addresses: tuple[pl.DataFrame, list[str]]) -> None:
    rows, blocks = addresses
    out = benchmark.pedantic(
        lambda: rows.select(address_parts(pl.col("a")).alias("p")).unnest("p"), rounds=3, iterations=1
    )
    assert out["block"].to_list() == blocks
    assert out["town"].null_count() == 0
    if benchmark.stats:
        benchmark.extra_info["addresses_per_second"] = round(N_ADDRESSES / benchmark.stats.stats.min)


N_READINGS = 4_000


@pytest.fixture(scope="module")
def kanji_names() -> pl.Series:
    """4,000 distinct kanji names of the simulator's tables (an M master has ~3,600 without kana)."""
    import sample_data

    tables = Path(sample_data.__file__).with_name("names")
    surnames = pl.read_csv(tables / "surnames.csv", columns=["kanji"])
    given = pl.read_csv(tables / "given_names.csv", columns=["kanji"])
    rng = np.random.default_rng(8)
    family = surnames["kanji"].gather(rng.integers(0, surnames.height, 3 * N_READINGS))
    first = given["kanji"].gather(rng.integers(0, given.height, 3 * N_READINGS))
    names = (family + "\u3000" + first).unique(maintain_order=True).head(N_READINGS)
    assert names.len() == N_READINGS
    return names


def _cold_pykakasi() -> None:
    """Forget the converter and pykakasi's dictionary: each round loads it, as a command does once."""
    from pykakasi.kanji import Kanwa

    from matching import reading

    reading._kakasi.cache_clear()
    reading._kanwa.cache_clear()
    Kanwa._shared_state["_jisyo_table"] = None


def test_estimate_readings_cold(benchmark, kanji_names: pl.Series) -> None:
    """The master's readings as ``inquiry link`` and ``prepare`` pay them: pykakasi's dictionary load
    (0.17 CPU s with the collector paused, 0.40 s without) and one look-up per distinct name part
    (a prefix probe: 0.19 s at M where pykakasi's own scan took 0.39 s), docs/performance.md
    "Normalisation (issue #10, session 7)"."""
    from matching.reading import estimate_readings

    out = benchmark.pedantic(lambda: estimate_readings(kanji_names), setup=_cold_pykakasi, rounds=3, iterations=1)
    assert out.height == N_READINGS
    read = out.filter(~pl.col("reading_failed"))
    assert read.height > 0.9 * N_READINGS  # the simulator's names are common ones
    assert read["name_kana"].str.contains(r"^[\u30a1-\u30f4ー]+ [\u30a1-\u30f4ー]+$").all()
    assert (read["kana_candidates"].list.first() == read["name_kana"]).all()
    if benchmark.stats:
        benchmark.extra_info["names_per_second"] = round(N_READINGS / benchmark.stats.stats.min)
