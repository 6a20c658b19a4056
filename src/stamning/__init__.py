"""stamning: sentiment (five levels) and themes in Swedish free-text feedback.

The public verbs live in their own modules and are re-exported lazily here, so that
``import stamning`` stays cheap and has no side effects (no model is loaded, no torch import).

``stamning.summarize``, ``stamning.train``, ``stamning.evaluate`` and ``stamning.redact`` are always the
*functions*, also after their module of the same name was imported (Python would otherwise bind the
module to the package attribute on that import). Reach the modules with
``from stamning.summarize import …`` or ``importlib.import_module("stamning.summarize")``.
"""

from __future__ import annotations

import sys
import types
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


_SHADOWED = frozenset(name for name, module in _EXPORTS.items() if module == f"{__name__}.{name}")


class _Package(types.ModuleType):
    """Keeps an exported function from being replaced by its same-named submodule when that is imported."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _SHADOWED and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
