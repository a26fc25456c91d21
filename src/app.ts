/**
 * Composition root: builds every part from the Config and wires them together; the parts hold the logic.
 *
 *   listen(): metrics registry → gRPC server (health NOT_SERVING, Inference UNAVAILABLE) → /metrics server
 *             → router (local tier = this gRPC server) → agent gateway (HTTP; /readyz 503 until load())
 *   load():   LocalEngine.load (progress callback) → warm-up → Inference attached → health SERVING
 *   stop():   gateway closed (in-flight HTTP answers end first) → router closed →
 *             health NOT_SERVING + refuse new calls + refuse queued requests (UNAVAILABLE, at once)
 *             → tryShutdown(drainTimeoutMs) → cut the rest (UNAVAILABLE with its trailer) → let their
 *             statuses go out (drainCutGraceMs) → forceShutdown → wait until every generation released
 *             its sequence → state saves (bounded) → engine.dispose()
 */
import type { Registry } from "prom-client";
import type { Config } from "./config/schema.js";
import { LocalEngine } from "./engine/LocalEngine.js";
import { ServerHealth } from "./grpc/health.js";
import { localEngineBackend, type InferenceBackend } from "./grpc/InferenceBackend.js";
import { InferenceService } from "./grpc/inferenceService.js";
import { createGrpcServer, loadGuardedInferenceProto } from "./grpc/server.js";
import { createMetrics } from "./metrics/createMetrics.js";
import { startMetricsServer, type MetricsServer } from "./metrics/metricsServer.js";
import { createRegistry } from "./metrics/registry.js";
import { createLogger, type Logger } from "./util/logger.js";
import { localAuthTokenEnv, serverRouterConfig } from "./gateway/defaultRouterConfig.js";
import { spendLimitOf } from "./gateway/spendLimitOf.js";
import { startGateway, type Gateway } from "./gateway/startGateway.js";
import type { Router } from "./index.js";
import { parseRouterConfig } from "./router/config.js";
import { createRouter } from "./router/createRouter.js";
import { resolve } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { drainCutGraceMs } from "./config/defaults.js";

export interface AppOptions {
    /** Directory that relative paths in the config resolve against. */
    baseDir: string;
    /** Logger per component. Defaults to JSON lines on stderr. */
    createLogger?: (component: string) => Logger;
    /** Model load progress in [0, 1]. */
    onProgress?: (progress: number, modelId: string) => void;
    /** Environment the gateway's router reads API keys from. Defaults to `process.env`. */
    env?: Readonly<Record<string, string | undefined>>;
}

export interface AppAddresses {
    /** host:port the gRPC server is bound to. */
    grpcAddress: string;
    grpcPort: number;
    /** Full URL of the Prometheus endpoint. */
    metricsUrl: string;
    metricsPort: number;
    /** Base URL of the agent gateway, e.g. `http://127.0.0.1:8080` (SDK base URLs add `/v1`). */
    gatewayUrl: string;
    httpPort: number;
}

export interface App {
    /** Binds the gRPC and metrics ports; health reports NOT_SERVING until load() is done. */
    listen(): Promise<AppAddresses>;
    /** Loads and warms up the models, then serves (health SERVING). */
    load(): Promise<void>;
    /** listen() then load(). */
    start(): Promise<AppAddresses>;
    /** Drains and stops everything; safe to call at any point, more than once. */
    stop(): Promise<void>;
    readonly registry: Registry;
    readonly health: ServerHealth;
    /** The loaded engine (undefined until load() has loaded it), for embedding and benchmarks. */
    readonly engine: LocalEngine | undefined;
}

export function createApp(config: Config, options: AppOptions): App {
    const makeLogger = options.createLogger ?? createLogger;
    const log = makeLogger("app");
    const { server: serverConfig } = config;
    let engine: LocalEngine | undefined;
    const registry = createRegistry();
    const metrics = createMetrics(registry, () => engine?.slotUsage);
    const health = new ServerHealth();
    const proto = loadGuardedInferenceProto();
    const service = new InferenceService({
        metrics,
        logger: makeLogger("grpc"),
        requestProblem: proto.guard.problem,
    });
    const tls = serverConfig.tls && {
        certPath: resolve(options.baseDir, serverConfig.tls.certPath),
        keyPath: resolve(options.baseDir, serverConfig.tls.keyPath),
    };
    const grpc = createGrpcServer(service, proto, {
        metrics,
        health,
        authToken: serverConfig.authToken,
        tls,
    });
    let metricsServer: MetricsServer | undefined;
    let router: Router | undefined;
    let gateway: Gateway | undefined;
    let routerSettled = false;
    let loading: Promise<void> | undefined;
    let stopping: Promise<void> | undefined;

    const listen = async (): Promise<AppAddresses> => {
        const grpcPort = await grpc.listen(serverConfig.host, serverConfig.grpcPort);
        metricsServer = await startMetricsServer(registry, {
            host: serverConfig.host,
            port: serverConfig.metricsPort,
            logger: makeLogger("metrics"),
            authToken: serverConfig.metricsAuthToken,
        });
        const host = serverConfig.host.includes(":") ? `[${serverConfig.host}]` : serverConfig.host;
        const env = options.env ?? process.env;
        const routerConfig =
            config.gateway.router === undefined
                ? serverRouterConfig(config, grpcPort, env)
                : parseRouterConfig(config.gateway.router, "gateway.router");
        router = createRouter(routerConfig, {
            registry,
            logger: makeLogger("router"),
            env:
                serverConfig.authToken === undefined
                    ? env
                    : { ...env, [localAuthTokenEnv]: serverConfig.authToken },
        });
        // Not ready before the routing classifier has loaded (a cold classifier would route by abstention);
        // a failed load is logged by the router and leaves the default tier deciding.
        void router.ready().then(
            () => (routerSettled = true),
            () => (routerSettled = true),
        );
        gateway = await startGateway({
            router,
            host: serverConfig.host,
            port: serverConfig.httpPort,
            keys: config.gateway.keys,
            aliases: config.gateway.models,
            maxBodyBytes: config.gateway.maxBodyBytes,
            rateLimit: config.gateway.rateLimit,
            spendLimit: spendLimitOf(config, options.baseDir),
            registry,
            ready: () => health.state === "SERVING" && routerSettled,
            logger: makeLogger("gateway"),
        });
        return {
            grpcAddress: `${host}:${grpcPort}`,
            grpcPort,
            metricsUrl: metricsServer.url,
            metricsPort: metricsServer.port,
            gatewayUrl: gateway.url,
            httpPort: gateway.port,
        };
    };

    const load = (): Promise<void> => {
        loading ??= (async () => {
            engine = await LocalEngine.load(config, options.baseDir, {
                logger: makeLogger("engine"),
                onProgress: options.onProgress,
            });
            const backend = localEngineBackend(engine);
            await warmUp(backend);
            if (stopping) return;
            service.attach(backend);
            health.set("SERVING");
        })();
        return loading;
    };

    const stop = (): Promise<void> => {
        stopping ??= (async () => {
            // HTTP answers in flight get the same drain time as gRPC calls; the rest are cut.
            await gateway?.close(serverConfig.drainTimeoutMs);
            await router?.close();
            health.set("NOT_SERVING");
            service.drain();
            engine?.drain();
            if (!(await grpc.tryShutdown(serverConfig.drainTimeoutMs))) {
                log.warn("drain timeout: cutting the remaining requests", {
                    drainTimeoutMs: serverConfig.drainTimeoutMs,
                });
                service.cancelAll();
                // Each cut call ends with its own status and trailer; closing the connections before
                // those are written would turn them into RST_STREAM CANCELLED.
                await Promise.race([service.idle(), delay(drainCutGraceMs)]);
                if (!(await grpc.tryShutdown(drainCutGraceMs))) grpc.forceShutdown();
            }
            await service.idle();
            await metricsServer?.close();
            // A load still in progress finishes first: a half-loaded engine cannot be disposed cleanly.
            await loading?.catch(() => undefined);
            await engine?.dispose();
        })();
        return stopping;
    };

    return {
        listen,
        load,
        start: async () => {
            const addresses = await listen();
            await load();
            return addresses;
        },
        stop,
        registry,
        health,
        get engine() {
            return engine;
        },
    };
}

/**
 * One tiny generation per decoding path before reporting SERVING, so the first real request does not pay
 * for lazy allocations (compute buffers, draft context, samplers); also renders a chat message, which
 * fails fast on a broken chat template.
 */
async function warmUp(backend: InferenceBackend): Promise<void> {
    backend.tokenizeChat([{ role: "user", content: "hello" }]);
    for (const mode of ["off", "auto"] as const) {
        const request = { prompt: "def main():", maxTokens: 4, speculation: { mode } };
        for await (const chunk of backend.generate(request, AbortSignal.timeout(60_000))) {
            if (chunk.finish) break;
        }
    }
}
