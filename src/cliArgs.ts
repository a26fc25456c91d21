/**
 * `npm start` flags and environment variables. Precedence: flag > environment > config file > default.
 * Everything ends up in the validated Config (server section), so the rest of the program sees one source.
 */
import { parseArgs } from "node:util";
import { parseConfig } from "./config/loadConfig.js";
import type { Config } from "./config/schema.js";
import { defaultGrpcHost, defaultGrpcPort, defaultHttpPort, defaultMetricsPort } from "./config/defaults.js";
import { ConfigError } from "./errors/ServiceError.js";

export const usage = `Usage: npm start -- [options]

Serves the tiercel.v1.Inference gRPC API (health and reflection included) and Prometheus metrics.

Options (each overrides its environment variable, which overrides the config file):
  --config <path>        JSON config file                     env TIERCEL_CONFIG (default: bundled models)
  --host <address>       interface to bind                    env TIERCEL_HOST (default: ${defaultGrpcHost})
  --grpc-port <port>     gRPC port, 0 = any free port         env TIERCEL_GRPC_PORT (default: ${defaultGrpcPort})
  --metrics-port <port>  /metrics port, 0 = any free port     env TIERCEL_METRICS_PORT (default: ${defaultMetricsPort})
  --http-port <port>     agent gateway (OpenAI/Anthropic HTTP) env TIERCEL_HTTP_PORT (default: ${defaultHttpPort})
  -h, --help             show this help

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
}

type Env = Readonly<Record<string, string | undefined>>;

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
            args: [...argv],
            options: {
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
    };
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
    return parseConfig({ ...config, server, gateway }, "flags and environment");
}
