import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../../src/errors/ServiceError.js";
import { parseRouterConfig, type RouterConfigInput } from "../../../../src/router/config.js";
import * as defaults from "../../../../src/router/defaults.js";

const base: RouterConfigInput = {
    providers: { anthropic: { type: "anthropic" }, openai: { type: "openai" } },
    tiers: [
        { name: "mid", targets: [{ provider: "anthropic", model: "claude-haiku-5-5" }] },
        { name: "frontier", targets: [{ provider: "openai", model: "gpt-5.1-codex" }] },
    ],
};

function problems(canary: unknown): string {
    try {
        parseRouterConfig({ ...base, canary });
    } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as ConfigError).message;
    }
    throw new Error("expected the config to be refused");
}

describe("router config: canary", () => {
    it("is absent by default", () => {
        expect(parseRouterConfig(base).canary).toBeUndefined();
    });

    it("fills the test's settings with the named defaults", () => {
        const config = parseRouterConfig({
            ...base,
            canary: { candidate: { policy: { defaultTier: "mid" } } },
        });
        expect(config.canary).toEqual({
            candidate: { policy: { defaultTier: "mid", rules: [] } },
            share: defaults.defaultCanaryShare,
            worseRatio: defaults.defaultCanaryWorseRatio,
            alpha: defaults.defaultCanaryAlpha,
            beta: defaults.defaultCanaryBeta,
            minRequests: defaults.defaultCanaryMinRequests,
            slowMs: defaults.defaultCanarySlowMs,
            statePath: null,
            saveIntervalMs: defaults.defaultCanarySaveIntervalMs,
        });
    });

    it("takes a candidate target without a policy", () => {
        const config = parseRouterConfig({
            ...base,
            canary: { candidate: { target: { tier: "mid", provider: "openai", model: "gpt-5-mini" } } },
        });
        expect(config.canary?.candidate).toEqual({
            target: { tier: "mid", provider: "openai", model: "gpt-5-mini" },
        });
    });

    it.each([
        [{ candidate: {} }, "canary.candidate: canary.candidate needs exactly one of `policy` or `target`"],
        [
            { candidate: { policy: {}, target: { tier: "mid", provider: "openai", model: "m" } } },
            "needs exactly one of `policy` or `target`",
        ],
        [
            { candidate: { target: { tier: "top", provider: "openai", model: "m" } } },
            'canary.candidate.target.tier: unknown tier "top" (tiers: mid, frontier)',
        ],
        [
            { candidate: { target: { tier: "mid", provider: "gemini", model: "m" } } },
            'canary.candidate.target.provider: unknown provider "gemini"; add it under "providers"',
        ],
        [
            { candidate: { policy: { defaultTier: "top" } } },
            'canary.candidate.policy.defaultTier: unknown tier "top"',
        ],
        [{ candidate: { policy: {} }, share: 1 }, "canary.share"],
        [{ candidate: { policy: {} }, worseRatio: 1 }, "canary.worseRatio"],
        [{ candidate: { policy: {} }, alpha: 0.6 }, "canary.alpha"],
        [{ candidate: { policy: {} }, shares: 0.1 }, "shares"],
    ])("refuses %j", (canary, message) => {
        expect(problems(canary)).toContain(message);
    });
});
