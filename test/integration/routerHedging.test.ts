/**
 * Hedged streams end to end over HTTP: the official @anthropic-ai/sdk and `openai` SDKs against the local
 * fake servers (test/helpers/fake*Server.ts). The router's clock is frozen and its sleep (which also
 * times the hedge) is scripted, so when a hedge starts is decided by the test, not by timers; who wins
 * is decided by the fake servers (a reply that hangs never produces a first token).
 */
import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/errors/codes.js";
import type { ChatRequest } from "../../src/chat/types.js";
import { collectStream } from "../../src/router/collectStream.js";
import type { RouterConfigInput } from "../../src/router/config.js";
import { createRouter } from "../../src/router/createRouter.js";
import type { Router } from "../../src/router/ModelRouter.js";
import { silentLogger } from "../../src/util/logger.js";
import {
    anthropicFrames,
    anthropicMessage,
    anthropicStream,
    anthropicText,
} from "../helpers/fakeAnthropicServer.js";
import { openaiError, openaiFrames, openaiStream } from "../helpers/fakeOpenAIServer.js";
import { useFakeProviders } from "../helpers/fakeProviders.js";

const keys = {
    TEST_ANTHROPIC_KEY: "sk-ant-test-aaaaaaaaaaaaaaaaaaaa",
    TEST_OPENAI_KEY: "sk-test-bbbbbbbbbbbbbbbbbbbbbbbb",
};

const { anthropic, openai, track } = await useFakeProviders();

/** A sleep the router asked for: the hedge timer here (no retries are configured). */
interface Timer {
    ms: number;
    signal: AbortSignal;
    fire: () => void;
}

interface Fixture {
    router: Router;
    timers: Timer[];
    metric: (series: string) => Promise<number | undefined>;
}

/**
 * One tier of two targets, Claude first and GPT as the next target of the plan; hedging on after one
 * first-token sample. `fireTimers`: the hedge delay elapses as soon as it is asked for (else the test
 * fires it).
 */
function makeRouter(
    hedging: Partial<NonNullable<RouterConfigInput["hedging"]>> = {},
    { fireTimers = true, cache = false }: { fireTimers?: boolean; cache?: boolean } = {},
): Fixture {
    const timers: Timer[] = [];
    const router = createRouter(
        {
            providers: {
                anthropic: { type: "anthropic", baseURL: anthropic.url, apiKeyEnv: "TEST_ANTHROPIC_KEY" },
                openai: { type: "openai", baseURL: `${openai.url}/v1`, apiKeyEnv: "TEST_OPENAI_KEY" },
            },
            tiers: [
                {
                    name: "mid",
                    targets: [
                        { provider: "anthropic", model: "claude-sonnet-5-5" },
                        { provider: "openai", model: "gpt-5.1-codex" },
                    ],
                },
            ],
            prices: {
                "claude-sonnet-5-5": { inputPerMTok: 3, outputPerMTok: 15 },
                "gpt-5.1-codex": { inputPerMTok: 1.25, outputPerMTok: 10 },
            },
            reliability: { maxRetries: 0 },
            cache: { enabled: cache },
            hedging: { enabled: true, minSamples: 1, windowSamples: 10, budgetRatio: 1, ...hedging },
        },
        {
            env: keys,
            logger: silentLogger,
            now: () => 1_000,
            sleep: (ms, signal) =>
                new Promise<void>((resolve, reject) => {
                    timers.push({ ms, signal, fire: resolve });
                    signal.addEventListener(
                        "abort",
                        () => {
                            reject(signal.reason as Error);
                        },
                        { once: true },
                    );
                    if (fireTimers) resolve();
                }),
        },
    );
    track(router);
    return {
        router,
        timers,
        metric: async (series) => {
            const text = await router.registry.metrics();
            for (const line of text.split("\n"))
                if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
            return undefined;
        },
    };
}

/** 400 characters: the prompt is estimated at 100 tokens. */
const prompt = "x".repeat(400);
const ask = (extra: Partial<ChatRequest> = {}): ChatRequest => ({
    messages: [{ role: "user", content: prompt }],
    ...extra,
});

/** Claude's stream whose first content event comes `ms` after its message_start. */
function claudeAfter(ms: number, text: string) {
    const frames = anthropicFrames(anthropicText(text));
    const contentAt = frames.findIndex((f) => f.event === "content_block_delta");
    frames[contentAt] = { ...frames[contentAt]!, delayMs: ms };
    return { kind: "sse" as const, frames };
}

/** One streamed request Claude answers at once: the first-token sample hedging needs. */
async function warmUp(f: Fixture): Promise<void> {
    anthropic.enqueue(anthropicStream(anthropicText("warm")));
    const warm = await collectStream(f.router.stream(ask()));
    expect(warm.routing.hedge).toBeNull();
}

describe("hedged streams", () => {
    it("a first target silent past its TTFT p95 is hedged on the next target; the hedge wins and the primary is cancelled", async () => {
        const f = makeRouter();
        await warmUp(f);
        anthropic.enqueue({ kind: "hang" });
        openai.enqueue(openaiStream({ text: ["from ", "gpt"], finishReason: "stop" }));
        const response = await collectStream(f.router.stream(ask()));

        expect(response.content).toEqual([{ type: "text", text: "from gpt" }]);
        expect(response.routing).toMatchObject({ provider: "openai", model_used: "gpt-5.1-codex" });
        expect(response.routing.attempts).toEqual([
            expect.objectContaining({ provider: "anthropic", outcome: "hedge_lost", error_code: null }),
            expect.objectContaining({ provider: "openai", outcome: "ok" }),
        ]);
        // The frozen clock makes every sample 0 ms, so the p95 (the delay asked of the sleep) is 0.
        expect(f.timers.map((t) => t.ms)).toEqual([0]);
        expect(response.routing.hedge).toEqual({
            primary: "anthropic/claude-sonnet-5-5",
            hedge: "openai/gpt-5.1-codex",
            delay_ms: 0,
            outcome: "won",
            // 100 estimated prompt tokens at $3 per million.
            lost_cost_usd: 0.0003,
        });
        // The primary's request is cancelled upstream; its permit was released, not counted as an outcome.
        await expect.poll(() => anthropic.clientAborts).toBe(1);
        const claude = f.router.breakers().find((b) => b.provider === "anthropic")!;
        expect(claude).toMatchObject({ state: "closed", consecutiveFailures: 0 });
        expect(claude.windowRequests).toBe(1); // the warm-up only
        expect(await f.metric('tiercel_router_hedges_total{outcome="won"}')).toBe(1);
        expect(
            await f.metric(
                'tiercel_router_attempts_total{provider="anthropic",model="claude-sonnet-5-5",outcome="hedge_lost"}',
            ),
        ).toBe(1);
    });

    it("the primary's first token beats the hedge: the hedge is cancelled and recorded as lost", async () => {
        const f = makeRouter();
        await warmUp(f);
        anthropic.enqueue(claudeAfter(300, "from claude"));
        openai.enqueue({ kind: "hang" });
        const response = await collectStream(f.router.stream(ask()));

        expect(response.content).toEqual([{ type: "text", text: "from claude" }]);
        expect(response.routing.attempts).toEqual([
            expect.objectContaining({ provider: "anthropic", outcome: "ok" }),
            expect.objectContaining({ provider: "openai", outcome: "hedge_lost" }),
        ]);
        expect(response.routing.hedge).toMatchObject({ outcome: "lost", lost_cost_usd: 0.000125 });
        await expect.poll(() => openai.clientAborts).toBe(1);
        expect(await f.metric('tiercel_router_hedges_total{outcome="lost"}')).toBe(1);
    });

    it("never hedges once the first token arrived: the hedge timer is cancelled with it", async () => {
        const f = makeRouter({}, { fireTimers: false });
        await warmUp(f);
        // The first token at once, the rest of the answer long after: still no hedge.
        const frames = anthropicFrames(anthropicText("a long answer"));
        const lastDelta = frames.findLastIndex((fr) => fr.event === "content_block_delta");
        frames[lastDelta] = { ...frames[lastDelta]!, delayMs: 300 };
        anthropic.enqueue({ kind: "sse", frames });
        const response = await collectStream(f.router.stream(ask()));

        expect(response.content).toEqual([{ type: "text", text: "a long answer" }]);
        expect(f.timers).toHaveLength(1);
        expect(f.timers[0]!.signal.aborted).toBe(true);
        expect(openai.requests).toHaveLength(0);
        expect(response.routing.hedge).toBeNull();
        expect(response.routing.attempts).toEqual([expect.objectContaining({ outcome: "ok" })]);
    });

    it("never hedges a request marked hints.idempotent: false", async () => {
        const f = makeRouter();
        await warmUp(f);
        anthropic.enqueue(claudeAfter(100, "once"));
        const response = await collectStream(f.router.stream(ask({ hints: { idempotent: false } })));
        expect(response.content).toEqual([{ type: "text", text: "once" }]);
        expect(f.timers).toHaveLength(0);
        expect(openai.requests).toHaveLength(0);
        expect(response.routing.hedge).toBeNull();
    });

    it("waits for minSamples first tokens of a target before hedging it", async () => {
        const f = makeRouter({ minSamples: 2 });
        await warmUp(f);
        anthropic.enqueue(claudeAfter(100, "unhedged"));
        const second = await collectStream(f.router.stream(ask()));
        expect(second.routing.hedge).toBeNull();
        expect(f.timers).toHaveLength(0);
        // Two samples now: the third request is hedged.
        anthropic.enqueue({ kind: "hang" });
        openai.enqueue(openaiStream({ text: ["hedged"], finishReason: "stop" }));
        const third = await collectStream(f.router.stream(ask()));
        expect(third.routing.hedge).toMatchObject({ outcome: "won" });
    });

    it("the budget caps hedges: a hedge due beyond budgetRatio is not sent and is counted as no_budget", async () => {
        // 0.5: one hedge per two requests in the window.
        const f = makeRouter({ budgetRatio: 0.5 });
        await warmUp(f);
        anthropic.enqueue({ kind: "hang" });
        openai.enqueue(openaiStream({ text: ["hedged"], finishReason: "stop" }));
        const hedged = await collectStream(f.router.stream(ask()));
        expect(hedged.routing.hedge).toMatchObject({ outcome: "won" });
        // Third request: 2 hedges would exceed 0.5 × 3 requests.
        anthropic.enqueue(claudeAfter(100, "unhedged"));
        const denied = await collectStream(f.router.stream(ask()));
        expect(denied.content).toEqual([{ type: "text", text: "unhedged" }]);
        expect(denied.routing.hedge).toEqual({
            primary: "anthropic/claude-sonnet-5-5",
            hedge: "openai/gpt-5.1-codex",
            delay_ms: 0,
            outcome: "no_budget",
            lost_cost_usd: null,
        });
        expect(denied.routing.attempts).toHaveLength(1);
        expect(openai.requests).toHaveLength(1);
        expect(await f.metric('tiercel_router_hedges_total{outcome="no_budget"}')).toBe(1);
    });

    it("a hedge that fails leaves the primary to answer, and its target is not tried again", async () => {
        const f = makeRouter();
        await warmUp(f);
        anthropic.enqueue(claudeAfter(200, "from claude"));
        openai.enqueue(openaiError(500, "server_error", null, "upstream broke"));
        const response = await collectStream(f.router.stream(ask()));
        expect(response.content).toEqual([{ type: "text", text: "from claude" }]);
        expect(response.routing.attempts).toEqual([
            expect.objectContaining({ provider: "anthropic", outcome: "ok" }),
            expect.objectContaining({ provider: "openai", outcome: "error" }),
        ]);
        expect(response.routing.hedge).toMatchObject({ outcome: "failed", lost_cost_usd: null });
        expect(await f.metric('tiercel_router_hedges_total{outcome="failed"}')).toBe(1);
    });

    it("when the primary fails, the running hedge is its fallback", async () => {
        const f = makeRouter();
        await warmUp(f);
        const frames = anthropicFrames(anthropicText("never"));
        anthropic.enqueue({ kind: "sse", frames: frames.slice(0, 1), destroyAfter: true });
        // The hedge's first token comes after the primary's connection dropped.
        const late = openaiFrames({ text: ["from gpt"], finishReason: "stop" });
        late[0] = { ...late[0]!, delayMs: 300 };
        openai.enqueue({ kind: "sse", frames: late });
        const response = await collectStream(f.router.stream(ask()));
        expect(response.content).toEqual([{ type: "text", text: "from gpt" }]);
        expect(response.routing.attempts).toEqual([
            expect.objectContaining({
                provider: "anthropic",
                outcome: "error",
                error_code: ErrorCode.ProviderStream,
            }),
            expect.objectContaining({ provider: "openai", outcome: "ok" }),
        ]);
        expect(response.routing.hedge).toMatchObject({ outcome: "won", lost_cost_usd: null });
        expect(openai.requests).toHaveLength(1);
    });

    it("caches the winner's answer (the loser never reaches the cache)", async () => {
        const f = makeRouter({}, { cache: true });
        await warmUp(f);
        anthropic.enqueue({ kind: "hang" });
        openai.enqueue(openaiStream({ text: ["winner"], finishReason: "stop" }));
        const request: ChatRequest = {
            messages: [{ role: "user", content: "cache me" }],
            hints: { namespace: "repo" },
        };
        const first = await collectStream(f.router.stream(request));
        expect(first.routing.hedge).toMatchObject({ outcome: "won" });
        const again = await collectStream(f.router.stream(request));
        expect(again.routing).toMatchObject({ cache: "hit", provider: "openai", hedge: null });
        expect(again.content).toEqual([{ type: "text", text: "winner" }]);
        // The cancelled primary reached the fake server (and took its scripted reply) before the next test.
        await expect.poll(() => anthropic.clientAborts).toBe(1);
    });

    it("does not hedge unary requests (their latency is the whole answer's)", async () => {
        const f = makeRouter();
        await warmUp(f);
        anthropic.enqueue(anthropicMessage(anthropicText("unary")));
        const response = await f.router.complete(ask());
        expect(response.content).toEqual([{ type: "text", text: "unary" }]);
        expect(response.routing.hedge).toBeNull();
        expect(f.timers).toHaveLength(0);
        expect(openai.requests).toHaveLength(0);
    });
});
