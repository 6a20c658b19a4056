"""Precision and recall of stamning.privacy.redactor.find_pii on the hand-labelled set data/pii/redaction_set.jsonl.

    .venv/bin/python benchmarks/redaction_eval.py [--set PATH] [--errors]

Two views, per kind and overall (micro):
- span: a predicted span counts only when start, end and kind equal a labelled span;
- token: each word (``\\w+``) is labelled with the kind of the span it lies in (or none), and
  counted per kind; the ``redacted`` row ignores the kind (a word that is personal data and was
  replaced by any placeholder is a hit), which is what matters for privacy.

Labelling conventions of the set: a full name is one span (``Anna Berg``), a genitive includes its
-s (``Annas``), titles and roles are outside the span (``rektor [Berg]``); an address spans street,
number, letter, flat, floor, postcode and town when they follow the street; names inside the name
of a place or institution (``Anna-Karin Lind-skolan``, ``Astrid Lindgrens skola``) are not personal
data; a postcode, a street without a number or a flat number alone is not an address.

Exits 1 when span recall on PERSONNUMMER, EPOST or TELEFON is below 100 %.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

from stamning.privacy.redactor import KINDS, Redactor, Span

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SET = ROOT / "data" / "pii" / "redaction_set.jsonl"
MUST_FIND = ("PERSONNUMMER", "EPOST", "TELEFON")
_WORD = re.compile(r"\w+")


def load_set(path: Path = DEFAULT_SET) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    for row in rows:
        for s in row["spans"]:
            if not (0 <= s["start"] < s["end"] <= len(row["text"])) or s["kind"] not in KINDS:
                raise ValueError(f"{row['id']}: bad span {s}")
    return rows


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def _token_kinds(text: str, spans: list[Span]) -> list[str | None]:
    kinds = []
    for m in _WORD.finditer(text):
        kinds.append(next((s.kind for s in spans if s.start < m.end() and m.start() < s.end), None))
    return kinds


def evaluate(rows: list[dict], redactor: Redactor | None = None) -> dict:
    """Counts and scores; ``result["span"][kind]`` and ``result["token"][kind]`` hold tp, fp, fn, p, r, f."""
    redactor = redactor or Redactor()
    span_counts = {k: Counter() for k in (*KINDS, "overall")}
    token_counts = {k: Counter() for k in (*KINDS, "overall", "redacted")}
    errors = []
    for row in rows:
        gold = {Span(s["start"], s["end"], s["kind"]) for s in row["spans"]}
        pred = set(redactor.find(row["text"]))
        for kind in KINDS:
            g = {s for s in gold if s.kind == kind}
            p = {s for s in pred if s.kind == kind}
            for key in (kind, "overall"):
                span_counts[key]["tp"] += len(g & p)
                span_counts[key]["fp"] += len(p - g)
                span_counts[key]["fn"] += len(g - p)
        if gold != pred:
            errors.append((row["id"], row["text"], sorted(gold - pred), sorted(pred - gold)))
        for g, p in zip(_token_kinds(row["text"], list(gold)), _token_kinds(row["text"], list(pred))):
            if g is not None and g == p:
                token_counts[g]["tp"] += 1
                token_counts["overall"]["tp"] += 1
            else:
                if g is not None:
                    token_counts[g]["fn"] += 1
                    token_counts["overall"]["fn"] += 1
                if p is not None:
                    token_counts[p]["fp"] += 1
                    token_counts["overall"]["fp"] += 1
            if g is not None or p is not None:
                key = "tp" if g is not None and p is not None else "fn" if g is not None else "fp"
                token_counts["redacted"][key] += 1
    result = {"span": {}, "token": {}, "errors": errors, "rows": len(rows)}
    for view, counts in (("span", span_counts), ("token", token_counts)):
        for kind, c in counts.items():
            p, r, f = _prf(c["tp"], c["fp"], c["fn"])
            result[view][kind] = {"tp": c["tp"], "fp": c["fp"], "fn": c["fn"], "p": p, "r": r, "f": f}
    return result


def format_table(result: dict) -> str:
    lines = [
        f"{'kind':<14}{'gold':>6}{'span P':>9}{'span R':>9}{'span F1':>9}   {'token P':>8}{'token R':>9}{'token F1':>9}"
    ]
    for kind in (*KINDS, "overall", "redacted"):
        t = result["token"][kind]
        if kind == "redacted":
            lines.append(f"{kind:<14}{t['tp'] + t['fn']:>6}{'':>27}   {t['p']:>8.3f}{t['r']:>9.3f}{t['f']:>9.3f}")
            continue
        s = result["span"][kind]
        lines.append(
            f"{kind:<14}{s['tp'] + s['fn']:>6}{s['p']:>9.3f}{s['r']:>9.3f}{s['f']:>9.3f}   "
            f"{t['p']:>8.3f}{t['r']:>9.3f}{t['f']:>9.3f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", type=Path, default=DEFAULT_SET, help="labelled JSONL (id, text, spans)")
    parser.add_argument("--errors", action="store_true", help="print each sentence with a missed or extra span")
    args = parser.parse_args(argv)
    rows = load_set(args.set)
    redactor = Redactor()
    start = time.perf_counter()
    result = evaluate(rows, redactor)
    elapsed = time.perf_counter() - start
    with_pii = sum(bool(r["spans"]) for r in rows)
    print(
        f"{len(rows)} sentences ({with_pii} with personal data, {len(rows) - with_pii} without), "
        f"{elapsed * 1000:.0f} ms\n"
    )
    print(format_table(result))
    if args.errors:
        print()
        for row_id, text, missed, extra in result["errors"]:
            print(f"{row_id}: {text}")
            for label, spans in (("missed", missed), ("extra", extra)):
                for s in spans:
                    print(f"    {label:<6} {s.kind:<12} {text[s.start : s.end]!r}")
    failed = [k for k in MUST_FIND if result["span"][k]["r"] < 1.0]
    if failed:
        print(f"\nFAIL: span recall below 100 % for {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
