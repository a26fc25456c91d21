/**
 * Cascades through the router with scripted providers: each failing check escalates one tier, the cap,
 * the session ratchet, and streams escalating only before their first byte reaches the caller.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ErrorCode } from "../../../src/errors/codes.js";
import type { RouterConfigInput } from "../../../src/router/config.js";
import type { GenerationSignals, MessageEndEvent, ProviderStreamEvent } from "../../../src/chat/types.js";
import { ask, baseConfig, drain, setupRouter, type RouterFixture } from "./routerFixture.js";
import { providerError, textEvents } from "./scriptedProvider.js";

const fixtures: RouterFixture[] = [];
afterEach(async () => {
    await Promise.all(fixtures.splice(0).map((f) => f.router.close()));
});

type Cascade = NonNullable<NonNullable<RouterConfigInput["tiers"]>[number]["cascade"]>;

/** The fixture's tiers with a cascade on `local` (and optionally on `mid`), default tier local. */
function setup(local: Cascade, extra: Partial<RouterConfigInput> = {}, mid?: Cascade): RouterFixture {
    const tiers = baseConfig.tiers.map((t) =>
        t.name === "local" ? { ...t, cascade: local } : t.name === "mid" && mid ? { ...t, cascade: mid } : t,
    );
    const f = setupRouter({
        tiers,
        policy: { defaultTier: "local", rules: [] },
        cache: { enabled: false },
        ...extra,
    });
    fixtures.push(f);
    return f;
}

const signals = (fields: Partial<GenerationSignals>): GenerationSignals => ({
    acceptance_rate: null,
    drafted_tokens: 0,
    mean_logprob: null,
    min_logprob: null,
    ...fields,
});

describe("complete() cascades", () => {
    it.each([
        ["truncated", {}, { text: "partial", result: { stop_reason: "max_tokens" as const } }],
        [
            "min_acceptance_rate",
            { minAcceptanceRate: 0.5 },
            { text: "x", result: { signals: signals({ acceptance_rate: 0.2, drafted_tokens: 10 }) } },
        ],
        [
            "min_mean_logprob",
            { minMeanLogprob: -1.5 },
            { text: "x", result: { signals: signals({ mean_logprob: -2.5 }) } },
        ],
        ["validator:json", { validators: ["json" as const] }, { text: "not json" }],
        ["validator:typescript", { validators: ["typescript" as const] }, { text: "```ts\nlet = ;\n```" }],
        ["validator:non_empty", { validators: ["non_empty" as const] }, { text: "  " }],
        // 30 s: the typescript validator loads the TypeScript compiler on first use (seconds on a busy machine).
    ])("escalates one tier when %s fails", { timeout: 30_000 }, async (check, cascade, answer) => {
        const f = setup(cascade);
        f.local.enqueue({ kind: "ok", ...answer });
        f.anthropic.enqueue({ kind: "ok", text: "[1]" });
        const response = await f.router.complete(ask("go"));
        expect(response.content).toEqual([{ type: "text", text: "[1]" }]);
        expect(response.routing).toMatchObject({
            tier: "mid",
            provider: "anthropic",
            decided_tier: "local",
            routing_reason: "default",
            escalated: true,
            escalated_from: "local",
        });
        expect(response.routing.attempts.map((a) => [a.tier, a.outcome])).toEqual([
            ["local", "rejected"],
            ["mid", "ok"],
        ]);
        expect(response.routing.cascade).toEqual([
            expect.objectContaining({
                tier: "local",
                checked: true,
                failed_check: check,
                escalated_to: "mid",
            }),
        ]);
        expect(f.records.at(-1)?.cascade[0]?.failed_check).toBe(check);
    });

    it("serves an answer that passes, records the signals, and asks only that tier for confidence", async () => {
        const f = setup({ minMeanLogprob: -2, minAcceptanceRate: 0.3 });
        f.local.enqueue({
            kind: "ok",
            text: "fine",
            result: { signals: signals({ acceptance_rate: 0.6, drafted_tokens: 5, mean_logprob: -0.4 }) },
        });
        const response = await f.router.complete(ask("go"));
        expect(response.routing).toMatchObject({ tier: "local", escalated: false, escalated_from: null });
        expect(response.routing.cascade).toEqual([
            {
                tier: "local",
                provider: "local",
                model: "tiercel-code-target",
                checked: true,
                failed_check: null,
                detail: null,
                stop_reason: "end_turn",
                acceptance_rate: 0.6,
                mean_logprob: -0.4,
                escalated_to: null,
            },
        ]);
        expect(f.local.calls[0]?.request.confidence).toBe(true);
        // A tier without minMeanLogprob is not asked for the (costly) signal.
        const g = setup({ validators: ["json"] });
        g.local.enqueue({ kind: "ok", text: "nope" });
        g.anthropic.enqueue({ kind: "ok", text: "[]" });
        await g.router.complete(ask("go"));
        expect(g.local.calls[0]?.request).not.toHaveProperty("confidence");
        expect(g.anthropic.calls[0]?.request).not.toHaveProperty("confidence");
    });

    it("judges a sampled answer without its decoding signals, which fall with temperature", async () => {
        const f = setup({ minAcceptanceRate: 0.5, minMeanLogprob: -1.5 });
        const low = signals({ acceptance_rate: 0.2, drafted_tokens: 10, mean_logprob: -2.5 });
        f.local.enqueue({ kind: "ok", text: "sampled", result: { signals: low } });
        const sampled = await f.router.complete({ ...ask("go"), temperature: 0.8 });
        expect(sampled.routing).toMatchObject({ tier: "local", escalated: false });
        expect(sampled.routing.cascade[0]).toMatchObject({
            checked: true,
            failed_check: null,
            acceptance_rate: 0.2,
        });
        // The same signals on a greedy answer escalate it.
        f.local.enqueue({ kind: "ok", text: "greedy", result: { signals: low } });
        f.anthropic.enqueue({ kind: "ok", text: "up" });
        const greedy = await f.router.complete({ ...ask("go again"), temperature: 0 });
        expect(greedy.routing).toMatchObject({ tier: "mid", escalated: true });
    });

    it("escalates at most maxEscalations times", async () => {
        const json: Cascade = { validators: ["json"] };
        const capped = setup(json, {}, json);
        capped.local.enqueue({ kind: "ok", text: "bad" });
        capped.anthropic.enqueue({ kind: "ok", text: "also bad" });
        const once = await capped.router.complete(ask("go"));
        expect(once.routing.tier).toBe("mid");
        expect(once.content).toEqual([{ type: "text", text: "also bad" }]);
        expect(once.routing.cascade).toHaveLength(1);

        const twice = setup(json, { cascade: { maxEscalations: 2 } }, json);
        twice.local.enqueue({ kind: "ok", text: "bad" });
        twice.anthropic.enqueue({ kind: "ok", text: "also bad" }, { kind: "ok", text: "{}" });
        const response = await twice.router.complete(ask("go"));
        expect(response.routing).toMatchObject({ tier: "frontier", escalated_from: "local" });
        expect(response.routing.cascade.map((c) => [c.tier, c.failed_check, c.escalated_to])).toEqual([
            ["local", "validator:json", "mid"],
            ["mid", "validator:json", "frontier"],
        ]);
        expect(twice.anthropic.calls.map((c) => c.request.model)).toEqual([
            "claude-haiku-5-5",
            "claude-opus-5-5",
        ]);

        const none = setup(json, { cascade: { maxEscalations: 0 } });
        none.local.enqueue({ kind: "ok", text: "bad" });
        const served = await none.router.complete(ask("go"));
        expect(served.routing).toMatchObject({ tier: "local", cascade: [] });
    });

    it("never falls back to the rejected tier, but serves the rejected answer when nothing above answers", async () => {
        const f = setup({ validators: ["json"] }, { reliability: { maxRetries: 0 } });
        f.local.enqueue({ kind: "ok", text: "not json" });
        f.anthropic.always({ kind: "error", error: providerError(ErrorCode.ProviderOverloaded) });
        f.openai.always({ kind: "error", error: providerError(ErrorCode.ProviderOverloaded) });
        const response = await f.router.complete(ask("go"));
        expect(response.content).toEqual([{ type: "text", text: "not json" }]);
        expect(f.local.calls).toHaveLength(1);
        expect(response.routing.tier).toBe("local");
        expect(response.routing.attempts[0]).toMatchObject({ tier: "local", outcome: "ok" });
        expect(response.routing.attempts.slice(1).every((a) => a.tier !== "local")).toBe(true);
        expect(response.routing.cascade[0]).toMatchObject({
            failed_check: "validator:json",
            escalated_to: null,
            detail: expect.stringMatching(/escalation found no answer/) as unknown,
        });
    });

    it("ratchets the session up: its next request starts at the escalated tier", async () => {
        const f = setup({ validators: ["json"] });
        f.local.enqueue({ kind: "ok", text: "bad" });
        f.anthropic.always({ kind: "ok", text: "{}" });
        const hints = { hints: { session_id: "s1" } };
        const first = await f.router.complete(ask("go", hints));
        expect(first.routing).toMatchObject({ tier: "mid", escalated: true, escalated_from: "local" });
        expect(f.router.session("s1")).toMatchObject({ tier: "mid", reason: "cascade:validator:json" });
        const second = await f.router.complete(ask("again", hints));
        expect(second.routing).toMatchObject({ tier: "mid", routing_reason: "affinity", cascade: [] });
        expect(f.local.calls).toHaveLength(1);
    });
});

const localEvents = (text: string, extra: Partial<GenerationSignals> = {}): ProviderStreamEvent[] => [
    { type: "message_start", model: "local" },
    // One delta per (ASCII) character, like a token stream.
    ...Array.from({ length: text.length }, (_, i): ProviderStreamEvent => ({
        type: "text_delta",
        index: 0,
        text: text.charAt(i),
    })),
    {
        type: "message_end",
        stop_reason: "end_turn",
        stop_sequence: null,
        usage: { input_tokens: 3, output_tokens: text.length },
        signals: signals(extra),
    },
];

describe("stream() cascades", () => {
    it("holds a short answer, checks it, and escalates before the first byte reaches the caller", async () => {
        const f = setup({ minAcceptanceRate: 0.5 });
        f.local.enqueue({
            kind: "events",
            events: localEvents("weak", { acceptance_rate: 0.1, drafted_tokens: 9 }),
        });
        f.anthropic.enqueue({ kind: "events", events: textEvents("strong") });
        const { events, error } = await drain(f.router.stream(ask("go")));
        expect(error).toBeUndefined();
        expect(events[0]).toMatchObject({ type: "message_start", tier: "mid", provider: "anthropic" });
        const text = events.flatMap((e) => (e.type === "text_delta" ? [e.text] : [])).join("");
        expect(text).toBe("strong");
        const end = events.at(-1);
        expect(end?.type === "message_end" && end.routing).toMatchObject({
            tier: "mid",
            escalated: true,
            escalated_from: "local",
            cascade: [{ tier: "local", failed_check: "min_acceptance_rate", escalated_to: "mid" }],
        });
    });

    it("passes a held answer through whole, with its signals", async () => {
        const f = setup({ minAcceptanceRate: 0.5 });
        f.local.enqueue({
            kind: "events",
            events: localEvents("good", { acceptance_rate: 0.8, drafted_tokens: 5 }),
        });
        const { events } = await drain(f.router.stream(ask("go")));
        expect(events.flatMap((e) => (e.type === "text_delta" ? [e.text] : [])).join("")).toBe("good");
        const end = events.at(-1);
        expect(end?.type === "message_end" && end.signals?.acceptance_rate).toBe(0.8);
        expect(end?.type === "message_end" && end.routing.cascade[0]?.failed_check).toBeNull();
        expect(f.anthropic.calls).toHaveLength(0);
    });

    it("never escalates once released: an answer longer than the hold bound streams unchecked", async () => {
        const f = setup({ validators: ["json"], streamHoldChars: 3 });
        f.local.enqueue({ kind: "events", events: localEvents("definitely not json") });
        const { events, error } = await drain(f.router.stream(ask("go")));
        expect(error).toBeUndefined();
        expect(events.flatMap((e) => (e.type === "text_delta" ? [e.text] : [])).join("")).toBe(
            "definitely not json",
        );
        const end = events.at(-1);
        expect(end?.type === "message_end" && end.routing).toMatchObject({
            tier: "local",
            escalated: false,
            cascade: [{ tier: "local", checked: false, failed_check: null, escalated_to: null }],
        });
        expect(f.anthropic.calls).toHaveLength(0);
    });

    it("a held stream that breaks before release escalates instead of failing", async () => {
        const f = setup({ validators: ["non_empty"] });
        f.local.enqueue({
            kind: "events",
            events: localEvents("abc"),
            failAfter: 2,
            error: providerError(ErrorCode.ProviderStream),
        });
        f.anthropic.enqueue({ kind: "events", events: textEvents("rescued") });
        const { events, error } = await drain(f.router.stream(ask("go")));
        expect(error).toBeUndefined();
        expect(events.flatMap((e) => (e.type === "text_delta" ? [e.text] : [])).join("")).toBe("rescued");
        const end = events.at(-1);
        expect(end?.type === "message_end" && end.routing.attempts.map((a) => a.outcome)).toEqual([
            "error",
            "ok",
        ]);
        expect(end?.type === "message_end" && end.routing.cascade[0]?.failed_check).toBe("stream_error");
    });

    it("streamHoldChars 0 turns the stream cascade off", async () => {
        const f = setup({ validators: ["json"], streamHoldChars: 0 });
        f.local.enqueue({ kind: "events", events: localEvents("nope") });
        const { events } = await drain(f.router.stream(ask("go")));
        const end = events.at(-1);
        expect(end?.type === "message_end" && end.routing).toMatchObject({ tier: "local", cascade: [] });
    });
});

describe("degraded answers are never cached", () => {
    const cached = { cache: { enabled: true }, reliability: { maxRetries: 0 } };
    // A request is cached only within a scope it names (hints.namespace or session_id): without one,
    // nothing is stored and these tests could not fail.
    const scopedGo = ask("go", { hints: { namespace: "repo" } });

    it("complete(): a rejected answer served because the tiers above were down is not replayed once they recover", async () => {
        const f = setup({ validators: ["json"] }, cached);
        f.local.enqueue({ kind: "ok", text: "not json" }, { kind: "ok", text: "still not json" });
        f.anthropic.enqueue(
            { kind: "error", error: providerError(ErrorCode.ProviderOverloaded) },
            { kind: "error", error: providerError(ErrorCode.ProviderOverloaded) },
            { kind: "ok", text: "[1]" },
        );
        f.openai.enqueue(
            { kind: "error", error: providerError(ErrorCode.ProviderOverloaded) },
            { kind: "error", error: providerError(ErrorCode.ProviderOverloaded) },
        );
        const served = await f.router.complete(scopedGo);
        expect(served.content).toEqual([{ type: "text", text: "not json" }]);
        expect(served.routing.cascade[0]).toMatchObject({
            failed_check: "validator:json",
            escalated_to: null,
        });

        const again = await f.router.complete(scopedGo);
        expect(again.routing.cache).toBe("miss");
        expect(again.routing.attempts.length).toBeGreaterThan(0);
        expect(again.content).toEqual([{ type: "text", text: "[1]" }]);
        expect(again.routing.tier).toBe("mid");
    });

    it("stream(): an answer rejected as truncated and served anyway is not returned from the cache to complete()", async () => {
        const f = setup({}, cached);
        const truncated = localEvents("partial");
        truncated[truncated.length - 1] = {
            ...(truncated.at(-1) as MessageEndEvent),
            stop_reason: "max_tokens",
        };
        f.local.enqueue({ kind: "events", events: truncated });
        f.anthropic.always({ kind: "error", error: providerError(ErrorCode.ProviderOverloaded) });
        f.openai.always({ kind: "error", error: providerError(ErrorCode.ProviderOverloaded) });
        const { events, error } = await drain(f.router.stream(scopedGo));
        expect(error).toBeUndefined();
        const end = events.at(-1);
        expect(end?.type === "message_end" && end.routing).toMatchObject({
            tier: "local",
            cascade: [{ failed_check: "truncated", escalated_to: null }],
        });

        f.local.enqueue({ kind: "ok", text: "whole answer" });
        const again = await f.router.complete(scopedGo);
        expect(again.routing.cache).toBe("miss");
        expect(again.content).toEqual([{ type: "text", text: "whole answer" }]);
    });

    it("a truncated answer is not cached even without a cascade", async () => {
        const f = setupRouter({ policy: { defaultTier: "local", rules: [] } });
        fixtures.push(f);
        f.local.enqueue(
            { kind: "ok", text: "cut", result: { stop_reason: "max_tokens" } },
            { kind: "ok", text: "cut again", result: { stop_reason: "max_tokens" } },
        );
        await f.router.complete(scopedGo);
        const again = await f.router.complete(scopedGo);
        expect(again.routing.cache).toBe("miss");
        expect(again.content).toEqual([{ type: "text", text: "cut again" }]);
    });

    it("a stream released unchecked (longer than the hold bound) is not cached for complete(), which would check it", async () => {
        const f = setup({ validators: ["json"], streamHoldChars: 3 }, cached);
        f.local.enqueue({ kind: "events", events: localEvents("definitely not json") });
        await drain(f.router.stream(scopedGo));
        f.local.enqueue({ kind: "ok", text: "still not json" });
        f.anthropic.enqueue({ kind: "ok", text: "[2]" });
        const again = await f.router.complete(scopedGo);
        expect(again.routing.cache).toBe("miss");
        expect(again.content).toEqual([{ type: "text", text: "[2]" }]);
    });

    it("an answer that passed its check is cached", async () => {
        const f = setup({ validators: ["json"] }, cached);
        f.local.enqueue({ kind: "ok", text: "[3]" });
        await f.router.complete(scopedGo);
        const again = await f.router.complete(scopedGo);
        expect(again.routing).toMatchObject({ cache: "hit", tier: "local" });
        expect(again.content).toEqual([{ type: "text", text: "[3]" }]);
    });
});
