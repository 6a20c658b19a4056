"""What users run, against what they would write instead: same weights, same data, one process, one run.

* **stamning**: ``model.predict`` with the defaults ``classify`` uses (batch 64, ``mixed`` on, precision
  auto = bf16 where the CPU has it), built-in encoder, length-sorted fixed-width batches.
* **two pipelines**: ``transformers.pipeline("text-classification")`` once per head (softmax sentiment,
  sigmoid themes) on a transformers ``BertModel`` with the same weights (LoRA merged by peft), fp32,
  batch 32; lexical theme scores blended in the same way, so both sides compute the same function.
* **one plain pass**: the same transformers model, fp32, batches of 32 in input order padded to the
  longest, both heads from one pass (no ``mixed``).

Sets: ``short`` (corpus comments of 5-45 words, median ~18), ``tweets`` (real short Swedish text from
``../shared/data/real-dev`` where present), ``long`` (~150 words) and ``mix`` (the corpus as it comes).
Then ``end to end``: ``stamning classify`` on a CSV of ``--e2e-rows`` short comments in a fresh process
(start-up, reading and writing included). Prints rates, ratios and label agreement; writes
``benchmarks/results/throughput_<device>.json``.

    cd benchmarks && python throughput.py [--n 1000] [--e2e-rows 4000] [--sets short,tweets,long,mix]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from transformers import PretrainedConfig, PreTrainedModel, pipeline
from transformers.modeling_outputs import SequenceClassifierOutput

from _common import ROOT, PeakRSS, benchmark_sets, machine
from stamning.model.classifier import StamningModel
from stamning.model.loading import default_model_dir, load_model
from stamning.records import SENTIMENT_LEVELS

REAL_DEV = Path("data") / "real-dev" / "swe-sentiment-dataset.csv"


class HeadConfig(PretrainedConfig):
    model_type = "stamning-head"


class MeanPoolHead(PreTrainedModel):
    """A transformers classification model: the stamning encoder + mean pooling + one head."""

    config_class = HeadConfig

    def __init__(self, config, encoder, head):
        super().__init__(config)
        self.encoder, self.head = encoder, head

    def forward(self, input_ids=None, attention_mask=None, **kwargs):
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        m = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1.0)
        return SequenceClassifierOutput(logits=self.head(pooled))


def plain_pipelines(model, device, batch_size=32):
    labels = list(SENTIMENT_LEVELS)
    sc = HeadConfig(num_labels=5, id2label=dict(enumerate(labels)), label2id={name: i for i, name in enumerate(labels)})
    keys = model.config.theme_keys
    tc = HeadConfig(
        num_labels=len(keys),
        id2label=dict(enumerate(keys)),
        label2id={k: i for i, k in enumerate(keys)},
        problem_type="multi_label_classification",
    )
    dev = 0 if device == "cuda" else -1
    kw = dict(tokenizer=model.tokenizer, device=dev, top_k=None, batch_size=batch_size)
    sent = pipeline(
        "text-classification",
        model=MeanPoolHead(sc, model.encoder, model.sentiment_head).eval(),
        function_to_apply="softmax",
        **kw,
    )
    themes = pipeline(
        "text-classification",
        model=MeanPoolHead(tc, model.encoder, model.theme_head).eval(),
        function_to_apply="sigmoid",
        **kw,
    )
    return sent, themes


def _theme_sets(model, texts, probs):
    if model.lexical is not None:
        w = model.config.lexical_theme_weight
        probs = w * model.lexical.predict_proba(texts) + (1 - w) * probs
    keys, thr = model.config.theme_keys, model.config.theme_thresholds
    return [tuple(sorted(k for k, p, t in zip(keys, row, thr) if p >= t)) for row in probs]


def run_pipelines(pipes, model, texts):
    sent, themes = pipes
    inputs = [model.config.input_prefix + t for t in texts]
    kw = dict(truncation=True, max_length=model.config.max_length)
    s_out, t_out = sent(inputs, **kw), themes(inputs, **kw)
    labels = [max(r, key=lambda d: d["score"])["label"] for r in s_out]
    probs = np.array([[{d["label"]: d["score"] for d in r}[k] for k in model.config.theme_keys] for r in t_out])
    return labels, _theme_sets(model, texts, probs)


def run_plain_pass(model, texts, batch_size=32):
    """One fp32 encoder pass over the texts in input order, both heads, padding to each batch's longest."""
    tok, cfg = model.tokenizer, model.config
    labels, probs = [], []
    with torch.inference_mode():
        for s in range(0, len(texts), batch_size):
            b = tok(
                [cfg.input_prefix + t for t in texts[s : s + batch_size]],
                padding=True,
                truncation=True,
                max_length=cfg.max_length,
                return_tensors="pt",
            )
            s_logits, t_logits = model(b["input_ids"], b["attention_mask"])
            labels += [SENTIMENT_LEVELS[i] for i in s_logits.argmax(-1).tolist()]
            probs.append(torch.sigmoid(t_logits).numpy())
    return labels, _theme_sets(model, texts, np.concatenate(probs))


def run_stamning(model, texts):
    preds = model.predict(texts)  # classify's defaults: batch 64, mixed on, precision auto
    return [p.sentiment for p in preds], [tuple(sorted(p.themes)) for p in preds], sum(p.mixed for p in preds)


def tweets(n: int, seed: int = 7) -> list[str]:
    """Real short Swedish text from the shared folder next to the checkout (main or a worktree)."""
    found = [p / "shared" / REAL_DEV for p in (ROOT.parent, ROOT.parents[1]) if (p / "shared" / REAL_DEV).is_file()]
    if not found:
        return []
    rows = list(dict.fromkeys(r["text"] for r in csv.DictReader(found[0].open(encoding="utf-8")) if r["text"].strip()))
    return random.Random(seed).sample(rows, min(n, len(rows)))  # distinct texts (see _common.benchmark_sets)


def agreement(a, b) -> float:
    return float(np.mean([x == y for x, y in zip(a, b)]))


def end_to_end(texts: list[str]) -> dict:
    """``stamning classify`` in a fresh process on a CSV of ``texts``: wall time, start-up included."""
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "in.csv", Path(tmp) / "out.csv"
        with src.open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, delimiter=";")
            w.writerow(["id", "kommentar"])
            w.writerows([i + 1, t] for i, t in enumerate(texts))
        cmd = [sys.executable, "-c", "from stamning.cli import main; main()", "classify", str(src), "-o", str(out)]
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=os.environ | {"PYTHONPATH": str(ROOT / "src")})
        seconds = time.perf_counter() - start
        rows = sum(1 for _ in out.open(encoding="utf-8")) - 1 if out.is_file() else 0
    if proc.returncode != 0:
        raise SystemExit(f"stamning classify failed: {proc.stdout[-500:]} {proc.stderr[-500:]}")
    return {"rows": len(texts), "rows_written": rows, "seconds": seconds, "per_s": len(texts) / seconds}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=None)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--sets", default="short,tweets,long,mix")
    ap.add_argument("--e2e-rows", type=int, default=4000, help="0 skips the end-to-end run")
    args = ap.parse_args()
    torch.manual_seed(0)
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, cores {os.cpu_count()}; {machine()}", flush=True
    )
    model = load_model(args.model, device=args.device)
    reference = StamningModel.from_pretrained(
        args.model or default_model_dir(), device=args.device, backend="transformers"
    )
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity(hf_logging.CRITICAL)  # "MeanPoolHead is not supported for text-classification"
    pipes = plain_pipelines(reference, args.device)
    sets = benchmark_sets(args.n) | {"tweets": tweets(args.n)}
    results = {}
    for name in args.sets.split(","):
        texts = sets[name]
        if not texts:
            print(f"{name}: no data here, skipped")
            continue
        model.predict(texts[:8])  # warm-up: first-call costs belong to the cold start, not the rate
        with PeakRSS() as pipe_m:
            pipe = run_pipelines(pipes, reference, texts)
        with PeakRSS() as plain_m:
            plain = run_plain_pass(reference, texts)
        with PeakRSS() as ours_m:
            *ours, mixed = run_stamning(model, texts)
        n = len(texts)
        r = {
            "n": n,
            "median_words": float(np.median([len(t.split()) for t in texts])),
            "pipelines_per_s": n / pipe_m.seconds,
            "plain_pass_per_s": n / plain_m.seconds,
            "stamning_per_s": n / ours_m.seconds,
            "mixed_flagged": mixed,
            "sentiment_agreement_vs_pipelines": agreement(ours[0], pipe[0]),
            "theme_set_agreement_vs_pipelines": agreement(ours[1], pipe[1]),
            "sentiment_agreement_vs_plain_pass": agreement(ours[0], plain[0]),
            "theme_set_agreement_vs_plain_pass": agreement(ours[1], plain[1]),
            "peak_mb": {"pipelines": pipe_m.peak_mb, "plain_pass": plain_m.peak_mb, "stamning": ours_m.peak_mb},
        }
        r["ratio_vs_pipelines"] = r["stamning_per_s"] / r["pipelines_per_s"]
        r["ratio_vs_plain_pass"] = r["stamning_per_s"] / r["plain_pass_per_s"]
        results[name] = r
        print(
            f"{name:6} n={n} median {r['median_words']:.0f} words | two pipelines {r['pipelines_per_s']:.1f}/s | "
            f"plain pass {r['plain_pass_per_s']:.1f}/s | stamning {r['stamning_per_s']:.1f}/s = "
            f"{r['ratio_vs_pipelines']:.2f}x pipelines, {r['ratio_vs_plain_pass']:.2f}x plain pass | "
            f"agreement sentiment/themes vs pipelines {r['sentiment_agreement_vs_pipelines']:.1%}/"
            f"{r['theme_set_agreement_vs_pipelines']:.1%}, vs plain {r['sentiment_agreement_vs_plain_pass']:.1%}/"
            f"{r['theme_set_agreement_vs_plain_pass']:.1%} | mixed {mixed}",
            flush=True,
        )
    if args.e2e_rows:
        short = benchmark_sets(args.e2e_rows, seed=11)["short"]
        e2e = end_to_end(short)
        results["end_to_end_short"] = e2e
        print(
            f"end to end: stamning classify, {e2e['rows']} short comments CSV -> CSV, fresh process: "
            f"{e2e['seconds']:.1f} s = {e2e['per_s']:.0f} comments/s (rows written {e2e['rows_written']})",
            flush=True,
        )
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / f"throughput_{args.device}.json").write_text(json.dumps(results, indent=2), "utf-8")


if __name__ == "__main__":
    main()
