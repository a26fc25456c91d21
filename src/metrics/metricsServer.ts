/**
 * Serves the registry as Prometheus text on `GET /metrics`, on its own port so that scraping never
 * competes with (or needs the credentials of) the gRPC port. The endpoint is plain HTTP: bind it to
 * loopback or a private network, and set `authToken` so that only scrapers holding it
 * (`authorization: Bearer <token>`, Prometheus `authorization.credentials`) can read it.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { Registry } from "prom-client";
import type { Logger } from "../util/logger.js";
import { listen } from "../util/listen.js";

export interface MetricsServerOptions {
    host: string;
    /** 0 picks a free port. */
    port: number;
    logger: Logger;
    /** Bearer token a scrape must carry; undefined = open endpoint. */
    authToken?: string | undefined;
}

export interface MetricsServer {
    /** e.g. `http://127.0.0.1:9464/metrics`. */
    readonly url: string;
    readonly port: number;
    close(): Promise<void>;
}

export async function startMetricsServer(
    registry: Registry,
    options: MetricsServerOptions,
): Promise<MetricsServer> {
    const expected = options.authToken === undefined ? undefined : digest(options.authToken);
    const server: Server = createServer((req, res) => {
        const path = (req.url ?? "/").split("?")[0];
        if (path !== "/metrics") {
            res.writeHead(404, { "content-type": "text/plain" }).end("not found; metrics are at /metrics\n");
            return;
        }
        if (req.method !== "GET" && req.method !== "HEAD") {
            res.writeHead(405, { allow: "GET, HEAD" }).end();
            return;
        }
        if (expected !== undefined && !hasBearer(req.headers.authorization, expected)) {
            res.writeHead(401, {
                "content-type": "text/plain",
                "www-authenticate": 'Bearer realm="metrics"',
            }).end(
                "missing or wrong bearer token; send `authorization: Bearer <token>` with server.metricsAuthToken\n",
            );
            return;
        }
        registry.metrics().then(
            (text) => {
                res.writeHead(200, { "content-type": registry.contentType }).end(
                    req.method === "HEAD" ? "" : text,
                );
            },
            (error: unknown) => {
                options.logger.error("metrics collection failed", { error: String(error) });
                res.writeHead(500, { "content-type": "text/plain" }).end("metrics collection failed\n");
            },
        );
    });
    const { port, urlHost: host } = await listen(server, options.port, options.host);
    return {
        url: `http://${host}:${port}/metrics`,
        port,
        close: () =>
            new Promise<void>((resolve, reject) => {
                server.close((error) => {
                    if (error) reject(error);
                    else resolve();
                });
                // Scrapers keep connections alive; close them so shutdown does not wait for their timeout.
                server.closeAllConnections();
            }),
    };
}

function digest(value: string): Buffer {
    return createHash("sha256").update(value).digest();
}

/** Whether the header is `Bearer <token>` for the expected token; compared in constant time. */
function hasBearer(header: string | undefined, expected: Buffer): boolean {
    const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match !== null && timingSafeEqual(digest(match[1]!), expected);
}
