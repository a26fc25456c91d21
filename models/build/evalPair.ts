/**
 * Measures the bundled pair (or any target/draft GGUFs) on the held-out prompts, in one run:
 *  - α: greedy acceptance with one drafted token per step (= P(draft argmax == target argmax) along the
 *    target's greedy path), and acceptance rate / mean acceptance length at k = 4;
 *  - decode tokens/s of target and draft alone, and their cost ratio;
 *  - a few greedy completions of held-out prompts.
 * Writes models/eval/pair-report.json and prints a markdown summary.
 *
 *   node --import tsx models/build/evalPair.ts [--target file.gguf --draft file.gguf] [--prompts 24] [--tokens 64]
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseConfig } from "../../src/config/loadConfig.js";
import { LocalEngine } from "../../src/engine/LocalEngine.js";
import type { GenerateRequest } from "../../src/engine/types.js";
import type { SpecStatsJSON } from "../../src/speculative/SpecStats.js";
import { bundledModelPath, readEvalPrompts } from "../../test/helpers/bundledModels.js";
import { benchThreads } from "../../bench/threads.js";

const arg = (name: string, fallback: string): string => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1]! : fallback;
};

async function run(engine: LocalEngine, request: GenerateRequest) {
    let text = "";
    let tokens = 0;
    for await (const chunk of engine.generate(request)) {
        text += chunk.text;
        tokens += chunk.tokens.length;
        if (chunk.finish) return { text, tokens, stats: chunk.finish.stats };
    }
    throw new Error("no final chunk");
}

async function main(): Promise<void> {
    const targetPath = resolve(arg("--target", bundledModelPath("target")));
    const draftPath = resolve(arg("--draft", bundledModelPath("draft")));
    const promptCount = Number(arg("--prompts", "24"));
    const maxTokens = Number(arg("--tokens", "64"));
    const prompts = readEvalPrompts().slice(0, promptCount);
    // Prefix reuse off: every run evaluates its prompt from scratch, so speculative and plain runs of a
    // prompt start from bit-identical KV state. With reuse, the last prompt token is re-evaluated alone,
    // and llama.cpp's CPU kernels are not batch-invariant (a token's logits depend slightly on how many
    // tokens share its batch), which can flip a near-tie argmax — a reuse effect, not a speculation one.
    const engineConfig = {
        contextSize: 1024,
        sequences: 1,
        gpu: false as const,
        threads: benchThreads,
        prefixReuse: false,
    };
    const engine = await LocalEngine.load(
        parseConfig({
            models: {
                target: { id: "target", path: targetPath },
                drafts: [{ id: "draft", path: draftPath }],
            },
            engine: engineConfig,
            speculation: { minDraftConfidence: 0, stateFile: null },
        }),
        "/",
    );
    const draftAlone = await LocalEngine.load(
        parseConfig({
            models: { target: { id: "draft", path: draftPath }, drafts: [] },
            engine: engineConfig,
        }),
        "/",
    );

    const k1: Totals = { drafts: 0, draftTokens: 0, acceptedTokens: 0, acceptedPerPos: [] };
    const k4: Totals = { drafts: 0, draftTokens: 0, acceptedTokens: 0, acceptedPerPos: [] };
    let targetSeconds = 0;
    let targetTokens = 0;
    let draftSeconds = 0;
    let draftTokens = 0;
    const samples: { prompt: string; completion: string }[] = [];
    for (const [i, p] of prompts.entries()) {
        const plain = await run(engine, { prompt: p.prompt, maxTokens, speculation: { mode: "off" } });
        targetSeconds += (plain.stats.totalMs - plain.stats.ttftMs) / 1000;
        targetTokens += plain.tokens - 1;
        const d = await run(draftAlone, { prompt: p.prompt, maxTokens, speculation: { mode: "off" } });
        draftSeconds += (d.stats.totalMs - d.stats.ttftMs) / 1000;
        draftTokens += d.tokens - 1;
        for (const [k, stats] of [
            [1, k1],
            [4, k4],
        ] as const) {
            const spec = await run(engine, {
                prompt: p.prompt,
                maxTokens,
                speculation: { mode: "draft_model", maxDraftTokens: k },
            });
            if (spec.text !== plain.text)
                throw new Error(`prompt ${i}: speculative output differs from plain at temperature 0`);
            add(stats, spec.stats.spec);
        }
        if (i < 4) samples.push({ prompt: p.prompt.slice(-200), completion: plain.text });
        process.stderr.write(`\r${i + 1}/${prompts.length} prompts`);
    }
    process.stderr.write("\n");
    await engine.dispose();
    await draftAlone.dispose();

    const targetTps = targetTokens / targetSeconds;
    const draftTps = draftTokens / draftSeconds;
    const report = {
        measuredAt: new Date().toISOString(),
        prompts: prompts.length,
        maxTokens,
        alpha: k1.acceptedTokens / k1.draftTokens,
        k4: {
            ...k4,
            acceptanceRate: k4.acceptedTokens / k4.draftTokens,
            meanAcceptanceLength: 1 + k4.acceptedTokens / k4.drafts,
        },
        targetTokensPerSecond: targetTps,
        draftTokensPerSecond: draftTps,
        costRatio: targetTps / draftTps,
        samples,
    };
    writeFileSync(
        resolve(import.meta.dirname, "../eval/pair-report.json"),
        JSON.stringify(report, null, 2) + "\n",
    );
    console.log(`| α (greedy, k=1) | ${report.alpha.toFixed(3)} |`);
    console.log(
        `| acceptance rate / mean acceptance length (k=4) | ${report.k4.acceptanceRate.toFixed(3)} / ${report.k4.meanAcceptanceLength.toFixed(2)} |`,
    );
    console.log(`| target decode tok/s | ${targetTps.toFixed(0)} |`);
    console.log(`| draft decode tok/s | ${draftTps.toFixed(0)} |`);
    console.log(`| measured per-token cost ratio target/draft | ${report.costRatio.toFixed(2)} |`);
}

interface Totals {
    drafts: number;
    draftTokens: number;
    acceptedTokens: number;
    acceptedPerPos: number[];
}

/** Adds one request's speculation counters to a running total. */
function add(total: Totals, s: SpecStatsJSON): void {
    total.drafts += s.drafts;
    total.draftTokens += s.draftTokens;
    total.acceptedTokens += s.acceptedTokens;
    s.acceptedPerPos.forEach((n, i) => (total.acceptedPerPos[i] = (total.acceptedPerPos[i] ?? 0) + n));
}

await main();
