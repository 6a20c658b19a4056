"""The user's own themes: themes init|check with line numbers, --themes zero-shot, --theme-examples."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from stamning.cli.app import app
from stamning.errors import ConfigError, InputError
from stamning.store.database import ModelIdentity
from stamning.themes.check import TEMPLATE, check_file, check_text
from stamning.themes.own import OwnThemesModel, read_theme_examples

runner = CliRunner()
THEMES = """schema_version = 1

[[theme]]
key = "lokaler"
name = "Lokaler"
definition = "Lokaler, ventilation och buller."

[[theme]]
key = "lon"
name = "Lön"
definition = "Lön och löneutveckling."
examples = ["Lönen är för låg."]

[[theme]]
key = "fika"
name = "Fika"
definition = "Fika, kaffe och kakor på jobbet."
"""


def test_template_is_valid_and_written_once(tmp_path):
    assert check_text(TEMPLATE) == []
    path = tmp_path / "mina_teman.toml"
    result = runner.invoke(app, ["themes", "init", str(path)])
    assert result.exit_code == 0 and path.read_text("utf-8") == TEMPLATE
    again = runner.invoke(app, ["themes", "init", str(path)])
    assert again.exit_code == 2 and "finns redan" in again.output and "--force" in again.output
    checked = runner.invoke(app, ["themes", "check", str(path)])
    assert checked.exit_code == 0 and "2 teman utan fel (lokaler, lon)" in checked.output


def test_syntax_error_names_its_line():
    problems = check_text('schema_version = 1\n\n[[theme]]\nkey = "lön\nname = "Lön"\n')
    assert len(problems) == 1 and problems[0].line == 4 and "ogiltig TOML" in str(problems[0])


def test_schema_errors_name_the_line_of_the_field():
    text = THEMES.replace('key = "lon"', 'key = "lön"').replace('key = "fika"', 'key = "lokaler"')
    text = text.replace('examples = ["Lönen är för låg."]', 'examples = "Lönen är för låg."\nnamn = "Lön"')
    text = text.replace('name = "Lokaler"\n', "")
    problems = [str(p) for p in check_text(text)]
    assert problems == [
        'rad 3: temat saknar name; lägg till name = "…"',
        "rad 8: nyckeln 'lön' är ogiltig: bara små bokstäver a–z, siffror och _ (utan å/ä/ö), börjar med en bokstav, t.ex. 'lon'",
        'rad 11: examples ska vara en lista med texter ["…", "…"]',
        "rad 12: okänt fält 'namn'; tillåtna fält: key, name, definition, include, exclude, examples, sensitive",
        "rad 15: nyckeln 'lokaler' finns redan på rad 4; nycklar måste vara unika",
    ]


def test_check_through_the_cli_is_one_line(tmp_path):
    path = tmp_path / "teman.toml"
    path.write_text('[[theme]]\nkey = "å"\nname = "Å"\ndefinition = "Åtgärder."\n', "utf-8")
    result = runner.invoke(app, ["themes", "check", str(path)])
    assert result.exit_code == 2
    assert (
        "teman.toml: 1 fel: rad 2: nyckeln 'å' är ogiltig" in result.output
        and len(result.output.strip().splitlines()) <= 3
    )
    with pytest.raises(ConfigError, match="temafilen finns inte"):
        check_file(tmp_path / "saknas.toml")


def test_zero_shot_then_upgraded_by_examples(tiny_model, tmp_path):
    path = tmp_path / "teman.toml"
    path.write_text(THEMES, "utf-8")
    taxonomy = check_file(path)
    plain = OwnThemesModel(tiny_model, taxonomy)
    assert (
        plain.zero_shot == ["lokaler", "lon", "fika"]
        and "zero-shot" in plain.note()
        and "Lokaler, Lön, Fika" in plain.note()
    )
    preds = plain.predict(["Lokalerna är trånga och bullriga.", "", "Lönen är för låg."])
    assert preds[1].status == "skipped" and set(preds[0].theme_probabilities) == {"lokaler", "lon", "fika"}
    assert all(set(p.themes) <= {"lokaler", "lon", "fika"} for p in preds)
    assert preds[0].sentiment == tiny_model.predict(["Lokalerna är trånga och bullriga."])[0].sentiment
    examples = tmp_path / "exempel.csv"
    examples.write_text(
        "text;themes\nLokalerna är trånga.;lokaler\nVentilationen är dålig i lokalerna.;lokaler\n"
        "Lönen är för låg.;lon\nIngen löneutveckling på tre år.;lon\n",
        "utf-8",
    )
    upgraded = OwnThemesModel(tiny_model, taxonomy, read_theme_examples(examples, taxonomy))
    assert upgraded.zero_shot == ["fika"] and "Fika" in upgraded.note() and "Lön" not in upgraded.note()
    ids = {ModelIdentity.of(m).model_id for m in (tiny_model, plain, upgraded)}
    assert len(ids) == 3  # stored results of each are kept apart


def test_examples_with_an_unknown_key_name_the_row(tmp_path):
    path = tmp_path / "teman.toml"
    path.write_text(THEMES, "utf-8")
    examples = tmp_path / "exempel.csv"
    examples.write_text("text;themes\nBra fika.;fika\nFör varmt.;värme\n", "utf-8")
    with pytest.raises(InputError, match="rad 2: temat värme finns inte i temafilen"):
        read_theme_examples(examples, check_file(path))


def test_summarize_with_own_themes_says_which_are_zero_shot(tiny_model_dir, tmp_path):
    themes = tmp_path / "teman.toml"
    themes.write_text(THEMES, "utf-8")
    survey = tmp_path / "svar.csv"
    survey.write_text(
        "Omgång;Kommentar\n"
        + "\n".join(
            f"2026;{t}"
            for t in [
                "Lokalerna är trånga.",
                "Lönen är för låg.",
                "Bra fika på fredagar!",
                "Bullrigt i lokalerna.",
                "Ingen löneutveckling.",
                "Kaffet är slut.",
            ]
        )
        + "\n",
        "utf-8",
    )
    out = tmp_path / "rapport.json"
    result = runner.invoke(
        app,
        [
            "summarize",
            str(survey),
            "--themes",
            str(themes),
            "--model",
            str(tiny_model_dir),
            "--by",
            "group",
            "--group-column",
            "Omgång",
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
    assert any("zero-shot" in n and "Lokaler, Lön, Fika" in n for n in data["notes"])
    keys = {t["key"] for r in data["rounds"] for t in r["themes"]}
    assert keys <= {"lokaler", "lon", "fika"}
    md = runner.invoke(
        app,
        [
            "summarize",
            str(survey),
            "--themes",
            str(themes),
            "--model",
            str(tiny_model_dir),
            "--by",
            "group",
            "--group-column",
            "Omgång",
            "-f",
            "md",
        ],
    )
    assert md.exit_code == 0 and "> Obs: Teman från teman.toml" in md.output


def test_theme_examples_without_themes_is_an_error(tmp_path):
    survey = tmp_path / "svar.csv"
    survey.write_text("text\nHej\n", "utf-8")
    result = runner.invoke(app, ["classify", str(survey), "-o", str(tmp_path / "ut.csv"), "--theme-examples", "x.csv"])
    assert result.exit_code == 2 and "ange också --themes" in result.output


def test_inline_theme_tables_are_checked_too():
    problems = check_text(
        'theme = [{key = "a", name = "A", definition = "Ä."}, {key = "B", name = "B", definition = "Ö."}]\n'
    )
    assert [str(p) for p in problems] == [
        "rad 1: nyckeln 'B' är ogiltig: bara små bokstäver a–z, siffror och _ (utan å/ä/ö), "
        "börjar med en bokstav, t.ex. 'lon'"
    ]
