#!/usr/bin/env bash
# Builds node-llama-cpp's CPU binding from source with the AMX-safe flags of profiles/cpu-safe.env.
source "$(dirname "$0")/lib.sh"
export_profile_for_node_llama_cpp cpu-safe
cd "$PROJECT_DIR"
patch_kv_unified_switch
npx --no node-llama-cpp source build --gpu false
write_runtime_env
