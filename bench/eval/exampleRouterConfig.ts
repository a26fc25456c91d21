/**
 * The router config the eval harness routes with (a documented example, README "Learned routing"):
 * three tiers, a price table (USD per million tokens, list prices of 2026-11) and a handful of rules of
 * the kind an operator writes by hand. The rules-only baseline is this config without `classifier`.
 *
 * - local: the tiercel gRPC tier on the operator's GPU; priced at 0 (the hardware is paid for either way),
 *   with a cascade on its signals (so the classifier's local/mid cascade decisions are served local first);
 * - mid: Claude Haiku 4.5 ($1 in / $5 out);
 * - frontier: Claude Opus 4.5 ($5 in / $25 out).
 */
import type { RouterConfigInput } from "../../src/router/config.js";

export const exampleRouterConfig = {
    providers: {
        tiercel: { type: "local", address: "127.0.0.1:50051" },
        anthropic: { type: "anthropic" },
    },
    tiers: [
        {
            name: "local",
            targets: [{ provider: "tiercel", model: "" }],
            // The local tier's answers are checked on its decoding signals and escalated to mid when they
            // fail: what lets the classifier's cascade decisions (unsure between local and mid) start here.
            cascade: { minAcceptanceRate: 0.3, minMeanLogprob: -1.5, validators: ["non_empty"] },
        },
        { name: "mid", targets: [{ provider: "anthropic", model: "claude-haiku-4-5" }] },
        { name: "frontier", targets: [{ provider: "anthropic", model: "claude-opus-4-5" }] },
    ],
    policy: {
        // Without a classifier, an unmatched request goes to the middle tier: the safe default by hand.
        defaultTier: "mid",
        rules: [
            {
                name: "security_or_architecture",
                tier: "frontier",
                when: { tags: ["security", "architecture"] },
            },
            { name: "stalled_agent", tier: "frontier", when: { minToolErrorStreak: 2 } },
            {
                name: "hard_words",
                tier: "frontier",
                when: { keywords: ["race condition", "deadlock", "flaky"] },
            },
            {
                name: "quick_completion",
                tier: "local",
                when: {
                    taskTypes: ["completion", "commit_message"],
                    maxContextTokens: 2000,
                    hasTools: false,
                },
            },
            { name: "tight_budget", tier: "local", when: { maxLatencyBudgetMs: 1000 } },
        ],
    },
    prices: {
        "anthropic/claude-haiku-4-5": { inputPerMTok: 1, outputPerMTok: 5 },
        "anthropic/claude-opus-4-5": { inputPerMTok: 5, outputPerMTok: 25 },
        "tiercel/": { inputPerMTok: 0, outputPerMTok: 0 },
    },
    classifier: {},
} satisfies RouterConfigInput;
