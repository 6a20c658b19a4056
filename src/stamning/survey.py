"""Compatibility: the paths documented before 0.2 (``stamning.survey.summarize_file``, ``compare_file``).

New code imports from :mod:`stamning` (``stamning.summarize_file``, ``stamning.compare_file``).
"""

from stamning.engines.survey import SurveyOptions, compare_file, summarize_file

__all__ = ["SurveyOptions", "compare_file", "summarize_file"]
