/**
 * Cascades on the real local tier (the engine on the tiny fixture GGUFs, one thread) through
 * LocalProvider's gRPC client: the confidence and acceptance signals arrive, and a cascade with an
 * impossible confidence threshold escalates to a hosted tier (a local fake Anthropic server), for
 * complete() and for a held stream.
 */
import { describe, expect, it } from "vitest";
import { createRouter } from "../../src/router/createRouter.js";
import type { RouterConfigInput } from "../../src/router/config.js";
import type { Router } from "../../src/router/ModelRouter.js";
import type { ChatRequest } from "../../src/chat/types.js";
import { silentLogger } from "../../src/util/logger.js";
import { anthropicMessage, anthropicStream, anthropicText } from "../helpers/fakeAnthropicServer.js";
import { useLocalTierAndFakeAnthropic } from "../helpers/localTierAndFakeAnthropic.js";

const env = useLocalTierAndFakeAnthropic();

function makeRouter(cascade: NonNullable<RouterConfigInput["tiers"]>[number]["cascade"]): Router {
    const router = createRouter(
        {
            providers: {
                local: { type: "local", address: env.server.addresses.grpcAddress },
                anthropic: { type: "anthropic", baseURL: env.anthropic.url, apiKeyEnv: "TEST_ANTHROPIC_KEY" },
            },
            tiers: [
                { name: "local", targets: [{ provider: "local", model: "t" }], cascade },
                { name: "mid", targets: [{ provider: "anthropic", model: "claude-haiku-5-5" }] },
            ],
            reliability: { maxRetries: 0, backoffBaseMs: 1 },
            cache: { enabled: false },
        },
        { env: { TEST_ANTHROPIC_KEY: "sk-ant-test-cccccccccccccccccccc" }, logger: silentLogger },
    );
    env.track(router);
    return router;
}

const chat: ChatRequest = {
    system: "You complete Python.",
    messages: [{ role: "user", content: "def fib(n):" }],
    max_tokens: 12,
    temperature: 0,
};

describe("local-tier signals", () => {
    it("the server reports mean/min logprob only when asked, identical text either way", async () => {
        const request = {
            messages: [{ role: "user", content: "def fib(n):" }],
            model: "t",
            max_tokens: 12,
            temperature: 0,
        };
        const plain = await env.server.generate(request);
        const measured = await env.server.generate({ ...request, return_confidence: true });
        expect(measured.text).toBe(plain.text);
        expect(plain.stats?.mean_logprob).toBeUndefined();
        expect(measured.usage?.completion_tokens).toBeGreaterThan(0);
        const mean = measured.stats?.mean_logprob;
        const min = measured.stats?.min_logprob;
        expect(typeof mean).toBe("number");
        expect(mean).toBeLessThanOrEqual(0);
        expect(min).toBeLessThanOrEqual(mean!);
    });

    it("an impossible confidence threshold escalates complete() to the hosted tier, with the signals recorded", async () => {
        const router = makeRouter({ minMeanLogprob: 0, rejectTruncated: false });
        env.anthropic.enqueue(anthropicMessage(anthropicText("hosted answer")));
        const response = await router.complete(chat);
        expect(response.content).toEqual([{ type: "text", text: "hosted answer" }]);
        expect(response.routing).toMatchObject({
            tier: "mid",
            provider: "anthropic",
            escalated: true,
            escalated_from: "local",
        });
        expect(response.routing.attempts.map((a) => [a.provider, a.outcome])).toEqual([
            ["local", "rejected"],
            ["anthropic", "ok"],
        ]);
        const [check] = response.routing.cascade;
        expect(check).toMatchObject({ tier: "local", failed_check: "min_mean_logprob", escalated_to: "mid" });
        expect(check?.mean_logprob).toBeLessThan(0);
        expect(check?.stop_reason).not.toBeNull();
        // The acceptance rate is a number when the fixture server drafted, else null (no evidence).
        const rate = check?.acceptance_rate ?? null;
        expect(rate === null || (rate >= 0 && rate <= 1)).toBe(true);
    });

    it("a passing threshold serves the local answer", async () => {
        const router = makeRouter({ minMeanLogprob: -1e9, rejectTruncated: false });
        const response = await router.complete(chat);
        expect(response.routing).toMatchObject({ tier: "local", escalated: false });
        expect(response.routing.cascade[0]).toMatchObject({ failed_check: null, escalated_to: null });
        expect(response.signals?.mean_logprob).toBeLessThanOrEqual(0);
        expect(env.anthropic.requests).toHaveLength(0);
    });

    it("a held local stream is escalated before its first byte reaches the caller", async () => {
        const router = makeRouter({ minMeanLogprob: 0, rejectTruncated: false, streamHoldChars: 100_000 });
        env.anthropic.enqueue(anthropicStream(anthropicText("streamed from hosted")));
        const events = [];
        for await (const event of router.stream(chat)) events.push(event);
        expect(events[0]).toMatchObject({ type: "message_start", tier: "mid", provider: "anthropic" });
        const text = events.flatMap((e) => (e.type === "text_delta" ? [e.text] : [])).join("");
        expect(text).toBe("streamed from hosted");
        const end = events.at(-1);
        expect(end?.type === "message_end" && end.routing.cascade[0]?.failed_check).toBe("min_mean_logprob");
    });
});
