"""The Swedish paragraph that opens each summary: what the figures say, and how far they can be trusted."""

from __future__ import annotations

from stamning.records import SENTIMENT_LEVELS
from stamning.summary.quotes import Ctx
from stamning.summary.types import GroupSummary
from stamning.summary.wording import count_noun, dec, interval_text, pct, round_half, signed


def picture(pos: int, neg: int, neu: int, n: int, net: float) -> str:
    """The overall picture in words, from the polarity counts and the net score."""
    if 3 * pos >= 2 * n:
        return "tydligt positiv"
    if 3 * neg >= 2 * n:
        return "tydligt negativ"
    if 2 * neu > n:
        return "mest neutral"
    if net >= 20:
        return "övervägande positiv"
    if net <= -20:
        return "övervägande negativ"
    return "blandad"


def paragraph(s: GroupSummary, title: str, ctx: Ctx) -> str:
    """The paragraph that opens a round's or a group's summary: size, picture, net score, outliers, attention,
    how far the figures can be trusted."""
    if s.suppressed:
        text = f"{title}: resultat redovisas inte ({s.suppressed_reason})."
        if s.attention:
            text += (
                f" {count_noun(len(s.attention))} rör känsliga teman eller mycket negativt bemötande "
                "och listas ändå för uppföljning."
            )
        return text
    dist, net = s.shown_distribution, s.shown_net
    n, k, share_pos, share_neg = s.n, s.n_classified, s.share_positive, s.share_negative
    assert n is not None and k is not None  # a summary that is shown carries its figures
    assert share_pos is not None and share_neg is not None
    parts = [f"{title}: {count_noun(n)}" + (f", varav {k} klassade" if k != n else "") + "."]
    if k == 0:
        parts.append("Inga kommentarer kunde klassas, så ingen helhetsbild kan ges.")
        return " ".join(parts)
    assert net.value is not None  # k > 0
    d = {lvl: int(dist[lvl]["count"]) for lvl in SENTIMENT_LEVELS}
    pos, neg = d["positiv"] + d["mycket_positiv"], d["negativ"] + d["mycket_negativ"]
    parts.append(
        f"Bilden är {picture(pos, neg, d['neutral'], k, net.value)}: {pct(share_pos.value)} är positiva och "
        f"{pct(share_neg.value)} negativa. Nettot är {signed(net.value)} (95 % intervall "
        f"{interval_text(net.low, net.high)}); det är andelen positiva minus andelen negativa, "
        "och neutrala räknas med i nämnaren."
    )
    if len(s.outliers) == 1:
        parts.append(
            f"En kommentar går tydligt emot helheten: {s.outlier_sentence} "
            "Den redovisas separat i stället för att få styra bilden, men bör läsas."
        )
    elif s.outliers:
        parts.append(
            f"Några kommentarer går tydligt emot helheten: {s.outlier_sentence} "
            "De redovisas separat i stället för att få styra bilden, men bör läsas."
        )
    if s.attention:
        parts.append(
            f"{count_noun(len(s.attention))} rör känsliga teman eller mycket negativt bemötande "
            "och listas för uppföljning oavsett helhetsbilden."
        )
    width = None if net.low is None or net.high is None else net.high - net.low
    if width is None:
        parts.append(f"Underlaget är för litet ({k} klassade) för ett intervall – tolka siffrorna mycket försiktigt.")
    elif k < 30 or width > 50:
        parts.append(
            f"Underlaget är litet ({k} klassade), så intervallet för nettot är brett ({round_half(width)} "
            "procentenheter) – tolka siffrorna försiktigt."
        )
    else:
        parts.append(
            f"Med {k} klassade kommentarer är intervallet för nettot {round_half(width)} procentenheter brett."
        )
    if s.n_uncertain:
        parts.append(f"{count_noun(s.n_uncertain)} klassades med låg säkerhet (under {dec(ctx.threshold)}).")
    if s.n_mixed:
        parts.append(f"{count_noun(s.n_mixed)} innehåller både beröm och kritik.")
    return " ".join(parts)
