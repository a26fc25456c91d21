#!/usr/bin/env bash
# Builds node-llama-cpp's CPU binding from source with the flags of one profile (default cpu-safe: the
# AMX-safe flags of profiles/cpu-safe.env), e.g. `native/build-cpu.sh cpu-avx512-bf16`. Which profile
# is fastest on a CPU is measured by bench/e2e/buildProfiles.ts (results: bench/results/buildProfiles.md).
# Builds of different profiles live side by side (node-llama-cpp names each after its cmake options);
# native/build/runtime.env selects the last one built, native/build/runtime-<profile>.env each one.
source "$(dirname "$0")/lib.sh"
profile="${1:-cpu-safe}"
[[ -f "$NATIVE_DIR/profiles/$profile.env" ]] || { echo "no profile native/profiles/$profile.env" >&2; exit 1; }
export_profile_for_node_llama_cpp "$profile"
cd "$PROJECT_DIR"
# The source node-llama-cpp builds from: cloned from the git bundle inside its npm package (no network).
[[ -d node_modules/node-llama-cpp/llama/llama.cpp ]] ||
    npx --no node-llama-cpp source download --skipBuild --gpu false --noUsageExample
patch_kv_unified_switch
# ccache makes a second profile's build short: only ggml's CPU backend changes with the flags. CMake reads
# these from the environment; they are not cmake options, so the build's name does not depend on them.
if command -v ccache >/dev/null; then export CMAKE_C_COMPILER_LAUNCHER=ccache CMAKE_CXX_COMPILER_LAUNCHER=ccache; fi
npx --no node-llama-cpp source build --gpu false --noUsageExample
write_runtime_env
cp "$NATIVE_DIR/build/runtime.env" "$NATIVE_DIR/build/runtime-$profile.env"
