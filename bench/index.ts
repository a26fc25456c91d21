/**
 * `npm run bench`: how much faster is speculation here, and why — one run, same prompts for every
 * system, results as JSON (every raw figure, machine, versions), a markdown report and SVG charts in
 * bench/results/. `--quick` (under 5 minutes here) uses fewer sets and tokens and skips the
 * cost-scaled target; the full run adds it and the long-prefix TTFT bench.
 *
 *   npm run bench [-- --quick]
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { resolve } from "node:path";
import { bundledModelPath } from "../test/helpers/bundledModels.js";
import { barChartSvg, type BarGroup } from "./chart.js";
import { benchThreads } from "./threads.js";
import { readSet, runCompareDraft, type CompareDraftResult } from "./e2e/compareDraft.js";
import { runNlcBaselines, type BaselineResult } from "./e2e/nlcBaselines.js";
import { runPrefixReuse, type PrefixReuseResult } from "./e2e/prefixReuse.js";
import { runSpeculativeMicro } from "./micro/speculative.bench.js";

const quick = process.argv.includes("--quick");
const resultsDir = resolve(import.meta.dirname, "results");
const started = Date.now();

function progress(fraction: number, label: string): void {
    const width = 30;
    const filled = Math.round(fraction * width);
    const elapsed = ((Date.now() - started) / 1000).toFixed(0);
    process.stderr.write(
        `\r[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${elapsed}s ${label.slice(0, 40).padEnd(40)}`,
    );
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
        ["bundled", quick ? 0.4 : 0.3],
        ["baselines", quick ? 0.3 : 0.1],
    ];
    if (!quick) phases.push(["scaled", 0.35], ["load", 0.1], ["prefix", 0.13]);
    else phases.push(["load", 0.2], ["prefix", 0.08]);
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
        bundled.table,
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
        nativeNote(),
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
        baselines,
        scaled,
        prefix,
    };
    writeFileSync(resolve(resultsDir, `run-${stamp}.json`), JSON.stringify(json, null, 2));
    writeFileSync(resolve(resultsDir, "latest.md"), report + "\n\n![speedup](latest-speedup.svg)\n");
    writeFileSync(
        resolve(resultsDir, "latest-speedup.svg"),
        barChartSvg("Decode speed-up over plain decoding (× OFF, same run)", "×", groups, 1),
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

/** llama.cpp's C++ speculative-simple, when built by native/build-tools.sh. */
function nativeNote(): string {
    const bin = resolve(import.meta.dirname, "../native/build/bin/llama-speculative-simple");
    return existsSync(bin)
        ? `llama.cpp reference tools found at ${bin}: run \`native/run-speculative-simple.sh\` for the C++ comparison.`
        : "_llama.cpp's C++ `llama-speculative-simple` is not built here (build it with `native/build-tools.sh`, ~15 min on 2 cores); skipped._";
}

await main();
