"""Memory hygiene for long classify runs (stamning.model.heap)."""

from __future__ import annotations

import sys

import pytest

from stamning.model.heap import KERNEL_CACHE_CAPACITY, cap_kernel_cache, release_free_memory


def test_kernel_cache_cap_keeps_a_users_value(monkeypatch):
    monkeypatch.delenv("ONEDNN_PRIMITIVE_CACHE_CAPACITY", raising=False)
    cap_kernel_cache()
    import os

    assert os.environ["ONEDNN_PRIMITIVE_CACHE_CAPACITY"] == str(KERNEL_CACHE_CAPACITY)
    monkeypatch.setenv("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "512")
    cap_kernel_cache()
    assert os.environ["ONEDNN_PRIMITIVE_CACHE_CAPACITY"] == "512"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc heap trimming is Linux-only")
def test_freed_memory_goes_back_to_the_system():
    import psutil

    proc = psutil.Process()
    release_free_memory()
    before = proc.memory_info().rss
    blocks = [bytearray(100_000) for _ in range(2_000)]  # ~200 MB in heap-sized (not mmapped) blocks
    for block in blocks[:-1]:
        block[0] = 1
    del blocks[:-1]
    assert release_free_memory() is True
    assert proc.memory_info().rss - before < 100 * 2**20
