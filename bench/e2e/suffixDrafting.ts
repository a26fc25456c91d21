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
 * pool's memory per 1M indexed tokens and its lookup time per step against the step time. `--rounds N`
 * runs the whole trace N times on fresh servers and reports medians over rounds. `--temperature T`
 * samples request i with seed i + 1 on every system (a retry then gets another sample, as an agent's
 * does), so the outputs still equal OFF's.
 *
 *   node --expose-gc --import tsx bench/e2e/suffixDrafting.ts [--tokens 64] [--path grpc|in-process]
 *       [--rounds 1] [--temperature 0]
 */
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { resolve } from "node:path";
import { option } from "../cli.js";
import type { Config } from "../../src/config/schema.js";
import { parseConfig } from "../../src/config/loadConfig.js";
import type { SpeculationMode } from "../../src/config/schema.js";
import { LocalEngine } from "../../src/engine/LocalEngine.js";
import { expectedTokensPerPass } from "../../src/speculative/speedup.js";
import { bundledModelPath } from "../../test/helpers/bundledModels.js";
import { benchThreads } from "../threads.js";
import { benchGpu } from "../benchGpu.js";
import { median } from "../percentile.js";
import { startTraceServer } from "./traceServer.js";
import { probeDivergence, type Divergence } from "./divergenceProbe.js";
import { suffixPoolCost } from "./suffixPoolCost.js";

interface Turn {
    session: string;
    kind: "new" | "continue" | "retry" | "echo";
    prompt?: string;
    note: string;
}

const maxTokens = Number(option("--tokens", "64"));
/** Above 0, request i of the trace samples with seed i + 1 on every system (so outputs still equal OFF's). */
const temperature = Number(option("--temperature", "0"));
const roundCount = Number(option("--rounds", "1"));
if (!Number.isInteger(roundCount) || roundCount < 1)
    throw new Error(`--rounds takes an integer ≥ 1, got "${option("--rounds", "1")}"`);
const pathOption = option("--path", "grpc");
if (pathOption !== "grpc" && pathOption !== "in-process")
    throw new Error(`--path takes grpc or in-process, got "${pathOption}"`);
const path: "grpc" | "in-process" = pathOption;
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
    const server = await startTraceServer(benchConfig(), path, maxTokens);
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
    const run = async (turn: Turn, index: number): Promise<void> => {
        const previous = last.get(turn.session);
        let prompt: string;
        if (turn.kind === "retry") prompt = previous!.prompt;
        else if (turn.kind === "continue") prompt = previous!.prompt + previous!.output + turn.prompt!;
        else if (turn.kind === "echo") prompt = turn.prompt!;
        else prompt = turn.prompt!;
        const answer = await server.send({
            prompt,
            session: turn.session,
            mode: system.mode,
            k: system.k,
            sampling: temperature > 0 ? { temperature, seed: index + 1 } : undefined,
        });
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

// Every system runs the trace in order on its own engine; the systems take turns request by request
// (starting with a different one each time), so a machine whose speed drifts during the run slows
// them alike and the ratios hold.
// One server at a time: each seeds its verify curve with timed passes at start-up (seedVerifyCurve.ts),
// and four seeding at once on a small machine time each other's contention (AUTO then read long drafts as
// dear and drafted k = 1 on a retry the fixed suffix drafter ran at 2.26× OFF with k = 8).
// With --rounds N the whole trace runs N times on fresh servers: one 64-token request lasts ~0.1 s on
// the bundled pair, so a single run's per-request ratios move ±40 % on a shared VM (a request no
// system drafted for measured 0.58–1.18× OFF); the report gives medians over rounds.
async function runRound(): Promise<Record<string, Row>> {
    const runners: Awaited<ReturnType<typeof traceRunner>>[] = [];
    for (const system of systems) runners.push(await traceRunner(system));
    try {
        for (const [i, turn] of trace.entries()) {
            process.stderr.write(`request ${i + 1}/${trace.length}\n`);
            for (let j = 0; j < runners.length; j++) await runners[(i + j) % runners.length]!.run(turn, i);
        }
    } finally {
        for (const r of runners) await r.dispose();
    }
    return Object.fromEntries(systems.map((s, i) => [s.name, runners[i]!.row]));
}

const rounds: Record<string, Row>[] = [];
for (let r = 0; r < roundCount; r++) {
    process.stderr.write(`round ${r + 1}/${roundCount}\n`);
    rounds.push(await runRound());
}
const tps = (r: { tokens: number; decodeSeconds: number }): number => r.tokens / r.decodeSeconds;
/** The median over rounds of `f(round)`, with its range when there are several rounds. */
function overRounds(f: (rows: Record<string, Row>) => number, digits = 2): string {
    const xs = rounds.map(f);
    const m = median(xs).toFixed(digits);
    if (xs.length === 1) return m;
    return `${m} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;
}
const lines: string[] = [];
const mismatches: string[] = [];
lines.push(
    `# Suffix drafting on the agent trace (${path === "grpc" ? "through the gRPC server, client-timed" : "in process"}, ${trace.length} requests, ${maxTokens} tokens max, ${temperature > 0 ? `temperature ${temperature} (seed = request number), ` : ""}${option("--target", "") ? `target ${targetPath}` : "bundled target"}, ${benchGpu === false ? `${benchThreads} thread(s), ${cpus()[0]?.model ?? "unknown CPU"}` : `GPU (${benchGpu})`}${roundCount > 1 ? `, ${roundCount} rounds: medians over rounds, range in brackets` : ""})`,
    "",
    "| system | tok/s | × off | drafted | accepted | acceptance | retry × off | continue × off | echo × off | new × off | drafter chosen |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
);
for (const { name } of systems) {
    const kinds = ["retry", "continue", "echo", "new"].map((k) =>
        rounds[0]![name]!.byKind[k]
            ? median(rounds.map((rows) => tps(rows[name]!.byKind[k]!) / tps(rows.off!.byKind[k]!))).toFixed(2)
            : "-",
    );
    const sum = (f: (r: Row) => number): number => rounds.reduce((s, rows) => s + f(rows[name]!), 0);
    const drafted = sum((r) => r.drafted);
    const accepted = sum((r) => r.accepted);
    const chosen: Record<string, number> = {};
    for (const rows of rounds)
        for (const [d, n] of Object.entries(rows[name]!.chosen)) chosen[d] = (chosen[d] ?? 0) + n;
    lines.push(
        `| ${name} | ${overRounds((rows) => tps(rows[name]!), 0)} | ${overRounds((rows) => tps(rows[name]!) / tps(rows.off!))} | ${drafted} | ${accepted} | ${drafted ? (accepted / drafted).toFixed(2) : "-"} | ${kinds.join(" | ")} | ${JSON.stringify(chosen)} |`,
    );
    let differing = 0;
    for (const rows of rounds)
        differing += rows[name]!.outputs.filter((o, i) => o !== rows.off!.outputs[i]).length;
    // On a CPU the bundled pair's outputs match OFF exactly (checked). A GPU runs other kernels for a
    // (k+1)-token verification than for one token, so a near-tie can flip: counted and reported there.
    if (differing > 0 && benchGpu === false) throw new Error(`${name}: output differs from off`);
    const total = trace.length * rounds.length;
    mismatches.push(`${name} ${total - differing}/${total}`);
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
/** A system's allowed tokens/s over OFF's in one round (see above). */
function allowedOverOff(rows: Record<string, Row>, name: string): number {
    const r = rows[name]!;
    const off = rows.off!;
    let tokens = 0;
    let seconds = 0;
    r.requests.forEach((q, i) => {
        tokens += q.tokens;
        seconds += q.tokens / (allowedSpeedup(q, r.verifyMs) * off.requests[i]!.tps);
    });
    return tokens / seconds / tps(off);
}
lines.push(
    "",
    "Measured vs the speedup each server's measured curve allows at the acceptance achieved, per request (best k, drafting free):",
    "",
    "| system | × OFF | allowed × OFF | measured ÷ allowed |",
    "|---|---|---|---|",
);
for (const { name } of systems) {
    if (name === "off") continue;
    const measured = (rows: Record<string, Row>): number => tps(rows[name]!) / tps(rows.off!);
    lines.push(
        `| ${name} | ${overRounds(measured)} | ${overRounds((rows) => allowedOverOff(rows, name))} | ${overRounds((rows) => measured(rows) / allowedOverOff(rows, name))} |`,
    );
}
const curve = rounds.at(-1)!.auto!.verifyMs;
lines.push(
    "",
    `AUTO's verify curve at the end (last round), a pass over n = 1 … 9 tokens ÷ one token: ${curve.map((ms) => (ms / curve[0]!).toFixed(2)).join(", ")} (one token ${curve[0]!.toFixed(2)} ms).`,
);

// Per request: what AUTO chose (and switched to, at which generated token) against each fixed drafter.
const last = rounds.at(-1)!;
const ratio = (name: string, i: number): string =>
    median(rounds.map((rows) => rows[name]!.requests[i]!.tps / rows.off!.requests[i]!.tps)).toFixed(2);
lines.push(
    "",
    `Per request, tok/s × OFF${roundCount > 1 ? " (median over rounds; AUTO's choices in the last round)" : ""} (AUTO's drafter at the start → switches, at the generated token):`,
    "",
    "| # | kind | tokens | ngram k=8 | suffix k=8 | auto | AUTO's drafters | AUTO's steps (drafted tokens kept; steps by tokens drafted) |",
    "|---|---|---|---|---|---|---|---|",
    ...trace.map(
        (turn, i) =>
            `| ${i + 1} | ${turn.kind} | ${last.off!.requests[i]!.tokens + 1} | ${ratio("ngram k=8", i)} | ${ratio("suffix k=8", i)} | ${ratio("auto", i)} | ${last.auto!.requests[i]!.drafters} | ${last.auto!.requests[i]!.steps} |`,
    ),
);

// Where a system's output first differs from OFF's on the same prompt: a near-tie flipped by the kernels,
// or a real difference (divergenceProbe.ts). One probe per system: later prompts embed earlier outputs.
// The first round where any output differs is probed.
const probes: { system: string; request: number; divergence: Divergence }[] = [];
const differs = (rows: Record<string, Row>): boolean =>
    Object.values(rows).some((r) => r.outputs.some((o, i) => o !== rows.off!.outputs[i]));
const rows = rounds.find(differs);
if (rows) {
    const off = rows.off!;
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

lines.push("", ...suffixPoolCost(1000 / median(rounds.map((rows) => tps(rows.off!)))));
console.log(lines.join("\n"));
