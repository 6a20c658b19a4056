"""Training and evaluation: labelled data, the trainer, refits, calibration, metrics, a baseline.

Modules: ``labelled`` (labelled data), ``arguments`` (:class:`TrainConfig`), ``trainer`` (fine-tuning: heads, LoRA
or full), ``loss`` (a training step's pieces: seeding, split, batches, loss), ``augment`` (label-preserving noise),
``refit`` (the sentiment side on a fixed encoder), ``calibration`` (temperature scaling), ``evaluate`` and
``metrics`` (scores), ``metrics_table`` (a readable table), ``baseline`` (TF-IDF + logistic regression)."""
