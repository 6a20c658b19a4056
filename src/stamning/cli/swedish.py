"""The Swedish face of click: help headings and usage errors in Swedish, one line, exit code 2.

Help text is translated when it is produced (:class:`SwedishContext`; typer's own ``[default: …]`` words
through its gettext hook, set when the CLI runs, never on import). Usage errors (an unknown option, a
bad value for a fixed choice, a missing option) are caught in :class:`SwedishGroup` and printed as one
``Fel:`` line that names the problem and the fix. ``--debug`` is accepted anywhere on the line."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from enum import Enum
from typing import Any

import typer
from typer import core as typer_core
from typer.core import TyperGroup

try:  # typer >= 0.20 carries its own copy of click
    from typer import _click as click
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover - older typer on plain click
    import click  # type: ignore[no-redef]  # the same API under click's own name
    from click import exceptions as click_errors  # type: ignore[no-redef]  # (idem)

HELP_WORDS = (  # (English as click/typer write it, Swedish), applied to the finished help text
    ("Usage: ", "Användning: "),
    ("\nOptions:\n", "\nFlaggor:\n"),
    ("\nArguments:\n", "\nArgument:\n"),
    ("\nCommands:\n", "\nKommandon:\n"),
    ("Show this message and exit.", "Visa den här hjälpen och avsluta."),
    ("[OPTIONS]", "[FLAGGOR]"),
    ("COMMAND [ARGS]...", "KOMMANDO [ARGUMENT]..."),
)
_GETTEXT = {
    "default: {default}": "standard: {default}",
    "required": "krävs",
    "env var: {var}": "miljövariabel: {var}",
    "(dynamic)": "(dynamiskt)",
    "Aborted!": "Avbrutet.",
}
DEBUG_FLAG = "--debug"


def swedish_help(text: str) -> str:
    for english, swedish in HELP_WORDS:
        text = text.replace(english, swedish)
    return re.sub(r"\[default: ", "[standard: ", text)


def install() -> None:
    """typer's own gettext words ([default: …], [required]) in Swedish (idempotent)."""
    typer_core._ = lambda message: _GETTEXT.get(message, message)


class SwedishContext(click.Context):
    def get_help(self) -> str:
        return swedish_help(super().get_help())


def _option_name(param: Any, hint: Any = None) -> str:
    opts = getattr(param, "opts", None)
    if opts:
        longest = max(opts, key=len)
        return longest if longest.startswith("-") else longest.upper()
    if isinstance(hint, (list, tuple)) and hint:
        return str(hint[0])
    return str(hint or "värdet")


def _annotation(param: Any) -> Any:
    descriptor = getattr(param, "type_descriptor", None)
    return getattr(descriptor, "annotation", None)


def usage_message(exc: Exception) -> str:
    """One Swedish line for a click usage error (names the problem and the fix)."""
    ctx = getattr(exc, "ctx", None)
    fix = f"se {ctx.command_path if ctx is not None else 'stamning'} --help"
    message = getattr(exc, "message", str(exc))
    param = getattr(exc, "param", None)
    if isinstance(exc, click_errors.MissingParameter):
        what = "argument" if getattr(param, "param_type_name", "") == "argument" else "flagga"
        return f"{_option_name(param, exc.param_hint)} saknas ({what} som krävs); {fix}"
    if isinstance(exc, click_errors.BadParameter):
        return _bad_value(param, exc.param_hint, message, fix)
    if isinstance(exc, click_errors.NoSuchOption):
        near = f" (menade du {', '.join(sorted(exc.possibilities))}?)" if exc.possibilities else ""
        return f"okänd flagga {exc.option_name}{near}; {fix}"
    if isinstance(exc, click_errors.BadOptionUsage):
        return f"{exc.option_name} används fel (behöver den ett värde?); {fix}"
    if message.startswith("No such command"):
        return f"okänt kommando {message.split(' ', 3)[-1].rstrip('.')}; se stamning --help"
    if message.startswith("Got unexpected extra argument"):
        return (
            f"för många argument ({message.split('(', 1)[-1].rstrip(')')}); "
            f"sätt citattecken runt sökvägar med mellanslag; {fix}"
        )
    if message.startswith("Missing command"):
        return "inget kommando angivet; se stamning --help"
    return f"felaktig kommandorad; {fix}"


def _bad_value(param: Any, hint: Any, message: str, fix: str) -> str:
    name = _option_name(param, hint)
    if message.startswith(name):  # our own validation message: already Swedish and names the option
        return message
    kind = _annotation(param)
    given = re.match(r"[^']*'([^']*)'", message)
    value = f" {given.group(1)}" if given else ""
    if isinstance(kind, type) and issubclass(kind, Enum):
        return f"{name}{value}: okänt värde; tillåtna värden: {', '.join(str(m.value) for m in kind)}"
    choices = getattr(getattr(param, "type", None), "choices", None)  # typer on plain click: a click.Choice
    if choices:
        return f"{name}{value}: okänt värde; tillåtna värden: {', '.join(str(getattr(c, 'value', c)) for c in choices)}"
    low, high = getattr(param, "min", None), getattr(param, "max", None)
    if kind in (int, float) and ("greater" in message or "less" in message):
        bounds = (
            f"{low}–{high}"
            if low is not None and high is not None
            else (f"minst {low}" if low is not None else f"högst {high}")
        )
        return f"{name}: värdet ligger utanför {bounds}; {fix}"
    if kind is int:
        return f"{name}: måste vara ett heltal; {fix}"
    if kind is float:
        return f"{name}: måste vara ett tal (decimalpunkt, t.ex. 0.5); {fix}"
    return f"{name}: ogiltigt värde; {fix}"


def lift_debug(args: Sequence[str]) -> tuple[list[str], bool]:
    """``--debug`` anywhere (before ``--``) moves in front of the subcommand."""
    args = list(args)
    end = args.index("--") if "--" in args else len(args)
    found = DEBUG_FLAG in args[:end]
    rest = [a for i, a in enumerate(args) if not (i < end and a == DEBUG_FLAG)]
    return ([DEBUG_FLAG] + rest if found else rest), found


class SwedishGroup(TyperGroup):
    """typer's group, with Swedish help words, Swedish one-line usage errors and ``--debug`` anywhere."""

    context_class = SwedishContext

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        install()
        for command in self.commands.values():
            command.context_class = SwedishContext
        args, _ = lift_debug(sys.argv[1:] if args is None else args)
        if not standalone_mode:
            return super().main(
                args, prog_name, complete_var, standalone_mode=False, windows_expand_args=windows_expand_args, **extra
            )
        try:
            code = super().main(
                args,
                prog_name or "stamning",
                complete_var,
                standalone_mode=False,
                windows_expand_args=windows_expand_args,
                **extra,
            )
        except click_errors.NoArgsIsHelpError as exc:
            click.echo(swedish_help(exc.message))
            sys.exit(exc.exit_code)
        except click_errors.UsageError as exc:
            click.echo(f"Fel: {usage_message(exc)}", err=True)
            sys.exit(2)
        except click_errors.ClickException as exc:
            click.echo(f"Fel: {exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except typer.Abort:
            click.echo("Fel: avbrutet", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)
