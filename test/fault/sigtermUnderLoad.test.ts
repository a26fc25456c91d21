/**
 * SIGTERM under load, through the real process entry (`src/main.ts`): two sequences busy with long
 * streams, two requests queued, one refused for a full queue. Every call's final status is exact:
 * queued → UNAVAILABLE at once, running at the drain timeout → UNAVAILABLE, both with the
 * `tiercel-error-code: E_NOT_READY` trailer and `retryable: true`; the process exits 0.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCodeMetadataKey, retryableMetadataKey } from "../../src/grpc/toGrpcStatus.js";
import {
    connectClient,
    expectGrpcError,
    metricValue,
    statusName,
    testConfigInput,
} from "../helpers/startTestServer.js";
import { freePortFlags, readyAddresses, runMain } from "../helpers/runMain.js";
let dir: string;
let configPath: string;

beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tiercel-sigterm-"));
    configPath = join(dir, "config.json");
    const { server: _server, ...config } = await testConfigInput({ engine: { sequences: 2, maxQueue: 2 } });
    await writeFile(configPath, JSON.stringify({ ...config, server: { drainTimeoutMs: 100 } }));
});

afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
});

describe("SIGTERM under load", () => {
    it("gives every call its exact status and exits 0", async () => {
        const main = runMain(["--config", configPath, ...freePortFlags]);
        const ready = await main.ready();
        const client = connectClient(readyAddresses(ready));
        const queueDepth = async () =>
            metricValue(await (await fetch(ready.metrics)).text(), "tiercel_queue_depth");

        const running = [0, 1].map(() => client.stream({ prompt: "def fib(n):", max_tokens: 480 }));
        await Promise.all(running.map((r) => r.first));
        const queued = [0, 1].map(() => expectGrpcError(client.generate({ prompt: "x", max_tokens: 2 })));
        await expect.poll(queueDepth).toBe(2);
        const full = await expectGrpcError(client.generate({ prompt: "x", max_tokens: 2 }));
        expect(statusName(full.code)).toBe("RESOURCE_EXHAUSTED");
        expect(full.metadata.get(errorCodeMetadataKey)).toEqual(["E_QUEUE_FULL"]);

        main.kill("SIGTERM");
        for (const error of [
            ...(await Promise.all(queued)),
            ...(await Promise.all(running.map((r) => expectGrpcError(r.chunks)))),
        ]) {
            expect(statusName(error.code)).toBe("UNAVAILABLE");
            expect(error.metadata.get(errorCodeMetadataKey)).toEqual(["E_NOT_READY"]);
            expect(error.metadata.get(retryableMetadataKey)).toEqual(["true"]);
        }
        client.close();
        expect(await main.exited).toBe(0);
    });
});
