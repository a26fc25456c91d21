/**
 * Model-version regressions end to end: the official SDKs against the local fake servers; the fake
 * Anthropic server's answers name a new snapshot of the configured alias, whose answers then fail the
 * tier's cascade check (JSON) and escalate on one task signature. The router's random source is fixed, so which requests a
 * shifted target keeps is decided by the test.
 */
import { describe, expect, it } from "vitest";
import { createRouter } from "../../src/router/createRouter.js";
import type { Router } from "../../src/router/ModelRouter.js";
import { silentLogger } from "../../src/util/logger.js";
import { anthropicMessage } from "../helpers/fakeAnthropicServer.js";
import { openaiCompletion } from "../helpers/fakeOpenAIServer.js";
import { useFakeProviders } from "../helpers/fakeProviders.js";

const { anthropic, openai, track } = await useFakeProviders();

function makeRouter(random: number): Router {
    const router = createRouter(
        {
            providers: {
                anthropic: { type: "anthropic", baseURL: anthropic.url, apiKeyEnv: "K" },
                openai: { type: "openai", baseURL: `${openai.url}/v1`, apiKeyEnv: "K" },
            },
            tiers: [
                {
                    name: "mid",
                    targets: [
                        { provider: "anthropic", model: "claude-haiku-5-5" },
                        { provider: "openai", model: "gpt-5-mini" },
                    ],
                    cascade: { validators: ["json"] },
                },
                { name: "frontier", targets: [{ provider: "openai", model: "gpt-5.1-codex" }] },
            ],
            reliability: { maxRetries: 0 },
            cache: { enabled: false },
            versionShift: { minAnswers: 3, windowAnswers: 3 },
        },
        { env: { K: "sk-test-cccccccccccccccccccccccc" }, logger: silentLogger, random: () => random },
    );
    track(router);
    return router;
}

const ask = {
    messages: [{ role: "user" as const, content: "Answer as JSON: is 2 > 1?" }],
    hints: { task_type: "json_answer" },
};
/** Another task signature on the same target. */
const askDocs = {
    messages: [{ role: "user" as const, content: "Answer as JSON: is 3 > 1?" }],
    hints: { task_type: "docs" },
};
const claude = (model: string, text: string) =>
    anthropicMessage({ model, blocks: [{ type: "text", deltas: [text] }], stopReason: "end_turn" });
const gpt = (model: string) => openaiCompletion({ model, text: ['{"answer": true}'], finishReason: "stop" });

async function metric(router: Router, series: string): Promise<number | undefined> {
    const text = await router.registry.metrics();
    for (const line of text.split("\n"))
        if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
    return undefined;
}

/** Three good answers of the first snapshot (the baseline), then three failing ones of the next. */
async function regress(router: Router): Promise<void> {
    for (let i = 0; i < 3; i++) {
        anthropic.enqueue(claude("claude-haiku-5-5-20261001", '{"answer": true}'));
        const ok = await router.complete(ask);
        expect(ok.routing).toMatchObject({ provider: "anthropic", escalated: false, version_shift: null });
    }
    for (let i = 0; i < 3; i++) {
        anthropic.enqueue(claude("claude-haiku-5-5-20261120", "Yes, 2 is greater than 1."));
        openai.enqueue(gpt("gpt-5.1-codex"));
        const escalated = await router.complete(ask);
        expect(escalated.routing).toMatchObject({ tier: "frontier", escalated: true });
        expect(escalated.routing.attempts[0]).toMatchObject({
            provider: "anthropic",
            outcome: "rejected",
            model_version: "claude-haiku-5-5-20261120",
        });
    }
}

describe("model-version regression traffic shift", () => {
    it("a new snapshot failing its cascade checks shifts its traffic to the tier's next target, and the record says why", async () => {
        const router = makeRouter(0.5);
        await regress(router);
        const shift = {
            target: "anthropic/claude-haiku-5-5",
            signature: "json_answer|xs",
            version: "claude-haiku-5-5-20261120",
            signal: "escalation",
            value: 1,
            baseline_version: "claude-haiku-5-5-20261001",
            baseline_value: 0,
        };
        expect(router.versionShifts()).toEqual([shift]);
        expect(
            await metric(
                router,
                'tiercel_router_version_shifts_total{provider="anthropic",model="claude-haiku-5-5",change="shifted"}',
            ),
        ).toBe(1);

        const sent = anthropic.requests.length;
        openai.enqueue(gpt("gpt-5-mini"));
        const shifted = await router.complete(ask);
        expect(shifted.routing).toMatchObject({
            tier: "mid",
            provider: "openai",
            model_used: "gpt-5-mini",
            // The shifted plan starts on GPT: not a fallback.
            fallback: false,
            version_shift: shift,
        });
        expect(shifted.routing.attempts).toHaveLength(1);
        expect(anthropic.requests).toHaveLength(sent);
    });

    it("shifts only the regressed signature: another task on the same new version stays on the target", async () => {
        const router = makeRouter(0.5);
        // The docs signature's baseline, on the first snapshot, and answers of the new one that pass.
        for (const version of ["claude-haiku-5-5-20261001", "claude-haiku-5-5-20261120"]) {
            for (let i = 0; i < 3; i++) {
                anthropic.enqueue(claude(version, '{"answer": true}'));
                await router.complete(askDocs);
            }
        }
        await regress(router);
        expect(router.versionShifts().map((s) => [s.target, s.signature])).toEqual([
            ["anthropic/claude-haiku-5-5", "json_answer|xs"],
        ]);
        anthropic.enqueue(claude("claude-haiku-5-5-20261120", '{"answer": true}'));
        const docs = await router.complete(askDocs);
        expect(docs.routing).toMatchObject({ provider: "anthropic", version_shift: null });
        openai.enqueue(gpt("gpt-5-mini"));
        const shifted = await router.complete(ask);
        expect(shifted.routing).toMatchObject({
            provider: "openai",
            version_shift: { signature: "json_answer|xs" },
        });
    });

    it("an operator clears a shift: the signature's traffic returns to the target at once", async () => {
        const router = makeRouter(0.5);
        await regress(router);
        expect(() => router.clearVersionShift("anthropic/claude-haiku-typo")).toThrow(/unknown target/);
        expect(router.clearVersionShift("anthropic/claude-haiku-5-5")).toHaveLength(1);
        expect(router.versionShifts()).toEqual([]);
        anthropic.enqueue(claude("claude-haiku-5-5-20261120", '{"answer": true}'));
        const back = await router.complete(ask);
        expect(back.routing).toMatchObject({ provider: "anthropic", version_shift: null });
        expect(
            await metric(
                router,
                'tiercel_router_version_shifts_total{provider="anthropic",model="claude-haiku-5-5",change="cleared"}',
            ),
        ).toBe(1);
    });

    it("the shifted target keeps its share of requests, and returns once its answers pass again", async () => {
        // 0.05 < shiftedShare (0.1): every request here is one the shifted target keeps.
        const router = makeRouter(0.05);
        await regress(router);
        expect(router.versionShifts()).toHaveLength(1);
        for (let i = 0; i < 3; i++) {
            anthropic.enqueue(claude("claude-haiku-5-5-20261120", '{"answer": true}'));
            const kept = await router.complete(ask);
            expect(kept.routing).toMatchObject({ provider: "anthropic", version_shift: null });
        }
        expect(router.versionShifts()).toEqual([]);
        expect(
            await metric(
                router,
                'tiercel_router_version_shifts_total{provider="anthropic",model="claude-haiku-5-5",change="returned"}',
            ),
        ).toBe(1);
    });
});
