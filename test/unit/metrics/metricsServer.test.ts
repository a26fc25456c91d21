import { Counter, Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { startMetricsServer, type MetricsServer } from "../../../src/metrics/metricsServer.js";
import { createLogger } from "../../../src/util/logger.js";

const token = "scrape-token-0123456789abcdef";
let server: MetricsServer | undefined;

afterEach(async () => {
    await server?.close();
    server = undefined;
});

async function start(authToken?: string): Promise<MetricsServer> {
    const registry = new Registry();
    new Counter({ name: "probe_total", help: "a series to find", registers: [registry] }).inc();
    server = await startMetricsServer(registry, {
        host: "127.0.0.1",
        port: 0,
        logger: createLogger("metrics-test"),
        authToken,
    });
    return server;
}

describe("metrics server bearer token", () => {
    it("refuses a scrape without the configured token (401 with a challenge), serves one with it", async () => {
        const { url } = await start(token);
        const none = await fetch(url);
        expect(none.status).toBe(401);
        expect(none.headers.get("www-authenticate")).toBe('Bearer realm="metrics"');
        expect(await none.text()).toMatch(/authorization: Bearer/);
        expect(
            (await fetch(url, { headers: { authorization: "Bearer wrong-token-000000000000" } })).status,
        ).toBe(401);
        const ok = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
        expect(ok.status).toBe(200);
        expect(await ok.text()).toContain("probe_total 1");
    });

    it("without a token the endpoint stays open (bind it to loopback or a private network)", async () => {
        const { url } = await start();
        expect((await fetch(url)).status).toBe(200);
    });
});
