/**
 * What pooling node-llama-cpp's native samplers (src/engine/poolSamplers.ts) is worth to a gRPC client,
 * by vocabulary size: a server on loopback serving a model of each vocabulary (the family fixtures' tiny
 * random-weight Qwen2.5 and Llama 3 targets with their real 151,936- and 128,256-token vocabularies, and
 * the bundled 4,099-token target), 1, 4 and 8 concurrent GenerateStream calls of 64 tokens, OFF, with the
 * pool and with a new sampler per call (the bindings' original class put back for those rounds), rounds
 * alternating. Prints aggregate tokens/s and the ratio, median of the rounds, measured in one run.
 *
 *   node --import tsx bench/e2e/samplerPool.ts [--rounds 3] [--streams 1,4,8] [--models qwen25coder,llama3,bundled]
 *
 * The family fixtures are tiny: their decode is cheap and the sampler's cost shows whole. A 7B model's
 * decode costs more a token, so the share is smaller at one stream, but the sampler's cost is the same
 * per sequence per step and is paid on the one JavaScript thread, whatever the GPU. TIERCEL_BENCH_GPU runs
 * the models on a GPU (the GPU check's opt-in "sampler pool" phase; results in samplerPool-gpu.md).
 */
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { resolve } from "node:path";
import { option } from "../cli.js";
import { startServedBench } from "../startServedBench.js";
import { benchGpu } from "../benchGpu.js";
import { benchThreads } from "../threads.js";
import { ensureFamilyFixtures } from "../../models/build/buildFamilyFixtures.js";
import { loadConfig, parseConfig } from "../../src/config/loadConfig.js";
import type { GenerateChunk__Output } from "../../src/grpc/generated/tiercel/v1/GenerateChunk.js";
import type { InferenceClient } from "../../src/grpc/generated/tiercel/v1/Inference.js";
import { bundledModelPath } from "../../test/helpers/bundledModels.js";
import { median } from "../percentile.js";

const rounds = Number(option("--rounds", "3"));
const streamCounts = option("--streams", "1,4,8").split(",").map(Number);
const modelNames = option("--models", "qwen25coder,llama3,bundled").split(",");

const families = await ensureFamilyFixtures();
const targets: Record<string, string> = {
    qwen25coder: families.qwen25coder.target,
    llama3: families.llama3.target,
    bundled: bundledModelPath("target"),
};

/** Aggregate tokens/s of `streams` concurrent streams, each sending `perStream` requests in turn. */
async function aggregate(client: InferenceClient, streams: number, perStream = 3): Promise<number> {
    const startedAt = performance.now();
    let tokens = 0;
    await Promise.all(
        Array.from({ length: streams }, async (_, s) => {
            for (let i = 0; i < perStream; i++) {
                const call = client.GenerateStream({
                    prompt: `def handler_${s}_${i}(event, context):\n    """Route the event."""\n`,
                    max_tokens: 64,
                    speculation: { mode: "SPECULATION_MODE_OFF" },
                });
                for await (const chunk of call as AsyncIterable<GenerateChunk__Output>)
                    tokens += chunk.token_ids.length;
            }
        }),
    );
    return tokens / ((performance.now() - startedAt) / 1000);
}

const rows: string[] = [];
const results: Record<string, Record<number, { pooled: number; fresh: number }>> = {};
for (const name of modelNames) {
    const path = targets[name];
    if (!path)
        throw new Error(`--models: unknown model "${name}" (one of ${Object.keys(targets).join(", ")})`);
    const loaded = loadConfig(undefined);
    const config = parseConfig(
        {
            ...loaded.config,
            models: { target: { id: name, path }, drafts: [] },
            engine: {
                ...loaded.config.engine,
                contextSize: 1024,
                sequences: Math.max(...streamCounts),
                threads: benchThreads,
                gpu: benchGpu,
                hostCache: { maxBytes: 0 },
            },
            speculation: { ...loaded.config.speculation, stateFile: null },
            server: { ...loaded.config.server, grpcPort: 0, metricsPort: 0, httpPort: 0 },
        },
        "bench config",
    );
    const served = await startServedBench(config, loaded.baseDir);
    const bindings = (
        served.app.engine!.target.model.llama as unknown as { _bindings: { AddonSampler: object } }
    )._bindings;
    const pooled = bindings.AddonSampler;
    const fresh = Object.getPrototypeOf(pooled) as object;
    try {
        await aggregate(served.client, 1, 1); // warm-up
        results[name] = {};
        for (const streams of streamCounts) {
            const tps = { pooled: [] as number[], fresh: [] as number[] };
            for (let r = 0; r < rounds; r++)
                for (const kind of r % 2 === 0
                    ? (["pooled", "fresh"] as const)
                    : (["fresh", "pooled"] as const)) {
                    bindings.AddonSampler = kind === "pooled" ? pooled : fresh;
                    tps[kind].push(await aggregate(served.client, streams));
                }
            const result = { pooled: median(tps.pooled), fresh: median(tps.fresh) };
            results[name][streams] = result;
            rows.push(
                `| ${name} | ${streams} | ${result.fresh.toFixed(0)} | ${result.pooled.toFixed(0)} | **${(result.pooled / result.fresh).toFixed(2)}×** |`,
            );
            console.error(
                `${name} ${streams} streams: ${result.fresh.toFixed(0)} → ${result.pooled.toFixed(0)} tok/s`,
            );
        }
    } finally {
        bindings.AddonSampler = pooled;
        await served.stop();
    }
}
const vocab = { qwen25coder: "151,936", llama3: "128,256", bundled: "4,099" } as Record<string, string>;
const markdown = [
    `## Pooled native samplers over gRPC — OFF, 64 tokens a request, median of ${rounds} rounds`,
    "",
    `Vocabularies: ${modelNames.map((m) => `${m} ${vocab[m]}`).join(", ")} tokens. CPU: ${cpus()[0]?.model ?? "?"} × ${cpus().length}; engine threads ${benchThreads}${benchGpu ? `; GPU ${benchGpu}` : ""}.`,
    `Not the defaults, and why: as many sequences as the most streams (none queue: the sampler's cost per sequence is what is measured), host KV cache off (every request is new), no drafts (OFF), TIERCEL_BENCH_THREADS engine threads (1 on a shared 2-vCPU machine: ggml's spinning barrier).`,
    "",
    "| model | streams | tok/s, a new sampler per call | tok/s, pooled | pooled ÷ new |",
    "| --- | --- | --- | --- | --- |",
    ...rows,
    "",
].join("\n");
console.log(markdown);
const out = resolve(import.meta.dirname, `../results/samplerPool${benchGpu ? "-gpu" : ""}.md`);
writeFileSync(out, markdown);
writeFileSync(
    out.replace(/\.md$/, ".json"),
    JSON.stringify({ date: new Date().toISOString(), results }, null, 2) + "\n",
);
console.error(`wrote ${out}`);
