/**
 * Canary rollouts end to end: the official SDKs against the local fake servers. The candidate's (or the
 * incumbent's) answers fail the tier's cascade check (JSON), which is the failure the sequential test
 * counts; sessions are put in arms by a Canary with the same name and share (its assignment is a pure
 * hash of the session), so the test knows which server each request reaches.
 */
import { describe, expect, it } from "vitest";
import { Canary } from "../../src/router/canary/Canary.js";
import type { RouterConfigInput } from "../../src/router/config.js";
import { createRouter } from "../../src/router/createRouter.js";
import type { Router } from "../../src/router/ModelRouter.js";
import type { Logger } from "../../src/util/logger.js";
import { anthropicMessage } from "../helpers/fakeAnthropicServer.js";
import { openaiCompletion } from "../helpers/fakeOpenAIServer.js";
import { useFakeProviders } from "../helpers/fakeProviders.js";

const { anthropic, openai, track } = await useFakeProviders();

const canaryTest = { share: 0.5, worseRatio: 4, alpha: 0.05, beta: 0.05, minRequests: 3, slowMs: null };

interface Logged {
    level: "info" | "warn";
    message: string;
    fields: Record<string, unknown> | undefined;
}

function makeRouter(canary: RouterConfigInput["canary"]): { router: Router; logged: Logged[] } {
    const logged: Logged[] = [];
    const logger: Logger = {
        info: (message, fields) => logged.push({ level: "info", message, fields }),
        warn: (message, fields) => logged.push({ level: "warn", message, fields }),
        error: () => undefined,
    };
    const router = createRouter(
        {
            providers: {
                anthropic: { type: "anthropic", baseURL: anthropic.url, apiKeyEnv: "K" },
                openai: { type: "openai", baseURL: `${openai.url}/v1`, apiKeyEnv: "K" },
            },
            tiers: [
                {
                    name: "mid",
                    targets: [{ provider: "anthropic", model: "claude-haiku-5-5" }],
                    cascade: { validators: ["json"] },
                },
                { name: "frontier", targets: [{ provider: "openai", model: "gpt-5.1-codex" }] },
            ],
            policy: { defaultTier: "frontier", version: "frontier-first" },
            reliability: { maxRetries: 0 },
            cache: { enabled: false },
            versionShift: { enabled: false },
            // The bandit would learn the candidate's cascade rejections and move its signature up.
            feedback: { enabled: false },
            canary,
        },
        { env: { K: "sk-test-cccccccccccccccccccccccc" }, logger, random: () => 0.99 },
    );
    track(router);
    return { router, logged };
}

/** Sessions of each arm for a canary named `name` with the test's share. */
function sessionsOf(name: string): { candidate: string[]; incumbent: string[] } {
    const arms = new Canary({ ...canaryTest, candidate: name, kind: "policy", random: () => 0 });
    const all = Array.from({ length: 80 }, (_, i) => `session-${i}`);
    return {
        candidate: all.filter((s) => arms.assign(s) === "candidate"),
        incumbent: all.filter((s) => arms.assign(s) === "incumbent"),
    };
}

const ask = (session: string) => ({
    messages: [{ role: "user" as const, content: "Answer as JSON: is 2 > 1?" }],
    hints: { session_id: session },
});
const json = '{"answer": true}';
const claude = (text: string) =>
    anthropicMessage({
        model: "claude-haiku-5-5",
        blocks: [{ type: "text", deltas: [text] }],
        stopReason: "end_turn",
    });
const gpt = (model: string, text: string) => openaiCompletion({ model, text: [text], finishReason: "stop" });

async function metric(router: Router, series: string): Promise<number | undefined> {
    const text = await router.registry.metrics();
    for (const line of text.split("\n"))
        if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
    return undefined;
}

describe("canary rollout", () => {
    it("rolls back a candidate policy whose cheaper tier fails its checks, logs the evidence and stops serving it", async () => {
        const { router, logged } = makeRouter({
            ...canaryTest,
            name: "mid-first",
            candidate: { policy: { defaultTier: "mid", version: "mid-first" } },
        });
        const sessions = sessionsOf("mid-first");
        let last;
        for (let i = 0; i < 20 && router.canaryStatus()?.decision === "collecting"; i++) {
            openai.enqueue(gpt("gpt-5.1-codex", json));
            const incumbent = await router.complete(ask(sessions.incumbent[i]!));
            expect(incumbent.routing).toMatchObject({
                tier: "frontier",
                policy_version: "frontier-first",
                canary: { arm: "incumbent" },
            });
            // The candidate policy sends it to mid, whose prose fails the JSON check and escalates.
            anthropic.enqueue(claude("Yes, 2 is greater than 1."));
            openai.enqueue(gpt("gpt-5.1-codex", json));
            last = await router.complete(ask(sessions.candidate[i]!));
            expect(last.routing).toMatchObject({
                decided_tier: "mid",
                tier: "frontier",
                escalated: true,
                policy_version: "mid-first",
                canary: { arm: "candidate" },
            });
        }
        expect(last?.routing.canary).toEqual({ arm: "candidate", decision: "rolled_back" });
        const status = router.canaryStatus()!;
        expect(status).toMatchObject({
            candidate: "mid-first",
            kind: "policy",
            share: 0.5,
            current_share: 0,
            decision: "rolled_back",
            arms: {
                incumbent: { failures: 0 },
                candidate: { failures: 7, requests: 7, causes: { cascade: 7 } },
            },
        });
        expect(await metric(router, 'tiercel_router_canary_decisions_total{decision="rolled_back"}')).toBe(1);
        const warning = logged.find((l) => l.level === "warn" && l.message.startsWith("canary rolled back"));
        expect(warning?.fields).toEqual(status);

        // Rolled back: the candidate's sessions are the incumbent's now.
        openai.enqueue(gpt("gpt-5.1-codex", json));
        const after = await router.complete(ask(sessions.candidate[0]!));
        expect(after.routing).toMatchObject({
            decided_tier: "frontier",
            policy_version: "frontier-first",
            canary: { arm: "incumbent", decision: "rolled_back" },
        });
    });

    it("promotes a candidate target that passes the checks its tier's incumbent target fails", async () => {
        const { router } = makeRouter({
            ...canaryTest,
            candidate: { target: { tier: "mid", provider: "openai", model: "gpt-5-mini" } },
        });
        const sessions = sessionsOf("openai/gpt-5-mini");
        const mid = (session: string) => ({ ...ask(session), hints: { session_id: session, tier: "mid" } });
        let last;
        for (let i = 0; i < 20 && router.canaryStatus()?.decision === "collecting"; i++) {
            // The incumbent's haiku fails the JSON check and escalates to frontier.
            anthropic.enqueue(claude("Yes."));
            openai.enqueue(gpt("gpt-5.1-codex", json));
            const incumbent = await router.complete(mid(sessions.incumbent[i]!));
            expect(incumbent.routing).toMatchObject({ escalated: true, canary: { arm: "incumbent" } });
            openai.enqueue(gpt("gpt-5-mini", json));
            last = await router.complete(mid(sessions.candidate[i]!));
            expect(last.routing).toMatchObject({
                tier: "mid",
                provider: "openai",
                model_used: "gpt-5-mini",
                fallback: false,
                canary: { arm: "candidate" },
            });
        }
        expect(last?.routing.canary).toEqual({ arm: "candidate", decision: "promoted" });
        expect(router.canaryStatus()).toMatchObject({
            candidate: "openai/gpt-5-mini",
            kind: "target",
            current_share: 1,
            // The first incumbent failure came before any candidate request: no evidence about the ratio.
            arms: { candidate: { requests: 4, failures: 0 }, incumbent: { requests: 5, failures: 5 } },
        });
        expect(await metric(router, 'tiercel_router_canary_decisions_total{decision="promoted"}')).toBe(1);

        // Promoted: every session's mid request starts on the candidate; other tiers take no part.
        openai.enqueue(gpt("gpt-5-mini", json));
        const promoted = await router.complete(mid(sessions.incumbent[0]!));
        expect(promoted.routing).toMatchObject({
            model_used: "gpt-5-mini",
            canary: { arm: "candidate", decision: "promoted" },
        });
        openai.enqueue(gpt("gpt-5.1-codex", json));
        const frontier = await router.complete(ask(sessions.incumbent[0]!));
        expect(frontier.routing).toMatchObject({ tier: "frontier", canary: null });
    });

    it("without a canary, records carry canary null and the status is null", async () => {
        const { router } = makeRouter(undefined);
        openai.enqueue(gpt("gpt-5.1-codex", json));
        const answer = await router.complete(ask("s"));
        expect(answer.routing.canary).toBeNull();
        expect(router.canaryStatus()).toBeNull();
    });
});
