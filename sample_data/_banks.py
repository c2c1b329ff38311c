"""The simulated banks of both services: they read request files and answer them.

A :class:`BankWorld` is built from an :class:`~sample_data.Office`. It holds,
per institution, the delinquents' true accounts *as the bank knows them*
(``_bank_view``) and each bank's behaviour (size, whether it checks the birth
date, kana style); it answers basic inquiries with those accounts and the
strangers with the same name (``_basic``, ``_strangers``) and history
inquiries with transactions (``_history``), as frames or as files
(``_files``). It remembers what it returned, so that every returned account
has a known truth (:attr:`BankWorld.truth`, :attr:`BankWorld.returned`) for
quality measurement.

>>> from sample_data import generate_office
>>> world = BankWorld.from_office(generate_office(100, seed=3), seed=3)
>>> world.accounts.height > 0
True
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from formats import refdata
from sample_data import _render as R
from sample_data._bank_view import TRUTH_COLUMNS, V_AS_B_SHARE, bank_view
from sample_data._basic import answer_basic
from sample_data._files import answer_file, answer_outbox
from sample_data._history import answer_history
from sample_data._office import Office

__all__ = ["BankWorld"]


@dataclass
class BankWorld:
    """Every institution of an office, answering basic and history inquiries.

    Build it with :meth:`from_office`. ``accounts`` holds the delinquents'
    accounts with the bank's view of the holder; ``banks`` the institutions'
    behaviour (size, whether they check the birth date, kana style). The
    ``_`` fields are the banks' internal indexes and memory, read and fed by
    the answering modules of this package (``_basic``, ``_strangers``) only.
    """

    office: Office
    seed: int
    banks: pl.DataFrame
    accounts: pl.DataFrame
    stranger_scale: float = 0.5
    _p_ref: float = 1e-6
    _name_freq: pl.DataFrame = field(default_factory=pl.DataFrame)
    _people_keys: pl.DataFrame = field(default_factory=pl.DataFrame)
    _strangers: list[pl.DataFrame] = field(default_factory=list)
    _returned: list[pl.DataFrame] = field(default_factory=list)

    @classmethod
    def from_office(cls, office: Office, seed: int = 0, *, stranger_scale: float = 0.5) -> BankWorld:
        """Register every delinquent account at its bank, with the bank's view of the holder.

        ``stranger_scale`` multiplies the expected number of same-name
        strangers (bank size × the name's population share; 0.5 gives about
        one stranger per four inquiries over all institutions, heavy-tailed up to
        400 for the commonest names at the banks that do not check the birth date).
        """
        rng = np.random.default_rng([seed, 7])
        refbanks = refdata.banks()
        kinds = dict(zip(refbanks["bank_code"], refbanks["type"]))
        banks = pl.DataFrame(
            [_profile(c, kinds.get(c, "bank"), p, rng) for c, p in office.institutions.select("bank_code", "provider").iter_rows()]
        )
        accounts = bank_view(office, banks, rng)
        people = office.people
        name_freq = office.name_frequencies.with_columns(R.bank_key(pl.col("kana")).alias("key")).group_by("part", "key").agg(pl.col("p").sum())
        fam_p = name_freq.filter(pl.col("part") == "family").select("key", pl.col("p").alias("pf"))
        giv_p = name_freq.filter(pl.col("part") == "given").select("key", pl.col("p").alias("pg"))
        pk = people.select(
            "person_id",
            "birth_date",
            R.bank_key(pl.col("family_kana")).alias("fk"),
            R.bank_key(pl.col("given_kana")).alias("gk"),
            pl.concat_str([pl.col("family_kana"), pl.lit("\u3000"), pl.col("given_kana")]).alias("true_kana"),
        )
        p_names = pk.join(fam_p, left_on="fk", right_on="key", how="left").join(giv_p, left_on="gk", right_on="key", how="left")
        p_ref = float(p_names.select((pl.col("pf") * pl.col("pg")).median()).item() or 1e-6)
        current = office.addresses.filter(pl.col("seq") == 0).select("person_id", "pref", "city", "town", "chome", "ban", "go")
        people_keys = (
            pk.select("person_id", "birth_date", pl.concat_str(["fk", "gk"]).alias("name_key"), "true_kana")
            .join(current, on="person_id", how="left")
            .unique(["name_key", "birth_date"], keep="first", maintain_order=True)
        )
        return cls(
            office=office,
            seed=seed,
            banks=banks,
            accounts=accounts,
            stranger_scale=stranger_scale,
            _p_ref=p_ref,
            _name_freq=name_freq,
            _people_keys=people_keys,
        )

    @property
    def truth(self) -> pl.DataFrame:
        """account_key → true owner (null for a stranger), kind, and the planted income pattern.

        Holds every delinquent account and every stranger returned so far.
        """
        own = self.accounts.select(TRUTH_COLUMNS)
        if not self._strangers:
            return own
        strangers = pl.concat(self._strangers, how="vertical_relaxed").unique("account_key", keep="first", maintain_order=True)
        return pl.concat([own, strangers.select(TRUTH_COLUMNS)], how="vertical_relaxed")

    @property
    def returned(self) -> pl.DataFrame:
        """Every (inquiry_id, account_key) pair answered so far, with the account's true owner.

        ``inquired_person_id`` is the request's person (for DAIS, which sends
        no 宛名番号, the master person with that kana name and birth date);
        ``kind`` is ``own``, ``other_delinquent`` (the account of another
        delinquent with the same name) or the stranger kind of the truth.
        """
        if not self._returned:
            return pl.DataFrame(
                schema={"inquiry_id": pl.Utf8, "account_key": pl.Utf8, "owner_person_id": pl.Utf8, "inquired_person_id": pl.Utf8, "kind": pl.Utf8}
            )
        return pl.concat(self._returned)

    def answer_frame(self, requests: pl.DataFrame, provider: str) -> pl.DataFrame:
        """Answer a canonical basic request frame: the canonical basic response frame (no file).

        Every account returned is remembered (:attr:`returned`, :attr:`truth`).
        """
        out, returned, strangers = answer_basic(self, requests, provider)
        if returned is not None:
            self._returned.append(returned)
        if strangers is not None:
            self._strangers.append(strangers)
        return out

    def answer_history_frame(self, requests: pl.DataFrame) -> pl.DataFrame:
        """Answer a canonical history request frame: one row per transaction (or one none/unable row)."""
        return answer_history(self, requests)

    def answer_outbox(self, outbox: Path, inbox: Path) -> list[Path]:
        """Answer every request file waiting in ``outbox`` (as the services do) into ``inbox``; the requests answered."""
        return answer_outbox(self, outbox, inbox)

    def answer_file(self, request_path: str | Path, out_dir: str | Path) -> Path:
        """Read a request file (formats.read_request) and write the answer file into ``out_dir``; its path."""
        return answer_file(self, request_path, out_dir)


def _profile(code: str, kind: str, provider: str, rng: np.random.Generator) -> dict[str, object]:
    """One institution's behaviour: its size (customers), search (name only, or name and birth date), kana style."""
    big = {"0001": 25e6, "0005": 30e6, "0009": 25e6, "0010": 8e6, "9900": 60e6}
    by_type = {"bank": 3e6, "shinkin": 5e5, "shinkumi": 1e5, "ja": 1e5, "rokin": 2e6}
    nets = {"0033", "0034", "0035", "0036", "0038", "0039", "0040", "0042", "0043", "0310", "0397"}
    customers = big.get(code, 5e6 if code in nets else by_type.get(kind, 1e6))
    name_only = kind in ("shinkin", "shinkumi", "ja") or code in ("0017", "0138")
    return {
        "bank_code": code,
        "provider": provider,
        "customers": float(customers),
        "search": "name_only" if name_only else "name_dob",
        "keeps_small": bool(rng.random() < 0.5),
        "half_space": bool(rng.random() < 0.2),
        # from the code, not the generator: adding this behaviour left every other draw as it was
        "v_as_b": zlib.crc32(code.encode("ascii")) % 1000 < V_AS_B_SHARE * 1000,
        "unable_rate": 0.03 if code == "0310" else 0.003,
    }
