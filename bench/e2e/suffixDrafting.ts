/**
 * Cross-request (suffix) drafting on an agent-like trace (bench/prompts/agentTrace.jsonl), run in
 * order: files in prompts, the next turn asking for a file back with an edit (prompt = previous prompt
 * + previous answer + the new turn), retried requests, fresh requests that re-emit an earlier answer's
 * code, in two sessions. Each system gets a fresh server (fresh engine, pool and AUTO state) and runs
 * the whole trace: OFF, NGRAM, SUFFIX (fixed, k = 8) and AUTO, taking turns request by request. By
 * default every request goes through the gRPC server on loopback, streamed, with the session id a
 * client sends, and is timed by the client (decode tokens/s = tokens after the first ÷ the time from
 * the first token chunk to the end); `--path in-process` calls the engine directly instead (the
 * reference). Reports decode tokens/s, ratio to OFF, acceptance, per request what AUTO chose; then the
 * pool's memory per 1M indexed tokens and its lookup time per step against the step time.
 *
 *   node --expose-gc --import tsx bench/e2e/suffixDrafting.ts [--tokens 64] [--path grpc|in-process]
 */
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { resolve } from "node:path";
import { option } from "../cli.js";
import type { Config } from "../../src/config/schema.js";
import { parseConfig } from "../../src/config/loadConfig.js";
import type { GenerateChunk__Output } from "../../src/grpc/generated/tiercel/v1/GenerateChunk.js";
import { toProtoMode } from "../../src/grpc/mapping.js";
import type { SpeculationMode } from "../../src/config/schema.js";
import { LocalEngine } from "../../src/engine/LocalEngine.js";
import type { GenerationStats } from "../../src/engine/types.js";
import { SuffixPool } from "../../src/speculative/SuffixPool.js";
import { expectedTokensPerPass } from "../../src/speculative/speedup.js";
import { bundledModelPath } from "../../test/helpers/bundledModels.js";
import { benchThreads } from "../threads.js";
import { benchGpu } from "../benchGpu.js";
import { startServedBench } from "../startServedBench.js";
import { probeDivergence, type Divergence } from "./divergenceProbe.js";

interface Turn {
    session: string;
    kind: "new" | "continue" | "retry" | "echo";
    prompt?: string;
    note: string;
}

const maxTokens = Number(option("--tokens", "64"));
const path = option("--path", "grpc");
if (path !== "grpc" && path !== "in-process")
    throw new Error(`--path takes grpc or in-process, got "${path}"`);
const targetPath = option("--target", "") || bundledModelPath("target");
const trace = readFileSync(resolve(import.meta.dirname, "../prompts/agentTrace.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Turn);

const systems: { name: string; mode: SpeculationMode; k?: number }[] = [
    { name: "off", mode: "off" },
    { name: "ngram k=8", mode: "ngram", k: 8 },
    { name: "suffix k=8", mode: "suffix", k: 8 },
    { name: "auto", mode: "auto" },
];

function benchConfig(): Config {
    return parseConfig({
        models: {
            target: { id: "target", path: targetPath },
            drafts: [{ id: "draft", path: bundledModelPath("draft") }],
        },
        engine: { contextSize: 2048, sequences: 1, gpu: benchGpu, threads: benchThreads },
        server: { grpcPort: 0, httpPort: 0, metricsPort: 0 },
        speculation: { stateFile: null },
    });
}

async function loadEngine(): Promise<LocalEngine> {
    return LocalEngine.load(benchConfig(), "/");
}

/** What one request returned, however it was sent. */
interface Answer {
    text: string;
    tokens: number[];
    /** Decode: tokens after the first, and the seconds from the first token to the end. */
    decodeTokens: number;
    decodeSeconds: number;
    drafted: number;
    accepted: number;
    /** The drafter chosen at the start, then each switch ("to at token"). */
    drafters: string[];
    /** Steps by tokens drafted (index = d ≥ 1): the passes' lengths beyond one token. */
    lengths: number[];
    /** Per draft position: steps that kept it, and steps that verified it (SpecStats). */
    kept: number[];
    observed: number[];
    /** Steps that drafted, and target passes. */
    drafts: number;
    passes: number;
}

interface TraceRequest {
    prompt: string;
    session: string;
    mode: SpeculationMode;
    k: number | undefined;
}

/** A system's server: in process (the engine's own stats) or a gRPC server and its client's timings. */
async function startSystem(): Promise<{
    send: (request: TraceRequest) => Promise<Answer>;
    /** The server's measured verify curve now (ms of a pass over n tokens). */
    verifyMs: (n: number) => number;
    dispose: () => Promise<void>;
}> {
    if (path === "in-process") {
        const engine = await loadEngine();
        const send = async ({ prompt, session, mode, k }: TraceRequest): Promise<Answer> => {
            let text = "";
            const tokens: number[] = [];
            let stats: GenerationStats | undefined;
            for await (const chunk of engine.generate({
                prompt,
                maxTokens,
                sessionId: session,
                speculation: { mode, maxDraftTokens: k },
            })) {
                text += chunk.text;
                tokens.push(...chunk.tokens);
                stats = chunk.finish?.stats ?? stats;
            }
            const { chosen, switches } = stats!.speculation;
            return {
                text,
                tokens,
                decodeTokens: Math.max(0, stats!.completionTokens - 1),
                decodeSeconds: (stats!.totalMs - stats!.ttftMs) / 1000,
                drafted: stats!.spec.draftTokens,
                accepted: stats!.spec.acceptedTokens,
                drafters: [chosen, ...switches.map((s) => `${s.to} at ${s.atToken}`)],
                lengths: stats!.spec.draftedLengths,
                kept: stats!.spec.acceptedPerPos,
                observed: stats!.spec.observedPerPos,
                drafts: stats!.spec.drafts,
                passes: stats!.spec.targetPasses,
            };
        };
        return {
            send,
            verifyMs: (n) => engine.policy.costs.verifyMs(n),
            dispose: () => engine.dispose(),
        };
    }
    const { app, client, stop } = await startServedBench(benchConfig(), "/");
    const send = ({ prompt, session, mode, k }: TraceRequest): Promise<Answer> =>
        new Promise((resolvePromise, reject) => {
            let text = "";
            const tokens: number[] = [];
            let firstAt = 0;
            let last: GenerateChunk__Output | undefined;
            const call = client.GenerateStream({
                prompt,
                max_tokens: maxTokens,
                session_id: session,
                speculation: {
                    mode: toProtoMode(mode),
                    ...(k === undefined ? {} : { max_draft_tokens: k }),
                },
            });
            call.on("data", (chunk: GenerateChunk__Output) => {
                if (firstAt === 0 && chunk.token_ids.length > 0) firstAt = performance.now();
                text += chunk.text;
                tokens.push(...chunk.token_ids);
                last = chunk;
            });
            call.on("error", reject);
            call.on("end", () => {
                const endAt = performance.now();
                const stats = last?.stats;
                if (!stats || !last?.usage) {
                    reject(new Error("the stream ended without a final chunk"));
                    return;
                }
                const switches = stats.switches;
                resolvePromise({
                    text,
                    tokens,
                    decodeTokens: Math.max(0, last.usage.completion_tokens - 1),
                    decodeSeconds: firstAt === 0 ? 0 : (endAt - firstAt) / 1000,
                    drafted: stats.drafted_tokens,
                    accepted: stats.accepted_tokens,
                    drafters: [
                        switches[0]?.from ?? stats.proposer,
                        ...switches.map((sw) => `${sw.to} at ${sw.at_token}`),
                    ],
                    lengths: stats.drafted_lengths,
                    kept: stats.accepted_per_position,
                    observed: stats.observed_per_position,
                    drafts: stats.drafts,
                    passes: stats.target_passes,
                });
            });
        });
    return {
        send,
        verifyMs: (n) => app.engine!.policy.costs.verifyMs(n),
        dispose: stop,
    };
}

interface Row {
    tokens: number;
    decodeSeconds: number;
    drafted: number;
    accepted: number;
    byKind: Record<string, { tokens: number; decodeSeconds: number }>;
    outputs: string[];
    /** Per request: the prompt sent and the output's token ids (for the divergence probe). */
    prompts: string[];
    outputTokens: number[][];
    chosen: Record<string, number>;
    /** Per request: decode tokens/s and the drafter chosen at the start, with any switches. */
    requests: {
        tps: number;
        tokens: number;
        drafters: string;
        steps: string;
        /** Per draft position: steps that kept it, that verified it; steps that drafted; passes. */
        kept: number[];
        observed: number[];
        drafts: number;
        passes: number;
    }[];
    /** The server's verify curve at the end, n = 1 … 9 (set before it is disposed). */
    verifyMs: number[];
}

/**
 * One system's engine (fresh pool and AUTO state) and what it has run of the trace; `run(turn)` runs
 * the next turn, its prompt built from this system's earlier outputs.
 */
async function traceRunner(system: (typeof systems)[number]) {
    const server = await startSystem();
    const row: Row = {
        tokens: 0,
        decodeSeconds: 0,
        drafted: 0,
        accepted: 0,
        byKind: {},
        outputs: [],
        prompts: [],
        outputTokens: [],
        chosen: {},
        requests: [],
        verifyMs: [],
    };
    const last = new Map<string, { prompt: string; output: string }>();
    const run = async (turn: Turn): Promise<void> => {
        const previous = last.get(turn.session);
        let prompt: string;
        if (turn.kind === "retry") prompt = previous!.prompt;
        else if (turn.kind === "continue") prompt = previous!.prompt + previous!.output + turn.prompt!;
        else if (turn.kind === "echo") prompt = turn.prompt!;
        else prompt = turn.prompt!;
        const answer = await server.send({ prompt, session: turn.session, mode: system.mode, k: system.k });
        last.set(turn.session, { prompt, output: answer.text });
        row.outputs.push(answer.text);
        row.prompts.push(prompt);
        row.outputTokens.push(answer.tokens);
        const tokens = answer.decodeTokens;
        const seconds = answer.decodeSeconds;
        row.tokens += tokens;
        row.decodeSeconds += seconds;
        row.drafted += answer.drafted;
        row.accepted += answer.accepted;
        const k = (row.byKind[turn.kind] ??= { tokens: 0, decodeSeconds: 0 });
        k.tokens += tokens;
        k.decodeSeconds += seconds;
        const chosen = answer.drafters[0]!;
        row.chosen[chosen] = (row.chosen[chosen] ?? 0) + 1;
        row.requests.push({
            tps: tokens / seconds,
            tokens,
            kept: answer.kept,
            observed: answer.observed,
            drafts: answer.drafts,
            passes: answer.passes,
            drafters: answer.drafters.join(" → "),
            steps: `${answer.accepted}/${answer.drafted} kept; drafted ${answer.lengths
                .flatMap((n, d) => (d > 0 && n > 0 ? [`${d}×${n}`] : []))
                .join(" ")}`,
        });
    };
    const dispose = async (): Promise<void> => {
        row.verifyMs = Array.from({ length: 9 }, (_, i) => server.verifyMs(i + 1));
        await server.dispose();
    };
    return { row, run, dispose };
}

/** Heap bytes per indexed token of a pool filled with `total` tokens of documents from `make`. */
function poolMemory(
    total: number,
    make: (i: number) => number[],
): { bytesPerToken: number; pool: SuffixPool } {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (!gc) throw new Error("run with node --expose-gc");
    gc();
    const before = process.memoryUsage().heapUsed;
    const pool = new SuffixPool({ maxTokens: total });
    for (let i = 0; ; i++) {
        const doc = make(i);
        if (pool.indexedTokens + doc.length > total) break;
        pool.add(`session-${i % 50}`, doc);
    }
    gc();
    const after = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    return { bytesPerToken: (after - before) / pool.indexedTokens, pool };
}

function mulberry(seed: number): () => number {
    let a = seed;
    return () => {
        a = (a + 0x6d2b79f5) | 0;
        let t = Math.imul(a ^ (a >>> 15), 1 | a);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

// Every system runs the trace in order on its own engine; the systems take turns request by request
// (starting with a different one each time), so a machine whose speed drifts during the run slows
// them alike and the ratios hold.
// One server at a time: each seeds its verify curve with timed passes at start-up (seedVerifyCurve.ts),
// and four seeding at once on a small machine time each other's contention (AUTO then read long drafts as
// dear and drafted k = 1 on a retry the fixed suffix drafter ran at 2.26× OFF with k = 8).
const runners: Awaited<ReturnType<typeof traceRunner>>[] = [];
for (const system of systems) runners.push(await traceRunner(system));
try {
    for (const [i, turn] of trace.entries()) {
        process.stderr.write(`request ${i + 1}/${trace.length}\n`);
        for (let j = 0; j < runners.length; j++) await runners[(i + j) % runners.length]!.run(turn);
    }
} finally {
    for (const r of runners) await r.dispose();
}
const rows: Record<string, Row> = Object.fromEntries(systems.map((s, i) => [s.name, runners[i]!.row]));
const off = rows.off!;
const tps = (r: { tokens: number; decodeSeconds: number }): number => r.tokens / r.decodeSeconds;
const lines: string[] = [];
const mismatches: string[] = [];
lines.push(
    `# Suffix drafting on the agent trace (${path === "grpc" ? "through the gRPC server, client-timed" : "in process"}, ${trace.length} requests, ${maxTokens} tokens max, ${option("--target", "") ? `target ${targetPath}` : "bundled target"}, ${benchGpu === false ? `${benchThreads} thread(s), ${cpus()[0]?.model ?? "unknown CPU"}` : `GPU (${benchGpu})`})`,
    "",
    "| system | tok/s | × off | drafted | accepted | acceptance | retry × off | continue × off | echo × off | new × off | drafter chosen |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
);
for (const [name, r] of Object.entries(rows)) {
    const kinds = ["retry", "continue", "echo", "new"].map((k) =>
        r.byKind[k] && off.byKind[k] ? (tps(r.byKind[k]) / tps(off.byKind[k])).toFixed(2) : "-",
    );
    lines.push(
        `| ${name} | ${tps(r).toFixed(0)} | ${(tps(r) / tps(off)).toFixed(2)} | ${r.drafted} | ${r.accepted} | ${r.drafted ? (r.accepted / r.drafted).toFixed(2) : "-"} | ${kinds.join(" | ")} | ${JSON.stringify(r.chosen)} |`,
    );
    const differing = r.outputs.filter((o, i) => o !== off.outputs[i]).length;
    // On a CPU the bundled pair's outputs match OFF exactly (checked). A GPU runs other kernels for a
    // (k+1)-token verification than for one token, so a near-tie can flip: counted and reported there.
    if (differing > 0 && benchGpu === false) throw new Error(`${name}: output differs from off`);
    mismatches.push(`${name} ${r.outputs.length - differing}/${r.outputs.length}`);
}
lines.push("", `Outputs identical to OFF (requests): ${mismatches.join(", ")}.`);

// The speedup the measured curve allows at the acceptance each system achieved (issue goal for AUTO: ≥ 0.9
// of it). Per request: each draft position's acceptance as kept ÷ verified, the share of passes that
// drafted as it was, and the best draft length on the server's own curve at the end of the run; the
// request's allowed rate is that speedup times OFF's rate on the same request, and the system's allowed
// rate is all its tokens over the time the allowed rates would take. Positions a request never verified
// are claimed as never kept, and drafting time is not charged (lookups are free; a model draft's steps
// make "allowed" an upper bound there), so the ratio errs against the system, not for it.
function allowedSpeedup(q: Row["requests"][number], verifyMs: readonly number[]): number {
    if (q.drafts === 0 || q.passes === 0) return 1;
    const p = q.observed.map((n, i) => (n > 0 ? (q.kept[i] ?? 0) / n : 0)).slice(0, 8);
    const share = q.drafts / q.passes;
    const t = (n: number): number => verifyMs[Math.min(n, 9) - 1]!;
    let best = 1;
    for (let k = 1; k <= p.length; k++) {
        const tokens = share * expectedTokensPerPass(p, k) + (1 - share);
        const ms = share * t(k + 1) + (1 - share) * t(1);
        best = Math.max(best, (tokens / ms) * t(1));
    }
    return best;
}
lines.push(
    "",
    "Measured vs the speedup each server's measured curve allows at the acceptance achieved, per request (best k, drafting free):",
    "",
    "| system | × OFF | allowed × OFF | measured ÷ allowed |",
    "|---|---|---|---|",
);
for (const [name, r] of Object.entries(rows)) {
    if (name === "off") continue;
    let tokens = 0;
    let seconds = 0;
    r.requests.forEach((q, i) => {
        tokens += q.tokens;
        seconds += q.tokens / (allowedSpeedup(q, r.verifyMs) * off.requests[i]!.tps);
    });
    const measured = tps(r) / tps(off);
    const allowed = tokens / seconds / tps(off);
    lines.push(
        `| ${name} | ${measured.toFixed(2)} | ${allowed.toFixed(2)} | ${(measured / allowed).toFixed(2)} |`,
    );
}

// Per request: what AUTO chose (and switched to, at which generated token) against each fixed drafter.
const auto = rows.auto!;
lines.push(
    "",
    "Per request, tok/s × OFF (AUTO's drafter at the start → switches, at the generated token):",
    "",
    "| # | kind | ngram k=8 | suffix k=8 | auto | AUTO's drafters | AUTO's steps (drafted tokens kept; steps by tokens drafted) |",
    "|---|---|---|---|---|---|",
    ...trace.map((turn, i) => {
        const ratio = (name: string) => (rows[name]!.requests[i]!.tps / off.requests[i]!.tps).toFixed(2);
        return `| ${i + 1} | ${turn.kind} | ${ratio("ngram k=8")} | ${ratio("suffix k=8")} | ${ratio("auto")} | ${auto.requests[i]!.drafters} | ${auto.requests[i]!.steps} |`;
    }),
);

// Where a system's output first differs from OFF's on the same prompt: a near-tie flipped by the kernels,
// or a real difference (divergenceProbe.ts). One probe per system: later prompts embed earlier outputs.
const probes: { system: string; request: number; divergence: Divergence }[] = [];
if (Object.values(rows).some((r) => r.outputs.some((o, i) => o !== off.outputs[i]))) {
    const engine = await loadEngine();
    try {
        const model = engine.target.model;
        const context = await model.createContext({ contextSize: 2048, threads: benchThreads });
        const sequence = context.getSequence();
        for (const [name, r] of Object.entries(rows)) {
            const i = r.outputs.findIndex((o, j) => o !== off.outputs[j] && r.prompts[j] === off.prompts[j]);
            if (name === "off" || i < 0) continue;
            const prompt = engine.tokenize(r.prompts[i]!);
            const divergence = await probeDivergence(
                model,
                sequence,
                prompt,
                off.outputTokens[i]!,
                r.outputTokens[i]!,
            );
            if (divergence) probes.push({ system: name, request: i, divergence });
        }
        await context.dispose();
    } finally {
        await engine.dispose();
    }
    const p = (x: number) => x.toFixed(4);
    lines.push(
        "",
        "First difference from OFF per system (target's probabilities of OFF's token / the system's token; prefix decoded one token per pass, then in one pass):",
        "",
        "| system | request | position | OFF token | its token | one per pass | one pass | near-tie |",
        "|---|---|---|---|---|---|---|---|",
        ...probes.map(
            ({ system, request, divergence: d }) =>
                `| ${system} | ${request} | ${d.position} | ${JSON.stringify(d.offToken)} | ${JSON.stringify(d.otherToken)} | ${p(d.stepwise.off)} / ${p(d.stepwise.other)} (argmax ${d.stepwise.argmax}) | ${p(d.batched.off)} / ${p(d.batched.other)} (argmax ${d.batched.argmax}) | ${d.nearTie ? "yes" : "no"} |`,
        ),
    );
}

// Memory: 1M tokens of random documents (random tokens: every n-gram distinct, the worst case).
const random = mulberry(1);
const memory = poolMemory(1_000_000, () => Array.from({ length: 1500 }, () => Math.floor(random() * 32_000)));
lines.push(
    "",
    `Memory: ${((memory.bytesPerToken * 1e6) / 2 ** 20).toFixed(0)} MiB of heap per 1M indexed tokens (${memory.bytesPerToken.toFixed(1)} B/token; random 1500-token documents in 50 sessions, V8 heap + array buffers after gc).`,
);

// Lookup time per step on that full pool: histories that hit (a document's prefix) and miss.
const probe = memory.pool;
const hitHistory = Array.from({ length: 1500 }, () => Math.floor(random() * 32_000));
probe.add("session-probe", hitHistory);
const histories = Array.from({ length: 1000 }, (_, i) => hitHistory.slice(0, 20 + i));
const iterations = 200_000;
let sink = 0;
const t0 = performance.now();
for (let i = 0; i < iterations; i++)
    sink += probe.lookup("session-probe", histories[i % 1000]!, 8).tokens.length;
const hitUs = ((performance.now() - t0) * 1000) / iterations;
const slice = hitHistory.slice(0, 500);
const t1 = performance.now();
for (let i = 0; i < iterations; i++) sink += probe.lookup("session-0", slice, 8).tokens.length;
const missUs = ((performance.now() - t1) * 1000) / iterations;
const stepMs = 1000 / tps(off);
lines.push(
    `Lookup per step: ${hitUs.toFixed(2)} µs on a hit, ${missUs.toFixed(2)} µs on a miss; a plain decode step of the bundled target here is ${(stepMs * 1000).toFixed(0)} µs, so a lookup is ${((hitUs / (stepMs * 1000)) * 100).toFixed(2)} % of a step (goal ≤ 1 %). (${sink > 0 ? "hits seen" : "no hits"})`,
);
console.log(lines.join("\n"));
