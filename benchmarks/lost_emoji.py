"""Comments with emoji through a Windows-1252 export: what the default path says, before and after lost marks.

Swedish Excel's "CSV (semikolonavgränsad)" is Windows-1252 and writes every emoji it cannot hold as "?". This
writes each set twice, as CSV UTF-8 and as that export (``errors="replace"``, as Excel does), and classifies both
with `classify_file` and its defaults: the path users run. "before" is the export's texts as read, given to the
model unchanged (what `classify` did until stamning.io.lost_marks); "now" is `classify_file` on the export. Each
against the labels (three classes, from the five-level label) and against the UTF-8 run (sides that agree).

Sets: the own test set (data/corpus/test; only comments that hold a character cp1252 lacks are written) and the
real tweets/YouTube comments of ../shared/data/real-dev (evaluation only: nothing here was chosen on it).

    .venv/bin/python benchmarks/lost_emoji.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from compare_models import REAL, ROOT, _macro_f1
from stamning.engines.local import classify_file
from stamning.model.loading import load_model
from stamning.records import SENTIMENT_LEVELS
from stamning.training.labelled import load_labelled
from stamning.training.metrics import THREE

SIDE = {level: int(THREE[i]) for i, level in enumerate(SENTIMENT_LEVELS)}  # five levels -> neg 0 / neu 1 / pos 2
REAL_SIDE = {"neg": 0, "neu": 1, "pos": 2}


def _lossy(text: str) -> bool:
    return text.encode("cp1252", errors="replace").decode("cp1252") != text


def _sets(model) -> dict[str, tuple[list[str], np.ndarray]]:
    test = load_labelled(ROOT / "data/corpus/test", theme_keys=model.config.theme_keys)
    labels = model.config.sentiment_labels
    own = [(t, SIDE[labels[y]]) for t, y in zip(test.texts, test.sentiment) if _lossy(t)]
    out = {"own test, with emoji": ([t for t, _ in own], np.array([y for _, y in own]))}
    if REAL.is_file():
        real = pd.read_csv(REAL, dtype=str, keep_default_na=False)
        out["real-dev"] = (real["text"].tolist(), real["label"].map(REAL_SIDE).to_numpy())
    return out


def _classified(texts: list[str], encoding: str, folder: Path, model) -> np.ndarray:
    source, out = folder / f"in_{encoding}.csv", folder / f"out_{encoding}.csv"
    frame = pd.DataFrame({"id": [str(i) for i in range(len(texts))], "text": texts})
    source.write_bytes(frame.to_csv(sep=";", index=False).encode(encoding, errors="replace"))
    classify_file(source, out, model=model)
    result = pd.read_csv(out, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return np.array([SIDE.get(s, -1) for s in result["sentiment"]])  # -1: skipped (nothing left to read)


def main() -> None:
    model = load_model()
    for name, (texts, truth) in _sets(model).items():
        with tempfile.TemporaryDirectory() as tmp:
            utf8 = _classified(texts, "utf-8", Path(tmp), model)
            now = _classified(texts, "cp1252", Path(tmp), model)
        read = [t.encode("cp1252", errors="replace").decode("cp1252") for t in texts]
        before = np.array([SIDE.get(p.sentiment or "", -1) for p in model.predict(read)])
        print(f"{name}: {len(texts)} comments, {sum(_lossy(t) for t in texts)} with a character cp1252 lacks")
        for label, pred in (("CSV UTF-8", utf8), ("cp1252, before", before), ("cp1252, now", now)):
            print(
                f"  {label:15s} accuracy {np.mean(pred == truth):.3f}  macro-F1 {_macro_f1(pred, truth, 3):.3f}  "
                f"same side as UTF-8 {np.mean(pred == utf8):.1%}  neutral {np.mean(pred == 1):.1%}  "
                f"skipped {np.sum(pred == -1)}",
                flush=True,
            )


if __name__ == "__main__":
    main()
