/**
 * The engine on tiny real GGUFs (random weights): exactness of speculative decoding at temperature 0
 * for every proposer, seeded reproducibility, concurrency, stop strings, cancellation and back-pressure.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/errors/codes.js";
import type { LocalEngine } from "../../src/engine/LocalEngine.js";
import { taskSignature } from "../../src/speculative/taskSignature.js";
import { collect, loadFixtureEngine } from "../helpers/fixtureEngine.js";

const prompts = [
    "function add(a, b) {\n    return a + b;\n}\n",
    "The quick brown fox jumps over the lazy dog. The quick brown fox",
    "import os\nimport sys\n\ndef main():\n",
];

let engine: LocalEngine;
beforeAll(async () => {
    engine = await loadFixtureEngine();
});
afterAll(async () => {
    await engine.dispose();
});

describe("tokenizer compatibility at load", () => {
    it("loads a draft with another tokenizer in translated mode, the others direct", () => {
        const byId = new Map(engine.models().map((m) => [m.id, m]));
        expect(byId.get("same-weights")).toMatchObject({ loaded: true, draftMode: "direct" });
        expect(byId.get("other-weights")?.compatibility?.verdict).toBe("identical");
        const translated = byId.get("other-tokenizer");
        expect(translated).toMatchObject({ loaded: true, draftMode: "translated" });
        expect(translated?.compatibility?.verdict).toBe("incompatible");
        expect(translated?.compatibility?.reasons.map((r) => r.rule)).toContain("vocab_type");
    });

    it("refuses it with its report when translation is disabled; requests naming it get a clear error", async () => {
        const strict = await loadFixtureEngine({ speculation: { translateIncompatibleDrafts: false } });
        try {
            const refused = strict.models().find((m) => m.id === "other-tokenizer");
            expect(refused).toMatchObject({ loaded: false });
            expect(refused?.compatibility?.verdict).toBe("incompatible");
            await expect(
                collect(strict, { prompt: "x", speculation: { draftModel: "other-tokenizer" } }),
            ).rejects.toMatchObject({
                code: ErrorCode.DraftIncompatible,
                message: expect.stringMatching(/refused at load: its tokenizer is incompatible/) as unknown,
            });
        } finally {
            await strict.dispose();
        }
    });
});

describe("greedy speculative decoding is exact", () => {
    for (const prompt of prompts) {
        it(`every proposer reproduces plain decoding: ${JSON.stringify(prompt.slice(0, 24))}`, async () => {
            const plain = await collect(engine, { prompt, maxTokens: 40, speculation: { mode: "off" } });
            expect(plain.tokens.length).toBeGreaterThan(0);
            expect(plain.last.finish?.stats.spec.draftTokens).toBe(0);
            for (const [mode, draftModel] of [
                ["draft_model", "same-weights"],
                ["draft_model", "other-weights"],
                ["draft_model", "other-tokenizer"],
                ["ngram", undefined],
            ] as const) {
                const spec = await collect(engine, {
                    prompt,
                    maxTokens: 40,
                    speculation: { mode, draftModel, maxDraftTokens: 5 },
                });
                expect(spec.tokens, `${mode}/${draftModel}`).toEqual(plain.tokens);
                expect(spec.text).toBe(plain.text);
                expect(spec.last.finish?.reason).toBe(plain.last.finish?.reason);
            }
        });
    }

    it("really uses the draft: a same-weights draft is accepted on every position", async () => {
        const spec = await collect(engine, {
            prompt: prompts[0]!,
            maxTokens: 40,
            speculation: { mode: "draft_model", draftModel: "same-weights", maxDraftTokens: 4 },
        });
        const stats = spec.last.finish!.stats;
        expect(stats.proposer).toBe("same-weights");
        expect(stats.spec.draftTokens).toBeGreaterThan(0);
        expect(stats.spec.acceptedTokens).toBe(stats.spec.draftTokens);
        // 40 tokens in far fewer target passes than tokens.
        expect(stats.spec.targetPasses).toBeLessThan(stats.completionTokens / 2);
    });

    it("concurrent requests batched in one context produce the same tokens as sequential ones", async () => {
        const sequential = [];
        for (const prompt of prompts.slice(0, 2))
            sequential.push(
                (
                    await collect(engine, {
                        prompt,
                        maxTokens: 30,
                        speculation: { mode: "draft_model", draftModel: "other-weights", maxDraftTokens: 2 },
                    })
                ).tokens,
            );
        const concurrent = await Promise.all(
            prompts.slice(0, 2).map((prompt) =>
                collect(engine, {
                    prompt,
                    maxTokens: 30,
                    speculation: { mode: "draft_model", draftModel: "other-weights", maxDraftTokens: 2 },
                }),
            ),
        );
        expect(concurrent.map((c) => c.tokens)).toEqual(sequential);
    });
});

describe("confidence (return_confidence)", () => {
    it("is absent unless asked for, and at temperature 0 is the same with and without drafts", async () => {
        const prompt = prompts[0]!;
        const unasked = await collect(engine, { prompt, maxTokens: 30, speculation: { mode: "off" } });
        expect(unasked.last.finish?.stats.confidence).toBeUndefined();
        const plain = await collect(engine, {
            prompt,
            maxTokens: 30,
            speculation: { mode: "off" },
            returnConfidence: true,
        });
        expect(plain.tokens).toEqual(unasked.tokens);
        const base = plain.last.finish!.stats.confidence!;
        expect(base.tokens).toBe(plain.last.finish!.stats.completionTokens);
        expect(base.meanLogprob).toBeLessThanOrEqual(0);
        expect(base.minLogprob).toBeLessThanOrEqual(base.meanLogprob);
        for (const draftModel of ["same-weights", "other-weights"]) {
            const spec = await collect(engine, {
                prompt,
                maxTokens: 30,
                speculation: { mode: "draft_model", draftModel, maxDraftTokens: 4 },
                returnConfidence: true,
            });
            expect(spec.tokens).toEqual(plain.tokens);
            const c = spec.last.finish!.stats.confidence!;
            expect(c.tokens).toBe(base.tokens);
            // Same target, same positions: only batching may move the last float digits.
            expect(c.meanLogprob).toBeCloseTo(base.meanLogprob, 3);
            expect(c.minLogprob).toBeCloseTo(base.minLogprob, 3);
        }
    });

    it("at temperature > 0 it is measured on the sampled tokens (plain and speculative)", async () => {
        for (const mode of ["off", "draft_model"] as const) {
            const out = await collect(engine, {
                prompt: prompts[1]!,
                maxTokens: 20,
                sampling: { temperature: 0.8, seed: 7 },
                speculation: { mode, draftModel: mode === "off" ? undefined : "other-weights" },
                returnConfidence: true,
            });
            const c = out.last.finish!.stats.confidence!;
            expect(c.tokens).toBe(out.last.finish!.stats.completionTokens);
            expect(Number.isFinite(c.meanLogprob)).toBe(true);
            expect(c.meanLogprob).toBeLessThanOrEqual(0);
        }
    });
});

describe("AUTO", () => {
    it("has a verify curve seeded at load: timed passes of every length a step can verify", () => {
        const maxN = engine.config.speculation.maxDraftTokens + 1;
        const curve = engine.policy.costs.curve();
        expect(curve.map((p) => p.tokens)).toEqual(Array.from({ length: maxN }, (_, i) => i + 1));
        for (const p of curve) {
            expect(p.weight).toBeGreaterThanOrEqual(1);
            expect(p.ms).toBeGreaterThan(0);
        }
    });

    it("is exact at temperature 0, whichever drafters it picks", async () => {
        for (const prompt of prompts) {
            const plain = await collect(engine, { prompt, maxTokens: 40, speculation: { mode: "off" } });
            const auto = await collect(engine, { prompt, maxTokens: 40, speculation: { mode: "auto" } });
            expect(auto.tokens).toEqual(plain.tokens);
            expect(auto.last.finish!.stats.speculation.reason).toContain("highest expected tok/s");
        }
    });

    it("stays exact across a drafter switch mid-request", async () => {
        // Plain decoding first: its own passes refine the verify curve toward this fixture's costs.
        const prompt = prompts[0]!;
        const plain = await collect(engine, { prompt, maxTokens: 60, speculation: { mode: "off" } });
        // Make "other-weights" (random weights: nearly never accepted) look excellent and cheap. Enough
        // steps to outweigh its rejections on this signature by the earlier AUTO tests, whose number
        // depends on their timing (decay 0.995: 400 steps leave 13 % of older evidence); 40 let a
        // Thompson sample of position 1 fall to 0.2 under a loaded full run.
        const signature = taskSignature(engine.tokenize(prompts[0]!), prompts[0]!, 0);
        for (let i = 0; i < 400; i++) {
            engine.policy.acceptance.record("other-weights", signature, 8, 8);
            engine.policy.costs.recordDraft("other-weights", 8, 8, false);
        }
        // ...with costs where drafting pays at α ≳ 0.2 (this fixture's measured costs say it never does).
        for (let i = 0; i < 200; i++)
            for (let n = 1; n <= 9; n++) engine.policy.costs.recordVerify(n, 10 + 1.25 * (n - 1));
        const auto = await collect(engine, {
            prompt,
            maxTokens: 60,
            speculation: { mode: "auto", draftModel: "other-weights" },
        });
        const summary = auto.last.finish!.stats.speculation;
        expect(summary.chosen, summary.reason).toBe("other-weights");
        expect(
            summary.switches.length,
            JSON.stringify({ ...summary, spec: auto.last.finish!.stats.spec }),
        ).toBeGreaterThanOrEqual(1);
        expect(summary.switches[0]!.from).toBe("other-weights");
        expect(auto.tokens).toEqual(plain.tokens);
    });
});

describe("sampling", () => {
    it("same seed, same output; other seed, other output (plain and speculative)", async () => {
        for (const mode of ["off", "draft_model"] as const) {
            const req = {
                prompt: prompts[0]!,
                maxTokens: 30,
                sampling: { temperature: 1, topK: 16, topP: 1, seed: 42 },
                speculation: { mode, draftModel: "same-weights" },
            };
            const a = await collect(engine, req);
            const b = await collect(engine, req);
            const c = await collect(engine, { ...req, sampling: { ...req.sampling, seed: 43 } });
            expect(b.tokens).toEqual(a.tokens);
            expect(c.tokens).not.toEqual(a.tokens);
        }
    });

    it("a seeded sample is the same whatever drafts it: off, each drafter, AUTO, alone or beside others", async () => {
        const sampling = { temperature: 1, topK: 16, topP: 1, seed: 1234 };
        for (const prompt of prompts) {
            const req = { prompt, maxTokens: 40, sampling };
            const plain = await collect(engine, { ...req, speculation: { mode: "off" } });
            let kept = 0;
            for (const speculation of [
                { mode: "draft_model", draftModel: "same-weights", maxDraftTokens: 5 },
                { mode: "draft_model", draftModel: "other-weights", maxDraftTokens: 3 },
                { mode: "ngram", maxDraftTokens: 4 },
                { mode: "auto" },
            ] as const) {
                const spec = await collect(engine, { ...req, speculation });
                expect(spec.tokens, JSON.stringify(speculation)).toEqual(plain.tokens);
                kept += spec.last.finish!.stats.spec.acceptedTokens;
            }
            // Drafts were kept, so the drafted runs really verified drafts at temperature > 0.
            expect(kept).toBeGreaterThan(0);
            // AUTO beside two other requests (shared passes, load-dependent drafting), and a fixed drafter.
            const together = await Promise.all([
                collect(engine, { ...req, speculation: { mode: "auto" } }),
                collect(engine, { ...req, speculation: { mode: "draft_model", draftModel: "same-weights" } }),
                collect(engine, { prompt: prompts[1]!, maxTokens: 40, sampling: { temperature: 0.7 } }),
            ]);
            expect(together[0].tokens).toEqual(plain.tokens);
            expect(together[1].tokens).toEqual(plain.tokens);
        }
    });
});

describe("request handling", () => {
    it("stops before a stop string and reports stop_sequence", async () => {
        const plain = await collect(engine, {
            prompt: prompts[2]!,
            maxTokens: 40,
            speculation: { mode: "off" },
        });
        const stop = plain.text.slice(10, 13);
        const cut = await collect(engine, {
            prompt: prompts[2]!,
            maxTokens: 40,
            stop: [stop],
            speculation: { mode: "draft_model", draftModel: "same-weights" },
        });
        expect(cut.last.finish?.reason).toBe("stop_sequence");
        expect(cut.text).toBe(plain.text.slice(0, plain.text.indexOf(stop)));
    });

    it("rejects bad input with typed errors", async () => {
        await expect(collect(engine, { prompt: "" })).rejects.toMatchObject({
            code: ErrorCode.InvalidArgument,
        });
        await expect(collect(engine, { prompt: "x", sampling: { temperature: -1 } })).rejects.toMatchObject({
            code: ErrorCode.InvalidArgument,
        });
        await expect(
            collect(engine, { prompt: "x", speculation: { draftModel: "nope" } }),
        ).rejects.toMatchObject({
            code: ErrorCode.ModelNotFound,
        });
        await expect(collect(engine, { prompt: "x", model: "nope" })).rejects.toMatchObject({
            code: ErrorCode.ModelNotFound,
        });
        await expect(collect(engine, { prompt: "x ".repeat(600) })).rejects.toMatchObject({
            code: ErrorCode.ContextOverflow,
        });
        expect(engine.slotUsage.inUse).toBe(0);
    });

    it("cancellation stops within a step and frees the sequence", async () => {
        const controller = new AbortController();
        let received = 0;
        const run = (async () => {
            for await (const chunk of engine.generate(
                { prompt: prompts[0]!, maxTokens: 400, speculation: { mode: "off" } },
                controller.signal,
            )) {
                received += chunk.tokens.length;
                if (received >= 3) controller.abort();
            }
        })();
        await expect(run).rejects.toMatchObject({ code: ErrorCode.Cancelled });
        expect(received).toBeLessThan(6);
        expect(engine.slotUsage.inUse).toBe(0);
        // The slot is usable and clean afterwards: same output as before.
        const a = await collect(engine, { prompt: prompts[0]!, maxTokens: 20, speculation: { mode: "off" } });
        const b = await collect(engine, {
            prompt: prompts[0]!,
            maxTokens: 20,
            speculation: { mode: "draft_model" },
        });
        expect(b.tokens).toEqual(a.tokens);
    });
});

describe("back-pressure", () => {
    it("a full queue refuses with E_QUEUE_FULL; a waiting request gets the slot when it frees", async () => {
        const small = await loadFixtureEngine({ engine: { sequences: 1, maxQueue: 1 } });
        try {
            const first = small.generate({ prompt: prompts[0]!, maxTokens: 50 });
            await first.next(); // holds the only sequence
            const waiting = collect(small, { prompt: prompts[1]!, maxTokens: 5 });
            await new Promise((r) => setTimeout(r, 20));
            expect(small.slotUsage.queued).toBe(1);
            await expect(collect(small, { prompt: prompts[2]!, maxTokens: 5 })).rejects.toMatchObject({
                code: ErrorCode.QueueFull,
                retryable: true,
            });
            await first.return(undefined);
            await expect(waiting).resolves.toMatchObject({ last: { finish: { reason: "length" } } });
            // An aborted waiter leaves the queue at once.
            const holder = small.generate({ prompt: prompts[0]!, maxTokens: 50 });
            await holder.next();
            const controller = new AbortController();
            const aborted = collect(small, { prompt: prompts[1]!, maxTokens: 5 }, controller.signal);
            controller.abort();
            await expect(aborted).rejects.toMatchObject({ code: ErrorCode.Cancelled });
            expect(small.slotUsage.queued).toBe(0);
            await holder.return(undefined);
        } finally {
            await small.dispose();
        }
    });
});
