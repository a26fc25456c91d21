import { describe, expect, it, vi } from "vitest";
import { ErrorCode } from "../../../src/errors/codes.js";
import { parseRouterConfig, type RouterConfigInput } from "../../../src/router/config.js";
import { shadowReport } from "../../../src/router/shadowReport.js";
import type { RoutingRecord } from "../../../src/router/types.js";
import { ask, baseConfig, drain, setupRouter } from "./routerFixture.js";
import { providerError } from "./scriptedProvider.js";

const candidate = "gpt-5.1-codex-mini";

/** Mirrors every answered `mid` request to openai/gpt-5.1-codex-mini ($1 in, $10 out per MTok). */
function mirrorConfig(
    mirror: Partial<NonNullable<RouterConfigInput["mirror"]>> = {},
): Partial<RouterConfigInput> {
    return {
        prices: { ...baseConfig.prices, [candidate]: { inputPerMTok: 1, outputPerMTok: 10 } },
        mirror: {
            target: { provider: "openai", model: candidate },
            sampleRate: 1,
            dailySpendCapUsd: 5,
            tiers: ["mid"],
            ...mirror,
        },
    };
}

const mirroredOf = (records: RoutingRecord[]): RoutingRecord[] => records.filter((r) => r.mirrored !== null);
const served = (records: RoutingRecord[]): RoutingRecord[] => records.filter((r) => r.mirrored === null);

describe("mirroring to a candidate model", () => {
    it("sends an answered request to the candidate after the answer, records it, and never returns it", async () => {
        const f = setupRouter(mirrorConfig());
        f.anthropic.enqueue({ kind: "ok", text: "served answer" });
        f.openai.enqueue({
            kind: "ok",
            text: "served answer",
            result: { model: `${candidate}-2026-11-01`, usage: { input_tokens: 200, output_tokens: 30 } },
        });
        const response = await f.router.complete(ask("rename the variable", { max_tokens: 1000 }));
        expect(response.content).toEqual([{ type: "text", text: "served answer" }]);
        expect(response.routing.mirror).toEqual({ target: `openai/${candidate}`, status: "sent" });
        expect(response.routing.mirrored).toBeNull();
        await vi.waitFor(() => {
            expect(mirroredOf(f.records)).toHaveLength(1);
        });
        expect(f.openai.calls.map((c) => [c.method, c.request.model, c.request.max_tokens])).toEqual([
            ["complete", candidate, 1000],
        ]);
        const [first, second] = f.records;
        // The served record is written first; the mirrored call's follows.
        expect(first?.request_id).toBe(response.routing.request_id);
        expect(second).toMatchObject({
            mirrored: { of: response.routing.request_id, agreement: "exact" },
            tier: "mid",
            provider: "openai",
            model_used: candidate,
            usage: { input_tokens: 200, output_tokens: 30 },
            cost_usd: (200 * 1 + 30 * 10) / 1e6,
            outcome: "ok",
            mirror: null,
            cache: "bypass",
            stream: false,
        });
        expect(second?.attempts).toMatchObject([
            { provider: "openai", model: candidate, outcome: "ok", model_version: `${candidate}-2026-11-01` },
        ]);
        expect(second?.request_id).not.toBe(response.routing.request_id);
        expect(JSON.parse(f.lines[1]!)).toMatchObject({ mirrored: { of: response.routing.request_id } });
        expect(
            await f.metric(
                `tiercel_router_mirrors_total{provider="openai",model="${candidate}",outcome="ok"}`,
            ),
        ).toBe(1);
        expect(
            await f.metric(`tiercel_router_mirror_cost_usd_total{provider="openai",model="${candidate}"}`),
        ).toBeCloseTo(0.0005, 10);
        expect(
            await f.metric(
                `tiercel_router_mirror_agreements_total{provider="openai",model="${candidate}",agreement="exact"}`,
            ),
        ).toBe(1);
        // Not a request: the request counters and the served cost leave it out.
        expect(await f.metric('tiercel_router_requests_total{tier="mid",outcome="ok"}')).toBe(1);
        expect(
            await f.metric('tiercel_router_cost_usd_total{tier="mid",model="claude-haiku-5-5"}'),
        ).toBeCloseTo((100 * 1 + 20 * 5) / 1e6, 10);
    });

    it("does not hold the caller's answer while the candidate hangs, and cancels it on close", async () => {
        const f = setupRouter(mirrorConfig());
        f.anthropic.enqueue({ kind: "ok", text: "served" });
        f.openai.enqueue({ kind: "hang" });
        // A mirror on the caller's path would never resolve here.
        const response = await f.router.complete(ask("a"));
        expect(response.content).toEqual([{ type: "text", text: "served" }]);
        await vi.waitFor(() => {
            expect(f.openai.calls).toHaveLength(1);
        });
        await f.router.close();
        const [mirrored] = mirroredOf(f.records);
        expect(mirrored).toMatchObject({ outcome: "error", error_code: ErrorCode.Cancelled, usage: null });
        expect(mirrored?.mirrored).toEqual({ of: response.routing.request_id, agreement: null });
        expect(mirrored?.attempts[0]?.outcome).toBe("cancelled");
        expect(f.openai.calls[0]?.signal.aborted).toBe(true);
    });

    it("ends a candidate call at mirror.timeoutMs", async () => {
        const f = setupRouter(mirrorConfig({ timeoutMs: 5 }));
        f.anthropic.enqueue({ kind: "ok" });
        f.openai.enqueue({ kind: "hang" });
        await f.router.complete(ask("a"));
        await vi.waitFor(() => {
            expect(mirroredOf(f.records)).toHaveLength(1);
        });
        expect(mirroredOf(f.records)[0]).toMatchObject({
            outcome: "error",
            error_code: ErrorCode.ProviderTimeout,
        });
        expect(mirroredOf(f.records)[0]?.attempts[0]?.outcome).toBe("timeout");
    });

    it("records a candidate's failure without touching the served request or the candidate's breaker", async () => {
        const f = setupRouter(mirrorConfig({ maxConcurrent: 6 }));
        f.anthropic.always({ kind: "ok" });
        f.openai.always({ kind: "error", error: providerError(ErrorCode.ProviderUnavailable) });
        for (let i = 0; i < 6; i++) await f.router.complete(ask(`q${i}`));
        await vi.waitFor(() => {
            expect(mirroredOf(f.records)).toHaveLength(6);
        });
        expect(served(f.records).every((r) => r.outcome === "ok")).toBe(true);
        expect(mirroredOf(f.records).map((r) => r.error_code)).toEqual(
            Array(6).fill(ErrorCode.ProviderUnavailable),
        );
        // Six failures would open a breaker (consecutiveFailures 5); the mirror has none.
        expect(f.router.breakers().filter((b) => b.state !== "closed")).toEqual([]);
        expect(
            await f.metric(
                `tiercel_router_mirrors_total{provider="openai",model="${candidate}",outcome="error"}`,
            ),
        ).toBe(6);
    });

    it("stops at the daily spend cap (record and metric say so) and starts again the next UTC day", async () => {
        let wall = Date.UTC(2026, 10, 27, 12);
        // Worst case of one call: ~1 input token + 1000 output tokens at $10/MTok ≈ $0.01.
        const f = setupRouter(mirrorConfig({ dailySpendCapUsd: 0.015 }), { wallClock: () => wall });
        f.anthropic.always({ kind: "ok" });
        // The first call costs $0.0091 (100 in, 900 out): the next worst case no longer fits today.
        f.openai.always({ kind: "ok", result: { usage: { input_tokens: 100, output_tokens: 900 } } });
        const first = await f.router.complete(ask("a", { max_tokens: 1000 }));
        await vi.waitFor(() => {
            expect(mirroredOf(f.records)).toHaveLength(1);
        });
        const second = await f.router.complete(ask("b", { max_tokens: 1000 }));
        expect([first.routing.mirror?.status, second.routing.mirror?.status]).toEqual(["sent", "spend_cap"]);
        expect(
            await f.metric(
                `tiercel_router_mirrors_total{provider="openai",model="${candidate}",outcome="spend_cap"}`,
            ),
        ).toBe(1);
        expect(f.openai.calls).toHaveLength(1);
        wall += 12 * 3_600_000;
        const nextDay = await f.router.complete(ask("c", { max_tokens: 1000 }));
        expect(nextDay.routing.mirror?.status).toBe("sent");
        await vi.waitFor(() => {
            expect(f.openai.calls).toHaveLength(2);
        });
    });

    it("sends at most maxConcurrent calls at once; a sampled request beyond them is busy", async () => {
        const f = setupRouter(mirrorConfig({ maxConcurrent: 2 }));
        f.anthropic.always({ kind: "ok" });
        f.openai.always({ kind: "hang" });
        const statuses: (string | undefined)[] = [];
        for (const q of ["a", "b", "c"])
            statuses.push((await f.router.complete(ask(q))).routing.mirror?.status);
        expect(statuses).toEqual(["sent", "sent", "busy"]);
        await f.router.close();
        expect(mirroredOf(f.records).map((r) => r.attempts[0]?.outcome)).toEqual(["cancelled", "cancelled"]);
    });

    it("reserves in-flight calls, so concurrent mirrors cannot overshoot the cap", async () => {
        const f = setupRouter(mirrorConfig({ dailySpendCapUsd: 0.025 }));
        f.anthropic.always({ kind: "ok" });
        f.openai.always({ kind: "hang" });
        const statuses: (string | undefined)[] = [];
        for (const q of ["a", "b", "c"])
            statuses.push((await f.router.complete(ask(q, { max_tokens: 1000 }))).routing.mirror?.status);
        // Each worst case is ≈ $0.01: two fit under $0.025 while both are in flight, the third does not.
        expect(statuses).toEqual(["sent", "sent", "spend_cap"]);
        await f.router.close();
    });

    it("samples at sampleRate, only the configured tiers, never the candidate's own answers or cache hits", async () => {
        const f = setupRouter(mirrorConfig({ sampleRate: 0.4 }));
        f.anthropic.always({ kind: "ok" });
        // random() is 0.5 in the fixture: 0.5 ≥ 0.4, not sampled.
        const unsampled = await f.router.complete(ask("a"));
        expect(unsampled.routing.mirror).toBeNull();
        const g = setupRouter(mirrorConfig());
        g.anthropic.always({ kind: "ok" });
        const frontier = await g.router.complete(ask("check auth", { hints: { tags: ["security"] } }));
        expect(frontier.routing.tier).toBe("frontier");
        expect(frontier.routing.mirror).toBeNull();
        const h = setupRouter(mirrorConfig({ target: { provider: "anthropic", model: "claude-haiku-5-5" } }));
        h.anthropic.always({ kind: "ok" });
        expect((await h.router.complete(ask("a"))).routing.mirror).toBeNull();
        const c = setupRouter(mirrorConfig());
        c.anthropic.always({ kind: "ok" });
        c.openai.always({ kind: "ok" });
        const cached = ask("same", { hints: { namespace: "repo" } });
        await c.router.complete(cached);
        const hit = await c.router.complete(cached);
        expect(hit.routing.cache).toBe("hit");
        expect(hit.routing.mirror).toBeNull();
        await vi.waitFor(() => {
            expect(c.openai.calls).toHaveLength(1);
        });
        expect([f.openai.calls.length, g.openai.calls.length]).toEqual([0, 0]);
        // h: the candidate answered the request itself; only the served call reached it.
        expect(h.anthropic.calls).toHaveLength(1);
    });

    it("notes a request the candidate cannot serve as unsupported and sends nothing", async () => {
        const f = setupRouter(mirrorConfig());
        f.anthropic.always({ kind: "ok" });
        f.openai.unsupportedReason = (r) => (r.model === candidate ? "no tools on this model" : undefined);
        const response = await f.router.complete(ask("a"));
        expect(response.routing.mirror).toEqual({ target: `openai/${candidate}`, status: "unsupported" });
        expect(f.openai.calls).toHaveLength(0);
    });

    it("mirrors a streamed request after its message_end, comparing tool calls", async () => {
        const f = setupRouter(mirrorConfig());
        f.anthropic.enqueue({
            kind: "events",
            events: [
                { type: "message_start", model: "claude-haiku-5-5" },
                { type: "text_delta", index: 0, text: "Reading it." },
                { type: "tool_call_start", index: 1, id: "toolu_1", name: "read_file" },
                { type: "tool_call_delta", index: 1, arguments_delta: '{"path":"a.ts","lines":[1,2]}' },
                { type: "tool_call_end", index: 1, arguments: { path: "a.ts", lines: [1, 2] } },
                {
                    type: "message_end",
                    stop_reason: "tool_use",
                    stop_sequence: null,
                    usage: { input_tokens: 10, output_tokens: 5 },
                },
            ],
        });
        f.openai.enqueue({
            kind: "ok",
            result: {
                content: [
                    {
                        type: "tool_call",
                        id: "call_9",
                        name: "read_file",
                        arguments: { lines: [1, 2], path: "a.ts" },
                    },
                ],
                stop_reason: "tool_use",
            },
        });
        const { events, error } = await drain(f.router.stream(ask("open a.ts")));
        expect(error).toBeUndefined();
        const end = events.at(-1);
        expect(end?.type === "message_end" && end.routing.mirror?.status).toBe("sent");
        await vi.waitFor(() => {
            expect(mirroredOf(f.records)).toHaveLength(1);
        });
        expect(mirroredOf(f.records)[0]?.mirrored?.agreement).toBe("same_tool_calls");
    });

    it("keeps mirrored records out of the shadow report", async () => {
        const f = setupRouter({ ...mirrorConfig(), shadow: { policy: { defaultTier: "local" } } });
        f.anthropic.always({ kind: "ok" });
        f.openai.always({ kind: "ok" });
        await f.router.complete(ask("a"));
        await vi.waitFor(() => {
            expect(mirroredOf(f.records)).toHaveLength(1);
        });
        expect(mirroredOf(f.records)[0]?.shadow).toBeNull();
        expect(shadowReport(f.records, ["local", "mid", "frontier"]).requests).toBe(1);
    });
});

describe("mirror config", () => {
    const parse = (mirror: unknown, extra: Partial<RouterConfigInput> = {}): unknown =>
        parseRouterConfig({ ...baseConfig, ...extra, mirror });

    it("needs a price for a hosted candidate (the cap is in USD), not for a local one", () => {
        expect(() => parse({ target: { provider: "openai", model: "gpt-x" }, dailySpendCapUsd: 1 })).toThrow(
            /mirror\.target\.model.*no price for "openai\/gpt-x"; add it under "prices"/s,
        );
        expect(() => parse({ target: { provider: "local", model: "" }, dailySpendCapUsd: 0 })).not.toThrow();
    });

    it("names an unknown provider or tier, a missing cap and a bad sample rate", () => {
        expect(() => parse({ target: { provider: "nope", model: "m" }, dailySpendCapUsd: 1 })).toThrow(
            /mirror\.target\.provider.*unknown provider "nope"/s,
        );
        expect(() =>
            parse({ target: { provider: "local", model: "" }, dailySpendCapUsd: 1, tiers: ["gold"] }),
        ).toThrow(/mirror\.tiers\.0.*unknown tier "gold"/s);
        expect(() => parse({ target: { provider: "local", model: "" } })).toThrow(/mirror\.dailySpendCapUsd/);
        expect(() =>
            parse({ target: { provider: "local", model: "" }, dailySpendCapUsd: 1, sampleRate: 0 }),
        ).toThrow(/mirror\.sampleRate/);
    });
});
