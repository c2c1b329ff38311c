"""A workspace store filled with a realistic synthetic year, without the pipeline.

The report and the review sheet read only the store, so their tests should
not depend on matching or the codecs being finished: this helper writes
persons, institutions, inquiries, answers, matches, follow-ups and payments
directly with :meth:`Store.insert`, in the proportions of a real office
(most inquiries answered "no account", ~1 in 7 with accounts, a few
pending and overdue, homonyms, a review backlog, people cleared by
payment). Everything is vectorised (numpy); the M-size store of the
benchmark (52,668 persons, ~1 M inquiries, ~150 k accounts) takes about a
minute, mostly SQLite inserting two million rows.

>>> from pathlib import Path; import tempfile
>>> home = make_workspace(Path(tempfile.mkdtemp()) / "ws", persons=50)
>>> (home / "store.sqlite3").exists()
True
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from formats.refdata import banks, branches
from inquiry.runtime.settings import Settings
from inquiry.runtime.store import Store
from inquiry.runtime.workspace import Workspace
from tests.inquiry._fixtures import TEST_OFFICE

__all__ = ["fill_store", "make_workspace", "TODAY"]

#: the day the synthetic year ends (reports made "today" see pending/overdue inquiries)
TODAY = date(2026, 11, 20)

_FAMILY = [
    ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("田中", "タナカ"), ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"), ("山本", "ヤマモト"), ("中村", "ナカムラ"), ("小林", "コバヤシ"), ("加藤", "カトウ"),
    ("吉田", "ヨシダ"), ("山田", "ヤマダ"), ("佐々木", "ササキ"), ("山口", "ヤマグチ"), ("松本", "マツモト"),
    ("井上", "イノウエ"), ("木村", "キムラ"), ("林", "ハヤシ"), ("斎藤", "サイトウ"), ("清水", "シミズ"),
]  # fmt: skip
_GIVEN = [
    ("太郎", "タロウ"), ("花子", "ハナコ"), ("一郎", "イチロウ"), ("洋子", "ヨウコ"), ("健", "ケン"),
    ("恵美", "エミ"), ("大輔", "ダイスケ"), ("由美", "ユミ"), ("翔", "ショウ"), ("美咲", "ミサキ"),
    ("隆", "タカシ"), ("直子", "ナオコ"), ("誠", "マコト"), ("裕子", "ユウコ"), ("拓也", "タクヤ"),
    ("京子", "キョウコ"), ("浩", "ヒロシ"), ("真由美", "マユミ"), ("修", "オサム"), ("陽菜", "ヒナ"),
]  # fmt: skip
_TOWNS = ["西新宿", "大久保", "高田馬場", "歌舞伎町", "四谷", "神楽坂", "中落合", "戸山", "百人町", "市谷"]
_OTHER_CITIES = ["中野区中野", "杉並区高円寺", "豊島区池袋", "練馬区豊玉", "渋谷区代々木", "世田谷区三軒茶屋"]
_CLASSES = np.array(["CONFIRMED", "PROBABLE", "REVIEW", "HOMONYM", "UNMATCHED"])
_CLASS_P = [0.62, 0.14, 0.03, 0.12, 0.09]
_EVIDENCE = {
    "CONFIRMED": ("exact", "exact", "current", "氏名・生年月日・住所が一致"),
    "PROBABLE": ("variant", "exact", "history", "氏名が近似 (1文字違い)、生年月日一致、旧住所一致"),
    "REVIEW": ("exact", "exact", "mismatch", "氏名と生年月日は一致するが住所が現住所・旧住所と町名まで一致しない"),
    "HOMONYM": ("exact", "mismatch", "city", "同名だが生年月日が異なる"),
    "UNMATCHED": ("mismatch", "missing", "missing", "照会した者とも他の滞納者とも氏名が一致しない"),
}
_STATUS = np.array(["通常", "休眠", "解約済", "支払停止"])


def _dates(days: np.ndarray, base: date) -> pl.Series:
    """Days after ``base`` as ISO text; negative sentinel (-99999) = null."""
    s = pl.Series(days.astype(np.int64)).cast(pl.Int32)
    return (
        pl.select(pl.when(s > -10_000).then(pl.lit(base) + pl.duration(days=s)).dt.strftime("%Y-%m-%d"))
        .to_series()
    )


def fill_store(store: Store, *, persons: int = 300, banks_n: int = 24, inquiries_per_person: int = 8, seed: int = 7, today: date = TODAY) -> None:
    """Fill ``store`` (empty, current schema) with one synthetic year of inquiries.

    Inquiries go out in monthly batches over the year before ``today``; the
    last batch is partly unanswered (pending, some overdue). Each account
    gets one class with evidence consistent with it; about a fifth of the
    REVIEW accounts already carry a reviewer's decision.
    """
    rng = np.random.default_rng(seed)
    now = f"{today.isoformat()}T09:00:00"
    start = today - timedelta(days=365)

    # -- institutions: a mix of types, both services -------------------------
    ref = banks()
    picks = []
    for kind, share in (("bank", 0.45), ("shinkin", 0.3), ("shinkumi", 0.1), ("rokin", 0.05), ("ja", 0.1)):
        pool = ref.filter(pl.col("type") == kind)
        k = max(1, round(banks_n * share))
        picks.append(pool.sample(n=min(k, pool.height), seed=seed))
    inst = pl.concat(picks).head(banks_n)
    inst = inst.with_columns(
        provider=pl.Series(np.where(np.arange(inst.height) % 3 == 0, "pipitlinq", "dais")),
        default_target=pl.lit(1),
        requires_address=pl.lit(0),
    )
    store.insert("institutions", inst.select("bank_code", "name", "provider", "default_target", "requires_address", pl.col("type").alias("bank_type")))
    bank_codes = inst["bank_code"].to_numpy()
    providers = inst["provider"].to_numpy()

    # -- persons ---------------------------------------------------------------
    fam = rng.integers(0, len(_FAMILY), persons)
    giv = rng.integers(0, len(_GIVEN), persons)
    town = rng.integers(0, len(_TOWNS), persons)
    block = rng.integers(1, 9, (persons, 3))
    has_history = rng.random(persons) < 0.35
    hist_city = rng.integers(0, len(_OTHER_CITIES), persons)
    birth_days = rng.integers(0, 365 * 60, persons)
    person_ids = np.char.add("P", np.char.zfill(np.arange(1, persons + 1).astype(str), 7))
    address = [f"東京都新宿区{_TOWNS[t]}{b[0]}-{b[1]}-{b[2]}" for t, b in zip(town, block)]
    history = [f"東京都{_OTHER_CITIES[c]}{b[2]}-{b[1]}-{b[0]}" if h else None for c, b, h in zip(hist_city, block, has_history)]
    name_kanji = [f"{_FAMILY[f][0]} {_GIVEN[g][0]}" for f, g in zip(fam, giv)]
    name_kana = [f"{_FAMILY[f][1]}\u3000{_GIVEN[g][1]}" for f, g in zip(fam, giv)]
    arrears = (rng.integers(1, 400, persons) * 1000).astype(np.int64)
    cleared = rng.random(persons) < 0.02
    store.insert(
        "persons",
        pl.DataFrame(
            {
                "person_id": person_ids,
                "name_kanji": name_kanji,
                "name_kana": name_kana,
                "kana_estimated": np.zeros(persons, dtype=np.int64),
                "birth_date": _dates(birth_days, date(1945, 1, 1)),
                "sex": rng.integers(1, 3, persons),
                "address": address,
                "address_history": history,
                "arrears_yen": arrears,
                "as_of": [start.isoformat()] * persons,
                "cleared_on": _dates(np.where(cleared, rng.integers(300, 360, persons), -99_999), start),
                "updated_at": [now] * persons,
            }
        ),
    )
    payers = np.flatnonzero(cleared)
    if payers.size:
        store.insert(
            "payments",
            pl.DataFrame(
                {
                    "person_id": person_ids[payers],
                    "paid_on": _dates(rng.integers(200, 300, payers.size), start),
                    "amount_yen": arrears[payers],
                    "source_sha": ["f" * 64] * payers.size,
                    "line": np.arange(2, payers.size + 2),
                }
            ),
        )

    # -- inquiries: each person asked at k institutions, in monthly batches ----
    k = min(inquiries_per_person, inst.height)
    per = np.argsort(rng.random((persons, inst.height)), axis=1)[:, :k]
    who = np.repeat(np.arange(persons), k)
    where = per.ravel()
    n = who.size
    # a person is asked at all their institutions in one monthly batch; an
    # institution answers a batch's file all at once
    batch = np.repeat(rng.integers(0, 12, persons), k)
    order = np.lexsort((who, bank_codes[where], providers[where], batch))
    who, where, batch = who[order], where[order], batch[order]
    created = batch * 30 + 20
    sent = created + 1
    unsent = (batch == 11) & (where % 7 == 0)
    bank_delay = np.minimum(rng.gamma(2.2, 6.0, (inst.height, 12)).astype(np.int64) + 1, 120)
    bank_delay[:: max(inst.height // 4, 1)] *= 4  # a few slow institutions: overdue answers
    delay = bank_delay[where, batch]
    answered = sent + delay
    age = (today - start).days
    not_yet = (answered > age) | unsent
    roll = rng.random(n)
    answer = np.where(roll < 0.14, "found", np.where(roll < 0.16, "unable", "none"))
    answer = np.where(not_yet, None, answer)
    inquiry_ids = np.char.add("B20251120-", np.char.zfill(np.arange(1, n + 1).astype(str), 8))
    prov = providers[where]
    store.insert(
        "inquiries",
        pl.DataFrame(
            {
                "inquiry_id": inquiry_ids,
                "person_id": person_ids[who],
                "provider": prov,
                "bank_code": bank_codes[where],
                "as_of": [start.isoformat()] * n,
                "request_file": np.char.add(np.char.add(np.char.upper(prov.astype(str)), "_REQ_"), batch.astype(str)),
                "created_at": _dates(created, start),
                "sent_on": _dates(np.where(unsent, -99_999, sent), start),
                "answered_on": _dates(np.where(not_yet, -99_999, answered), start),
                "answer": answer,
            },
            strict=False,
        ),
    )

    # -- answers: one row per none/unable, one or two accounts per found --------
    done = np.flatnonzero(~not_yet)
    n_acc = np.where(answer[done] == "found", 1 + (rng.random(done.size) < 0.08), 1)
    rows = np.repeat(done, n_acc)
    detail = np.concatenate([np.arange(c) for c in n_acc]) + 1 if rows.size else np.zeros(0, dtype=np.int64)
    found = answer[rows] == "found"
    m = rows.size
    acc_type = np.where(rng.random(m) < 0.8, 1, np.where(rng.random(m) < 0.7, 6, 4))
    branch_tbl = branches().filter(pl.col("bank_code").is_in(list(bank_codes))).group_by("bank_code").agg("branch_code", "name")
    pick = rng.random(m)
    # a branch of each account's bank, picked column-wise (本店 001 for a bank with no branch list)
    chosen = (
        pl.DataFrame({"bank_code": bank_codes[where[rows]].astype(str), "p": pick})
        .join(branch_tbl, on="bank_code", how="left", maintain_order="left")
        .select(
            pl.col("branch_code").list.get((pl.col("p") * pl.col("branch_code").list.len()).floor().cast(pl.Int64), null_on_oob=True).fill_null("001"),
            pl.col("name").list.get((pl.col("p") * pl.col("name").list.len()).floor().cast(pl.Int64), null_on_oob=True).fill_null("本店"),
        )
    )
    br_code, br_name = chosen["branch_code"].to_list(), chosen["name"].to_list()
    numbers = np.char.zfill(rng.integers(1, 9_999_999, m).astype(str), 7)
    key = np.char.add(np.char.add(np.char.add(np.char.add(np.char.add(bank_codes[where[rows]].astype(str), "-"), np.array(br_code, dtype=str)), "-"), np.char.add(acc_type.astype(str), "-")), numbers)
    balance = np.where(rng.random(m) < 0.3, rng.integers(0, 9_000, m), np.exp(rng.normal(11.5, 1.6, m)).astype(np.int64))
    last_act = answered[rows] - rng.integers(0, 700, m)
    pw = person_ids[who[rows]]
    store.insert(
        "answers",
        pl.DataFrame(
            {
                "file_id": batch[rows] + 1,  # the batch's answer file (no response_files row: nothing here reads one)
                "line": np.arange(2, m + 2),
                "inquiry_id": inquiry_ids[rows],
                "answer": answer[rows],
                "detail_no": np.where(found, detail, 0),
                "account_key": np.where(found, key, None),
                "bank_code": bank_codes[where[rows]],
                "branch_code": np.where(found, np.array(br_code, dtype=object), None),
                "branch_name": np.where(found, np.array(br_name, dtype=object), None),
                "account_type": np.where(found, acc_type, 0),
                "account_number": np.where(found, numbers, None),
                "holder_kana": np.where(found, np.array(name_kana, dtype=object)[who[rows]], None),
                "holder_birth_date": np.where(found, np.array(_dates(birth_days, date(1945, 1, 1)).to_list(), dtype=object)[who[rows]], None),
                "holder_address": np.where(found, np.array(address, dtype=object)[who[rows]], None),
                "balance_yen": np.where(found, balance, None),
                "last_activity": np.where(found, np.array(_dates(last_act, start).to_list(), dtype=object), None),
                "account_status": np.where(found, _STATUS[np.minimum((rng.random(m) ** 3 * 4).astype(int), 3)], None),
                "unable_reason": np.where(answer[rows] == "unable", "本人確認不能", None),
                "answered_on": _dates(answered[rows], start),
            },
            strict=False,
        ),
    )

    # -- matches: one row per distinct account ----------------------------------
    acc_rows = np.flatnonzero(found)
    cls = rng.choice(_CLASSES, size=acc_rows.size, p=_CLASS_P)
    inquired = pw[acc_rows]
    other = person_ids[rng.integers(0, persons, acc_rows.size)]
    ev = np.array([_EVIDENCE[c] for c in cls], dtype=object).reshape(-1, 4) if acc_rows.size else np.zeros((0, 4), dtype=object)
    is_hit = np.isin(cls, ["CONFIRMED", "PROBABLE"])
    person = np.where(is_hit | (cls == "REVIEW"), inquired, None)
    candidates = np.where(cls == "REVIEW", np.char.add(np.char.add(inquired.astype(str), ";"), other.astype(str)), np.where(is_hit, None, inquired))
    decided = (cls == "REVIEW") & (rng.random(acc_rows.size) < 0.2)
    accept = decided & (rng.random(acc_rows.size) < 0.6)
    links = pl.DataFrame(
            {
                "account_key": key[acc_rows],
                "inquiry_id": inquiry_ids[rows[acc_rows]],
                "inquired_person_id": inquired,
                "person_id": person,
                "class": cls,
                "score": np.round(np.select([is_hit, cls == "REVIEW"], [0.9, 0.7], 0.3) + rng.random(acc_rows.size) * 0.09, 4),
                "name_evidence": ev[:, 0],
                "dob_evidence": ev[:, 1],
                "address_evidence": ev[:, 2],
                "candidates": candidates,
                "reason": ev[:, 3],
                "matched_at": _dates(answered[rows[acc_rows]], start),
                "decision": np.where(decided, np.where(accept, "accept", "reject"), None),
                "decided_person_id": np.where(accept, inquired, None),
                "decided_by": np.where(decided, "審査 一郎", None),
                "decided_at": np.where(decided, now, None),
            },
            strict=False,
        )
    store.insert("matches", links, on_conflict="ON CONFLICT (account_key) DO NOTHING")
    # the evidence link() would have kept: each candidate (else the nearest person), best first;
    # a second candidate agrees only at the municipality
    rank = pl.int_range(pl.len()).over("account_key")
    evidence = (
        store.frame(
            "SELECT account_key, candidates, person_id, class, score, name_evidence, dob_evidence, address_evidence, reason FROM matches",
            schema={"score": pl.Float64},
        )
        .select("account_key", pl.coalesce("candidates", "person_id").str.split(";").alias("person_id"), "class", "score",
                "name_evidence", "dob_evidence", "address_evidence", "reason")
        .explode("person_id")
        .drop_nulls("person_id")
        .with_columns(rank=rank)
        .with_columns(
            score=pl.col("score") - pl.col("rank") * 0.01,
            address_evidence=pl.when(pl.col("rank") > 0).then(pl.lit("city")).otherwise(pl.col("address_evidence")),
        )
    )  # fmt: skip
    store.insert("match_evidence", evidence)

    # the bank's holder data as each class implies
    for sql in (
        "UPDATE answers SET holder_address = CASE WHEN rowid % 2 = 0 THEN '東京都八王子市旭町1-1-1' END"
        " WHERE account_key IN (SELECT account_key FROM matches WHERE class = 'REVIEW')",
        "UPDATE answers SET holder_birth_date = date(holder_birth_date, '+400 days')"
        " WHERE account_key IN (SELECT account_key FROM matches WHERE class = 'HOMONYM')",
        "UPDATE answers SET holder_kana = 'ムラカミ　ハルキ', holder_birth_date = NULL, holder_address = NULL"
        " WHERE account_key IN (SELECT account_key FROM matches WHERE class = 'UNMATCHED')",
    ):
        store.conn.execute(sql)

    # -- follow-ups for hits worth following -------------------------------------
    fu = acc_rows[(is_hit | accept) & (balance[acc_rows] >= 10_000)]
    f = fu.size
    status = rng.choice(np.array(["QUEUED", "WRITTEN", "SENT", "ANSWERED", "SKIPPED_CLEARED"]), size=f, p=[0.15, 0.05, 0.2, 0.55, 0.05])
    f_sent = answered[rows[fu]] + 5
    status = np.where((status == "ANSWERED") & (f_sent + 9 > age), "SENT", status)
    status = np.where(np.isin(status, ["SENT", "WRITTEN"]) & (f_sent > age), "QUEUED", status)
    income = rng.choice(np.array(["給与", "年金", "給与;年金", ""], dtype=object), size=f, p=[0.25, 0.15, 0.05, 0.55])
    store.insert(
        "followups",
        pl.DataFrame(
            {
                "followup_id": np.char.add("H20251120-", np.char.zfill(np.arange(1, f + 1).astype(str), 8)),
                "person_id": pw[fu],
                "account_key": key[fu],
                "provider": prov[rows[fu]],
                "origin_inquiry_id": inquiry_ids[rows[fu]],
                "reason": ["残高基準以上"] * f,
                "priority": np.arange(1, f + 1),
                "period_from": _dates(f_sent - 180, start),
                "period_to": _dates(f_sent, start),
                "status": status,
                "created_at": [now] * f,
                "sent_on": _dates(np.where(np.isin(status, ["SENT", "ANSWERED"]), f_sent, -99_999), start),
                "answered_on": _dates(np.where(status == "ANSWERED", f_sent + 9, -99_999), start),
                "transactions": np.where(status == "ANSWERED", rng.integers(3, 80, f), None),
                "regular_income": np.where((status == "ANSWERED") & (income != ""), income, None),
            },
            strict=False,
        ),
    )


def make_workspace(home: Path, **kwargs: object) -> Path:
    """A new workspace at ``home`` whose store holds :func:`fill_store`'s year."""
    ws = Workspace.init(home, Settings(**TEST_OFFICE))
    with ws.store() as store, store.transaction():
        fill_store(store, **kwargs)  # type: ignore[arg-type]
    return home
