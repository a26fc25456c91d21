/**
 * `npm run bench`: how much faster is speculation here, and why — one run, same prompts for every
 * system, results as JSON (every raw figure, machine, versions), a markdown report and SVG charts in
 * bench/results/. `--quick` (under 5 minutes here) uses fewer sets and tokens and skips the
 * cost-scaled target; the full run adds it and the long-prefix TTFT bench.
 *
 *   npm run bench [-- --quick]
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { resolve } from "node:path";
import { bundledModelPath } from "../test/helpers/bundledModels.js";
import { barChartSvg, type BarGroup } from "./chart.js";
import { benchThreads } from "./threads.js";
import { readSet, runCompareDraft, type CompareDraftResult } from "./e2e/compareDraft.js";
import { sameAsOff } from "./sameAsOff.js";
import { runNlcBaselines, type BaselineResult } from "./e2e/nlcBaselines.js";
import { runLlamaCppSpeculative } from "./e2e/llamaCppSpeculative.js";
import { runPrefixReuse, type PrefixReuseResult } from "./e2e/prefixReuse.js";
import { goalsMarkdown, type GoalRow } from "./goalsMarkdown.js";
import { runSpeculativeMicro } from "./micro/speculative.bench.js";

const quick = process.argv.includes("--quick");
const resultsDir = resolve(import.meta.dirname, "results");
const started = Date.now();

let lastLabel = "";

/** A self-updating bar on a terminal; in a log (CI, a pipe) one plain line per new step, no carriage returns. */
function progress(fraction: number, label: string): void {
    const width = 30;
    const filled = Math.round(fraction * width);
    const elapsed = ((Date.now() - started) / 1000).toFixed(0);
    const percent = (fraction * 100).toFixed(0).padStart(3);
    if (process.stderr.isTTY) {
        process.stderr.write(
            `\r[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${percent}% ${elapsed}s ${label.slice(0, 40).padEnd(40)}`,
        );
        return;
    }
    if (label === lastLabel) return;
    lastLabel = label;
    process.stderr.write(`bench: ${percent}% ${elapsed}s ${label}\n`);
}

function versions(): Record<string, string> {
    const pkg = (name: string): string => {
        try {
            return (
                JSON.parse(
                    readFileSync(
                        resolve(import.meta.dirname, `../node_modules/${name}/package.json`),
                        "utf8",
                    ),
                ) as { version: string }
            ).version;
        } catch {
            return "?";
        }
    };
    let commit = "?";
    try {
        commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
    } catch {
        /* not a checkout */
    }
    return { node: process.version, "node-llama-cpp": pkg("node-llama-cpp"), tiercel: commit };
}

async function main(): Promise<void> {
    mkdirSync(resultsDir, { recursive: true });
    const sets = quick ? ["completion", "edit"] : ["completion", "edit", "text", "chat"];
    const maxTokens = quick ? 32 : 64;
    // Phases and their rough share of the run, for the progress bar.
    const phases: [string, number][] = [
        ["micro", 0.02],
        ["bundled", quick ? 0.2 : 0.18],
        ["sampled", quick ? 0.1 : 0.07],
        ["disagreeing", quick ? 0.08 : 0.05],
        ["baselines", quick ? 0.1 : 0.05],
        ["llama.cpp", quick ? 0.1 : 0.05],
    ];
    if (!quick) phases.push(["scaled", 0.35], ["load", 0.1], ["router", 0.03], ["prefix", 0.1]);
    else phases.push(["load", 0.3], ["router", 0.04], ["prefix", 0.06]);
    let base = 0;
    const phase = (name: string) => {
        const share = phases.find((p) => p[0] === name)![1];
        const at = base;
        base += share;
        return (f: number, label: string) => {
            progress(at + f * share, `${name}: ${label}`);
        };
    };

    const micro = runSpeculativeMicro();
    phase("micro")(1, "done");
    const bundled = await runCompareDraft({ maxTokens, sets, scaled: false, onProgress: phase("bundled") });
    // Temperature 1: the hosted APIs' default, what a client that samples gets. Seeded per prompt, so
    // "= OFF" checks that a seeded sample is the same whatever speculates.
    const sampled = await runCompareDraft({
        maxTokens,
        sets,
        scaled: false,
        temperature: 1,
        systems: ["off", "ngram k=2", "ngram k=4", "draft k=1", "draft k=2", "auto"],
        onProgress: phase("sampled"),
    });
    // The worst case for speculation: a draft with the real draft's cost that never agrees.
    const disagreeing = await runCompareDraft({
        maxTokens,
        sets: ["completion"],
        scaled: false,
        draft: "disagreeing",
        systems: ["off", "draft k=4", "auto"],
        onProgress: phase("disagreeing"),
    });
    const onBaselines = phase("baselines");
    const prompts = sets.flatMap(readSet);
    onBaselines(0, "node-llama-cpp predictors");
    const baselines = await runNlcBaselines(
        bundledModelPath("target"),
        bundledModelPath("draft"),
        prompts,
        maxTokens,
    );
    onBaselines(1, "done");
    const native = runLlamaCppSpeculative({
        sets: ["completion", "edit"],
        maxTokens,
        onProgress: phase("llama.cpp"),
    });
    let scaled: CompareDraftResult | undefined;
    if (!quick)
        scaled = await runCompareDraft({
            maxTokens: 48,
            sets: ["completion", "edit"],
            scaled: true,
            onProgress: phase("scaled"),
        });
    const onLoad = phase("load");
    onLoad(0, "gRPC concurrency sweep");
    const load = runLoadSweep(quick);
    onLoad(1, "done");
    const onRouter = phase("router");
    onRouter(0, "router overhead");
    const router = runRouterOverhead(quick);
    onRouter(1, "done");
    const onPrefix = phase("prefix");
    onPrefix(0, "long shared prefix");
    const prefix: PrefixReuseResult = await runPrefixReuse(quick ? 1000 : 2000, quick ? 3 : 6, false);
    onPrefix(1, "done");
    process.stderr.write("\n");

    const report = [
        `# tiercel bench — ${new Date().toISOString()}${quick ? " (quick)" : ""}`,
        "",
        `Machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB. Versions: ${JSON.stringify(versions())}.`,
        `Ratios are measured in this run (same prompts, same machine); absolute figures vary with machine load. Engine threads: ${benchThreads} (TIERCEL_BENCH_THREADS).`,
        "",
        goalsTable({ bundled, sampled, disagreeing, scaled, baselines, native }),
        "",
        bundled.table,
        "",
        sampled.table,
        "",
        disagreeing.table,
        "",
        "## node-llama-cpp's own predictors (same GGUFs and prompts, greedy)",
        "",
        "| system | tok/s | validated | refuted |",
        "| --- | --- | --- | --- |",
        ...baselines.map(
            (b: BaselineResult) =>
                `| ${b.system} | ${(b.tokens / b.decodeSeconds).toFixed(1)} | ${b.validated} | ${b.refuted} |`,
        ),
        "",
        scaled ? scaled.table : "_Cost-scaled target skipped (--quick)._",
        "",
        prefix.table,
        "",
        "## Load: gRPC streams on loopback (bundled pair)",
        "",
        "```",
        load,
        "```",
        "",
        native.skipped === undefined ? native.table : `_${native.skipped}; skipped._`,
        "",
        "## Router overhead (no provider call; `npm run bench:router`)",
        "",
        "```",
        router,
        "```",
        "",
        "## Micro-benchmarks (median ns per call)",
        "",
        ...Object.entries(micro).map(([k, v]) => `- ${k}: ${v.toFixed(0)} ns`),
    ].join("\n");

    const groups: BarGroup[] = Object.entries(bundled.results).map(([set, bySystem]) => {
        const off = bySystem.off!;
        const offTps = off.tokens / off.decodeSeconds;
        return {
            label: `${set} (bundled target)`,
            bars: Object.entries(bySystem).map(([name, t]) => ({
                label: name,
                value: t.tokens / t.decodeSeconds / offTps,
            })),
        };
    });
    if (scaled) {
        for (const [set, bySystem] of Object.entries(scaled.results)) {
            const offTps = bySystem.off!.tokens / bySystem.off!.decodeSeconds;
            groups.push({
                label: `${set} (cost-scaled target)`,
                bars: Object.entries(bySystem).map(([name, t]) => ({
                    label: name,
                    value: t.tokens / t.decodeSeconds / offTps,
                })),
            });
        }
    }
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    const json = {
        at: new Date().toISOString(),
        quick,
        machine: { cpus: cpus().length, model: cpus()[0]?.model, memGiB: totalmem() / 2 ** 30 },
        versions: versions(),
        micro,
        bundled,
        disagreeing,
        baselines,
        native,
        scaled,
        load,
        router,
        prefix,
    };
    writeFileSync(resolve(resultsDir, `run-${stamp}.json`), JSON.stringify(json, null, 2));
    writeFileSync(resolve(resultsDir, "latest.md"), report + "\n\n![speedup](latest-speedup.svg)\n");
    writeFileSync(
        resolve(resultsDir, "latest-speedup.svg"),
        barChartSvg(
            "Decode speed-up over plain decoding (× OFF, same run)",
            {
                unit: "×",
                title: "decode tokens/s ÷ OFF (same prompts, same run)",
                reference: { value: 1, label: "OFF = 1×" },
            },
            groups,
        ),
    );
    console.log(report);
    console.log(
        `\nresults: bench/results/run-${stamp}.json, bench/results/latest.md, bench/results/latest-speedup.svg (${((Date.now() - started) / 1000).toFixed(0)} s)`,
    );
}

/**
 * The gRPC load sweep (bench/e2e/grpcThroughput.ts: in-process vs gRPC, then 1/4/8 concurrent streams),
 * run as its own process so its server and engine do not share this process's event loop.
 */
function runLoadSweep(quickRun: boolean): string {
    const args = [
        "--import",
        "tsx",
        resolve(import.meta.dirname, "e2e/grpcThroughput.ts"),
        "--max-tokens",
        quickRun ? "24" : "64",
        "--rounds",
        "1",
        "--prompts",
        quickRun ? "4" : "12",
        "--threads",
        String(benchThreads),
    ];
    try {
        return execFileSync(process.execPath, args, {
            encoding: "utf8",
            stdio: ["ignore", "pipe", "ignore"],
        }).trim();
    } catch (error) {
        return `load sweep failed: ${(error as Error).message.split("\n")[0] ?? ""}`;
    }
}

/** bench/micro/router.bench.ts in its own process (its own event loop and GC), fewer samples when quick. */
function runRouterOverhead(quickRun: boolean): string {
    try {
        return execFileSync(
            process.execPath,
            [
                "--import",
                "tsx",
                resolve(import.meta.dirname, "micro/router.bench.ts"),
                quickRun ? "3000" : "20000",
            ],
            { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] },
        ).trim();
    } catch (error) {
        return `router bench failed: ${(error as Error).message.split("\n")[0] ?? ""}`;
    }
}

const tps = (t: { tokens: number; decodeSeconds: number }): number => t.tokens / t.decodeSeconds;

/**
 * The goals, each as a ratio measured in this run, next to its goal. A goal whose inputs this
 * run did not measure (e.g. the cost-scaled target under --quick) says so instead of a number.
 */
function goalsTable({
    bundled,
    sampled,
    disagreeing,
    scaled,
    baselines,
    native,
}: {
    bundled: CompareDraftResult;
    sampled: CompareDraftResult;
    disagreeing: CompareDraftResult;
    scaled: CompareDraftResult | undefined;
    baselines: BaselineResult[];
    native: ReturnType<typeof runLlamaCppSpeculative>;
}): string {
    const rows: GoalRow[] = [];
    const fmt = (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : "–");
    const overOff = (r: CompareDraftResult, set: string, system: string): number => {
        const bySystem = r.results[set];
        const t = bySystem?.[system];
        return t && bySystem.off ? tps(t) / tps(bySystem.off) : NaN;
    };
    /** The best fixed-k system of a drafter family over OFF. */
    const bestOverOff = (r: CompareDraftResult, set: string, family: "bestDraft" | "bestNgram"): number => {
        const best = r.summary[set]?.[family];
        const off = r.results[set]?.off;
        return best && off ? best.tps / tps(off) : NaN;
    };
    if (scaled) {
        rows.push([
            "draft model × OFF, cost-scaled target (best k, completion)",
            fmt(bestOverOff(scaled, "completion", "bestDraft")),
            "≥ 1.5×",
        ]);
        rows.push([
            "n-gram × OFF on copy-heavy edits, cost-scaled target (best k)",
            fmt(bestOverOff(scaled, "edit", "bestNgram")),
            "≥ 2.5×",
        ]);
    } else {
        rows.push([
            "draft model / n-gram × OFF on the cost-scaled target",
            "not run (--quick)",
            "≥ 1.5× / ≥ 2.5×",
        ]);
    }
    for (const r of [bundled, ...(scaled ? [scaled] : [])]) {
        for (const [set, sum] of Object.entries(r.summary)) {
            rows.push([
                `AUTO / best fixed choice — ${set}, ${r.target}`,
                fmt(sum.autoOverBestFixed),
                "≥ 1.0×",
            ]);
        }
    }
    for (const [set, sum] of Object.entries(sampled.summary))
        rows.push([
            `AUTO / best fixed choice — ${set}, ${sampled.target}, temperature 1`,
            fmt(sum.autoOverBestFixed),
            "≥ 1.0×",
        ]);
    rows.push([
        "seeded samples at temperature 1 equal to OFF's (every system and prompt, bundled target)",
        sameAsOff(sampled),
        "all",
    ]);
    rows.push([
        "AUTO × OFF with a draft that never agrees (completion)",
        fmt(overOff(disagreeing, "completion", "auto")),
        "≥ 0.98×",
    ]);
    rows.push([
        "fixed draft k=4 × OFF with that draft (what fixed drafting costs)",
        fmt(overOff(disagreeing, "completion", "draft k=4")),
        "(reference)",
    ]);
    const nlcDraft = baselines
        .filter((b) => b.system.includes("DraftSequenceTokenPredictor"))
        .reduce((best, b) => Math.max(best, b.decodeSeconds > 0 ? b.tokens / b.decodeSeconds : 0), 0);
    const sets = Object.keys(bundled.results);
    const autoTps =
        sets.reduce((sum, set) => sum + bundled.results[set]!.auto!.tokens, 0) /
        sets.reduce((sum, set) => sum + bundled.results[set]!.auto!.decodeSeconds, 0);
    rows.push([
        "tiercel AUTO tok/s / node-llama-cpp DraftSequenceTokenPredictor (best config), same pair and binary",
        fmt(autoTps / nlcDraft),
        "≥ 1.3×",
    ]);
    if (native.skipped === undefined) {
        for (const n of native.sets) {
            const ours = overOff(bundled, n.set, `draft k=${native.draftMax}`);
            rows.push([
                `tiercel draft k=${native.draftMax} speedup / llama.cpp speculative-simple speedup — ${n.set}`,
                `${fmt(ours / n.speedup)} (${fmt(ours)} vs ${fmt(n.speedup)})`,
                "≥ 1.0×",
            ]);
        }
    } else {
        rows.push(["speedup / llama.cpp speculative-simple speedup", "not built here", "≥ 1.0×"]);
    }
    // Measured × OFF over the prediction from the run's own per-position acceptance, k and pass costs,
    // for every fixed drafter configuration (draft model and n-gram, every k, every set).
    const efficiency = (r: CompareDraftResult): number[] =>
        Object.entries(r.leviathan).flatMap(([set, bySystem]) =>
            Object.entries(bySystem).map(([name, predicted]) => {
                const t = r.results[set]![name]!;
                return tps(t) / tps(r.results[set]!.off!) / predicted;
            }),
        );
    const eff = efficiency(scaled ?? bundled).sort((a, b) => a - b);
    rows.push([
        `measured / predicted speedup (measured curve and per-position acceptance), every fixed drafter configuration (${scaled ? "cost-scaled" : "bundled"} target): min – max of ${eff.length}`,
        eff.length > 0 ? `${fmt(eff[0]!)} – ${fmt(eff.at(-1)!)}` : "–",
        "0.9× – 1.1×",
    ]);
    return goalsMarkdown(rows);
}

await main();
