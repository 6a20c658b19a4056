"""The run manifest: what a resumable run's output depends on, for both engines.

A manifest records the input (name, size, modification time, SHA-256 of the first MiB), the model's
identity (its weights' checksums AND its configuration — labels, theme thresholds, lexical weight — as
loaded from ``config.json``) and the options that change the rows. A resumed run whose manifest differs
is refused with a message that says what changed (single process) or redoes the shard (Ray)."""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from pathlib import Path

from stamning.model.config import model_identity

MANIFEST_VERSION = 3  # 3: a Windows-1252 file's lost emoji are left out of what the model reads
BLOCK = 1 << 20


def input_fingerprint(path: Path) -> dict:
    stat = path.stat()
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        digest.update(fh.read(BLOCK))
    return {"name": path.name, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "head_sha256": digest.hexdigest()}


def run_manifest(input_path: Path, config, columns, options: dict) -> dict:
    return {
        "version": MANIFEST_VERSION,
        "input": input_fingerprint(input_path),
        "model": model_identity(config),
        "columns": asdict(columns),
        "options": options,
    }


def differences(old: dict, new: dict) -> list[str]:
    """What changed between two manifests, in Swedish words a user can act on."""
    if old.get("version") != new.get("version"):
        return ["de sparade delarna kommer från en annan version av stamning"]
    changes = []
    if old.get("input") != new.get("input"):
        changes.append("indatafilen har ändrats")
    old_model, new_model = old.get("model") or {}, new.get("model") or {}
    if old_model.get("weights_sha256") != new_model.get("weights_sha256"):
        changes.append("modellens vikter är andra")
    if old_model.get("config_sha256") != new_model.get("config_sha256"):
        changes.append("modellens config.json (t.ex. temagränserna) har ändrats")
    if old.get("columns") != new.get("columns"):
        changes.append("kolumnerna som läses är andra")
    old_options, new_options = old.get("options") or {}, new.get("options") or {}
    for key in sorted(set(old_options) | set(new_options)):
        if old_options.get(key) != new_options.get(key):
            changes.append(f"--{key.replace('_', '-')} ({old_options.get(key)} → {new_options.get(key)})")
    return changes or ["manifestet skiljer sig"]
