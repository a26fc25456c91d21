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

const log = createLogger("main");

/**
 * Model load progress on stderr: a self-updating line on a terminal, a log line per 10 % otherwise
 * (log collectors would store every carriage-return update).
 */
function progressReporter(): (progress: number, modelId: string) => void {
    let lastDecile = -1;
    return (progress, modelId) => {
        const percent = Math.floor(progress * 100);
        if (process.stderr.isTTY) {
            process.stderr.write(`\rloading models: ${String(percent).padStart(3)}% (${modelId})`);
            if (progress >= 1) process.stderr.write("\n");
            return;
        }
        const decile = Math.floor(percent / 10);
        if (decile === lastDecile) return;
        lastDecile = decile;
        log.info("loading models", { percent, model: modelId });
    };
}

async function main(): Promise<void> {
    const cli = parseCliArgs(process.argv.slice(2), process.env);
    if (cli.help) {
        process.stdout.write(usage);
        return;
    }
    const loaded = loadConfig(cli.configPath);
    const config = applyCliOptions(loaded.config, cli);
    const app: App = createApp(config, { baseDir: loaded.baseDir, onProgress: progressReporter() });

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

main().catch((error: unknown) => {
    if (isServiceError(error)) {
        log.error(error.message, { code: error.code });
        process.exit(error.code === ErrorCode.ConfigInvalid ? 2 : 1);
    }
    log.error("startup failed", {
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    process.exit(1);
});
