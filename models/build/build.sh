#!/usr/bin/env bash
# Rebuilds tiercel's bundled model pair from scratch (see models/README.md):
#   corpus → BPE tokenizer → encoded corpus → joint target/draft training → draft growth (2 → 4 layers,
#   FFN 384 → 512, function-preserving) and draft-only distillation from the frozen target → FIM tokens
#   appended to the tokenizer, FIM continuation of the pair (target and draft on a plain + FIM mix, then
#   the draft alone distilled from the frozen target) → GGUF export → evaluation (pair and infill).
# Needs Debian's python3-torch for the training steps, and OpenBLAS where the CPU has no AMX (train.py
# --dtype auto then trains in fp32, ~3× bf16 there): apt-get install -y python3-torch libopenblas0-pthread
# TRAIN_MINUTES (default 130) and DRAFT_MINUTES (default 100) bound the two training steps' wall time;
# FIM_MINUTES (default 40) and FIM_DRAFT_MINUTES (default 20) bound the FIM continuation's two steps,
# FIM_LINE_MINUTES (22) and FIM_LINE_DRAFT_MINUTES (6) the line-level FIM steps after them,
# FIM_END_MINUTES (45) and FIM_END_DRAFT_MINUTES (10) the end-weighted steps that teach the pair to end a middle.
# FIM_ONLY=1 skips the from-scratch steps and continues the committed pair (models/*.gguf) instead.
set -euo pipefail
cd "$(dirname "$0")/../.."
tsx() { node --import tsx "$@"; }
start=$(date +%s)
if [ "${FIM_ONLY:-0}" = 1 ]; then
    # The committed pair back as checkpoints; the corpus is encoded with the committed tokenizer.
    tsx models/build/buildCorpus.ts --max-mb "${CORPUS_MB:-40}"
    tsx models/build/ggufToCheckpoint.ts --out models/.cache/train-draft
else
    tsx models/build/buildCorpus.ts --max-mb "${CORPUS_MB:-120}"
    tsx models/build/tokenizer/trainBpe.ts --vocab 4096 --sample-mb 40
    node --max-old-space-size=8000 --import tsx models/build/tokenizer/encodeCorpus.ts
    tsx models/build/makeEvalPrompts.ts
    /usr/bin/python3 models/build/train/train.py --out models/.cache/train --minutes "${TRAIN_MINUTES:-130}"
    /usr/bin/python3 models/build/train/train.py --resume models/.cache/train --out models/.cache/train-draft \
        --freeze-target --draft-shape 128,4,2,512 --distill 0.8 --draft-lr 2e-3 --seed 3 \
        --minutes "${DRAFT_MINUTES:-100}"
fi
# Fill-in-the-middle: FIM tokens appended (ids 4096..4098, embedding rows grown on resume), half of the
# corpus chunks as PSM/SPM samples, target and draft trained on it together, then the draft alone.
tsx models/build/fim/addFimTokens.ts
node --max-old-space-size=8000 --import tsx models/build/fim/encodeFimCorpus.ts
/usr/bin/python3 models/build/train/train.py --resume models/.cache/train-draft --out models/.cache/train-fim \
    --corpus models/.cache/corpus-fim --vocab 4099 --lr 1e-3 --draft-lr 1.5e-3 --warmup 20 --eval-batches 6 \
    --checkpoint-minutes 12 --seed 18 --minutes "${FIM_MINUTES:-40}"
/usr/bin/python3 models/build/train/train.py --resume models/.cache/train-fim --out models/.cache/train-fim-draft \
    --corpus models/.cache/corpus-fim --vocab 4099 --freeze-target --distill 0.8 --draft-lr 1e-3 --warmup 20 \
    --eval-batches 6 --checkpoint-minutes 10 --seed 19 --minutes "${FIM_DRAFT_MINUTES:-20}"
# Line-level FIM (middles of 1–3 whole lines, as an editor asks for them): short middles teach the pair to
# end one (<|endoftext|>), which the character-level step alone did not in the time it had.
node --max-old-space-size=8000 --import tsx models/build/fim/encodeFimCorpus.ts --line-rate 0.8
/usr/bin/python3 models/build/train/train.py --resume models/.cache/train-fim-draft --out models/.cache/train-fim-lines \
    --corpus models/.cache/corpus-fim --vocab 4099 --lr 8e-4 --draft-lr 1e-3 --warmup 10 --eval-batches 6 \
    --checkpoint-minutes 12 --seed 20 --minutes "${FIM_LINE_MINUTES:-22}"
/usr/bin/python3 models/build/train/train.py --resume models/.cache/train-fim-lines --out models/.cache/train-fim-lines-draft \
    --corpus models/.cache/corpus-fim --vocab 4099 --freeze-target --distill 0.8 --draft-lr 1e-3 --warmup 10 \
    --eval-batches 6 --checkpoint-minutes 10 --seed 21 --minutes "${FIM_LINE_DRAFT_MINUTES:-6}"
# The end of a middle weighted 10× in the loss (train.py --fim-end-weight): it is one token per sample,
# and after the steps above the target gave the true end 2.5 % on held-out samples (0.7 % as its argmax).
/usr/bin/python3 models/build/train/train.py --resume models/.cache/train-fim-lines-draft --out models/.cache/train-fim-end \
    --corpus models/.cache/corpus-fim --vocab 4099 --lr 8e-4 --draft-lr 1e-3 --warmup 10 --eval-batches 6 \
    --checkpoint-minutes 12 --seed 22 --minutes "${FIM_END_MINUTES:-45}" --fim-end-weight 10
/usr/bin/python3 models/build/train/train.py --resume models/.cache/train-fim-end --out models/.cache/train-fim-end-draft \
    --corpus models/.cache/corpus-fim --vocab 4099 --freeze-target --distill 0.8 --draft-lr 1e-3 --warmup 10 \
    --eval-batches 6 --checkpoint-minutes 10 --seed 23 --minutes "${FIM_END_DRAFT_MINUTES:-10}" --fim-end-weight 10
tsx models/build/exportModels.ts --from models/.cache/train-fim-end-draft
tsx models/build/evalPair.ts
tsx models/build/fim/evalInfill.ts
echo "models rebuilt in $(( ($(date +%s) - start) / 60 )) min"
