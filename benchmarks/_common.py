"""Shared helpers for benchmarks: benchmark data from the corpus and a peak-RSS sampler."""

from __future__ import annotations

import json
import random
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]


def machine() -> str:
    """The CPU and the instruction sets that decide the bf16/int8 speed (the development machines differ by session)."""
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").is_file() else ""
    name = next((line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("model name")), "?")
    flags = next((line.split(":", 1)[1].split() for line in info.splitlines() if line.startswith("flags")), [])
    wanted = ("avx512_bf16", "avx512_vnni", "amx_bf16", "amx_int8")
    return f"{name}; {', '.join(f for f in wanted if f in flags) or 'no AVX512-BF16/VNNI/AMX'}"


def corpus_texts() -> list[str]:
    rows = []
    for split in ("train", "test"):
        for f in sorted((ROOT / "data" / "corpus" / split).glob("*.jsonl")):
            rows += [json.loads(line)["text"] for line in f.read_text("utf-8").splitlines() if line.strip()]
    return rows


def benchmark_sets(n: int = 2000, seed: int = 7) -> dict[str, list[str]]:
    """short (median ~20 words), long (~150 words: a long comment topped up with short ones), and a mix.
    Every text in a set is distinct: ``predict`` runs identical inputs once, and a set drawn with repeats
    would credit it with work the other side does (a real file's repeats are the user's gain, not ours)."""
    rng = random.Random(seed)
    texts = corpus_texts()
    short = [t for t in texts if 5 <= len(t.split()) <= 45]
    long_ = [t for t in texts if len(t.split()) >= 90]

    def topped_up() -> str:
        t = rng.choice(long_) + " " + rng.choice(short)
        while len(t.split()) < 140:
            t = t + " " + rng.choice(short)
        return t

    return {
        "short": _distinct(lambda: rng.choice(short), n),
        "long": _distinct(topped_up, n),
        "mix": _distinct(lambda: rng.choice(texts), n),
    }


def _distinct(draw, n: int) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < n:
        t = draw()
        if t not in seen:
            seen.add(t)
            out.append(t)
    return out


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
