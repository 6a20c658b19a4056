"""Themes: the taxonomy, the user's own theme files, their checks and zero-shot matching.

Modules: ``taxonomy`` (keys, names, definitions, sensitive flags), ``own`` (a model with the user's themes),
``check`` (``stamning themes init|check``), ``zeroshot`` (themes from a name and a definition).
"""
