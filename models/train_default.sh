#!/usr/bin/env bash
# Rebuild the embedded default model ("candidate N", shipped since session 9; models/README.md), then measure it
# and write its model card. One command (20 min 29 s, 8.1 GB peak, on this project's 2-core Intel machine with AMX):
#   bash models/train_default.sh [OUT]
#   0. the fixed split of the whole corpus (models/split_corpus.py): validation = the first corpus' seeded 15 %
#      plus 15 % of each x2_/x3_ file; nothing below trains on a validation comment;
#   1. the encoder: LoRA on the first corpus (the seven files of data/corpus/train that are not x2_*/x3_*) and the
#      third writing round (x3_*, the hard middle of real comments), their training parts, stopped early on their
#      validation parts; then the sentiment head refitted on the first corpus with noisy variants (the session-4
#      recipe);
#   2. both heads refitted on the fixed encoder with the whole corpus' training part (first corpus + x2_* and x3_*)
#      plus one noisy variant of every training comment; the sentiment recipe chosen and the temperature fitted on
#      the validation part plus one noisy variant of each validation comment.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-src/stamning/resources/default_model}
BUILD=models/build
FIRST=$BUILD/first_corpus
# 0. the split (it empties models/build), then the first corpus as its own folder for step 1's refit
.venv/bin/python models/split_corpus.py --out "$BUILD" --lora-size 8000 --lora-validation 300
mkdir -p "$FIRST"
for f in data/corpus/train/*.jsonl; do
    case "$(basename "$f")" in x[0-9]*_*) ;; *) ln -s "$(realpath "$f")" "$FIRST/" ;; esac
done
# 1. the LoRA stage on the first corpus + x3 (training parts; early stopping on their validation parts)
.venv/bin/python models/lora_stage_data.py --build "$BUILD" --out "$BUILD/lora_stage" --rounds x3
.venv/bin/stamning train --data "$BUILD/lora_stage/train.jsonl" --validation-data "$BUILD/lora_stage/validation.jsonl" \
    --output "$OUT" --mode lora --epochs 4 --lora-r 16 --lora-alpha 32 --lora-targets query,key,value,dense \
    --learning-rate 1e-3 --seed 13
# sentiment head refitted on the fixed encoder with one label-preserving noisy variant of each first-corpus
# training comment (lower case, no å/ä/ö, typos, emoji, no punctuation), last of 30 epochs (one thread is much
# faster on a busy machine); this head is where step 2 starts from
OMP_NUM_THREADS=1 .venv/bin/python models/refit_sentiment.py --model "$OUT" --data "$FIRST" --extra '' \
    --epochs 30 --learning-rate 1e-3
# 2. both heads on every training comment + a noisy variant of each
.venv/bin/python models/refit_sentiment.py --model "$OUT" --data "$BUILD/train" --validation "$BUILD/validation.jsonl" \
    --themes --noisy-validation --noisy 100000 --learning-rate 1e-3 --max-length 256 --threads 2 \
    --cache "$BUILD/embeddings"
# 3. own test set, real_style and middle test sets and real tweets/YouTube comments (../shared/data/real-dev) into the card
.venv/bin/python benchmarks/compare_models.py --model "$OUT" --write-card
