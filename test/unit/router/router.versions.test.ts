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

    it("changes with the classifier's own version (a new model behind the same config section)", async () => {
        const config = parseRouterConfig(baseConfig);
        const plain = policyVersion(config);
        expect(policyVersion(config, config.policy, undefined)).toBe(plain);
        const v1 = policyVersion(config, config.policy, "model-1");
        expect(v1).not.toBe(plain);
        expect(policyVersion(config, config.policy, "model-2")).not.toBe(v1);
        expect(policyVersion(config, config.policy, "model-1")).toBe(v1);
        // Through the router: the classifier it consults is the one its records' version names.
        const classifier = (version: string) => ({
            version,
            classify: () => ({ tier: "mid", score: 0.5, classifier: "c" }),
        });
        const routed = async (version: string) => {
            const f = setupRouter({}, { classifier: classifier(version) });
            f.anthropic.always({ kind: "ok", text: "done" });
            await f.router.complete(ask("a"));
            return f.records[0]!.policy_version;
        };
        expect(await routed("model-1")).toBe(v1);
        expect(await routed("model-2")).not.toBe(v1);
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

describe("version shift per task signature, from errors and feedback", () => {
    const versionShift = { minAnswers: 3, windowAnswers: 3 };
    const edit = (text: string) => ask(text, { hints: { task_type: "edit" } });
    const docs = (text: string) => ask(text, { hints: { task_type: "docs" } });
    const v = (model: string) => ({ kind: "ok" as const, result: { model } });

    it("provider errors of a new version shift that signature's traffic only", async () => {
        const f = setupRouter({ versionShift });
        f.anthropic.enqueue(v("haiku-v1"), v("haiku-v1"), v("haiku-v1"), v("haiku-v1"), v("haiku-v2"));
        for (const q of ["a", "b", "c"]) await f.router.complete(edit(q));
        await f.router.complete(docs("d"));
        await f.router.complete(edit("e")); // the target now reports v2
        // A request failing twice on anthropic (a retry) before openai answers: 2 of v2's last 3 attempts failed.
        const unavailable = { kind: "error" as const, error: providerError(ErrorCode.ProviderUnavailable) };
        f.anthropic.enqueue(unavailable, unavailable);
        f.openai.always({ kind: "ok" });
        const failed = await f.router.complete(edit("f"));
        expect(failed.routing.attempts.map((a) => [a.provider, a.outcome, a.model_version])).toEqual([
            ["anthropic", "error", null],
            ["anthropic", "error", null],
            ["openai", "ok", "openai-reported"],
        ]);
        expect(f.router.versionShifts()).toEqual([
            {
                target: "anthropic/claude-haiku-5-5",
                signature: "edit|xs",
                version: "haiku-v2",
                signal: "error",
                value: 0.667,
                baseline_version: "haiku-v1",
                baseline_value: 0,
            },
        ]);
        const shifted = await f.router.complete(edit("h"));
        expect(shifted.routing).toMatchObject({
            provider: "openai",
            fallback: false,
            version_shift: { signal: "error" },
        });
        expect(shifted.routing.attempts).toHaveLength(1);
        f.anthropic.enqueue(v("haiku-v2"));
        const other = await f.router.complete(docs("i"));
        expect(other.routing).toMatchObject({ provider: "anthropic", version_shift: null });
    });

    it("ratings other than accepted on a new version shift its signature", async () => {
        const f = setupRouter({ versionShift });
        const rate = async (model: string, outcome: "accepted" | "tests_failed") => {
            f.anthropic.enqueue(v(model));
            const r = await f.router.complete(edit(`q-${model}-${Math.random()}`));
            f.router.feedback(r.routing.request_id, outcome);
        };
        for (let i = 0; i < 3; i++) await rate("haiku-v1", "accepted");
        for (let i = 0; i < 2; i++) await rate("haiku-v2", "tests_failed");
        expect(f.router.versionShifts()).toEqual([]);
        await rate("haiku-v2", "tests_failed");
        expect(f.router.versionShifts()).toMatchObject([
            { signature: "edit|xs", version: "haiku-v2", signal: "feedback", value: 1, baseline_value: 0 },
        ]);
        expect(f.router.clearVersionShift("anthropic/claude-haiku-5-5", "edit|xs")).toHaveLength(1);
        expect(f.router.versionShifts()).toEqual([]);
    });

    it("clearVersionShift names the problem when shifts are off", () => {
        const f = setupRouter({ versionShift: { enabled: false } });
        expect(() => f.router.clearVersionShift("anthropic/claude-haiku-5-5")).toThrow(
            /versionShift\.enabled/,
        );
    });
});
