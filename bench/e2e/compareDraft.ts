/**
 * Speculation on/off on the same prompts, in one run: OFF, each fixed drafter at each fixed k (the best
 * k per drafter is reported), and AUTO — decode tokens/s, acceptance, ratio to OFF, and AUTO's predicted
 * vs measured speedup. AUTO runs the whole set once to warm up (it learns online, as in production),
 * then is measured on a second pass; the warm-up is reported too. Systems run interleaved, prompt by
 * prompt, so load changes on a shared machine do not favour one of them.
 *
 *   node --import tsx bench/e2e/compareDraft.ts [--scaled] [--tokens 64] [--sets completion,edit,text,chat]
 *                                               [--temperature 0]
 *
 * --scaled uses the cost-scaled target (models/build/widenTarget.ts): a Net2Net widening of the
 * bundled target to ~276 M parameters with identical greedy output — a stand-in for the cost of a
 * large target, not its quality. Every table says which target it used.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { resolve } from "node:path";
import { flag, option } from "../cli.js";
import { sameOutput } from "../sameAsOff.js";
import { parseConfig } from "../../src/config/loadConfig.js";
import type { SpeculationMode } from "../../src/config/schema.js";
import { LocalEngine } from "../../src/engine/LocalEngine.js";
import type { GenerationStats } from "../../src/engine/types.js";
import { bundledModelPath } from "../../test/helpers/bundledModels.js";
import { widenedTargetPath, widenTarget } from "../../models/build/widenTarget.js";
import { ensureDisagreeingDraft } from "../../models/build/buildDisagreeingDraft.js";
import { benchThreads } from "../threads.js";
import { benchGpu } from "../benchGpu.js";
import { percentile } from "../percentile.js";
import { createRandom } from "../../src/speculative/createRandom.js";

export interface CompareDraftOptions {
    maxTokens: number;
    sets: string[];
    /** Use the cost-scaled target. */
    scaled: boolean;
    /** Another target GGUF (overrides `scaled`), with the label the table gives it. */
    target?: { path: string; label: string };
    /**
     * Which draft model: the bundled draft, or a copy whose greedy prediction never matches the
     * target's (models/build/buildDisagreeingDraft.ts: same cost, nothing accepted). Defaults to bundled.
     */
    draft?: "bundled" | "disagreeing";
    /** Only these systems (names as in the table, e.g. "off", "draft k=4", "auto"). Defaults to all. */
    systems?: string[];
    /**
     * Sampling temperature; above 0 every system samples prompt i with seed i + 1 (top_k 40, top_p 0.95:
     * the engine's defaults), so a seeded sample being the same whatever speculates is checked ("= OFF")
     * as exactness is at temperature 0. Defaults to 0.
     */
    temperature?: number;
    /** Called after each (set, system) pair with the fraction done. */
    onProgress?: (done: number, label: string) => void;
}

interface SystemSpec {
    name: string;
    mode: SpeculationMode;
    k?: number;
}

const allSystems: SystemSpec[] = [
    { name: "off", mode: "off" },
    ...[2, 4, 8].map((k) => ({ name: `ngram k=${k}`, mode: "ngram" as const, k })),
    ...[1, 2, 4].map((k) => ({ name: `draft k=${k}`, mode: "draft_model" as const, k })),
    { name: "auto", mode: "auto" },
];

/** "off", "auto", "ngram k=N" or "draft k=N" (any N, not only the defaults' 1/2/4/8). */
function systemNamed(name: string): SystemSpec {
    if (name === "off" || name === "auto") return { name, mode: name };
    const match = /^(ngram|draft) k=(\d+)$/.exec(name);
    if (!match) throw new Error(`unknown system "${name}" (off, auto, ngram k=N, draft k=N)`);
    const k = Number(match[2]);
    return { name, mode: match[1] === "ngram" ? "ngram" : "draft_model", k };
}

interface Totals {
    tokens: number;
    decodeSeconds: number;
    drafted: number;
    accepted: number;
    /** Verification steps that drafted at least one token. */
    steps: number;
    /** Steps that asked the drafter for a draft (k > 0), whether or not it proposed anything. */
    calls: number;
    /** Target passes (verification steps plus plain steps). */
    targetPasses: number;
    /** [i]: steps that accepted at least i + 1 drafted tokens. */
    acceptedPerPos: number[];
    /** [d]: steps that drafted d tokens (d ≥ 1). */
    draftedLengths: number[];
    predicted: number[];
    measured: number[];
    /** Per request: time to first token (ms). */
    ttftMs: number[];
    /** Per generated token after the first: its share of the gap since the previous chunk (ms). */
    itlMs: number[];
    /** Per request: end-to-end latency (ms). */
    e2eMs: number[];
    /** Per prompt, in set order: the generated token ids (compared with OFF's). */
    outputs: number[][];
}

export function readSet(name: string): string[] {
    return readFileSync(resolve(import.meta.dirname, `../prompts/${name}.jsonl`), "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { prompt: string }).prompt);
}

async function run(
    engine: LocalEngine,
    prompt: string,
    spec: SystemSpec,
    maxTokens: number,
    itlMs: number[],
    output: number[] = [],
    sampling?: { temperature: number; seed: number },
): Promise<GenerationStats> {
    let last = 0;
    for await (const chunk of engine.generate({
        prompt,
        maxTokens,
        ...(sampling && { sampling }),
        speculation: { mode: spec.mode, maxDraftTokens: spec.k },
    })) {
        const now = performance.now();
        for (const token of chunk.tokens) output.push(token);
        // A speculative step delivers several tokens at once: each gets an equal share of the gap.
        if (last !== 0)
            for (let i = 0; i < chunk.tokens.length; i++) itlMs.push((now - last) / chunk.tokens.length);
        if (chunk.tokens.length > 0) last = now;
        if (chunk.finish) return chunk.finish.stats;
    }
    throw new Error("no final chunk");
}

function add(t: Totals, s: GenerationStats): void {
    t.tokens += Math.max(0, s.completionTokens - 1);
    t.decodeSeconds += (s.totalMs - s.ttftMs) / 1000;
    t.drafted += s.spec.draftTokens;
    t.accepted += s.spec.acceptedTokens;
    t.steps += s.spec.drafts;
    t.calls += s.speculation.draftLengths.reduce((n, steps, k) => (k > 0 ? n + steps : n), 0);
    t.targetPasses += s.spec.targetPasses;
    s.spec.acceptedPerPos.forEach((n, i) => {
        t.acceptedPerPos[i] = (t.acceptedPerPos[i] ?? 0) + n;
    });
    s.spec.draftedLengths.forEach((n, d) => {
        t.draftedLengths[d] = (t.draftedLengths[d] ?? 0) + n;
    });
    t.predicted.push(s.speculation.predictedSpeedup);
    t.measured.push(s.measuredSpeedup);
    t.ttftMs.push(s.ttftMs);
    t.e2eMs.push(s.totalMs);
}

const empty = (): Totals => ({
    tokens: 0,
    decodeSeconds: 0,
    drafted: 0,
    accepted: 0,
    steps: 0,
    calls: 0,
    targetPasses: 0,
    acceptedPerPos: [],
    draftedLengths: [],
    predicted: [],
    measured: [],
    ttftMs: [],
    itlMs: [],
    e2eMs: [],
    outputs: [],
});
/** "n/m": how many of the system's outputs equal OFF's for the same prompt (and seed above temperature 0). */
function identical(t: Totals, off: Totals): string {
    const same = t.outputs.filter((o, i) => sameOutput(o, off.outputs[i])).length;
    return `${same}/${t.outputs.length}`;
}

/** A seeded Fisher–Yates shuffle (a copy). */
function shuffled<T>(xs: readonly T[], random: () => number): T[] {
    const out = xs.slice();
    for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
}
const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

export interface CompareDraftResult {
    target: string;
    table: string;
    summary: Record<
        string,
        {
            /** NaN when AUTO was not among the systems. */
            autoOverBestFixed: number;
            autoOverOff: number;
            bestNgram: { name: string; tps: number } | undefined;
            bestDraft: { name: string; tps: number } | undefined;
        }
    >;
    results: Record<string, Record<string, Totals>>;
    /** [set][fixed drafter system]: predicted speedup from this run's per-position acceptance, k and pass costs. */
    leviathan: Record<string, Record<string, number>>;
    /**
     * The pass costs the engine measured by the end of the run (ms): a target pass over n = 1..9 tokens,
     * and the draft model's cost per drafted token and per call. What the predictions above used.
     */
    costs: { verifyMs: number[]; draftMsPerToken: number; draftMsPerCall: number };
    warmup: Record<string, Totals>;
}

export async function runCompareDraft({
    maxTokens,
    sets,
    scaled,
    target,
    draft = "bundled",
    systems: only,
    temperature = 0,
    onProgress,
}: CompareDraftOptions): Promise<CompareDraftResult> {
    const sampledAt = (i: number) => (temperature > 0 ? { temperature, seed: i + 1 } : undefined);
    let targetPath = target?.path ?? bundledModelPath("target");
    if (scaled && !target) {
        targetPath = widenedTargetPath(6);
        if (!existsSync(targetPath)) await widenTarget(6);
    }
    const draftPath =
        draft === "bundled"
            ? bundledModelPath("draft")
            : await ensureDisagreeingDraft(bundledModelPath("draft"));
    const systems = only ? only.map(systemNamed) : allSystems;
    if (!systems.some((s) => s.name === "off")) throw new Error("the systems compared must include off");
    const engine = await LocalEngine.load(
        parseConfig({
            models: {
                target: { id: "target", path: targetPath },
                drafts: [{ id: "draft", path: draftPath }],
            },
            engine: {
                contextSize: 1024,
                sequences: 1,
                gpu: benchGpu,
                prefixReuse: false,
                threads: benchThreads,
            },
            speculation: { stateFile: null },
        }),
        "/",
    );
    const results: Record<string, Record<string, Totals>> = {};
    const warmup: Record<string, Totals> = {};
    // Systems are interleaved prompt by prompt (each prompt runs on every system in turn), so a change in
    // machine load during the run falls on all systems alike instead of on whichever ran during it. The
    // order is shuffled per prompt (seeded), not rotated: a rotation keeps every system's predecessor,
    // and the request after a draft model's pays for the caches it evicted (bundled pair, 2-vCPU EPYC:
    // whichever system followed draft k=4 ran ~10 % slower; AUTO always did, OFF always followed AUTO).
    // AUTO first runs the whole set once to warm up, as in production.
    const random = createRandom(7);
    const total = sets.reduce((n, set) => n + readSet(set).length, 0);
    let done = 0;
    for (const set of sets) {
        const prompts = readSet(set);
        const bySystem: Record<string, Totals> = {};
        for (const spec of systems) bySystem[spec.name] = empty();
        results[set] = bySystem;
        const auto = systems.find((spec) => spec.mode === "auto");
        if (auto) {
            const w = (warmup[set] = empty());
            for (const [i, p] of prompts.entries())
                add(w, await run(engine, p, auto, maxTokens, w.itlMs, [], sampledAt(i)));
        }
        for (const [i, p] of prompts.entries()) {
            for (const spec of shuffled(systems, random)) {
                const t = bySystem[spec.name]!;
                const output: number[] = [];
                add(t, await run(engine, p, spec, maxTokens, t.itlMs, output, sampledAt(i)));
                t.outputs[i] = output;
            }
            onProgress?.(++done / total, `${set}: prompt ${i + 1}/${prompts.length}`);
        }
    }
    // The predicted speedup of each fixed drafter, from what this run measured: its acceptance per draft
    // position (steps that kept at least i drafted tokens: a copy drafter's drafts keep matching or break
    // at once, which the i.i.d. E(α, k) of Leviathan et al. mispredicts), its mean draft length k, how
    // many steps drafted at all and how many asked the drafter, and the costs the engine's cost model
    // measured (draft per token / per call, target pass over n tokens, the step's work outside them).
    // Measured ÷ predicted below 1 is cost the model does not see.
    const leviathan: Record<string, Record<string, number>> = {};
    for (const [set, bySystem] of Object.entries(results)) {
        leviathan[set] = {};
        for (const spec of systems) {
            const t = bySystem[spec.name]!;
            if ((spec.mode !== "draft_model" && spec.mode !== "ngram") || t.steps === 0) continue;
            const lookup = spec.mode === "ngram";
            const costs = engine.policy.stepCosts({ id: lookup ? "ngram" : "draft", costPerCall: lookup });
            const plainSteps = Math.max(0, t.targetPasses - t.steps);
            // Each drafting step's pass at its own length (a mean length read off a step-shaped curve
            // priced a k = 2 n-gram's mix of 2- and 3-token passes at 2 tokens: measured ÷ predicted 0.92).
            let draftingMs = 0;
            t.draftedLengths.forEach((steps, d) => {
                if (d > 0) draftingMs += steps * (d * costs.draftMsPerToken + costs.verifyMs(d + 1));
            });
            // Every call pays the drafter's per-call cost, also one that proposed nothing (a model draft
            // stopped at once by its confidence threshold, which still evaluated once): its step is a
            // plain pass besides.
            const calls = Math.max(t.calls, t.steps);
            const ms =
                draftingMs +
                calls * costs.draftMsPerCall +
                (calls - t.steps) * costs.draftMsPerToken +
                plainSteps * costs.verifyMs(1);
            const perStep = 1 + t.acceptedPerPos.reduce((sum, n) => sum + n, 0) / t.steps;
            const tokens = t.steps * perStep + plainSteps;
            leviathan[set][spec.name] = tokens / ms / (1 / costs.verifyMs(1));
        }
    }
    const draftCosts = engine.policy.stepCosts({ id: "draft", costPerCall: false });
    const costs = {
        verifyMs: Array.from({ length: 9 }, (_, i) => draftCosts.verifyMs(i + 1)),
        draftMsPerToken: draftCosts.draftMsPerToken,
        draftMsPerCall: draftCosts.draftMsPerCall,
    };
    await engine.dispose();

    const label =
        target?.label ??
        (scaled
            ? "cost-scaled target (Net2Net x6 of the bundled target, ~276M params; a cost stand-in)"
            : "bundled target");
    const draftLabel =
        draft === "bundled"
            ? "bundled draft"
            : "a draft that never agrees (bundled draft, output rows rotated)";
    const lines = [
        `## Speculation vs plain decoding — ${label}, ${draftLabel}, ${maxTokens} tokens, temperature ${temperature}${temperature > 0 ? " (seed = prompt number)" : ""}`,
        "",
    ];
    lines.push(
        "| set | system | tok/s | × OFF | acceptance | P(≥1,2,3,4 accepted) per step | predicted × | × OFF ÷ predicted | TTFT p50 ms | ITL p50 / p99 ms | e2e p50 ms | = OFF |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    );
    const summary: CompareDraftResult["summary"] = {};
    for (const [set, bySystem] of Object.entries(results)) {
        const off = bySystem.off!;
        const offTps = off.tokens / off.decodeSeconds;
        const best: Record<string, { name: string; tps: number }> = {};
        for (const [name, t] of Object.entries(bySystem)) {
            const tps = t.tokens / t.decodeSeconds;
            const family = name.split(" ")[0]!;
            if (!best[family] || tps > best[family].tps) best[family] = { name, tps };
            const acc = t.drafted ? (t.accepted / t.drafted).toFixed(2) : "–";
            // Fixed drafters: from the measured per-position acceptance, k and pass costs; AUTO: its own prediction.
            const predicted = leviathan[set]?.[name] ?? (name === "auto" ? mean(t.predicted) : 1);
            const byPos = t.steps
                ? t.acceptedPerPos
                      .slice(0, 4)
                      .map((n) => (n / t.steps).toFixed(2))
                      .join(" / ")
                : "–";
            lines.push(
                `| ${set} | ${name} | ${tps.toFixed(1)} | ${(tps / offTps).toFixed(2)} | ${acc} | ${byPos} | ${predicted.toFixed(2)} | ${(tps / offTps / predicted).toFixed(2)} | ${percentile(t.ttftMs, 0.5).toFixed(1)} | ${percentile(t.itlMs, 0.5).toFixed(2)} / ${percentile(t.itlMs, 0.99).toFixed(2)} | ${percentile(t.e2eMs, 0.5).toFixed(0)} | ${identical(t, off)} |`,
            );
        }
        const bestFixed = Math.max(best.ngram?.tps ?? 0, best.draft?.tps ?? 0, offTps);
        const auto = best.auto?.tps;
        summary[set] = {
            autoOverBestFixed: auto === undefined ? NaN : auto / bestFixed,
            autoOverOff: auto === undefined ? NaN : auto / offTps,
            bestNgram: best.ngram,
            bestDraft: best.draft,
        };
        if (auto !== undefined)
            lines.push(
                `| ${set} | **AUTO / best fixed** | | **${(auto / bestFixed).toFixed(2)}** | | | | | | | | |`,
            );
    }
    lines.push(
        "",
        `Pass costs measured by the engine (ms): target over n = 1…9 tokens ${costs.verifyMs.map((v) => v.toFixed(2)).join(" / ")}; draft model ${costs.draftMsPerToken.toFixed(2)} per token + ${costs.draftMsPerCall.toFixed(2)} per call.`,
    );
    const table = lines.join("\n");
    return { target: label, table, summary, results, leviathan, warmup, costs };
}

if (import.meta.filename === process.argv[1]) {
    const scaled = flag("--scaled");
    const targetPath = option("--target", "");
    const temperature = Number(option("--temperature", "0"));
    const result = await runCompareDraft({
        maxTokens: Number(option("--tokens", "64")),
        sets: option("--sets", "completion,edit,text,chat").split(","),
        scaled,
        temperature,
        ...(targetPath ? { target: { path: targetPath, label: `target ${targetPath}` } } : {}),
        onProgress: (f, label) => process.stderr.write(`\r${(f * 100).toFixed(0)}% ${label}          `),
    });
    process.stderr.write("\n");
    console.log(result.table);
    const file = resolve(
        import.meta.dirname,
        `../results/compareDraft${scaled ? "-scaled" : ""}${temperature > 0 ? `-t${temperature}` : ""}`,
    );
    writeFileSync(
        `${file}.json`,
        JSON.stringify(
            {
                bench: "compareDraft",
                at: new Date().toISOString(),
                machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
                ...result,
            },
            null,
            2,
        ),
    );
    writeFileSync(`${file}.md`, result.table + "\n");
}
