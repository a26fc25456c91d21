#!/usr/bin/env bash
# Makes what native/gpu-check.sh needs on a CUDA machine that has no network and no Node.js:
#   native/build/gpu-payload/node.xz         this machine's Node.js binary (x86-64 Linux), xz-compressed
#   native/build/gpu-payload/runtime.tar.xz  the run-time node_modules (no other platforms' prebuilt
#                                            binaries, no ONNX runtime, no llama.cpp git bundle), Node-API
#                                            headers, and the llama.cpp source node-llama-cpp was built from
#                                            (with its patches) at node_modules/node-llama-cpp/llama/llama.cpp
# Together with the tracked files they must stay under the device's 64 MiB limit; the script prints the sizes
# and fails when the two together pass TOTAL_LIMIT_MIB (default 62: the device takes 64 MiB in all, with
# room for the untracked files a session has).
#
#   native/gpu-payload.sh            then carry native/build/gpu-payload to the GPU machine
source "$(dirname "$0")/lib.sh"
cd "$PROJECT_DIR"
[[ "$(uname -m)" == x86_64 ]] || { echo "the payload must be made on x86-64 Linux (the GPU machines are)" >&2; exit 1; }
[[ -d node_modules/node-llama-cpp ]] || { echo "run npm ci first" >&2; exit 1; }
out="$NATIVE_DIR/build/gpu-payload"
stage="$NATIVE_DIR/build/gpu-stage"
rm -rf "$out" "$stage"
mkdir -p "$out" "$stage/node_modules" "$stage/node-headers"

# Run-time dependencies: npm's production tree plus tsx (benches and scripts are TypeScript).
mapfile -t packages < <(
    { npm ls --omit=dev --all --parseable 2>/dev/null; npm ls tsx --all --parseable 2>/dev/null; } |
        sed -n "s#^$PROJECT_DIR/node_modules/##p" | awk -F/ '{ print ($1 ~ /^@/) ? $1 "/" $2 : $1 }' | sort -u
)
# Not needed by the engine, the gRPC server or the benches, and large: other platforms' llama.cpp
# binaries (the CUDA one is built on the machine itself), the ONNX runtime (router classifier only).
skip='^(@node-llama-cpp/.*|onnxruntime-node|onnxruntime-common|typescript)$'
for p in "${packages[@]}"; do
    [[ "$p" =~ $skip ]] && continue
    mkdir -p "$stage/node_modules/$(dirname "$p")"
    cp -a "node_modules/$p" "$stage/node_modules/$p"
done
[[ -d "$stage/node_modules/tsx" && -d "$stage/node_modules/@esbuild/linux-x64" ]] ||
    { echo "tsx or its linux-x64 esbuild binary is missing from node_modules" >&2; exit 1; }
rm -f "$stage/node_modules/node-llama-cpp/llama/gitRelease.bundle"
# What a source build made here leaves in node-llama-cpp's folder (native/build-cpu.sh: ~270 MB of builds,
# ~210 MB of cloned source, the record of the last build): the check builds its own from the source below.
rm -rf "$stage/node_modules/node-llama-cpp/llama/localBuilds" "$stage/node_modules/node-llama-cpp/llama/llama.cpp" \
    "$stage/node_modules/node-llama-cpp/llama/lastBuild.json"
# Type declarations and source maps are never read at run time (tsx strips types; no stack is mapped
# there): ~15 MB of .map and ~18 MB of .d.ts, ~5 MiB of the payload.
find "$stage/node_modules" -type f \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.map' \) -delete
# The CUDA prebuilt's package files and build metadata, without its 540 MB of binaries: gpu-check.sh puts
# the binaries it builds there, so node-llama-cpp's `gpu: "cuda"` loads them as it would the prebuilt.
for p in linux-x64-cuda; do
    mkdir -p "$stage/node_modules/@node-llama-cpp/$p/bins/$p"
    cp -a "node_modules/@node-llama-cpp/$p/package.json" "node_modules/@node-llama-cpp/$p/dist" \
        "$stage/node_modules/@node-llama-cpp/$p/"
    cp "node_modules/@node-llama-cpp/$p/bins/$p/_nlcBuildMetadata.json" "$stage/node_modules/@node-llama-cpp/$p/bins/$p/"
done

# The llama.cpp source of node-llama-cpp's release, with the patches node-llama-cpp applies when it clones it.
src="$(llama_cpp_source)"
for patch in node_modules/node-llama-cpp/llama/patches/*.diff; do
    [[ -e "$patch" ]] || continue
    if git -C "$src" apply --check "$PROJECT_DIR/$patch" 2>/dev/null; then
        git -C "$src" apply "$PROJECT_DIR/$patch"
    elif ! git -C "$src" apply --reverse --check "$PROJECT_DIR/$patch" 2>/dev/null; then
        echo "patch $patch does not apply to $src" >&2
        exit 1
    fi
done
dest="$stage/node_modules/node-llama-cpp/llama/llama.cpp"
mkdir -p "$dest"
# Without the sources of ggml backends the check never builds (ggml adds a backend's folder only when its
# GGML_<NAME> option is on): ~14 MB of source, ~3 MiB of the payload.
unused_backends=(cann et hexagon hip metal musa opencl openvino rpc sycl virtgpu vulkan webgpu zdnn zendnn)
(cd "$src" && tar -cf - --exclude='*.gguf' "${unused_backends[@]/#/--exclude=ggml/src/ggml-}" \
    CMakeLists.txt cmake ggml src include common vendor licenses LICENSE 2>/dev/null) |
    tar -xf - -C "$dest"
cp node_modules/node-llama-cpp/llama/llama.cpp.info.json "$dest/" 2>/dev/null || true

# Node-API headers: the addon includes only node_api.h (through node-addon-api's napi.h).
headers=""
for dir in /usr/include/node /usr/local/include/node "$(dirname "$(dirname "$(command -v node)")")/include/node"; do
    [[ -f "$dir/node_api.h" ]] && { headers="$dir"; break; }
done
[[ -n "$headers" ]] || { echo "Node-API headers (node_api.h) not found; install nodejs's headers" >&2; exit 1; }
cp "$headers"/{node_api.h,node_api_types.h,js_native_api.h,js_native_api_types.h,node_version.h} "$stage/node-headers/"
node -p 'process.version' > "$stage/node-version"

tar -C "$stage" -cf - node_modules node-headers node-version | xz -T0 -6 > "$out/runtime.tar.xz"
xz -T0 -6 -c "$(command -v node)" > "$out/node.xz"
rm -rf "$stage"
tracked=$(git ls-files -z | du -cb --files0-from=- 2>/dev/null | tail -1 | cut -f1)
payload=$(du -cb "$out"/* | tail -1 | cut -f1)
mib() { echo $(($1 / 1048576)); }
echo "payload: $(mib "$payload") MiB ($(ls "$out" | tr '\n' ' ')); tracked tree: $(mib "$tracked") MiB; total $(mib $((payload + tracked))) MiB of 64"
(( payload + tracked <= ${TOTAL_LIMIT_MIB:-62} * 1048576 )) ||
    { echo "payload + tracked tree over ${TOTAL_LIMIT_MIB:-62} MiB: trim the payload or the tree" >&2; exit 1; }
