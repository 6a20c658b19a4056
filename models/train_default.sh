#!/usr/bin/env bash
# Rebuild the embedded default model from the corpus, then measure it and write its model card.
# One command (25–50 minutes on a 2-core CPU):  bash models/train_default.sh
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=src/stamning/resources/default_model
.venv/bin/stamning train --data data/corpus/train --output "$OUT" --mode lora --epochs 4 \
    --lora-r 16 --lora-alpha 32 --lora-targets query,key,value,dense --learning-rate 1e-3 --seed 13
# temperature scaling of the sentiment probabilities, fitted on the validation split (about a minute)
OMP_NUM_THREADS=1 .venv/bin/python models/refit_sentiment.py --model "$OUT" --calibrate-only
.venv/bin/python benchmarks/compare_models.py --model "$OUT" --write-card
