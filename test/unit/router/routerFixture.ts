/** A router over three scripted providers, with a manual clock and a recording sleep. */
import { Registry } from "prom-client";
import { createRouter, type RouterOptions } from "../../../src/router/createRouter.js";
import type { RouterConfigInput } from "../../../src/router/config.js";
import type { Router } from "../../../src/router/ModelRouter.js";
import { RouteFailedError } from "../../../src/router/RouteFailedError.js";
import type { ChatRequest } from "../../../src/chat/types.js";
import type { RouterStreamEvent, RoutingRecord } from "../../../src/router/types.js";
import { silentLogger } from "../../../src/util/logger.js";
import { ScriptedProvider } from "./scriptedProvider.js";

export const secretKey = "sk-ant-api03-secret-0123456789abcdef";

export const baseConfig: RouterConfigInput = {
    providers: {
        anthropic: { type: "anthropic", apiKeyEnv: "TEST_ANTHROPIC_KEY" },
        openai: { type: "openai", apiKeyEnv: "TEST_OPENAI_KEY" },
        local: { type: "local" },
    },
    tiers: [
        { name: "local", targets: [{ provider: "local", model: "tiercel-code-target" }] },
        {
            name: "mid",
            targets: [
                { provider: "anthropic", model: "claude-haiku-5-5" },
                { provider: "openai", model: "gpt-5-mini" },
            ],
        },
        {
            name: "frontier",
            targets: [
                { provider: "anthropic", model: "claude-opus-5-5" },
                { provider: "openai", model: "gpt-5.1-codex" },
            ],
        },
    ],
    policy: {
        defaultTier: "mid",
        rules: [
            { name: "security", tier: "frontier", when: { tags: ["security"] } },
            { name: "quick_completion", tier: "local", when: { taskTypes: ["completion"] } },
        ],
    },
    prices: {
        "claude-haiku-5-5": { inputPerMTok: 1, outputPerMTok: 5 },
        "claude-opus-5-5": { inputPerMTok: 15, outputPerMTok: 75 },
        "gpt-5-mini": { inputPerMTok: 0.25, outputPerMTok: 2 },
    },
    reliability: { maxRetries: 1, backoffBaseMs: 200, backoffMaxMs: 2_000, maxRetryAfterMs: 5_000 },
};

export interface RouterFixture {
    router: Router;
    anthropic: ScriptedProvider;
    openai: ScriptedProvider;
    local: ScriptedProvider;
    records: RoutingRecord[];
    lines: string[];
    sleeps: number[];
    registry: Registry;
    advance(ms: number): void;
    /** The current value of one series, e.g. `tiercel_router_breaker_state{provider="a",model="m"}`. */
    metric(series: string): Promise<number | undefined>;
}

export function setupRouter(
    overrides: Partial<RouterConfigInput> = {},
    options: Partial<RouterOptions> & { realClock?: boolean } = {},
): RouterFixture {
    const anthropic = new ScriptedProvider("anthropic", "anthropic");
    const openai = new ScriptedProvider("openai", "openai");
    const local = new ScriptedProvider("local", "local");
    const records: RoutingRecord[] = [];
    const lines: string[] = [];
    const sleeps: number[] = [];
    let clock = 1_000;
    const registry = new Registry();
    const router = createRouter(
        { ...baseConfig, ...overrides },
        {
            providers: { anthropic, openai, local },
            now: options.realClock === true ? () => performance.now() : () => clock,
            sleep: (ms) => {
                sleeps.push(ms);
                clock += ms;
                return Promise.resolve();
            },
            random: () => 0.5,
            logger: silentLogger,
            registry,
            env: { TEST_ANTHROPIC_KEY: secretKey },
            onRecord: (record, line) => {
                records.push(record);
                lines.push(line);
            },
            ...options,
        },
    );
    return {
        router,
        anthropic,
        openai,
        local,
        records,
        lines,
        sleeps,
        registry,
        advance: (ms) => {
            clock += ms;
        },
        metric: async (series) => {
            const text = await registry.metrics();
            for (const line of text.split("\n"))
                if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
            return undefined;
        },
    };
}

export const ask = (text: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
    messages: [{ role: "user", content: text }],
    ...extra,
});

/** Awaits a rejection and returns it as a RouteFailedError (fails the test otherwise). */
export async function routeFailure(promise: Promise<unknown>): Promise<RouteFailedError> {
    try {
        await promise;
    } catch (error) {
        if (error instanceof RouteFailedError) return error;
        throw error;
    }
    throw new Error("expected the request to fail");
}

/** Drains a stream, returning the events received before it ended or threw. */
export async function drain(
    stream: AsyncIterable<RouterStreamEvent>,
): Promise<{ events: RouterStreamEvent[]; error: unknown }> {
    const events: RouterStreamEvent[] = [];
    try {
        for await (const event of stream) events.push(event);
        return { events, error: undefined };
    } catch (error) {
        return { events, error };
    }
}
