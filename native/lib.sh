# Shared helpers for the native build scripts (sourced, not run).
set -euo pipefail
NATIVE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT_DIR="$(cd "$NATIVE_DIR/.." && pwd)"

# Prints "-DKEY=VALUE" for every KEY=VALUE line of a profile (comments and blanks skipped).
profile_cmake_flags() {
    grep -Ev '^\s*(#|$)' "$NATIVE_DIR/profiles/$1.env" | sed 's/^/-D/'
}

# Exports NODE_LLAMA_CPP_CMAKE_OPTION_<KEY>=<VALUE> for every line of a profile: node-llama-cpp passes
# those to cmake when it builds its binding from source.
export_profile_for_node_llama_cpp() {
    while IFS='=' read -r key value; do
        [[ -z "$key" || "$key" =~ ^[[:space:]]*# ]] && continue
        export "NODE_LLAMA_CPP_CMAKE_OPTION_${key}=${value}"
    done < "$NATIVE_DIR/profiles/$1.env"
}

# Clones the llama.cpp source that node-llama-cpp was built from (shipped inside the npm package).
llama_cpp_source() {
    local dir="$NATIVE_DIR/build/llama.cpp"
    if [[ ! -d "$dir/.git" ]]; then
        mkdir -p "$NATIVE_DIR/build"
        git clone --quiet "$PROJECT_DIR/node_modules/node-llama-cpp/llama/gitRelease.bundle" "$dir"
    fi
    echo "$dir"
}

# Writes native/build/runtime.env: the NODE_LLAMA_CPP_CMAKE_OPTION_* variables of the build just made.
# node-llama-cpp names a source build after its cmake options and looks for it under that name only when
# the same variables are set at run time; without them it silently uses the prebuilt binary. Load it
# before starting the server: `set -a; . native/build/runtime.env; set +a` (the Docker entrypoint does).
write_runtime_env() {
    mkdir -p "$NATIVE_DIR/build"
    local name
    # Quoted: values such as the CUDA architecture list "80;86;89;90" contain shell separators.
    for name in $(compgen -e | grep '^NODE_LLAMA_CPP_CMAKE_OPTION_' | sort); do
        printf "%s='%s'\n" "$name" "${!name}"
    done > "$NATIVE_DIR/build/runtime.env"
    echo "wrote $NATIVE_DIR/build/runtime.env (load it before npm start)"
}

# Makes node-llama-cpp's addon read its llama.cpp `kv_unified` from the environment (TIERCEL_KV_UNIFIED=1
# turns it on; unset keeps node-llama-cpp's false) in the source a build is about to compile. With it
# off, llama.cpp keeps one KV stream per sequence and splits a multi-sequence batch into micro-batches of
# consecutive sequence ids holding equally many tokens each, every one a full pass over the weights: with
# speculative verification passes of different lengths in one batch, or gaps between busy sequences,
# one step costs several passes. With it on, one stream holds every sequence and a batch is one
# micro-batch, at the cost of attention over the cells of all sequences. node-llama-cpp 3.22 hard-codes
# false and has no option for it. Idempotent; the prebuilt binaries are not affected.
patch_kv_unified_switch() {
    local addon="$PROJECT_DIR/node_modules/node-llama-cpp/llama/addon/AddonContext.cpp"
    if grep -q 'context_params.kv_unified = false;' "$addon"; then
        sed -i 's|context_params.kv_unified = false;|context_params.kv_unified = std::getenv("TIERCEL_KV_UNIFIED") != nullptr \&\& std::string(std::getenv("TIERCEL_KV_UNIFIED")) == "1";|' "$addon"
        grep -q '#include <cstdlib>' "$addon" || sed -i '1i #include <cstdlib>\n#include <string>' "$addon"
        echo "patched $addon: kv_unified from TIERCEL_KV_UNIFIED"
    fi
}
