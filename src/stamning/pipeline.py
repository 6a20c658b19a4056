"""Compatibility: the paths documented before 0.2 (``stamning.pipeline.load_model``, ``classify_file``).

New code imports from :mod:`stamning` (``stamning.load_model``, ``stamning.classify_file``).
"""

from stamning.engines.local import classify_file, classify_table
from stamning.model.loading import load_model

__all__ = ["classify_file", "classify_table", "load_model"]
