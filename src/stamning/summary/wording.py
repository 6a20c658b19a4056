"""Swedish number formatting and wording shared by summaries, comparisons and reports."""

from __future__ import annotations

import math

from stamning.records import SENTIMENT_NAMES_SV

HIDDEN_QUOTE = "(citat dolt: för få svarande)"
NET_DEFINITION = (
    "Nettot = andelen positiva minus andelen negativa, i procentenheter (−100 till +100); "
    "neutrala kommentarer räknas med i nämnaren."
)
NO_CHANGE = "ingen säkerställd förändring"
DASH = "–"

LEVEL_NAMES = SENTIMENT_NAMES_SV
LEVEL_PLURAL = {
    "mycket_negativ": "mycket negativa",
    "negativ": "negativa",
    "neutral": "neutrala",
    "positiv": "positiva",
    "mycket_positiv": "mycket positiva",
}


def round_half(x: float) -> int:
    """Round half away from zero (85.5 -> 86, -0.5 -> -1), unlike Python's banker's rounding."""
    return int(math.copysign(math.floor(abs(x) + 0.5), x))


def signed(x: float | None) -> str:
    """An integer with its sign always shown: ``+86``, ``-12`` (zero, which has no sign: ``0``)."""
    if x is None:
        return DASH
    r = round_half(x)
    return "0" if r == 0 else f"{r:+d}"


def pct(share: float | None) -> str:
    """A share 0..1 as a Swedish whole percentage: ``43 %``."""
    return DASH if share is None else f"{round_half(100 * share)} %"


def dec(x: float | None, digits: int = 2) -> str:
    """A decimal number with a decimal comma: ``0,75``."""
    if x is None:
        return DASH
    return f"{round(x, digits) + 0.0:.{digits}f}".replace(".", ",")  # + 0.0: no "-0,00"


def pval(p: float | None) -> str:
    if p is None:
        return "p saknas"
    return "p < 0,001" if p < 0.001 else f"p = {dec(p, 3)}"


def count_noun(n: int, singular: str = "kommentar", plural: str = "kommentarer") -> str:
    return f"{n} {singular if n == 1 else plural}"


def theme_list(names: list[str]) -> str:
    """Theme display names, lower-case, comma-separated (names may contain 'och')."""
    return ", ".join(n.lower() for n in names)


def interval_text(low: float | None, high: float | None, fmt=signed) -> str:
    if low is None or high is None:
        return "intervall saknas"
    return f"{fmt(low)} till {fmt(high)}"


def cite(text: str | None, ref: int | None) -> str:
    """A quoting place: the quote with its number where it is first quoted, a reference elsewhere."""
    if ref is None:
        return text or DASH  # a hidden quote's placeholder
    if text is None:
        return f"se kommentar {ref}"
    return f"kommentar {ref}: ”{text}”"


def source_line(settings: dict) -> str:
    """Where the figures come from: file, rows, date, model and version; the classification is automatic."""
    src = settings.get("source") or {}
    parts = [src["file"]] if src.get("file") else []
    parts += [
        count_noun(int(src.get("rows", 0)), "rad", "rader"),
        f"sammanfattad {src.get('date', DASH)}",
        f"stamning {src.get('stamning_version', DASH)}",
    ]
    model = src.get("model") or "okänd (filen var redan klassad)"
    return (
        f"Källa: {', '.join(parts)}; modell: {model}. Sentiment och teman är klassade automatiskt av en "
        "språkmodell, inte av en människa, och kan vara fel för enskilda kommentarer."
    )
