# syntax=docker/dockerfile:1
#
# tiercel on NVIDIA GPUs (default target) or CPU only (--target runtime-cpu). Build:
#
#   docker build -t tiercel .                                    # CUDA runtime, node-llama-cpp's CUDA prebuilt
#   docker build -t tiercel:cpu --target runtime-cpu .           # no CUDA libraries: small image for CPU hosts
#   docker build -t tiercel --build-arg NATIVE=source --build-arg CUDA_ARCHITECTURES="80;90" .
#                                                                # binding built from source for these GPUs
#
# Nothing is downloaded when the container runs: the binding and the bundled models are in the image, other
# models are mounted read-only at /models. See the README, "Deploying on a CUDA host".

# CUDA 12 runtime: node-llama-cpp's CUDA prebuilt loads its CUDA 12 fallback build on it, which runs on any
# driver from 525 (CUDA minor-version compatibility). With a 580+ driver, CUDA_VERSION=13.0.1 loads its
# primary CUDA 13 build instead.
ARG CUDA_VERSION=12.8.1
ARG UBUNTU_VERSION=22.04
ARG NODE_IMAGE=node:20.19.0-bookworm-slim
# prebuilt: node-llama-cpp's CUDA prebuilt; source: native/build-cuda.sh for CUDA_ARCHITECTURES.
ARG NATIVE=prebuilt

FROM ${NODE_IMAGE} AS node

# Production dependencies only, exactly as the lockfile says. NODE_LLAMA_CPP_SKIP_DOWNLOAD: node-llama-cpp's
# postinstall must not try to fetch or build llama.cpp; its prebuilt binaries come as npm packages.
FROM node AS deps
WORKDIR /app
ENV NODE_LLAMA_CPP_SKIP_DOWNLOAD=true \
    ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
    && rm -rf node_modules/@node-llama-cpp/linux-x64-vulkan node_modules/@node-llama-cpp/linux-arm* \
    && mkdir -p native/build

FROM deps AS native-prebuilt

# Builds the binding from the llama.cpp source bundled in node-llama-cpp (no download) with nvcc, and writes
# native/build/runtime.env: the same cmake options must be in the environment at run time for
# node-llama-cpp to pick this build (deploy/docker-entrypoint.sh loads it).
FROM nvidia/cuda:${CUDA_VERSION}-devel-ubuntu${UBUNTU_VERSION} AS native-source
ARG CUDA_ARCHITECTURES="80;86;89;90"
RUN apt-get update \
    && apt-get install -y --no-install-recommends cmake g++ make git ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/lib/node_modules /usr/local/lib/node_modules
RUN ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
    && ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm
WORKDIR /app
COPY --from=deps /app /app
COPY native/ native/
RUN CUDA_ARCHITECTURES="${CUDA_ARCHITECTURES}" bash native/build-cuda.sh

FROM native-${NATIVE} AS native

# The application tree, shared by both runtimes. The bundled model pair is included so the image serves
# out of the box; mounted models replace it through the config.
FROM node AS app
WORKDIR /app
COPY --from=native /app/node_modules node_modules
COPY --from=native /app/native/build native/build
COPY package.json package-lock.json tsconfig.json ./
COPY proto/ proto/
COPY src/ src/
COPY models/manifest.json models/*.gguf models/
COPY deploy/docker-entrypoint.sh deploy/

# Pruned before copying: a later `rm` would not make the image smaller.
FROM app AS app-cpu
RUN rm -rf node_modules/@node-llama-cpp/linux-x64-cuda node_modules/@node-llama-cpp/linux-x64-cuda-ext

# CPU-only image: the same application without CUDA libraries or the CUDA prebuilts.
FROM node AS runtime-cpu
WORKDIR /app
COPY --from=app-cpu /app /app
RUN groupadd --system --gid 10001 tiercel \
    && useradd --system --uid 10001 --gid tiercel --home-dir /var/lib/tiercel --no-create-home tiercel \
    && mkdir -p /models /var/lib/tiercel /app/.tiercel \
    && chown tiercel:tiercel /var/lib/tiercel /app/.tiercel
ENV NODE_ENV=production \
    NODE_LLAMA_CPP_SKIP_DOWNLOAD=true \
    TIERCEL_HOST=0.0.0.0
USER 10001:10001
EXPOSE 50051 9464
VOLUME ["/var/lib/tiercel"]
# Exec form, no npm: a probe every interval must not pay for npm's start-up. Without flags the probe asks
# where the server binds (same TIERCEL_* environment and config file).
HEALTHCHECK --interval=15s --timeout=10s --start-period=300s --retries=3 \
    CMD ["node", "--import", "tsx", "src/healthcheck.ts"]
ENTRYPOINT ["/app/deploy/docker-entrypoint.sh"]

# Default target: the CUDA runtime libraries (cudart, cuBLAS) the CUDA binding links against. The driver
# (libcuda) comes from the host through the NVIDIA Container Toolkit.
FROM nvidia/cuda:${CUDA_VERSION}-runtime-ubuntu${UBUNTU_VERSION} AS runtime-cuda
COPY --from=node /usr/local/bin/node /usr/local/bin/node
WORKDIR /app
COPY --from=app /app /app
RUN groupadd --system --gid 10001 tiercel \
    && useradd --system --uid 10001 --gid tiercel --home-dir /var/lib/tiercel --no-create-home tiercel \
    && mkdir -p /models /var/lib/tiercel /app/.tiercel \
    && chown tiercel:tiercel /var/lib/tiercel /app/.tiercel
ENV NODE_ENV=production \
    NODE_LLAMA_CPP_SKIP_DOWNLOAD=true \
    TIERCEL_HOST=0.0.0.0
USER 10001:10001
EXPOSE 50051 9464
VOLUME ["/var/lib/tiercel"]
HEALTHCHECK --interval=15s --timeout=10s --start-period=300s --retries=3 \
    CMD ["node", "--import", "tsx", "src/healthcheck.ts"]
ENTRYPOINT ["/app/deploy/docker-entrypoint.sh"]
