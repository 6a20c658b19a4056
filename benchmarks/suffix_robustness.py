"""How often does a label-free ending change the default model's answer? (neg / neu / pos on the own test set)

A cp1252 export writes an emoji it cannot hold as "?", and people end comments with a stray full stop or question
mark. This appends each ending to every comment of data/corpus/test (stripped of trailing space) and counts the
comments whose three-class sentiment changes, and how many of those become neutral. An ending that carries no
opinion should change (almost) nothing. An emoji ending is printed beside them as a contrast: it carries an
opinion, so it may rightly change the answer.

    .venv/bin/python benchmarks/suffix_robustness.py [--endings " ?" "." " 😕"]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from stamning.model.loading import load_model
from stamning.training.labelled import load_labelled

ROOT = Path(__file__).resolve().parents[1]
SIDE = {"mycket_negativ": 0, "negativ": 0, "neutral": 1, "positiv": 2, "mycket_positiv": 2}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=None)
    ap.add_argument("--endings", nargs="+", default=[" ?", "?", ".", " 😕"])
    args = ap.parse_args()
    model = load_model(args.model)
    texts = [t.rstrip() for t in load_labelled(ROOT / "data/corpus/test", theme_keys=model.config.theme_keys).texts]
    plain = [SIDE[p.sentiment] for p in model.predict(texts)]
    for ending in args.endings:
        ended = [SIDE[p.sentiment] for p in model.predict([t + ending for t in texts])]
        changed = sum(a != b for a, b in zip(plain, ended))
        to_neutral = sum(a != 1 and b == 1 for a, b in zip(plain, ended))
        print(
            f"ending {ending!r}: {changed} of {len(texts)} comments change side ({changed / len(texts):.1%}), "
            f"{to_neutral} of them to neutral",
            flush=True,
        )


if __name__ == "__main__":
    main()
