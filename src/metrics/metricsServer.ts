/**
 * Serves the registry as Prometheus text on `GET /metrics`, on its own port so that scraping never
 * competes with (or needs the credentials of) the gRPC port.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import type { Logger } from "../util/logger.js";

export interface MetricsServerOptions {
    host: string;
    /** 0 picks a free port. */
    port: number;
    logger: Logger;
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
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(options.port, options.host, () => {
            server.off("error", reject);
            resolve();
        });
    });
    const { port } = server.address() as AddressInfo;
    const host = options.host.includes(":") ? `[${options.host}]` : options.host;
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
