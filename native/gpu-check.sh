#!/usr/bin/env bash
# The GPU check: on a Linux x86-64 machine with an NVIDIA GPU, the CUDA toolkit (nvcc, CMake) and no
# network, builds node-llama-cpp's CUDA backend from the llama.cpp source it was released with (for this
# GPU's architecture only), then runs bench/gpuCheck.ts on the GPU (speculation modes at fixed k and AUTO on
# the bundled target and on a multi-billion-parameter cost-scaled target, the agent trace, prefix-reuse TTFT,
# 1/8/32 concurrent gRPC streams) and writes bench/results/gpu-<date>.{json,md} (and copies them to $OUT
# when that is set).
#
#   native/gpu-payload.sh                       on a machine with npm (makes native/build/gpu-payload)
#   native/gpu-check.sh                         on the GPU machine, from the repository root
#   native/gpu-check.sh --dry-run               prints what it would run (cmake flags included), runs nothing
#   native/gpu-check.sh --cpu                   the same entry point on a CPU: no build, small sizes
#   native/gpu-check.sh -- --phases load --tag x  what follows -- goes to bench/gpuCheck.ts (a second call on a
#                                               warm machine skips the build: the binaries are kept)
#
# Environment: CUDA_ARCHITECTURES (default: the local GPU's compute capability), GPU_CHECK_JOBS (build
# jobs, default nproc), GPU_CHECK_BENCH_ARGS (extra arguments for bench/gpuCheck.ts).
source "$(dirname "$0")/lib.sh"
cd "$PROJECT_DIR"
dry=0
cpu=0
bench_args=()
while (($#)); do
    case "$1" in
        --dry-run) dry=1 ;;
        --cpu) cpu=1 ;;
        --) shift; bench_args=("$@"); break ;;
        *) echo "unknown argument $1 (use --dry-run, --cpu, then -- and bench/gpuCheck.ts's arguments)" >&2; exit 2 ;;
    esac
    shift
done
started=$SECONDS
payload="$NATIVE_DIR/build/gpu-payload"
runtime="$NATIVE_DIR/build/runtime"
say() { printf '[gpu-check %3ds] %s\n' $((SECONDS - started)) "$*"; }
run() {
    if ((dry)); then printf '  $'; printf ' %q' "$@"; printf '\n'; else "$@"; fi
}

# 1. Node.js and node_modules: from the payload when there is one (the GPU machines have neither).
if [[ -f "$payload/node.xz" ]]; then
    mkdir -p "$runtime/bin"
    if [[ ! -x "$runtime/bin/node" ]]; then
        say "unpacking Node.js and the run-time node_modules from $payload"
        # xz, or Python's lzma where the image has no xz.
        unxz_to() { if command -v xz >/dev/null; then xz -dc "$1" > "$2"; else python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"; fi; }
        run unxz_to "$payload/node.xz" "$runtime/bin/node"
        run chmod +x "$runtime/bin/node"
        run unxz_to "$payload/runtime.tar.xz" "$runtime/runtime.tar"
        run tar -xf "$runtime/runtime.tar" -C "$runtime"
        run rm -f "$runtime/runtime.tar"
    fi
    if [[ ! -d node_modules ]]; then run ln -s "$runtime/node_modules" node_modules; fi
    export PATH="$runtime/bin:$PATH"
fi
((dry)) || command -v node >/dev/null || { echo "no node: run native/gpu-payload.sh on a machine with npm and carry native/build/gpu-payload" >&2; exit 1; }
((dry)) || say "node $(node -v) at $(command -v node)"

# The cost-scaled target is written by one Node.js thread while the build keeps the other cores busy (the
# bench finds it written: widenTarget returns an existing file).
widen_pid=""
if ((!cpu)); then
    width=12 layers=48
    for ((i = 0; i < ${#bench_args[@]}; i++)); do
        case "${bench_args[i]}" in
            --width) width="${bench_args[i + 1]:-$width}" ;;
            --layers) layers="${bench_args[i + 1]:-$layers}" ;;
        esac
    done
    say "writing the cost-scaled target (×$width, $layers blocks) beside the build"
    if ((dry)); then
        run node --import tsx models/build/widenTarget.ts --factor "$width" --layers "$layers" --check 0
    else
        node --import tsx models/build/widenTarget.ts --factor "$width" --layers "$layers" --check 0 \
            > "$NATIVE_DIR/build/widen.log" 2>&1 &
        widen_pid=$!
    fi
fi

# 2. The CUDA backend, built with node-llama-cpp's own CMakeLists (what `node-llama-cpp source build --gpu
#    cuda` runs through cmake-js, which needs npm and downloads Node's headers: neither is there), and put
#    where node-llama-cpp looks for its CUDA binaries, so `engine.gpu: "cuda"` loads it.
bins="node_modules/@node-llama-cpp/linux-x64-cuda/bins/linux-x64-cuda"
if ((cpu)); then
    say "--cpu: no build; the bench runs on the prebuilt CPU binary"
elif [[ -f "$bins/llama-addon.node" && -f "$bins/.tiercel-source-build" ]]; then
    say "CUDA backend already built ($(cat "$bins/.tiercel-source-build"))"
else
    arch="${CUDA_ARCHITECTURES:-}"
    if [[ -z "$arch" ]] && command -v nvidia-smi >/dev/null; then
        arch="$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -1 | tr -d '. ')"
    fi
    arch="${arch:-90}"
    ((dry)) || command -v nvcc >/dev/null || export PATH="/usr/local/cuda/bin:$PATH"
    ((dry)) || command -v nvcc >/dev/null || { echo "nvcc not found: the CUDA toolkit is needed" >&2; exit 1; }
    llama="node_modules/node-llama-cpp/llama"
    release="$(sed -n 's/.*"tag": *"\([^"]*\)".*/\1/p' "$llama/llama.cpp.info.json" 2>/dev/null)"
    build="$NATIVE_DIR/build/cuda-sm$arch"
    generator=()
    command -v ninja >/dev/null && generator=(-G Ninja)
    flags=(
        -DCMAKE_BUILD_TYPE=Release
        "-DCMAKE_JS_INC=$runtime/node-headers"
        -DNLC_CURRENT_PLATFORM=linux-x64 -DNLC_TARGET_PLATFORM=linux-x64 "-DNLC_VARIANT=cuda.${release:-local}"
        -DGGML_BUILD_NUMBER=1 -DGGML_METAL=OFF -DGGML_CCACHE=OFF
        -DLLAMA_CURL=OFF -DLLAMA_HTTPLIB=OFF -DLLAMA_BUILD_BORINGSSL=OFF -DLLAMA_OPENSSL=OFF
        -DGGML_CUDA=ON "-DCMAKE_CUDA_ARCHITECTURES=${arch}-real"
        -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF
        -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
    )
    say "building the CUDA backend for sm_$arch (llama.cpp $release) in $build"
    run patch_kv_unified_switch
    run cmake -S "$llama" -B "$build" "${generator[@]}" "${flags[@]}"
    run cmake --build "$build" --target llama-addon -j "${GPU_CHECK_JOBS:-$(nproc)}"
    run mkdir -p "$bins"
    run find "$build" \( -name '*.so' -o -name 'llama-addon.node' \) -exec cp {} "$bins/" \;
    ((dry)) || echo "sm_$arch, llama.cpp $release, built $(date -u +%FT%TZ)" > "$bins/.tiercel-source-build"
    say "built: $(ls "$bins" 2>/dev/null | tr '\n' ' ')"
fi
export LD_LIBRARY_PATH="${CUDA_HOME:-/usr/local/cuda}/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

if [[ -n "$widen_pid" ]]; then
    wait "$widen_pid" && say "cost-scaled target written: $(tail -1 "$NATIVE_DIR/build/widen.log")" ||
        say "writing the cost-scaled target failed (the bench writes it): $(tail -3 "$NATIVE_DIR/build/widen.log")"
fi

# 3. The bench, through the project's own entry point.
gpu=cuda
((cpu)) && gpu=false
say "bench (gpu: $gpu)"
# shellcheck disable=SC2086 # GPU_CHECK_BENCH_ARGS is a list of arguments
run node --import tsx bench/gpuCheck.ts --gpu "$gpu" ${GPU_CHECK_BENCH_ARGS:-} $( ((cpu)) && echo --small) "${bench_args[@]}"
say "done"
