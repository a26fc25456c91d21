#!/usr/bin/env bash
# Rebuilds tiercel's bundled model pair from scratch (see models/README.md):
#   corpus → BPE tokenizer → encoded corpus → joint target/draft training → GGUF export → evaluation.
# Needs Debian's python3-torch (apt-get install -y python3-torch) for the training step.
# TRAIN_MINUTES (default 100) bounds the training wall time.
set -euo pipefail
cd "$(dirname "$0")/../.."
tsx() { node --import tsx "$@"; }
start=$(date +%s)
tsx models/build/buildCorpus.ts --max-mb "${CORPUS_MB:-120}"
tsx models/build/tokenizer/trainBpe.ts --vocab 4096 --sample-mb 40
node --max-old-space-size=8000 --import tsx models/build/tokenizer/encodeCorpus.ts
tsx models/build/makeEvalPrompts.ts
/usr/bin/python3 models/build/train/train.py --minutes "${TRAIN_MINUTES:-100}"
tsx models/build/exportModels.ts
tsx models/build/evalPair.ts
echo "models rebuilt in $(( ($(date +%s) - start) / 60 )) min"
