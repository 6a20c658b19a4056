"""Reading and writing survey exports: encodings, delimiters, formats, errors, row order."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stamning.errors import ColumnError, InputError
from stamning.io.tables import neutralise_formula, read_comments, write_table

ROWS = [
    ("1", "Väldigt bra bemötande på äldreboendet ✨", "2025"),
    ("2", "Dålig information, tyvärr.", "2025"),
    ("3", "", "2026"),
    ("4", "Jättebra chef; lyssnar på oss 👍", "2026"),
]


@pytest.mark.parametrize(
    "encoding,sep,bom", [("utf-8", ";", False), ("utf-8", ",", True), ("utf-8", "\t", False), ("cp1252", ";", False)]
)
def test_csv_encodings_and_delimiters(tmp_path, encoding, sep, bom):
    # cp1252 has no emoji: a Swedish Excel export would not contain them
    rows = [(a, b.replace(" ✨", "").replace(" 👍", ""), c) for a, b, c in ROWS] if encoding == "cp1252" else ROWS
    lines = [sep.join(["Respondent", "Kommentar", "Omgång"])] + [
        sep.join(f'"{c}"' if sep in c else c for c in r) for r in rows
    ]
    path = tmp_path / "svar.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + ("\r\n".join(lines) + "\r\n").encode(encoding))
    table = read_comments(path)
    assert table.columns.text == "Kommentar"
    assert table.columns.id == "Respondent"
    assert table.columns.round == "Omgång"
    assert table.frame["Kommentar"].tolist() == [r[1] for r in rows]
    assert table.ids() == ["1", "2", "3", "4"]


def test_rows_without_id_get_row_numbers(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("fritext\nHej då\nBra\n", "utf-8")
    table = read_comments(path)
    assert table.columns.id is None
    assert table.ids() == ["1", "2"]


@pytest.mark.parametrize(
    "content,needle",
    [
        (None, "filen finns inte"),
        (b"", "filen är tom"),
        (b"kommentar;omgang\r\n", "inga datarader"),
        (b'kommentar,grupp\n"ok",a\n"trasig,b,c,d\n', "trasig CSV"),
    ],
)
def test_bad_csv_inputs_name_the_problem(tmp_path, content, needle):
    path = tmp_path / "svar.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError) as info:
        read_comments(path)
    assert needle in str(info.value)
    assert "\n" not in str(info.value)


def test_unknown_extension(tmp_path):
    path = tmp_path / "svar.docx"
    path.write_text("x", "utf-8")
    with pytest.raises(InputError, match="okänd filtyp .docx"):
        read_comments(path)


def test_unknown_column_lists_columns(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("Respondent;Kommentar;Omgång\n1;Bra;2025\n", "utf-8")
    with pytest.raises(ColumnError) as info:
        read_comments(path, text_column="Fritextsvar")
    assert "'Respondent', 'Kommentar', 'Omgång'" in str(info.value)


def test_no_text_column_found(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("x;y\n1;2\n", "utf-8")
    with pytest.raises(ColumnError, match="kolumner i filen: 'x', 'y'"):
        read_comments(path)


def test_xlsx_sheets_and_empty(tmp_path):
    path = tmp_path / "svar.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"info": []}).to_excel(writer, sheet_name="Tom", index=False)
        pd.DataFrame({"Svar": ["Åsa är bäst 😀", 42]}).to_excel(writer, sheet_name="Svar", index=False)
    with pytest.raises(InputError, match="inga datarader"):
        read_comments(path)
    table = read_comments(path, sheet="Svar")
    assert table.frame["Svar"].tolist() == ["Åsa är bäst 😀", 42]
    with pytest.raises(InputError, match="ingen flik som heter 'X'; flikar: 'Tom', 'Svar'"):
        read_comments(path, sheet="X")


def test_broken_xlsx(tmp_path):
    path = tmp_path / "trasig.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputError, match="inte en läsbar .xlsx"):
        read_comments(path)


def test_jsonl_bad_line(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text('{"text": "bra"}\n{"text": \n', "utf-8")
    with pytest.raises(InputError, match="rad 2 är inte giltig JSON"):
        read_comments(path)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".jsonl", ".parquet"])
def test_round_trip_each_format(tmp_path, suffix):
    frame = pd.DataFrame(
        {
            "id": ["a", "b", "c"],
            "text": ["Ärligt talat: bäst 🎉", "öl och åska", '=HYPERLINK("x")'],
            "status": ["ok", "ok", "skipped"],
        }
    )
    path = write_table(frame, tmp_path / f"ut{suffix}")
    back = read_comments(path).frame
    assert back["id"].astype(str).tolist() == ["a", "b", "c"]
    assert back["text"].tolist()[:2] == ["Ärligt talat: bäst 🎉", "öl och åska"]
    if suffix in (".csv", ".xlsx"):
        assert back["text"].tolist()[2] == '\'=HYPERLINK("x")'  # neutralised
    assert not list(tmp_path.glob("*.stamning-tmp"))


def test_write_is_atomic_on_failure(tmp_path, monkeypatch):
    target = tmp_path / "ut.csv"
    target.write_text("gammal fil", "utf-8")

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", boom)
    with pytest.raises(RuntimeError):
        write_table(pd.DataFrame({"a": [1]}), target)
    assert target.read_text("utf-8") == "gammal fil"
    assert not list(tmp_path.glob("*.stamning-tmp"))


@pytest.mark.parametrize(
    "value,expected",
    [
        ("=1+1", "'=1+1"),
        ("+46 70", "'+46 70"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("- bra chef", "- bra chef"),
        ("Bra", "Bra"),
        (3, 3),
    ],
)
def test_neutralise_formula(value, expected):
    assert neutralise_formula(value) == expected


cells = st.one_of(st.just(""), st.just("   "), st.just("\t"), st.text(alphabet="abcåäöÅÄÖ é,;\"'\n😀", max_size=30))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(cells, min_size=1, max_size=25))
def test_row_count_and_order_survive_odd_rows(tmp_path, texts):
    frame = pd.DataFrame({"id": [f"r{i}" for i in range(len(texts))], "kommentar": texts})
    path = write_table(frame, tmp_path / "in.jsonl")
    table = read_comments(path)
    assert table.ids() == [f"r{i}" for i in range(len(texts))]
    assert table.frame["kommentar"].tolist() == texts
