"""The encoder's layers on real tokens only (today) against the same layers on the padded grid (before),
in one process, alternating A B A B on the default model with ``classify``'s defaults (``predict``, batch
32, ``mixed`` on, precision auto). Agreement per comment: the sentiment label and theme set; ``identical``:
every probability bit-identical.

    cd benchmarks && ../.venv/bin/python padding_skip.py [--n 1000] [--repeats 2]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import time

import torch
import torch.nn.functional as F

from _common import ROOT, benchmark_sets
from stamning.encoders import bert
from stamning.encoders.bert import BertOutput
from stamning.model.loading import load_model
from throughput import tweets


def _padded_layer(self, x, keep):  # the layer before: every product over the padded grid
    b, n, h = x.shape[0], x.shape[1], self.hidden
    q, k, v = self._linear(x, "qkv").view(b, n, 3, self.heads, h // self.heads).permute(2, 0, 3, 1, 4)
    ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=keep).transpose(1, 2).reshape(b, n, h)
    x = F.layer_norm(x + self._linear(ctx, "attn_out"), (h,), self.attn_norm_weight, self.attn_norm_bias, self.eps)
    y = self._linear(self.act(self._linear(x, "ffn_in")), "ffn_out")
    return F.layer_norm(x + y, (h,), self.ffn_norm_weight, self.ffn_norm_bias, self.eps)


def _padded_forward(self, input_ids, attention_mask=None):
    n = input_ids.shape[1]
    words = self.lazy_rows.lookup(input_ids) if self.lazy_rows is not None else F.embedding(input_ids, self.word)
    x = F.layer_norm(
        words + self.position[:n] + self.token_type[0], (self.hidden,), self.norm_weight, self.norm_bias, self.eps
    )
    keep = None if attention_mask is None else attention_mask.bool()[:, None, None, :]
    for layer in self.layers:
        x = _padded_layer(layer, x, keep)
    return BertOutput(last_hidden_state=x)


@contextlib.contextmanager
def padded():
    today = bert.BertEncoder.forward
    bert.BertEncoder.forward = _padded_forward
    try:
        yield
    finally:
        bert.BertEncoder.forward = today


def timed(model, texts):
    start = time.perf_counter()
    preds = model.predict(texts)
    return time.perf_counter() - start, preds


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args()
    torch.manual_seed(0)
    model = load_model()
    sets = benchmark_sets(args.n) | {"tweets": tweets(args.n)}
    sets["long"] = sets["long"][: max(1, args.n // 4)]
    out = {}
    for name in ("short", "tweets", "long"):
        texts = sets[name]
        model.predict(texts[:64])  # warm-up
        ratios, today_s, before_s = [], [], []
        for _ in range(args.repeats):
            with padded():
                b, before = timed(model, texts)
            a, now = timed(model, texts)
            ratios.append(b / a)
            today_s.append(a)
            before_s.append(b)
        same = [(p.sentiment, p.themes) == (q.sentiment, q.themes) for p, q in zip(now, before)]
        identical = [p.probabilities == q.probabilities for p, q in zip(now, before)]
        out[name] = {
            "texts": len(texts),
            "per_s_today": len(texts) / min(today_s),
            "per_s_before": len(texts) / min(before_s),
            "speed_ratio_per_pair": [round(r, 3) for r in ratios],
            "agreement": sum(same) / len(same),
            "identical": sum(identical) / len(identical),
        }
        print(name, json.dumps(out[name]), flush=True)
    (ROOT / "benchmarks" / "results").mkdir(exist_ok=True)
    (ROOT / "benchmarks" / "results" / "padding_skip.json").write_text(json.dumps(out, indent=1), "utf-8")


if __name__ == "__main__":
    main()
