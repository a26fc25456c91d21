/**
 * A classifier's cascade decision through the router with scripted providers: unsure between local and
 * mid, the request is tried on local and its cascade escalates a failed answer to mid; without a cascade
 * on local the router serves mid, and feedback or a pin that moves the tier drops the cascade decision.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { GenerationSignals } from "../../../src/chat/types.js";
import type { RouterConfigInput } from "../../../src/router/config.js";
import type { ClassifierVerdict } from "../../../src/router/RoutingClassifier.js";
import { ask, baseConfig, setupRouter, type RouterFixture } from "./routerFixture.js";

const fixtures: RouterFixture[] = [];
afterEach(async () => {
    await Promise.all(fixtures.splice(0).map((f) => f.router.close()));
});

const unsure: ClassifierVerdict = { tier: "local", cascadeTo: "mid", score: 0.2, classifier: "tiny" };

/** No rules; the classifier always answers `verdict`; a cascade on local when `localCascade`. */
function setup(verdict: ClassifierVerdict, localCascade: boolean, extra: Partial<RouterConfigInput> = {}) {
    const tiers = baseConfig.tiers.map((t) =>
        t.name === "local" && localCascade ? { ...t, cascade: { minAcceptanceRate: 0.5 } } : t,
    );
    const f = setupRouter(
        { tiers, policy: { defaultTier: "mid", rules: [] }, cache: { enabled: false }, ...extra },
        { classifier: { classify: () => verdict } },
    );
    fixtures.push(f);
    return f;
}

const signals = (acceptance_rate: number): GenerationSignals => ({
    acceptance_rate,
    drafted_tokens: 20,
    mean_logprob: null,
    min_logprob: null,
});

describe("a classifier's cascade decision", () => {
    it("is tried on the lower tier and served there when the answer passes its cascade", async () => {
        const f = setup(unsure, true);
        expect(await f.router.decide(ask("go"))).toMatchObject({
            tier: "local",
            routing_reason: "classifier:tiny",
            classifier_score: 0.2,
            cascade_to: "mid",
        });
        f.local.enqueue({ kind: "ok", text: "fine", result: { signals: signals(0.8) } });
        const response = await f.router.complete(ask("go"));
        expect(response.content).toEqual([{ type: "text", text: "fine" }]);
        expect(response.routing).toMatchObject({
            tier: "local",
            decided_tier: "local",
            cascade_to: "mid",
            escalated: false,
        });
        expect(f.anthropic.calls).toHaveLength(0);
        expect(await f.metric('tiercel_router_cascade_decisions_total{tier="local",cascade_to="mid"}')).toBe(
            1,
        );
    });

    it("escalates to the upper tier when the cheaper answer fails its check (paying both)", async () => {
        const f = setup(unsure, true);
        f.local.enqueue({ kind: "ok", text: "guess", result: { signals: signals(0.1) } });
        f.anthropic.enqueue({ kind: "ok", text: "right" });
        const response = await f.router.complete(ask("go"));
        expect(response.content).toEqual([{ type: "text", text: "right" }]);
        expect(response.routing).toMatchObject({
            tier: "mid",
            decided_tier: "local",
            cascade_to: "mid",
            escalated: true,
            escalated_from: "local",
        });
        expect(response.routing.attempts.map((a) => [a.tier, a.outcome])).toEqual([
            ["local", "rejected"],
            ["mid", "ok"],
        ]);
        expect(f.records.at(-1)?.cascade.map((c) => [c.failed_check, c.escalated_to])).toEqual([
            ["min_acceptance_rate", "mid"],
        ]);
    });

    it("goes to the upper tier at once when the lower tier has no cascade to catch a bad answer", async () => {
        const f = setup(unsure, false);
        f.anthropic.enqueue({ kind: "ok", text: "right" });
        const response = await f.router.complete(ask("go"));
        expect(response.routing).toMatchObject({
            tier: "mid",
            decided_tier: "mid",
            routing_reason: "classifier:tiny",
            cascade_to: null,
        });
        expect(f.local.calls).toHaveLength(0);
        expect(await f.metric('tiercel_router_cascade_decisions_total{tier="local",cascade_to="mid"}')).toBe(
            undefined,
        );
    });

    it("is not recorded when the session's pin serves a higher tier", async () => {
        const f = setup(unsure, true);
        const session = { hints: { session_id: "s1", tier: "mid" } };
        f.anthropic.enqueue({ kind: "ok", text: "pinned" }, { kind: "ok", text: "still pinned" });
        await f.router.complete(ask("go", session));
        const response = await f.router.complete(ask("go", { hints: { session_id: "s1" } }));
        expect(response.routing).toMatchObject({ tier: "mid", routing_reason: "affinity", cascade_to: null });
    });

    it("a plain verdict records no cascade", async () => {
        const f = setup({ tier: "local", score: 0.05, classifier: "tiny" }, true);
        expect(await f.router.decide(ask("go"))).toMatchObject({ tier: "local", cascade_to: null });
    });
});
