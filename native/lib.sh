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
