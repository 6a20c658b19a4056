"""Bring a writing round of new comments into the corpus, checked.

    .venv/bin/python data/corpus/import_round.py /work/corpus_x4 --round x4 \
        --train-out data/corpus/x4 --test-out data/corpus/x4_test/x4_test.jsonl

(The third round ran as ``/work/corpus_x3 --round x3 --train-out data/corpus/x3 --test-out
data/corpus/middle/middle.jsonl``; its ``x3_*`` files moved to data/corpus/train when candidate M shipped. The
second round was imported by this script's first version, ``import_x2.py`` at commit 39a85a9, whose exact rule
counted words only: run again now, it would drop 4 more x2 comments such as "Tack för allt!! 🙏🙏".)

For every new file ``<key>.jsonl`` it
1. validates each row (keys, sentiment level, theme keys in the taxonomy, non-empty text, unique id);
2. drops exact duplicates (same text after lower-casing, å/ä/ö folded and punctuation removed; the new text
   has four words or more, or four pieces with an emoji; texts without any letter are not compared) and near
   duplicates (texts of eight words or more sharing more than half of their 4-word shingles, the rule of
   tests/test_corpus.py, here also with å/ä/ö folded), both against the existing corpus (every JSON Lines file
   under data/corpus but the agreement samples and what this round itself writes) and against the new comments
   read before (files in name order);
3. holds out a seeded sample stratified by source and level (``--holdout``) as the new test file
   (``--test-out``, which must not exist yet), taken only among comments whose text occurs once in the round (so
   no short answer of the test file appears twice in the round; a short answer such as "inga kommentarer" may
   still equal one elsewhere in the corpus: 5 of the middle set's 239 do);
4. writes the rest to ``<--train-out>/<round>_<key>.jsonl`` and prints a JSON report (what was dropped, why,
   counts per split, source and level).
Deterministic: the same input, corpus and seed give the same files.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections import Counter, defaultdict
from pathlib import Path

from stamning.records import SENTIMENT_LEVELS
from stamning.themes.taxonomy import load_taxonomy

CORPUS = Path(__file__).resolve().parent
KEYS = ("id", "source", "text", "sentiment", "themes")
_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e"})


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower().translate(_FOLD))


def norm(text: str) -> str:
    return " ".join(words(text))


def shingles(text: str, n: int = 4) -> set[tuple[str, ...]]:
    w = words(text)
    return {tuple(w[i : i + n]) for i in range(max(1, len(w) - n + 1))}


def long_enough(text: str) -> bool:
    """Four words or more, or four whitespace-separated pieces (an emoji counts: tests/test_corpus.py's rule;
    the x2 round used words only)."""
    return len(words(text)) >= 4 or len(text.split()) >= 4


class Index:
    """Texts seen so far: exact (normalised) and 4-word shingles, for the duplicate rules."""

    def __init__(self) -> None:
        self.exact: dict[str, str] = {}
        self.sh: list[set] = []
        self.ids: list[str] = []
        self.post: dict[tuple, set[int]] = defaultdict(set)

    def add(self, row: dict) -> None:
        self.exact.setdefault(norm(row["text"]), row["id"])  # every text: a long new one may equal a short old one
        sh = shingles(row["text"])
        for s in sh:
            self.post[s].add(len(self.sh))
        self.sh.append(sh)
        self.ids.append(row["id"])

    def clash(self, row: dict) -> tuple[str, str] | None:
        """(kind, id of the earlier comment) when ``row`` duplicates one already indexed."""
        n, key = len(words(row["text"])), norm(row["text"])
        if key and key in self.exact and long_enough(row["text"]):  # no key: a text without letters
            return "exact", self.exact[key]
        if n < 8:
            return None
        sh = shingles(row["text"])
        hits = Counter(i for s in sh for i in self.post.get(s, ()))
        for i, shared in hits.most_common(3):
            if shared / len(sh | self.sh[i]) > 0.5:
                return "near", self.ids[i]
        return None


def existing_rows(round_: str, test_out: Path) -> list[dict]:
    files = [
        f
        for f in sorted(CORPUS.rglob("*.jsonl"))
        if not f.name.startswith(f"{round_}_") and f.resolve() != test_out.resolve() and "agreement" not in f.parts
    ]
    return [json.loads(line) for f in files for line in f.read_text("utf-8").splitlines() if line.strip()]


def invalid(row: dict, themes: set[str], seen_ids: set[str]) -> str | None:
    if set(row) != set(KEYS):
        return f"keys {sorted(row)}"
    if row["sentiment"] not in SENTIMENT_LEVELS:
        return f"level {row['sentiment']!r}"
    if not set(row["themes"]) <= themes:
        return f"themes {sorted(set(row['themes']) - themes)}"
    if not str(row["text"]).strip():
        return "empty text"
    if row["id"] in seen_ids:
        return "id used twice"
    return None


def read_new(folder: Path, index: Index, report: dict) -> dict[str, list[dict]]:
    themes = set(load_taxonomy().keys)
    seen_ids = set(index.ids)
    kept: dict[str, list[dict]] = {}
    for path in sorted(folder.glob("*.jsonl")):
        key, rows = path.stem, []
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if not line.strip():
                continue
            row = json.loads(line)
            why = invalid(row, themes, seen_ids)
            clash = None if why else index.clash(row)
            if why or clash:
                report["dropped"].append(
                    {"id": row.get("id", f"{key}:{n}"), "why": why or f"{clash[0]} duplicate of {clash[1]}"}
                )
                continue
            seen_ids.add(row["id"])
            index.add(row)
            rows.append(row)
        kept[key] = rows
    return kept


def holdout(kept: dict[str, list[dict]], fraction: float, seed: int) -> tuple[dict[str, list[dict]], list[dict]]:
    """Stratified (source x level) seeded sample of comments whose normalised text occurs only once."""
    counts = Counter(norm(r["text"]) for rows in kept.values() for r in rows)
    rng = random.Random(seed)
    train, test = {}, []
    for key, rows in kept.items():
        chosen: set[str] = set()
        for level in SENTIMENT_LEVELS:
            pool = [r["id"] for r in rows if r["sentiment"] == level and counts[norm(r["text"])] == 1]
            k = round(fraction * sum(r["sentiment"] == level for r in rows))
            chosen |= set(rng.sample(sorted(pool), min(k, len(pool))))
        test += [r for r in rows if r["id"] in chosen]
        train[key] = [r for r in rows if r["id"] not in chosen]
    return train, test


def write(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", type=Path)
    ap.add_argument("--holdout", type=float, default=0.10)
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--round", required=True, help="the round's name (x4, …): the prefix of the files it writes")
    ap.add_argument("--train-out", type=Path, required=True, help="the folder of the round's training files")
    ap.add_argument("--test-out", type=Path, required=True, help="the held-out test file (must not exist yet)")
    args = ap.parse_args()
    if args.test_out.exists():
        raise SystemExit(f"{args.test_out} exists already: give a new file for this round's held-out comments")
    index, report = Index(), {"dropped": []}
    for row in existing_rows(args.round, args.test_out):
        index.add(row)
    kept = read_new(args.folder, index, report)
    train, test = holdout(kept, args.holdout, args.seed)
    args.train_out.mkdir(parents=True, exist_ok=True)
    args.test_out.parent.mkdir(parents=True, exist_ok=True)
    for key, rows in train.items():
        write(args.train_out / f"{args.round}_{key}.jsonl", rows)
    write(args.test_out, test)
    report["read"] = {k: len(v) for k, v in kept.items()}
    report["train"] = {k: dict(Counter(r["sentiment"] for r in v), total=len(v)) for k, v in train.items()}
    report["test"] = {k: sum(r["id"] in {x["id"] for x in kept[k]} for r in test) for k in kept} | {
        "levels": dict(Counter(r["sentiment"] for r in test)),
        "total": len(test),
    }
    report["dropped_by_reason"] = dict(Counter(d["why"].split(" of ")[0] for d in report["dropped"]))
    print(json.dumps(report, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
