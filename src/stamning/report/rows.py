"""Rows and lines shared by the report renderers (Markdown, HTML, terminal): Swedish labels and figures."""

from __future__ import annotations

from stamning.summary.prepare import ALL_ROUNDS
from stamning.summary.types import GroupSummary, Summary
from stamning.summary.wording import DASH, cite, dec, interval_text, pct, signed

TITLE = "Sammanfattning av fritextsvar"


def share_text(iv) -> str:
    return DASH if iv is None or iv.value is None else f"{pct(iv.value)} ({interval_text(iv.low, iv.high, pct)})"


def net_text(iv) -> str:
    return DASH if iv is None or iv.value is None else f"{signed(iv.value)} ({interval_text(iv.low, iv.high)})"


TOO_FEW_FOR_INTERVAL = "för få kommentarer för ett intervall"


def mean_text(iv, digits: int = 2) -> str:
    """A mean with its interval; a mean without one (too few values) says so."""
    if iv is None or iv.value is None:
        return DASH
    fmt = lambda v: dec(v, digits)  # noqa: E731
    if iv.low is None or iv.high is None:
        return f"{fmt(iv.value)} ({TOO_FEW_FOR_INTERVAL})"
    return f"{fmt(iv.value)} ({interval_text(iv.low, iv.high, fmt)})"


def key_figures(s: GroupSummary) -> list[tuple[str, str]]:
    """(label, value) rows of a visible round or group, in Swedish."""
    rows = [
        ("Kommentarer", str(s.n)),
        ("Klassade", str(s.n_classified)),
        ("Ej klassade", str(s.n_skipped)),
        ("Andel positiva (95 % intervall)", share_text(s.share_positive)),
        ("Andel negativa (95 % intervall)", share_text(s.share_negative)),
        ("Nettot (95 % intervall)", net_text(s.net_score)),
        ("Median, skala −2 till +2", dec(s.median_score)),
        ("Trimmat medelvärde (10 %)", dec(s.trimmed_mean_score)),
        ("Osäkra klassningar", str(s.n_uncertain)),
        ("Blandade (beröm och kritik)", str(s.n_mixed)),
    ]
    if s.index is not None:
        rows.append((f"Index, medel (n = {s.index.n})", mean_text(s.index.mean, 1)))
    return rows


def group_row(g: GroupSummary) -> list[str]:
    if g.suppressed:
        return [g.group or g.round, DASH, DASH, DASH, DASH, f"dold: {g.suppressed_reason}"]
    return [
        g.group or g.round,
        str(g.n),
        share_text(g.share_positive),
        share_text(g.share_negative),
        net_text(g.net_score),
        "",
    ]


GROUP_HEAD = ["Grupp", "n", "Positiva", "Negativa", "Nettot", "Anmärkning"]
THEME_HEAD = ["Tema", "Antal", "Andel", "Medelvärde (95 % intervall)", "Typiskt positivt", "Typiskt negativt"]
ATTENTION_HEAD = ["Id", "Grupp", "Teman", "Skäl", "Citat"]


def example_text(q) -> str:
    return DASH if q is None else cite(q.text, q.ref)


def theme_row(t) -> list[str]:
    return [
        t.name + (" (känsligt)" if t.sensitive else ""),
        str(t.count),
        pct(t.share),
        mean_text(t.mean_score),
        example_text(t.typical_positive),
        example_text(t.typical_negative),
    ]


def attention_row(a, theme_name) -> list[str]:
    return [a.id, a.group or DASH, ", ".join(theme_name(k) for k in a.themes), a.reason, cite(a.text, a.ref)]


def attention_line(a) -> str:
    where = f", {a.group}" if a.group else ""
    return f"Id {a.id}{where} – {a.reason}: {cite(a.text, a.ref)}"


def outlier_line(o) -> str:
    """One outlier under the group's joint statement (:attr:`GroupSummary.outlier_sentence`)."""
    flag = " (osäker klassning)" if o.uncertain else ""
    return f"Id {o.id}{flag}: {cite(o.text, o.ref)}"


def title_of(s: GroupSummary) -> str:
    if s.group is not None:
        return s.group
    return "Alla svar" if s.round == ALL_ROUNDS else f"Omgång {s.round}"


def theme_names(summary: Summary) -> dict[str, str]:
    names: dict[str, str] = {}
    for r in summary.rounds:
        for s in [r, *r.groups]:
            names.update({t.key: t.name for t in s.themes})
    return names
