/**
 * Process entry (`npm start`): flags + env + config file → createApp → start; SIGTERM/SIGINT → stop → exit 0.
 * Exit codes: 0 after a clean shutdown, 1 on a failure, 2 on invalid flags or configuration.
 */
import { applyCliOptions, parseCliArgs, usage } from "./cliArgs.js";
import { loadConfig } from "./config/loadConfig.js";
import { createApp, type App } from "./app.js";
import { ErrorCode } from "./errors/codes.js";
import { isServiceError } from "./errors/ServiceError.js";
import { createLogger } from "./util/logger.js";
import { statSync } from "node:fs";
import type { Config } from "./config/schema.js";
import { resolveModels } from "./engine/loadModels.js";

const log = createLogger("main");

/**
 * Model load progress on stderr, with bytes and an ETA from the rate so far: a self-updating line on a
 * terminal, a log line per 10 % otherwise (log collectors would store every carriage-return update).
 */
function progressReporter(totalBytes: number): (progress: number, modelId: string) => void {
    let lastDecile = -1;
    const started = performance.now();
    const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(bytes < 10 * 2 ** 20 ? 1 : 0);
    return (progress, modelId) => {
        const percent = Math.floor(progress * 100);
        const elapsedS = (performance.now() - started) / 1000;
        const etaS = progress > 0 ? Math.max(0, (elapsedS * (1 - progress)) / progress) : undefined;
        const loadedBytes = Math.round(progress * totalBytes);
        if (process.stderr.isTTY) {
            const eta = etaS === undefined || progress >= 1 ? "" : `, ${etaS.toFixed(0)} s left`;
            process.stderr.write(
                `\rloading models: ${String(percent).padStart(3)}% ${mib(loadedBytes)}/${mib(totalBytes)} MiB${eta} (${modelId})\x1b[K`,
            );
            if (progress >= 1) process.stderr.write("\n");
            return;
        }
        const decile = Math.floor(percent / 10);
        if (decile === lastDecile) return;
        lastDecile = decile;
        log.info("loading models", {
            percent,
            model: modelId,
            loadedBytes,
            totalBytes,
            etaSeconds: etaS === undefined ? null : Math.round(etaS),
        });
    };
}

/** Sum of the model files' sizes (no hashing), for the progress line; also fails fast on a missing file. */
async function modelBytes(config: Config, baseDir: string): Promise<number> {
    const models = await resolveModels(config, baseDir, { verifyHashes: false });
    return [models.target, ...models.drafts, ...models.refused]
        .map((m) => statSync(m.path).size)
        .reduce((a, b) => a + b, 0);
}

async function main(): Promise<void> {
    const cli = parseCliArgs(process.argv.slice(2), process.env);
    if (cli.help) {
        process.stdout.write(usage);
        return;
    }
    const loaded = loadConfig(cli.configPath);
    const config = applyCliOptions(loaded.config, cli);
    const totalBytes = await modelBytes(config, loaded.baseDir);
    const app: App = createApp(config, { baseDir: loaded.baseDir, onProgress: progressReporter(totalBytes) });

    const shutdown = { requested: false };
    const onSignal = (signal: NodeJS.Signals): void => {
        if (shutdown.requested) {
            log.warn("second signal: exiting without draining", { signal });
            process.exit(1);
        }
        shutdown.requested = true;
        log.info("shutting down: draining requests", {
            signal,
            drainTimeoutMs: config.server.drainTimeoutMs,
        });
        app.stop().then(
            () => {
                log.info("stopped");
                process.exit(0);
            },
            (error: unknown) => {
                log.error("shutdown failed", { error: String(error) });
                process.exit(1);
            },
        );
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);

    try {
        const addresses = await app.listen();
        log.info("models loading; health reports NOT_SERVING until ready", { grpc: addresses.grpcAddress });
        await app.load();
        if (shutdown.requested) return;
        log.info(
            `ready: gRPC on ${addresses.grpcAddress}, gateway on ${addresses.gatewayUrl}, metrics on ${addresses.metricsUrl}`,
            {
                grpc: addresses.grpcAddress,
                gateway: addresses.gatewayUrl,
                metrics: addresses.metricsUrl,
                tls: config.server.tls !== undefined,
                auth: config.server.authToken !== undefined,
                gatewayKeys: config.gateway.keys.length,
            },
        );
    } catch (error) {
        await app.stop().catch(() => undefined);
        throw error;
    }
}

/**
 * A start-up failure as a plain sentence on stderr (not a log line: a person reads it), saying what to do.
 * Exit 2 for invalid flags or configuration, 1 for anything else.
 */
function reportStartupFailure(error: unknown): never {
    const code = (error as { code?: unknown } | undefined)?.code;
    const message = error instanceof Error ? error.message : String(error);
    if (isServiceError(error)) {
        process.stderr.write(`tiercel: ${error.message}\n`);
        process.exit(error.code === ErrorCode.ConfigInvalid ? 2 : 1);
    }
    const inUse = code === "EADDRINUSE" || /No address added out of total/.test(message);
    if (inUse) {
        process.stderr.write(
            `tiercel: a port is already in use (${message}). Stop the other process, or choose other ports with ` +
                "--grpc-port, --http-port and --metrics-port (0 picks a free one).\n",
        );
        process.exit(1);
    }
    process.stderr.write(
        `tiercel: start-up failed: ${error instanceof Error ? (error.stack ?? message) : message}\n`,
    );
    process.exit(1);
}

main().catch(reportStartupFailure);
