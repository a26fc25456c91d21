import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../../src/errors/codes.js";
import { ConfigError } from "../../../src/errors/ServiceError.js";
import { parseRouterConfig, type RouterConfigInput } from "../../../src/router/config.js";
import * as defaults from "../../../src/router/defaults.js";

const minimal: RouterConfigInput = {
    providers: { anthropic: { type: "anthropic" } },
    tiers: [{ name: "mid", targets: [{ provider: "anthropic", model: "claude-haiku-5-5" }] }],
};

function problems(input: unknown): string {
    try {
        parseRouterConfig(input);
    } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as ConfigError).message;
    }
    throw new Error("expected the config to be refused");
}

describe("parseRouterConfig", () => {
    it("fills every section with the named defaults and freezes the result", () => {
        const config = parseRouterConfig(minimal);
        expect(config.providers.anthropic).toEqual({ type: "anthropic", apiKeyEnv: "ANTHROPIC_API_KEY" });
        expect(config.reliability).toEqual({
            requestTimeoutMs: defaults.defaultRequestTimeoutMs,
            attemptTimeoutMs: defaults.defaultAttemptTimeoutMs,
            firstTokenTimeoutMs: defaults.defaultFirstTokenTimeoutMs,
            maxRetries: defaults.defaultMaxRetries,
            backoffBaseMs: defaults.defaultBackoffBaseMs,
            backoffMaxMs: defaults.defaultBackoffMaxMs,
            maxRetryAfterMs: defaults.defaultMaxRetryAfterMs,
            fallbackOn: [...defaults.defaultFallbackOn],
        });
        expect(config.breaker).toMatchObject({
            enabled: true,
            consecutiveFailures: 5,
            openMs: 30_000,
            ttftBudgetMs: 10_000,
        });
        expect(config.affinity).toEqual({ enabled: true, ttlMs: 3_600_000, maxSessions: 10_000 });
        expect(config.cache).toMatchObject({
            enabled: true,
            ttlMs: 300_000,
            nearDuplicate: { enabled: false, minSimilarity: 0.9 },
        });
        expect(config.policy).toEqual({ rules: [] });
        expect(config.records.path).toBeNull();
        expect(config.defaults.maxTokens).toBe(4096);
        expect(Object.isFrozen(config.breaker)).toBe(true);
        expect(Object.isFrozen(config.tiers[0]!.targets[0])).toBe(true);
    });

    it("accepts the three provider kinds with their options", () => {
        const config = parseRouterConfig({
            providers: {
                claude: { type: "anthropic", baseURL: "http://127.0.0.1:1234", apiKeyEnv: "MY_KEY" },
                codex: { type: "openai", baseURL: "http://127.0.0.1:1235/v1" },
                local: { type: "local", address: "127.0.0.1:50051", authTokenEnv: "TIERCEL_AUTH_TOKEN" },
            },
            tiers: [{ name: "t", targets: [{ provider: "local", model: "" }] }],
            breaker: { failureCodes: [ErrorCode.ProviderOverloaded] },
        });
        expect(config.providers.codex).toEqual({
            type: "openai",
            baseURL: "http://127.0.0.1:1235/v1",
            apiKeyEnv: "OPENAI_API_KEY",
            api: "chat",
        });
        expect(config.breaker.failureCodes).toEqual(["E_PROVIDER_OVERLOADED"]);
    });

    it.each([
        ["an unknown key", { ...minimal, retries: 3 }, 'unknown key(s) "retries"'],
        ["an unknown nested key", { ...minimal, cache: { ttl: 5 } }, 'unknown key(s) "ttl" in "cache"'],
        [
            "an unknown provider type",
            { ...minimal, providers: { x: { type: "gemini" } } },
            "providers.x.type",
        ],
        [
            "a target naming an unknown provider",
            { ...minimal, tiers: [{ name: "t", targets: [{ provider: "nope", model: "m" }] }] },
            'unknown provider "nope"',
        ],
        [
            "duplicate tiers",
            { ...minimal, tiers: [minimal.tiers[0], minimal.tiers[0]] },
            'duplicate tier "mid"',
        ],
        [
            "a rule naming an unknown tier",
            { ...minimal, policy: { rules: [{ name: "r", tier: "frontier", when: { tags: ["x"] } }] } },
            'unknown tier "frontier"',
        ],
        [
            "a rule without conditions",
            { ...minimal, policy: { rules: [{ name: "r", tier: "mid", when: {} }] } },
            "at least one condition",
        ],
        ["an unknown default tier", { ...minimal, policy: { defaultTier: "x" } }, "policy.defaultTier"],
        [
            "a tier falling back to itself",
            { ...minimal, tiers: [{ ...minimal.tiers[0], fallback: ["mid"] }] },
            "cannot fall back to itself",
        ],
        [
            "an API key instead of a variable name",
            { ...minimal, providers: { anthropic: { type: "anthropic", apiKeyEnv: "sk-ant-123" } } },
            "environment variable name",
        ],
        [
            "an unknown error code",
            { ...minimal, reliability: { fallbackOn: ["E_NOPE"] } },
            "reliability.fallbackOn.0",
        ],
        [
            "openMs above maxOpenMs",
            { ...minimal, breaker: { openMs: 10_000, maxOpenMs: 1_000 } },
            "openMs must be ≤",
        ],
        ["no tiers", { ...minimal, tiers: [] }, "tiers"],
    ])("refuses %s, naming the path", (_name, input, fragment) => {
        expect(problems(input)).toContain(fragment);
    });

    it("lists every problem at once", () => {
        const message = problems({
            ...minimal,
            policy: { defaultTier: "x", rules: [{ name: "r", tier: "y", when: { tags: ["a"] } }] },
        });
        expect(message).toContain("policy.defaultTier");
        expect(message).toContain("policy.rules.0.tier");
    });
});
