"""stamning's classify path vs a plain transformers pipeline, same weights, same data, one process.

The alternative is what a user would write: ``transformers.pipeline("text-classification")``, one per
head (sentiment: softmax; themes: sigmoid), fp32, batch_size 16, on a transformers ``BertModel`` that
holds the same weights (LoRA merged by peft) and head. The model's lexical theme scores are blended into
the pipeline's theme probabilities the same way, so both sides compute the same function. stamning runs
its own path (built-in BERT encoder, length-sorted batches, bf16 autocast). Prints comments/second, peak
memory and label agreement, as ratios.

    .venv/bin/python benchmarks/throughput.py [--model DIR] [--n 2000] [--device cpu|cuda]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import torch
from torch import nn
from transformers import PretrainedConfig, PreTrainedModel, pipeline
from transformers.modeling_outputs import SequenceClassifierOutput

from _common import ROOT, PeakRSS, benchmark_sets
from stamning.model import StamningModel
from stamning.pipeline import default_model_dir, load_model
from stamning.records import SENTIMENT_LEVELS


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


def plain_pipelines(model, device):
    labels = list(SENTIMENT_LEVELS)
    sc = HeadConfig(num_labels=5, id2label=dict(enumerate(labels)), label2id={l: i for i, l in enumerate(labels)})
    keys = model.config.theme_keys
    tc = HeadConfig(num_labels=len(keys), id2label=dict(enumerate(keys)), label2id={k: i for i, k in enumerate(keys)},
                    problem_type="multi_label_classification")
    dev = 0 if device == "cuda" else -1
    sent = pipeline("text-classification", model=MeanPoolHead(sc, model.encoder, model.sentiment_head).eval(),
                    tokenizer=model.tokenizer, device=dev, top_k=None, function_to_apply="softmax", batch_size=16)
    themes = pipeline("text-classification", model=MeanPoolHead(tc, model.encoder, model.theme_head).eval(),
                      tokenizer=model.tokenizer, device=dev, top_k=None, function_to_apply="sigmoid", batch_size=16)
    return sent, themes


def run_plain(pipes, model, texts):
    sent, themes = pipes
    inputs = [model.config.input_prefix + t for t in texts]
    kw = dict(truncation=True, max_length=model.config.max_length)
    s_out, t_out = sent(inputs, **kw), themes(inputs, **kw)
    labels = [max(r, key=lambda d: d["score"])["label"] for r in s_out]
    keys, thr = model.config.theme_keys, np.array(model.config.theme_thresholds)
    probs = np.array([[{d["label"]: d["score"] for d in r}[k] for k in keys] for r in t_out])
    if model.lexical is not None:
        w = model.config.lexical_theme_weight
        probs = w * model.lexical.predict_proba(texts) + (1 - w) * probs
    theme_sets = [tuple(sorted(k for k, p, t in zip(keys, row, thr) if p >= t)) for row in probs]
    return labels, theme_sets


def run_stamning(model, texts, precision, detect_mixed=False):
    preds = model.predict(texts, batch_size=64, precision=precision, detect_mixed=detect_mixed)
    return [p.sentiment for p in preds], [tuple(sorted(p.themes)) for p in preds]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=None)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--sets", default="short,long,mix")
    args = ap.parse_args()
    torch.manual_seed(0)
    model = load_model(args.model, device=args.device)
    reference = StamningModel.from_pretrained(args.model or default_model_dir(), device=args.device, backend="transformers")
    pipes = plain_pipelines(reference, args.device)
    sets = benchmark_sets(args.n)
    fast = "bf16" if args.device == "cpu" else "bf16"
    results = {}
    for name in args.sets.split(","):
        texts = sets[name]
        words = int(np.median([len(t.split()) for t in texts]))
        with PeakRSS() as plain_m:
            plain = run_plain(pipes, reference, texts)
        with PeakRSS() as ours_m:
            ours = run_stamning(model, texts, fast)
        with PeakRSS() as fp32_m:
            ours32 = run_stamning(model, texts, "fp32")
        agree = np.mean([a == b for a, b in zip(plain[0], ours[0])])
        agree32 = np.mean([a == b for a, b in zip(plain[0], ours32[0])])
        theme_agree = np.mean([a == b for a, b in zip(plain[1], ours[1])])
        r = {"n": len(texts), "median_words": words,
             "pipeline_per_s": len(texts) / plain_m.seconds, "stamning_bf16_per_s": len(texts) / ours_m.seconds,
             "stamning_fp32_per_s": len(texts) / fp32_m.seconds,
             "pipeline_peak_mb": plain_m.peak_mb, "stamning_peak_mb": ours_m.peak_mb,
             "sentiment_agreement_bf16_vs_pipeline": agree, "sentiment_agreement_fp32_vs_pipeline": agree32,
             "theme_set_agreement_bf16_vs_pipeline": theme_agree}
        r["speedup_bf16"] = r["stamning_bf16_per_s"] / r["pipeline_per_s"]
        r["speedup_fp32"] = r["stamning_fp32_per_s"] / r["pipeline_per_s"]
        results[name] = r
        print(f"{name:6} n={len(texts)} median {words} words | pipeline {r['pipeline_per_s']:.1f}/s | "
              f"stamning fp32 {r['stamning_fp32_per_s']:.1f}/s ({r['speedup_fp32']:.2f}x) | "
              f"stamning bf16 {r['stamning_bf16_per_s']:.1f}/s ({r['speedup_bf16']:.2f}x) | "
              f"agreement bf16 {agree:.1%} fp32 {agree32:.1%} themes {theme_agree:.1%} | "
              f"peak RSS pipeline {plain_m.peak_mb:.0f} MB, stamning {ours_m.peak_mb:.0f} MB", flush=True)
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / f"throughput_{args.device}.json").write_text(json.dumps(results, indent=2), "utf-8")


if __name__ == "__main__":
    main()
