"""Shared helpers for benchmarks: benchmark data from the corpus and a peak-RSS sampler."""

from __future__ import annotations

import json
import random
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]


def corpus_texts() -> list[str]:
    rows = []
    for split in ("train", "test"):
        for f in sorted((ROOT / "data" / "corpus" / split).glob("*.jsonl")):
            rows += [json.loads(line)["text"] for line in f.read_text("utf-8").splitlines() if line.strip()]
    return rows


def benchmark_sets(n: int = 2000, seed: int = 7) -> dict[str, list[str]]:
    """short (median ~20 words), long (~150 words: long comments, topped up with a second one), and a mix."""
    rng = random.Random(seed)
    texts = corpus_texts()
    short = [t for t in texts if 5 <= len(t.split()) <= 45]
    long_ = [t for t in texts if len(t.split()) >= 90]
    shorts = [rng.choice(short) for _ in range(n)]
    longs = []
    for _ in range(n):
        t = rng.choice(long_)
        while len(t.split()) < 140:
            t = t + " " + rng.choice(short)
        longs.append(t)
    mix = [rng.choice(texts) for _ in range(n)]
    return {"short": shorts, "long": longs, "mix": mix}


class PeakRSS:
    """Peak resident memory of this process while the block runs, sampled every 5 ms (MB above the start)."""

    def __enter__(self):
        self.proc = psutil.Process()
        self.start = self.peak = self.proc.memory_info().rss
        self.running = True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        self.t0 = time.perf_counter()
        return self

    def _sample(self):
        while self.running:
            self.peak = max(self.peak, self.proc.memory_info().rss)
            time.sleep(0.005)

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.t0
        self.running = False
        self.thread.join()
        self.peak_mb = self.peak / 2**20
        self.delta_mb = (self.peak - self.start) / 2**20
