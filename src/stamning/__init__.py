"""stamning: sentiment (five levels) and themes in Swedish free-text feedback.

The public verbs live in their own modules and are re-exported lazily here, so that
``import stamning`` stays cheap and has no side effects (no model is loaded, no torch import).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "Comment": "stamning.records",
    "Prediction": "stamning.records",
    "SENTIMENT_LEVELS": "stamning.records",
    "read_comments": "stamning.io",
    "write_table": "stamning.io",
    "load_taxonomy": "stamning.taxonomy",
    "StamningModel": "stamning.model",
    "classify_file": "stamning.pipeline",
    "train": "stamning.train",
    "TrainConfig": "stamning.train",
    "evaluate": "stamning.evaluate",
    "summarize": "stamning.summarize",
    "redact": "stamning.redact",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'stamning' has no attribute {name!r}")
    return getattr(import_module(module), name)
