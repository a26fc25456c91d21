import { describe, expect, it } from "vitest";
import type { RouterConfigInput } from "../../../src/router/config.js";
import { parseRouterConfig } from "../../../src/router/config.js";
import { shadowReport } from "../../../src/router/shadowReport.js";
import { ask, baseConfig, setupRouter } from "./routerFixture.js";

/** The incumbent (baseConfig: completions → local, security → frontier, else mid) and a candidate. */
const shadow: RouterConfigInput["shadow"] = {
    policy: {
        version: "cand-1",
        defaultTier: "local",
        rules: [
            { name: "security", tier: "frontier", when: { tags: ["security"] } },
            { name: "reviews_up", tier: "frontier", when: { taskTypes: ["review"] } },
        ],
    },
};

describe("shadow evaluation of a candidate policy", () => {
    it("compares the shadow candidate with the incumbent policy also on a canary candidate's requests", async () => {
        const f = setupRouter(
            {
                shadow,
                canary: {
                    candidate: { policy: { defaultTier: "frontier", version: "canary-1" } },
                    share: 0.5,
                },
            },
            { random: () => 0.1 },
        );
        f.anthropic.always({ kind: "ok", text: "done" });
        const { routing } = await f.router.complete(ask("explain this", { hints: { task_type: "chat" } }));
        expect(routing).toMatchObject({
            tier: "frontier",
            policy_version: "canary-1",
            canary: { arm: "candidate", decision: "collecting" },
            shadow: { tier: "local", incumbent_tier: "mid", agrees: false },
        });
    });

    it("records the candidate's decision on every request and sends nothing for it", async () => {
        const f = setupRouter({ shadow, policy: { ...baseConfig.policy, version: "inc-1" } });
        f.anthropic.always({ kind: "ok", text: "done" });
        f.local.always({ kind: "ok", text: "done" });
        await f.router.complete(ask("explain this", { hints: { task_type: "chat" } }));
        await f.router.complete(ask("audit", { hints: { tags: ["security"] } }));
        await f.router.complete(ask("look at this diff", { hints: { task_type: "review" } }));
        expect(f.records.map((r) => [r.policy_version, r.tier, r.shadow])).toEqual([
            [
                "inc-1",
                "mid",
                {
                    policy_version: "cand-1",
                    tier: "local",
                    reason: "default",
                    incumbent_tier: "mid",
                    agrees: false,
                    // The local tier has no per-token bill.
                    predicted_cost_usd: 0,
                },
            ],
            [
                "inc-1",
                "frontier",
                {
                    policy_version: "cand-1",
                    tier: "frontier",
                    reason: "rule:security",
                    incumbent_tier: "frontier",
                    agrees: true,
                    // 100 input at $15/M + 20 output at $75/M, the frontier tier's first target.
                    predicted_cost_usd: expect.closeTo(0.003, 10) as unknown as number,
                },
            ],
            [
                "inc-1",
                "mid",
                expect.objectContaining({ tier: "frontier", reason: "rule:reviews_up", agrees: false }),
            ],
        ]);
        // Only the incumbent's choices were called: mid twice (anthropic), frontier once.
        expect(f.anthropic.calls.map((c) => c.request.model)).toEqual([
            "claude-haiku-5-5",
            "claude-opus-5-5",
            "claude-haiku-5-5",
        ]);
        expect(f.local.calls).toHaveLength(0);
        expect(
            await f.metric(
                'tiercel_router_shadow_decisions_total{incumbent_tier="mid",candidate_tier="local",agrees="false"}',
            ),
        ).toBe(1);
    });

    it("gives the candidate the classifier's verdict where only the incumbent's rules decided", async () => {
        const f = setupRouter(
            { shadow: { policy: { defaultTier: "mid" } } },
            { classifier: { classify: () => ({ tier: "frontier", score: 0.8, classifier: "tiny" }) } },
        );
        f.local.always({ kind: "ok", text: "done" });
        const { routing } = await f.router.complete(ask("x", { hints: { task_type: "completion" } }));
        expect([routing.policy_reason, routing.classifier_score]).toEqual(["rule:quick_completion", null]);
        expect(routing.shadow).toMatchObject({ tier: "frontier", reason: "classifier:tiny", agrees: false });
    });

    it("records null without a candidate", async () => {
        const f = setupRouter();
        f.anthropic.always({ kind: "ok", text: "done" });
        const { routing } = await f.router.complete(ask("x"));
        expect(routing.shadow).toBeNull();
    });

    it("rejects a candidate that names an unknown tier, with the path to fix", () => {
        expect(() =>
            parseRouterConfig({ ...baseConfig, shadow: { policy: { defaultTier: "gold" } } }),
        ).toThrow(/shadow\.policy\.defaultTier.*unknown tier "gold"/s);
    });

    it("reports tiers chosen, agreement, predicted cost and disagreements by task type", async () => {
        const f = setupRouter({ shadow });
        f.anthropic.always({ kind: "ok", text: "done" });
        f.local.always({ kind: "ok", text: "done" });
        await f.router.complete(ask("a", { hints: { task_type: "chat" } }));
        await f.router.complete(ask("b", { hints: { task_type: "chat" } }));
        await f.router.complete(ask("c", { hints: { task_type: "review" } }));
        await f.router.complete(ask("d", { hints: { tags: ["security"] } }));
        const report = shadowReport(f.records, ["local", "mid", "frontier"]);
        expect(report).toMatchObject({
            candidateVersions: ["cand-1"],
            requests: 4,
            agreement: 0.25,
            incumbentTiers: { mid: 3, frontier: 1 },
            candidateTiers: { local: 2, frontier: 2 },
            transitions: { "mid→local": 2, "mid→frontier": 1 },
            byTaskType: {
                chat: { requests: 2, disagreements: 2, candidateHigher: 0, candidateLower: 2 },
                review: { requests: 1, disagreements: 1, candidateHigher: 1, candidateLower: 0 },
                "(none)": { requests: 1, disagreements: 0, candidateHigher: 0, candidateLower: 0 },
            },
        });
        // Priced on both sides: the chats (mid $0.0002 each vs local, free), the review (mid $0.0002 vs
        // frontier $0.003) and the security request (frontier on both).
        expect(report.cost.pricedRequests).toBe(4);
        expect(report.cost.incumbentUsd).toBeCloseTo(0.0036, 10);
        expect(report.cost.candidatePredictedUsd).toBeCloseTo(0.006, 10);
    });
});
