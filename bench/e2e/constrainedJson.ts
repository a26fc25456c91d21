/**
 * Whether speculation keeps its speed-up under a response_format grammar: the bundled pair on the
 * completion prompts at temperature 0, free text and JSON-schema output, each plain and with the draft
 * model (and n-gram drafts under the grammar). Configurations are interleaved round by round so load
 * drift on a shared machine hits all of them alike; tokens/s is decode tokens over decode time summed
 * over every prompt and round; acceptance is accepted over drafted tokens (drafts cut by the grammar
 * before verification are not counted as drafted).
 *
 *   node --import tsx bench/e2e/constrainedJson.ts [--rounds 2] [--tokens 64]
 */
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { resolve } from "node:path";
import { option } from "../cli.js";
import { parseConfig } from "../../src/config/loadConfig.js";
import type { SpeculationMode } from "../../src/config/schema.js";
import { LocalEngine } from "../../src/engine/LocalEngine.js";
import type { ResponseFormat } from "../../src/engine/types.js";
import { bundledModelPath } from "../../test/helpers/bundledModels.js";
import { benchThreads } from "../threads.js";

const rounds = Number(option("--rounds", "2"));
const maxTokens = Number(option("--tokens", "64"));
const prompts = readFileSync(resolve(import.meta.dirname, "../prompts/completion.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => (JSON.parse(l) as { prompt: string }).prompt);
const schema = {
    type: "object",
    properties: {
        name: { type: "string", maxLength: 24 },
        args: { type: "array", items: { type: "string", maxLength: 12 }, maxItems: 4 },
        returns: { type: "string", maxLength: 24 },
        pure: { type: "boolean" },
    },
    required: ["name", "args", "returns", "pure"],
    additionalProperties: false,
};
const json: ResponseFormat = { type: "json_schema", schema: JSON.stringify(schema) };

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

const configs: { name: string; mode: SpeculationMode; format?: ResponseFormat }[] = [
    { name: "free text, plain", mode: "off" },
    { name: "free text, draft", mode: "draft_model" },
    { name: "json, plain", mode: "off", format: json },
    { name: "json, draft", mode: "draft_model", format: json },
    { name: "json, ngram", mode: "ngram", format: json },
];
const totals = new Map(configs.map((c) => [c.name, { tokens: 0, seconds: 0, drafted: 0, accepted: 0 }]));

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
                ...(config.format && { responseFormat: config.format }),
            })) {
                const stats = chunk.finish?.stats;
                if (!stats || stats.completionTokens < 2) continue;
                t.tokens += stats.completionTokens - 1;
                t.seconds += (stats.completionTokens - 1) / stats.decodeTokensPerSecond;
                t.drafted += stats.spec.draftTokens;
                t.accepted += stats.spec.acceptedTokens;
            }
        }
    }
}
await engine.dispose();

console.log(
    `constrained JSON: ${prompts.length} prompts x ${rounds} rounds, ${maxTokens} tokens, temperature 0, ` +
        `threads ${benchThreads}, ${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}), load average ${loadavg()[0]!.toFixed(2)}`,
);
const rate = (name: string) => totals.get(name)!.tokens / totals.get(name)!.seconds;
for (const config of configs) {
    const t = totals.get(config.name)!;
    const base = rate(config.format ? "json, plain" : "free text, plain");
    const acceptance =
        t.drafted > 0
            ? `  acceptance ${(t.accepted / t.drafted).toFixed(2)} (${t.accepted}/${t.drafted})`
            : "";
    console.log(
        `${config.name.padEnd(18)} ${rate(config.name).toFixed(1).padStart(8)} tok/s  ${(rate(config.name) / base).toFixed(2)}x of plain${acceptance}`,
    );
}
