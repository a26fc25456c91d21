/**
 * Shutdown statuses through a real server: a request still queued when the drain starts is refused
 * with UNAVAILABLE at once, and a call still running when the drain times out ends with UNAVAILABLE and
 * its `tiercel-error-code` trailer, so generic gRPC clients retry both elsewhere.
 */
import { afterEach, describe, expect, it } from "vitest";
import { errorCodeMetadataKey, retryableMetadataKey } from "../../src/grpc/toGrpcStatus.js";
import {
    expectGrpcError,
    metricValue,
    startTestServer,
    statusName,
    type TestServer,
} from "../helpers/startTestServer.js";

let server: TestServer | undefined;
afterEach(async () => {
    await server?.close();
    server = undefined;
});

describe("drain statuses (1 sequence)", () => {
    it("queued → UNAVAILABLE at once; running at the drain timeout → UNAVAILABLE with the trailer", async () => {
        server = await startTestServer({
            engine: { sequences: 1, maxQueue: 4 },
            server: { drainTimeoutMs: 100 },
        });
        const s = server;
        const settled: string[] = [];
        const running = s.stream({ prompt: "def fib(n):", max_tokens: 480 });
        await running.first;
        const queued = s.generate({ prompt: "def f(x):", max_tokens: 4 });
        const queuedError = expectGrpcError(queued).finally(() => settled.push("queued"));
        const runningError = expectGrpcError(running.chunks).finally(() => settled.push("running"));
        await expect.poll(async () => metricValue(await s.metricsText(), "tiercel_queue_depth")).toBe(1);

        const stopping = s.app.stop();
        const refused = await queuedError;
        expect(statusName(refused.code)).toBe("UNAVAILABLE");
        expect(refused.metadata.get(errorCodeMetadataKey)).toEqual(["E_NOT_READY"]);
        expect(refused.metadata.get(retryableMetadataKey)).toEqual(["true"]);
        expect(refused.details).toMatch(/shutting down/);

        const cut = await runningError;
        expect(statusName(cut.code)).toBe("UNAVAILABLE");
        expect(cut.metadata.get(errorCodeMetadataKey)).toEqual(["E_NOT_READY"]);
        expect(cut.metadata.get(retryableMetadataKey)).toEqual(["true"]);
        expect(settled).toEqual(["queued", "running"]);
        await stopping;
    });
});
