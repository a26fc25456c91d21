/**
 * The agent gateway's HTTP server (node:http): OpenAI- and Anthropic-compatible endpoints over one
 * in-process router. Every response carries `x-request-id`; routed ones `x-tiercel-route` as well.
 *
 * Endpoints are looked up in a small exact-match table rather than through a router dependency: the
 * gateway has a fixed handful of paths without parameters, and one Map lookup is the cheapest dispatch
 * on a path whose added latency is measured (bench/e2e/gatewayOverhead.ts).
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Registry } from "prom-client";
import type { Router } from "../index.js";
import { createGatewayMetrics } from "../metrics/createGatewayMetrics.js";
import type { Logger } from "../util/logger.js";
import {
    gatewayHeadersTimeoutMs,
    gatewayKeepAliveTimeoutMs,
    gatewayRequestTimeoutMs,
} from "../config/defaults.js";
import { authenticate } from "./authenticate.js";
import { GatewayError, toGatewayError } from "./GatewayError.js";
import { KeyRateLimiter } from "./KeyRateLimiter.js";
import { KeySpendLimiter } from "./KeySpendLimiter.js";
import { SpendStateFile } from "./SpendStateFile.js";
import { listModels } from "./listModels.js";
import { ModelCatalog } from "./ModelCatalog.js";
import { chatCompletions } from "./openai/chatCompletions.js";
import { completions } from "./openai/completions.js";
import { openaiFace } from "./openai/openaiFace.js";
import { createResponse } from "./openai/responses.js";
import { anthropicFace } from "./anthropic/anthropicFace.js";
import { countTokens, createMessage } from "./anthropic/messages.js";
import { retrieveModel, retrieveModelPrefix } from "./retrieveModel.js";
import type { Exchange, Face, GatewayContext, Handler } from "./types.js";
import { listen } from "../util/listen.js";

export interface GatewayOptions {
    router: Router;
    host: string;
    /** 0 picks a free port. */
    port: number;
    /** Accepted gateway keys; with none, only a loopback host serves (see authenticate.ts). */
    keys: readonly string[];
    /** `model` aliases (gateway.models). */
    aliases?: Readonly<Record<string, string>>;
    /** Largest accepted request body. */
    maxBodyBytes: number;
    /** Per-key request-rate limit (gateway.rateLimit). Defaults to none. */
    rateLimit?: { requestsPerMinute: number; burst: number } | undefined;
    /**
     * Per-key daily spend limit in US dollars (gateway.spendLimit), and the file that keeps each key's
     * spend today across restarts (an absolute path, or relative to the working directory; null or unset:
     * memory only). Defaults to none.
     */
    spendLimit?: { usdPerDay: number; stateFile?: string | null | undefined } | undefined;
    /** Where its HTTP request metrics are registered (the one the metrics port serves). */
    registry: Registry;
    /** Whether the gateway can serve (`GET /readyz`): the local tier answers, the classifier is loaded. */
    ready: () => boolean | Promise<boolean>;
    logger: Logger;
}

export interface Gateway {
    /** e.g. `http://127.0.0.1:8080` (no trailing slash; SDK base URLs add `/v1`). */
    readonly url: string;
    readonly port: number;
    /**
     * Stops accepting connections, lets responses in flight end (each connection is closed as soon as it
     * has none: agents keep theirs alive, and an idle keep-alive connection would hold the close for the
     * whole keep-alive timeout), cuts those still running after `timeoutMs` (default: no limit), and
     * writes the spend file.
     */
    close(timeoutMs?: number): Promise<void>;
}

interface Endpoint {
    /** The path, as the `route` metric label. */
    route: string;
    handler: Handler;
    face: Face;
    /** Health endpoints answer without a gateway key (probes carry none). */
    open?: boolean;
    /** Shared by both protocols: a request with `anthropic-version` gets Anthropic's error shape. */
    shared?: boolean;
}

const healthz: Handler = (_context, exchange) => {
    exchange.res.writeHead(200, { ...exchange.headers, "content-type": "text/plain" }).end("ok\n");
    return Promise.resolve();
};

const needsUrlParse = /\/\.|%|\\/;

/**
 * The request target's path, without the query (Claude Code sends `/v1/messages?beta=true`). A plain
 * origin-form target is split at `?` (nothing else needs the parsed URL); `new URL()` handles the rest
 * (absolute-form, dot segments, percent-encoding, backslashes) as it normalizes them.
 */
function pathOf(target: string | undefined): string {
    if (target === undefined) return "/";
    if (target.startsWith("/") && !needsUrlParse.test(target)) {
        const query = target.indexOf("?");
        return query === -1 ? target : target.slice(0, query);
    }
    return new URL(target, "http://gateway").pathname;
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
    const spend = options.spendLimit && new KeySpendLimiter(options.spendLimit);
    const spendPath = options.spendLimit?.stateFile;
    const spendFile =
        spend !== undefined && typeof spendPath === "string"
            ? new SpendStateFile(spend, { path: spendPath, logger: options.logger })
            : undefined;
    const context: GatewayContext = {
        router: options.router,
        models: new ModelCatalog(options.router.config, options.aliases),
        maxBodyBytes: options.maxBodyBytes,
        spend,
    };
    const readyz: Handler = async (_context, exchange) => {
        const ready = await options.ready();
        exchange.res
            .writeHead(ready ? 200 : 503, { ...exchange.headers, "content-type": "text/plain" })
            .end(ready ? "ready\n" : "not ready: the local tier is loading or unreachable\n");
    };
    const endpoint = (method: string, route: string, rest: Omit<Endpoint, "route">): [string, Endpoint] => [
        `${method} ${route}`,
        { route, ...rest },
    ];
    const endpoints = new Map<string, Endpoint>([
        endpoint("GET", "/healthz", { handler: healthz, face: openaiFace, open: true }),
        endpoint("GET", "/readyz", { handler: readyz, face: openaiFace, open: true }),
        endpoint("GET", "/v1/models", { handler: listModels, face: openaiFace, shared: true }),
        endpoint("POST", "/v1/chat/completions", { handler: chatCompletions, face: openaiFace }),
        endpoint("POST", "/v1/completions", { handler: completions, face: openaiFace }),
        endpoint("POST", "/v1/responses", { handler: createResponse, face: openaiFace }),
        endpoint("POST", "/v1/messages", { handler: createMessage, face: anthropicFace }),
        endpoint("POST", "/v1/messages/count_tokens", { handler: countTokens, face: anthropicFace }),
    ]);
    /** `GET /v1/models/{model}`: the one route with a parameter, matched by its prefix. */
    const modelRoute = `${retrieveModelPrefix}{model}`;
    const retrieveEndpoint: Endpoint = {
        route: modelRoute,
        handler: retrieveModel,
        face: openaiFace,
        shared: true,
    };
    const check = authenticate(options.keys, options.host);
    const limiter = options.rateLimit && new KeyRateLimiter(options.rateLimit);
    const metrics = createGatewayMetrics(options.registry);

    /** Set by close(): answers say `connection: close`, and each one ending closes its idle connection. */
    let closing = false;

    const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
        const path = pathOf(req.url);
        const requestId = randomUUID();
        const controller = new AbortController();
        const exchange: Exchange = {
            req,
            res,
            path,
            requestId,
            signal: controller.signal,
            // Anthropic's SDK reads `request-id`, OpenAI's `x-request-id`.
            headers: { "x-request-id": requestId, "request-id": requestId },
            keyId: undefined,
        };
        if (closing) exchange.headers.connection = "close";
        const served =
            endpoints.get(`${req.method ?? ""} ${path}`) ??
            (req.method === "GET" &&
            path.length > retrieveModelPrefix.length &&
            path.startsWith(retrieveModelPrefix)
                ? retrieveEndpoint
                : undefined);
        const face =
            served === undefined
                ? path.startsWith("/v1/messages")
                    ? anthropicFace
                    : openaiFace
                : served.shared === true && req.headers["anthropic-version"] !== undefined
                  ? anthropicFace
                  : served.face;
        const route = served?.route ?? "unmatched";
        const protocol = served?.open === true ? "none" : face.protocol;
        const startedAt = performance.now();
        metrics.inFlight.inc({ route });
        res.once("close", () => {
            // Its connection is idle from the next turn on (keep-alive): close it so close() can finish.
            if (closing)
                setImmediate(() => {
                    server.closeIdleConnections();
                });
            if (!res.writableFinished)
                controller.abort(new GatewayError("api_error", "the client closed the connection"));
            metrics.inFlight.dec({ route });
            // A client that left before any status was sent: nginx's 499.
            const status = res.headersSent ? String(res.statusCode) : "499";
            metrics.requests.inc({ route, protocol, status });
            metrics.requestDuration.observe({ route, protocol }, (performance.now() - startedAt) / 1000);
        });
        try {
            if (served === undefined) {
                throw new GatewayError(
                    "not_found",
                    `no endpoint ${req.method ?? ""} ${path}; the gateway serves ${[...endpoints.keys(), `GET ${modelRoute}`].join(", ")}`,
                );
            }
            if (served.open !== true) {
                exchange.keyId = check(req.headers);
                limiter?.take(exchange.keyId);
            }
            await served.handler(context, exchange);
        } catch (thrown) {
            const error = toGatewayError(thrown);
            if (error.kind === "api_error") {
                options.logger.error("request failed", {
                    requestId,
                    path,
                    error: String(thrown),
                });
            }
            if (res.headersSent) {
                res.end();
                return;
            }
            const { status, body } = face.error(error);
            const headers: Record<string, string> = {
                ...exchange.headers,
                "content-type": "application/json",
            };
            if (error.retryAfterSeconds !== undefined)
                headers["retry-after"] = String(error.retryAfterSeconds);
            // A body the handler did not read must not be left in the socket for the next request.
            if (!req.complete) headers.connection = "close";
            res.writeHead(status, headers).end(JSON.stringify(body));
        }
    };

    const server: Server = createServer(
        {
            keepAliveTimeout: gatewayKeepAliveTimeoutMs,
            headersTimeout: gatewayHeadersTimeoutMs,
            requestTimeout: gatewayRequestTimeoutMs,
        },
        (req, res) => {
            // Last resort: `handle` answers every error in the protocol's shape, but if even that answer
            // cannot be written, one request must not take the process (and its engine) down with an
            // unhandled rejection.
            handle(req, res).catch((error: unknown) => {
                options.logger.error("request could not be answered", { error: String(error) });
                if (res.headersSent) res.destroy();
                else
                    res.writeHead(500, { "content-type": "text/plain", connection: "close" }).end(
                        "internal error",
                    );
            });
        },
    );
    const { port, urlHost: host } = await listen(server, options.port, options.host);
    return {
        url: `http://${host}:${port}`,
        port,
        close: async (timeoutMs?: number) => {
            closing = true;
            const cut =
                timeoutMs === undefined
                    ? undefined
                    : setTimeout(() => {
                          server.closeAllConnections();
                      }, timeoutMs).unref();
            try {
                await new Promise<void>((resolve, reject) => {
                    server.close((error) => {
                        if (error) reject(error);
                        else resolve();
                    });
                    server.closeIdleConnections();
                });
            } finally {
                clearTimeout(cut);
            }
            await spendFile?.close();
        },
    };
}
