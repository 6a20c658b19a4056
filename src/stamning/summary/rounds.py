"""Round summaries that weigh a single very negative remark against the broader picture.

``summarize(df)`` takes the classifier's output table (columns ``id``, optional ``text``,
``round``, ``group``, ``index`` plus the contract columns of :mod:`stamning.records`) and
returns a :class:`Summary`; ``Summary.to_dict()`` gives this JSON schema (version 2)::

    {"schema_version": 2, "generated_by": "stamning",
     "settings": {"by", "min_group", "min_quote_group", "confidence_threshold", "index_bands",
                  "taxonomy", "seed", "redacted", "net_score_definition", "outlier_rule", "attention_rule",
                  "source": {"file": str | null, "rows": int, "date": "YYYY-MM-DD", "model": str | null,
                             "stamning_version": str, "classification": "automatisk"}},
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
      "outliers": [{"id", "sentiment", "themes": [key], "text", "ref", "confidence", "uncertain": bool,
                    "net_score_with", "net_score_without", "sentence"}],   # sentence and nets: one joint statement
      "attention": [{"id", "group": str | null, "sentiment", "themes": [key], "reason", "text", "ref"}],
      "themes": [{"key", "name", "sensitive", "count", "share",
                  "mean_score": {"value", "low", "high", "method": "t"},    # low/high within -2..2; null under 5
                  "impact", "typical_positive": QUOTE | null, "typical_negative": QUOTE | null}],
      "index": null | {"n", "mean": {"value", "low", "high", "method": "t"},
                       "bands": [{"label", "low", "high", "count", "share"}]},
      "paragraph": str}
    QUOTE = {"id", "sentiment", "confidence", "text", "ref"}
    # Quoting: "ref" numbers each quoted comment once per summary; "text" is the (redacted) comment at the
    # first place it is quoted (per round: attention, outliers, themes; then per group) and null at later
    # places, which refer to it ("se kommentar 3"). Hidden quotes have ref null.
    CHANGE = see stamning.summary.compare (before/after, share_positive, share_negative, net_score, themes, sentences)

Definitions. Shares and the net score use the classified comments (``status == "ok"``).
Net score = 100 × (share positive − share negative), neutrals in the denominator; its 95 %
interval is a seeded bootstrap. An *outlier* is a ``mycket_negativ`` comment when at least
2/3 of the classified comments are positive (mirrored: ``mycket_positiv`` against a 2/3
negative majority). An *attention* item is any comment with a sensitive theme, or a
``mycket_negativ`` comment about ``bemotande`` or ``krankning``; it is listed whatever the
majority says. Themes are sorted by impact = |theme mean score − mean score| × count. A theme's
typical example has its polarity in level and score, is confident and not mixed, and is never an
outlier, an attention item or a comment with a sensitive theme (those are quoted only where listed).

Confidentiality (on by default): a round or group with fewer than ``min_group`` rows shows no
figures; when a round's groups hide fewer than two groups or fewer than ``min_group`` rows in
all, the next-smallest groups are hidden too (complementary suppression). Attention items
name only visible groups. Texts are shown only for ≥ ``min_quote_group`` rows and always pass
through ``redactor``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from stamning.errors import ConfigError
from stamning.records import SENTIMENT_LEVELS
from stamning.summary import stats
from stamning.summary.paragraph import paragraph
from stamning.summary.prepare import ALL_ROUNDS, group_order, prepare, round_order
from stamning.summary.quotes import Ctx, attention, example_pool, number_quotes, outliers, typical
from stamning.summary.types import (
    Comparison,
    GroupSummary,
    IndexBand,
    IndexSummary,
    RoundChange,
    RoundSummary,
    Summary,
    ThemeSummary,
)
from stamning.summary.wording import (
    HIDDEN_QUOTE,
    NET_DEFINITION,
)
from stamning.themes.taxonomy import Taxonomy, load_taxonomy

G = TypeVar("G", bound=GroupSummary)

__all__ = [
    "summarize",
    "compare",
    "Summary",
    "RoundSummary",
    "GroupSummary",
    "Comparison",
    "RoundChange",
    "DEFAULT_INDEX_BANDS",
    "HIDDEN_QUOTE",
]

DEFAULT_INDEX_BANDS: tuple[tuple[float, str], ...] = (
    (0, "under godkänt"),
    (60, "godkänt"),
    (70, "bra"),
    (80, "utmärkt"),
)
SCORE_SCALE = (-2.0, 2.0)
MIN_INTERVAL_N = 5  # a theme (or index) with fewer comments gets a mean but no interval
OUTLIER_RULE = "mycket_negativ when ≥ 2/3 of classified comments are positive; mycket_positiv when ≥ 2/3 are negative"
ATTENTION_RULE = "sensitive theme, or mycket_negativ with theme bemotande or krankning"


def _identity(text: str) -> str:
    return text


def parse_bands(index_bands: Mapping[str, float] | Sequence[tuple[float, str]] | None) -> tuple[tuple[float, str], ...]:
    """Bands as (lower bound, label), sorted. Accepts ``{label: lower}`` or ``[(lower, label), ...]``."""
    if index_bands is None:
        return DEFAULT_INDEX_BANDS
    try:
        items = (
            [(float(lo), str(lab)) for lab, lo in index_bands.items()]
            if isinstance(index_bands, Mapping)
            else [(float(lo), str(lab)) for lo, lab in index_bands]
        )
    except (TypeError, ValueError):
        raise ConfigError(
            "index_bands ska vara {etikett: nedre gräns} eller [(nedre gräns, etikett), ...], "
            "t.ex. {'godkänt': 60, 'bra': 70}"
        ) from None
    if not items or len({lo for lo, _ in items}) != len(items):
        raise ConfigError("index_bands behöver minst ett intervall och olika nedre gränser; rätta intervallen")
    return tuple(sorted(items))


def _themes(ok: pd.DataFrame, ctx: Ctx, quotes: bool, exclude: set[int]) -> list[ThemeSummary]:
    if ok.empty:
        return []
    overall = float(ok["score"].mean())
    pool = example_pool(ok, ctx, exclude)
    keys = list(dict.fromkeys(k for ts in ok["themes"] for k in ts))
    order = {k: i for i, k in enumerate(ctx.taxonomy.keys)}
    keys.sort(key=lambda k: (order.get(k, len(order)), k))
    out: list[ThemeSummary] = []
    used: set[int] = set()
    for key in keys:
        sub = ok[[key in ts for ts in ok["themes"]]]
        mean = stats.mean_t_interval(sub["score"].to_numpy(), bounds=SCORE_SCALE, min_n=MIN_INTERVAL_N)
        examples = pool[np.array([key in ts for ts in pool["themes"]], dtype=bool)]
        out.append(
            ThemeSummary(
                key,
                ctx.taxonomy.name(key),
                key in ctx.taxonomy.sensitive_keys,
                len(sub),
                len(sub) / len(ok),
                mean,
                0.0 if mean.value is None else abs(mean.value - overall) * len(sub),
                typical(examples, True, ctx, quotes, used),
                typical(examples, False, ctx, quotes, used),
            )
        )
    out.sort(key=lambda t: (-round(t.impact, 9), -t.count, t.key))
    return out


def _index(rows: pd.DataFrame, ctx: Ctx) -> IndexSummary | None:
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
    return IndexSummary(int(vals.size), stats.mean_t_interval(vals, bounds=(0.0, 100.0), min_n=MIN_INTERVAL_N), bands)


def _figures(
    rows: pd.DataFrame,
    ctx: Ctx,
    round_: str,
    group: str | None,
    visible: set[str],
    cls: type[G] = GroupSummary,  # type: ignore[assignment]  # mypy cannot bind a TypeVar's default
) -> G:
    ok = rows[rows["ok"]]
    quotes = len(rows) >= ctx.min_quote_group
    codes = stats.polarity_codes(ok["sentiment"].tolist())
    k = len(ok)
    flagged = outliers(ok, codes, ctx, quotes)
    listed = attention(rows, ctx, quotes, visible)
    counts = {lvl: int((ok["sentiment"] == lvl).sum()) for lvl in SENTIMENT_LEVELS}
    return cls(
        round=round_,
        group=group,
        n=len(rows),
        n_classified=k,
        n_skipped=len(rows) - k,
        n_uncertain=int((ok["confidence"] < ctx.threshold).sum()),
        n_mixed=int(ok["mixed"].sum()),
        distribution={lvl: {"count": c, "share": (c / k if k else None)} for lvl, c in counts.items()},
        share_positive=stats.wilson(int((codes > 0).sum()), k),
        share_negative=stats.wilson(int((codes < 0).sum()), k),
        net_score=stats.net_score_interval(codes, ctx.seed),
        median_score=stats.median(ok["score"]),
        trimmed_mean_score=stats.trimmed_mean(ok["score"]),
        quotes_shown=quotes,
        outliers=flagged,
        attention=listed,
        themes=_themes(
            ok,
            ctx,
            quotes,
            {o.row for o in flagged if o.row is not None} | {a.row for a in listed if a.row is not None},
        ),
        index=_index(rows, ctx),
    )


def hidden_groups(sizes: Mapping[str, int], min_group: int) -> dict[str, str]:
    """Groups to hide, with the reason. Small groups first; then, complementary suppression:
    while one group, or fewer than ``min_group`` rows in all, would be hidden, hide the
    next-smallest visible group too, so no hidden figure follows from the round total."""
    hidden = {g: f"färre än {min_group} svarande" for g, n in sizes.items() if n < min_group}
    visible = sorted((n, g) for g, n in sizes.items() if g not in hidden)
    while hidden and visible and (len(hidden) == 1 or sum(sizes[g] for g in hidden) < min_group):
        _, g = visible.pop(0)
        hidden[g] = "komplementär undertryckning, annars kan en mindre grupp räknas fram ur omgångens totalsiffror"
    return hidden


def _source(given: Mapping[str, Any] | None, rows: int) -> dict:
    from datetime import date

    from stamning import __version__

    given = dict(given or {})
    return {
        "file": given.get("file"),
        "rows": int(given.get("rows") or rows),
        "date": str(given.get("date") or date.today()),
        "model": given.get("model"),
        "stamning_version": __version__,
        "classification": "automatisk",
    }


def _title(round_: str, group: str | None = None) -> str:
    base = "Alla svar" if round_ == ALL_ROUNDS else f"Omgång {round_}"
    return base if group is None else f"{group} ({base.lower()})"


def summarize(
    df: pd.DataFrame,
    *,
    by: Sequence[str] = ("round",),
    taxonomy: Taxonomy | None = None,
    min_group: int = 5,
    min_quote_group: int = 10,
    index_bands: Mapping[str, float] | Sequence[tuple[float, str]] | None = None,
    confidence_threshold: float = 0.5,
    redactor: Callable[[str], str] | None = None,
    seed: int = stats.DEFAULT_SEED,
    include_comparison: bool = False,
    source: Mapping[str, object] | None = None,
) -> Summary:
    """Summarise classified comments per round (and per group when ``by`` includes ``"group"``).

    ``redactor`` is applied to every quoted text (default: identity; pass
    ``stamning.privacy.redactor`` for names, phone numbers and e-mail addresses). With
    ``include_comparison`` the result also holds :func:`compare` of consecutive rounds when
    there are two or more; a single round is complete without a comparison. ``source`` (``file``,
    ``model``) is stated on the report with the row count, the date and this version.
    """
    by = (by,) if isinstance(by, str) else tuple(by)
    unknown = [b for b in by if b not in ("round", "group")]
    if unknown:
        raise ConfigError(f"by={unknown!r} stöds inte; använd 'round' och/eller 'group'")
    if min_group < 0 or min_quote_group < 0:
        raise ConfigError("min_group och min_quote_group måste vara 0 eller mer")
    if not 0.0 <= confidence_threshold <= 1.0:
        raise ConfigError(f"confidence_threshold är {confidence_threshold}; måste vara mellan 0 och 1")
    if redactor is not None and not callable(redactor):
        raise ConfigError("redactor måste vara en funktion som tar emot och returnerar en sträng")
    grouped = "group" in by
    data = prepare(df, need_group=grouped)
    if "round" not in by:
        data["round"] = ALL_ROUNDS
    ctx = Ctx(
        taxonomy or load_taxonomy(),
        int(min_group),
        int(min_quote_group),
        parse_bands(index_bands),
        float(confidence_threshold),
        redactor or _identity,
        int(seed),
        grouped,
    )
    rounds = []
    for r in round_order(df, data) if "round" in by else [ALL_ROUNDS]:
        rows = data[data["round"] == r]
        sizes = {g: int((rows["group"] == g).sum()) for g in group_order(rows["group"])} if grouped else {}
        hidden = hidden_groups(sizes, ctx.min_group) if grouped else {}
        visible = {g for g in sizes if g not in hidden}
        if len(rows) < ctx.min_group:
            rs = RoundSummary(
                round=r,
                suppressed=True,
                suppressed_reason=f"färre än {ctx.min_group} svarande",
                attention=attention(rows, ctx, False, set()),
            )
        else:
            rs = _figures(rows, ctx, r, None, visible, RoundSummary)
            for g in sizes:
                if g in hidden:
                    gs = GroupSummary(round=r, group=g, suppressed=True, suppressed_reason=hidden[g])
                else:
                    gs = _figures(rows[rows["group"] == g], ctx, r, g, visible)
                gs.paragraph = paragraph(gs, _title(r, g), ctx)
                rs.groups.append(gs)
        rs.paragraph = paragraph(rs, _title(r), ctx)
        rounds.append(rs)
    settings = {
        "by": list(by),
        "min_group": ctx.min_group,
        "min_quote_group": ctx.min_quote_group,
        "confidence_threshold": ctx.threshold,
        "index_bands": [[lo, lab] for lo, lab in ctx.bands],
        "taxonomy": ctx.taxonomy.source,
        "seed": ctx.seed,
        "redacted": redactor is not None,
        "net_score_definition": NET_DEFINITION,
        "outlier_rule": OUTLIER_RULE,
        "attention_rule": ATTENTION_RULE,
        "source": _source(source, len(df)),
    }
    summary = Summary(settings, rounds)
    number_quotes(summary)
    if include_comparison and sum(r.round != ALL_ROUNDS for r in rounds) >= 2:  # one round: nothing to compare
        summary.comparisons = compare(df, taxonomy=ctx.taxonomy, min_group=ctx.min_group, seed=ctx.seed).changes
    return summary


def compare(df: pd.DataFrame, rounds: Sequence[str] | None = None, **kwargs) -> Comparison:
    """Changes between consecutive rounds; see :func:`stamning.summary.compare.compare`."""
    from stamning.summary.compare import compare as _compare

    return _compare(df, rounds, **kwargs)
