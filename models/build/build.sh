#!/usr/bin/env bash
# Rebuilds tiercel's bundled model pair from scratch (see models/README.md):
#   corpus → BPE tokenizer → encoded corpus → joint target/draft training → draft growth (2 → 4 layers,
#   FFN 384 → 512, function-preserving) and draft-only distillation from the frozen target → GGUF export
#   → evaluation.
# Needs Debian's python3-torch (apt-get install -y python3-torch) for the training steps.
# TRAIN_MINUTES (default 130) and DRAFT_MINUTES (default 100) bound the two training steps' wall time.
set -euo pipefail
cd "$(dirname "$0")/../.."
tsx() { node --import tsx "$@"; }
start=$(date +%s)
tsx models/build/buildCorpus.ts --max-mb "${CORPUS_MB:-120}"
tsx models/build/tokenizer/trainBpe.ts --vocab 4096 --sample-mb 40
node --max-old-space-size=8000 --import tsx models/build/tokenizer/encodeCorpus.ts
tsx models/build/makeEvalPrompts.ts
/usr/bin/python3 models/build/train/train.py --out models/.cache/train --minutes "${TRAIN_MINUTES:-130}"
/usr/bin/python3 models/build/train/train.py --resume models/.cache/train --out models/.cache/train-draft \
    --freeze-target --draft-shape 128,4,2,512 --distill 0.8 --draft-lr 2e-3 --seed 3 \
    --minutes "${DRAFT_MINUTES:-100}"
tsx models/build/exportModels.ts --from models/.cache/train-draft
tsx models/build/evalPair.ts
echo "models rebuilt in $(( ($(date +%s) - start) / 60 )) min"
