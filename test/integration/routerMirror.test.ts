/**
 * Mirroring end to end: the official SDKs against the local fake servers. Claude answers the caller; the
 * same request then reaches the fake OpenAI server as the candidate, and its answer is only recorded.
 */
import { describe, expect, it, vi } from "vitest";
import type { RouterConfigInput } from "../../src/router/config.js";
import { createRouter } from "../../src/router/createRouter.js";
import type { RoutingRecord } from "../../src/router/types.js";
import { silentLogger } from "../../src/util/logger.js";
import { anthropicMessage } from "../helpers/fakeAnthropicServer.js";
import { openaiCompletion, openaiError } from "../helpers/fakeOpenAIServer.js";
import { useFakeProviders } from "../helpers/fakeProviders.js";

const { anthropic, openai, track } = await useFakeProviders();

function makeRouter(mirror: Partial<NonNullable<RouterConfigInput["mirror"]>> = {}) {
    const records: RoutingRecord[] = [];
    const router = createRouter(
        {
            providers: {
                anthropic: { type: "anthropic", baseURL: anthropic.url, apiKeyEnv: "K" },
                openai: { type: "openai", baseURL: `${openai.url}/v1`, apiKeyEnv: "K" },
            },
            tiers: [{ name: "mid", targets: [{ provider: "anthropic", model: "claude-haiku-5-5" }] }],
            policy: { defaultTier: "mid" },
            prices: {
                "claude-haiku-5-5": { inputPerMTok: 1, outputPerMTok: 5 },
                "gpt-5-mini": { inputPerMTok: 0.25, outputPerMTok: 2 },
            },
            reliability: { maxRetries: 0 },
            mirror: {
                target: { provider: "openai", model: "gpt-5-mini" },
                sampleRate: 1,
                dailySpendCapUsd: 1,
                ...mirror,
            },
        },
        {
            env: { K: "sk-test-mmmmmmmmmmmmmmmmmmmmmmmm" },
            logger: silentLogger,
            onRecord: (record) => records.push(record),
        },
    );
    track(router);
    return { router, records };
}

const readFile = {
    messages: [{ role: "user" as const, content: "Open src/a.ts" }],
    tools: [{ name: "read_file", description: "Reads a file", input_schema: { type: "object" } }],
};

describe("mirroring to a candidate model (SDKs, fake servers)", () => {
    it("sends the served request to the candidate, records its usage, cost and the same tool call", async () => {
        const { router, records } = makeRouter();
        anthropic.enqueue(
            anthropicMessage({
                blocks: [
                    { type: "text", deltas: ["Reading it."] },
                    { type: "tool_use", id: "toolu_1", name: "read_file", json: ['{"path":"src/a.ts"}'] },
                ],
                stopReason: "tool_use",
                usage: { input: 40, output: 12 },
            }),
        );
        openai.enqueue(
            openaiCompletion({
                model: "gpt-5-mini-2026-10-01",
                toolCalls: [{ id: "call_1", name: "read_file", args: ['{"path": "src/a.ts"}'] }],
                finishReason: "tool_calls",
                usage: { prompt: 38, completion: 9 },
            }),
        );
        const response = await router.complete(readFile);
        expect(response.content).toMatchObject([
            { type: "text", text: "Reading it." },
            { type: "tool_call", id: "toolu_1", name: "read_file" },
        ]);
        expect(response.routing.mirror).toEqual({ target: "openai/gpt-5-mini", status: "sent" });
        await vi.waitFor(() => {
            expect(records).toHaveLength(2);
        });
        expect(openai.requests[0]?.body).toMatchObject({
            model: "gpt-5-mini",
            tools: [{ function: { name: "read_file" } }],
        });
        expect(records[1]).toMatchObject({
            mirrored: { of: response.routing.request_id, agreement: "same_tool_calls" },
            provider: "openai",
            model_used: "gpt-5-mini",
            usage: { input_tokens: 38, output_tokens: 9 },
            cost_usd: (38 * 0.25 + 9 * 2) / 1e6,
            outcome: "ok",
            attempts: [{ outcome: "ok", model_version: "gpt-5-mini-2026-10-01" }],
        });
    });

    it("records the candidate's error with its code; the caller's answer is untouched", async () => {
        const { router, records } = makeRouter();
        anthropic.enqueue(
            anthropicMessage({ blocks: [{ type: "text", deltas: ["done"] }], stopReason: "end_turn" }),
        );
        openai.enqueue(openaiError(429, "rate_limit_exceeded", "rate_limit_exceeded", "slow down"));
        const response = await router.complete(readFile);
        expect(response.routing.outcome).toBe("ok");
        await vi.waitFor(() => {
            expect(records).toHaveLength(2);
        });
        expect(records[1]).toMatchObject({
            outcome: "error",
            error_code: "E_PROVIDER_RATE_LIMITED",
            cost_usd: 0,
            mirrored: { agreement: null },
        });
    });
});
