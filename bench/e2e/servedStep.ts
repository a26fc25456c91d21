/**
 * `npm run bench:step`: what a token costs on the served paths against the same request in process, and
 * where the time between target passes goes. One app serves all three: the in-process path calls
 * LocalEngine.generate; the gRPC path streams from the server on loopback, and the gateway path streams
 * `POST /v1/completions` from the app's agent gateway (its router's local tier is that gRPC server, in the
 * same process, as `npm start` runs it), both with the client in its own process (streamClientChild.ts),
 * as a user's client or agent runs, timed where it reads the chunks. The same prompts (bench/prompts
 * completion + edit) rotate between the paths, each after an untimed run of the same prompt so that all
 * find its prefix cached.
 *
 * Per path: decode tokens/s (tokens after the first ÷ the time from the first to the end), and per target
 * pass the native decode time and the gap from one decode's end to the next's start, split into the
 * per-token sampling on the libuv pool (node-llama-cpp's `sampleToken`) and the rest (node-llama-cpp's
 * queueing, the engine's step, the consumer: for gRPC the chunk's write). Decodes and samplings are timed
 * by observing the target context's native handle (test/helpers/countNativeDecodes.ts, a measurement-only
 * device: node-llama-cpp exposes no per-decode timing), each path's samplings as the counts' growth over
 * its requests. On a 2-vCPU machine the client process and the sockets' work share the cores with the
 * decode, which shows as a slower decode on the served paths. The last column is the JavaScript thread's
 * time inside the calls that queue a pass's decode and its samplings on the libuv pool (part of the decode
 * and sampling times before it): on a virtual machine, waking a pool thread can hold the caller for tens
 * of microseconds a call.
 *
 *   npm run bench:step -- [--mode off|auto] [--tokens 128] [--prompts 24] [--rounds 1] [--json file]
 *        [--overlap true|false]
 *
 * --overlap sets engine.overlapSteps (default "auto": on with the target on a GPU; src/engine/generate.ts
 * "Overlap").
 */
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { parseConfig } from "../../src/config/loadConfig.js";
import { speculationModeSchema } from "../../src/config/schema.js";
import { bundledModelPath } from "../../test/helpers/bundledModels.js";
import { countNativeDecodes } from "../../test/helpers/countNativeDecodes.js";
import { benchGpu } from "../benchGpu.js";
import { startServedBench } from "../startServedBench.js";
import { benchThreads } from "../threads.js";

const { values } = parseArgs({
    options: {
        mode: { type: "string", default: "off" },
        tokens: { type: "string", default: "128" },
        prompts: { type: "string", default: "24" },
        rounds: { type: "string", default: "1" },
        json: { type: "string" },
        overlap: { type: "string" },
    },
});
if (values.overlap !== undefined && values.overlap !== "true" && values.overlap !== "false")
    throw new Error(`--overlap takes "true" or "false", got "${values.overlap}"`);
const mode = speculationModeSchema.parse(values.mode);
const maxTokens = Number(values.tokens);
const rounds = Number(values.rounds);
const prompts = ["completion", "edit"]
    .flatMap((set) =>
        readFileSync(resolve(import.meta.dirname, `../prompts/${set}.jsonl`), "utf8")
            .split("\n")
            .filter((l) => l.trim() !== "")
            .map((l) => (JSON.parse(l) as { prompt: string }).prompt),
    )
    .slice(0, Number(values.prompts));

const config = parseConfig(
    {
        models: {
            target: { id: "target", path: bundledModelPath("target") },
            drafts: [{ id: "draft", path: bundledModelPath("draft") }],
        },
        engine: {
            threads: benchThreads,
            gpu: benchGpu,
            ...(values.overlap !== undefined && { overlapSteps: values.overlap === "true" }),
        },
        server: { grpcPort: 0, httpPort: 0, metricsPort: 0 },
        speculation: { stateFile: null, defaultMode: mode },
    },
    "bench config",
);
const served = await startServedBench(config, "/");
const engine = served.app.engine!;

/** What the target's native handle did while a path's requests ran. */
interface Timeline {
    decodes: number;
    decodeMs: number;
    gaps: number;
    gapMs: number;
    samplings: number;
    samplingMs: number;
    queueMs: number;
}
const emptyTimeline = (): Timeline => ({
    decodes: 0,
    decodeMs: 0,
    gaps: 0,
    gapMs: 0,
    samplings: 0,
    samplingMs: 0,
    queueMs: 0,
});
let current: Timeline | undefined;
let decodeStart = 0;
let lastEnd: number | undefined;
const decodes = countNativeDecodes(engine.target.context, (at) => {
    const now = performance.now();
    if (!current) return;
    if (at === "start") {
        if (lastEnd !== undefined) {
            current.gaps++;
            current.gapMs += now - lastEnd;
        }
        decodeStart = now;
        return;
    }
    current.decodes++;
    current.decodeMs += now - decodeStart;
    lastEnd = now;
});

const child = spawn(
    process.execPath,
    [
        "--import",
        "tsx",
        resolve(import.meta.dirname, "streamClientChild.ts"),
        served.grpcAddress,
        served.gatewayUrl,
    ],
    { stdio: ["pipe", "pipe", "inherit"] },
);
const answers = createInterface({ input: child.stdout })[Symbol.asyncIterator]();

interface Outcome {
    tokens: number;
    firstMs: number;
    ms: number;
}
async function inChild(via: "grpc" | "gateway", prompt: string): Promise<Outcome> {
    child.stdin.write(`${JSON.stringify({ via, prompt, maxTokens })}\n`);
    const answer = await answers.next();
    if (answer.done) throw new Error("the client process ended early");
    return JSON.parse(answer.value) as Outcome;
}
async function inProcess(prompt: string): Promise<Outcome> {
    const start = performance.now();
    let tokens = 0;
    let firstMs = 0;
    for await (const chunk of engine.generate({ prompt, maxTokens })) {
        if (tokens === 0 && chunk.tokens.length > 0) firstMs = performance.now() - start;
        tokens += chunk.tokens.length;
    }
    return { tokens, firstMs, ms: performance.now() - start };
}

const paths = [
    { name: "in process", run: inProcess, tokens: 0, decodeSeconds: 0, timeline: emptyTimeline() },
    {
        name: "gRPC stream, client process",
        run: (p: string) => inChild("grpc", p),
        tokens: 0,
        decodeSeconds: 0,
        timeline: emptyTimeline(),
    },
    {
        name: "gateway /v1/completions stream (OpenAI SDK), client process",
        run: (p: string) => inChild("gateway", p),
        tokens: 0,
        decodeSeconds: 0,
        timeline: emptyTimeline(),
    },
];
for (const prompt of prompts.slice(0, 2)) for (const path of paths) await path.run(prompt);
for (let round = 0; round < rounds; round++)
    for (const [i, prompt] of prompts.entries()) {
        await inProcess(prompt);
        // Rotating which path goes first, so that none always follows the untimed run.
        for (const path of [...paths.slice(i % paths.length), ...paths.slice(0, i % paths.length)]) {
            current = path.timeline;
            lastEnd = undefined;
            const samplings = decodes.samplings;
            const samplingMs = decodes.samplingMs;
            const queueMs = decodes.queueMs;
            const outcome = await path.run(prompt);
            current = undefined;
            path.timeline.samplings += decodes.samplings - samplings;
            path.timeline.samplingMs += decodes.samplingMs - samplingMs;
            path.timeline.queueMs += decodes.queueMs - queueMs;
            path.tokens += Math.max(0, outcome.tokens - 1);
            path.decodeSeconds += (outcome.ms - outcome.firstMs) / 1000;
        }
    }
child.stdin.end();
await served.stop();

const us = (ms: number, n: number) => ((ms / Math.max(1, n)) * 1000).toFixed(0);
const base = paths[0]!.tokens / paths[0]!.decodeSeconds;
const rows = paths.map((p) => {
    const t = p.timeline;
    const tokensPerSecond = p.tokens / p.decodeSeconds;
    const samplingPerGap = t.samplingMs / Math.max(1, t.gaps);
    return {
        path: p.name,
        tokensPerSecond,
        ratio: tokensPerSecond / base,
        decodeUs: Number(us(t.decodeMs, t.decodes)),
        gapUs: Number(us(t.gapMs, t.gaps)),
        samplingUs: Number(us(samplingPerGap, 1)),
        restUs: Number(us(t.gapMs / Math.max(1, t.gaps) - samplingPerGap, 1)),
        decodes: t.decodes,
        queueUs: Number(us(t.queueMs, t.decodes)),
    };
});
console.log(
    `mode ${mode}, ${prompts.length} prompts × ${rounds} round(s), ${maxTokens} tokens, engine threads ${benchThreads}`,
);
console.log(
    "| path | decode tok/s | ÷ in process | decode µs / pass | gap µs | of it sampling | the rest | passes | JS thread queueing native work µs / pass |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
for (const r of rows)
    console.log(
        `| ${r.path} | ${r.tokensPerSecond.toFixed(1)} | ${r.ratio.toFixed(2)} | ${r.decodeUs} | ${r.gapUs} | ${r.samplingUs} | ${r.restUs} | ${r.decodes} | ${r.queueUs} |`,
    );
if (values.json)
    writeFileSync(values.json, JSON.stringify({ date: new Date().toISOString(), mode, rows }, null, 2));
