"""Round summaries that weigh a single very negative remark against the broader picture.

``summarize(df)`` takes the classifier's output table (columns ``id``, optional ``text``,
``round``, ``group``, ``index`` plus the contract columns of :mod:`stamning.records`) and
returns a :class:`Summary`; ``Summary.to_dict()`` gives this JSON schema (version 1)::

    {"schema_version": 1, "generated_by": "stamning",
     "settings": {"by", "min_group", "min_quote_group", "confidence_threshold", "index_bands",
                  "taxonomy", "seed", "redacted", "net_score_definition", "outlier_rule", "attention_rule"},
     "rounds": [ROUND, ...],
     "comparisons": [CHANGE, ...]}            # only when comparisons were asked for

    ROUND = GROUP + {"groups": [GROUP, ...]}  # groups only when `by` includes "group"
    GROUP = {
      "round": str, "group": str | null,      # group is null on the round level
      "suppressed": bool, "suppressed_reason": str | null,
      # every figure below is null (lists empty) when suppressed
      "n", "n_classified", "n_skipped", "n_uncertain", "n_mixed": int,
      "distribution": {level: {"count": int, "share": float | null}},   # five levels, shares of classified
      "share_positive", "share_negative": {"value", "low", "high": 0..1, "method": "wilson"},
      "net_score": {"value", "low", "high": -100..100, "method": "bootstrap_bca" | "wilson_fallback"},
      "median_score", "trimmed_mean_score": float (-2..2; trimmed 10 % at each end),
      "quotes_shown": bool,                   # False: every "text" is "(citat dolt: för få svarande)"
      "outliers": [{"id", "sentiment", "themes": [key], "text", "confidence", "uncertain": bool,
                    "net_score_with", "net_score_without", "sentence"}],
      "attention": [{"id", "group": str | null, "sentiment", "themes": [key], "reason", "text"}],
      "themes": [{"key", "name", "sensitive", "count", "share", "mean_score": {"value", "low", "high", "method": "t"},
                  "impact", "typical_positive": QUOTE | null, "typical_negative": QUOTE | null}],
      "index": null | {"n", "mean": {"value", "low", "high", "method": "t"},
                       "bands": [{"label", "low", "high", "count", "share"}]},
      "paragraph": str}
    QUOTE = {"id", "sentiment", "confidence", "text"}
    CHANGE = see stamning.compare (before/after, share_positive, share_negative, net_score, themes, sentences)

Definitions. Shares and the net score use the classified comments (``status == "ok"``).
Net score = 100 × (share positive − share negative), neutrals in the denominator; its 95 %
interval is a seeded bootstrap. An *outlier* is a ``mycket_negativ`` comment when at least
2/3 of the classified comments are positive (mirrored: ``mycket_positiv`` against a 2/3
negative majority). An *attention* item is any comment with a sensitive theme, or a
``mycket_negativ`` comment about ``bemotande`` or ``krankning``; it is listed whatever the
majority says. Themes are sorted by impact = |theme mean score − mean score| × count.

Confidentiality (on by default): a round or group with fewer than ``min_group`` rows shows no
figures; when a round's groups hide fewer than two groups or fewer than ``min_group`` rows in
all, the next-smallest groups are hidden too (complementary suppression). Attention items
name only visible groups. Texts are shown only for ≥ ``min_quote_group`` rows and always pass
through ``redactor``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from . import stats
from .errors import ConfigError
from .records import SENTIMENT_LEVELS
from .summary_input import ALL_ROUNDS, NEGATIVE, POSITIVE, group_order, prepare, round_order
from .summary_text import (HIDDEN_QUOTE, LEVEL_NAMES, LEVEL_PLURAL, NET_DEFINITION, count_noun, dec, interval_text,
                           pct, round_half, signed, theme_list)
from .summary_types import (AttentionItem, Comparison, GroupSummary, IndexBand, IndexSummary, Outlier, Quote,
                            RoundChange, RoundSummary, Summary, ThemeSummary)
from .taxonomy import Taxonomy, load_taxonomy

__all__ = ["summarize", "compare", "Summary", "RoundSummary", "GroupSummary", "Comparison", "RoundChange",
           "DEFAULT_INDEX_BANDS", "HIDDEN_QUOTE"]

DEFAULT_INDEX_BANDS: tuple[tuple[float, str], ...] = ((0, "under godkänt"), (60, "godkänt"), (70, "bra"), (80, "utmärkt"))
ATTENTION_IF_VERY_NEGATIVE = ("bemotande", "krankning")
OUTLIER_RULE = ("mycket_negativ when ≥ 2/3 of classified comments are positive; "
                "mycket_positiv when ≥ 2/3 are negative")
ATTENTION_RULE = "sensitive theme, or mycket_negativ with theme bemotande or krankning"


@dataclass(frozen=True)
class _Ctx:
    taxonomy: Taxonomy
    min_group: int
    min_quote_group: int
    bands: tuple[tuple[float, str], ...]
    threshold: float
    redactor: Callable[[str], str]
    seed: int
    grouped: bool


def _identity(text: str) -> str:
    return text


def parse_bands(index_bands: Mapping[str, float] | Sequence[tuple[float, str]] | None) -> tuple[tuple[float, str], ...]:
    """Bands as (lower bound, label), sorted. Accepts ``{label: lower}`` or ``[(lower, label), ...]``."""
    if index_bands is None:
        return DEFAULT_INDEX_BANDS
    try:
        items = ([(float(lo), str(lab)) for lab, lo in index_bands.items()] if isinstance(index_bands, Mapping)
                 else [(float(lo), str(lab)) for lo, lab in index_bands])
    except (TypeError, ValueError):
        raise ConfigError("index_bands must be {label: lower bound} or [(lower bound, label), ...], "
                          "e.g. {'godkänt': 60, 'bra': 70}") from None
    if not items or len({lo for lo, _ in items}) != len(items):
        raise ConfigError("index_bands needs at least one band and distinct lower bounds")
    return tuple(sorted(items))


def _quote(ctx: _Ctx, text: str, allowed: bool) -> str:
    if not allowed:
        return HIDDEN_QUOTE
    out = ctx.redactor(text)
    if not isinstance(out, str):
        raise ConfigError(f"redactor must return a string, got {type(out).__name__}")
    return out


def _names(ctx: _Ctx, keys: Iterable[str]) -> list[str]:
    return [ctx.taxonomy.name(k) for k in keys]


def _outliers(ok: pd.DataFrame, codes: np.ndarray, ctx: _Ctx, quotes: bool) -> list[Outlier]:
    n = len(ok)
    pos, neg = int((codes > 0).sum()), int((codes < 0).sum())
    if n < 3:
        return []
    if 3 * pos >= 2 * n:
        target, majority, word = "mycket_negativ", pos, LEVEL_PLURAL["positiv"]
    elif 3 * neg >= 2 * n:
        target, majority, word = "mycket_positiv", neg, LEVEL_PLURAL["negativ"]
    else:
        return []
    with_ = stats.net_score(codes)
    out = []
    for i, row in enumerate(ok.itertuples(index=False)):
        if row.sentiment != target:
            continue
        without = stats.net_score(np.delete(codes, i))
        names = theme_list(_names(ctx, row.themes))
        about = f" ({names})" if names else ""
        rest = f"Övriga {n - 1} är {word}" if majority == n - 1 else f"Av övriga {n - 1} är {majority} {word}"
        sentence = (f"1 av {n} kommentarer är {LEVEL_NAMES[target]}{about}. {rest}; "
                    f"nettot är {signed(with_)} med den och {signed(without)} utan.")
        conf = None if np.isnan(row.confidence) else float(row.confidence)
        out.append(Outlier(row.id, row.sentiment, list(row.themes), _quote(ctx, row.text, quotes), conf,
                           conf is not None and conf < ctx.threshold, with_, without, sentence))
    return out


def _attention(rows: pd.DataFrame, ctx: _Ctx, quotes: bool, visible_groups: set[str]) -> list[AttentionItem]:
    sensitive = ctx.taxonomy.sensitive_keys
    out = []
    for row in rows[rows["ok"]].itertuples(index=False):
        sens = [k for k in row.themes if k in sensitive]
        reasons = [f"känsligt tema: {theme_list(_names(ctx, sens))}"] if sens else []
        if row.sentiment == "mycket_negativ":
            hit = [k for k in row.themes if k in ATTENTION_IF_VERY_NEGATIVE and k not in sens]
            if hit:
                reasons.append(f"mycket negativ om {theme_list(_names(ctx, hit))}")
        if reasons:
            group = row.group if ctx.grouped and row.group in visible_groups else None
            out.append(AttentionItem(row.id, group, row.sentiment, list(row.themes), "; ".join(reasons),
                                     _quote(ctx, row.text, quotes)))
    return out


def _typical(sub: pd.DataFrame, levels: tuple[str, ...], ctx: _Ctx, quotes: bool) -> Quote | None:
    cand = sub[sub["sentiment"].isin(levels)]
    if cand.empty:
        return None
    best = cand.assign(_c=cand["confidence"].fillna(-1.0)).sort_values(["_c", "id"], ascending=[False, True]).iloc[0]
    conf = None if np.isnan(best["confidence"]) else float(best["confidence"])
    return Quote(best["id"], best["sentiment"], conf, _quote(ctx, best["text"], quotes))


def _themes(ok: pd.DataFrame, ctx: _Ctx, quotes: bool) -> list[ThemeSummary]:
    if ok.empty:
        return []
    overall = float(ok["score"].mean())
    keys = list(dict.fromkeys(k for ts in ok["themes"] for k in ts))
    order = {k: i for i, k in enumerate(ctx.taxonomy.keys)}
    keys.sort(key=lambda k: (order.get(k, len(order)), k))
    out = []
    for key in keys:
        sub = ok[[key in ts for ts in ok["themes"]]]
        mean = stats.mean_t_interval(sub["score"].to_numpy())
        out.append(ThemeSummary(
            key, ctx.taxonomy.name(key), key in ctx.taxonomy.sensitive_keys, len(sub), len(sub) / len(ok), mean,
            abs(mean.value - overall) * len(sub),
            _typical(sub, POSITIVE, ctx, quotes), _typical(sub, NEGATIVE, ctx, quotes),
        ))
    out.sort(key=lambda t: (-round(t.impact, 9), -t.count, t.key))
    return out


def _index(rows: pd.DataFrame, ctx: _Ctx) -> IndexSummary | None:
    vals = rows["index"].to_numpy(dtype=float)
    vals = vals[~np.isnan(vals)]
    if vals.size == 0:
        return None
    bands = []
    for i, (low, label) in enumerate(ctx.bands):
        high = ctx.bands[i + 1][0] if i + 1 < len(ctx.bands) else None
        mask = np.ones(vals.size, bool) if i == 0 else vals >= low
        if high is not None:
            mask &= vals < high
        bands.append(IndexBand(label, low, high, int(mask.sum()), float(mask.sum() / vals.size)))
    return IndexSummary(int(vals.size), stats.mean_t_interval(vals), bands)


def _picture(pos: int, neg: int, neu: int, n: int, net: float) -> str:
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


def _paragraph(s: GroupSummary, title: str, ctx: _Ctx) -> str:
    if s.suppressed:
        text = f"{title}: resultat redovisas inte ({s.suppressed_reason})."
        if s.attention:
            text += (f" {count_noun(len(s.attention))} rör känsliga teman eller mycket negativt bemötande "
                     "och listas ändå för uppföljning.")
        return text
    n, k = s.n, s.n_classified
    parts = [f"{title}: {count_noun(n)}" + (f", varav {k} klassade" if k != n else "") + "."]
    if k == 0:
        parts.append("Inga kommentarer kunde klassas, så ingen helhetsbild kan ges.")
        return " ".join(parts)
    d = {lvl: s.distribution[lvl]["count"] for lvl in SENTIMENT_LEVELS}
    pos, neg = d["positiv"] + d["mycket_positiv"], d["negativ"] + d["mycket_negativ"]
    net = s.net_score
    parts.append(
        f"Bilden är {_picture(pos, neg, d['neutral'], k, net.value)}: {pct(s.share_positive.value)} är positiva och "
        f"{pct(s.share_negative.value)} negativa. Nettot är {signed(net.value)} (95 % intervall "
        f"{interval_text(net.low, net.high)}); det är andelen positiva minus andelen negativa, "
        "och neutrala räknas med i nämnaren."
    )
    if len(s.outliers) == 1:
        parts.append(f"En kommentar går tydligt emot helheten: {s.outliers[0].sentence} "
                     "Den redovisas separat i stället för att få styra bilden, men bör läsas.")
    elif s.outliers:
        parts.append(f"{len(s.outliers)} kommentarer går tydligt emot helheten; de redovisas separat "
                     "i stället för att få styra bilden, men bör läsas.")
    if s.attention:
        parts.append(f"{count_noun(len(s.attention))} rör känsliga teman eller mycket negativt bemötande "
                     "och listas för uppföljning oavsett helhetsbilden.")
    width = None if net.low is None or net.high is None else net.high - net.low
    if width is None:
        parts.append(f"Underlaget är för litet ({k} klassade) för ett intervall – tolka siffrorna mycket försiktigt.")
    elif k < 30 or width > 50:
        parts.append(f"Underlaget är litet ({k} klassade), så intervallet för nettot är brett ({round_half(width)} "
                     "procentenheter) – tolka siffrorna försiktigt.")
    else:
        parts.append(f"Med {k} klassade kommentarer är intervallet för nettot {round_half(width)} procentenheter brett.")
    if s.n_uncertain:
        parts.append(f"{count_noun(s.n_uncertain)} klassades med låg säkerhet (under {dec(ctx.threshold)}).")
    if s.n_mixed:
        parts.append(f"{count_noun(s.n_mixed)} innehåller både beröm och kritik.")
    return " ".join(parts)


def _figures(rows: pd.DataFrame, ctx: _Ctx, round_: str, group: str | None, visible: set[str],
             cls: type[GroupSummary] = GroupSummary) -> GroupSummary:
    ok = rows[rows["ok"]]
    quotes = len(rows) >= ctx.min_quote_group
    codes = stats.polarity_codes(ok["sentiment"].tolist())
    k = len(ok)
    counts = {lvl: int((ok["sentiment"] == lvl).sum()) for lvl in SENTIMENT_LEVELS}
    return cls(
        round=round_, group=group, n=len(rows), n_classified=k, n_skipped=len(rows) - k,
        n_uncertain=int((ok["confidence"] < ctx.threshold).sum()), n_mixed=int(ok["mixed"].sum()),
        distribution={lvl: {"count": c, "share": (c / k if k else None)} for lvl, c in counts.items()},
        share_positive=stats.wilson(int((codes > 0).sum()), k), share_negative=stats.wilson(int((codes < 0).sum()), k),
        net_score=stats.net_score_interval(codes, ctx.seed),
        median_score=stats.median(ok["score"]), trimmed_mean_score=stats.trimmed_mean(ok["score"]),
        quotes_shown=quotes, outliers=_outliers(ok, codes, ctx, quotes),
        attention=_attention(rows, ctx, quotes, visible), themes=_themes(ok, ctx, quotes), index=_index(rows, ctx),
    )


def hidden_groups(sizes: Mapping[str, int], min_group: int) -> dict[str, str]:
    """Groups to hide, with the reason. Small groups first; then, complementary suppression:
    while one group, or fewer than ``min_group`` rows in all, would be hidden, hide the
    next-smallest visible group too, so no hidden figure follows from the round total."""
    hidden = {g: f"färre än {min_group} svarande" for g, n in sizes.items() if n < min_group}
    visible = sorted((n, g) for g, n in sizes.items() if g not in hidden)
    while hidden and visible and (len(hidden) == 1 or sum(sizes[g] for g in hidden) < min_group):
        _, g = visible.pop(0)
        hidden[g] = ("komplementär undertryckning, annars kan en mindre grupp räknas fram "
                     "ur omgångens totalsiffror")
    return hidden


def _title(round_: str, group: str | None = None) -> str:
    base = "Alla svar" if round_ == ALL_ROUNDS else f"Omgång {round_}"
    return base if group is None else f"{group} ({base.lower()})"


def summarize(df: pd.DataFrame, *, by: Sequence[str] = ("round",), taxonomy: Taxonomy | None = None,
              min_group: int = 5, min_quote_group: int = 10,
              index_bands: Mapping[str, float] | Sequence[tuple[float, str]] | None = None,
              confidence_threshold: float = 0.5, redactor: Callable[[str], str] | None = None,
              seed: int = stats.DEFAULT_SEED, include_comparison: bool = False) -> Summary:
    """Summarise classified comments per round (and per group when ``by`` includes ``"group"``).

    ``redactor`` is applied to every quoted text (default: identity; pass
    ``stamning.redact`` for names, phone numbers and e-mail addresses). With
    ``include_comparison`` the result also holds :func:`compare` of consecutive rounds.
    """
    by = (by,) if isinstance(by, str) else tuple(by)
    unknown = [b for b in by if b not in ("round", "group")]
    if unknown:
        raise ConfigError(f"by={unknown!r} is not supported; use 'round' and/or 'group'")
    if min_group < 0 or min_quote_group < 0:
        raise ConfigError("min_group and min_quote_group must be 0 or more")
    if not 0.0 <= confidence_threshold <= 1.0:
        raise ConfigError(f"confidence_threshold must be within 0..1, got {confidence_threshold}")
    if redactor is not None and not callable(redactor):
        raise ConfigError("redactor must be a callable taking and returning a string")
    grouped = "group" in by
    data = prepare(df, need_group=grouped)
    if "round" not in by:
        data["round"] = ALL_ROUNDS
    ctx = _Ctx(taxonomy or load_taxonomy(), int(min_group), int(min_quote_group), parse_bands(index_bands),
               float(confidence_threshold), redactor or _identity, int(seed), grouped)
    rounds = []
    for r in (round_order(df, data) if "round" in by else [ALL_ROUNDS]):
        rows = data[data["round"] == r]
        sizes = {g: int((rows["group"] == g).sum()) for g in group_order(rows["group"])} if grouped else {}
        hidden = hidden_groups(sizes, ctx.min_group) if grouped else {}
        visible = {g for g in sizes if g not in hidden}
        if len(rows) < ctx.min_group:
            rs = RoundSummary(round=r, suppressed=True, suppressed_reason=f"färre än {ctx.min_group} svarande",
                              attention=_attention(rows, ctx, False, set()))
        else:
            rs = _figures(rows, ctx, r, None, visible, RoundSummary)
            for g in sizes:
                if g in hidden:
                    gs = GroupSummary(round=r, group=g, suppressed=True, suppressed_reason=hidden[g])
                else:
                    gs = _figures(rows[rows["group"] == g], ctx, r, g, visible)
                gs.paragraph = _paragraph(gs, _title(r, g), ctx)
                rs.groups.append(gs)
        rs.paragraph = _paragraph(rs, _title(r), ctx)
        rounds.append(rs)
    settings = {
        "by": list(by), "min_group": ctx.min_group, "min_quote_group": ctx.min_quote_group,
        "confidence_threshold": ctx.threshold, "index_bands": [[lo, lab] for lo, lab in ctx.bands],
        "taxonomy": ctx.taxonomy.source, "seed": ctx.seed, "redacted": redactor is not None,
        "net_score_definition": NET_DEFINITION, "outlier_rule": OUTLIER_RULE, "attention_rule": ATTENTION_RULE,
    }
    summary = Summary(settings, rounds)
    if include_comparison and len(rounds) >= 2:  # a single round has nothing to compare with
        summary.comparisons = compare(df, taxonomy=ctx.taxonomy, min_group=ctx.min_group, seed=ctx.seed).changes
    return summary


def compare(df: pd.DataFrame, rounds: Sequence[str] | None = None, **kwargs) -> Comparison:
    """Changes between consecutive rounds; see :func:`stamning.compare.compare`."""
    from .compare import compare as _compare

    return _compare(df, rounds, **kwargs)
