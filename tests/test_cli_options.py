"""Fixed value sets are Enums: listed in --help, bad values refused in Swedish (one line, exit 2)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from stamning.cli.app import app
from stamning.errors import ConfigError
from stamning.options import ClassifyOptions, Precision, parse_by, split_list

runner = CliRunner()

BAD = [
    (["classify", "x.csv", "-o", "y.csv", "--precision", "bogus"], "--precision bogus", "auto, fp32, bf16, fp16"),
    (["classify", "x.csv", "-o", "y.csv", "--device", "tpu"], "--device tpu", "cpu, cuda"),
    (["classify", "x.csv", "-o", "y.csv", "--engine", "spark"], "--engine spark", "local, ray"),
    (["summarize", "x.csv", "-f", "pdf"], "--format pdf", "terminal, md, html, json, xlsx"),
    (["summarize", "x.csv", "--by", "round,grupp"], "--by grupp", "round, group"),
    (["compare", "x.csv", "-f", "pdf"], "--format pdf", "terminal, md, html, json, xlsx"),
]


@pytest.mark.parametrize("args,named,values", BAD)
def test_bad_option_values_are_one_swedish_line_with_the_allowed_values(args, named, values):
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Fel: ")
    assert named in lines[0] and f"tillåtna värden: {values}" in lines[0]
    assert "Traceback" not in result.output and "Invalid value" not in result.output


def test_fp16_on_the_processor_is_refused_before_any_work():
    result = runner.invoke(app, ["classify", "saknas.csv", "-o", "y.csv", "--precision", "fp16"])
    assert result.exit_code == 2
    assert "fp16 fungerar bara med --device cuda" in result.output and "oväntat" not in result.output


@pytest.mark.parametrize(
    "args,needle",
    [
        (["classify", "x.csv"], "--output saknas"),
        (["classify", "x.csv", "-o", "y.csv", "--bogus"], "okänd flagga --bogus"),
        (["classify", "x.csv", "-o", "y.csv", "--batch-size", "0"], "--batch-size: värdet ligger utanför 1–1024"),
        (["classify", "x.csv", "-o", "y.csv", "--batch-size", "två"], "--batch-size: måste vara ett heltal"),
        (["klassa"], "okänt kommando 'klassa'"),
    ],
)
def test_usage_errors_are_swedish(args, needle):
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and result.output.startswith("Fel: ") and needle in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_help_lists_the_choices_in_swedish_words():
    text = runner.invoke(app, ["classify", "--help"]).output
    assert "<auto|fp32|bf16|fp16>" in text and "<cpu|cuda>" in text and "<local|ray>" in text
    assert "Användning:" in text and "Flaggor:" in text and "[standard: 64" in text
    assert "Visa den här hjälpen och avsluta." in text
    for english in ("Usage:", "Options:", "[default:", "Show this message and exit.", "[required]"):
        assert english not in text
    top = runner.invoke(app, ["--help"]).output
    assert "Kommandon:" in top and "Commands:" not in top


def test_debug_is_accepted_after_the_subcommand(tmp_path):
    result = runner.invoke(app, ["classify", str(tmp_path / "saknas.csv"), "-o", str(tmp_path / "y.csv"), "--debug"])
    assert result.exit_code == 2 and "okänd flagga" not in result.output
    assert "Traceback" in result.output  # --debug took effect


def test_rounds_take_commas_like_by():
    assert split_list(["2024,2026", "2027"]) == ("2024", "2026", "2027")
    assert parse_by("round, group") == ("round", "group") and parse_by("") == ()
    with pytest.raises(ConfigError, match="samma del två gånger"):
        parse_by("round,round")


def test_options_are_validated_and_travel_as_plain_values():
    options = ClassifyOptions(precision="bf16", batch_size=8)
    assert options.precision is Precision.BF16
    assert ClassifyOptions.from_dict(options.to_dict()) == options
    assert options.to_dict()["precision"] == "bf16"
    with pytest.raises(ConfigError, match="tillåtna värden: auto, fp32, bf16, fp16"):
        ClassifyOptions(precision="half")
    with pytest.raises(ConfigError, match="--resume och --clean"):
        ClassifyOptions(resume=True, clean=True)


def test_every_option_of_every_command_has_help_text():
    import typer

    root = typer.main.get_command(app)

    def commands(group, prefix=""):
        for name, cmd in getattr(group, "commands", {}).items():
            yield f"{prefix}{name}", cmd
            yield from commands(cmd, f"{prefix}{name} ")

    missing = [
        f"{name} {p.opts[0]}"
        for name, cmd in commands(root)
        for p in cmd.params
        if getattr(p, "param_type_name", "") == "option" and not getattr(p, "help", None)
    ]
    assert missing == []
