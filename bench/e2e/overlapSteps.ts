/**
 * What overlapping a plain step's bookkeeping with the next target pass (engine.overlapSteps,
 * src/engine/generate.ts "Overlap") is worth to a gRPC client: one server on loopback (bundled pair),
 * GenerateStream calls from 1 and 4 concurrent streams, OFF and AUTO, with the overlap on and off in
 * alternating rounds (the engine's switch flipped between rounds, same server, same prompts). Prints
 * aggregate tokens/s, on ÷ off per round and its median, measured in one run.
 *
 *   node --import tsx bench/e2e/overlapSteps.ts [--rounds 8] [--streams 1,4] [--tokens 32] [--modes off,auto]
 *
 * On a CPU the pass decodes on the cores the JavaScript work then runs beside, so what it gains depends on
 * the cores to spare; TIERCEL_BENCH_GPU runs the target on a GPU (the GPU check's opt-in "overlap" phase;
 * results in overlapSteps-gpu.md). One stream: decode tokens/s (after the first token); several: all
 * tokens over the wall time, prompt passes included (they share batches with the others' steps).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { resolve } from "node:path";
import { option } from "../cli.js";
import { startServedBench } from "../startServedBench.js";
import { benchGpu } from "../benchGpu.js";
import { benchThreads } from "../threads.js";
import { loadConfig, parseConfig } from "../../src/config/loadConfig.js";
import type { GenerateChunk__Output } from "../../src/grpc/generated/tiercel/v1/GenerateChunk.js";
import type { InferenceClient } from "../../src/grpc/generated/tiercel/v1/Inference.js";
import { median } from "../percentile.js";

const rounds = Number(option("--rounds", "8"));
const streamCounts = option("--streams", "1,4").split(",").map(Number);
const maxTokens = Number(option("--tokens", "32"));
const modes = option("--modes", "off,auto").split(",");
for (const mode of modes)
    if (mode !== "off" && mode !== "auto") throw new Error(`--modes: "off" or "auto", got "${mode}"`);

const prompts = readFileSync(resolve(import.meta.dirname, "../prompts/completion.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { prompt: string }).prompt);

/** Aggregate decode tokens/s of `streams` streams sending the prompts between them, each in turn. */
async function aggregate(client: InferenceClient, streams: number, mode: string): Promise<number> {
    let tokens = 0;
    let decodeMs = 0;
    const startedAt = performance.now();
    await Promise.all(
        Array.from({ length: streams }, async (_, s) => {
            for (let i = s; i < prompts.length; i += streams) {
                const call = client.GenerateStream({
                    prompt: prompts[i]!,
                    max_tokens: maxTokens,
                    speculation: { mode: mode === "off" ? "SPECULATION_MODE_OFF" : "SPECULATION_MODE_AUTO" },
                });
                let first = 0;
                for await (const chunk of call as AsyncIterable<GenerateChunk__Output>) {
                    if (first === 0) first = performance.now();
                    else tokens += chunk.token_ids.length;
                }
                if (streams === 1) decodeMs += performance.now() - first;
            }
        }),
    );
    // One stream: tokens after the first over the time after it (decode speed, the prompt pass apart);
    // several: all of it over the wall time (the prompt passes share batches with the others' steps).
    return tokens / ((streams === 1 ? decodeMs : performance.now() - startedAt) / 1000);
}

const loaded = loadConfig(undefined);
const config = parseConfig(
    {
        ...loaded.config,
        engine: {
            ...loaded.config.engine,
            sequences: Math.max(...streamCounts),
            threads: benchThreads,
            gpu: benchGpu,
            // Every round sends the same prompts: reuse would make later rounds prompt-free.
            prefixReuse: false,
        },
        speculation: { ...loaded.config.speculation, stateFile: null },
        server: { ...loaded.config.server, grpcPort: 0, metricsPort: 0, httpPort: 0 },
    },
    "bench config",
);
const served = await startServedBench(config, loaded.baseDir);
const engine = served.app.engine!;
const loadedWith = engine.overlap;
const rows: string[] = [];
const results: Record<string, Record<number, { on: number; off: number; ratios: number[] }>> = {};
try {
    for (const mode of modes) await aggregate(served.client, 1, mode); // warm-up (AUTO learns its costs)
    for (const mode of modes) {
        results[mode] = {};
        for (const streams of streamCounts) {
            const tps = { on: [] as number[], off: [] as number[] };
            const ratios: number[] = [];
            for (let r = 0; r < rounds; r++) {
                const order = r % 2 === 0 ? ([true, false] as const) : ([false, true] as const);
                const round: Record<string, number> = {};
                for (const overlap of order) {
                    engine.overlap = overlap;
                    round[overlap ? "on" : "off"] = await aggregate(served.client, streams, mode);
                }
                tps.on.push(round.on!);
                tps.off.push(round.off!);
                ratios.push(round.on! / round.off!);
            }
            const result = { on: median(tps.on), off: median(tps.off), ratios };
            results[mode][streams] = result;
            const sorted = [...ratios].sort((a, b) => a - b);
            rows.push(
                `| ${mode.toUpperCase()} | ${streams} | ${result.off.toFixed(0)} | ${result.on.toFixed(0)} | **${median(ratios).toFixed(3)}** (${sorted[0]!.toFixed(2)}–${sorted.at(-1)!.toFixed(2)}) |`,
            );
            console.error(
                `${mode} ${streams} streams: ${result.off.toFixed(0)} → ${result.on.toFixed(0)} tok/s (${median(ratios).toFixed(3)})`,
            );
        }
    }
} finally {
    engine.overlap = loadedWith;
    await served.stop();
}
const markdown = [
    `## Overlapping plain steps' bookkeeping with the next pass, over gRPC — bundled pair, ${maxTokens} tokens a request, ${prompts.length} prompts a round, ${rounds} rounds`,
    "",
    `CPU: ${cpus()[0]?.model ?? "?"} × ${cpus().length}; engine threads ${benchThreads}${benchGpu ? `; GPU ${benchGpu}` : ""}; engine.overlapSteps ${JSON.stringify(config.engine.overlapSteps)} (on at load: ${loadedWith}). One stream: decode tok/s (after the first token); several: tokens over wall time, prompts included.`,
    "Not the defaults, and why: prefix reuse off (every round sends the same prompts), as many sequences as the most streams, TIERCEL_BENCH_THREADS engine threads (1 on a shared 2-vCPU machine: ggml's spinning barrier).",
    "",
    "| mode | streams | tok/s, overlap off | tok/s, overlap on | on ÷ off, median of the rounds (range) |",
    "| --- | --- | --- | --- | --- |",
    ...rows,
    "",
].join("\n");
console.log(markdown);
const out = resolve(import.meta.dirname, `../results/overlapSteps${benchGpu ? "-gpu" : ""}.md`);
writeFileSync(out, markdown);
writeFileSync(
    out.replace(/\.md$/, ".json"),
    JSON.stringify({ date: new Date().toISOString(), results }, null, 2) + "\n",
);
console.error(`wrote ${out}`);
