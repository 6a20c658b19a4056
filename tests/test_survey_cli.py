"""summarize / compare / redact end to end through the CLI (tiny model, the bundled example export)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stamning.cli.app import app

runner = CliRunner()
EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "examples" / "utvardering_kommundirektor.csv"


@pytest.fixture(scope="module")
def classified(tmp_path_factory, tiny_model_dir):
    out = tmp_path_factory.mktemp("survey") / "klassade.parquet"
    result = runner.invoke(app, ["classify", str(EXAMPLE), "-o", str(out), "--model", str(tiny_model_dir)])
    assert result.exit_code == 0, result.output
    return out


def test_summary_json_by_round_and_group(classified, tmp_path):
    out = tmp_path / "rapport.json"
    result = runner.invoke(app, ["summarize", str(classified), "--by", "round,group", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text("utf-8"))
    assert data["schema_version"] == 2
    assert [r["round"] for r in data["rounds"]] == ["2024", "2025", "2026"]
    for r in data["rounds"]:
        for key in (
            "n",
            "distribution",
            "share_positive",
            "share_negative",
            "net_score",
            "outliers",
            "attention",
            "themes",
            "suppressed",
        ):
            assert key in r
        groups = {g["group"]: g for g in r["groups"]}
        assert groups["Revisorer"]["suppressed"] is True  # 3 respondents
        assert groups["Revisorer"]["net_score"] is None
        # complementary suppression: a second group is hidden too
        assert sum(g["suppressed"] for g in r["groups"]) >= 2
    assert data["rounds"][0]["index"]["n"] > 0


def test_summary_classifies_raw_input_and_writes_html(tiny_model_dir, tmp_path):
    out = tmp_path / "rapport.html"
    result = runner.invoke(app, ["summarize", str(EXAMPLE), "--model", str(tiny_model_dir), "-o", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text("utf-8")
    assert '<meta name="viewport"' in html and "Omgång 2026" in html
    assert "http://" not in html and "https://" not in html


def test_quotes_are_redacted_by_default(classified, tmp_path):
    out = tmp_path / "r.md"
    result = runner.invoke(app, ["summarize", str(classified), "-o", str(out), "--min-quote-group", "5"])
    assert result.exit_code == 0, result.output
    text = out.read_text("utf-8")
    assert "070-174 06 23" not in text and "sofia.lindqvist@kommun.example" not in text


def test_summary_terminal_output(classified):
    result = runner.invoke(app, ["summarize", str(classified)])
    assert result.exit_code == 0, result.output
    assert "2026" in result.output and "Nettot" in result.output


def test_summary_by_round_needs_a_round_column(tmp_path, tiny_model_dir):
    path = tmp_path / "a.csv"
    path.write_text("kommentar\nBra\nDåligt\n", "utf-8")
    result = runner.invoke(app, ["summarize", str(path), "--model", str(tiny_model_dir), "--by", "round"])
    assert result.exit_code == 2 and "hittade ingen omgångskolumn" in result.output


def test_summary_bad_format(classified):
    result = runner.invoke(app, ["summarize", str(classified), "-f", "pdf"])
    assert result.exit_code == 2 and "tillåtna värden: terminal, md, html, json, xlsx" in result.output


def test_compare_rounds(classified):
    result = runner.invoke(app, ["compare", str(classified), "--rounds", "2025", "--rounds", "2026", "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["comparisons"][0]["before"] == "2025" and data["comparisons"][0]["after"] == "2026"


def test_compare_rounds_take_commas_like_by(classified):
    repeated = runner.invoke(app, ["compare", str(classified), "--rounds", "2025", "--rounds", "2026", "-f", "json"])
    commas = runner.invoke(app, ["compare", str(classified), "--rounds", "2025,2026", "-f", "json"])
    assert commas.exit_code == 0, commas.output
    assert commas.output == repeated.output


def test_redact_command(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text(
        "id;kommentar\n1;Ring mig på 070-174 06 23 eller mejla sofia.lindqvist@kommun.example\n2;Bra chef\n", "utf-8"
    )
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["redact", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text("utf-8-sig")
    assert "070-174" not in text and "[TELEFON]" in text and "[EPOST]" in text and "Bra chef" in text
