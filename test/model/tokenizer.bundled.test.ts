/**
 * Our BPE tokenizer, as written into the bundled GGUFs, round-trips held-out code through llama.cpp,
 * and llama.cpp splits text exactly as our trainer's encoder does (the models were trained on the
 * latter's token streams, so any disagreement would be silent quality loss).
 */
import { readFileSync } from "node:fs";
import { getLlama, type LlamaModel } from "node-llama-cpp";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ByteLevelBpe, type BpeVocabulary } from "../../models/build/tokenizer/ByteLevelBpe.js";
import { tokenizerPath } from "../../models/build/tokenizer/trainBpe.js";
import { bundledModelPath, readEvalPrompts } from "../helpers/bundledModels.js";

let model: LlamaModel;
const bpe = new ByteLevelBpe(JSON.parse(readFileSync(tokenizerPath, "utf8")) as BpeVocabulary);

beforeAll(async () => {
    const llama = await getLlama({ gpu: false, build: "never" });
    model = await llama.loadModel({ modelPath: bundledModelPath("target"), vocabOnly: true });
});
afterAll(async () => {
    await model.dispose();
});

const tricky = [
    "\tindented\twith tabs\n\n\n    and spaces   \n",
    "const s = `template ${x}`; // ünïcödé ✓ 中文 🚀\r\n",
    "x=1;y=22;z=333 # numbers 3.14159 0xFF 1e-9",
    "  leading spaces and trailing  ",
    "emoji 👩‍💻 and combining e\u0301 and nbsp\u00a0here",
    "<|endoftext|> is text here, not a control token",
];

it("llama.cpp tokenizes exactly like our encoder and detokenizes back to the input", () => {
    const texts = [...readEvalPrompts().flatMap((p) => [p.prompt, p.reference]), ...tricky];
    let tokens = 0;
    for (const text of texts) {
        const ours = bpe.encode(text);
        const theirs = model.tokenize(text, false);
        expect(theirs, JSON.stringify(text.slice(0, 40))).toEqual(ours);
        expect(model.detokenize(theirs)).toBe(text);
        tokens += ours.length;
    }
    // Sanity: a code BPE of 4k tokens gets ~3 bytes per token on code.
    const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
    expect(bytes / tokens).toBeGreaterThan(2.5);
});

it("special tokens are control tokens, parsed only when asked", () => {
    expect(model.tokenize("<|endoftext|>", true)).toEqual([0]);
    expect(model.tokenize("<|im_start|>", true)).toEqual([2]);
    expect(model.tokenize("<|endoftext|>", false).length).toBeGreaterThan(1);
    expect(model.isEogToken(0 as never)).toBe(true);
});
