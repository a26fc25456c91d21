/**
 * Capacity, cancellation, health transitions, graceful shutdown, auth and TLS, each on its own real
 * server (loopback, fixture GGUFs).
 */
import { readFileSync } from "node:fs";
import { credentials, status as Status } from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { inferenceServiceName } from "../../src/grpc/loadProto.js";
import { errorCodeMetadataKey, retryableMetadataKey } from "../../src/grpc/toGrpcStatus.js";
import {
    connectClient,
    expectGrpcError,
    metricValue,
    startTestServer,
    statusName,
    type TestClient,
    type TestServer,
    type TestServerOptions,
} from "../helpers/startTestServer.js";

const prompt = "def fib(n):";
/** Long enough (~0.5 s here) to still be running when the test acts on it. */
const long = { prompt, max_tokens: 480 };

const servers: TestServer[] = [];
const clients: TestClient[] = [];
async function start(options: TestServerOptions = {}): Promise<TestServer> {
    const server = await startTestServer(options);
    servers.push(server);
    return server;
}

afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function sequencesInUse(server: TestServer): Promise<number | undefined> {
    return metricValue(await server.metricsText(), "tiercel_sequences_in_use");
}

function check(server: TestServer, service = ""): Promise<string> {
    return new Promise((resolve, reject) => {
        server.health.Check({ service }, (error, response) => {
            if (error) reject(error);
            else resolve(response?.status ?? "missing");
        });
    });
}

describe("capacity and cancellation (1 sequence, no queue)", () => {
    const oneSlot: TestServerOptions = { engine: { sequences: 1, maxQueue: 0 } };

    it("refuses a second concurrent stream with RESOURCE_EXHAUSTED (retryable), then serves again", async () => {
        const server = await start(oneSlot);
        const first = server.stream(long);
        await first.first;
        const error = await expectGrpcError(server.stream({ prompt, max_tokens: 4 }).chunks);
        expect(statusName(error.code)).toBe("RESOURCE_EXHAUSTED");
        expect(error.metadata.get(errorCodeMetadataKey)).toEqual(["E_QUEUE_FULL"]);
        expect(error.metadata.get(retryableMetadataKey)).toEqual(["true"]);
        expect(error.details).toMatch(/raise engine.sequences/);
        first.call.cancel();
        await expect.poll(() => sequencesInUse(server)).toBe(0);
        const ok = await server.generate({ prompt, max_tokens: 4 });
        expect(ok.token_ids).toHaveLength(4);
    });

    it("a cancelled unary call releases its sequence for the next request", async () => {
        const server = await start(oneSlot);
        const outcome = new Promise<Status>((resolve) => {
            const call = server.client.Generate(long, (error) => {
                resolve(error?.code ?? Status.OK);
            });
            setTimeout(() => {
                call.cancel();
            }, 100);
        });
        expect(statusName(await outcome)).toBe("CANCELLED");
        await expect.poll(() => sequencesInUse(server)).toBe(0);
        const ok = await server.generate({ prompt, max_tokens: 4 });
        expect(ok.token_ids).toHaveLength(4);
        const text = await server.metricsText();
        expect(metricValue(text, 'tiercel_requests_total{method="Generate",code="CANCELLED"}')).toBe(1);
    });
});

describe("incompatible drafts with translation disabled", () => {
    it("lists the refused draft unloaded and answers a request for it with FAILED_PRECONDITION", async () => {
        const server = await start({ speculation: { translateIncompatibleDrafts: false } });
        const { models } = await server.listModels();
        const refused = models.find((m) => m.id === "x");
        expect([refused?.loaded, refused?.context_size, refused?.draft_mode]).toEqual([
            false,
            0,
            "DRAFT_MODE_UNSPECIFIED",
        ]);
        expect(refused?.compatibility?.verdict).toBe("COMPATIBILITY_VERDICT_INCOMPATIBLE");
        const error = await expectGrpcError(
            server.generate({ prompt, max_tokens: 2, speculation: { draft_model: "x" } }),
        );
        expect(statusName(error.code)).toBe("FAILED_PRECONDITION");
        expect(error.metadata.get(errorCodeMetadataKey)).toEqual(["E_DRAFT_INCOMPATIBLE"]);
        expect(error.details).toMatch(/translateIncompatibleDrafts/);
        expect((await server.generate({ prompt, max_tokens: 2 })).token_ids).toHaveLength(2);
    });
});

describe("health and shutdown", () => {
    it("goes NOT_SERVING → SERVING when models are ready → NOT_SERVING when draining", async () => {
        const server = await start({ deferLoad: true, server: { drainTimeoutMs: 5_000 } });
        expect(await check(server)).toBe("NOT_SERVING");
        expect(await check(server, inferenceServiceName)).toBe("NOT_SERVING");
        const early = await expectGrpcError(server.generate({ prompt, max_tokens: 2 }));
        expect(statusName(early.code)).toBe("UNAVAILABLE");
        expect(early.details).toMatch(/still loading/);

        const seen: string[] = [];
        const watch = server.health.Watch({ service: inferenceServiceName });
        const drained = new Promise<void>((resolve) => {
            watch.on("data", ({ status }: { status: string }) => {
                seen.push(status);
                if (seen.length === 3) resolve();
            });
        });
        watch.on("error", () => undefined); // the cancel below
        await expect.poll(() => seen.length).toBe(1);
        await server.app.load();
        expect(await check(server, inferenceServiceName)).toBe("SERVING");
        const stopping = server.app.stop();
        await drained;
        watch.cancel();
        await stopping;
        expect(seen).toEqual(["NOT_SERVING", "SERVING", "NOT_SERVING"]);
    });

    it("lets an in-flight stream finish while refusing new calls with UNAVAILABLE", async () => {
        const server = await start({ server: { drainTimeoutMs: 30_000 } });
        const running = server.stream({ prompt, max_tokens: 300 });
        await running.first;
        const stopping = server.app.stop();
        const refused = await expectGrpcError(server.generate({ prompt, max_tokens: 2 }));
        expect(statusName(refused.code)).toBe("UNAVAILABLE");
        const chunks = await running.chunks;
        expect(chunks.at(-1)?.finish_reason).toBe("FINISH_REASON_LENGTH");
        expect(chunks.flatMap((c) => c.token_ids)).toHaveLength(300);
        await stopping;
    });

    it("cancels what is still running at the drain timeout and still shuts down cleanly", async () => {
        const server = await start({ server: { drainTimeoutMs: 50 } });
        const running = server.stream({ ...long, max_tokens: 500 });
        await running.first;
        await server.app.stop();
        const error = await expectGrpcError(running.chunks);
        expect(["CANCELLED", "UNAVAILABLE"]).toContain(statusName(error.code));
    });
});

describe("auth and TLS", () => {
    const token = "test-token-0123456789";

    it("requires the bearer token on Inference calls but not on health", async () => {
        const server = await start({ server: { authToken: token } });
        for (const header of [undefined, "Bearer wrong-token-0123456789"]) {
            const client = startClientWith(server, header);
            const error = await expectGrpcError(client.generate({ prompt, max_tokens: 2 }));
            expect(statusName(error.code)).toBe("UNAUTHENTICATED");
            expect(error.metadata.get(errorCodeMetadataKey)).toEqual(["E_UNAUTHENTICATED"]);
        }
        expect(await check(server)).toBe("SERVING");
        const authorized = startClientWith(server, `Bearer ${token}`);
        expect((await authorized.generate({ prompt, max_tokens: 2 })).token_ids).toHaveLength(2);
        const text = await server.metricsText();
        expect(metricValue(text, 'tiercel_requests_total{method="Generate",code="UNAUTHENTICATED"}')).toBe(2);
    });

    it("serves TLS with the configured certificate", async () => {
        const dir = new URL("../helpers/fixtures/tls/", import.meta.url);
        const certPath = new URL("server.crt", dir).pathname;
        const keyPath = new URL("server.key", dir).pathname;
        const secure = credentials.createSsl(readFileSync(certPath));
        const server = await start({
            server: { tls: { certPath, keyPath } },
            client: { credentials: secure },
        });
        expect((await server.generate({ prompt, max_tokens: 2 })).token_ids).toHaveLength(2);
        const plain = startClientWith(server, undefined, credentials.createInsecure());
        const error = await expectGrpcError(
            plain.generate({ prompt, max_tokens: 2 }, { deadline: Date.now() + 3_000 }),
        );
        expect(["UNAVAILABLE", "DEADLINE_EXCEEDED"]).toContain(statusName(error.code));
    });
});

/** A second client on an existing server, with its own metadata and credentials. */
function startClientWith(
    server: TestServer,
    authorization: string | undefined,
    creds = credentials.createInsecure(),
): TestClient {
    const client = connectClient(server.addresses, {
        credentials: creds,
        metadata: authorization === undefined ? {} : { authorization },
    });
    clients.push(client);
    return client;
}
