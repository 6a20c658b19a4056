"""stamning: sentiment (five levels) and themes in Swedish free-text feedback.

The public API, re-exported lazily so that ``import stamning`` stays cheap and has no side effects (no model
is loaded, torch is not imported):

- models: :func:`load_model`, :class:`StamningModel` (``predict``, ``predict_proba``, ``save_pretrained``)
- files: :func:`classify_file` (with :class:`ClassifyOptions`), :func:`summarize_file`, :func:`compare_file`
  (with :class:`SurveyOptions`), :func:`read_comments`, :func:`write_table`
- tables: :func:`summarize`, :func:`compare`
- privacy: :func:`redact` (a text), :func:`redact_file` (a table's text column)
- training: :func:`train` (with :class:`TrainConfig`), :func:`evaluate`
- records: :class:`Comment`, :class:`Prediction`, ``SENTIMENT_LEVELS``; themes: :func:`load_taxonomy`

The layers live in subpackages: ``io`` → ``encoders`` → ``model`` / ``themes`` → ``training`` → ``summary`` →
``report`` → ``engines`` → ``cli`` / ``web``, with ``privacy`` and ``store`` beside them (see CONTRIBUTING.md).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.2.0"

_EXPORTS = {
    "Comment": "stamning.records",
    "Prediction": "stamning.records",
    "SENTIMENT_LEVELS": "stamning.records",
    "ClassifyOptions": "stamning.options",
    "read_comments": "stamning.io.tables",
    "write_table": "stamning.io.tables",
    "load_taxonomy": "stamning.themes.taxonomy",
    "StamningModel": "stamning.model.classifier",
    "load_model": "stamning.model.loading",
    "classify_file": "stamning.engines.local",
    "summarize_file": "stamning.engines.survey",
    "compare_file": "stamning.engines.survey",
    "SurveyOptions": "stamning.engines.survey",
    "summarize": "stamning.summary.rounds",
    "compare": "stamning.summary.compare",
    "redact": "stamning.privacy.redactor",
    "redact_file": "stamning.privacy.files",
    "train": "stamning.training.trainer",
    "TrainConfig": "stamning.training.trainer",
    "evaluate": "stamning.training.evaluate",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'stamning' has no attribute {name!r}")
    return getattr(import_module(module), name)


def __dir__() -> list[str]:
    return __all__
