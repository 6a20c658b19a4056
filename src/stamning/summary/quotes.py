"""Which comments a summary quotes, and how each is quoted once.

Three places quote a comment: the attention list (sensitive themes, very negative treatment), the
outlier statement (a very negative remark against a clear positive majority, or the mirror) and a
theme's typical examples. The rules keep a single harsh remark in proportion:

- a typical example is a clear example of its polarity (level and score agree, confident, not mixed)
  and never a comment with a sensitive theme, an attention item or an outlier;
- the outliers of a round or group are one statement (how many, against what majority, the net score
  with and without them), not one box per comment;
- :func:`number_quotes` numbers every quoted comment once per summary; the first place (in report
  order: per round, then per group: attention, outliers, themes) keeps the text, later places keep
  only the number, so renderers write "se kommentar 3".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from stamning.errors import ConfigError
from stamning.summary import stats
from stamning.summary.prepare import NEGATIVE, POSITIVE
from stamning.summary.types import AttentionItem, Outlier, Quote, Summary
from stamning.summary.wording import HIDDEN_QUOTE, LEVEL_NAMES, LEVEL_PLURAL, signed, theme_list
from stamning.themes.taxonomy import Taxonomy

ATTENTION_IF_VERY_NEGATIVE = ("bemotande", "krankning")


@dataclass(frozen=True)
class Ctx:
    """What choosing and quoting comments needs (built once per :func:`stamning.summary.rounds.summarize`)."""

    taxonomy: Taxonomy
    min_group: int
    min_quote_group: int
    bands: tuple[tuple[float, str], ...]
    threshold: float
    redactor: Callable[[str], str]
    seed: int
    grouped: bool


def quote(ctx: Ctx, text: str, allowed: bool) -> str:
    if not allowed:
        return HIDDEN_QUOTE
    out = ctx.redactor(text)
    if not isinstance(out, str):
        raise ConfigError(f"redactor måste returnera en sträng, men returnerade {type(out).__name__}; rätta funktionen")
    return out


def names(ctx: Ctx, keys: Iterable[str]) -> list[str]:
    return [ctx.taxonomy.name(k) for k in keys]


def _outlier_sentence(
    m: int, n: int, target: str, majority: int, word: str, about: str, with_: float, without: float
) -> str:
    level = LEVEL_NAMES[target] if m == 1 else LEVEL_PLURAL[target]
    rest = f"Övriga {n - m} är {word}" if majority == n - m else f"Av övriga {n - m} är {majority} {word}"
    pron = "den" if m == 1 else "dem"
    return (
        f"{m} av {n} kommentarer är {level}{about}. {rest}; "
        f"nettot är {signed(with_)} med {pron} och {signed(without)} utan."
    )


def outliers(ok: pd.DataFrame, codes: np.ndarray, ctx: Ctx, quotes: bool) -> list[Outlier]:
    """The comments that go clearly against a two-thirds majority, with one joint statement."""
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
    hit = (ok["sentiment"] == target).to_numpy()
    if not hit.any():
        return []
    with_, without = stats.net_score(codes), stats.net_score(codes[~hit])
    assert with_ is not None and without is not None  # the outliers are a minority: both samples are non-empty
    themes = list(dict.fromkeys(k for ts in ok.loc[hit, "themes"] for k in ts))
    about = f" ({theme_list(names(ctx, themes))})" if themes else ""
    sentence = _outlier_sentence(int(hit.sum()), n, target, majority, word, about, with_, without)
    out = []
    for pos, row in zip(ok.index[hit], ok[hit].itertuples(index=False)):
        conf = None if np.isnan(row.confidence) else float(row.confidence)
        out.append(
            Outlier(
                row.id,
                row.sentiment,
                list(row.themes),
                quote(ctx, row.text, quotes),
                conf,
                conf is not None and conf < ctx.threshold,
                with_,
                without,
                sentence,
                row=int(pos),
            )
        )
    return out


def attention(rows: pd.DataFrame, ctx: Ctx, quotes: bool, visible_groups: set[str]) -> list[AttentionItem]:
    sensitive = ctx.taxonomy.sensitive_keys
    out = []
    listed = rows[rows["ok"]]
    for pos, row in zip(listed.index, listed.itertuples(index=False)):
        sens = [k for k in row.themes if k in sensitive]
        reasons = [f"känsligt tema: {theme_list(names(ctx, sens))}"] if sens else []
        if row.sentiment == "mycket_negativ":
            hit = [k for k in row.themes if k in ATTENTION_IF_VERY_NEGATIVE and k not in sens]
            if hit:
                reasons.append(f"mycket negativ om {theme_list(names(ctx, hit))}")
        if reasons:
            group = row.group if ctx.grouped and row.group in visible_groups else None
            out.append(
                AttentionItem(
                    row.id,
                    group,
                    row.sentiment,
                    list(row.themes),
                    "; ".join(reasons),
                    quote(ctx, row.text, quotes),
                    row=int(pos),
                )
            )
    return out


def example_pool(ok: pd.DataFrame, ctx: Ctx, exclude: set[int]) -> pd.DataFrame:
    """Comments that may be a theme's typical example: confident, not mixed, no sensitive theme,
    not listed for attention and not an outlier (``exclude``: their row positions)."""
    sensitive = ctx.taxonomy.sensitive_keys
    keep = (
        ~ok.index.isin(list(exclude))
        & ~ok["mixed"].astype(bool)
        & (ok["confidence"] >= ctx.threshold)
        & np.array([not any(k in sensitive for k in ts) for ts in ok["themes"]], dtype=bool)
    )
    return ok[keep]


def typical(sub: pd.DataFrame, positive: bool, ctx: Ctx, quotes: bool, used: set[int]) -> Quote | None:
    """The clearest example of one polarity (its level and its score agree), preferring a comment not
    already shown for another theme; None when there is no such comment."""
    levels = POSITIVE if positive else NEGATIVE
    cand = sub[sub["sentiment"].isin(levels) & ((sub["score"] > 0) if positive else (sub["score"] < 0))]
    if cand.empty:
        return None
    order = cand.assign(_u=cand.index.isin(list(used)), _c=cand["confidence"], _p=cand.index)
    best = order.sort_values(["_u", "_c", "_p"], ascending=[True, False, True]).iloc[0]
    used.add(int(best["_p"]))
    return Quote(
        best["id"], best["sentiment"], float(best["confidence"]), quote(ctx, best["text"], quotes), row=int(best["_p"])
    )


def _sites(summary: Summary) -> Iterator[tuple[str, AttentionItem | Outlier | Quote]]:
    """Every quoting place in report order, with the round it belongs to."""
    for r in summary.rounds:
        for s in [r, *r.groups]:
            yield from ((r.round, a) for a in s.attention)
            yield from ((r.round, o) for o in s.outliers)
            for t in s.themes:
                yield from ((r.round, q) for q in (t.typical_positive, t.typical_negative) if q is not None)


def number_quotes(summary: Summary) -> None:
    """Give each quoted comment a number; keep its text only at its first place in the report."""
    refs: dict[tuple, int] = {}
    for round_, site in _sites(summary):
        if site.text is None or site.text == HIDDEN_QUOTE:
            continue
        key = (site.row,) if site.row is not None else (round_, site.id)
        if key in refs:
            site.ref, site.text = refs[key], None
        else:
            site.ref = refs[key] = len(refs) + 1
