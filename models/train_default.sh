#!/usr/bin/env bash
# Rebuild the embedded default model from the first corpus (the seven files of data/corpus/train that are not
# x2_*: the recipe the shipped model was built with), then measure it and write its model card.
# One command (25–50 minutes on a 2-core CPU):  bash models/train_default.sh
# The larger corpus (x2_* files) and its recipe: models/train_larger_corpus.sh (not shipped; models/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=src/stamning/resources/default_model
FIRST=models/build/first_corpus
rm -rf "$FIRST" && mkdir -p "$FIRST"
for f in data/corpus/train/*.jsonl; do
    case "$(basename "$f")" in x2_*) ;; *) ln -s "$(realpath "$f")" "$FIRST/" ;; esac
done
.venv/bin/stamning train --data "$FIRST" --output "$OUT" --mode lora --epochs 4 \
    --lora-r 16 --lora-alpha 32 --lora-targets query,key,value,dense --learning-rate 1e-3 --seed 13
# sentiment head refitted on the fixed encoder with one label-preserving noisy variant of each training
# comment (lower case, no å/ä/ö, typos, emoji, no punctuation), last of 30 epochs; then the temperature
# fitted on the validation split (about 5 minutes; one thread is much faster on a busy machine)
OMP_NUM_THREADS=1 .venv/bin/python models/refit_sentiment.py --model "$OUT" --data "$FIRST" --extra '' \
    --epochs 30 --learning-rate 1e-3
.venv/bin/python benchmarks/compare_models.py --model "$OUT" --write-card
