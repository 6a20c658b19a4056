"""Round summaries and comparisons of classified comments: tables in, result dataclasses out (no files).

Modules: ``prepare`` (check a classified table; build one from a predictions file), ``rounds`` (:func:`summarize`),
``compare`` (change between rounds), ``stats`` (intervals and tests), ``quotes`` (which comments are quoted),
``wording`` (Swedish figures and words), ``paragraph`` (the opening paragraph of each summary), ``types`` (result
dataclasses). The summarize and compare verbs on files are in :mod:`stamning.engines.survey`."""
