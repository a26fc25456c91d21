/**
 * Per-key scope and limits of the gateway, driven by the official SDKs against a router whose tier is the
 * fake Anthropic server (no engine): each gateway key has its own response-cache namespace (one tenant
 * never gets another's cached answer, also when both name the same namespace), and the per-key request
 * rate limit answers 429 with `retry-after` in each protocol's error shape, one key's bucket apart from
 * another's; the per-key spend limit does too, and a gateway restarted on the same spend file still
 * refuses a key that spent its day.
 */
import { mkdtempSync } from "node:fs";
import { Agent as HttpAgent, get as httpGet } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Gateway } from "../../src/gateway/startGateway.js";
import { createRouter } from "../../src/router/createRouter.js";
import type { Router } from "../../src/router/ModelRouter.js";
import { silentLogger } from "../../src/util/logger.js";
import {
    anthropicMessage,
    anthropicText,
    startFakeAnthropicServer,
    type FakeAnthropicServer,
} from "../helpers/fakeAnthropicServer.js";
import {
    anthropicClient,
    hostedTestRouter,
    openaiClient,
    startTestGateway,
} from "../helpers/gatewayFixture.js";

const keyA = "tenant-a-key-0123456789";
const keyB = "tenant-b-key-0123456789";

let anthropic: FakeAnthropicServer;
let router: Router;
let gateway: Gateway;
/** A second gateway over the same router with a limit of one request per minute per key. */
let limited: Gateway;
/** A gateway over a priced router (cache off) with a daily spend limit per key. */
let spendRouter: Router;
let spendLimited: Gateway;

beforeAll(async () => {
    anthropic = await startFakeAnthropicServer();
    router = hostedTestRouter(anthropic.url);
    gateway = await startTestGateway(router, { keys: [keyA, keyB] });
    limited = await startTestGateway(router, {
        keys: [keyA, keyB],
        rateLimit: { requestsPerMinute: 1, burst: 1 },
    });
    spendRouter = createRouter(
        {
            providers: {
                anthropic: { type: "anthropic", baseURL: anthropic.url, apiKeyEnv: "TEST_ANTHROPIC_KEY" },
            },
            tiers: [{ name: "mid", targets: [{ provider: "anthropic", model: "claude-haiku-5-5" }] }],
            reliability: { maxRetries: 0, backoffBaseMs: 1 },
            cache: { enabled: false },
            prices: { "claude-haiku-5-5": { inputPerMTok: 1, outputPerMTok: 5 } },
        },
        { env: { TEST_ANTHROPIC_KEY: "sk-ant-test-upstream-key" }, logger: silentLogger },
    );
    spendLimited = await startTestGateway(spendRouter, {
        keys: [keyA, keyB],
        spendLimit: { usdPerDay: 0.000001 },
    });
});

afterEach(() => {
    anthropic.reset();
});

afterAll(async () => {
    await Promise.all([gateway.close(), limited.close(), spendLimited.close()]);
    await Promise.all([router.close(), spendRouter.close()]);
    await anthropic.close();
});

const ask = (key: string, headers: Record<string, string> = {}) =>
    anthropicClient(gateway.url, key)
        .messages.create(
            { model: "auto", max_tokens: 16, messages: [{ role: "user", content: "What is 2 + 2?" }] },
            { headers },
        )
        .withResponse();
const textOf = (message: Anthropic.Message): string =>
    message.content.map((b) => (b.type === "text" ? b.text : "")).join("");

describe("cache scope per gateway key", () => {
    it("serves a key its own cached answer and never another key's", async () => {
        anthropic.enqueue(
            anthropicMessage(anthropicText("4, for tenant A")),
            anthropicMessage(anthropicText("4, for tenant B")),
        );
        expect(textOf((await ask(keyA)).data)).toBe("4, for tenant A");
        expect(textOf((await ask(keyA)).data)).toBe("4, for tenant A");
        expect(anthropic.requests).toHaveLength(1);
        // The same request with the other key goes upstream and gets its own answer.
        expect(textOf((await ask(keyB)).data)).toBe("4, for tenant B");
        expect(anthropic.requests).toHaveLength(2);
        expect(textOf((await ask(keyB)).data)).toBe("4, for tenant B");
        expect(anthropic.requests).toHaveLength(2);
    });

    it("scopes a namespace the request names under its key", async () => {
        const repo = { "x-tiercel-namespace": "shared-repo" };
        anthropic.enqueue(
            anthropicMessage(anthropicText("A in repo")),
            anthropicMessage(anthropicText("B in repo")),
        );
        expect(textOf((await ask(keyA, repo)).data)).toBe("A in repo");
        expect(textOf((await ask(keyB, repo)).data)).toBe("B in repo");
        expect(textOf((await ask(keyA, repo)).data)).toBe("A in repo");
        expect(anthropic.requests).toHaveLength(2);
    });

    it("caches an answer sampled at temperature > 0 only when x-tiercel-cache-sampled says true", async () => {
        const sampled = (headers: Record<string, string> = {}) =>
            anthropicClient(gateway.url, keyA).messages.create(
                {
                    model: "auto",
                    max_tokens: 16,
                    temperature: 0.8,
                    messages: [{ role: "user", content: "Name a prime." }],
                } as Anthropic.MessageCreateParamsNonStreaming,
                { headers },
            );
        anthropic.enqueue(
            anthropicMessage(anthropicText("7")),
            anthropicMessage(anthropicText("11")),
            anthropicMessage(anthropicText("13")),
        );
        // The router's cache.sampled is off: each sampled request draws again.
        expect(textOf(await sampled())).toBe("7");
        expect(textOf(await sampled())).toBe("11");
        const optIn = { "x-tiercel-cache-sampled": "true" };
        expect(textOf(await sampled(optIn))).toBe("13");
        expect(textOf(await sampled(optIn))).toBe("13");
        expect(anthropic.requests).toHaveLength(3);
        const error = await sampled({ "x-tiercel-cache-sampled": "yes" }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(Anthropic.BadRequestError);
        expect((error as Error).message).toContain("x-tiercel-cache-sampled must be true or false");
    });

    it("refuses a malformed namespace with a 400 saying what it may be", async () => {
        const error = await ask(keyA, { "x-tiercel-namespace": "../other" }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(Anthropic.BadRequestError);
        expect((error as Error).message).toContain("x-tiercel-namespace must be");
    });
});

describe("per-key spend limit", () => {
    it("serves a key until its priced spend reaches the day's limit, then 429 in each protocol's shape", async () => {
        anthropic.enqueue(anthropicMessage(anthropicText("4")), anthropicMessage(anthropicText("4, for B")));
        const prompt = [{ role: "user" as const, content: "What is 2 + 2?" }];
        const askA = () =>
            anthropicClient(spendLimited.url, keyA).messages.create({
                model: "auto",
                max_tokens: 16,
                messages: prompt,
            });
        expect(textOf(await askA())).toBe("4");
        const refused = await askA().catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(Anthropic.RateLimitError);
        const error = refused as InstanceType<typeof Anthropic.RateLimitError>;
        expect(error.error).toMatchObject({ type: "error", error: { type: "rate_limit_error" } });
        expect(error.message).toContain("its limit of $0.000001 per UTC day (gateway.spendLimit.usdPerDay)");
        const retryAfter = Number(error.headers.get("retry-after"));
        expect(retryAfter).toBeGreaterThan(0);
        expect(retryAfter).toBeLessThanOrEqual(86_400);
        const openaiRefused = await openaiClient(spendLimited.url, keyA)
            .chat.completions.create({ model: "auto", messages: prompt, stream: true })
            .catch((e: unknown) => e);
        expect(openaiRefused).toBeInstanceOf(OpenAI.RateLimitError);
        expect(anthropic.requests).toHaveLength(1);
        // Another key has its own budget.
        const b = await anthropicClient(spendLimited.url, keyB).messages.create({
            model: "auto",
            max_tokens: 16,
            messages: prompt,
        });
        expect(textOf(b)).toBe("4, for B");
    });
});

describe("per-key spend across a restart", () => {
    it("a gateway restarted on the same spend file still refuses a key over its limit", async () => {
        const stateFile = join(mkdtempSync(join(tmpdir(), "tiercel-spend-")), "spend.json");
        const spendGateway = () =>
            startTestGateway(spendRouter, {
                keys: [keyA, keyB],
                spendLimit: { usdPerDay: 0.000001, stateFile },
            });
        const ask = (url: string, key: string) =>
            anthropicClient(url, key).messages.create({
                model: "auto",
                max_tokens: 16,
                messages: [{ role: "user", content: "What is 3 + 3?" }],
            });
        anthropic.enqueue(anthropicMessage(anthropicText("6")), anthropicMessage(anthropicText("6, for B")));
        const first = await spendGateway();
        expect(textOf(await ask(first.url, keyA))).toBe("6");
        await first.close();

        const restarted = await spendGateway();
        try {
            const refused = await ask(restarted.url, keyA).catch((e: unknown) => e);
            expect(refused).toBeInstanceOf(Anthropic.RateLimitError);
            expect((refused as Error).message).toContain("(gateway.spendLimit.usdPerDay)");
            expect(anthropic.requests).toHaveLength(1);
            expect(textOf(await ask(restarted.url, keyB))).toBe("6, for B");
        } finally {
            await restarted.close();
        }
    });
});

describe("per-key rate limit", () => {
    it("answers 429 with retry-after in OpenAI's shape once a key's bucket is empty", async () => {
        const client = openaiClient(limited.url, keyA);
        for await (const model of client.models.list()) expect(model.id).toBeTypeOf("string");
        const error = await client.models
            .list()
            .withResponse()
            .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(OpenAI.RateLimitError);
        const limit = error as InstanceType<typeof OpenAI.RateLimitError>;
        expect(limit.headers.get("retry-after")).toBe("60");
        expect(limit.code).toBe("rate_limit_exceeded");
        expect(limit.message).toContain("1 requests per minute");
        // The wait in the message too, as OpenAI words it (Codex reads it from a failed stream's message).
        expect(limit.message).toMatch(/Please try again in 60s\.$/);
    });

    it("answers 429 in Anthropic's shape, and another key still has its own bucket", async () => {
        const error = await anthropicClient(limited.url, keyA)
            .models.list()
            .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(Anthropic.RateLimitError);
        const limit = error as InstanceType<typeof Anthropic.RateLimitError>;
        expect(limit.headers.get("retry-after")).toBe("60");
        expect(limit.error).toMatchObject({ type: "error", error: { type: "rate_limit_error" } });
        const models = await anthropicClient(limited.url, keyB).models.list();
        expect(models.data.map((m) => m.id)).toContain("auto");
    });

    it("does not count health probes", async () => {
        for (let i = 0; i < 3; i++) expect((await fetch(`${limited.url}/healthz`)).status).toBe(200);
    });
});

describe("client connections", () => {
    it("keeps an idle connection 120 s and says so (Keep-Alive: timeout=120), beyond agents' pool idle times", async () => {
        const agent = new HttpAgent({ keepAlive: true });
        const keepAlive = await new Promise<unknown>((resolve, reject) => {
            httpGet(`${gateway.url}/healthz`, { agent }, (res) => {
                res.resume();
                resolve(res.headers["keep-alive"]);
            }).on("error", reject);
        });
        agent.destroy();
        expect(keepAlive).toBe("timeout=120");
    });
});
