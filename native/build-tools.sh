#!/usr/bin/env bash
# Builds llama.cpp's C++ reference tools (same source as node-llama-cpp) into native/build/cmake/bin.
# PROFILE=cpu-safe (default) or cuda; JOBS=N parallel compile jobs (default: all cores).
source "$(dirname "$0")/lib.sh"
src="$(llama_cpp_source)"
mapfile -t flags < <(profile_cmake_flags "${PROFILE:-cpu-safe}")
cmake -S "$src" -B "$NATIVE_DIR/build/cmake" -DCMAKE_BUILD_TYPE=Release -DLLAMA_CURL=OFF \
    -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_SERVER=OFF "${flags[@]}"
cmake --build "$NATIVE_DIR/build/cmake" --config Release -j "${JOBS:-$(nproc)}" \
    --target llama-speculative-simple llama-bench
ls -la "$NATIVE_DIR/build/cmake/bin"
