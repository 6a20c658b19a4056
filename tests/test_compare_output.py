"""`compare -o`: the comparison as md, html, json and xlsx files, like `summarize`, with the source line."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from conftest import frame, row
from stamning.cli.app import app

runner = CliRunner()


@pytest.fixture(scope="module")
def two_rounds(tmp_path_factory):
    rows = [row("positiv", "ledarskap", round="2025", text="Tydlig ledning på förvaltningen") for _ in range(8)]
    rows += [
        row("negativ", "arbetsmiljo", round="2025", text="För hög arbetsbelastning på äldreomsorgen") for _ in range(12)
    ]
    rows += [row("positiv", "ledarskap", round="2026", text="Tydlig ledning på förvaltningen") for _ in range(18)]
    rows += [
        row("negativ", "arbetsmiljo", round="2026", text="För hög arbetsbelastning på äldreomsorgen") for _ in range(2)
    ]
    path = tmp_path_factory.mktemp("jmf") / "klassade.parquet"
    frame(rows).drop(columns=["group", "index"]).to_parquet(path)
    return path


@pytest.mark.parametrize("suffix", [".md", ".html", ".json", ".xlsx"])
def test_compare_writes_every_report_format(two_rounds, tmp_path, suffix):
    out = tmp_path / f"jämförelse{suffix}"
    result = runner.invoke(app, ["compare", str(two_rounds), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Skrev jämförelsen till" in result.output
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(out)
        assert wb.sheetnames == ["Jämförelser", "Förändringar", "Om rapporten"]
        head = [c.value for c in wb["Förändringar"][1]]
        rows = [dict(zip(head, r)) for r in wb["Förändringar"].iter_rows(min_row=2, values_only=True)]
        pos = next(r for r in rows if r["Mått"] == "Andel positiva")
        assert (pos["Från"], pos["Till"]) == (2025, 2026)
        assert pos["Före"] == pytest.approx(0.4) and pos["Efter"] == pytest.approx(0.9) and pos["Säkerställd"] is True
        assert "klassade automatiskt" in wb["Om rapporten"]["B2"].value
        return
    text = out.read_text("utf-8")
    if suffix == ".json":
        data = json.loads(text)
        assert data["comparisons"][0]["before"] == "2025" and data["settings"]["source"]["file"] == "klassade.parquet"
        return
    assert "Omgång 2025 → 2026" in text and "Andelen positiva ökade säkerställt" in text
    assert "Källa: klassade.parquet" in text and "Inga kommentarer att sammanfatta" not in text


def test_compare_prints_markdown_and_json_to_stdout(two_rounds):
    md = runner.invoke(app, ["compare", str(two_rounds), "-f", "md"])
    assert md.exit_code == 0 and "### Omgång 2025 → 2026" in md.output
    js = runner.invoke(app, ["compare", str(two_rounds), "-f", "json"])
    assert js.exit_code == 0 and json.loads(js.output)["schema_version"] == 2


def test_compare_xlsx_needs_an_output_file(two_rounds):
    result = runner.invoke(app, ["compare", str(two_rounds), "-f", "xlsx"])
    assert result.exit_code == 2 and "-o" in result.output
