#!/bin/sh
# Container entry: runs the server with the container's arguments (e.g. --config).
# A source build of the binding (Dockerfile NATIVE=source, native/build-*.sh) is found by node-llama-cpp
# only with the same NODE_LLAMA_CPP_CMAKE_OPTION_* variables it was built with: native/build/runtime.env
# holds them.
set -eu
cd /app
if [ -f native/build/runtime.env ]; then
    set -a
    . ./native/build/runtime.env
    set +a
fi
exec node --import tsx src/main.ts "$@"
