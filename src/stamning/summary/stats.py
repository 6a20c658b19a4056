"""Statistics helpers for round summaries, built on scipy and statsmodels.

Every function returns plain floats (``None`` where a figure is undefined, e.g. an interval
from one observation) so the results drop straight into JSON. Randomised methods take a
``seed`` and are deterministic for a given seed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint, proportions_ztest
from statsmodels.stats.weightstats import DescrStatsW

ALPHA = 0.05
DEFAULT_SEED = 20240607
N_RESAMPLES = 9999
TRIM = 0.10
# Fisher's exact test replaces the z test when an expected cell count is below this.
MIN_EXPECTED = 5.0


def _f(x: float | None) -> float | None:
    """A finite float, or None."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


@dataclass(frozen=True)
class Interval:
    value: float | None
    low: float | None
    high: float | None
    method: str = ""

    def to_dict(self, digits: int = 4) -> dict:
        def r(v: float | None) -> float | None:
            return None if v is None else round(v, digits) + 0.0

        return {"value": r(self.value), "low": r(self.low), "high": r(self.high), "method": self.method}


@dataclass(frozen=True)
class TestResult:
    """A change ``after - before`` with its 95 % interval and a two-sided p-value."""

    before: float | None
    after: float | None
    change: float | None
    low: float | None
    high: float | None
    p_value: float | None
    test: str

    @property
    def significant(self) -> bool:
        return self.p_value is not None and self.p_value < ALPHA

    @property
    def rose(self) -> bool:
        """The change is known and upward."""
        return self.change is not None and self.change > 0


def wilson(count: int, n: int) -> Interval:
    """Share ``count/n`` with a 95 % Wilson score interval (statsmodels ``proportion_confint``)."""
    if n <= 0:
        return Interval(None, None, None, "wilson")
    low, high = proportion_confint(int(count), int(n), alpha=ALPHA, method="wilson")
    return Interval(count / n, _f(low), _f(high), "wilson")


def polarity_codes(sentiments: Sequence[str]) -> np.ndarray:
    """+1 for positiv/mycket_positiv, -1 for negativ/mycket_negativ, 0 for neutral."""
    code = {"mycket_negativ": -1, "negativ": -1, "neutral": 0, "positiv": 1, "mycket_positiv": 1}
    return np.array([code[s] for s in sentiments], dtype=float)


def net_score(codes: np.ndarray) -> float | None:
    """100 × (share positive − share negative); neutrals count in the denominator."""
    return None if len(codes) == 0 else float(100.0 * np.mean(codes))


def _batch(n: int) -> int:
    # keep scipy's resample / jackknife arrays near 2 million floats whatever n is
    return max(1, min(N_RESAMPLES, 2_000_000 // max(n, 1)))


def net_score_interval(codes: np.ndarray, seed: int = DEFAULT_SEED) -> Interval:
    """Net score with a seeded BCa bootstrap 95 % interval (scipy ``bootstrap``).

    The bootstrap cannot vary data in which every comment has the same polarity (it would
    return a zero-width interval). Then the interval is taken from the Wilson interval of
    that one polarity's share, assuming the unseen remainder is neutral (method
    ``wilson_fallback``); with one comment no interval is given.
    """
    codes = np.asarray(codes, dtype=float)
    n = len(codes)
    value = net_score(codes)
    if n == 0:
        return Interval(None, None, None, "bootstrap")
    if n == 1:
        return Interval(value, None, None, "bootstrap")
    if np.all(codes == codes[0]):
        w_low = wilson(n, n).low
        assert w_low is not None  # n >= 2: the Wilson interval exists
        v = codes[0]
        if v > 0:
            low, high = 100 * w_low, 100.0
        elif v < 0:
            low, high = -100.0, -100 * w_low
        else:
            low, high = -100 * (1 - w_low), 100 * (1 - w_low)
        return Interval(value, low, high, "wilson_fallback")
    res = sps.bootstrap(
        (codes,),
        np.mean,
        n_resamples=N_RESAMPLES,
        confidence_level=1 - ALPHA,
        method="BCa",
        vectorized=True,
        batch=_batch(n),
        rng=np.random.default_rng(seed),
    )
    b_low, b_high = _f(res.confidence_interval.low), _f(res.confidence_interval.high)
    return Interval(
        value, None if b_low is None else 100 * b_low, None if b_high is None else 100 * b_high, "bootstrap_bca"
    )


def trimmed_mean(values: Sequence[float], proportion: float = TRIM) -> float | None:
    """Mean after cutting ``proportion`` of the values from each end (scipy ``trim_mean``)."""
    arr = np.asarray(values, dtype=float)
    return None if arr.size == 0 else _f(sps.trim_mean(arr, proportion))


def median(values: Sequence[float]) -> float | None:
    arr = np.asarray(values, dtype=float)
    return None if arr.size == 0 else _f(np.median(arr))


def mean_t_interval(values: Sequence[float], bounds: tuple[float, float] | None = None, min_n: int = 2) -> Interval:
    """Mean with a 95 % Student t interval (statsmodels ``DescrStatsW.tconfint_mean``).

    ``bounds`` (the scale's ends) clip the interval, so it never leaves the scale; with fewer than
    ``min_n`` values there is no interval (low and high None), only the mean."""
    arr = np.asarray(values, dtype=float)
    arr = arr[np.isfinite(arr)]
    if arr.size == 0:
        return Interval(None, None, None, "t")
    mean = float(arr.mean())
    if arr.size < max(2, min_n):
        return Interval(mean, None, None, "t")
    if np.all(arr == arr[0]):
        return Interval(mean, mean, mean, "t")
    low, high = (_f(v) for v in DescrStatsW(arr).tconfint_mean(alpha=ALPHA))
    if bounds is not None:
        low = None if low is None else min(max(low, bounds[0]), bounds[1])
        high = None if high is None else min(max(high, bounds[0]), bounds[1])
    return Interval(mean, low, high, "t")


def compare_proportions(count1: int, n1: int, count2: int, n2: int) -> TestResult:
    """Change in a share from sample 1 (before) to sample 2 (after).

    Interval: Newcomb's score interval for a difference of two independent proportions
    (statsmodels ``confint_proportions_2indep``). Test: two-sample z test (statsmodels
    ``proportions_ztest``), or Fisher's exact test (scipy) when an expected cell count is
    below 5, as with small groups. Both account for the size of each group.
    """
    if n1 <= 0 or n2 <= 0:
        return TestResult(None, None, None, None, None, None, "none")
    p1, p2 = count1 / n1, count2 / n2
    low, high = confint_proportions_2indep(count2, n2, count1, n1, method="newcomb", compare="diff", alpha=ALPHA)
    total = count1 + count2
    expected = [total * n1, (n1 + n2 - total) * n1, total * n2, (n1 + n2 - total) * n2]
    if min(expected) / (n1 + n2) < MIN_EXPECTED:
        _, p = sps.fisher_exact([[count1, n1 - count1], [count2, n2 - count2]])
        test = "fisher_exact"
    else:
        _, p = proportions_ztest([count2, count1], [n2, n1])
        test = "z"
    return TestResult(p1, p2, p2 - p1, _f(low), _f(high), _f(p), test)


def compare_net_scores(codes1: np.ndarray, codes2: np.ndarray, seed: int = DEFAULT_SEED) -> TestResult:
    """Change in net score (points) from sample 1 (before) to sample 2 (after).

    Test: a seeded permutation test of the difference in mean polarity (scipy
    ``permutation_test``), valid for small groups and for groups where every comment has
    the same polarity. Interval: seeded percentile bootstrap of the difference (scipy
    ``bootstrap`` on both samples independently).
    """
    a, b = np.asarray(codes1, dtype=float), np.asarray(codes2, dtype=float)
    if a.size == 0 or b.size == 0:
        return TestResult(net_score(a), net_score(b), None, None, None, None, "none")
    before, after = float(100.0 * np.mean(a)), float(100.0 * np.mean(b))  # both samples are non-empty here

    def diff(x, y, axis=-1):
        return np.mean(y, axis=axis) - np.mean(x, axis=axis)

    rng = np.random.default_rng(seed)
    if np.all(np.concatenate([a, b]) == a[0]):
        p = 1.0
    elif a.size < 2 or b.size < 2:  # scipy needs two per sample; one comment tests nothing
        p = None
    else:
        perm = sps.permutation_test(
            (a, b),
            diff,
            n_resamples=N_RESAMPLES,
            vectorized=True,
            alternative="two-sided",
            rng=rng,
            batch=_batch(a.size + b.size),
        )
        p = _f(perm.pvalue)
    low: float | None = None
    high: float | None = None
    if a.size >= 2 and b.size >= 2:
        if np.all(a == a[0]) and np.all(b == b[0]):
            low = high = after - before
        else:
            boot = sps.bootstrap(
                (a, b),
                diff,
                n_resamples=N_RESAMPLES,
                method="percentile",
                vectorized=True,
                confidence_level=1 - ALPHA,
                rng=rng,
                batch=_batch(a.size + b.size),
            )
            low, high = (_f(100 * boot.confidence_interval.low), _f(100 * boot.confidence_interval.high))
    return TestResult(before, after, after - before, low, high, p, "permutation")


def holm(p_values: Sequence[float | None]) -> list[float | None]:
    """Holm-adjusted p-values (statsmodels ``multipletests``); None entries stay None."""
    idx = [i for i, p in enumerate(p_values) if p is not None]
    out: list[float | None] = [None] * len(p_values)
    if idx:
        adj = multipletests([p_values[i] for i in idx], alpha=ALPHA, method="holm")[1]
        for i, p in zip(idx, adj):
            out[i] = float(p)
    return out
