/**
 * A draft model's prompt prefill runs in chunks and stops at `release`: a request that ends while the
 * draft is still evaluating a long prompt gives its slot back at once (the chunk in flight finishes in the
 * background; the slot's next `begin` waits for it), not after the whole prefill (which held a 13k-token agent conversation's slot ~5 s after its last token, so the agent's next
 * turn could not reuse it). The draft's KV state stays consistent: a later request on the same sequence
 * drafts what a draft that prefilled everything drafts. Bundled draft model, greedy, no timing.
 */
import { getLlama, type LlamaContext, type LlamaModel } from "node-llama-cpp";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DraftModelProposer } from "../../src/engine/DraftModelProposer.js";
import { PassBatcher } from "../../src/engine/PassBatcher.js";
import { bundledModelPath, readEvalPrompts } from "../helpers/bundledModels.js";

let model: LlamaModel;
let context: LlamaContext;
beforeAll(async () => {
    const llama = await getLlama({ gpu: false, build: "never" });
    model = await llama.loadModel({ modelPath: bundledModelPath("draft") });
    context = await model.createContext({ contextSize: 2048, sequences: 2, threads: 1 });
});
afterAll(async () => {
    await context.dispose();
    await model.dispose();
});

const chunk = 32;
const proposer = (index: number): DraftModelProposer =>
    new DraftModelProposer(
        "draft",
        context.getSequence(),
        { minConfidence: 0, prefillChunkTokens: chunk },
        new PassBatcher(9),
        index,
    );

it("stops the prefill at release after whole chunks, and drafts as if it had prefilled everything", async () => {
    const text = readEvalPrompts()
        .map((p) => p.prompt)
        .join("\n");
    const prompt = model.tokenize(text).slice(0, 600);
    expect(prompt.length).toBe(600);

    const cut = proposer(0);
    cut.begin(prompt);
    while (cut.evaluatedTokens < chunk) await new Promise((r) => setImmediate(r));
    await cut.release(); // does not wait for the chunk in flight: the slot serves its next request meanwhile
    await cut.idle();
    expect(cut.evaluatedTokens).toBeLessThan(prompt.length - 1);
    expect(cut.evaluatedTokens % chunk).toBe(0);

    const whole = proposer(1);
    whole.begin(prompt);
    const reference = await whole.propose(prompt, 6);
    expect(whole.evaluatedTokens).toBe(prompt.length + 5);
    await whole.release();

    // The cut sequence carries on from what it holds.
    cut.begin(prompt);
    const drafted = await cut.propose(prompt, 6);
    expect(drafted.tokens).toEqual(reference.tokens);
    expect(drafted.tokens.length).toBe(6);
    await cut.release();
});
