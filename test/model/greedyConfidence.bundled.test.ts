/**
 * The greedy choice's probability read as 1 / totalLogitWeight (src/engine/greedyConfidence.ts) equals
 * node-llama-cpp's own `confidence` at every position, on the real bundled draft, with and without a
 * token bias, and the token chosen is the same.
 */
import { getLlama, type LlamaContext, type LlamaModel, TokenBias } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { greedyConfidence, greedyWithWeight } from "../../src/engine/greedyConfidence.js";
import { bundledModelPath } from "../helpers/bundledModels.js";

let model: LlamaModel;
let context: LlamaContext;
beforeAll(async () => {
    const llama = await getLlama({ gpu: false, build: "never" });
    model = await llama.loadModel({ modelPath: bundledModelPath("draft") });
    context = await model.createContext({ contextSize: 256, sequences: 1, threads: 1 });
});
afterAll(async () => {
    await context.dispose();
    await model.dispose();
});

describe("greedyConfidence", () => {
    it.each([
        { what: "plain", bias: false },
        { what: "with a token bias", bias: true },
    ])("equals node-llama-cpp's confidence at every position ($what)", async ({ bias }) => {
        const sequence = context.getSequence();
        try {
            const tokens = model.tokenize(
                "def parse(text):\n    lines = text.split('\\n')\n    return [l for l in lines]",
            );
            let tokenBias: TokenBias | undefined;
            if (bias) {
                tokenBias = TokenBias.for(model);
                tokenBias.set(tokens[3]!, { logit: 4 });
                tokenBias.set(tokens[5]!, { logit: -2 });
            }
            const options = { temperature: 0, ...(tokenBias && { tokenBias }) };
            const start = sequence.nextTokenIndex;
            const ask = async (next: object) => {
                const out = await sequence.controlledEvaluate(
                    tokens.map((t) => [t, { generateNext: { ...next, options } }]),
                );
                await sequence.eraseContextTokenRanges([{ start, end: sequence.nextTokenIndex }]);
                return out;
            };
            const viaSort = await ask({ token: true, confidence: true });
            const viaWeight = await ask(greedyWithWeight);
            for (let i = 0; i < tokens.length; i++) {
                const a = viaSort[i]?.next;
                const b = viaWeight[i]?.next;
                expect(b?.token).toBe(a?.token);
                expect(a?.confidence).toBeGreaterThan(0);
                expect(greedyConfidence(b)).toBeCloseTo(a!.confidence!, 5);
            }
        } finally {
            await sequence.dispose();
        }
    });
});
