#!/usr/bin/env bash
# Builds node-llama-cpp's binding with CUDA for CUDA_ARCHITECTURES (default from profiles/cuda.env).
source "$(dirname "$0")/lib.sh"
command -v nvcc >/dev/null || { echo "nvcc not found: install the CUDA toolkit (or use the prebuilt binary)" >&2; exit 1; }
export_profile_for_node_llama_cpp cuda
if [[ -n "${CUDA_ARCHITECTURES:-}" ]]; then export NODE_LLAMA_CPP_CMAKE_OPTION_CMAKE_CUDA_ARCHITECTURES="$CUDA_ARCHITECTURES"; fi
echo "building node-llama-cpp (CUDA archs: ${NODE_LLAMA_CPP_CMAKE_OPTION_CMAKE_CUDA_ARCHITECTURES})"
cd "$PROJECT_DIR"
patch_kv_unified_switch
npx --no node-llama-cpp source build --gpu cuda
write_runtime_env
# No GPU during `docker build`: inspect only where one is visible.
if command -v nvidia-smi >/dev/null; then npx --no node-llama-cpp inspect gpu; fi
