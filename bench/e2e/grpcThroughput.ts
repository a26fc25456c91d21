/**
 * gRPC overhead and concurrency scaling (issue 4's benchmark; not a test). In one process and one run:
 *
 *  1. the same prompts generated in-process (LocalEngine.generate) and over gRPC streaming on loopback,
 *     one at a time: tokens/s of each and their ratio (goal ≥ 0.95);
 *  2. a load sweep over gRPC with 1, 2, 4, 8 and 16 concurrent streams (more streams than engine
 *     sequences queue in the engine), each stream running sessions of `--turns` requests that grow by
 *     their own answers (see measureSessions): aggregate tokens/s (goal ≥ 3× at 8 vs 1), time to first
 *     token and request latency percentiles, the share of prompt tokens reused, rejections
 *     (RESOURCE_EXHAUSTED when the queue is full), and how busy this process's JavaScript thread was
 *     (event-loop utilisation: the server and its gRPC clients) against the share of the time spent in
 *     the target's native decodes.
 *
 *   node --import tsx bench/e2e/grpcThroughput.ts [--config path.json] [--max-tokens 128] [--rounds 2]
 *        [--turns 3] [--prompts 24] [--threads N] [--concurrency 1,2,4,8,16] [--sequences N] [--context-size N]
 *        [--target model.gguf] [--chat]
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
import { status, type ServiceError } from "@grpc/grpc-js";
import { loadConfig, parseConfig } from "../../src/config/loadConfig.js";
import type { ChatMessage } from "../../src/engine/types.js";
import type { GenerateChunk__Output } from "../../src/grpc/generated/tiercel/v1/GenerateChunk.js";
import { countNativeDecodes } from "../../test/helpers/countNativeDecodes.js";
import { microBatches } from "../microBatches.js";
import { percentile } from "../percentile.js";
import { benchGpu } from "../benchGpu.js";
import { startServedBench } from "../startServedBench.js";

const { values } = parseArgs({
    options: {
        config: { type: "string" },
        "max-tokens": { type: "string", default: "128" },
        rounds: { type: "string", default: "2" },
        turns: { type: "string", default: "3" },
        prompts: { type: "string", default: "24" },
        threads: { type: "string" },
        concurrency: { type: "string", default: "1,2,4,8,16" },
        sequences: { type: "string" },
        "context-size": { type: "string" },
        target: { type: "string" },
        json: { type: "string" },
        chat: { type: "boolean", default: false },
    },
});
const maxTokens = Number(values["max-tokens"]);
const rounds = Number(values.rounds);
const turns = Number(values.turns);
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
const served = await startServedBench(config, loaded.baseDir);
const { app, client } = served;
const engine = app.engine!;
// The target's native batches (observation only): how many sequences share a decode, and how many
// micro-batches llama.cpp splits each into (microBatches.ts), the cost a GPU pays per step.
const decodes = countNativeDecodes(engine.target.context);
function batchShape() {
    const shared = decodes.sequenceIdsPerDecode
        .map((ids, i) => [ids, decodes.sequenceTokensPerDecode[i]!] as const)
        .filter(([ids]) => ids.length > 1);
    const mean = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
    return {
        decodes: decodes.decodes,
        sequencesPerDecode: mean(decodes.sequencesPerDecode),
        microBatchesPerSharedDecode: mean(shared.map(([ids, tokens]) => microBatches(ids, tokens))),
    };
}
/** One request's outcome: tokens received, time to the first token and to the end, or its rejection. */
interface RequestOutcome {
    tokens: number;
    ttftMs: number;
    latencyMs: number;
    rejected: boolean;
    /** The answer's text. */
    text: string;
    /** Prompt tokens, and those whose KV state the request's sequence still held (the final chunk's stats). */
    promptTokens: number;
    reusedTokens: number;
}

/** A request's input: a raw prompt, or chat messages (--chat sessions). */
type Input = string | ChatMessage[];
const requestOf = (input: Input): { prompt: string } | { messages: ChatMessage[] } =>
    typeof input === "string" ? { prompt: input } : { messages: input };

async function inProcess(input: Input): Promise<RequestOutcome> {
    const start = performance.now();
    let tokens = 0;
    let ttftMs = 0;
    let promptTokens = 0;
    let reusedTokens = 0;
    let text = "";
    for await (const chunk of engine.generate(
        { ...requestOf(input), maxTokens },
        AbortSignal.timeout(600_000),
    )) {
        if (tokens === 0 && chunk.tokens.length > 0) ttftMs = performance.now() - start;
        tokens += chunk.tokens.length;
        text += chunk.text;
        if (chunk.finish) {
            promptTokens = chunk.finish.stats.promptTokens;
            reusedTokens = chunk.finish.stats.promptTokensReused;
        }
    }
    return {
        tokens,
        ttftMs,
        latencyMs: performance.now() - start,
        rejected: false,
        text,
        promptTokens,
        reusedTokens,
    };
}

function overGrpc(input: Input): Promise<RequestOutcome> {
    return new Promise((resolvePromise, reject) => {
        const start = performance.now();
        let tokens = 0;
        let ttftMs = 0;
        let promptTokens = 0;
        let reusedTokens = 0;
        let text = "";
        const call = client.GenerateStream({ ...requestOf(input), max_tokens: maxTokens });
        call.on("data", (chunk: GenerateChunk__Output) => {
            if (tokens === 0 && chunk.token_ids.length > 0) ttftMs = performance.now() - start;
            tokens += chunk.token_ids.length;
            text += chunk.text;
            if (chunk.stats && chunk.usage) {
                promptTokens = chunk.usage.prompt_tokens;
                reusedTokens = chunk.stats.prompt_tokens_reused;
            }
        });
        const end = (rejected: boolean) => ({
            tokens,
            ttftMs,
            latencyMs: performance.now() - start,
            rejected,
            text,
            promptTokens,
            reusedTokens,
        });
        call.on("error", (error: ServiceError) => {
            if (error.code === status.RESOURCE_EXHAUSTED) resolvePromise(end(true));
            else reject(error);
        });
        call.on("end", () => {
            resolvePromise(end(false));
        });
    });
}

/** Aggregate tokens/s, TTFT and latency percentiles, rejections and prompt reuse of a set of outcomes. */
function summarize(outcomes: RequestOutcome[], seconds: number) {
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
        // Share of the served requests' prompt tokens that were not evaluated again (prefix reuse).
        promptReuse:
            served.reduce((sum, o) => sum + o.reusedTokens, 0) /
            Math.max(
                1,
                served.reduce((sum, o) => sum + o.promptTokens, 0),
            ),
        ttftMs: { p50: percentile(ttft, 0.5), p95: percentile(ttft, 0.95), p99: percentile(ttft, 0.99) },
        latencyMs: {
            p50: percentile(latency, 0.5),
            p95: percentile(latency, 0.95),
            p99: percentile(latency, 0.99),
        },
    };
}

/** Runs one request per prompt, one at a time. */
async function measure(jobs: string[], run: (p: string) => Promise<RequestOutcome>) {
    const outcomes: RequestOutcome[] = [];
    const start = performance.now();
    for (const prompt of jobs) outcomes.push(await run(prompt));
    return summarize(outcomes, (performance.now() - start) / 1000);
}

/**
 * The load sweep's traffic: `concurrency` streams, each running agent-like sessions one after another.
 * A session starts from one of the prompts and sends `turns` requests, each turn's prompt being the
 * previous prompt, its answer and a newline (a conversation growing by its own output, as an agent's
 * does), so a session's next request finds its prefix in the sequence its previous one left. Sessions
 * start from the prompts in turn, as many as there are streams (at least one per prompt), so every
 * level runs the same prompts. Earlier versions sent unrelated requests round-robin from a shared queue:
 * whether a request found its prefix then depended on which sequence happened to be free, which favoured
 * modes whose requests finish in lockstep (OFF) over those that do not (AUTO: 100 vs 25–35 % of prompt
 * tokens reused at 8 streams on the bundled pair). Every call's sessions are new ones (a first line
 * naming the phase): replaying the same sessions let a phase find the caches of the one before it, and
 * the gRPC phase, run after the in-process one at each level, met conversations one turn longer than its
 * own first turns, whose prefixes it copied over other sessions' caches (76 vs 93 % of prompt tokens
 * reused at 8 streams, gRPC at 0.65 of in-process on the cost-scaled target): the path was not what
 * differed.
 *
 * With --chat a session is a chat instead (agents' traffic): the first turn a user message holding the
 * prompt, each next one the conversation so far, the answer as an assistant message and a short user
 * message after it. A raw-text session re-tokenizes each answer as part of the next prompt, and the
 * tokens at the seam can differ from those generated, so the whole answer is evaluated again (64 % of
 * prompt tokens reused over 4 turns on the bundled tokenizer); a chat's turns meet at the template's
 * special tokens and reuse all but the new messages.
 */
let phase = 0;
async function measureSessions(concurrency: number, run: (input: Input) => Promise<RequestOutcome>) {
    const count = Math.ceil(Math.max(concurrency, prompts.length) / prompts.length) * prompts.length;
    phase++;
    const sessions = Array.from(
        { length: count },
        (_, i) => `// session ${phase}.${i}\n${prompts[i % prompts.length]!}`,
    );
    const outcomes: RequestOutcome[] = [];
    const start = performance.now();
    await Promise.all(
        Array.from({ length: concurrency }, async () => {
            for (let prompt = sessions.shift(); prompt !== undefined; prompt = sessions.shift()) {
                let input: Input = values.chat ? [{ role: "user", content: prompt }] : prompt;
                for (let turn = 0; turn < turns; turn++) {
                    // Not `total += await run(p)`: that reads the total before awaiting and loses the
                    // other workers' additions made meanwhile.
                    const outcome = await run(input);
                    outcomes.push(outcome);
                    input =
                        typeof input === "string"
                            ? `${input}${outcome.text}\n`
                            : [
                                  ...input,
                                  { role: "assistant", content: outcome.text },
                                  { role: "user", content: "Go on." },
                              ];
                }
            }
        }),
    );
    return summarize(outcomes, (performance.now() - start) / 1000);
}

const jobs = Array.from({ length: rounds }, () => prompts).flat();
// Warm both paths once before measuring.
await measure(prompts.slice(0, 2), inProcess);
await measure(prompts.slice(0, 2), overGrpc);

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
        const r = await measure([prompt], run);
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
    const local = await measureSessions(concurrency, inProcess);
    progress(`${concurrency} in-process`, local);
    decodes.reset();
    // How the streams' time splits on this process's one JavaScript thread (the server and its gRPC
    // clients: event-loop utilisation) and in the target's native decodes: where the JS thread is nearly
    // always busy while decodes leave time over, per-request work on it is what limits the aggregate.
    const loop = performance.eventLoopUtilization();
    const r = await measureSessions(concurrency, overGrpc);
    const jsThreadBusy = performance.eventLoopUtilization(loop).utilization;
    const decodeShare = decodes.ms / 1000 / r.seconds;
    const shape = batchShape();
    progress(`${concurrency} streams`, r);
    scaling.push({
        concurrency,
        ...r,
        inProcessTokensPerSecond: local.tokensPerSecond,
        inProcessPromptReuse: local.promptReuse,
        jsThreadBusy,
        decodeShare,
        ...shape,
    });
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
const pct = (x: number) => `${(100 * x).toFixed(0)} %`;
console.log(`in-process       ${f(direct.tokensPerSecond)} tok/s`);
console.log(
    `gRPC streaming   ${f(grpc.tokensPerSecond)} tok/s  (${result.grpcOverInProcess.toFixed(3)} of in-process; goal ≥ 0.95)`,
);
console.log(
    `engine sequences ${config.engine.sequences}, queue ${config.engine.maxQueue}, threads ${config.engine.threads ?? "default"}`,
);
console.log(
    "streams | tok/s | × 1 stream | in-process tok/s | prompt reused (gRPC / in-process) | sequences per decode | llama.cpp micro-batches per shared decode (kv_unified off) | TTFT p50/p95/p99 ms | latency p50/p95/p99 ms | rejected | JS thread busy (server + clients) | in native decodes",
);
for (const s of result.concurrency) {
    const p = (x: { p50: number; p95: number; p99: number }) => `${f(x.p50)} / ${f(x.p95)} / ${f(x.p99)}`;
    console.log(
        `${String(s.concurrency).padStart(7)} | ${f(s.tokensPerSecond)} | ${s.speedupOverOne.toFixed(2)} | ${f(s.inProcessTokensPerSecond)} | ${pct(s.promptReuse)} / ${pct(s.inProcessPromptReuse)} | ${s.sequencesPerDecode.toFixed(1)} | ${s.microBatchesPerSharedDecode.toFixed(2)} | ${p(s.ttftMs)} | ${p(s.latencyMs)} | ${s.rejected}/${s.requests} | ${pct(s.jsThreadBusy)} | ${pct(s.decodeShare)}`,
    );
}
const resultsDir = resolve(benchDir, "../results");
mkdirSync(resultsDir, { recursive: true });
const file = values.json ?? resolve(resultsDir, `grpc-throughput-${result.date.replace(/[:.]/g, "-")}.json`);
writeFileSync(file, JSON.stringify(result, null, 2) + "\n");
console.log(`wrote ${file}`);

await served.stop();
