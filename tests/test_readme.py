"""Every example in README.md runs as written.

- Each ```python block runs in a fresh namespace, in a temporary folder where ``data/`` is the repository's
  ``data/``. The embedded default model is replaced by the tiny test model (``tiny_model_dir``): the
  examples exercise the API, not the default model's accuracy. A block after ``<!-- readme-test: slow -->``
  (training with the real base) runs only in the slow suite.
- Each ``stamning …`` line in a ```bash / ```console block is parsed by the CLI: the command exists, its
  ``--help`` works and every option on the line is one of its options. Lines whose input files are in the
  repository (``data/examples``) are also run, with the tiny model, and must exit 0.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from stamning.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text("utf-8")
SLOW_MARK = "<!-- readme-test: slow -->"
NOT_RUN = {"serve", "setup", "train"}  # a server; the real base model; labelled data of one's own
runner = CliRunner()


def _blocks(*languages: str) -> list[tuple[int, str, bool]]:
    """(line number, code, marked slow) of each fenced block in one of ``languages``."""
    found = []
    pattern = re.compile(r"^```(\w+)\n(.*?)^```", re.M | re.S)
    for m in pattern.finditer(README):
        if m.group(1) in languages:
            before = README[: m.start()].rstrip().splitlines()
            found.append((README[: m.start()].count("\n") + 1, m.group(2), bool(before) and before[-1] == SLOW_MARK))
    return found


def _command_lines() -> list[tuple[int, list[str]]]:
    """Each ``stamning …`` command (split at ``&&``, comment dropped) as its arguments after ``stamning``."""
    found = []
    for line_no, code, _ in _blocks("bash", "console"):
        for line in code.splitlines():
            for part in line.split("&&"):
                words = shlex.split(part, comments=True)
                if words and re.fullmatch(r"(?:\S*/)?stamning", words[0]):
                    found.append((line_no, words[1:]))
    return found


PYTHON = _blocks("python")
COMMANDS = _command_lines()


@pytest.fixture
def in_scratch(tmp_path, monkeypatch, tiny_model_dir):
    """A temporary working folder with ``data/`` from the repository; the default model is the tiny one."""
    (tmp_path / "data").symlink_to(ROOT / "data", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("stamning.model.loading.default_model_dir", lambda: tiny_model_dir)
    return tmp_path


def test_readme_has_examples_of_the_public_api():
    code = "\n".join(c for _, c, _ in PYTHON)
    for name in ("load_model", "classify_file", "summarize_file", "compare_file", "redact", "train", "evaluate"):
        assert f"stamning.{name}(" in code, name
    assert len(COMMANDS) >= 10


@pytest.mark.parametrize(("line", "code"), [(n, c) for n, c, slow in PYTHON if not slow], ids=lambda v: str(v)[:8])
def test_python_example_runs(in_scratch, line, code):
    exec(compile(code, f"README.md:{line}", "exec"), {"__name__": "readme"})


@pytest.mark.slow
@pytest.mark.parametrize(("line", "code"), [(n, c) for n, c, slow in PYTHON if slow], ids=lambda v: str(v)[:8])
def test_slow_python_example_runs(in_scratch, line, code):
    exec(compile(code, f"README.md:{line}", "exec"), {"__name__": "readme"})


def _command(args: list[str]):
    """The click command ``args`` name (subcommands followed), and the rest of the line."""
    command = typer.main.get_command(app)
    rest = list(args)
    while hasattr(command, "commands") and rest and not rest[0].startswith("-"):  # a group (typer's own click)
        sub = command.commands.get(rest[0])
        assert sub is not None, f"unknown command {rest[0]!r}"
        command, rest = sub, rest[1:]
    return command, rest


@pytest.mark.parametrize(("line", "args"), COMMANDS, ids=lambda v: " ".join(v)[:40] if isinstance(v, list) else str(v))
def test_command_line_parses(line, args):
    command, rest = _command(args)
    assert runner.invoke(app, [*args[: len(args) - len(rest)], "--help"]).exit_code == 0
    known = {opt for param in command.params for opt in param.opts + param.secondary_opts}
    given = {word.split("=", 1)[0] for word in rest if word.startswith("-") and word != "-"}
    assert given <= known, f"README.md:{line}: {sorted(given - known)} are not options of stamning {args[0]}"


def _runnable(args: list[str]) -> bool:
    return args[0] not in NOT_RUN and any((ROOT / a).is_file() for a in args if "/" in a)


@pytest.mark.parametrize(
    ("line", "args"),
    [c for c in COMMANDS if _runnable(c[1])],
    ids=lambda v: " ".join(v)[:40] if isinstance(v, list) else str(v),
)
def test_command_line_runs(in_scratch, line, args):
    result = runner.invoke(app, args)
    assert result.exit_code == 0, f"README.md:{line}: {result.output[-2000:]}"


def test_ci_runs_exactly_the_readme_test_command():
    """`.ci/run` is the README's second command, word for word (checks first, then the tests)."""
    commands = [code.strip() for _, code, _ in _blocks("bash") if "pytest" in code]
    ci = (ROOT / ".ci" / "run").read_text("utf-8").strip().splitlines()[-1]
    assert commands and commands[0] == ci
    assert "ruff check" in ci and "ruff format --check" in ci and "mypy" in ci
