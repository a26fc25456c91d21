/**
 * gRPC overhead and concurrency scaling (issue 4's benchmark; not a test). In one process and one run:
 *
 *  1. the same prompts generated in-process (LocalEngine.generate) and over gRPC streaming on loopback,
 *     one at a time: tokens/s of each and their ratio (goal ≥ 0.95);
 *  2. a load sweep over gRPC with 1, 2, 4, 8 and 16 concurrent streams (more streams than engine
 *     sequences queue in the engine): aggregate tokens/s (goal ≥ 3× at 8 vs 1), time to first token and
 *     request latency percentiles, and rejections (RESOURCE_EXHAUSTED when the queue is full).
 *
 *   node --import tsx bench/e2e/grpcThroughput.ts [--config path.json] [--max-tokens 128] [--rounds 2]
 *        [--prompts 24] [--threads N] [--concurrency 1,2,4,8,16] [--sequences N] [--context-size N]
 *        [--target model.gguf]
 *        [--json out.json]
 *
 * TIERCEL_BENCH_GPU runs the engine on a GPU (the GPU check sweeps 1, 8 and 32 streams on its target).
 *
 * On a shared machine pass --threads 1: ggml's threads spin-wait, and oversubscribed cores make every
 * step many times slower (FACTS.md, "thread trap").
 *
 * Uses the bundled pair unless --config says otherwise, with engine.sequences raised to 8; prints a table
 * and writes the JSON to bench/results/grpc-throughput-<time>.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { credentials, status, type ServiceError } from "@grpc/grpc-js";
import { createApp } from "../../src/app.js";
import { loadConfig, parseConfig } from "../../src/config/loadConfig.js";
import type { GenerateChunk__Output } from "../../src/grpc/generated/tiercel/v1/GenerateChunk.js";
import type { InferenceClient } from "../../src/grpc/generated/tiercel/v1/Inference.js";
import { loadInferenceProto } from "../../src/grpc/loadProto.js";
import { silentLogger } from "../../src/util/logger.js";
import { percentile } from "../percentile.js";
import { benchGpu } from "../benchGpu.js";

const { values } = parseArgs({
    options: {
        config: { type: "string" },
        "max-tokens": { type: "string", default: "128" },
        rounds: { type: "string", default: "2" },
        prompts: { type: "string", default: "24" },
        threads: { type: "string" },
        concurrency: { type: "string", default: "1,2,4,8,16" },
        sequences: { type: "string" },
        "context-size": { type: "string" },
        target: { type: "string" },
        json: { type: "string" },
    },
});
const maxTokens = Number(values["max-tokens"]);
const rounds = Number(values.rounds);
const concurrencies = values.concurrency.split(",").map(Number);
if (concurrencies.some((c) => !Number.isInteger(c) || c < 1))
    throw new Error(`--concurrency takes positive integers separated by commas, got "${values.concurrency}"`);

const benchDir = import.meta.dirname;
const prompts = ["completion", "edit"]
    .flatMap((set) =>
        readFileSync(resolve(benchDir, `../prompts/${set}.jsonl`), "utf8")
            .split("\n")
            .filter((l) => l.trim() !== "")
            .map((l) => (JSON.parse(l) as { prompt: string }).prompt),
    )
    .slice(0, Number(values.prompts));

const loaded = loadConfig(values.config);
const config = parseConfig(
    {
        ...loaded.config,
        ...(values.target === undefined
            ? {}
            : {
                  models: {
                      ...loaded.config.models,
                      target: { ...loaded.config.models.target, path: values.target },
                  },
              }),
        engine: {
            ...loaded.config.engine,
            gpu: benchGpu,
            ...(values["context-size"] === undefined ? {} : { contextSize: Number(values["context-size"]) }),
            sequences:
                values.sequences === undefined
                    ? Math.max(8, loaded.config.engine.sequences)
                    : Number(values.sequences),
            ...(values.threads === undefined ? {} : { threads: Number(values.threads) }),
        },
        server: { ...loaded.config.server, grpcPort: 0, metricsPort: 0 },
        // AUTO starts from nothing learned in every run: a state file would carry one run's learning into
        // the next, and two runs would not measure the same thing.
        speculation: { ...loaded.config.speculation, stateFile: null },
    },
    "bench config",
);
const app = createApp(config, { baseDir: loaded.baseDir, createLogger: () => silentLogger });
const { grpcAddress } = await app.start();
const engine = app.engine!;
const client: InferenceClient = new (loadInferenceProto().grpcObject.tiercel.v1.Inference)(
    grpcAddress,
    credentials.createInsecure(),
);

/** One request's outcome: tokens received, time to the first token and to the end, or its rejection. */
interface RequestOutcome {
    tokens: number;
    ttftMs: number;
    latencyMs: number;
    rejected: boolean;
}

async function inProcess(prompt: string): Promise<RequestOutcome> {
    const start = performance.now();
    let tokens = 0;
    let ttftMs = 0;
    for await (const chunk of engine.generate({ prompt, maxTokens }, AbortSignal.timeout(600_000))) {
        if (tokens === 0 && chunk.tokens.length > 0) ttftMs = performance.now() - start;
        tokens += chunk.tokens.length;
    }
    return { tokens, ttftMs, latencyMs: performance.now() - start, rejected: false };
}

function overGrpc(prompt: string): Promise<RequestOutcome> {
    return new Promise((resolvePromise, reject) => {
        const start = performance.now();
        let tokens = 0;
        let ttftMs = 0;
        const call = client.GenerateStream({ prompt, max_tokens: maxTokens });
        call.on("data", (chunk: GenerateChunk__Output) => {
            if (tokens === 0 && chunk.token_ids.length > 0) ttftMs = performance.now() - start;
            tokens += chunk.token_ids.length;
        });
        call.on("error", (error: ServiceError) => {
            if (error.code === status.RESOURCE_EXHAUSTED)
                resolvePromise({ tokens, ttftMs, latencyMs: performance.now() - start, rejected: true });
            else reject(error);
        });
        call.on("end", () => {
            resolvePromise({ tokens, ttftMs, latencyMs: performance.now() - start, rejected: false });
        });
    });
}

/** Runs `jobs` with `concurrency` workers: aggregate tokens/s, TTFT and latency percentiles, rejections. */
async function measure(jobs: string[], concurrency: number, run: (p: string) => Promise<RequestOutcome>) {
    const queue = [...jobs];
    const outcomes: RequestOutcome[] = [];
    const start = performance.now();
    await Promise.all(
        Array.from({ length: concurrency }, async () => {
            for (let p = queue.shift(); p !== undefined; p = queue.shift()) {
                // Not `total += await run(p)`: that reads the total before awaiting and loses the
                // other workers' additions made meanwhile.
                outcomes.push(await run(p));
            }
        }),
    );
    const seconds = (performance.now() - start) / 1000;
    const served = outcomes.filter((o) => !o.rejected);
    const tokens = served.reduce((sum, o) => sum + o.tokens, 0);
    const ttft = served.map((o) => o.ttftMs);
    const latency = served.map((o) => o.latencyMs);
    return {
        tokens,
        seconds,
        tokensPerSecond: tokens / seconds,
        requests: outcomes.length,
        rejected: outcomes.length - served.length,
        ttftMs: { p50: percentile(ttft, 0.5), p95: percentile(ttft, 0.95), p99: percentile(ttft, 0.99) },
        latencyMs: {
            p50: percentile(latency, 0.5),
            p95: percentile(latency, 0.95),
            p99: percentile(latency, 0.99),
        },
    };
}

const jobs = Array.from({ length: rounds }, () => prompts).flat();
// Warm both paths once before measuring.
await measure(prompts.slice(0, 2), 1, inProcess);
await measure(prompts.slice(0, 2), 1, overGrpc);

const progress = (what: string, r: { tokensPerSecond: number }) => {
    console.error(`${what}: ${r.tokensPerSecond.toFixed(1)} tok/s`);
};
// Interleaved, prompt by prompt, in alternating order, after an untimed run of the same prompt: the
// engine-wide speculation policy keeps learning and prefix reuse favours a repeated prompt, so running
// one path entirely before the other (or always second) would favour it.
const direct = { tokens: 0, seconds: 0, tokensPerSecond: 0 };
const grpc = { tokens: 0, seconds: 0, tokensPerSecond: 0 };
for (const [i, prompt] of jobs.entries()) {
    await inProcess(prompt);
    const pair = [
        [direct, inProcess],
        [grpc, overGrpc],
    ] as const;
    for (const [total, run] of i % 2 === 0 ? pair : [...pair].reverse()) {
        const r = await measure([prompt], 1, run);
        total.tokens += r.tokens;
        total.seconds += r.seconds;
    }
}
direct.tokensPerSecond = direct.tokens / direct.seconds;
grpc.tokensPerSecond = grpc.tokens / grpc.seconds;
progress("in-process", direct);
progress("gRPC", grpc);
const scaling = [];
for (const concurrency of concurrencies) {
    // Distinct prompts run at once (the job list cycles through the prompt set), each prompt as often
    // at every concurrency, so prefix reuse helps every level alike.
    const work = Array.from({ length: concurrency }, () => jobs).flat();
    const local = await measure(work, concurrency, inProcess);
    progress(`${concurrency} in-process`, local);
    const r = await measure(work, concurrency, overGrpc);
    progress(`${concurrency} streams`, r);
    scaling.push({ concurrency, ...r, inProcessTokensPerSecond: local.tokensPerSecond });
}

const base = scaling[0]!.tokensPerSecond;
const result = {
    date: new Date().toISOString(),
    target: config.models.target.id,
    maxTokens,
    requests: jobs.length,
    inProcess: direct,
    grpcStreaming: grpc,
    grpcOverInProcess: grpc.tokensPerSecond / direct.tokensPerSecond,
    concurrency: scaling.map((s) => ({ ...s, speedupOverOne: s.tokensPerSecond / base })),
};
const f = (x: number) => x.toFixed(1);
console.log(`in-process       ${f(direct.tokensPerSecond)} tok/s`);
console.log(
    `gRPC streaming   ${f(grpc.tokensPerSecond)} tok/s  (${result.grpcOverInProcess.toFixed(3)} of in-process; goal ≥ 0.95)`,
);
console.log(
    `engine sequences ${config.engine.sequences}, queue ${config.engine.maxQueue}, threads ${config.engine.threads ?? "default"}`,
);
console.log(
    "streams | tok/s | × 1 stream | in-process tok/s | TTFT p50/p95/p99 ms | latency p50/p95/p99 ms | rejected",
);
for (const s of result.concurrency) {
    const p = (x: { p50: number; p95: number; p99: number }) => `${f(x.p50)} / ${f(x.p95)} / ${f(x.p99)}`;
    console.log(
        `${String(s.concurrency).padStart(7)} | ${f(s.tokensPerSecond)} | ${s.speedupOverOne.toFixed(2)} | ${f(s.inProcessTokensPerSecond)} | ${p(s.ttftMs)} | ${p(s.latencyMs)} | ${s.rejected}/${s.requests}`,
    );
}
const resultsDir = resolve(benchDir, "../results");
mkdirSync(resultsDir, { recursive: true });
const file = values.json ?? resolve(resultsDir, `grpc-throughput-${result.date.replace(/[:.]/g, "-")}.json`);
writeFileSync(file, JSON.stringify(result, null, 2) + "\n");
console.log(`wrote ${file}`);

client.close();
await app.stop();
