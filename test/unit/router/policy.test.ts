import { describe, expect, it } from "vitest";
import { parseRouterConfig, type RouterConfigInput } from "../../../src/router/config.js";
import { extractFeatures, type RequestFeatures } from "../../../src/router/features.js";
import { compilePolicy, decideTier, keywordPattern, matchRules } from "../../../src/router/policy.js";
import type { ChatRequest } from "../../../src/chat/types.js";

const base: RouterConfigInput = {
    providers: { p: { type: "anthropic" } },
    tiers: [
        { name: "local", targets: [{ provider: "p", model: "l" }] },
        { name: "mid", targets: [{ provider: "p", model: "m" }] },
        { name: "frontier", targets: [{ provider: "p", model: "f" }] },
    ],
    policy: {
        defaultTier: "mid",
        rules: [
            { name: "security", tier: "frontier", when: { tags: ["security", "architecture"] } },
            { name: "stalled_agent", tier: "frontier", when: { minToolErrorStreak: 2 } },
            { name: "long_context", tier: "frontier", when: { minContextTokens: 1000 } },
            { name: "hard_words", tier: "frontier", when: { keywords: ["race condition", "deadlock"] } },
            {
                name: "quick_completion",
                tier: "local",
                when: { taskTypes: ["completion", "commit_message"], maxContextTokens: 200, hasTools: false },
            },
            { name: "tight_budget", tier: "local", when: { maxLatencyBudgetMs: 500 } },
            { name: "scratch_repo", tier: "local", when: { namespaces: ["scratch"] } },
        ],
    },
};

const policy = compilePolicy(parseRouterConfig(base));

function features(overrides: Partial<RequestFeatures> = {}): RequestFeatures {
    return {
        taskType: undefined,
        tags: [],
        namespace: "default",
        latencyBudgetMs: undefined,
        contextTokens: 50,
        lastUserText: "please fix the bug",
        hasTools: false,
        toolErrorStreak: 0,
        ...overrides,
    };
}

describe("decideTier", () => {
    it.each([
        ["nothing matches", {}, "mid", "default"],
        ["a security tag", { tags: ["security"] }, "frontier", "rule:security"],
        ["any listed tag", { tags: ["x", "architecture"] }, "frontier", "rule:security"],
        ["two failed tool results in a row", { toolErrorStreak: 2 }, "frontier", "rule:stalled_agent"],
        ["one failed tool result", { toolErrorStreak: 1 }, "mid", "default"],
        ["a long context", { contextTokens: 1000 }, "frontier", "rule:long_context"],
        ["just under the long-context threshold", { contextTokens: 999 }, "mid", "default"],
        [
            "a keyword phrase",
            { lastUserText: "There is a Race   Condition here" },
            "frontier",
            "rule:hard_words",
        ],
        ["a keyword inside another word", { lastUserText: "the deadlocked queue" }, "mid", "default"],
        [
            "a small completion",
            { taskType: "commit_message", contextTokens: 100 },
            "local",
            "rule:quick_completion",
        ],
        ["a completion that is too long", { taskType: "completion", contextTokens: 201 }, "mid", "default"],
        ["a completion with tools", { taskType: "completion", hasTools: true }, "mid", "default"],
        ["a tight latency budget", { latencyBudgetMs: 300 }, "local", "rule:tight_budget"],
        ["a relaxed latency budget", { latencyBudgetMs: 5000 }, "mid", "default"],
        ["a namespace rule", { namespace: "scratch" }, "local", "rule:scratch_repo"],
        // First match wins: security is listed before the tight budget.
        ["two rules match", { tags: ["security"], latencyBudgetMs: 100 }, "frontier", "rule:security"],
    ] as const)("%s", (_name, overrides, tier, reason) => {
        expect(decideTier(features(overrides), policy)).toEqual({
            tier,
            reason,
            score: null,
            cascadeTo: null,
        });
    });

    it("a forced tier wins over every rule", () => {
        expect(decideTier(features({ tags: ["security"] }), policy, "local")).toEqual({
            tier: "local",
            reason: "hint:tier",
            score: null,
            cascadeTo: null,
        });
    });

    it("the classifier decides only when no rule matches, and only with a known tier", () => {
        const verdict = { tier: "frontier", score: 0.83, classifier: "mf" };
        expect(decideTier(features(), policy, undefined, verdict)).toEqual({
            tier: "frontier",
            reason: "classifier:mf",
            score: 0.83,
            cascadeTo: null,
        });
        expect(decideTier(features({ latencyBudgetMs: 1 }), policy, undefined, verdict).reason).toBe(
            "rule:tight_budget",
        );
        expect(decideTier(features(), policy, undefined, { ...verdict, tier: "nope" }).reason).toBe(
            "default",
        );
    });

    it("defaults to the first tier when no defaultTier is configured", () => {
        const p = compilePolicy(parseRouterConfig({ ...base, policy: { rules: [] } }));
        expect(decideTier(features(), p)).toEqual({
            tier: "local",
            reason: "default",
            score: null,
            cascadeTo: null,
        });
        expect(matchRules(features(), p)).toBeUndefined();
    });
});

describe("decideTier with a classifier's cascade decision", () => {
    /** `base` with a cascade on the named tiers and the given escalation cap. */
    const withCascades = (tiers: readonly string[], maxEscalations = 1) =>
        compilePolicy(
            parseRouterConfig({
                ...base,
                tiers: base.tiers.map((t) => (tiers.includes(t.name) ? { ...t, cascade: {} } : t)),
                cascade: { maxEscalations },
            }),
        );
    const unsure = { tier: "local", cascadeTo: "mid", score: 0.2, classifier: "mf" };

    it("serves the lower tier first where its cascade can escalate to the upper one", () => {
        expect(decideTier(features(), withCascades(["local"]), undefined, unsure)).toEqual({
            tier: "local",
            reason: "classifier:mf",
            score: 0.2,
            cascadeTo: "mid",
        });
        expect(withCascades(["local", "mid", "frontier"]).cascadeTiers).toEqual(new Set(["local", "mid"]));
    });

    it.each([
        ["the lower tier has no cascade", withCascades(["mid"]), unsure, "mid"],
        ["cascades may not escalate (maxEscalations 0)", withCascades(["local"], 0), unsure, "mid"],
        [
            "the upper tier is two tiers up",
            withCascades(["local"]),
            { ...unsure, cascadeTo: "frontier" },
            "frontier",
        ],
    ])("serves the upper tier when %s", (_name, p, verdict, tier) => {
        expect(decideTier(features(), p, undefined, verdict)).toEqual({
            tier,
            reason: "classifier:mf",
            score: 0.2,
            cascadeTo: null,
        });
    });

    it("treats a cascadeTo that is unknown or not above the tier as a plain decision; rules still win", () => {
        const p = withCascades(["local", "mid"]);
        for (const cascadeTo of ["nope", "local"]) {
            expect(decideTier(features(), p, undefined, { ...unsure, cascadeTo })).toMatchObject({
                tier: "local",
                cascadeTo: null,
            });
        }
        expect(decideTier(features({ tags: ["security"] }), p, undefined, unsure)).toMatchObject({
            tier: "frontier",
            reason: "rule:security",
            cascadeTo: null,
        });
    });
});

describe("keywordPattern", () => {
    it.each([
        ["lock", "take the lock now", true],
        ["lock", "a block of code", false],
        ["lock", "LOCK!", true],
        ["c++", "port it to C++ please", true],
        ["race condition", "race\ncondition", true],
        ["sécurité", "revue de sécurité", true],
    ])("%s in %j → %s", (keyword, text, matches) => {
        expect(keywordPattern([keyword]).test(text)).toBe(matches);
    });
});

describe("extractFeatures", () => {
    const request: ChatRequest = {
        system: "abcd".repeat(25),
        messages: [
            { role: "user", content: "fix it" },
            {
                role: "assistant",
                content: [
                    { type: "text", text: "running tests" },
                    { type: "tool_call", id: "t1", name: "run", arguments: { cmd: "npm test" } },
                ],
            },
            {
                role: "user",
                content: [{ type: "tool_result", tool_call_id: "t1", content: "boom", is_error: true }],
            },
            {
                role: "assistant",
                content: [{ type: "tool_call", id: "t2", name: "run", arguments: { cmd: "npm test" } }],
            },
            {
                role: "user",
                content: [
                    { type: "tool_result", tool_call_id: "t2", content: "boom again", is_error: true },
                    { type: "text", text: "Still Failing" },
                ],
            },
        ],
        tools: [{ name: "run", input_schema: { type: "object" } }],
        hints: { task_type: "chat", tags: ["x"], namespace: "repo-a", latency_budget_ms: 900 },
    };

    it("reads hints, the last user text, tools and the failed-tool streak", () => {
        const f = extractFeatures(request);
        expect(f).toMatchObject({
            taskType: "chat",
            tags: ["x"],
            namespace: "repo-a",
            latencyBudgetMs: 900,
            lastUserText: "Still Failing",
            hasTools: true,
            toolErrorStreak: 2,
        });
        // 100 system chars plus messages and the tool schema, at 4 characters per token.
        expect(f.contextTokens).toBeGreaterThan(25);
        expect(f.contextTokens).toBeLessThan(60);
    });

    it("a successful tool result ends the streak; a plain user turn too", () => {
        const ok = extractFeatures({
            messages: [
                {
                    role: "user",
                    content: [{ type: "tool_result", tool_call_id: "a", content: "x", is_error: true }],
                },
                { role: "user", content: [{ type: "tool_result", tool_call_id: "b", content: "ok" }] },
            ],
        });
        expect(ok.toolErrorStreak).toBe(0);
        const plain = extractFeatures({
            messages: [
                {
                    role: "user",
                    content: [{ type: "tool_result", tool_call_id: "a", content: "x", is_error: true }],
                },
                { role: "user", content: "thanks" },
            ],
        });
        expect(plain.toolErrorStreak).toBe(0);
        expect(plain.namespace).toBe("default");
        expect(plain.lastUserText).toBe("thanks");
    });

    it("the last user text is the human's words: an agent's injected reminder blocks are left out", () => {
        const f = extractFeatures({
            messages: [
                {
                    role: "user",
                    content: [
                        {
                            type: "text",
                            text: "<system-reminder>CLAUDE.md: never add a race condition</system-reminder>",
                        },
                        { type: "text", text: "rename x to y" },
                    ],
                },
            ],
        });
        expect(f.lastUserText).toBe("rename x to y");
        expect(decideTier(f, policy).reason).toBe("default");
    });

    it("the last user text is empty when the conversation ends with the assistant", () => {
        expect(extractFeatures({ messages: [{ role: "assistant", content: "prefill" }] }).lastUserText).toBe(
            "",
        );
    });
});
