"""``stamning themes init|check``: a commented template for the user's own themes, and a check of such a
file that names the line of every problem (tomllib gives the line of a syntax error; for the rest the
line of the ``[[theme]]`` table or of the field is found in the text)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from stamning.errors import ConfigError
from stamning.themes.taxonomy import Taxonomy, parse_taxonomy

TEMPLATE = """\
# Egna teman för stamning (stamning classify|summarize --themes den_här_filen.toml).
# Varje tema är en [[theme]]-tabell:
#   key        kort nyckel med små bokstäver a–z, siffror och _ (utan å/ä/ö); används i utfilernas kolumn themes
#   name       namnet som visas i rapporter (å/ä/ö går bra)
#   definition en mening om vad temat gäller; modellen matchar kommentarer mot den (zero-shot)
#   include    (valfritt) vad som räknas till temat
#   exclude    (valfritt) vad som inte gör det
#   examples   (valfritt) typiska formuleringar; de skärper matchningen
#   sensitive  (valfritt) true: kommentarer om temat listas alltid för uppföljning
# Med märkta exempel (--theme-examples exempel.csv, kolumnerna text och themes) blir teman säkrare;
# rapporten säger vilka teman som saknar exempel. Kontrollera filen med: stamning themes check fil.toml
schema_version = 1

[[theme]]
key = "lokaler"
name = "Lokaler"
definition = "Arbetsplatsens lokaler: utrymme, ventilation, buller, städning och utrustning."
examples = ["Lokalerna är trånga och bullriga.", "Ventilationen fungerar inte."]

[[theme]]
key = "lon"
name = "Lön"
definition = "Lön, löneutveckling och lönesättning."
examples = ["Lönen är för låg för ansvaret.", "Ingen löneutveckling på flera år."]
"""

_FIELDS = {
    "key": str,
    "name": str,
    "definition": str,
    "include": str,
    "exclude": str,
    "examples": list,
    "sensitive": bool,
}
_TOP = {"schema_version", "theme"}
_HEADER = re.compile(r"^\s*\[\[\s*theme\s*\]\]")
_TOML_LINE = re.compile(r"\(at line (\d+), column (\d+)\)")
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Problem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"rad {self.line}: {self.message}"


def _field_line(lines: list[str], start: int, end: int, name: str) -> int:
    pattern = re.compile(rf"^\s*{re.escape(name)}\s*=")
    return next((i + 1 for i in range(start, end) if pattern.match(lines[i])), start + 1)


def _theme_problems(item: dict, lines: list[str], start: int, end: int, seen: dict[str, int]) -> list[Problem]:
    out = []
    missing = [f for f in ("key", "name", "definition") if f not in item]
    if missing:
        out.append(Problem(start + 1, f'temat saknar {", ".join(missing)}; lägg till {" och ".join(missing)} = "…"'))
    for name, value in item.items():
        line = _field_line(lines, start, end, name)
        if name not in _FIELDS:
            out.append(Problem(line, f"okänt fält {name!r}; tillåtna fält: {', '.join(_FIELDS)}"))
        elif not isinstance(value, _FIELDS[name]):
            kind = {str: 'text inom ""', list: 'en lista med texter ["…", "…"]', bool: "true eller false"}[
                _FIELDS[name]
            ]
            out.append(Problem(line, f"{name} ska vara {kind}"))
        elif name == "examples" and not all(isinstance(v, str) and v.strip() for v in value):  # type: ignore[attr-defined]  # a list: checked above
            out.append(Problem(line, "examples ska bara innehålla icke-tomma texter"))
        elif isinstance(value, str) and name in ("key", "name", "definition") and not value.strip():
            out.append(Problem(line, f"{name} är tomt; skriv in det"))
        elif name == "key" and not _KEY.match(str(value)):
            out.append(
                Problem(
                    line,
                    f"nyckeln {value!r} är ogiltig: bara små bokstäver a–z, siffror och _ "
                    "(utan å/ä/ö), börjar med en bokstav, t.ex. 'lon'",
                )
            )
        elif name == "key" and value in seen:
            out.append(Problem(line, f"nyckeln {value!r} finns redan på rad {seen[value]}; nycklar måste vara unika"))
        if name == "key" and isinstance(value, str):
            seen.setdefault(value, line)
    return out


def check_text(text: str) -> list[Problem]:
    """Every problem in a theme file's text, in line order (empty: the file is fine)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        where = _TOML_LINE.search(str(err))
        detail = _TOML_LINE.sub("", str(err)).strip()
        return [Problem(int(where.group(1)) if where else 1, f"ogiltig TOML ({detail}); rätta raden")]
    lines = text.splitlines()
    problems = [
        Problem(
            _field_line(lines, 0, len(lines), k),
            f"okänt fält {k!r} överst i filen; tillåtna: schema_version och [[theme]]-tabeller",
        )
        for k in data
        if k not in _TOP
    ]
    themes = data.get("theme")
    if not isinstance(themes, list) or not themes:
        return problems + [Problem(1, "inga teman; lägg till minst en [[theme]]-tabell (se stamning themes init)")]
    starts = [i for i, line in enumerate(lines) if _HEADER.match(line)]
    bounds = list(zip(starts, starts[1:] + [len(lines)]))
    if len(bounds) != len(themes):  # themes not written as [[theme]] headers: search the whole file
        bounds = [(0, len(lines))] * len(themes)
    seen: dict[str, int] = {}
    for item, (start, end) in zip(themes, bounds):
        problems += _theme_problems(item, lines, start, end, seen)
    return sorted(problems, key=lambda p: p.line)


def check_file(path: str | Path) -> Taxonomy:
    """The taxonomy in ``path``; ConfigError listing every problem with its line when there are any."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"{p}: temafilen finns inte; skapa en med stamning themes init {p.name}")
    try:
        text = p.read_text("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{p.name}: filen är inte UTF-8; spara den som UTF-8") from None
    problems = check_text(text)
    if problems:
        raise ConfigError(f"{p.name}: {len(problems)} fel: " + "; ".join(str(x) for x in problems))
    return parse_taxonomy(tomllib.loads(text), str(p))


def write_template(path: str | Path, overwrite: bool = False) -> Path:
    p = Path(path)
    if p.exists() and not overwrite:
        raise ConfigError(f"{p}: filen finns redan; välj ett annat namn eller lägg till --force")
    if not p.parent.is_dir():
        raise ConfigError(f"{p}: mappen {p.parent} finns inte; skapa den först")
    p.write_text(TEMPLATE, "utf-8")
    return p
