/**
 * A draft model's sequence saved to a file (DraftModelProposer.saveState) and loaded into another
 * sequence (restoreState) holds the same tokens and drafts what the source drafts; a file that does not
 * load leaves the sequence empty, to be prefilled as usual. Bundled draft model, greedy, no timing.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getLlama, type LlamaContext, type LlamaContextSequence, type LlamaModel } from "node-llama-cpp";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DraftModelProposer } from "../../src/engine/DraftModelProposer.js";
import { PassBatcher } from "../../src/engine/PassBatcher.js";
import { bundledModelPath, readEvalPrompts } from "../helpers/bundledModels.js";

let model: LlamaModel;
let context: LlamaContext;
let sequences: LlamaContextSequence[];
let dir: string;
beforeAll(async () => {
    const llama = await getLlama({ gpu: false, build: "never" });
    model = await llama.loadModel({ modelPath: bundledModelPath("draft") });
    context = await model.createContext({ contextSize: 2048, sequences: 3, threads: 1 });
    sequences = [0, 1, 2].map(() => context.getSequence());
    dir = await mkdtemp(join(tmpdir(), "tiercel-draft-state-"));
});
afterAll(async () => {
    await context.dispose();
    await model.dispose();
    await rm(dir, { recursive: true, force: true });
});

const batcher = new PassBatcher(9);
async function proposer(index: number): Promise<DraftModelProposer> {
    const sequence = sequences[index]!;
    await sequence.clearHistory();
    return new DraftModelProposer(
        "draft",
        sequence,
        { minConfidence: 0, prefillChunkTokens: 64 },
        batcher,
        index,
    );
}

it("a draft loaded from a saved state holds its tokens and drafts what the source drafts", async () => {
    const prompt = model
        .tokenize(
            readEvalPrompts()
                .map((p) => p.prompt)
                .join("\n"),
        )
        .slice(0, 500);
    const source = await proposer(0);
    source.begin(prompt);
    const reference = await source.propose(prompt, 6);
    await source.accept(6);
    const file = join(dir, "draft.kv");
    // Saved after the running prefill and proposal, whatever the caller awaited.
    const bytes = await source.saveState(file);
    expect(bytes).toBeGreaterThan(0);
    const loaded = await proposer(1);
    await loaded.restoreState(file);
    expect(loaded.evaluatedTokens).toBe(source.evaluatedTokens);
    // The same history as the source's first proposal: what is held beyond it is erased, then drafted again.
    const drafted = await loaded.propose(prompt, 6);
    expect(drafted.tokens).toEqual(reference.tokens);
    await loaded.release();
    await source.release();
    // An empty sequence writes nothing.
    expect(await (await proposer(2)).saveState(join(dir, "empty.kv"))).toBe(0);
});

it("a file that does not load leaves the draft empty; its prefill then drafts as usual", async () => {
    const prompt = model.tokenize(readEvalPrompts()[2]!.prompt).slice(0, 120);
    const whole = await proposer(0);
    whole.begin(prompt);
    const reference = await whole.propose(prompt, 4);
    await whole.release();
    const bad = join(dir, "bad.kv");
    await writeFile(bad, "not a state file");
    const loaded = await proposer(1);
    loaded.begin(prompt.slice(0, 60));
    await loaded.restoreState(bad);
    expect(loaded.evaluatedTokens).toBe(0);
    loaded.begin(prompt);
    expect((await loaded.propose(prompt, 4)).tokens).toEqual(reference.tokens);
    await loaded.release();
});
