"""The results store: classified rounds in one SQLite file (see docs/store.md).

Modules: ``database`` (schema, open, list, remove), ``add`` (add a classified file), ``select`` (summaries and
comparisons without loading a model).
"""
