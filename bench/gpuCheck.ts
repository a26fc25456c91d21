/**
 * The GPU check's bench (run by native/gpu-check.sh, which builds the CUDA backend first): the project's
 * own bench scripts on the GPU, in one process tree and one run, so every ratio compares figures measured
 * together:
 *
 *  0. the anatomy of one pass on that target (bench/e2e/passAnatomy.ts): native decode vs per-position
 *     sampling and node-llama-cpp's own overhead, a draft-model token, S sequences in one decode;
 *  1. speculation modes (OFF, n-gram and draft model at fixed k, AUTO) on a multi-billion-parameter
 *     cost-scaled target (models/build/widenTarget.ts: Net2Net widening plus zero pass-through blocks,
 *     function-preserving, so the bundled draft's acceptance is the bundled pair's while each target pass
 *     costs what a model of that size costs) with the bundled draft;
 *  2. 1/8/32 concurrent gRPC streams on that target;
 *  3. the agent trace (cross-request suffix drafting, AUTO) on that target;
 *  4. prefix-reuse TTFT through the gRPC server on that target;
 *  5. the same modes on the bundled pair;
 *  6. on the large target, a draft with the real draft's cost that never agrees (OFF, draft k=4, AUTO) and
 *     node-llama-cpp's own predictors on the same GGUFs (the CPU bench's goals table, on the GPU).
 *
 * The goals come first, so a device call cut by its time limit loses references, not goals.
 * Writes bench/results/gpu-<date>.json and .md (GPU, driver, CUDA, versions, every table, the goals
 * table) after every phase, and copies them to $OUT when that is set, so a run cut short keeps what it
 * measured.
 *
 *   TIERCEL_BENCH_GPU=cuda node --import tsx bench/gpuCheck.ts [--gpu cuda] [--width 12] [--layers 48]
 *        [--tokens 64] [--small] [--phases large,load,…] [--systems "off,draft k=4,auto"] [--sets completion]
 *        [--tag name] [--load-mode auto|off] [--kv-unified] [--batch-order steps-first|even]
 *        [--overlap-steps true|false]
 *
 * --load-mode: the load phase's server default speculation mode. --kv-unified: the load phase runs with
 * TIERCEL_KV_UNIFIED=1 (one KV stream for every sequence; read by the source-built backend only, see
 * native/lib.sh). --batch-order: the load phase's engine.batchOrder (default: the engine's default,
 * steps-first; src/engine/stepsFirstStrategy.ts). --overlap-steps: the load phase's engine.overlapSteps
 * (default: the engine's, "auto": on with the target on the GPU; src/engine/generate.ts "Overlap"): run the
 * load phase again with `false` to see what overlapping plain steps' bookkeeping with the next pass gives
 * under load.
 *
 * --phases runs only those phases (in the fixed order below); --tag names the results
 * (bench/results/gpu-<date>-<tag>.*), so a second device call on a warm machine keeps the first's.
 *
 * --small (the CPU rehearsal of native/gpu-check.sh --cpu): a 2×-wide 8-layer target, fewer prompts and
 * tokens, 1/2 streams.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { gpuCheckMarkdown, type GpuCheckReport } from "./gpuCheckReport.js";
import { addToBundle, bundleName } from "./gpuResultsBundle.js";

const { values } = parseArgs({
    options: {
        gpu: { type: "string", default: process.env.TIERCEL_BENCH_GPU ?? "cuda" },
        width: { type: "string" },
        layers: { type: "string" },
        tokens: { type: "string" },
        small: { type: "boolean", default: false },
        phases: { type: "string" },
        tag: { type: "string" },
        systems: { type: "string" },
        sets: { type: "string" },
        "load-mode": { type: "string", default: "auto" },
        "kv-unified": { type: "boolean", default: false },
        "batch-order": { type: "string" },
        "overlap-steps": { type: "string" },
    },
});
// The bench scripts read the GPU from the environment: set it before they are imported.
process.env.TIERCEL_BENCH_GPU = values.gpu;
const small = values.small;
const width = Number(values.width ?? (small ? 2 : 12));
const layers = Number(values.layers ?? (small ? 8 : 48));
const maxTokens = Number(values.tokens ?? (small ? 16 : 64));
/**
 * In the order they run: what the GPU goals need first, so a device call cut by its time limit loses the
 * references, not the goals. The environment always runs; "large target" runs when a phase needs it.
 */
const allPhases = [
    "pass anatomy",
    "large",
    "load",
    "agent trace",
    "prefix reuse",
    "bundled",
    "never-agreeing draft",
    "node-llama-cpp predictors",
    "sampler pool",
    "served step",
    "overlap",
    "sampled",
] as const;
type PhaseName = (typeof allPhases)[number];
/**
 * Run only when --phases names them (the default run must fit the check's 8 minutes): "sampler pool",
 * pooled native samplers vs one per call with a 151,936-token vocabulary at 1/8/32 streams
 * (bench/e2e/samplerPool.ts; its family fixtures are built from the llama.cpp source the payload carries);
 * "served step", one stream over gRPC and through the agent gateway, each read by a client process,
 * against the same requests in process, pass by pass (bench/e2e/servedStep.ts, bundled pair, OFF): what
 * the served paths cost with cores to spare for the client (on the 2-vCPU build machines the client
 * shares the decode's cores); "overlap", plain steps' bookkeeping overlapped with the next pass or not, over
 * gRPC, OFF and AUTO, 1 and 8 streams (bench/e2e/overlapSteps.ts, bundled pair); "sampled", the large
 * target at temperature 1 (the hosted APIs' default), prompt i seeded i + 1 on every system: speculation's
 * gain when drafts are kept with the target's probability, and how many seeded samples equal OFF's when
 * the passes' shapes differ (the batch-invariance caveat of docs/speculative-decoding.md, on CUDA kernels).
 */
const optInPhases: readonly PhaseName[] = ["sampler pool", "served step", "overlap", "sampled"];
/** Opt-in phases on the large target. */
const largeOptIn: readonly PhaseName[] = ["sampled"];
const selected = new Set<string>(
    values.phases
        ? values.phases.split(",").map((p) => p.trim())
        : allPhases.filter((name) => !optInPhases.includes(name)),
);
for (const name of selected)
    if (!(allPhases as readonly string[]).includes(name))
        throw new Error(`unknown phase "${name}" in --phases (phases: ${allPhases.join(", ")})`);
const wanted = (name: PhaseName): boolean => selected.has(name);
/** --load-mode: the speculation mode of the load phase's server ("auto" or "off": the server's default mode). */
const loadMode = values["load-mode"];
if (loadMode !== "auto" && loadMode !== "off")
    throw new Error(`--load-mode takes "auto" or "off", got "${loadMode}"`);
/** --batch-order: the load phase's engine.batchOrder; unset keeps the engine's default. */
const batchOrder = values["batch-order"];
if (batchOrder !== undefined && batchOrder !== "steps-first" && batchOrder !== "even")
    throw new Error(`--batch-order takes "steps-first" or "even", got "${batchOrder}"`);
/** --overlap-steps: the load phase's engine.overlapSteps; unset keeps the engine's default. */
const overlapOption = values["overlap-steps"];
if (overlapOption !== undefined && overlapOption !== "true" && overlapOption !== "false")
    throw new Error(`--overlap-steps takes "true" or "false", got "${overlapOption}"`);
const overlapSteps = overlapOption === undefined ? undefined : overlapOption === "true";
/** --systems for the large-target comparison, e.g. "off,draft k=4,draft k=8,auto" (default: all). */
const largeSystems = values.systems?.split(",").map((s) => s.trim());

const { runCompareDraft } = await import("./e2e/compareDraft.js");
const { runPrefixReuseGrpc } = await import("./e2e/prefixReuse.js");
const { runNlcBaselines } = await import("./e2e/nlcBaselines.js");
const { runPassAnatomy } = await import("./e2e/passAnatomy.js");
const { readSet } = await import("./e2e/compareDraft.js");
const { bundledModelPath } = await import("../test/helpers/bundledModels.js");
const { widenTarget, widenedParameters } = await import("../models/build/widenTarget.js");
const { getLlama } = await import("node-llama-cpp");
const { parseConfig } = await import("../src/config/loadConfig.js");

const started = Date.now();
const log = (message: string): void => {
    process.stderr.write(
        `[gpuCheck ${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${message}\n`,
    );
};
const sh = (command: string, args: string[]): string => {
    try {
        return execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    } catch {
        return "";
    }
};
const date = new Date().toISOString().slice(0, 10);
const resultsDir = resolve(import.meta.dirname, "results");
mkdirSync(resultsDir, { recursive: true });
const stem = `gpu-${date}${values.tag ? `-${values.tag}` : ""}${small ? "-rehearsal" : ""}`;
const base = resolve(resultsDir, stem);

const phases: GpuCheckReport["phases"] = {};
const tables: string[] = [];
const report: GpuCheckReport = { at: new Date().toISOString(), small, environment: {}, phases };

async function phase(name: string, body: () => Promise<void> | void): Promise<void> {
    const t0 = Date.now();
    log(`${name}…`);
    try {
        await body();
        phases[name] = { seconds: (Date.now() - t0) / 1000 };
    } catch (error) {
        phases[name] = { seconds: (Date.now() - t0) / 1000, error: String((error as Error).stack ?? error) };
        log(`${name} failed: ${(error as Error).message}`);
    }
    log(`${name} done in ${phases[name].seconds.toFixed(1)} s`);
    save();
}

/**
 * Runs a bench script (under bench/) in its own process, as its users run it; returns what it printed,
 * or throws with the end of its stderr.
 */
function runBenchScript(
    script: string,
    args: string[],
    options: { nodeFlags?: string[]; env?: NodeJS.ProcessEnv } = {},
): string {
    const run = spawnSync(
        process.execPath,
        [...(options.nodeFlags ?? []), "--import", "tsx", resolve(import.meta.dirname, script), ...args],
        { encoding: "utf8", env: options.env ?? process.env, timeout: 600_000 },
    );
    if (run.status !== 0) throw new Error(`${script} exited ${run.status}: ${run.stderr.slice(-2000)}`);
    return run.stdout;
}

function save(): void {
    writeFileSync(`${base}.json`, JSON.stringify(report) + "\n");
    writeFileSync(`${base}.md`, gpuCheckMarkdown(report, tables) + "\n");
    // Every result file of this run (its load phase's too) goes into the call's one bundle: a device
    // call returns at most 8 files (bench/gpuResultsBundle.ts).
    const out = process.env.OUT;
    if (out && existsSync(out))
        addToBundle(resolve(out, bundleName), resultsDir, [
            `${stem}.json`,
            `${stem}.md`,
            `${stem}-load.json`,
            `${stem}-load-config.json`,
        ]);
}

await phase("environment", async () => {
    const smi = sh("nvidia-smi", [
        "--query-gpu=name,driver_version,memory.total,compute_cap",
        "--format=csv,noheader",
    ]).split(", ");
    const pkg = (name: string): string =>
        (
            JSON.parse(
                readFileSync(resolve(import.meta.dirname, `../node_modules/${name}/package.json`), "utf8"),
            ) as {
                version: string;
            }
        ).version;
    const buildFile = resolve(
        import.meta.dirname,
        "../node_modules/@node-llama-cpp/linux-x64-cuda/bins/linux-x64-cuda/.tiercel-source-build",
    );
    const llama = await getLlama({
        gpu: values.gpu === "false" ? false : (values.gpu as "cuda"),
        build: "never",
    });
    const vram = await llama.getVramState();
    Object.assign(report.environment, {
        gpu: smi[0] || (await llama.getGpuDeviceNames()).join(", ") || "none",
        driver: smi[1],
        memory: smi[2],
        computeCapability: smi[3],
        cuda: sh("nvcc", ["--version"]).split("\n").pop(),
        backend: String(llama.gpu),
        build: existsSync(buildFile) ? readFileSync(buildFile, "utf8").trim() : llama.buildType,
        vramGiB: vram.total / 2 ** 30,
        versions: {
            node: process.version,
            "node-llama-cpp": pkg("node-llama-cpp"),
            llamaCpp: llama.llamaCppRelease,
        },
    });
    log(`GPU ${report.environment.gpu ?? "none"}, backend ${String(llama.gpu)}`);
});

/** --sets for the speculation comparisons: "completion", "edit" or both (default: both; --small: completion). */
const sets =
    values.sets?.split(",").map((s) => s.trim()) ?? (small ? ["completion"] : ["completion", "edit"]);
let largePath: string | undefined;
if (
    allPhases.some(
        (name) =>
            name !== "bundled" && (!optInPhases.includes(name) || largeOptIn.includes(name)) && wanted(name),
    )
) {
    await phase("large target", async () => {
        const t0 = Date.now();
        largePath = await widenTarget(width, "Q8_0", layers);
        report.largeTarget = {
            path: largePath,
            width,
            layers,
            parameters: widenedParameters(width, layers),
            bytes: statSync(largePath).size,
            writeSeconds: (Date.now() - t0) / 1000,
        };
    });
}
const largeLabel = `cost-scaled target (Net2Net ×${width}, ${layers} blocks, ~${(widenedParameters(width, layers) / 1e9).toFixed(1)} B params; a cost stand-in)`;

if (largePath) {
    const target = { path: largePath, label: largeLabel };
    if (wanted("pass anatomy"))
        await phase("pass anatomy", async () => {
            report.passAnatomy = await runPassAnatomy({
                targetPath: largePath,
                repeats: small ? 5 : 20,
                streams: small ? [1, 2] : [1, 8, 32],
            });
            tables.push(
                report.passAnatomy.table.replace("on one sequence", `on one sequence, ${largeLabel}`),
                "",
            );
        });
    if (wanted("large"))
        await phase("large", async () => {
            report.large = await runCompareDraft({
                maxTokens,
                sets,
                scaled: false,
                target,
                systems: largeSystems,
            });
            tables.push(report.large.table, "");
        });
    if (wanted("load"))
        await phase("load", () => {
            const json = `${base}-load.json`;
            // The server's default mode; the rest of the configuration is the default a user gets.
            const config = `${base}-load-config.json`;
            writeFileSync(
                config,
                JSON.stringify({
                    speculation: { defaultMode: loadMode },
                    engine: {
                        ...(batchOrder && { batchOrder }),
                        ...(overlapSteps !== undefined && { overlapSteps }),
                    },
                }) + "\n",
            );
            const stdout = runBenchScript(
                "e2e/grpcThroughput.ts",
                [
                    "--target",
                    largePath!,
                    "--concurrency",
                    small ? "1,2" : "1,8,32",
                    "--sequences",
                    small ? "2" : "32",
                    "--context-size",
                    "1024",
                    // 4 prompts × 32 tokens: ~60 s on an H200 with the 8.6 B target (8 × 64 did not fit the
                    // 8-minute budget of the whole check).
                    "--max-tokens",
                    String(Math.min(32, maxTokens)),
                    "--rounds",
                    "1",
                    "--prompts",
                    small ? "2" : "4",
                    "--threads",
                    "1",
                    "--config",
                    config,
                    "--json",
                    json,
                ],
                // --kv-unified: one KV stream for all sequences (native/lib.sh, patch_kv_unified_switch; only
                // the source-built backend reads it).
                { env: values["kv-unified"] ? { ...process.env, TIERCEL_KV_UNIFIED: "1" } : process.env },
            );
            report.load = JSON.parse(readFileSync(json, "utf8")) as NonNullable<typeof report.load>;
            tables.push(
                `## Load: gRPC streams on loopback, speculation ${loadMode.toUpperCase()}${values["kv-unified"] ? ", kv_unified on" : ""}, batch order ${batchOrder ?? parseConfig({}).engine.batchOrder}, overlap steps ${overlapSteps ?? parseConfig({}).engine.overlapSteps}, ${largeLabel}, ${Math.min(32, maxTokens)} tokens per request`,
                "",
                "```",
                stdout.trim(),
                "```",
                "",
            );
        });
    if (wanted("agent trace"))
        await phase("agent trace", () => {
            report.agentTrace = runBenchScript(
                "e2e/suffixDrafting.ts",
                ["--target", largePath!, "--tokens", String(maxTokens)],
                { nodeFlags: ["--expose-gc"] },
            ).trim();
            tables.push(report.agentTrace.replace(/^# /, "## "), "");
        });
    if (wanted("prefix reuse"))
        await phase("prefix reuse", async () => {
            report.prefixReuse = await runPrefixReuseGrpc(small ? 400 : 1900, small ? 3 : 6, target);
            tables.push(report.prefixReuse.table, "");
        });
}

if (wanted("sampler pool"))
    await phase("sampler pool", () => {
        const streams = small ? "1,2" : "1,8,32";
        report.samplerPool = runBenchScript("e2e/samplerPool.ts", [
            "--models",
            "qwen25coder,bundled",
            "--streams",
            streams,
            "--rounds",
            "3",
        ]).trim();
        tables.push(report.samplerPool, "");
    });

if (wanted("served step"))
    await phase("served step", () => {
        report.servedStep = runBenchScript("e2e/servedStep.ts", [
            "--rounds",
            small ? "1" : "2",
            "--prompts",
            small ? "4" : "24",
        ]).trim();
        tables.push("## One token on the served path (bundled pair, OFF)", "", report.servedStep, "");
    });

if (wanted("overlap"))
    await phase("overlap", () => {
        report.overlapSteps = runBenchScript("e2e/overlapSteps.ts", [
            "--rounds",
            small ? "2" : "6",
            "--streams",
            small ? "1,2" : "1,8",
        ]).trim();
        tables.push(report.overlapSteps, "");
    });

if (wanted("bundled"))
    await phase("bundled", async () => {
        report.bundled = await runCompareDraft({ maxTokens, sets, scaled: false });
        tables.push(report.bundled.table, "");
    });

if (largePath) {
    const target = { path: largePath, label: largeLabel };
    if (wanted("never-agreeing draft"))
        await phase("never-agreeing draft", async () => {
            report.disagreeing = await runCompareDraft({
                maxTokens,
                sets: ["completion"],
                scaled: false,
                target,
                draft: "disagreeing",
                systems: ["off", "draft k=4", "auto"],
            });
            tables.push(report.disagreeing.table, "");
        });
    if (wanted("node-llama-cpp predictors"))
        await phase("node-llama-cpp predictors", async () => {
            report.baselines = await runNlcBaselines(
                largePath!,
                bundledModelPath("draft"),
                readSet("completion").slice(0, small ? 2 : 12),
                maxTokens,
            );
            tables.push(
                `## node-llama-cpp's own predictors, ${largeLabel}, completion set, ${maxTokens} tokens, greedy`,
                "",
                "| system | tok/s | validated | refuted |",
                "| --- | --- | --- | --- |",
                ...report.baselines.map(
                    (b) =>
                        `| ${b.system} | ${(b.tokens / b.decodeSeconds).toFixed(1)} | ${b.validated} | ${b.refuted} |`,
                ),
                "",
            );
        });
    if (wanted("sampled"))
        await phase("sampled", async () => {
            report.sampled = await runCompareDraft({
                maxTokens,
                sets: ["completion"],
                scaled: false,
                target,
                temperature: 1,
                systems: ["off", "ngram k=4", "draft k=4", "draft k=8", "auto"],
            });
            tables.push(report.sampled.table, "");
        });
}
log(`results: ${base}.md, ${base}.json`);
console.log(gpuCheckMarkdown(report, tables));
