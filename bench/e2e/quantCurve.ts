/**
 * The cost-scaled target (models/build/widenTarget.ts) in Q8_0, Q4_0 and BF16: per quantization, the
 * measured verify curve (one `controlledEvaluate` of n tokens with the next token at every position,
 * median of --repeats, n interleaved so load drift hits every n alike), plain decode tok/s and the
 * n-gram drafter's tok/s at fixed k = 2, 4, 8 and AUTO on the edit prompts (which copy their input),
 * and for every fixed configuration its measured speedup over the predicted one. The prediction takes
 * the run's own drafts (steps, drafted tokens per step) and prices each target pass on the measured
 * curve: predicted time = drafts · T(drafted/step + 1) + plain passes · T(1), so measured ÷ predicted
 * tests whether the curve is what decoding pays. Ratios come from one run; the load is printed.
 *
 *   node --import tsx bench/e2e/quantCurve.ts [--types Q8_0,Q4_0,BF16] [--prompts 3] [--tokens 48] [--repeats 7]
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { resolve } from "node:path";
import { getLlama, type ControlledEvaluateInputItem, type Token as LlamaToken } from "node-llama-cpp";
import { parseConfig } from "../../src/config/loadConfig.js";
import { LocalEngine } from "../../src/engine/LocalEngine.js";
import type { GenerateChunk, GenerateRequest } from "../../src/engine/types.js";
import {
    widenedTargetPath,
    widenTarget,
    widenedTypes,
    type WidenedType,
} from "../../models/build/widenTarget.js";
import { option } from "../cli.js";
import { benchThreads } from "../threads.js";
import { median } from "../percentile.js";

const types = option("--types", widenedTypes.join(",")).split(",") as WidenedType[];
const promptCount = Number(option("--prompts", "3"));
const maxTokens = Number(option("--tokens", "48"));
const repeats = Number(option("--repeats", "7"));
const lengths = [1, 2, 3, 4, 5, 6, 7, 8, 9];
const prompts = readFileSync(resolve(import.meta.dirname, "../prompts/edit.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .slice(0, promptCount)
    .map((l) => (JSON.parse(l) as { prompt: string }).prompt);

async function measureCurve(path: string): Promise<number[]> {
    const llama = await getLlama({ gpu: false, build: "never" });
    try {
        const model = await llama.loadModel({ modelPath: path });
        const context = await model.createContext({ contextSize: 256, threads: benchThreads });
        const sequence = context.getSequence();
        const item: ControlledEvaluateInputItem = [
            (model.tokens.bos ?? 0) as LlamaToken,
            { generateNext: { token: true } },
        ];
        const samples = lengths.map(() => [] as number[]);
        await sequence.controlledEvaluate([item, item]); // first-call allocations
        await sequence.clearHistory();
        for (let r = 0; r < repeats; r++) {
            for (const [i, n] of lengths.entries()) {
                const t0 = performance.now();
                await sequence.controlledEvaluate(Array.from({ length: n }, () => item));
                samples[i]!.push(performance.now() - t0);
                await sequence.clearHistory();
            }
        }
        return samples.map(median);
    } finally {
        await llama.dispose();
    }
}

interface SystemResult {
    tokens: number;
    decodeMs: number;
    drafts: number;
    draftTokens: number;
    acceptedTokens: number;
    targetPasses: number;
}

const systems: { name: string; speculation: GenerateRequest["speculation"] }[] = [
    { name: "off", speculation: { mode: "off" } },
    { name: "ngram k=2", speculation: { mode: "ngram", maxDraftTokens: 2 } },
    { name: "ngram k=4", speculation: { mode: "ngram", maxDraftTokens: 4 } },
    { name: "ngram k=8", speculation: { mode: "ngram", maxDraftTokens: 8 } },
    { name: "auto", speculation: { mode: "auto" } },
];

async function measureDecoding(path: string): Promise<Record<string, SystemResult>> {
    const engine = await LocalEngine.load(
        parseConfig({
            models: { target: { id: "target", path } },
            engine: {
                contextSize: 2048,
                sequences: 1,
                gpu: false,
                prefixReuse: false,
                threads: benchThreads,
            },
            speculation: { stateFile: null },
        }),
        "/",
    );
    const results: Record<string, SystemResult> = {};
    try {
        for (const [p, prompt] of prompts.entries()) {
            // Systems rotate per prompt, so a change in load falls on all of them alike.
            for (let s = 0; s < systems.length; s++) {
                const system = systems[(s + p) % systems.length]!;
                let last: GenerateChunk | undefined;
                for await (const chunk of engine.generate({
                    prompt,
                    maxTokens,
                    sampling: { temperature: 0 },
                    speculation: system.speculation,
                }))
                    last = chunk;
                if (!last?.finish) throw new Error("generation ended without a final chunk");
                const { stats } = last.finish;
                const r = (results[system.name] ??= {
                    tokens: 0,
                    decodeMs: 0,
                    drafts: 0,
                    draftTokens: 0,
                    acceptedTokens: 0,
                    targetPasses: 0,
                });
                const decoded = stats.completionTokens - 1;
                r.tokens += decoded;
                r.decodeMs += (decoded / stats.decodeTokensPerSecond) * 1000;
                r.drafts += stats.spec.drafts;
                r.draftTokens += stats.spec.draftTokens;
                r.acceptedTokens += stats.spec.acceptedTokens;
                r.targetPasses += stats.spec.targetPasses;
            }
        }
    } finally {
        await engine.dispose();
    }
    return results;
}

const lines: string[] = [];
const print = (line: string): void => {
    lines.push(line);
    console.log(line);
};
print(`# Cost-scaled target by quantization (${new Date().toISOString()})`);
print("");
print(
    `CPU: ${cpus()[0]?.model} × ${cpus().length}; engine threads ${benchThreads}; load average at start ` +
        `${loadavg()
            .map((x) => x.toFixed(1))
            .join(" ")} (shared machine: read ratios, not absolute times). ` +
        `Curve: median of ${repeats}; decoding: ${prompts.length} edit prompts × ${maxTokens} tokens, temperature 0.`,
);
for (const type of types) {
    const path = widenedTargetPath(6, type);
    if (!existsSync(path)) await widenTarget(6, type);
    const curve = await measureCurve(path);
    const decoding = await measureDecoding(path);
    const T = (n: number): number => curve[Math.min(n, curve.length) - 1]!;
    const off = decoding.off!;
    const offTps = (off.tokens / off.decodeMs) * 1000;
    print("");
    print(`## ${type}`);
    print("");
    print(`| n | ${lengths.join(" | ")} |`);
    print(`|---|${lengths.map(() => "---").join("|")}|`);
    print(
        `| verify(n) | ${T(1).toFixed(1)} ms | ${lengths
            .slice(1)
            .map((n) => `${(T(n) / T(1)).toFixed(2)}×`)
            .join(" | ")} |`,
    );
    print("");
    print("| system | tok/s | × off | accepted/drafted | measured ÷ predicted speedup |");
    print("|---|---|---|---|---|");
    for (const system of systems) {
        const r = decoding[system.name]!;
        const tps = (r.tokens / r.decodeMs) * 1000;
        const perStep = r.drafts > 0 ? Math.round(r.draftTokens / r.drafts) : 0;
        const predictedMs = r.drafts * T(perStep + 1) + (r.targetPasses - r.drafts) * T(1);
        const predictedSpeedup = r.tokens / predictedMs / (1 / T(1));
        const measuredSpeedup = tps / offTps;
        const fixed = system.name.startsWith("ngram") || system.name === "off";
        print(
            `| ${system.name} | ${tps.toFixed(1)} | ${measuredSpeedup.toFixed(2)} | ` +
                `${r.draftTokens > 0 ? (r.acceptedTokens / r.draftTokens).toFixed(2) : "–"} | ` +
                `${fixed ? (measuredSpeedup / predictedSpeedup).toFixed(2) : "(adaptive)"} |`,
        );
    }
}
writeFileSync(resolve(import.meta.dirname, "../results/quantCurve.md"), `${lines.join("\n")}\n`);
