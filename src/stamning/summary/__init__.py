"""Round summaries and comparisons of classified comments.

Modules: ``prepare`` (check a classified table), ``rounds`` (:func:`summarize`), ``compare`` (change between
rounds), ``stats`` (intervals and tests), ``quotes`` (which comments are quoted), ``wording`` (Swedish figures
and words), ``types`` (result dataclasses), ``files`` (the summarize and compare verbs on files).
"""
