"""The three input CSVs: headers, encodings, notations, rejects, overlap check."""

from pathlib import Path

import polars as pl
import pytest

from formats.errors import FileRejected
from formats.inputs import DuplicateInstitutions, read_institutions, read_master, read_payments

MASTER_JA = (
    "宛名番号,氏名,カナ氏名,生年月日,性別,郵便番号,住所,住所履歴,滞納額,年度区分,照会先金融機関,備考\r\n"
    "A001,山田 太郎,ヤマダ タロウ,S45.3.12,男,160-0023,東京都新宿区西新宿2-8-1,新宿区大久保1-1-1|中野区中野2-2-2,\"12,000\",現年,0001;0005,x\r\n"
    "A002,佐藤 花子,さとう はなこ,平成元年1月8日,F,1600023,,,0,滞繰,,\r\n"
    "A003,鈴木 一郎,,3450312,,,,,,,,\r\n"
    "A004,田中 次郎,タナカ ジロウ,平成31年5月1日,,,,,,,,\r\n"
)


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_master_japanese_headers_any_encoding(tmp_path: Path, encoding: str) -> None:
    t = read_master(write(tmp_path, "master.csv", MASTER_JA, encoding))
    assert t.rows_read == 4
    assert t.rows.height + t.rejects.height == t.rows_read
    assert t.unknown_columns == ["備考"]
    first = t.rows.row(0, named=True)
    assert first["person_id"] == "A001"
    assert str(first["birth_date"]) == "1970-03-12"
    assert first["sex"] == 1 and first["postal_code"] == "1600023" and first["arrears_yen"] == 12000
    assert first["address_history"] == ["新宿区大久保1-1-1", "中野区中野2-2-2"]
    assert first["target_banks"] == ["0001", "0005"]
    assert t.rejects.to_dicts() == [
        {"file": str(tmp_path / "master.csv"), "line": 5, "reason": "生年月日を読めません: '平成31年5月1日'"}
    ]


def test_master_english_headers_any_order_and_forced_encoding(tmp_path: Path) -> None:
    text = "birth_date,person_id,name_kanji\r\n1980/1/2,B1,高橋 一\r\n"
    t = read_master(write(tmp_path, "m.csv", text, "cp932"), encoding="cp932")
    assert t.encoding == "cp932"
    assert t.rows["person_id"].to_list() == ["B1"]


def test_master_row_problems_are_rejects_with_lines(tmp_path: Path) -> None:
    text = (
        "person_id,name_kanji,birth_date,sex,postal_code,arrears_yen,target_banks\r\n"
        "C1,a,1980-01-01,3,,,\r\n"
        "C2,b,1980-01-01,,12-34,,\r\n"
        "C3,c,1980-01-01,,,abc,\r\n"
        "C4,,1980-01-01,,,,\r\n"
        "C5,e,1980-01-01,,,,12\r\n"
        "C6,f,,,,,\r\n"
        "C7!,g,1980-01-01,,,,\r\n"
        "C8,h,1980-01-01,,,,\r\n"
        "C8,h,1980-01-01,,,,\r\n"
        "C9,i\r\n"
    )
    t = read_master(write(tmp_path, "m.csv", text))
    assert t.rows.height == 0
    assert t.rejects["line"].to_list() == list(range(2, 12))
    reasons = " ".join(t.rejects["reason"].to_list())
    for word in ("性別", "郵便番号", "滞納額", "氏名が空", "照会先金融機関", "生年月日が空", "宛名番号の形式", "重複", "列数"):
        assert word in reasons


def test_master_missing_required_column_stops(tmp_path: Path) -> None:
    with pytest.raises(FileRejected, match="birth_date"):
        read_master(write(tmp_path, "m.csv", "person_id,name_kanji\r\nX,y\r\n"))


def test_undecodable_bytes_name_the_line(tmp_path: Path) -> None:
    p = tmp_path / "m.csv"
    p.write_bytes("person_id,name_kanji,birth_date\r\nA,山田 太郎,1970-01-01\r\n".encode("cp932") + b"B,\x82\xff\xfe,1970-01-01\r\n")
    with pytest.raises(FileRejected) as err:
        read_master(p)
    assert err.value.line == 3 and "m.csv:3" in str(err.value)


def test_institutions_overlap_names_every_duplicate(tmp_path: Path) -> None:
    inst = write(tmp_path, "institutions.csv", "bank_code,name,provider\n0001,みずほ,dais\n0005,三菱ＵＦＪ,pipitlinq\n0005,三菱ＵＦＪ,dais\n")
    dais = write(tmp_path, "dais.csv", "bank_code\n0001\n")
    with pytest.raises(DuplicateInstitutions) as err:
        read_institutions(inst, dais_list=dais)
    msg = str(err.value)
    assert "0001: institutions.csv:2, dais.csv:2" in msg and "0005: institutions.csv:3, institutions.csv:4" in msg


def test_institution_lists_merge_and_unknown_codes_warn(tmp_path: Path) -> None:
    dais = write(tmp_path, "dais.csv", "金融機関コード\n0001\n9999\n")
    pipit = write(tmp_path, "pipit.csv", "bank_code,default_target\n9900,1\n")
    known = pl.read_csv(Path(__file__).parents[2] / "formats/refdata/banks.csv", infer_schema=False)
    t = read_institutions(dais_list=dais, pipitlinq_list=pipit, known_banks=known)
    assert dict(zip(t.rows["bank_code"], t.rows["provider"])) == {"0001": "dais", "9999": "dais", "9900": "pipitlinq"}
    assert t.rows.filter(pl.col("bank_code") == "0001")["name"].item() == "みずほ"
    assert len(t.warnings) == 1 and "9999" in t.warnings[0]


def test_payments(tmp_path: Path) -> None:
    t = read_payments(write(tmp_path, "p.csv", "宛名番号,納付日,納付額\r\nA1,R6.4.1,5000\r\nA2,bad,1\r\n"))
    assert t.rows["amount_yen"].to_list() == [5000]
    assert t.rejects["line"].to_list() == [3]
