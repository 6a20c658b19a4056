"""How fast the results store adds and reads rounds (SQLite, standard library; no model involved).

    PYTHONPATH=src python benchmarks/store_speed.py [--rounds 5] [--rows 20000]

Synthetic classified rows (Swedish text of typical survey length); prints seconds to add each round,
to re-add one round (idempotent: nothing added), to build a five-year summary frame, and the file size."""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from stamning.records import PROB_COLUMNS, SENTIMENT_LEVELS
from stamning.store.database import ModelIdentity, ResultStore
from stamning.store.select import select

WORDS = [
    "chefen",
    "lyssnar",
    "bra",
    "dåligt",
    "stöd",
    "arbetsbelastning",
    "samarbete",
    "förvaltningen",
    "information",
    "kollegor",
    "trivs",
    "ansvar",
]


def frame(round_: str, rows: int, rng: np.random.Generator) -> pd.DataFrame:
    levels = rng.integers(0, 5, rows)
    probs = rng.dirichlet(np.ones(5), rows)
    data = {
        "id": [f"r{i}" for i in range(rows)],
        "round": round_,
        "group": rng.choice(["Skola", "Vård", "Stab"], rows),
        "text": [" ".join(rng.choice(WORDS, 18)) for _ in range(rows)],
        "sentiment": [SENTIMENT_LEVELS[k] for k in levels],
        "sentiment_score": probs @ np.arange(-2, 3),
        "sentiment_confidence": probs.max(1),
        "themes": "samarbete;stod",
        "mixed": False,
        "status": "ok",
        "reason": "",
    }
    data.update({c: probs[:, j] for j, c in enumerate(PROB_COLUMNS)})
    return pd.DataFrame(data)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--rows", type=int, default=20000)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    identity = ModelIdentity(
        "0123456789abcdef",
        {"base": "bench"},
        {
            "source": "default",
            "theme": [
                {"key": "samarbete", "name": "Samarbete", "definition": "Samarbete."},
                {"key": "stod", "name": "Stöd", "definition": "Stöd."},
            ],
        },
    )
    rounds = [str(2021 + k) for k in range(args.rounds)]
    frames = {r: frame(r, args.rows, rng) for r in rounds}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "resultat.sqlite"
        with ResultStore(path, create=True) as store:
            for r in rounds:
                start = time.perf_counter()
                store.add(frames[r], identity, f"enkät_{r}.csv")
                print(f"add round {r} ({args.rows} rows): {time.perf_counter() - start:.2f} s")
            start = time.perf_counter()
            again = store.add(frames[rounds[-1]], identity, "igen.csv")
            print(f"re-add round {rounds[-1]}: {time.perf_counter() - start:.2f} s, {again.added} rows added")
        start = time.perf_counter()
        sel = select(path)
        print(f"read {len(sel.frame)} rows of {len(rounds)} rounds for a summary: {time.perf_counter() - start:.2f} s")
        print(f"file size: {path.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
