"""Which model a name means, loading it, and the offline policy for model hubs.

``None`` or ``"default"`` is the embedded default model; anything else is a stamning model directory.
Nothing here reaches a network: :func:`hub_offline_default` sets ``HF_HUB_OFFLINE=1`` unless the user opted in
with ``STAMNING_ALLOW_DOWNLOAD=1``.
"""

from __future__ import annotations

import os
import sys
from importlib import resources
from pathlib import Path

from stamning.errors import ModelError

DEFAULT_MODEL = "default"


def default_model_dir() -> Path:
    return Path(str(resources.files("stamning").joinpath("resources/default_model")))


def load_model(name_or_dir: str | Path | None = None, device: str = "cpu"):
    """The default model (``None`` or ``'default'``) or a stamning model directory."""
    from stamning.model.classifier import StamningModel

    device = str(device)  # a Device member or its text
    if device.startswith("cuda"):
        import torch

        if not torch.cuda.is_available():
            raise ModelError("--device cuda men ingen CUDA-GPU finns här; använd --device cpu")
    return StamningModel.from_pretrained(resolve_model_dir(name_or_dir), device=device)


def resolve_model_dir(name_or_dir: str | Path | None) -> Path:
    """The one place that turns ``None`` / ``'default'`` / a path into a model directory."""
    if name_or_dir in (None, DEFAULT_MODEL):
        path = default_model_dir()
        if not (path / "config.json").is_file():
            raise ModelError(f"standardmodellen saknas i {path}; installera om stamning")
        return path
    path = Path(name_or_dir).expanduser()
    if not path.is_dir():
        raise ModelError(f"{path}: modellmappen finns inte; träna en med `stamning train` eller utelämna --model")
    return path


def hub_offline_default() -> None:
    """No hub traffic unless the user opted in (``STAMNING_ALLOW_DOWNLOAD=1``)."""
    if os.environ.get("STAMNING_ALLOW_DOWNLOAD") != "1":
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if "transformers" not in sys.modules:
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
