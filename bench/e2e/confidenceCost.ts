/**
 * What the opt-in confidence signal (`return_confidence`, GenerationStats.mean_logprob) costs the
 * local tier's decode speed: the bundled pair on the completion and edit prompts at temperature 0, with
 * plain decoding and with the draft model, confidence off and on. Configurations are interleaved round
 * by round so load drift on a shared machine hits all of them alike; tokens/s is decode tokens over
 * decode time summed over every prompt and round.
 *
 *   node --import tsx bench/e2e/confidenceCost.ts [--rounds 3] [--tokens 64]
 */
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { resolve } from "node:path";
import { option } from "../cli.js";
import { parseConfig } from "../../src/config/loadConfig.js";
import type { SpeculationMode } from "../../src/config/schema.js";
import { LocalEngine } from "../../src/engine/LocalEngine.js";
import { bundledModelPath } from "../../test/helpers/bundledModels.js";
import { benchThreads } from "../threads.js";

const rounds = Number(option("--rounds", "3"));
const maxTokens = Number(option("--tokens", "64"));
const prompts = ["completion", "edit"].flatMap((set) =>
    readFileSync(resolve(import.meta.dirname, `../prompts/${set}.jsonl`), "utf8")
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => (JSON.parse(l) as { prompt: string }).prompt),
);

const engine = await LocalEngine.load(
    parseConfig({
        models: {
            target: { id: "target", path: bundledModelPath("target") },
            drafts: [{ id: "draft", path: bundledModelPath("draft") }],
        },
        engine: { contextSize: 1024, sequences: 1, gpu: false, prefixReuse: false, threads: benchThreads },
        speculation: { stateFile: null },
    }),
    "/",
);

interface Totals {
    tokens: number;
    seconds: number;
    meanLogprob: number[];
}
const configs: { name: string; mode: SpeculationMode; confidence: boolean }[] = [
    { name: "plain, confidence off", mode: "off", confidence: false },
    { name: "plain, confidence on", mode: "off", confidence: true },
    { name: "draft, confidence off", mode: "draft_model", confidence: false },
    { name: "draft, confidence on", mode: "draft_model", confidence: true },
];
const totals = new Map<string, Totals>(
    configs.map((c) => [c.name, { tokens: 0, seconds: 0, meanLogprob: [] }]),
);

// Warm-up: one pass over the prompts (page cache, allocator, AUTO-independent fixed modes).
for (const prompt of prompts) {
    for await (const _ of engine.generate({ prompt, maxTokens: 8, speculation: { mode: "off" } }));
}
for (let round = 0; round < rounds; round++) {
    for (const config of configs) {
        const t = totals.get(config.name)!;
        for (const prompt of prompts) {
            for await (const chunk of engine.generate({
                prompt,
                maxTokens,
                speculation: { mode: config.mode },
                returnConfidence: config.confidence,
            })) {
                const stats = chunk.finish?.stats;
                if (!stats || stats.completionTokens < 2) continue;
                t.tokens += stats.completionTokens - 1;
                t.seconds += (stats.completionTokens - 1) / stats.decodeTokensPerSecond;
                if (stats.confidence) t.meanLogprob.push(stats.confidence.meanLogprob);
            }
        }
    }
}
await engine.dispose();

console.log(
    `confidence cost: ${prompts.length} prompts x ${rounds} rounds, ${maxTokens} tokens, temperature 0, ` +
        `threads ${benchThreads}, ${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(2)}`,
);
const rate = (name: string) => totals.get(name)!.tokens / totals.get(name)!.seconds;
for (const config of configs) {
    const t = totals.get(config.name)!;
    const base = rate(config.name.replace(/ on$/, " off"));
    const logprob =
        t.meanLogprob.length > 0
            ? `  mean logprob ${(t.meanLogprob.reduce((a, b) => a + b, 0) / t.meanLogprob.length).toFixed(3)}`
            : "";
    console.log(
        `${config.name.padEnd(24)} ${rate(config.name).toFixed(1).padStart(8)} tok/s  ${((rate(config.name) / base - 1) * 100).toFixed(1).padStart(6)} %${logprob}`,
    );
}
