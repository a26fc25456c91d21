#!/usr/bin/env bash
# llama.cpp's C++ speculative decoding on the bundled pair, for comparison with tiercel's numbers.
# Usage: [THREADS=1] native/run-speculative-simple.sh [prompt-set] [tokens] [draft-max]  (npm run bench runs it too)
source "$(dirname "$0")/lib.sh"
bin="$NATIVE_DIR/build/cmake/bin/llama-speculative-simple"
[[ -x "$bin" ]] || { echo "not built: run native/build-tools.sh first" >&2; exit 1; }
set_name="${1:-completion}"; tokens="${2:-64}"; draft_max="${3:-4}"
target="$PROJECT_DIR/models/$(node -e 'console.log(require(process.argv[1]).models.find(m=>m.role==="target").file)' "$PROJECT_DIR/models/manifest.json")"
draft="$PROJECT_DIR/models/$(node -e 'console.log(require(process.argv[1]).models.find(m=>m.role==="draft").file)' "$PROJECT_DIR/models/manifest.json")"
node -e 'for (const l of require("fs").readFileSync(process.argv[1],"utf8").split("\n").filter(Boolean)) console.log(JSON.stringify(JSON.parse(l).prompt))' \
    "$PROJECT_DIR/bench/prompts/$set_name.jsonl" | while read -r prompt; do
    "$bin" -m "$target" -md "$draft" -p "$(node -e 'console.log(JSON.parse(process.argv[1]))' "$prompt")" \
        -n "$tokens" --spec-type draft-simple -lv 4 --spec-draft-n-max "$draft_max" --temp 0 -t "${THREADS:-1}" -td "${THREADS:-1}" -c 1024 2>&1 \
        | grep -E "n_draft|n_predict|n_drafted|n_accept|accept|decoded|speed" || true
done
