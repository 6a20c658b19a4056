"""The classifier: one encoder, a five-level sentiment head and a multi-label theme head.

Modules: ``classifier`` (:class:`StamningModel`: predict, save, load), ``config`` (``config.json``), ``loading``
(model names, the default model, the offline hub policy), ``card`` (model cards), ``inference`` (batched inference),
``lexical_themes`` and ``lexical_sentiment`` (n-gram components blended with the heads), ``thresholds`` (per-theme
cuts tuned for F1), ``calibration`` (temperature applied to probabilities), ``heap`` (flat memory while a model
runs for long)."""
