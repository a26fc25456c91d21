import { getLlama, LlamaLogLevel, type Token } from "node-llama-cpp";
import { beforeAll, describe, expect, it } from "vitest";
import {
    ensureFixtures,
    fixtureEdits,
    fixtureNames,
    type FixtureName,
    type FixturePaths,
} from "../../models/build/buildFixtures.js";
import { readGgufVocab } from "../../src/engine/readGgufVocab.js";
import { checkTokenizerCompatibility, vocabTypeOf } from "../../src/engine/tokenizerCompat.js";
import type { VocabInfo } from "../../src/engine/vocabTypes.js";

describe("tokenizer compatibility of the fixture GGUFs", () => {
    let paths: FixturePaths;
    const vocabs = new Map<FixtureName, VocabInfo>();
    const compare = (draft: FixtureName) =>
        checkTokenizerCompatibility(vocabs.get("base")!, vocabs.get(draft)!);

    beforeAll(async () => {
        paths = await ensureFixtures();
        for (const name of fixtureNames) vocabs.set(name, await readGgufVocab(paths[name]));
    });

    it("reads the full llama-spm vocab with llama.cpp's effective specials", () => {
        const base = vocabs.get("base")!;
        expect(base.tokens).toHaveLength(32000);
        expect(base.tokenTypes).toHaveLength(32000);
        expect(base).toMatchObject({
            model: "llama",
            pre: "default",
            bosId: 1,
            eosId: 2,
            addBos: true,
            addEos: false,
        });
        expect(base.eogIds).toEqual([2]);
        expect(base.merges).toBeUndefined();
    });

    it("reads the gpt-2 vocab, filling in llama.cpp's BPE defaults for missing keys", () => {
        const gpt2 = vocabs.get("typeDiff")!;
        expect(gpt2.tokens).toHaveLength(50257);
        expect(gpt2).toMatchObject({
            model: "gpt2",
            pre: "gpt-2",
            bosId: 50256,
            eosId: 50256,
            addBos: false,
            addEos: false,
        });
        expect(gpt2.eogIds).toEqual([50256]);
        expect(gpt2.merges?.count).toBe(50000);
    });

    it("base vs same: identical", () => {
        const report = compare("same");
        expect(report.verdict).toBe("identical");
        expect(report.warnings).toEqual([]);
    });

    it("base vs plus100: compatible, with a tail warning", () => {
        const report = compare("plus100");
        expect(report.verdict).toBe("compatible");
        expect(report.reasons).toEqual([]);
        expect(report.warnings.map((w) => w.kind)).toEqual(["tail_tokens"]);
        expect(report.summary).toMatchObject({ targetVocabSize: 32000, draftVocabSize: 32100 });
    });

    it("base vs bosDiff: incompatible on bos_id only", () => {
        const report = compare("bosDiff");
        expect(report.verdict).toBe("incompatible");
        expect(report.reasons.map((r) => r.rule)).toEqual(["bos_id"]);
        expect(report.reasons[0]?.message).toContain(`target 1, draft ${fixtureEdits.bosDiffId}`);
    });

    it("base vs textDiff: incompatible on token_text, listing the renamed ids", () => {
        const report = compare("textDiff");
        expect(report.reasons).toMatchObject([
            { rule: "token_text", tokenIds: [...fixtureEdits.textDiffIds] },
        ]);
        expect(report.reasons[0]?.samples?.map((s) => s.draft)).toEqual(
            fixtureEdits.textDiffIds.map((id) => `▁tiercel${id}`),
        );
        expect(report.summary.differingTextCount).toBe(fixtureEdits.textDiffIds.length);
    });

    it("base vs typeDiff: incompatible on vocab type and everything that follows from it", () => {
        const report = compare("typeDiff");
        expect(report.reasons.map((r) => r.rule)).toEqual([
            "vocab_type",
            "add_bos",
            "bos_id",
            "vocab_size",
            "token_text",
            "eog_set",
        ]);
        expect(report.warnings.map((w) => w.kind)).toEqual(["token_type", "pre_tokenizer", "merges"]);
    });
});

describe("node-llama-cpp runs the fixtures", () => {
    it.each(fixtureNames)("%s loads, agrees with readGgufVocab and generates tokens", async (name) => {
        const paths = await ensureFixtures();
        const vocab = await readGgufVocab(paths[name]);
        const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
        const model = await llama.loadModel({ modelPath: paths[name] });
        try {
            expect(model.vocabularyType.toUpperCase()).toBe(vocabTypeOf(vocab.model));
            expect(model.tokens.bos).toBe(vocab.bosId);
            expect(model.tokens.eos).toBe(vocab.eosId);
            expect(model.tokens.shouldPrependBosToken).toBe(vocab.addBos);
            expect(vocab.eogIds.every((id) => model.isEogToken(id as Token))).toBe(true);

            const context = await model.createContext({ contextSize: 256, threads: 2 });
            const sequence = context.getSequence();
            const generated: number[] = [];
            for await (const token of sequence.evaluate(model.tokenize("def hello():"), { temperature: 0 })) {
                generated.push(token);
                if (generated.length === 4) break;
            }
            expect(generated).toHaveLength(4);
            expect(generated.every((token) => token >= 0 && token < vocab.tokens.length)).toBe(true);
            await context.dispose();
        } finally {
            await model.dispose();
        }
    });
});
