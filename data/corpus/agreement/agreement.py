"""Inter-annotator agreement on blind re-labelled samples of the corpus: 200 comments of the first training
files (relabel_blind.jsonl), 360 of the 2026-12-02 realistic-register files (relabel_blind_x2.jsonl) and 240 of
the third round on the hard middle (relabel_blind_x3.jsonl).

    .venv/bin/python data/corpus/agreement/agreement.py

Prints Cohen's kappa (unweighted and linearly weighted) for the five sentiment levels, kappa per level (that
level against the rest), exact and
within-one agreement, and per-theme agreement (kappa where both annotators used the theme)."""

from __future__ import annotations

import glob
import json
from pathlib import Path

import numpy as np
from sklearn.metrics import cohen_kappa_score

HERE = Path(__file__).parent
LEVELS = ["mycket_negativ", "negativ", "neutral", "positiv", "mycket_positiv"]


def main() -> None:
    for name in ("relabel_blind.jsonl", "relabel_blind_x2.jsonl", "relabel_blind_x3.jsonl"):
        report(HERE / name)


def report(blind_file: Path) -> None:
    original = {}
    for f in sorted(glob.glob(str(HERE.parent / "*" / "*.jsonl"))):
        for line in Path(f).read_text("utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                original[row["id"]] = row
    blind = [json.loads(line) for line in blind_file.read_text("utf-8").splitlines() if line.strip()]
    a = np.array([LEVELS.index(original[b["id"]]["sentiment"]) for b in blind])
    b = np.array([LEVELS.index(x["sentiment"]) for x in blind])
    print(f"\n{blind_file.name}: {len(blind)} comments (a seeded random sample, labelled blind)")
    print(f"sentiment: exact agreement {np.mean(a == b):.3f}, within one level {np.mean(abs(a - b) <= 1):.3f}")
    print(
        f"  Cohen's kappa {cohen_kappa_score(a, b):.3f}, linearly weighted kappa {cohen_kappa_score(a, b, weights='linear'):.3f}"
    )
    three = np.array([0, 0, 1, 2, 2])
    print(f"  3-class kappa {cohen_kappa_score(three[a], three[b]):.3f}")
    per_level = ", ".join(f"{name} {cohen_kappa_score(a == i, b == i):.3f}" for i, name in enumerate(LEVELS))
    print(f"  kappa per level (this level or not): {per_level}")
    keys = sorted({k for x in blind for k in x["themes"]} | {k for x in blind for k in original[x["id"]]["themes"]})
    kappas = []
    for key in keys:
        ta = np.array([key in original[x["id"]]["themes"] for x in blind])
        tb = np.array([key in x["themes"] for x in blind])
        if ta.sum() >= 3 and tb.sum() >= 3:
            kappas.append((key, cohen_kappa_score(ta, tb), int(ta.sum()), int(tb.sum())))
    print("themes (kappa, n original, n blind):")
    for key, k, na, nb in kappas:
        print(f"  {key:18} {k:6.3f} {na:4d} {nb:4d}")
    print(f"  mean theme kappa {np.mean([k for _, k, _, _ in kappas]):.3f}")


if __name__ == "__main__":
    main()
