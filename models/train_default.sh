#!/usr/bin/env bash
# Rebuild the embedded default model from the corpus, then measure it and write its model card.
# One command (25–50 minutes on a 2-core CPU):  bash models/train_default.sh
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=src/stamning/resources/default_model
.venv/bin/stamning train --data data/corpus/train --output "$OUT" --mode lora --epochs 4 \
    --lora-r 16 --lora-alpha 32 --lora-targets query,key,value,dense --learning-rate 1e-3 --seed 13
# sentiment head refitted on the fixed encoder with one label-preserving noisy variant of each training
# comment (lower case, no å/ä/ö, typos, emoji, no punctuation), last of 30 epochs; then the temperature
# fitted on the validation split (about 5 minutes; OMP_NUM_THREADS=1 is much faster on a busy machine)
OMP_NUM_THREADS=1 .venv/bin/python models/refit_sentiment.py --model "$OUT" --extra '' --epochs 30 --learning-rate 1e-3
.venv/bin/python benchmarks/compare_models.py --model "$OUT" --write-card
