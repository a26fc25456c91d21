/**
 * `tiercel serve` / `npm start` flags and environment variables. Precedence: flag > environment > config
 * file > default. Everything ends up in the validated Config, so the rest of the program sees one source.
 * The model flags follow llama-server's names, so serving one's own GGUFs needs no config file.
 */
import { basename, resolve } from "node:path";
import { parseArgs } from "node:util";
import { parseConfig } from "./config/loadConfig.js";
import type { Config } from "./config/schema.js";
import {
    defaultContextSize,
    defaultGrpcHost,
    defaultGrpcPort,
    defaultHttpPort,
    defaultMetricsPort,
    defaultSequences,
} from "./config/defaults.js";
import { ConfigError } from "./errors/ServiceError.js";

export const usage = `Usage: tiercel serve [options]       (from a checkout: npm start -- [options])

Serves the tiercel.v1.Inference gRPC API (health and reflection included), the agent gateway (OpenAI- and
Anthropic-compatible HTTP) and Prometheus metrics. With no options: the bundled model pair on loopback.

Models (like llama-server; each overrides the config file):
  -m, --model <file.gguf>  target model (its id is the file name); without --draft, no draft model
  -md, --draft <file.gguf> draft model for speculative decoding; repeat for several
  -c, --ctx-size <n>       tokens per sequence (prompt + output)   (default: ${defaultContextSize})
  -np, --parallel <n>      concurrent requests (context sequences)  (default: ${defaultSequences})
  -t, --threads <n>        CPU threads per context      (default: 1 for tiny models, else physical cores)
  -ngl, --gpu-layers <n>   layers offloaded to the GPU, or "auto"   (default: auto)

Server (each overrides its environment variable, which overrides the config file):
  --config <path>        JSON config file                     env TIERCEL_CONFIG (default: bundled models)
  --host <address>       interface to bind                    env TIERCEL_HOST (default: ${defaultGrpcHost})
  --grpc-port <port>     gRPC port, 0 = any free port         env TIERCEL_GRPC_PORT (default: ${defaultGrpcPort})
  --metrics-port <port>  /metrics port, 0 = any free port     env TIERCEL_METRICS_PORT (default: ${defaultMetricsPort})
  --http-port <port>     agent gateway (OpenAI/Anthropic HTTP) env TIERCEL_HTTP_PORT (default: ${defaultHttpPort})
  -h, --help             show this help

Everything else (speculation, router, gateway aliases, TLS) is set in the --config file; flags win over it.

Secrets come from the environment only: TIERCEL_AUTH_TOKEN requires \`authorization: Bearer <token>\`
on every Inference call; TIERCEL_METRICS_AUTH_TOKEN requires it on every /metrics scrape.
TIERCEL_GATEWAY_KEYS (comma-separated) are the keys gateway callers must send (required when --host is
not loopback); ANTHROPIC_API_KEY / OPENAI_API_KEY add the hosted tiers.
`;

export interface CliOptions {
    help: boolean;
    configPath?: string;
    host?: string;
    grpcPort?: number;
    metricsPort?: number;
    httpPort?: number;
    authToken?: string;
    metricsAuthToken?: string;
    gatewayKeys?: string[];
    /** --model: the target GGUF (absolute path). */
    model?: string;
    /** --draft, repeated: draft GGUFs (absolute paths). */
    drafts?: string[];
    ctxSize?: number;
    parallel?: number;
    threads?: number;
    gpuLayers?: number | "auto";
}

type Env = Readonly<Record<string, string | undefined>>;

/** llama-server's short forms (multi-letter, so parseArgs cannot take them): rewritten to the long flags. */
const llamaServerShortFlags: Readonly<Record<string, string>> = {
    "-m": "--model",
    "-md": "--draft",
    "-c": "--ctx-size",
    "-np": "--parallel",
    "-t": "--threads",
    "-ngl": "--gpu-layers",
};

function parseCount(value: string | undefined, flag: string, min: number): number | undefined {
    if (value === undefined) return undefined;
    const n = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!(n >= min)) throw new ConfigError(`${flag} must be a whole number ≥ ${min}, got "${value}"`);
    return n;
}

function parsePort(value: string | undefined, source: string): number | undefined {
    if (value === undefined || value === "") return undefined;
    const port = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!(port >= 0 && port <= 65535)) {
        throw new ConfigError(`${source} must be a port number from 0 to 65535, got "${value}"`);
    }
    return port;
}

/** Parses flags and environment; throws ConfigError naming the bad flag. */
export function parseCliArgs(argv: readonly string[], env: Env): CliOptions {
    let values;
    try {
        ({ values } = parseArgs({
            args: argv.map((arg) => llamaServerShortFlags[arg] ?? arg),
            options: {
                model: { type: "string" },
                draft: { type: "string", multiple: true },
                "ctx-size": { type: "string" },
                parallel: { type: "string" },
                threads: { type: "string" },
                "gpu-layers": { type: "string" },
                config: { type: "string" },
                host: { type: "string" },
                "grpc-port": { type: "string" },
                "metrics-port": { type: "string" },
                "http-port": { type: "string" },
                help: { type: "boolean", short: "h" },
            },
            strict: true,
            allowPositionals: false,
        }));
    } catch (cause) {
        throw new ConfigError(`${(cause as Error).message}\n\n${usage}`, { cause });
    }
    const pick = (flag: string | undefined, envName: string): string | undefined =>
        flag ?? (env[envName] === "" ? undefined : env[envName]);
    return {
        help: values.help === true,
        configPath: pick(values.config, "TIERCEL_CONFIG"),
        host: pick(values.host, "TIERCEL_HOST"),
        grpcPort:
            parsePort(values["grpc-port"], "--grpc-port") ??
            parsePort(env.TIERCEL_GRPC_PORT, "TIERCEL_GRPC_PORT"),
        metricsPort:
            parsePort(values["metrics-port"], "--metrics-port") ??
            parsePort(env.TIERCEL_METRICS_PORT, "TIERCEL_METRICS_PORT"),
        httpPort:
            parsePort(values["http-port"], "--http-port") ??
            parsePort(env.TIERCEL_HTTP_PORT, "TIERCEL_HTTP_PORT"),
        authToken: pick(undefined, "TIERCEL_AUTH_TOKEN"),
        metricsAuthToken: pick(undefined, "TIERCEL_METRICS_AUTH_TOKEN"),
        gatewayKeys: pick(undefined, "TIERCEL_GATEWAY_KEYS")
            ?.split(",")
            .map((key) => key.trim())
            .filter((key) => key !== ""),
        model: values.model === undefined ? undefined : resolve(values.model),
        drafts: values.draft?.map((path) => resolve(path)),
        ctxSize: parseCount(values["ctx-size"], "--ctx-size", 64),
        parallel: parseCount(values.parallel, "--parallel", 1),
        threads: parseCount(values.threads, "--threads", 1),
        gpuLayers:
            values["gpu-layers"] === "auto" ? "auto" : parseCount(values["gpu-layers"], "--gpu-layers", 0),
    };
}

/** A model id from its file: `qwen2.5-coder-7b-q4_k_m.gguf` → `qwen2.5-coder-7b-q4_k_m`. */
function modelIdOf(path: string): string {
    return basename(path).replace(/\.gguf$/i, "");
}

/** The config with the flag/environment overrides applied, validated again (e.g. the token's length). */
export function applyCliOptions(config: Config, options: CliOptions): Config {
    const server = { ...config.server };
    if (options.host !== undefined) server.host = options.host;
    if (options.grpcPort !== undefined) server.grpcPort = options.grpcPort;
    if (options.metricsPort !== undefined) server.metricsPort = options.metricsPort;
    if (options.httpPort !== undefined) server.httpPort = options.httpPort;
    if (options.authToken !== undefined) server.authToken = options.authToken;
    if (options.metricsAuthToken !== undefined) server.metricsAuthToken = options.metricsAuthToken;
    const gateway = { ...config.gateway };
    if (options.gatewayKeys !== undefined) gateway.keys = options.gatewayKeys;
    const models = { ...config.models };
    // --model alone serves that model without a draft (the config's drafts were chosen for another target).
    if (options.model !== undefined) {
        models.target = { id: modelIdOf(options.model), path: options.model };
        models.drafts = [];
    }
    if (options.drafts !== undefined) {
        const ids = new Set<string>();
        models.drafts = options.drafts.map((path) => {
            let id = modelIdOf(path);
            for (let n = 2; ids.has(id) || id === models.target.id; n++) id = `${modelIdOf(path)}-${n}`;
            ids.add(id);
            return { id, path };
        });
    }
    const engine = { ...config.engine };
    if (options.ctxSize !== undefined) engine.contextSize = options.ctxSize;
    if (options.parallel !== undefined) engine.sequences = options.parallel;
    if (options.threads !== undefined) engine.threads = options.threads;
    if (options.gpuLayers !== undefined) engine.gpuLayers = options.gpuLayers;
    return parseConfig({ ...config, models, engine, server, gateway }, "flags and environment");
}
