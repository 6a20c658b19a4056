"""classify --store, summarize/compare --store without a model, store list|remove, through the CLI."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from stamning.cli.app import app

runner = CliRunner()
ROWS = [
    ("1", "2025", "Chefen är lyhörd och vänlig."),
    ("2", "2025", "Dåligt bemötande på mötet."),
    ("3", "2025", "Informationen når inte fram."),
    ("4", "2025", "Bra samarbete mellan förvaltningarna."),
    ("5", "2025", "Stressig arbetsbelastning."),
    ("6", "2025", ""),
    ("1", "2026", "Fantastisk chef, alltid lyhörd!"),
    ("2", "2026", "Mycket dåligt stöd från ledningen."),
    ("3", "2026", "Tack för bra information."),
    ("4", "2026", "Samarbetet fungerar bra."),
    ("5", "2026", "Väldigt dåligt bemötande."),
]


@pytest.fixture
def survey(tmp_path):
    path = tmp_path / "enkät.csv"
    path.write_text("Id;Omgång;Kommentar\n" + "\n".join(";".join(r) for r in ROWS) + "\n", "utf-8")
    return path


@pytest.fixture
def stored(tmp_path, survey, tiny_model_dir):
    store = tmp_path / "resultat.sqlite"
    result = runner.invoke(
        app,
        [
            "classify",
            str(survey),
            "-o",
            str(tmp_path / "ut.csv"),
            "--model",
            str(tiny_model_dir),
            "--store",
            str(store),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "11 rader tillagda, 0 fanns redan (omgång 2025, 2026" in result.output
    return store


def test_classify_again_adds_nothing(stored, survey, tmp_path, tiny_model_dir):
    result = runner.invoke(
        app,
        [
            "classify",
            str(survey),
            "-o",
            str(tmp_path / "ut2.csv"),
            "--model",
            str(tiny_model_dir),
            "--store",
            str(stored),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "0 rader tillagda, 11 fanns redan" in result.output
    listing = runner.invoke(app, ["store", "list", str(stored)])
    assert (
        listing.exit_code == 0
        and "2025" in listing.output
        and "2026" in listing.output
        and "enkät.csv" in listing.output
    )


def test_summarize_and_compare_from_the_store_load_no_model(stored, monkeypatch, tmp_path):
    def no_model(*args, **kwargs):
        raise AssertionError("the store must be read without loading a model")

    monkeypatch.setattr("stamning.model.loading.load_model", no_model)
    out = tmp_path / "rapport.json"
    result = runner.invoke(
        app,
        [
            "summarize",
            "--store",
            str(stored),
            "--rounds",
            "2026",
            "--min-group",
            "2",
            "--min-quote-group",
            "2",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text("utf-8"))
    assert [r["round"] for r in data["rounds"]] == ["2026"] and data["rounds"][0]["n"] == 5
    assert data["settings"]["store"]["path"] == "resultat.sqlite"
    result = runner.invoke(app, ["compare", "--store", str(stored), "--min-group", "2", "-f", "json"])
    assert result.exit_code == 0, result.output
    assert [(c["before"], c["after"]) for c in json.loads(result.output)["comparisons"]] == [("2025", "2026")]


def test_a_second_model_is_named_in_the_report(stored, survey, tmp_path, tiny_model_dir):
    themes = tmp_path / "teman.toml"
    assert runner.invoke(app, ["themes", "init", str(themes)]).exit_code == 0
    result = runner.invoke(
        app,
        [
            "classify",
            str(survey),
            "-o",
            str(tmp_path / "ut3.csv"),
            "--model",
            str(tiny_model_dir),
            "--store",
            str(stored),
            "--themes",
            str(themes),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "11 rader tillagda" in result.output and "zero-shot" in result.output
    report = runner.invoke(app, ["summarize", "--store", str(stored), "--min-group", "2", "-f", "md"])
    assert report.exit_code == 0, report.output
    assert "finns också klassad med modell" in report.output
    assert "Teman från teman.toml (omgång 2025, 2026) utan märkta exempel (zero-shot" in report.output
    listing = runner.invoke(app, ["store", "list", str(stored)])
    assert listing.output.count("2025") == 2  # both models' rounds are listed


def test_store_remove(stored):
    result = runner.invoke(app, ["store", "remove", str(stored), "--round", "2025"])
    assert result.exit_code == 0 and "Tog bort 6 rader för omgång 2025" in result.output
    result = runner.invoke(app, ["store", "remove", str(stored), "--round", "2025"])
    assert result.exit_code == 2 and "omgång 2025 finns inte" in result.output and "2026" in result.output


def test_round_label_for_a_file_without_rounds(tmp_path, tiny_model_dir):
    path = tmp_path / "blogg.csv"
    path.write_text("text\nHärligt inlägg!\nHåller inte med alls.\n", "utf-8")
    store = tmp_path / "r.sqlite"
    args = [
        "classify",
        str(path),
        "-o",
        str(tmp_path / "ut.csv"),
        "--model",
        str(tiny_model_dir),
        "--store",
        str(store),
    ]
    missing = runner.invoke(app, args)
    assert missing.exit_code == 2 and "--round 2026" in missing.output
    result = runner.invoke(app, args + ["--round", "vecka 12"])
    assert result.exit_code == 0 and "2 rader tillagda" in result.output and "vecka 12" in result.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["summarize"], "antingen en indatafil eller --store"),
        (["compare", "x.csv", "--store", "r.sqlite"], "antingen en indatafil eller --store"),
        (["summarize", "--store", "saknas.sqlite"], "resultatlagret finns inte"),
        (["summarize", "--store", "fel.txt"], "ge det ändelsen .sqlite"),
        (["summarize", "--store", "resultat.duckdb"], "resultatlagret är en SQLite-fil"),
    ],
)
def test_store_usage_errors_are_one_line(args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["summarize", "svar.csv", "--rounds", "2025"], "--rounds gäller resultatlagret"),
        (["compare", "svar.csv", "--store-model", "abc"], "--store-model gäller resultatlagret"),
        (["summarize", "--store", "r.sqlite", "--themes", "t.toml"], "gäller när kommentarerna klassas"),
    ],
)
def test_options_that_need_or_exclude_the_store(args, message, tmp_path, monkeypatch):
    from stamning.store.database import ResultStore

    monkeypatch.chdir(tmp_path)
    ResultStore(tmp_path / "r.sqlite", create=True).close()
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and message in result.output, result.output
