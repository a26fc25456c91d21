/**
 * Can a draft model's token ids be fed to the target model as they are? Pure; see `CompatibilityVerdict`.
 *
 * The base rule is llama.cpp's `common_speculative_are_compatible` (common/speculative.cpp). We add one
 * rule (`eog_set`) and report every failure at once, so an operator fixes a model pair in one pass.
 */
import type {
    CompatibilityReason,
    CompatibilityReport,
    CompatibilityWarning,
    TokenSample,
    VocabInfo,
} from "./vocabTypes.js";

/** llama.cpp SPEC_VOCAB_MAX_SIZE_DIFFERENCE: fine-tunes often pad or append a few tokens. */
export const vocabSizeMaxDifference = 128;
/** llama.cpp SPEC_VOCAB_CHECK_START_TOKEN_ID: ids below 5 are specials that converters name differently. */
export const textCheckStartId = 5;
const maxListedIds = 20;
const maxSamples = 5;

/** llama.cpp vocab type for a `tokenizer.ggml.model` value; unknown models map to themselves. */
export function vocabTypeOf(model: string): string {
    switch (model) {
        case "llama":
            return "SPM";
        case "gpt2":
        case "hybriddna":
        case "whitespace":
        case "gemma4":
            return "BPE";
        case "bert":
            return "WPM";
        case "t5":
            return "UGM";
        case "rwkv":
            return "RWKV";
        case "plamo2":
            return "PLaMo2";
        case "no_vocab":
        case "none":
            return "NONE";
        default:
            return model;
    }
}

export function checkTokenizerCompatibility(target: VocabInfo, draft: VocabInfo): CompatibilityReport {
    const reasons: CompatibilityReason[] = [];
    const warnings: CompatibilityWarning[] = [];
    const nTarget = target.tokens.length;
    const nDraft = draft.tokens.length;
    const shared = Math.min(nTarget, nDraft);
    const sample = (id: number): TokenSample => ({ id, target: target.tokens[id], draft: draft.tokens[id] });

    const targetType = vocabTypeOf(target.model);
    const draftType = vocabTypeOf(draft.model);
    if (targetType !== draftType)
        reasons.push({
            rule: "vocab_type",
            message:
                `vocab type differs: target ${targetType} ("${target.model}"), draft ${draftType} ("${draft.model}"); ` +
                "use a draft trained with the target's tokenizer",
        });

    if (target.addBos !== draft.addBos)
        reasons.push({
            rule: "add_bos",
            message: `add_bos differs: target ${target.addBos}, draft ${draft.addBos}; set tokenizer.ggml.add_bos_token in the draft GGUF to match`,
        });
    if ((target.addBos || draft.addBos) && target.bosId !== draft.bosId)
        reasons.push({
            rule: "bos_id",
            message: `BOS id differs: target ${String(target.bosId)}, draft ${String(draft.bosId)}; prompts would start with a token the draft does not treat as BOS`,
        });
    if (target.addEos !== draft.addEos)
        reasons.push({
            rule: "add_eos",
            message: `add_eos differs: target ${target.addEos}, draft ${draft.addEos}; set tokenizer.ggml.add_eos_token in the draft GGUF to match`,
        });
    if ((target.addEos || draft.addEos) && target.eosId !== draft.eosId)
        reasons.push({
            rule: "eos_id",
            message: `EOS id differs: target ${String(target.eosId)}, draft ${String(draft.eosId)}; prompts would end with a token the draft does not treat as EOS`,
        });

    if (Math.abs(nTarget - nDraft) > vocabSizeMaxDifference)
        reasons.push({
            rule: "vocab_size",
            message: `vocab sizes differ by ${Math.abs(nTarget - nDraft)} (target ${nTarget}, draft ${nDraft}), more than the ${vocabSizeMaxDifference} allowed; the draft is not a variant of the target's tokenizer`,
        });

    const textDiffs: number[] = [];
    let differingTextCount = 0;
    for (let id = textCheckStartId; id < shared; id++) {
        if (target.tokens[id] === draft.tokens[id]) continue;
        differingTextCount++;
        if (textDiffs.length < maxListedIds) textDiffs.push(id);
    }
    if (differingTextCount > 0)
        reasons.push({
            rule: "token_text",
            message: `${differingTextCount} token texts differ in ids [${textCheckStartId}, ${shared}) (first: ${textDiffs.slice(0, maxSamples).join(", ")}); the same id would mean different text to each model`,
            tokenIds: textDiffs,
            samples: textDiffs.slice(0, maxSamples).map(sample),
        });

    // Stricter than llama.cpp: if one side ends generation on an id the other treats as ordinary text,
    // the draft keeps proposing past the target's end (wasted drafts) or stops short of it, and a
    // proposed "end" would be accepted by a target that does not end there. Only ids both vocabs
    // contain are compared; tail ids are covered by the `tail_tokens` warning.
    const targetEog = new Set(target.eogIds.filter((id) => id < shared));
    const draftEog = new Set(draft.eogIds.filter((id) => id < shared));
    const eogDiffs = [...new Set([...targetEog, ...draftEog])]
        .filter((id) => targetEog.has(id) !== draftEog.has(id))
        .sort((a, b) => a - b);
    if (eogDiffs.length > 0)
        reasons.push({
            rule: "eog_set",
            message: `end-of-generation ids differ in the shared range: target [${[...targetEog].sort((a, b) => a - b).join(", ")}], draft [${[...draftEog].sort((a, b) => a - b).join(", ")}]; the draft would stop at different tokens than the target`,
            tokenIds: eogDiffs.slice(0, maxListedIds),
            samples: eogDiffs.slice(0, maxSamples).map(sample),
        });

    let differingTypeCount = 0;
    for (let id = 0; id < shared; id++)
        if (target.tokenTypes[id] !== draft.tokenTypes[id]) differingTypeCount++;
    if (differingTypeCount > 0)
        warnings.push({
            kind: "token_type",
            message: `${differingTypeCount} token types differ in ids [0, ${shared}); detokenized text of those ids may differ`,
        });
    if ((target.pre ?? "") !== (draft.pre ?? ""))
        warnings.push({
            kind: "pre_tokenizer",
            message: `pre-tokenizer differs: target "${target.pre ?? ""}", draft "${draft.pre ?? ""}"; harmless while the draft only consumes target token ids`,
        });
    if (target.merges?.hash !== draft.merges?.hash)
        warnings.push({
            kind: "merges",
            message: `BPE merges differ: target ${target.merges?.count ?? 0}, draft ${draft.merges?.count ?? 0}; harmless while the draft only consumes target token ids`,
        });
    if ((target.chatTemplate ?? "") !== (draft.chatTemplate ?? ""))
        warnings.push({
            kind: "chat_template",
            message: "chat templates differ; prompts are always formatted with the target's template",
        });
    if (nTarget !== nDraft && Math.abs(nTarget - nDraft) <= vocabSizeMaxDifference)
        warnings.push({
            kind: "tail_tokens",
            message:
                nDraft > nTarget
                    ? `draft has ${nDraft - nTarget} tokens beyond the target's ${nTarget}; draft proposals with those ids must be dropped`
                    : `target has ${nTarget - nDraft} tokens beyond the draft's ${nDraft}; the draft can never propose them`,
        });

    const identical =
        reasons.length === 0 &&
        target.model === draft.model &&
        nTarget === nDraft &&
        differingTypeCount === 0 &&
        target.bosId === draft.bosId &&
        target.eosId === draft.eosId &&
        sameIds(target.eogIds, draft.eogIds) &&
        target.tokens.slice(0, textCheckStartId).every((text, id) => text === draft.tokens[id]);

    return {
        verdict: reasons.length > 0 ? "incompatible" : identical ? "identical" : "compatible",
        reasons,
        warnings,
        summary: {
            targetVocabSize: nTarget,
            draftVocabSize: nDraft,
            checkedRange: { start: textCheckStartId, end: Math.max(textCheckStartId, shared) },
            differingTextCount,
            differingTypeCount,
        },
    };
}

/** Multi-line text for logs and error messages: a headline, then one line per reason and per warning. */
export function formatCompatibilityReport(report: CompatibilityReport): string {
    const { summary } = report;
    const lines = [
        `tokenizer compatibility: ${report.verdict} (target ${summary.targetVocabSize} tokens, draft ${summary.draftVocabSize}; ` +
            `token texts checked in [${summary.checkedRange.start}, ${summary.checkedRange.end}), ${summary.differingTextCount} differ)`,
    ];
    for (const reason of report.reasons) {
        const samples = reason.samples?.map(
            (s) => `${s.id}: ${JSON.stringify(s.target)} vs ${JSON.stringify(s.draft)}`,
        );
        lines.push(`  [${reason.rule}] ${reason.message}${samples ? ` (e.g. ${samples.join("; ")})` : ""}`);
    }
    for (const warning of report.warnings) lines.push(`  warning [${warning.kind}] ${warning.message}`);
    return lines.join("\n");
}

function sameIds(a: readonly number[], b: readonly number[]): boolean {
    return a.length === b.length && a.every((id, i) => id === b[i]);
}
