/**
 * A draft model's sequence takes a prompt prefix copied from another draft sequence (its slot took the
 * same prefix for the target: chooseSlot.ts) and evaluates only the rest: it then drafts what a draft that
 * prefilled the whole prompt drafts, and a source still prefilling lends only what it has evaluated.
 * Bundled draft model, greedy, no timing.
 */
import { getLlama, type LlamaContext, type LlamaContextSequence, type LlamaModel } from "node-llama-cpp";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DraftModelProposer } from "../../src/engine/DraftModelProposer.js";
import { PassBatcher } from "../../src/engine/PassBatcher.js";
import { bundledModelPath, readEvalPrompts } from "../helpers/bundledModels.js";

let model: LlamaModel;
let context: LlamaContext;
let sequences: LlamaContextSequence[];
beforeAll(async () => {
    const llama = await getLlama({ gpu: false, build: "never" });
    model = await llama.loadModel({ modelPath: bundledModelPath("draft") });
    context = await model.createContext({ contextSize: 2048, sequences: 3, threads: 1 });
    sequences = [0, 1, 2].map(() => context.getSequence());
});
afterAll(async () => {
    await context.dispose();
    await model.dispose();
});

const batcher = new PassBatcher(9);
/** A proposer on sequence `index`, emptied first (a new proposer knows of nothing in its cache). */
async function proposer(index: number): Promise<DraftModelProposer> {
    const sequence = sequences[index]!;
    await sequence.clearHistory();
    const options = { minConfidence: 0, prefillChunkTokens: 64 };
    return new DraftModelProposer("draft", sequence, options, batcher, index);
}

it("drafts on a copied prefix what a fully prefilled draft drafts", async () => {
    const prompts = readEvalPrompts().map((p) => p.prompt);
    const shared = model.tokenize(prompts.join("\n")).slice(0, 400);
    const first = [...shared, ...model.tokenize(prompts[0]!).slice(0, 100)];
    const sibling = [...shared, ...model.tokenize(prompts[1]!).slice(0, 120)];

    const source = await proposer(0);
    source.begin(first);
    await source.propose(first, 4);
    const whole = await proposer(1);
    whole.begin(sibling);
    const reference = await whole.propose(sibling, 6);
    await whole.release();

    const copy = await proposer(2);
    copy.copyPrefixFrom(source, shared.length);
    await copy.idle();
    expect(copy.evaluatedTokens).toBe(shared.length);
    copy.begin(sibling);
    const drafted = await copy.propose(sibling, 6);
    expect(drafted.tokens).toEqual(reference.tokens);
    expect(drafted.tokens.length).toBe(6);
    await copy.release();
    await source.release();
});

it("a source still prefilling lends what it has evaluated; the rest is prefilled as usual", async () => {
    const prompt = model
        .tokenize(
            readEvalPrompts()
                .map((p) => p.prompt)
                .join("\n"),
        )
        .slice(0, 700);
    const source = await proposer(0);
    source.begin(prompt);
    while (source.evaluatedTokens < 200) await new Promise((r) => setImmediate(r));
    const copy = await proposer(2);
    copy.copyPrefixFrom(source, prompt.length);
    await copy.idle();
    expect(copy.evaluatedTokens).toBeGreaterThanOrEqual(192);
    expect(copy.evaluatedTokens).toBeLessThan(prompt.length);
    const whole = await proposer(1);
    whole.begin(prompt);
    const reference = await whole.propose(prompt, 5);
    await whole.release();
    copy.begin(prompt);
    expect((await copy.propose(prompt, 5)).tokens).toEqual(reference.tokens);
    await copy.release();
    await source.release();
    await source.idle();
});
