"""Change between survey rounds: share positive, share negative, net score and themes.

``compare(df)`` tests each pair of consecutive rounds (in the order given by ``rounds``, by
an ordered categorical ``round`` column, or natural sort). ``Comparison.to_dict()`` gives::

    {"schema_version": 2, "generated_by": "stamning", "settings": {..., "source": {...}},
     "comparisons": [{
        "before": str, "after": str, "suppressed": bool, "suppressed_reason": str | null,
        "n_before", "n_after": int,                           # classified comments
        "share_positive", "share_negative": TEST,             # shares 0..1
        "net_score": TEST,                                    # points -100..100
        "themes": [{"key", "name", "share": TEST + {"p_adjusted"},
                    "mean_score_before", "mean_score_after"}],
        "sentences": [str]}]}                                 # plain Swedish
    TEST = {"before", "after", "change", "low", "high", "p_value", "test", "significant"}

Shares: Newcomb interval, z test or Fisher's exact test for small counts. Net score:
seeded permutation test and bootstrap interval. Theme p-values are Holm-adjusted across
themes. A change with p ≥ 0.05 is reported as "ingen säkerställd förändring".
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from stamning.errors import ConfigError, InputError
from stamning.summary import stats
from stamning.summary.prepare import ALL_ROUNDS, prepare, round_order
from stamning.summary.types import Comparison, RoundChange, ThemeChange
from stamning.summary.wording import NO_CHANGE, interval_text, pct, pval, signed
from stamning.themes.taxonomy import Taxonomy, load_taxonomy


def _pp(x: float | None) -> float | None:
    return None if x is None else 100 * x


def _share_sentence(label: str, t: stats.TestResult) -> str:
    body = (
        f"{pct(t.before)} → {pct(t.after)} ({signed(_pp(t.change))} procentenheter; 95 % intervall "
        f"{interval_text(_pp(t.low), _pp(t.high))}; {pval(t.p_value)})"
    )
    if t.significant:
        verb = "ökade" if t.rose else "minskade"
        return f"{label} {verb} säkerställt: {body}."
    return f"{label}: {body} – {NO_CHANGE}."


def _net_sentence(t: stats.TestResult) -> str:
    body = (
        f"{signed(t.before)} → {signed(t.after)} ({signed(t.change)}; 95 % intervall "
        f"{interval_text(t.low, t.high)}; {pval(t.p_value)})"
    )
    if t.significant:
        return f"Nettot {'steg' if t.rose else 'sjönk'} säkerställt: {body}."
    return f"Nettot: {body} – {NO_CHANGE}."


def _pair(a: str, b: str, ra: pd.DataFrame, rb: pd.DataFrame, tax: Taxonomy, min_group: int, seed: int) -> RoundChange:
    if len(ra) < min_group or len(rb) < min_group:
        return RoundChange(
            a,
            b,
            suppressed=True,
            suppressed_reason=f"färre än {min_group} svarande i en av omgångarna",
            sentences=[f"Omgång {a} och {b} jämförs inte: för få svarande."],
        )
    oa, ob = ra[ra["ok"]], rb[rb["ok"]]
    ca, cb = stats.polarity_codes(oa["sentiment"].tolist()), stats.polarity_codes(ob["sentiment"].tolist())
    na, nb = len(ca), len(cb)
    pos = stats.compare_proportions(int((ca > 0).sum()), na, int((cb > 0).sum()), nb)
    neg = stats.compare_proportions(int((ca < 0).sum()), na, int((cb < 0).sum()), nb)
    net = stats.compare_net_scores(ca, cb, seed)
    keys = list(dict.fromkeys(k for ts in pd.concat([oa["themes"], ob["themes"]]) for k in ts))
    order = {k: i for i, k in enumerate(tax.keys)}
    keys.sort(key=lambda k: (order.get(k, len(order)), k))
    tests, means = [], []
    for k in keys:
        ma, mb = [k in ts for ts in oa["themes"]], [k in ts for ts in ob["themes"]]
        tests.append(stats.compare_proportions(int(sum(ma)), na, int(sum(mb)), nb))
        means.append(
            (stats.mean_t_interval(oa.loc[ma, "score"]).value, stats.mean_t_interval(ob.loc[mb, "score"]).value)
        )
    adjusted = stats.holm([t.p_value for t in tests])
    themes = [ThemeChange(k, tax.name(k), t, p, m[0], m[1]) for k, t, p, m in zip(keys, tests, adjusted, means)]
    sentences = [f"Från omgång {a} till omgång {b} ({na} respektive {nb} klassade kommentarer)."]
    if not (pos.significant or neg.significant or net.significant):
        sentences.append(f"Sammantaget: {NO_CHANGE} i andelen positiva, andelen negativa eller nettot.")
    sentences += [
        _share_sentence("Andelen positiva", pos),
        _share_sentence("Andelen negativa", neg),
        _net_sentence(net),
    ]
    for t in themes:
        if t.p_adjusted is not None and t.p_adjusted < stats.ALPHA:
            word = "oftare" if t.share.rose else "mer sällan"
            sentences.append(
                f"Temat {t.name.lower()} nämns {word}: {pct(t.share.before)} → {pct(t.share.after)} "
                f"(justerat {pval(t.p_adjusted)})."
            )
    if min(na, nb) < 30:
        sentences.append("Omgångarna har få kommentarer, så bara stora förändringar kan säkerställas.")
    return RoundChange(
        a,
        b,
        n_before=na,
        n_after=nb,
        share_positive=pos,
        share_negative=neg,
        net_score=net,
        themes=themes,
        sentences=sentences,
    )


def too_few_rounds(order: list[str], available: list[str], column: str | None) -> str:
    found = f"{len(available)} ({', '.join(available)})" if available else "ingen"
    asked = f"; bara {len(order)} angavs med --rounds" if len(order) < len(available) else ""
    return (
        f"jämförelsen behöver minst två omgångar; kolumnen {column!r} lästes som omgång och har {found}{asked}. "
        "Med en omgång räcker `stamning summarize`; ange en annan kolumn med --round-column"
    )


def compare(
    df: pd.DataFrame,
    rounds: Sequence[str] | None = None,
    *,
    taxonomy: Taxonomy | None = None,
    min_group: int = 5,
    seed: int = stats.DEFAULT_SEED,
) -> Comparison:
    """Compare consecutive rounds (``rounds`` gives which and in what order).

    ``df.attrs["round_column"]``, when set, names the source column read as the round in error messages."""
    if "round" not in df.columns:
        raise InputError("jämförelsen behöver en kolumn med enkätomgång; ange den med --round-column")
    column = str(df.attrs.get("round_column") or "round")
    data = prepare(df)
    available = [r for r in round_order(df, data) if r != ALL_ROUNDS]
    if rounds is None:
        order = available
    else:
        order = [str(r) for r in rounds]
        missing = [r for r in order if r not in available]
        if missing:
            raise ConfigError(
                f"omgång {', '.join(missing)} finns inte i kolumnen {column!r}; "
                f"omgångar som finns: {', '.join(available)}"
            )
    order = [r for r in order if r != ALL_ROUNDS]
    if len(order) < 2:
        raise ConfigError(too_few_rounds(order, available, column))
    tax = taxonomy or load_taxonomy()
    changes = [
        _pair(a, b, data[data["round"] == a], data[data["round"] == b], tax, int(min_group), int(seed))
        for a, b in zip(order, order[1:])
    ]
    settings = {
        "rounds": order,
        "min_group": int(min_group),
        "seed": int(seed),
        "alpha": stats.ALPHA,
        "taxonomy": tax.source,
    }
    return Comparison(settings, changes)


__all__ = ["compare", "Comparison", "RoundChange", "ThemeChange"]
