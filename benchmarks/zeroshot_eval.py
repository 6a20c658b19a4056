"""Own themes without labels: zero-shot matching designs side by side on data/zeroshot (issue 17).

    .venv/bin/python benchmarks/zeroshot_eval.py [--boot 2000] [--json PATH] [--model DIR]

Each category set of data/zeroshot/categories.toml becomes a user's theme file (key, name, definition: what
users give), read by the users' own path (``stamning.themes.own.load_model_with_themes`` → the matcher
``stamning classify --themes`` runs); every candidate is a :class:`ThemeMatcher` with another
:class:`MatcherConfig` (or a benchmark-only twist) over the same taxonomy. Texts are embedded once and shared.

Printed per candidate, for the validation (150 texts; the only split designs were chosen on) and test split
(450; report-only): micro-F1, macro-F1 (24 categories), exact-set accuracy, top-1 accuracy on one-category
texts, and the share of "none" texts given a theme (few: 6 / 24). Then the same per set; then small taxonomies
(3 of a set's 8 themes, 20 seeded draws per set: texts about the other 5 are off-topic, a far larger none
pool); then a paired bootstrap (texts resampled, seeded) of each candidate minus today's matcher on test.
"""

from __future__ import annotations

import argparse
import copy
import itertools
import json
import random
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np

import stamning
from stamning.text import normalize
from stamning.themes.own import load_model_with_themes
from stamning.themes.taxonomy import Taxonomy
from stamning.themes.zeroshot import Background, MatcherConfig, Prototypes, ThemeMatcher, prototype_texts

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "zeroshot"
SPLITS = ("validation", "test")
METRICS = ("micro_f1", "macro_f1", "exact", "top1", "none_fp")


class CachedMatcher(ThemeMatcher):
    """The matcher with embeddings memoised across candidates (the same text, the same vector)."""

    cache: dict[str, np.ndarray] = {}

    def embed(self, texts):
        missing = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if missing:
            self.cache.update(zip(missing, super().embed(missing)))
        return np.stack([self.cache[t] for t in texts]) if texts else super().embed(texts)


@dataclass(frozen=True)
class Candidate:
    name: str
    config: MatcherConfig
    twist: Callable[[ThemeMatcher, np.ndarray], list[tuple[str, ...]]] | None = None


def batch_calibrated(matcher: ThemeMatcher, emb: np.ndarray) -> list[tuple[str, ...]]:
    """Per-theme calibration against the comments being classified (each theme's similarities standardised
    over the batch, then per comment as today). Labels then depend on which comments share the batch."""
    sims = matcher.similarities(emb)
    col = (sims - sims.mean(0)) / np.maximum(sims.std(0), 1e-6)
    z = (col - col.mean(1, keepdims=True)) / np.maximum(col.std(1, keepdims=True), 1e-6)
    return matcher.choose(1.0 / (1.0 + np.exp(-(z - matcher.config.cut) * 2.0)))


def passage_prototypes(matcher: ThemeMatcher, emb: np.ndarray) -> list[tuple[str, ...]]:
    """Theme descriptions embedded as e5 passages ("passage: ") instead of queries; comments stay queries."""
    texts = [x for t in matcher.taxonomy.themes for x in prototype_texts(t, matcher.config.prototypes)]
    shim = copy.copy(matcher)
    shim.model = SimpleNamespace(
        tokenizer=matcher.model.tokenizer,
        config=replace(matcher.model.config, input_prefix="passage: "),
        embed=matcher.model.embed,
        eval=matcher.model.eval,
    )
    protos = ThemeMatcher.embed(shim, texts)  # not through the cache: the same text, another prefix
    matcher.prototypes = protos
    return matcher.choose(matcher.proba_from_embeddings(emb))


TODAY = MatcherConfig(Prototypes.SINGLE, Background.THEMES, cut=1.5)
PARTS = MatcherConfig(Prototypes.PARTS, Background.THEMES, cut=1.5)
CANDIDATES = (
    Candidate("today: one description, z over themes, cut 1.5", TODAY),
    Candidate("several prototypes (max), z over themes, cut 1.5", PARTS),
    Candidate("several prototypes, passage: prefix, z over themes, cut 1.5", PARTS, passage_prototypes),
    Candidate("several prototypes, per-theme calibration on the batch, cut 1.5", PARTS, batch_calibrated),
    Candidate("several prototypes, z over themes + neutral background, cut 2.0 (kept)", MatcherConfig()),
    Candidate("kept, at most one theme", MatcherConfig(max_themes=1)),
)


def load_sets() -> tuple[list[dict], list[dict]]:
    sets = tomllib.loads((DATA / "categories.toml").read_text("utf-8"))["set"]
    rows = [json.loads(line) for line in (DATA / "heldout.jsonl").read_text("utf-8").splitlines() if line.strip()]
    return sets, rows


def theme_file(folder: Path, category_set: dict) -> Path:
    """The set written as a user's theme file: key, name and definition only."""
    path = folder / f"{category_set['id']}.toml"
    lines = ["schema_version = 1"]
    for c in category_set["category"]:
        lines += ["", "[[theme]]"] + [
            f"{f} = {json.dumps(c[f], ensure_ascii=False)}" for f in ("key", "name", "definition")
        ]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def metrics(pred: np.ndarray, truth: np.ndarray, sims: np.ndarray) -> dict[str, float]:
    tp, fp, fn = (pred & truth).sum(), (pred & ~truth).sum(), (~pred & truth).sum()
    per_theme = [
        2 * (pred[:, j] & truth[:, j]).sum() / max(pred[:, j].sum() + truth[:, j].sum(), 1)
        for j in range(truth.shape[1])
    ]
    single, none = truth.sum(1) == 1, truth.sum(1) == 0
    return {
        "micro_f1": 2 * tp / max(2 * tp + fp + fn, 1),
        "macro_f1": float(np.mean(per_theme)),
        "exact": float((pred == truth).all(1).mean()),
        "top1": float(truth[single, sims[single].argmax(1)].mean()) if single.any() else float("nan"),
        "none_fp": float(pred[none].any(1).mean()) if none.any() else float("nan"),
        "n_none": int(none.sum()),
    }


def block_diag(mats: list[np.ndarray]) -> np.ndarray:
    """Per-set label matrices side by side (a text has no label in another set's columns)."""
    out = np.zeros((sum(m.shape[0] for m in mats), sum(m.shape[1] for m in mats)), dtype=mats[0].dtype)
    r = c = 0
    for m in mats:
        out[r : r + m.shape[0], c : c + m.shape[1]] = m
        r, c = r + m.shape[0], c + m.shape[1]
    return out


def predict(cand: Candidate, model, taxonomy: Taxonomy, emb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Chosen themes (bool, texts × themes) and the scores that rank them; ``emb`` is one classify run's batch."""
    matcher = CachedMatcher(model, taxonomy, config=cand.config)
    chosen = cand.twist(matcher, emb) if cand.twist else matcher.choose(matcher.proba_from_embeddings(emb))
    return np.array([[k in c for k in matcher.keys] for c in chosen], dtype=bool), matcher.scores(emb)


def evaluate(cand: Candidate, model, data: dict) -> dict:
    """Per (set, split): predictions, truth and scores on the set's full taxonomy."""
    return {key: (*predict(cand, model, d["taxonomy"], d["emb"]), d["truth"]) for key, d in data.items()}


def small_taxonomies(cand: Candidate, model, data: dict, split: str, size: int = 3, draws: int = 20) -> dict:
    """Micro-F1 and the off-topic texts' false-positive rate over seeded draws of ``size`` themes per set."""
    tp = fp = fn = fp_none = n_none = 0
    for (sid, sp), d in sorted(data.items()):
        if sp != split:
            continue
        themes = d["taxonomy"].themes
        combos = list(itertools.combinations(range(len(themes)), size))
        random.Random(f"{sid}-{size}").shuffle(combos)
        for combo in combos[:draws]:
            sub = Taxonomy(tuple(themes[j] for j in combo), source=d["taxonomy"].source)
            pred, _ = predict(cand, model, sub, d["emb"])
            truth = d["truth"][:, list(combo)]
            tp, fp, fn = tp + (pred & truth).sum(), fp + (pred & ~truth).sum(), fn + (~pred & truth).sum()
            none = truth.sum(1) == 0
            fp_none, n_none = fp_none + pred[none].any(1).sum(), n_none + none.sum()
    return {"micro_f1": 2 * tp / max(2 * tp + fp + fn, 1), "none_fp": fp_none / max(n_none, 1), "n_none": int(n_none)}


def pooled(res: dict, split: str, sids: list[str] | None = None) -> dict:
    keys = [k for k in sorted(res) if k[1] == split and (sids is None or k[0] in sids)]
    pred = block_diag([res[k][0] for k in keys])
    sims = block_diag([res[k][1] for k in keys])
    sims[block_diag([np.ones_like(res[k][1]) for k in keys]) == 0] = -np.inf  # argmax within the text's own set
    return metrics(pred, block_diag([res[k][2] for k in keys]), sims)


def per_text_counts(res: dict, split: str) -> np.ndarray:
    """tp, fp, fn and exact (0/1) per text, in a fixed text order."""
    keys = [k for k in sorted(res) if k[1] == split]
    rows = []
    for k in keys:
        pred, _, truth = res[k]
        rows.append(
            np.stack([(pred & truth).sum(1), (pred & ~truth).sum(1), (~pred & truth).sum(1), (pred == truth).all(1)], 1)
        )
    return np.concatenate(rows).astype(float)


def bootstrap(cand: np.ndarray, base: np.ndarray, n_boot: int, seed: int = 17) -> dict[str, tuple[float, float, float]]:
    """Paired bootstrap over texts: micro-F1 and exact-set accuracy, candidate minus base (95 % interval)."""
    idx = np.random.default_rng(seed).integers(0, len(cand), size=(n_boot, len(cand)))

    def micro(c: np.ndarray) -> np.ndarray:
        s = c[idx].sum(1)
        return 2 * s[:, 0] / np.maximum(2 * s[:, 0] + s[:, 1] + s[:, 2], 1)

    def point(c: np.ndarray) -> float:
        s = c.sum(0)
        return 2 * s[0] / max(2 * s[0] + s[1] + s[2], 1)

    d_micro = micro(cand) - micro(base)
    d_exact = cand[idx, 3].mean(1) - base[idx, 3].mean(1)
    return {
        "micro_f1": (point(cand) - point(base), *np.percentile(d_micro, [2.5, 97.5])),
        "exact": (cand[:, 3].mean() - base[:, 3].mean(), *np.percentile(d_exact, [2.5, 97.5])),
    }


def load_data(model, folder: Path) -> dict:
    """Per (set, split): the taxonomy read from a theme file as users give it, texts' embeddings and truth."""
    sets, rows = load_sets()
    data = {}
    for cs in sets:
        taxonomy = load_model_with_themes(model, themes=theme_file(folder, cs)).taxonomy  # what `--themes` reads
        embedder = CachedMatcher(model, taxonomy)
        for split in SPLITS:
            mine = [r for r in rows if r["set"] == cs["id"] and r["split"] == split]
            texts = [normalize(r["text"]) for r in mine]
            emb = embedder.embed(texts)
            truth = np.array([[k in r["categories"] for k in taxonomy.keys] for r in mine], dtype=bool)
            data[(cs["id"], split)] = {"taxonomy": taxonomy, "emb": emb, "truth": truth}
    return data


def fmt(x: float) -> str:
    return "–" if x != x else f"{x:.3f}"


def print_tables(results: dict, small: dict, boots: dict, sids: list[str]) -> None:
    head = " | ".join(f"{m} val / test" for m in METRICS)
    print(f"\n| candidate | {head} |\n|" + " --- |" * (len(METRICS) + 1))
    for name, res in results.items():
        v, t = pooled(res, "validation"), pooled(res, "test")
        print(f"| {name} | " + " | ".join(f"{fmt(v[m])} / {fmt(t[m])}" for m in METRICS) + " |")
    print(f"\nnone texts: validation {v['n_none']}, test {t['n_none']}")
    for sid in sids:
        print(f"\nSet {sid}:\n\n| candidate | {head} |\n|" + " --- |" * (len(METRICS) + 1))
        for name, res in results.items():
            v, t = pooled(res, "validation", [sid]), pooled(res, "test", [sid])
            print(f"| {name} | " + " | ".join(f"{fmt(v[m])} / {fmt(t[m])}" for m in METRICS) + " |")
    print("\nSmall taxonomies (3 of 8 themes, 20 draws per set; micro-F1, none-FP val / test):")
    print("\n| candidate | micro_f1 val / test | none_fp val / test |\n| --- | --- | --- |")
    for name, (v, t) in small.items():
        print(f"| {name} | {fmt(v['micro_f1'])} / {fmt(t['micro_f1'])} | {fmt(v['none_fp'])} / {fmt(t['none_fp'])} |")
    print("\nPaired bootstrap on test, candidate minus today (95 % interval):")
    print("\n| candidate | micro-F1 | exact-set accuracy |\n| --- | --- | --- |")
    for name, b in boots.items():
        print(
            f"| {name} | "
            + " | ".join("{:+.3f} [{:+.3f}, {:+.3f}]".format(*b[m]) for m in ("micro_f1", "exact"))
            + " |"
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--boot", type=int, default=2000, help="bootstrap resamples")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--model", default=None, help="a model directory (default: the embedded default model)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    model = stamning.load_model(args.model)
    with tempfile.TemporaryDirectory() as tmp:
        data = load_data(model, Path(tmp))
    sids = sorted({k[0] for k in data})
    results = {c.name: evaluate(c, model, data) for c in CANDIDATES}
    small = {
        c.name: tuple(small_taxonomies(c, model, data, split) for split in SPLITS)
        for c in CANDIDATES
        if c.twist is None
    }
    base = per_text_counts(results[CANDIDATES[0].name], "test")
    boots = {c.name: bootstrap(per_text_counts(results[c.name], "test"), base, args.boot) for c in CANDIDATES[1:]}
    print_tables(results, small, boots, sids)
    print(f"\n{time.perf_counter() - t0:.0f} s, {len(CachedMatcher.cache)} texts embedded")
    if args.json:
        figures = {n: {s: pooled(r, s) for s in SPLITS} for n, r in results.items()}
        args.json.write_text(
            json.dumps({"pooled": figures, "small": small, "bootstrap": boots}, indent=1, default=float)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
