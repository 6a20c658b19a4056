"""One reader for every verb: the same rows from every encoding, line ending and delimiter, whole and in
chunks; files that are not text, duplicate headers, header-less files and hostile spreadsheets refused
by name."""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest

from stamning.engines.stream import iter_chunks
from stamning.errors import ColumnError, InputError
from stamning.io.tables import read_comments, read_frame

HEADER = ["Respondent", "Kommentar", "Enhet"]
ROWS = [
    ["1", "Trevligt bemötande, tack!", "Vård"],
    ["2", "Långa väntetider\noch dålig info", "Skola"],
    ["", "Åtgärda öppettiderna; snälla", "Vård"],
    ["4", 'Chefen är "bäst"', "Förskola"],
]


def _csv_text(sep: str, newline: str = "\r\n", rows=ROWS) -> str:
    def cell(value: str) -> str:
        if any(ch in value for ch in (sep, "\n", '"')):
            return '"' + value.replace('"', '""') + '"'
        return value

    return newline.join(sep.join(cell(c) for c in row) for row in [HEADER, *rows]) + newline


def _mixed_endings(sep: str) -> str:
    """CRLF and LF lines in one file (files pasted together); the quoted line break stays LF in its cell."""
    lines = _csv_text(sep, "\n").split("\n")
    joined = lines[0]
    for k, line in enumerate(lines[1:]):
        joined += "\n" if k % 2 or joined.endswith("Långa väntetider") else "\r\n"
        joined += line
    return joined


VARIANTS = {
    "utf8-comma": lambda: _csv_text(",").encode("utf-8"),
    "utf8-bom-semicolon": lambda: b"\xef\xbb\xbf" + _csv_text(";").encode("utf-8"),
    "cp1252-semicolon": lambda: _csv_text(";").encode("cp1252"),
    "utf16le-bom-tab": lambda: _csv_text("\t").encode("utf-16"),  # Excel's "Unicode text"
    "utf16be-bom-tab": lambda: b"\xfe\xff" + _csv_text("\t").encode("utf-16-be"),
    "utf16le-no-bom-tab": lambda: _csv_text("\t").encode("utf-16-le"),
    "mac-cr": lambda: _csv_text(";", "\r").encode("utf-8"),
    "mixed-endings": lambda: _mixed_endings(";").encode("utf-8"),
    "lone-cr-in-a-cell": lambda: (
        _csv_text(";", "\n").replace("Trevligt bemötande", "Trevligt\rbemötande").encode("utf-8")
    ),
    "nul-bytes": lambda: (
        _csv_text(";").replace("Trevligt", "Trev\x00ligt").replace("Enhet", "En\x00het").encode("utf-8")
    ),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_encoding_and_line_ending_gives_the_same_rows_whole_and_in_chunks(tmp_path, variant):
    path = tmp_path / "svar.csv"
    path.write_bytes(VARIANTS[variant]())
    whole = read_frame(path)
    assert list(whole.columns) == HEADER
    expected = (
        [[c.replace("Trevligt bemötande", "Trevligt\rbemötande") for c in row] for row in ROWS]
        if variant == "lone-cr-in-a-cell"
        else ROWS
    )
    assert whole.values.tolist() == expected
    chunked = pd.concat(list(iter_chunks(path, 1)), ignore_index=True)
    assert chunked.values.tolist() == expected
    table = read_comments(path)
    assert table.ids() == ["1", "2", "3", "4"]  # a blank id gets its row number


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa" * 40,
        bytes((k * 7919 + 13) % 256 for k in range(5000)),
        bytes(range(256)) * 4,
    ],
)
def test_bytes_that_are_not_text_are_refused_by_name(tmp_path, content):
    path = tmp_path / "bild.csv"
    path.write_bytes(content)
    for read in (read_frame, lambda p: list(iter_chunks(p, 10))):
        with pytest.raises(
            InputError, match="inte text i en känd teckenkodning \\(försökte UTF-8, UTF-16 och Windows-1252\\)"
        ):
            read(path)


def test_duplicate_header_names_are_refused_not_renamed(tmp_path):
    path = tmp_path / "dubbel.csv"
    path.write_text("id;text;text\n1;Bra;Dåligt\n", "utf-8")
    with pytest.raises(InputError, match="kolumnnamnet 'text' finns två gånger \\(kolumn 2 och 3\\)"):
        read_frame(path)


def test_a_file_without_header_never_quotes_the_first_comment(tmp_path):
    comment = "Min chef Kalle Persson skriker på oss varje morgon och ingen gör något"
    path = tmp_path / "utan_rubrik.csv"
    path.write_text(f"A1;2025;Vård;{comment}\nA2;2025;Vård;Bra\n", "utf-8")
    with pytest.raises(ColumnError) as info:
        read_comments(path)
    message = str(info.value)
    assert "Kalle" not in message and "skriker" not in message
    assert "[kolumn 4: lång text, visas inte]" in message and "rubrikrad" in message


def test_quoted_line_breaks_stay_in_their_cell_in_chunks(tmp_path):
    path = tmp_path / "rader.csv"
    path.write_text(_csv_text(";", "\n", ROWS * 5), "utf-8")
    sizes = [len(c) for c in iter_chunks(path, 3)]
    assert sizes == [3, 3, 3, 3, 3, 3, 2]


# --------------------------------------------------------------------------- hostile spreadsheets


def _xlsx(tmp_path, sheet_xml: str, name: str = "fientlig.xlsx", extra: dict | None = None):
    """A minimal valid .xlsx whose first sheet is ``sheet_xml`` (built by hand: the attack is in the XML)."""
    import openpyxl

    base = tmp_path / "base.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["text"])
    book.save(base)
    path = tmp_path / name
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml.encode()
            dst.writestr(info.filename, data)
        for fname, data in (extra or {}).items():
            dst.writestr(fname, data)
    return path


_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def test_a_far_away_cell_and_a_false_dimension_do_not_blow_up_memory(tmp_path):
    import resource

    sheet = (
        f'<worksheet {_NS}><dimension ref="A1:XFD1048576"/><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>text</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>Bra chef</t></is></c></row>'
        '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    path = _xlsx(tmp_path, sheet)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(InputError, match="rad 1048576 har värden i kolumn 16384"):
        read_frame(path)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 300_000  # KiB: well under 300 MB


def test_a_sheet_with_a_false_dimension_reads_only_its_cells(tmp_path):
    sheet = (
        f'<worksheet {_NS}><dimension ref="A1:XFD1048576"/><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>text</t></is></c></row>'
        '<row r="3"><c r="A3" t="inlineStr"><is><t>Bra chef</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    frame = read_frame(_xlsx(tmp_path, sheet))
    assert frame.values.tolist() == [["Bra chef"]]


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    ],
)
def test_xml_attacks_are_refused_by_name(tmp_path, doctype):
    sheet = (
        f'<?xml version="1.0"?>{doctype}<worksheet {_NS}><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>'
    )
    with pytest.raises(InputError, match="XML-deklarationer \\(DOCTYPE/ENTITY\\)"):
        read_frame(_xlsx(tmp_path, sheet))


def test_an_overlong_cell_is_refused(tmp_path):
    sheet = (
        f'<worksheet {_NS}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>text</t></is></c></row>'
        f'<row r="2"><c r="A2" t="inlineStr"><is><t>{"å" * 40_000}</t></is></c></row></sheetData></worksheet>'
    )
    with pytest.raises(InputError, match="40000 tecken, fler än Excel tillåter"):
        read_frame(_xlsx(tmp_path, sheet))


def test_an_archive_that_inflates_too_far_is_refused_before_reading(tmp_path, monkeypatch):
    import stamning.io.xlsx as spreadsheet

    monkeypatch.setattr(spreadsheet, "MAX_UNCOMPRESSED", 10_000)
    sheet = f"<worksheet {_NS}><sheetData>" + "<row/>" * 5000 + "</sheetData></worksheet>"
    with pytest.raises(InputError, match="packas upp till"):
        read_frame(_xlsx(tmp_path, sheet))


# --------------------------------------------------------------------------- every verb, same rows

SURVEY = [
    ["Respondent", "Omgång", "Grupp", "Kommentar"],
    *[
        [
            f"R{k}",
            "2025" if k < 7 else "2026",
            "Vård" if k % 2 else "Skola",
            [
                "Fantastisk chef, alltid lyhörd!",
                "Informationen kommer ofta för sent.",
                "Ring mig på 070-123 45 67\noch fråga Åsa.",
                "Väldigt dåligt bemötande",
            ][k % 4],
        ]
        for k in range(1, 13)
    ],
]


def _survey(path, encoding: str, sep: str, newline: str) -> None:
    def cell(v):
        return '"' + v + '"' if "\n" in v or sep in v else v

    text = newline.join(sep.join(cell(c) for c in row) for row in SURVEY) + newline
    path.write_bytes(text.encode(encoding))


@pytest.mark.parametrize("verb", ["classify", "redact", "summarize"])
def test_a_utf16_tab_export_gives_the_same_rows_as_utf8_in_every_verb(tmp_path, tiny_model_dir, verb):
    from typer.testing import CliRunner

    from stamning.cli.app import app

    results = []
    for name, encoding, sep, newline in (
        ("utf8", "utf-8", ";", "\r\n"),
        ("utf16", "utf-16", "\t", "\r\n"),
        ("mac", "utf-8", ",", "\r"),
    ):
        folder = tmp_path / name
        folder.mkdir()
        src = folder / "enkät.csv"
        _survey(src, encoding, sep, newline)
        if verb == "summarize":
            args = [
                "summarize",
                str(src),
                "-f",
                "json",
                "--model",
                str(tiny_model_dir),
                "--min-group",
                "2",
                "--min-quote-group",
                "2",
            ]
        else:
            args = [verb, str(src), "-o", str(folder / "ut.csv")] + (
                ["--model", str(tiny_model_dir)] if verb == "classify" else []
            )
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        if verb == "summarize":
            results.append(result.output.replace(str(src), "enkät.csv"))
        else:
            frame = pd.read_csv(folder / "ut.csv", sep=";", dtype=str, keep_default_na=False)
            assert frame["Respondent"].tolist() == [r[0] for r in SURVEY[1:]]
            results.append(frame)
    if verb == "summarize":
        assert results[0] == results[1] == results[2]
    else:
        pd.testing.assert_frame_equal(results[0], results[1])
        pd.testing.assert_frame_equal(results[0], results[2])


def test_blank_ids_get_their_row_number_in_the_classified_output(tmp_path, tiny_model):
    from stamning.engines.local import classify_file

    src = tmp_path / "id.csv"
    src.write_text("id;kommentar\nA7;Bra chef\n;Dålig info\n  ;Okej\n", "utf-8")
    classify_file(src, tmp_path / "ut.csv", model=tiny_model, precision="fp32")
    frame = pd.read_csv(tmp_path / "ut.csv", sep=";", dtype=str, keep_default_na=False)
    assert frame["id"].tolist() == ["A7", "2", "3"]


@pytest.mark.parametrize("variant", ["utf16le-bom-tab", "mac-cr", "cp1252-semicolon"])
def test_labelled_data_for_train_and_evaluate_reads_the_same(tmp_path, variant):
    from stamning.training.labelled import load_labelled

    rows = [
        ["text", "sentiment", "themes"],
        ["Bra bemötande på vårdcentralen", "positiv", ""],
        ["Långa köer\noch dålig info", "negativ", ""],
    ]
    encoders = {
        "utf16le-bom-tab": ("\t", "\r\n", "utf-16"),
        "mac-cr": (";", "\r", "utf-8"),
        "cp1252-semicolon": (";", "\r\n", "cp1252"),
    }
    sep, newline, encoding = encoders[variant]
    text = newline.join(sep.join(f'"{c}"' if "\n" in c else c for c in r) for r in rows) + newline
    path = tmp_path / "etiketter.csv"
    path.write_bytes(text.encode(encoding))
    data = load_labelled(path, theme_keys=[])
    assert list(data.texts) == [rows[1][0], rows[2][0]]
