import { describe, expect, it } from "vitest";
import {
    checkTokenizerCompatibility,
    formatCompatibilityReport,
} from "../../../src/engine/tokenizerCompat.js";
import type { VocabInfo } from "../../../src/engine/vocabTypes.js";

/** An SPM-like vocab: <unk>, <s>, </s>, then ordinary tokens "t3", "t4", ... */
function vocab(overrides: Partial<VocabInfo> = {}, size = 300): VocabInfo {
    return {
        model: "llama",
        pre: "default",
        tokens: Array.from({ length: size }, (_, id) => ["<unk>", "<s>", "</s>"][id] ?? `t${id}`),
        tokenTypes: Array.from({ length: size }, (_, id) => [2, 3, 3][id] ?? 1),
        bosId: 1,
        eosId: 2,
        addBos: true,
        addEos: false,
        eogIds: [2],
        ...overrides,
    };
}

function withTexts(base: VocabInfo, changes: Record<number, string>): VocabInfo {
    const tokens = [...base.tokens];
    for (const [id, text] of Object.entries(changes)) tokens[Number(id)] = text;
    return { ...base, tokens };
}

const rules = (target: VocabInfo, draft: VocabInfo): string[] =>
    checkTokenizerCompatibility(target, draft).reasons.map((reason) => reason.rule);

describe("checkTokenizerCompatibility", () => {
    const target = vocab();

    it("calls an equal vocab identical, with no reasons or warnings", () => {
        const report = checkTokenizerCompatibility(target, vocab());
        expect(report).toEqual({
            verdict: "identical",
            reasons: [],
            warnings: [],
            summary: {
                targetVocabSize: 300,
                draftVocabSize: 300,
                checkedRange: { start: 5, end: 300 },
                differingTextCount: 0,
                differingTypeCount: 0,
            },
        });
    });

    it("keeps identical when only the chat template, pre-tokenizer or merges differ, and warns", () => {
        const draft = vocab({
            chatTemplate: "{{ messages }}",
            pre: "llama-bpe",
            merges: { count: 3, hash: "x" },
        });
        const report = checkTokenizerCompatibility(target, draft);
        expect(report.verdict).toBe("identical");
        expect(report.warnings.map((w) => w.kind)).toEqual(["pre_tokenizer", "merges", "chat_template"]);
    });

    it("vocab_type: SPM vs BPE is incompatible; two BPE model names are compatible", () => {
        expect(rules(target, vocab({ model: "gpt2" }))).toEqual(["vocab_type"]);
        const report = checkTokenizerCompatibility(vocab({ model: "gpt2" }), vocab({ model: "whitespace" }));
        expect(report.verdict).toBe("compatible");
    });

    it("add_bos: differing flags fail even with the same BOS id", () => {
        const report = checkTokenizerCompatibility(target, vocab({ addBos: false }));
        expect(report.reasons).toEqual([
            {
                rule: "add_bos",
                message:
                    "add_bos differs: target true, draft false; set tokenizer.ggml.add_bos_token in the draft GGUF to match",
            },
        ]);
    });

    it("bos_id: checked only when BOS is added", () => {
        expect(rules(target, vocab({ bosId: 0 }))).toEqual(["bos_id"]);
        expect(rules(target, vocab({ addBos: false, bosId: 0 }))).toEqual(["add_bos", "bos_id"]);
        const noBos = vocab({ addBos: false });
        const report = checkTokenizerCompatibility(noBos, vocab({ addBos: false, bosId: 0 }));
        expect(report.verdict).toBe("compatible");
    });

    it("add_eos and eos_id", () => {
        expect(rules(target, vocab({ addEos: true }))).toEqual(["add_eos"]);
        const eosTarget = vocab({ addEos: true });
        expect(rules(eosTarget, vocab({ addEos: true, eosId: 7 }))).toEqual(["eos_id"]);
        // Without add_eos a different EOS id is llama.cpp-compatible; only our EOG rule sees it.
        expect(rules(target, vocab({ eosId: 7, eogIds: [7] }))).toEqual(["eog_set"]);
    });

    it("vocab_size: a difference of 128 is allowed (with a tail warning), 129 is not", () => {
        const plus128 = vocab({}, 428);
        const allowed = checkTokenizerCompatibility(target, plus128);
        expect(allowed.verdict).toBe("compatible");
        expect(allowed.warnings).toEqual([
            {
                kind: "tail_tokens",
                message:
                    "draft has 128 tokens beyond the target's 300; draft proposals with those ids must be dropped",
            },
        ]);
        const reverse = checkTokenizerCompatibility(plus128, target);
        expect(reverse.warnings[0]?.message).toContain("target has 128 tokens beyond the draft's 300");
        const plus129 = checkTokenizerCompatibility(target, vocab({}, 429));
        expect(plus129.reasons).toMatchObject([{ rule: "vocab_size" }]);
        expect(plus129.reasons[0]?.message).toContain("differ by 129 (target 300, draft 429)");
        expect(plus129.warnings).toEqual([]);
    });

    it("token_text: counts every differing id ≥ 5, lists the first 20 and samples 5", () => {
        const changed = Array.from({ length: 25 }, (_, i) => 10 + i * 7);
        const draft = withTexts(target, Object.fromEntries(changed.map((id) => [id, `x${id}`])));
        const report = checkTokenizerCompatibility(target, draft);
        expect(report.reasons).toHaveLength(1);
        const [reason] = report.reasons;
        expect(reason?.rule).toBe("token_text");
        expect(reason?.message).toMatch(/^25 token texts differ in ids \[5, 300\)/);
        expect(reason?.tokenIds).toEqual(changed.slice(0, 20));
        expect(reason?.samples).toEqual(
            changed.slice(0, 5).map((id) => ({ id, target: `t${id}`, draft: `x${id}` })),
        );
        expect(report.summary.differingTextCount).toBe(25);
    });

    it("token_text: ids below 5 are not compared (llama.cpp's rule) but break identity", () => {
        const report = checkTokenizerCompatibility(target, withTexts(target, { 0: "[UNK]", 4: "x" }));
        expect(report.verdict).toBe("compatible");
        expect(report.summary.differingTextCount).toBe(0);
    });

    it("eog_set: a different end token in the shared range fails; one in the tail does not", () => {
        const report = checkTokenizerCompatibility(target, vocab({ eogIds: [2, 7] }));
        expect(report.reasons).toEqual([
            {
                rule: "eog_set",
                message:
                    "end-of-generation ids differ in the shared range: target [2], draft [2, 7]; the draft would stop at different tokens than the target",
                tokenIds: [7],
                samples: [{ id: 7, target: "t7", draft: "t7" }],
            },
        ]);
        const tail = checkTokenizerCompatibility(target, vocab({ eogIds: [2, 310] }, 320));
        expect(tail.verdict).toBe("compatible");
    });

    it("lists every failed rule at once, in rule order", () => {
        const draft: VocabInfo = {
            model: "gpt2",
            pre: "gpt-2",
            tokens: Array.from({ length: 600 }, (_, id) => `g${id}`),
            tokenTypes: Array.from({ length: 600 }, () => 1),
            bosId: 599,
            eosId: 599,
            addBos: false,
            addEos: true,
            eogIds: [599],
            merges: { count: 10, hash: "abc" },
        };
        const report = checkTokenizerCompatibility(target, draft);
        expect(report.verdict).toBe("incompatible");
        expect(report.reasons.map((r) => r.rule)).toEqual([
            "vocab_type",
            "add_bos",
            "bos_id",
            "add_eos",
            "eos_id",
            "vocab_size",
            "token_text",
            "eog_set",
        ]);
        expect(report.warnings.map((w) => w.kind)).toEqual(["token_type", "pre_tokenizer", "merges"]);
        expect(report.summary).toEqual({
            targetVocabSize: 300,
            draftVocabSize: 600,
            checkedRange: { start: 5, end: 300 },
            differingTextCount: 295,
            differingTypeCount: 3,
        });
    });

    it("handles vocabs smaller than the check start", () => {
        const tiny = vocab({}, 3);
        expect(checkTokenizerCompatibility(tiny, tiny).summary.checkedRange).toEqual({ start: 5, end: 5 });
    });
});

describe("formatCompatibilityReport", () => {
    it("prints a headline, one line per reason with samples, and one per warning", () => {
        const target = vocab();
        const draft = { ...withTexts(target, { 42: "x42" }), bosId: 0, pre: "gpt-2" };
        const text = formatCompatibilityReport(checkTokenizerCompatibility(target, draft));
        expect(text.split("\n")).toEqual([
            "tokenizer compatibility: incompatible (target 300 tokens, draft 300; token texts checked in [5, 300), 1 differ)",
            "  [bos_id] BOS id differs: target 1, draft 0; prompts would start with a token the draft does not treat as BOS",
            '  [token_text] 1 token texts differ in ids [5, 300) (first: 42); the same id would mean different text to each model (e.g. 42: "t42" vs "x42")',
            '  warning [pre_tokenizer] pre-tokenizer differs: target "default", draft "gpt-2"; harmless while the draft only consumes target token ids',
        ]);
    });
});
