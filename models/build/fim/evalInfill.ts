/**
 * Single-line fill-in-the-middle on held-out code (models/eval/heldout-code.jsonl, never trained on):
 * for up to 3 non-blank lines of each prompt's reference continuation, the prefix is the code before
 * the line (the prompt and the reference lines above it), the suffix the code after it (from the
 * line's "\n" on), and the expected middle is the line itself. Greedy, stopped at the first "\n"; a
 * sample counts as an exact match when the generated middle equals the line byte for byte.
 *
 * Two modes on the same samples:
 *  - fim: a request with `suffix` (the target's FIM layout, infillPrompt.ts); a target without FIM
 *    tokens refuses it (E_FIM_UNSUPPORTED) and the report says so;
 *  - prefixOnly: the prefix as a plain completion (what a model without FIM can do: the baseline).
 * Exact match is strict for a model of a few million parameters, so the report also gives the mean edit
 * similarity of the answer to the line (1 − Levenshtein distance / the longer length, on trimmed
 * text, as CodeXGLUE's line completion does) in both modes: FIM above prefix-only is the suffix being
 * used. And, run again without the newline stop, the share of FIM answers that end by themselves
 * (end of generation within 48 tokens): a model that learned the layout ends the middle.
 * With a draft, every FIM sample also runs speculatively (k = 4) and must equal the plain FIM output;
 * the report carries the acceptance figures of those runs.
 * Writes models/eval/infill-report.json (or --report PATH) and prints a summary.
 *
 *   node --import tsx models/build/fim/evalInfill.ts [--target file.gguf --draft file.gguf] [--report path]
 */
import { writeFileSync } from "node:fs";
import { relative, resolve } from "node:path";
import { benchThreads } from "../../../bench/threads.js";
import { parseConfig } from "../../../src/config/loadConfig.js";
import { LocalEngine } from "../../../src/engine/LocalEngine.js";
import type { GenerateRequest } from "../../../src/engine/types.js";
import { ServiceError } from "../../../src/errors/ServiceError.js";
import { bundledModelPath, readEvalPrompts } from "../../../test/helpers/bundledModels.js";

const arg = (name: string, fallback: string): string => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1]! : fallback;
};

/** At most this many lines per held-out prompt. */
const linesPerPrompt = 3;
/** A line with fewer non-blank characters than this is not a sample (a lone brace says little). */
const minLineChars = 4;
const maxTokens = 48;

export interface InfillSample {
    prefix: string;
    middle: string;
    suffix: string;
}

/** The single-line infill samples of the held-out prompts (deterministic). */
export function infillSamples(): InfillSample[] {
    const samples: InfillSample[] = [];
    for (const p of readEvalPrompts()) {
        // The reference's last line may be cut short: it is never a middle.
        const lines = p.reference.split("\n").slice(0, -1);
        let taken = 0;
        for (let i = 0; i < lines.length && taken < linesPerPrompt; i++) {
            if (lines[i]!.trim().length < minLineChars) continue;
            samples.push({
                prefix:
                    p.prompt +
                    lines
                        .slice(0, i)
                        .map((l) => l + "\n")
                        .join(""),
                middle: lines[i]!,
                suffix: "\n" + lines.slice(i + 1).join("\n"),
            });
            taken++;
        }
    }
    return samples;
}

/**
 * 1 − Levenshtein distance / the longer length, on trimmed text (1 = identical). Written here: one
 * two-row dynamic programme for an evaluation script, not worth a dependency.
 */
export function editSimilarity(a: string, b: string): number {
    const x = a.trim();
    const y = b.trim();
    if (x.length === 0 && y.length === 0) return 1;
    let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
    for (let i = 1; i <= x.length; i++) {
        const cur = [i];
        for (let j = 1; j <= y.length; j++)
            cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1)));
        prev = cur;
    }
    return 1 - prev[y.length]! / Math.max(x.length, y.length);
}

async function text(engine: LocalEngine, request: GenerateRequest) {
    let out = "";
    for await (const chunk of engine.generate(request)) {
        out += chunk.text;
        if (chunk.finish) return { text: out, stats: chunk.finish.stats };
    }
    throw new Error("no final chunk");
}

async function main(): Promise<void> {
    const targetPath = resolve(arg("--target", bundledModelPath("target")));
    const draftPath = resolve(arg("--draft", bundledModelPath("draft")));
    const reportPath = resolve(
        arg("--report", resolve(import.meta.dirname, "../../eval/infill-report.json")),
    );
    const engine = await LocalEngine.load(
        parseConfig({
            models: {
                target: { id: "target", path: targetPath },
                drafts: [{ id: "draft", path: draftPath }],
            },
            // Prefix reuse off, as in evalPair.ts: speculative and plain runs start from identical KV state.
            engine: {
                contextSize: 1024,
                sequences: 1,
                gpu: false,
                threads: benchThreads,
                prefixReuse: false,
            },
            speculation: { minDraftConfidence: 0, stateFile: null },
        }),
        "/",
    );
    const samples = infillSamples();
    const base = { maxTokens, stop: ["\n"], speculation: { mode: "off" as const } };
    let prefixOnlyMatches = 0;
    let fimMatches: number | null = 0;
    let prefixOnlySimilarity = 0;
    let fimSimilarity = 0;
    let fimEnded = 0;
    let fimUnsupported: string | null = null;
    const spec = { drafts: 0, draftTokens: 0, acceptedTokens: 0 };
    const examples: { middle: string; fim: string | null; prefixOnly: string }[] = [];
    for (const [i, s] of samples.entries()) {
        const prefixOnly = await text(engine, { ...base, prompt: s.prefix });
        if (prefixOnly.text === s.middle) prefixOnlyMatches++;
        prefixOnlySimilarity += editSimilarity(prefixOnly.text, s.middle);
        let fim: string | null = null;
        if (fimUnsupported === null) {
            try {
                fim = (await text(engine, { ...base, prompt: s.prefix, suffix: s.suffix })).text;
            } catch (error) {
                if (!(error instanceof ServiceError) || error.code !== "E_FIM_UNSUPPORTED") throw error;
                fimUnsupported = error.message;
                fimMatches = null;
            }
        }
        if (fim !== null && fimMatches !== null) {
            if (fim === s.middle) fimMatches++;
            fimSimilarity += editSimilarity(fim, s.middle);
            const unstopped = await text(engine, { ...base, stop: [], prompt: s.prefix, suffix: s.suffix });
            if (unstopped.stats.completionTokens < maxTokens) fimEnded++;
            const speculative = await text(engine, {
                ...base,
                prompt: s.prefix,
                suffix: s.suffix,
                speculation: { mode: "draft_model", maxDraftTokens: 4 },
            });
            if (speculative.text !== fim)
                throw new Error(`sample ${i}: speculative FIM output differs from plain at temperature 0`);
            spec.drafts += speculative.stats.spec.drafts;
            spec.draftTokens += speculative.stats.spec.draftTokens;
            spec.acceptedTokens += speculative.stats.spec.acceptedTokens;
        }
        if (i % 12 === 0) examples.push({ middle: s.middle, fim, prefixOnly: prefixOnly.text });
        process.stderr.write(`\r${i + 1}/${samples.length} samples`);
    }
    process.stderr.write("\n");
    await engine.dispose();
    const report = {
        measuredAt: new Date().toISOString(),
        target: relative(resolve(import.meta.dirname, "../../.."), targetPath),
        samples: samples.length,
        exactMatch: {
            fim: fimMatches === null ? null : fimMatches / samples.length,
            prefixOnly: prefixOnlyMatches / samples.length,
        },
        editSimilarity: {
            fim: fimMatches === null ? null : fimSimilarity / samples.length,
            prefixOnly: prefixOnlySimilarity / samples.length,
        },
        /** FIM answers, without the newline stop, that ended by end of generation within maxTokens. */
        fimEndedShare: fimMatches === null ? null : fimEnded / samples.length,
        fimUnsupported,
        fimSpeculation:
            fimMatches === null
                ? null
                : {
                      ...spec,
                      acceptanceRate: spec.acceptedTokens / spec.draftTokens,
                      meanAcceptanceLength: 1 + spec.acceptedTokens / spec.drafts,
                  },
        examples,
    };
    writeFileSync(reportPath, JSON.stringify(report, null, 2) + "\n");
    console.log(
        `single-line infill exact match over ${samples.length} held-out lines: ` +
            `FIM ${fimMatches === null ? `n/a (${fimUnsupported})` : report.exactMatch.fim!.toFixed(3)}, ` +
            `prefix only ${report.exactMatch.prefixOnly.toFixed(3)}; edit similarity FIM ` +
            `${report.editSimilarity.fim?.toFixed(3) ?? "n/a"}, prefix only ${report.editSimilarity.prefixOnly.toFixed(3)}` +
            (report.fimEndedShare === null
                ? ""
                : `; FIM answers ending within ${maxTokens} tokens without the newline stop: ${report.fimEndedShare.toFixed(3)}`),
    );
    if (report.fimSpeculation)
        console.log(
            `FIM speculation (k = 4): acceptance rate ${report.fimSpeculation.acceptanceRate.toFixed(3)}, ` +
                `mean acceptance length ${report.fimSpeculation.meanAcceptanceLength.toFixed(2)}; spec == plain on every sample`,
        );
}

if (import.meta.filename === process.argv[1]) await main();
