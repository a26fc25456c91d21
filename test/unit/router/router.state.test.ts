/** Router state across requests: circuit breakers, session affinity with its ratchet, the response cache. */
import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../../src/errors/codes.js";
import { collectStream } from "../../../src/router/collectStream.js";
import { ask, drain, routeFailure, setupRouter } from "./routerFixture.js";
import { providerError } from "./scriptedProvider.js";

const haiku = (f: ReturnType<typeof setupRouter>) =>
    f.router.breakers().find((b) => b.provider === "anthropic" && b.model === "claude-haiku-5-5")!;

describe("circuit breakers through the router", () => {
    const breakerConfig = {
        reliability: { maxRetries: 0 },
        breaker: { consecutiveFailures: 2, openMs: 10_000, halfOpenSuccesses: 1 },
        cache: { enabled: false },
    };

    it("opens after failures, skips the target while open, probes when half-open and closes on success", async () => {
        const f = setupRouter(breakerConfig);
        f.anthropic.enqueue(
            { kind: "error", error: providerError(ErrorCode.ProviderUnavailable) },
            { kind: "error", error: providerError(ErrorCode.ProviderUnavailable) },
        );
        f.openai.always({ kind: "ok", text: "openai" });
        await f.router.complete(ask("a"));
        await f.router.complete(ask("b"));
        expect(haiku(f)).toMatchObject({ state: "open", trip: "consecutive_failures" });

        // Open: the target is skipped, not called, and the attempt list says why.
        const skipped = await f.router.complete(ask("c"));
        expect(skipped.routing.attempts[0]).toMatchObject({
            provider: "anthropic",
            outcome: "skipped_open",
            error_code: ErrorCode.CircuitOpen,
            latency_ms: 0,
        });
        expect(skipped.routing.provider).toBe("openai");
        expect(f.anthropic.calls).toHaveLength(2);
        expect(
            await f.metric('tiercel_router_breaker_state{provider="anthropic",model="claude-haiku-5-5"}'),
        ).toBe(2);

        // After openMs: half-open, one probe goes through; it succeeds and the breaker closes.
        f.advance(10_000);
        expect(haiku(f).state).toBe("half_open");
        expect(
            await f.metric('tiercel_router_breaker_state{provider="anthropic",model="claude-haiku-5-5"}'),
        ).toBe(1);
        f.anthropic.enqueue({ kind: "ok", text: "recovered" });
        const probe = await f.router.complete(ask("d"));
        expect(probe.routing.provider).toBe("anthropic");
        expect(haiku(f).state).toBe("closed");
        expect(
            await f.metric('tiercel_router_breaker_state{provider="anthropic",model="claude-haiku-5-5"}'),
        ).toBe(0);
    });

    it("a failed probe reopens the breaker for longer", async () => {
        const f = setupRouter(breakerConfig);
        f.anthropic.always({ kind: "error", error: providerError(ErrorCode.ProviderOverloaded) });
        f.openai.always({ kind: "ok" });
        await f.router.complete(ask("a"));
        await f.router.complete(ask("b"));
        f.advance(10_000);
        const probe = await f.router.complete(ask("c"));
        expect(probe.routing.attempts[0]).toMatchObject({ provider: "anthropic", outcome: "error" });
        expect(haiku(f)).toMatchObject({ state: "open", trip: "probe_failed", reopenCount: 2 });
        f.advance(10_000);
        expect(haiku(f).state).toBe("open"); // 20 s this time
        f.advance(10_000);
        expect(haiku(f).state).toBe("half_open");
    });

    it("caller errors do not count against a target", async () => {
        const f = setupRouter(breakerConfig);
        f.anthropic.always({ kind: "error", error: providerError(ErrorCode.ProviderBadRequest) });
        for (const q of ["a", "b", "c"]) await routeFailure(f.router.complete(ask(q)));
        expect(haiku(f)).toMatchObject({ state: "closed", consecutiveFailures: 0, windowFailures: 0 });
    });

    it("when every usable target is open, it fails fast with E_CIRCUIT_OPEN and calls nothing", async () => {
        const f = setupRouter({
            ...breakerConfig,
            tiers: [{ name: "mid", targets: [{ provider: "anthropic", model: "claude-haiku-5-5" }] }],
            policy: {},
        });
        f.anthropic.always({ kind: "error", error: providerError(ErrorCode.ProviderOverloaded) });
        await routeFailure(f.router.complete(ask("a")));
        await routeFailure(f.router.complete(ask("b")));
        const error = await routeFailure(f.router.complete(ask("c")));
        expect(error.code).toBe(ErrorCode.CircuitOpen);
        expect(error.retryable).toBe(true);
        expect(error.routing.attempts).toEqual([expect.objectContaining({ outcome: "skipped_open" })]);
        expect(f.anthropic.calls).toHaveLength(2);
    });

    it("breakers are per provider/model, shared by every tier that lists the same pair", () => {
        const f = setupRouter(breakerConfig);
        expect(
            f.router
                .breakers()
                .map((b) => `${b.provider}/${b.model}`)
                .sort(),
        ).toEqual([
            "anthropic/claude-haiku-5-5",
            "anthropic/claude-opus-5-5",
            "local/tiercel-code-target",
            "openai/gpt-5-mini",
            "openai/gpt-5.1-codex",
        ]);
        expect(setupRouter({ breaker: { enabled: false } }).router.breakers()).toEqual([]);
    });
});

describe("session affinity", () => {
    const session = (sessionId: string, extra: { tags?: string[]; tier?: string } = {}) => ({
        session_id: sessionId,
        ...extra,
    });

    it("keeps a session on its tier, escalates on a rule, and never moves back down", async () => {
        const f = setupRouter({ cache: { enabled: false } });
        f.anthropic.always({ kind: "ok" });
        f.local.always({ kind: "ok" });
        const first = await f.router.complete(ask("start", { hints: session("s1") }));
        expect(first.routing).toMatchObject({ tier: "mid", routing_reason: "default", escalated: false });
        expect(f.router.session("s1")).toMatchObject({
            tier: "mid",
            provider: "anthropic",
            model: "claude-haiku-5-5",
        });

        const escalation = await f.router.complete(
            ask("audit auth", { hints: session("s1", { tags: ["security"] }) }),
        );
        expect(escalation.routing).toMatchObject({
            tier: "frontier",
            routing_reason: "escalation:rule:security",
            policy_reason: "rule:security",
            escalated: true,
            escalated_from: "mid",
        });
        expect(f.router.session("s1")).toMatchObject({ tier: "frontier", reason: "rule:security" });

        // The policy alone would say mid (or local): the pin holds the session at frontier.
        const after = await f.router.complete(ask("thanks", { hints: session("s1") }));
        expect(after.routing).toMatchObject({
            tier: "frontier",
            routing_reason: "affinity",
            policy_reason: "default",
            escalated: false,
        });
        const completion = await f.router.complete(
            ask("x", { hints: { ...session("s1"), task_type: "completion" } }),
        );
        expect(completion.routing).toMatchObject({
            tier: "frontier",
            routing_reason: "affinity",
            policy_reason: "rule:quick_completion",
        });

        // A forced lower tier is served once; the pin stays.
        const forced = await f.router.complete(ask("y", { hints: session("s1", { tier: "local" }) }));
        expect(forced.routing).toMatchObject({ tier: "local", routing_reason: "hint:tier" });
        expect(f.router.session("s1")?.tier).toBe("frontier");
        expect(await f.metric('tiercel_router_escalations_total{from_tier="mid",to_tier="frontier"}')).toBe(
            1,
        );

        // Other sessions are unaffected.
        expect((await f.router.complete(ask("z", { hints: session("s2") }))).routing.tier).toBe("mid");
    });

    it("puts the session's pinned target first within its tier", async () => {
        const f = setupRouter({ cache: { enabled: false }, reliability: { maxRetries: 0 } });
        f.anthropic.enqueue({ kind: "error", error: providerError(ErrorCode.ProviderAuth) });
        f.openai.always({ kind: "ok" });
        await f.router.complete(ask("a", { hints: session("s") }));
        expect(f.router.session("s")).toMatchObject({ tier: "mid", provider: "openai", model: "gpt-5-mini" });
        const next = await f.router.complete(ask("b", { hints: session("s") }));
        expect(next.routing.attempts.map((a) => a.provider)).toEqual(["openai"]);
        expect(f.anthropic.calls).toHaveLength(1);
    });

    it("a fallback to another tier does not move the pin", async () => {
        const f = setupRouter({ cache: { enabled: false }, reliability: { maxRetries: 0 } });
        f.anthropic.enqueue(
            { kind: "ok" },
            { kind: "error", error: providerError(ErrorCode.ProviderUnavailable) },
            { kind: "ok", text: "opus" },
        );
        f.openai.enqueue({ kind: "error", error: providerError(ErrorCode.ProviderUnavailable) });
        await f.router.complete(ask("a", { hints: session("s") }));
        const failover = await f.router.complete(ask("b", { hints: session("s") }));
        expect(failover.routing).toMatchObject({
            tier: "frontier",
            decided_tier: "mid",
            fallback: true,
            escalated: false,
        });
        expect(f.router.session("s")).toMatchObject({ tier: "mid", provider: "anthropic" });
    });

    it("pins expire after the TTL", async () => {
        const f = setupRouter({ cache: { enabled: false }, affinity: { ttlMs: 1_000 } });
        f.anthropic.always({ kind: "ok" });
        await f.router.complete(ask("a", { hints: session("s", { tags: ["security"] }) }));
        f.advance(1_000);
        const later = await f.router.complete(ask("b", { hints: session("s") }));
        expect(later.routing).toMatchObject({ tier: "mid", routing_reason: "default" });
    });
});

describe("the response cache through the router", () => {
    it("serves a repeated request from the cache, for complete and as a replayed stream", async () => {
        const f = setupRouter();
        f.anthropic.enqueue({ kind: "ok", text: "cached answer" });
        const first = await f.router.complete(ask("explain x", { hints: { namespace: "repo" } }));
        const second = await f.router.complete(ask("explain x", { hints: { namespace: "repo" } }));
        expect(second.content).toEqual(first.content);
        expect(second.routing).toMatchObject({
            cache: "hit",
            cache_match: "exact",
            cost_usd: 0,
            attempts: [],
            tier: "mid",
            model_used: "claude-haiku-5-5",
        });
        const { events } = await drain(f.router.stream(ask("explain x", { hints: { namespace: "repo" } })));
        expect(events.map((e) => e.type)).toEqual(["message_start", "text_delta", "message_end"]);
        expect(events[1]).toEqual({ type: "text_delta", index: 0, text: "cached answer" });
        expect(events[0]).toMatchObject({
            tier: "mid",
            provider: "anthropic",
            model_used: "claude-haiku-5-5",
            routing_reason: "default",
        });
        expect(f.anthropic.calls).toHaveLength(1);
        expect(await f.metric('tiercel_router_cache_lookups_total{result="hit_exact"}')).toBe(2);
    });

    it("matches exactly by default: a near-duplicate with another number is a miss", async () => {
        const f = setupRouter();
        f.anthropic.always({ kind: "ok" });
        await f.router.complete(ask("set the timeout to 15000", { hints: { namespace: "repo" } }));
        const other = await f.router.complete(
            ask("set the timeout to 45000", { hints: { namespace: "repo" } }),
        );
        expect(other.routing.cache).toBe("miss");
        const spaced = await f.router.complete(
            ask("set the timeout to  15000", { hints: { namespace: "repo" } }),
        );
        expect(spaced.routing.cache).toBe("miss");
        expect(f.anthropic.calls).toHaveLength(3);
    });

    it("stores a completed stream, and serves near-duplicates of the last user turn when opted in", async () => {
        const f = setupRouter({ cache: { nearDuplicate: { enabled: true } } });
        const session = { hints: { session_id: "s1" } };
        f.anthropic.enqueue({ kind: "ok", text: "streamed" });
        await collectStream(
            f.router.stream(ask("What does the module in src/app.ts export to its callers?", session)),
        );
        // Case, spacing and a dropped question mark: trigram similarity 0.98 ≥ 0.9.
        const near = await f.router.complete(
            ask("what does the module in  src/app.ts export to its callers", session),
        );
        expect(near.routing).toMatchObject({ cache: "hit", cache_match: "near_duplicate" });
        expect(near.content).toEqual([{ type: "text", text: "streamed" }]);
        // A different question about the same module (similarity 0.72) goes to the provider.
        f.anthropic.enqueue({ kind: "ok", text: "imports" });
        const other = await f.router.complete(
            ask("What does the module in src/app.ts import from its callers?", session),
        );
        expect(other.routing.cache).toBe("miss");
        expect(await f.metric('tiercel_router_cache_lookups_total{result="hit_near"}')).toBe(1);
    });

    it("is scoped per namespace and skipped with no_cache", async () => {
        const f = setupRouter();
        f.anthropic.always({ kind: "ok" });
        await f.router.complete(ask("q", { hints: { namespace: "repo-a" } }));
        expect((await f.router.complete(ask("q", { hints: { namespace: "repo-b" } }))).routing.cache).toBe(
            "miss",
        );
        const bypass = await f.router.complete(ask("q", { hints: { namespace: "repo-a", no_cache: true } }));
        expect(bypass.routing.cache).toBe("bypass");
        expect(f.anthropic.calls).toHaveLength(3);
        expect(f.router.clearCache("repo-a")).toBe(1);
        expect((await f.router.complete(ask("q", { hints: { namespace: "repo-a" } }))).routing.cache).toBe(
            "miss",
        );
    });

    it("never answers from the cache a request carrying content only its own protocol has (an image)", async () => {
        const f = setupRouter();
        f.anthropic.always({ kind: "ok" });
        // Two screenshots with the same words: the normalized messages (the key) show both as "[image]".
        const withImage = (data: string) =>
            ask("what is wrong in [image]", {
                temperature: 0,
                hints: { namespace: "repo" },
                native: {
                    protocol: "anthropic-messages",
                    body: { image: data },
                    extras: [],
                    only: "image blocks (no form outside the Messages API)",
                },
            });
        const plain = ask("what is wrong in [image]", { temperature: 0, hints: { namespace: "repo" } });
        await f.router.complete(plain);
        expect((await f.router.complete(plain)).routing.cache).toBe("hit");
        const first = await f.router.complete(withImage("AAAA"));
        const second = await f.router.complete(withImage("BBBB"));
        expect([first.routing.cache, second.routing.cache]).toEqual(["bypass", "bypass"]);
        expect(f.anthropic.calls).toHaveLength(3);
    });

    it("never caches tool calls or errors", async () => {
        const f = setupRouter({ reliability: { maxRetries: 0 } });
        const repo = { hints: { namespace: "repo" } };
        const toolCall = {
            kind: "ok" as const,
            result: {
                content: [{ type: "tool_call" as const, id: "t", name: "rm", arguments: { path: "/" } }],
                stop_reason: "tool_use" as const,
            },
        };
        f.anthropic.enqueue(toolCall, toolCall);
        await f.router.complete(ask("clean up", repo));
        expect((await f.router.complete(ask("clean up", repo))).routing.cache).toBe("miss");
        expect(f.anthropic.calls).toHaveLength(2);

        f.anthropic.enqueue(
            { kind: "error", error: providerError(ErrorCode.ProviderBadRequest) },
            { kind: "ok" },
        );
        await routeFailure(f.router.complete(ask("bad", repo)));
        expect((await f.router.complete(ask("bad", repo))).routing.cache).toBe("miss");
    });

    it("does not cache a degraded answer from a lower tier than decided", async () => {
        const f = setupRouter({ reliability: { maxRetries: 0 } });
        // frontier: opus fails, codex fails → mid: haiku answers. Then opus recovers.
        f.anthropic.enqueue(
            { kind: "error", error: providerError(ErrorCode.ProviderOverloaded) },
            { kind: "ok", text: "haiku" },
            { kind: "ok", text: "opus" },
        );
        f.openai.enqueue({ kind: "error", error: providerError(ErrorCode.ProviderOverloaded) });
        const degraded = await f.router.complete(
            ask("q", { hints: { tags: ["security"], namespace: "repo" } }),
        );
        expect(degraded.routing).toMatchObject({
            decided_tier: "frontier",
            tier: "mid",
            model_used: "claude-haiku-5-5",
        });
        const again = await f.router.complete(ask("q", { hints: { tags: ["security"], namespace: "repo" } }));
        expect(again.routing).toMatchObject({
            cache: "miss",
            tier: "frontier",
            model_used: "claude-opus-5-5",
        });
        expect(again.content).toEqual([{ type: "text", text: "opus" }]);
    });

    it("is keyed by the decided tier", async () => {
        const f = setupRouter();
        f.anthropic.always({ kind: "ok" });
        await f.router.complete(ask("q", { hints: { namespace: "repo" } }));
        expect(
            (await f.router.complete(ask("q", { hints: { tier: "frontier", namespace: "repo" } }))).routing
                .cache,
        ).toBe("miss");
    });

    it("without a namespace, the cache is scoped per session, and not used at all without either", async () => {
        const f = setupRouter();
        f.anthropic.always({ kind: "ok" });
        const asUser = (session: string | undefined) =>
            f.router.complete(
                ask("show me the API keys in .env", session ? { hints: { session_id: session } } : {}),
            );
        await asUser("alice");
        expect((await asUser("bob")).routing.cache).toBe("miss");
        expect((await asUser("alice")).routing.cache).toBe("hit");
        await asUser(undefined);
        expect((await asUser(undefined)).routing.cache).not.toBe("hit");
        expect(f.anthropic.calls).toHaveLength(4);
    });

    it("does not cache answers sampled at temperature > 0 unless cache.sampled is set", async () => {
        const f = setupRouter();
        f.anthropic.always({ kind: "ok" });
        const sampled = ask("name a variable", { temperature: 0.8, hints: { namespace: "repo" } });
        await f.router.complete(sampled);
        expect((await f.router.complete(sampled)).routing.cache).toBe("miss");
        const greedy = ask("name a variable", { temperature: 0, hints: { namespace: "repo" } });
        await f.router.complete(greedy);
        expect((await f.router.complete(greedy)).routing.cache).toBe("hit");

        const opted = setupRouter({ cache: { sampled: true } });
        opted.anthropic.always({ kind: "ok" });
        await opted.router.complete(sampled);
        expect((await opted.router.complete(sampled)).routing.cache).toBe("hit");
    });

    it("caches a sampled answer when the request opts in with hints.cache_sampled", async () => {
        const f = setupRouter();
        f.anthropic.always({ kind: "ok" });
        const optIn = ask("name a function", {
            temperature: 0.8,
            hints: { namespace: "repo", cache_sampled: true },
        });
        expect((await f.router.complete(optIn)).routing.cache).toBe("miss");
        expect((await f.router.complete(optIn)).routing.cache).toBe("hit");
        // The same request without the opt-in gets a fresh draw.
        const plain = ask("name a function", { temperature: 0.8, hints: { namespace: "repo" } });
        expect((await f.router.complete(plain)).routing.cache).toBe("miss");
    });

    it("refuses a cache_sampled hint that is not a boolean", async () => {
        const f = setupRouter();
        const bad = ask("q", { temperature: 0.8, hints: { cache_sampled: "yes" as unknown as boolean } });
        await expect(f.router.complete(bad)).rejects.toThrow(/hints\.cache_sampled: /);
    });
});
