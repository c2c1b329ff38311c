"""Random draws shared by the office and the banks: seeded numpy draws and hashed uniforms.

Two kinds of randomness, for two reasons. The office is drawn from one
``numpy`` generator in a fixed order (same seed, same office). The banks'
answers must not depend on the order or grouping of the requests (the same
inquiry gets the same strangers in any file), so they use uniforms *hashed*
from the values that identify a row (:func:`hash_u`, :func:`mix_u`).

>>> import numpy as np
>>> cat(np.random.default_rng(1), [0.0, 1.0, 0.0], 3).tolist()
[1, 1, 1]
>>> u = pl.DataFrame({"key": ["a", "b", "a"]}).select(hash_u([pl.col("key")], salt=1)).to_series()
>>> bool(u[0] == u[2] and 0 <= u.min() and u.max() < 1)
True
"""

from __future__ import annotations

import numpy as np
import polars as pl

__all__ = ["DELINQUENT_AGES", "CUSTOMER_AGES", "ages", "age_from_u", "choice_idx", "cat", "to_date", "hash_u", "mix_u"]

#: (first age, last age, weight) of the delinquents: younger than the population (kana.md §6)
DELINQUENT_AGES = [(20, 29, 1.3), (30, 39, 1.25), (40, 49, 1.1), (50, 59, 1.0), (60, 69, 0.8), (70, 79, 0.5), (80, 94, 0.2)]
#: (first age, last age, weight) of a bank's adult customers (the strangers with the inquired name)
CUSTOMER_AGES = [(20, 29, 1.0), (30, 39, 1.1), (40, 49, 1.2), (50, 59, 1.2), (60, 69, 1.1), (70, 79, 1.0), (80, 94, 0.5)]


def _age_table(bands: list[tuple[int, int, float]]) -> tuple[np.ndarray, np.ndarray]:
    """Every age of the bands and its weight (one weight per band, spread over its years)."""
    years = np.concatenate([np.arange(lo, hi + 1) for lo, hi, _ in bands])
    weights = np.concatenate([np.full(hi - lo + 1, wt) for lo, hi, wt in bands])
    return years, weights


def ages(rng: np.random.Generator, n: int, bands: list[tuple[int, int, float]] = DELINQUENT_AGES) -> np.ndarray:
    """``n`` ages drawn from ``rng`` by the bands' weights."""
    years, w = _age_table(bands)
    return rng.choice(years, size=n, p=w / w.sum())


def age_from_u(u: np.ndarray, bands: list[tuple[int, int, float]] = CUSTOMER_AGES) -> np.ndarray:
    """The age at quantile ``u`` (uniforms in [0, 1)) of the bands' distribution."""
    years, w = _age_table(bands)
    cdf = np.cumsum(w) / w.sum()
    return years[np.searchsorted(cdf, u, side="right").clip(0, len(years) - 1)]


def choice_idx(rng: np.random.Generator, p: np.ndarray, n: int) -> np.ndarray:
    """``n`` indexes into ``p`` drawn by weight (``p`` need not sum to 1); one uniform each."""
    cdf = np.cumsum(p)
    cdf /= cdf[-1]
    return np.searchsorted(cdf, rng.random(n), side="right").clip(0, len(p) - 1)


def cat(rng: np.random.Generator, probs: list[float], n: int) -> np.ndarray:
    """``n`` draws of a category 0..len(probs)-1."""
    return choice_idx(rng, np.asarray(probs, dtype=float), n)


def to_date(values: np.ndarray) -> pl.Series:
    """numpy datetimes (any unit) as a ``pl.Date`` series."""
    return pl.Series(values.astype("datetime64[D]")).cast(pl.Date)


def hash_u(cols: list[pl.Expr], salt: int) -> pl.Expr:
    """A uniform in [0, 1) that depends only on the given values and the salt."""
    return (pl.struct(cols).hash(seed=salt) // 2048).cast(pl.Float64) / float(2**53)


def mix_u(h: np.ndarray, k: int) -> np.ndarray:
    """The k-th uniform derived from one 64-bit hash per row (splitmix64 finaliser)."""
    with np.errstate(over="ignore"):
        x = h.astype(np.uint64) + np.uint64((0x9E3779B97F4A7C15 * (k + 1)) % 2**64)
        x ^= x >> np.uint64(30)
        x *= np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(27)
        x *= np.uint64(0x94D049BB133111EB)
        x ^= x >> np.uint64(31)
    return (x >> np.uint64(11)).astype(np.float64) / float(2**53)
