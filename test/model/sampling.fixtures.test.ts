/**
 * Speculative sampling preserves the target's distribution, checked on a real GGUF: the empirical
 * distribution of the second generated token (the first one that goes through draft-then-verify)
 * over a fixed seed set must match the exact marginal computed from the target's own probabilities.
 * The draft is the target's weights drafting greedily, so it is accepted with probability p(draft)
 * and rejected otherwise: a wrong residual would skew the result toward or away from the draft token
 * (test/unit/speculative/verifyStochastic.test.ts shows the same statistic failing on one).
 */
import type { ControlledEvaluateInputItem, LlamaContext, Token as LlamaToken } from "node-llama-cpp";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { LocalEngine } from "../../src/engine/LocalEngine.js";
import { collect, loadFixtureEngine } from "../helpers/fixtureEngine.js";

const sampling = { temperature: 1, topK: 4, topP: 1 };
const samples = 1000;

let engine: LocalEngine;
let context: LlamaContext;
beforeAll(async () => {
    engine = await loadFixtureEngine({ engine: { sequences: 1 } });
    context = await engine.target.model.createContext({ contextSize: 128, threads: engine.threads });
});
afterAll(async () => {
    await context.dispose();
    await engine.dispose();
});

async function nextDistribution(tokens: readonly number[]): Promise<Map<number, number>> {
    const sequence = context.getSequence();
    await sequence.clearHistory();
    try {
        const items: ControlledEvaluateInputItem[] = tokens.map((t, i) =>
            i === tokens.length - 1
                ? [t as LlamaToken, { generateNext: { probabilities: true, options: sampling } }]
                : (t as LlamaToken),
        );
        const out = await sequence.controlledEvaluate(items);
        const probs = out[tokens.length - 1]?.next.probabilities;
        if (!probs) throw new Error("no probabilities");
        return new Map([...probs].filter(([, p]) => p > 0));
    } finally {
        await sequence.dispose();
        // Disposal frees the sequence asynchronously; wait until the context has it back.
        while (context.sequencesLeft === 0) await new Promise((r) => setTimeout(r, 1));
    }
}

it("the second token's distribution matches the exact target marginal (chi-square, p = 0.001)", async () => {
    const prompt = engine.tokenize("def fibonacci(n):\n    ");
    const first = await nextDistribution(prompt);
    const expected = new Map<number, number>();
    for (const [t1, p1] of first) {
        for (const [t2, p2] of await nextDistribution([...prompt, t1])) {
            expected.set(t2, (expected.get(t2) ?? 0) + p1 * p2);
        }
    }
    const observed = new Map<number, number>();
    let accepted = 0;
    let drafted = 0;
    for (let seed = 0; seed < samples; seed++) {
        const run = await collect(engine, {
            prompt,
            maxTokens: 3,
            sampling: { ...sampling, seed },
            speculation: { mode: "draft_model", draftModel: "same-weights", maxDraftTokens: 1 },
        });
        const t2 = run.tokens[1]!;
        observed.set(t2, (observed.get(t2) ?? 0) + 1);
        accepted += run.last.finish!.stats.spec.acceptedTokens;
        drafted += run.last.finish!.stats.spec.draftTokens;
    }
    // Speculation really ran, and was sometimes rejected (else the residual is never exercised).
    expect(drafted).toBeGreaterThan(samples * 0.9);
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThan(drafted);
    for (const token of observed.keys())
        expect(expected.has(token), `token ${token} has target probability 0`).toBe(true);

    // Bins with expected count ≥ 5; the rest pooled.
    let chi2 = 0;
    let bins = 0;
    let pooledExpected = 0;
    let pooledObserved = 0;
    for (const [token, p] of expected) {
        const e = p * samples;
        const o = observed.get(token) ?? 0;
        if (e >= 5) {
            chi2 += (o - e) ** 2 / e;
            bins++;
        } else {
            pooledExpected += e;
            pooledObserved += o;
        }
    }
    if (pooledExpected > 0) {
        chi2 += (pooledObserved - pooledExpected) ** 2 / pooledExpected;
        bins++;
    }
    expect(bins).toBeGreaterThanOrEqual(3);
    // Critical values of chi-square at p = 0.001 for df = bins - 1.
    const critical = [
        10.83, 13.82, 16.27, 18.47, 20.52, 22.46, 24.32, 26.12, 27.88, 29.59, 31.26, 32.91, 34.53, 36.12,
        37.7,
    ];
    expect(chi2).toBeLessThan(critical[Math.min(bins - 2, critical.length - 1)]!);
});
