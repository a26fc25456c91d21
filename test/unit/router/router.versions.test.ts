import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../../src/errors/codes.js";
import { InvalidArgumentError } from "../../../src/errors/ServiceError.js";
import { parseRouterConfig } from "../../../src/router/config.js";
import { policyVersion } from "../../../src/router/policyVersion.js";
import { ask, baseConfig, drain, setupRouter } from "./routerFixture.js";
import { providerError, textEvents } from "./scriptedProvider.js";

describe("policy_version", () => {
    it("is a hash of the routing sections unless policy.version names one", () => {
        const base = policyVersion(parseRouterConfig(baseConfig));
        expect(base).toMatch(/^cfg-[0-9a-f]{12}$/);
        expect(policyVersion(parseRouterConfig(baseConfig))).toBe(base);
        // Prices and reliability are not routing decisions: same version.
        expect(policyVersion(parseRouterConfig({ ...baseConfig, prices: {} }))).toBe(base);
        const ruleChanged = parseRouterConfig({
            ...baseConfig,
            policy: { defaultTier: "frontier", rules: [] },
        });
        expect(policyVersion(ruleChanged)).not.toBe(base);
        const named = parseRouterConfig({
            ...baseConfig,
            policy: { defaultTier: "mid", version: "2026-11-27a" },
        });
        expect(policyVersion(named)).toBe("2026-11-27a");
    });

    it("is on every record, with the caller's prompt_version (null when it sends none)", async () => {
        const f = setupRouter({ policy: { defaultTier: "mid", version: "p7" } });
        f.anthropic.always({ kind: "ok", text: "done" });
        await f.router.complete(ask("a", { hints: { prompt_version: "sys-v3" } }));
        await f.router.complete(ask("b"));
        expect(f.records.map((r) => [r.policy_version, r.prompt_version])).toEqual([
            ["p7", "sys-v3"],
            ["p7", null],
        ]);
        expect(JSON.parse(f.lines[0]!)).toMatchObject({ policy_version: "p7", prompt_version: "sys-v3" });
    });

    it("rejects an empty prompt_version, naming the field", async () => {
        const f = setupRouter();
        const failure = f.router.complete(ask("a", { hints: { prompt_version: "" } }));
        await expect(failure).rejects.toBeInstanceOf(InvalidArgumentError);
        await expect(f.router.complete(ask("a", { hints: { prompt_version: "" } }))).rejects.toThrow(
            /prompt_version/,
        );
    });
});

describe("model_version per attempt", () => {
    it("records the model id the provider reported; null for an attempt that failed before answering", async () => {
        const f = setupRouter();
        f.anthropic.enqueue(
            { kind: "error", error: providerError(ErrorCode.ProviderAuth, { retryable: false }) },
            { kind: "ok", text: "done", result: { model: "claude-haiku-5-5-20261101" } },
        );
        f.openai.enqueue({ kind: "ok", text: "done", result: { model: "gpt-5-mini-2026-10-01" } });
        const fellBack = await f.router.complete(ask("a"));
        expect(fellBack.routing.attempts.map((a) => [a.provider, a.outcome, a.model_version])).toEqual([
            ["anthropic", "error", null],
            ["openai", "ok", "gpt-5-mini-2026-10-01"],
        ]);
        const direct = await f.router.complete(ask("b"));
        expect(direct.routing.attempts.map((a) => [a.model, a.model_version])).toEqual([
            ["claude-haiku-5-5", "claude-haiku-5-5-20261101"],
        ]);
    });

    it("takes a stream's version from its message_start", async () => {
        const f = setupRouter();
        f.anthropic.enqueue({ kind: "events", events: textEvents("hi", "claude-haiku-5-5-20261101") });
        const { events } = await drain(f.router.stream(ask("a")));
        const end = events.at(-1);
        expect(end?.type === "message_end" && end.routing.attempts.map((a) => a.model_version)).toEqual([
            "claude-haiku-5-5-20261101",
        ]);
    });
});
