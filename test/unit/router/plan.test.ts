import { describe, expect, it } from "vitest";
import { parseRouterConfig } from "../../../src/router/config.js";
import {
    buildPlan,
    defaultFallback,
    demoteFirst,
    fallsBack,
    leastLoaded,
    resolveTiers,
} from "../../../src/router/plan.js";
import { ErrorCode } from "../../../src/errors/codes.js";
import { ScriptedProvider } from "./scriptedProvider.js";

const config = parseRouterConfig({
    providers: { a: { type: "anthropic" }, o: { type: "openai" }, l: { type: "local" } },
    tiers: [
        { name: "local", targets: [{ provider: "l", model: "" }] },
        {
            name: "mid",
            targets: [
                { provider: "a", model: "haiku" },
                { provider: "o", model: "mini", maxRetries: 3 },
            ],
        },
        {
            name: "frontier",
            targets: [
                { provider: "a", model: "opus", ttftBudgetMs: null },
                { provider: "a", model: "haiku" },
            ],
        },
        { name: "pinned", targets: [{ provider: "o", model: "codex" }], fallback: ["mid"] },
    ],
    reliability: { maxRetries: 1, attemptTimeoutMs: 5_000 },
});
const providers = new Map(["a", "o", "l"].map((id) => [id, new ScriptedProvider(id)]));
const tiers = resolveTiers(config, { providers, breakerFor: () => undefined });
const keys = (plan: ReturnType<typeof buildPlan>) => plan.map((t) => `${t.tier}:${t.key}`);

describe("route plans", () => {
    it("demoteFirst moves the first target behind the rest of its tier, and leaves a tier of one as it is", () => {
        expect(keys(demoteFirst(buildPlan(tiers, 1)))).toEqual([
            "mid:o/mini",
            "mid:a/haiku",
            "frontier:a/opus",
            "pinned:o/codex",
            "local:l/",
        ]);
        expect(keys(demoteFirst(buildPlan(tiers, 0)))).toEqual(keys(buildPlan(tiers, 0)));
        expect(demoteFirst([])).toEqual([]);
    });

    it("default fallback: higher tiers ascending, then lower tiers descending", () => {
        expect(defaultFallback(1, 4)).toEqual([2, 3, 0]);
        expect(defaultFallback(0, 3)).toEqual([1, 2]);
        expect(defaultFallback(2, 3)).toEqual([1, 0]);
    });

    it("tries the tier's targets in order, then the fallback tiers', each provider/model once", () => {
        expect(keys(buildPlan(tiers, 1))).toEqual([
            "mid:a/haiku",
            "mid:o/mini",
            "frontier:a/opus", // frontier's a/haiku is a duplicate of mid's
            "pinned:o/codex",
            "local:l/",
        ]);
    });

    it("an explicit fallback list replaces the default", () => {
        expect(keys(buildPlan(tiers, 3))).toEqual(["pinned:o/codex", "mid:a/haiku", "mid:o/mini"]);
    });

    it("a session's pinned target goes first within its tier", () => {
        expect(keys(buildPlan(tiers, 1, "o/mini")).slice(0, 2)).toEqual(["mid:o/mini", "mid:a/haiku"]);
        // A pin naming a target outside the tier changes nothing.
        expect(keys(buildPlan(tiers, 1, "a/opus")).slice(0, 2)).toEqual(["mid:a/haiku", "mid:o/mini"]);
    });

    it("resolves per-target settings over the reliability and breaker defaults", () => {
        const [haiku, mini] = tiers[1]!.targets;
        expect(haiku!.settings).toEqual({
            maxRetries: 1,
            attemptTimeoutMs: 5_000,
            firstTokenTimeoutMs: 30_000,
            ttftBudgetMs: 10_000,
        });
        expect(mini!.settings.maxRetries).toBe(3);
        expect(tiers[2]!.targets[0]!.settings.ttftBudgetMs).toBeNull();
    });

    it("falls back on retryable errors and on the configured codes only", () => {
        const fallbackOn = new Set([ErrorCode.ProviderAuth]);
        expect(fallsBack({ code: ErrorCode.ProviderOverloaded, retryable: true }, fallbackOn)).toBe(true);
        expect(fallsBack({ code: ErrorCode.ProviderAuth, retryable: false }, fallbackOn)).toBe(true);
        expect(fallsBack({ code: ErrorCode.ProviderBadRequest, retryable: false }, fallbackOn)).toBe(false);
    });

    describe("least-loaded tiers (replicas of one service)", () => {
        const replicas = parseRouterConfig({
            providers: {
                r1: { type: "local" },
                r2: { type: "local" },
                r3: { type: "local" },
                a: { type: "anthropic" },
            },
            tiers: [
                {
                    name: "local",
                    targets: [
                        { provider: "r1", model: "" },
                        { provider: "r2", model: "" },
                        { provider: "r3", model: "" },
                    ],
                },
                {
                    name: "hosted",
                    targets: [
                        { provider: "a", model: "haiku" },
                        { provider: "a", model: "opus" },
                    ],
                },
            ],
        });
        const local = new Map(
            ["r1", "r2", "r3", "a"].map((id) => [
                id,
                new ScriptedProvider(id, id === "a" ? "anthropic" : "local"),
            ]),
        );
        const resolved = resolveTiers(replicas, { providers: local, breakerFor: () => undefined });
        const load: Record<string, number> = { "r1/": 2, "r2/": 0, "r3/": 1, "a/haiku": 5, "a/opus": 0 };
        const balancing = { load: (t: { key: string }) => load[t.key]!, turn: 0 };

        it("defaults to least_loaded when every target is local, else to the listed order", () => {
            expect(resolved.map((t) => t.balance)).toEqual(["least_loaded", "ordered"]);
            const explicit = parseRouterConfig({
                ...replicas,
                tiers: [{ ...replicas.tiers[0]!, balance: "ordered" }, replicas.tiers[1]!],
            });
            expect(
                resolveTiers(explicit, { providers: local, breakerFor: () => undefined })[0]!.balance,
            ).toBe("ordered");
        });

        it("puts the fewest in flight first, keeps a pinned replica first, and never reorders a preference tier", () => {
            expect(keys(buildPlan(resolved, 0, undefined, balancing))).toEqual([
                "local:r2/",
                "local:r3/",
                "local:r1/",
                "hosted:a/haiku",
                "hosted:a/opus",
            ]);
            expect(keys(buildPlan(resolved, 0, "r1/", balancing)).slice(0, 3)).toEqual([
                "local:r1/",
                "local:r2/",
                "local:r3/",
            ]);
            expect(keys(buildPlan(resolved, 1, undefined, balancing)).slice(0, 2)).toEqual([
                "hosted:a/haiku",
                "hosted:a/opus",
            ]);
            expect(keys(buildPlan(resolved, 0))).toEqual(keys(buildPlan(resolved, 0, undefined, undefined)));
            expect(keys(buildPlan(resolved, 0)).slice(0, 3)).toEqual(["local:r1/", "local:r2/", "local:r3/"]);
        });

        it("takes equally loaded replicas in turn", () => {
            const idle = () => 0;
            const firsts = [0, 1, 2, 3, 4, 5].map(
                (turn) => leastLoaded(resolved[0]!.targets, idle, turn)[0]!.key,
            );
            expect(firsts).toEqual(["r1/", "r2/", "r3/", "r1/", "r2/", "r3/"]);
            const busyFirst = (t: { key: string }) => (t.key === "r2/" ? 1 : 0);
            expect(leastLoaded(resolved[0]!.targets, busyFirst, 1).map((t) => t.key)).toEqual([
                "r3/",
                "r1/",
                "r2/",
            ]);
        });
    });
});
