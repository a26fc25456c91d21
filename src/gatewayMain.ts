/**
 * `npm run gateway -- --config router.json`: the agent gateway alone, its local tier one or more tiercel
 * gRPC servers elsewhere (the CUDA hosts), named in the config's `gateway.router` section; without that
 * section, the default tiering with the server the config's `server.host` / `server.grpcPort` describe.
 * Same flags and environment as `npm start` (cliArgs.ts); router metrics on the metrics port.
 * `/readyz` is 200 while at least one local tier server answers its gRPC health check with SERVING.
 * Exit codes: 0 after SIGTERM/SIGINT, 1 on a failure, 2 on invalid flags or configuration.
 */
import { applyCliOptions, parseCliArgs, usage } from "./cliArgs.js";
import { loadConfig } from "./config/loadConfig.js";
import { ErrorCode } from "./errors/codes.js";
import { isServiceError } from "./errors/ServiceError.js";
import { localAuthTokenEnv, serverRouterConfig } from "./gateway/defaultRouterConfig.js";
import { spendLimitOf } from "./gateway/spendLimitOf.js";
import { startGateway } from "./gateway/startGateway.js";
import { checkHealth, defaultHealthCheckTimeoutMs } from "./healthcheck.js";
import { startMetricsServer } from "./metrics/metricsServer.js";
import { createRegistry } from "./metrics/registry.js";
import { parseRouterConfig } from "./router/config.js";
import { createRouter } from "./router/createRouter.js";
import { createLogger } from "./util/logger.js";

const log = createLogger("gateway-main");

async function main(): Promise<void> {
    const cli = parseCliArgs(process.argv.slice(2), process.env);
    if (cli.help) {
        process.stdout.write(
            usage.replace("tiercel serve", "tiercel gateway").replace("npm start", "npm run gateway"),
        );
        return;
    }
    const loaded = loadConfig(cli.configPath);
    const config = applyCliOptions(loaded.config, cli);
    const env =
        config.server.authToken === undefined
            ? process.env
            : { ...process.env, [localAuthTokenEnv]: config.server.authToken };
    const routerConfig =
        config.gateway.router === undefined
            ? parseRouterConfig(serverRouterConfig(config, config.server.grpcPort, env))
            : parseRouterConfig(config.gateway.router, "gateway.router");
    const localAddresses = Object.values(routerConfig.providers).flatMap((p) =>
        p.type === "local" ? [p.address] : [],
    );
    const registry = createRegistry();
    const router = createRouter(routerConfig, { registry, logger: createLogger("router"), env });
    // Not ready before the routing classifier has loaded (a cold classifier would route by abstention); a
    // failed load is logged by the router and leaves the default tier deciding.
    let routerSettled = false;
    void router.ready().then(
        () => (routerSettled = true),
        () => (routerSettled = true),
    );
    const metrics = await startMetricsServer(registry, {
        host: config.server.host,
        port: config.server.metricsPort,
        logger: createLogger("metrics"),
    });
    const gateway = await startGateway({
        router,
        host: config.server.host,
        port: config.server.httpPort,
        keys: config.gateway.keys,
        aliases: config.gateway.models,
        maxBodyBytes: config.gateway.maxBodyBytes,
        rateLimit: config.gateway.rateLimit,
        spendLimit: spendLimitOf(config, loaded.baseDir),
        registry,
        ready: async () => {
            if (!routerSettled) return false;
            const checks = await Promise.all(
                localAddresses.map((address) =>
                    checkHealth({ address, service: "", timeoutMs: defaultHealthCheckTimeoutMs, tls: false }),
                ),
            );
            return checks.some((c) => c.serving);
        },
        logger: createLogger("gateway"),
    });
    log.info(`ready: gateway on ${gateway.url}, metrics on ${metrics.url}`, {
        gateway: gateway.url,
        metrics: metrics.url,
        local: localAddresses,
        tiers: routerConfig.tiers.map((t) => t.name),
    });
    const stop = (signal: NodeJS.Signals): void => {
        log.info("shutting down", { signal });
        void (async () => {
            await gateway.close(config.server.drainTimeoutMs);
            await router.close();
            await metrics.close();
            process.exit(0);
        })();
    };
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
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
