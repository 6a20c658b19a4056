"""The theme taxonomy: keys, Swedish names, definitions, examples, sensitive flags."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from stamning.errors import ConfigError

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


def parse_themes(value: object) -> list[str]:
    """Theme keys from a table cell: ``a;b`` (or ``a,b``), a JSON list, a list or array; empty for a blank."""
    if value is None or (isinstance(value, float) and value != value):
        return []
    if isinstance(value, (list, tuple, np.ndarray)):
        return [str(v).strip() for v in value if str(v).strip()]
    text = str(value).strip()
    if text.startswith("["):
        return [str(v).strip() for v in json.loads(text)]
    return [t.strip() for t in text.replace(",", ";").split(";") if t.strip()]


@dataclass(frozen=True)
class Theme:
    key: str
    name: str
    definition: str
    include: str = ""
    exclude: str = ""
    examples: tuple[str, ...] = ()
    sensitive: bool = False

    def __post_init__(self) -> None:
        if not _KEY.match(self.key):
            raise ConfigError(
                f"temanyckeln {self.key!r} är ogiltig: använd små ASCII-bokstäver, siffror och '_' "
                "(t.ex. 'bemotande'); byt namn på den i temafilen"
            )
        if not self.name or not self.definition:
            raise ConfigError(
                f"temat {self.key!r} behöver både 'name' och 'definition'; lägg till det som saknas i temafilen"
            )

    def description(self) -> str:
        """A Swedish text describing the theme, used for zero-shot matching."""
        parts = [f"{self.name}: {self.definition}"]
        if self.include:
            parts.append(self.include)
        parts.extend(self.examples)
        return " ".join(parts)


@dataclass(frozen=True)
class Taxonomy:
    themes: tuple[Theme, ...]
    version: int = 1
    source: str = "default"
    by_key: dict[str, Theme] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.themes:
            raise ConfigError("temafilen behöver minst ett [[theme]]; lägg till ett tema")
        keys = [t.key for t in self.themes]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise ConfigError(
                f"temanycklarna måste vara unika; förekommer flera gånger: {', '.join(dupes)}; byt namn på dubbletterna"
            )
        object.__setattr__(self, "by_key", {t.key: t for t in self.themes})

    @property
    def keys(self) -> list[str]:
        return [t.key for t in self.themes]

    @property
    def sensitive_keys(self) -> set[str]:
        return {t.key for t in self.themes if t.sensitive}

    def name(self, key: str) -> str:
        theme = self.by_key.get(key)
        return theme.name if theme else key

    def to_dict(self) -> dict:
        return {
            "schema_version": self.version,
            "theme": [
                {
                    "key": t.key,
                    "name": t.name,
                    "definition": t.definition,
                    "include": t.include,
                    "exclude": t.exclude,
                    "examples": list(t.examples),
                    "sensitive": t.sensitive,
                }
                for t in self.themes
            ],
        }


def parse_taxonomy(data: dict, source: str) -> Taxonomy:
    raw = data.get("theme")
    if not isinstance(raw, list):
        raise ConfigError(
            f"{source}: väntade en lista med [[theme]]-tabeller men hittade ingen; lägg till minst ett [[theme]]"
        )
    themes = []
    for i, item in enumerate(raw, 1):
        missing = [k for k in ("key", "name", "definition") if k not in item]
        if missing:
            raise ConfigError(f"{source}: tema nr {i} saknar {', '.join(missing)}; lägg till det")
        themes.append(
            Theme(
                key=item["key"],
                name=item["name"],
                definition=item["definition"],
                include=item.get("include", ""),
                exclude=item.get("exclude", ""),
                examples=tuple(item.get("examples", ())),
                sensitive=bool(item.get("sensitive", False)),
            )
        )
    return Taxonomy(tuple(themes), version=int(data.get("schema_version", 1)), source=source)


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Load a taxonomy TOML file; without a path, the default shipped with stamning."""
    if path is None:
        text = resources.files("stamning").joinpath("resources/taxonomy.toml").read_text("utf-8")
        source = "default"
    else:
        p = Path(path)
        if not p.is_file():
            raise ConfigError(f"{p}: temafilen finns inte; ge sökvägen till en .toml-fil med [[theme]]-tabeller")
        text, source = p.read_text("utf-8"), str(p)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{source}: ogiltig TOML ({err}); rätta filen") from None
    return parse_taxonomy(data, source)
