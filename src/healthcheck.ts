/**
 * `npm run healthcheck`: a grpc.health.v1 client for container health checks (Dockerfile HEALTHCHECK,
 * compose `healthcheck`), so the image needs no grpcurl or grpc_health_probe download. Exit 0 when the
 * server answers SERVING, 1 for anything else: NOT_SERVING (loading or draining), an unknown service,
 * unreachable, timed out, bad arguments. Never 2: Docker reserves it.
 *
 * Without --address it asks where `npm start` with the same flags, environment and config file binds
 * (TIERCEL_CONFIG, TIERCEL_HOST, TIERCEL_GRPC_PORT), with a wildcard host replaced by loopback.
 */
import { Client, credentials, Metadata, status as Status, type ServiceError } from "@grpc/grpc-js";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { service as healthService } from "grpc-health-check";
import { applyCliOptions, parseCliArgs } from "./cliArgs.js";
import { loadConfig } from "./config/loadConfig.js";

/** Long enough for a loaded server on a busy host, well inside Docker's default 30 s check timeout. */
export const defaultHealthCheckTimeoutMs = 3000;

export const usage = `Usage: npm run healthcheck -- [options]

Asks the server's grpc.health.v1.Health whether it is SERVING: exit 0 when it is, 1 otherwise.

Options:
  --address <host:port>  server to ask (default: where \`npm start\` binds with the same config and
                         environment; 0.0.0.0 and :: become loopback)
  --config <path>        config file to read the address from    env TIERCEL_CONFIG
  --service <name>       health service: "" = the whole server (default), or tiercel.v1.Inference
  --timeout-ms <ms>      give up after this long (default: ${defaultHealthCheckTimeoutMs})
  --tls                  use TLS (default: when the config has server.tls); the certificate is not
                         verified: this probes a local process and sends nothing secret
  -h, --help             show this help
`;

export interface HealthCheckOptions {
    /** host:port, IPv6 hosts in brackets. */
    address: string;
    /** Health service name; "" is the whole server. */
    service: string;
    timeoutMs: number;
    tls: boolean;
}

export interface HealthCheckResult {
    serving: boolean;
    /** SERVING, NOT_SERVING, UNKNOWN, SERVICE_UNKNOWN, or the gRPC status name of a failed call. */
    status: string;
    /** What went wrong, for the health log. */
    detail?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Parses flags; returns "help" for -h. Throws with a message naming the bad flag. */
export function parseHealthCheckArgs(argv: readonly string[], env: Env): HealthCheckOptions | "help" {
    const { values } = parseArgs({
        args: [...argv],
        options: {
            address: { type: "string" },
            config: { type: "string" },
            service: { type: "string", default: "" },
            "timeout-ms": { type: "string" },
            tls: { type: "boolean" },
            help: { type: "boolean", short: "h" },
        },
        strict: true,
        allowPositionals: false,
    });
    if (values.help === true) return "help";
    const timeoutText = values["timeout-ms"];
    const timeoutMs = timeoutText === undefined ? defaultHealthCheckTimeoutMs : Number(timeoutText);
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
        throw new Error(`--timeout-ms must be a positive integer, got "${timeoutText}"`);
    }
    const service = values.service;
    if (values.address !== undefined) {
        return { address: values.address, service, timeoutMs, tls: values.tls === true };
    }
    // The server's own precedence (flag > environment > config file > default), so both agree.
    const cli = parseCliArgs(values.config === undefined ? [] : ["--config", values.config], env);
    const { server } = applyCliOptions(loadConfig(cli.configPath).config, cli);
    if (server.grpcPort === 0) {
        throw new Error("the server's gRPC port is 0 (a free port picked at start-up): pass --address");
    }
    return {
        address: formatAddress(loopbackFor(server.host), server.grpcPort),
        service,
        timeoutMs,
        tls: values.tls === true || server.tls !== undefined,
    };
}

/** A wildcard listen address means "every interface"; a local probe then connects over loopback. */
function loopbackFor(host: string): string {
    if (host === "0.0.0.0") return "127.0.0.1";
    if (host === "::" || host === "[::]") return "::1";
    return host;
}

function formatAddress(host: string, port: number): string {
    return host.includes(":") && !host.startsWith("[") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** One Health/Check call with a deadline; never throws. */
export async function checkHealth(options: HealthCheckOptions): Promise<HealthCheckResult> {
    const check = healthService.Check;
    if (check === undefined) throw new Error("grpc-health-check has no Check method");
    const channelCredentials = options.tls
        ? credentials.createSsl(null, null, null, { rejectUnauthorized: false })
        : credentials.createInsecure();
    const client = new Client(options.address, channelCredentials);
    try {
        return await new Promise<HealthCheckResult>((resolve) => {
            client.makeUnaryRequest(
                check.path,
                check.requestSerialize,
                check.responseDeserialize,
                { service: options.service },
                new Metadata(),
                { deadline: Date.now() + options.timeoutMs },
                (error: ServiceError | null, response?: object) => {
                    if (error) {
                        // NOT_FOUND is how grpc.health.v1 answers an unknown service name.
                        const status =
                            error.code === Status.NOT_FOUND ? "SERVICE_UNKNOWN" : Status[error.code];
                        resolve({ serving: false, status, detail: error.details.trim() });
                        return;
                    }
                    const servingStatus =
                        response !== undefined && "status" in response && typeof response.status === "string"
                            ? response.status
                            : "UNKNOWN";
                    resolve({ serving: servingStatus === "SERVING", status: servingStatus });
                },
            );
        });
    } finally {
        client.close();
    }
}

/** The `tiercel healthcheck` / `npm run healthcheck` command; resolves to the exit code. */
export async function runHealthCheck(argv: readonly string[]): Promise<number> {
    let options: HealthCheckOptions | "help";
    try {
        options = parseHealthCheckArgs(argv, process.env);
    } catch (error) {
        process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
        return 1;
    }
    if (options === "help") {
        process.stdout.write(usage);
        return 0;
    }
    const result = await checkHealth(options);
    const service = options.service === "" ? "" : ` ${options.service}`;
    const detail = result.detail === undefined ? "" : `: ${result.detail}`;
    process.stdout.write(`${options.address}${service}: ${result.status}${detail}\n`);
    return result.serving ? 0 : 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
    runHealthCheck(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (error: unknown) => {
            process.stderr.write(
                `healthcheck failed: ${error instanceof Error ? error.message : String(error)}\n`,
            );
            process.exit(1);
        },
    );
}
