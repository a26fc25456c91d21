/**
 * llama.cpp's own C++ speculative decoding (`llama-speculative-simple`) and plain decoding
 * (`llama-bench` tg at the prompts' depth) on the same GGUFs, prompts, token budget and thread count as
 * tiercel's systems — when native/build-tools.sh has built them; otherwise a clear skip.
 *
 * The comparison is between *speedups* (each system over its own plain decoding of the same target):
 * the C++ tools built here lack the AMX kernels node-llama-cpp's prebuilt binary has, so absolute
 * tokens/s are not comparable across the two binaries.
 *
 *   node --import tsx bench/e2e/llamaCppSpeculative.ts [--tokens 64] [--draft-max 4] [--sets completion,edit]
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { option } from "../cli.js";
import { bundledModelPath } from "../../test/helpers/bundledModels.js";
import { benchThreads } from "../threads.js";
import { readSet } from "./compareDraft.js";

const binDir = resolve(import.meta.dirname, "../../native/build/cmake/bin");

export interface LlamaCppSetResult {
    set: string;
    /** Tokens decoded by speculative-simple over all prompts, and the seconds it reported for them. */
    specTokens: number;
    specSeconds: number;
    drafted: number;
    accepted: number;
    /** Prompts whose run never printed its statistics (left out of the figures). */
    missing: number;
    /** Plain decoding tokens/s of the target from llama-bench (tg at the prompts' mean depth). */
    plainTokensPerSecond: number;
    speedup: number;
}

export type LlamaCppResult =
    | { skipped: string }
    | { skipped?: undefined; draftMax: number; threads: number; sets: LlamaCppSetResult[]; table: string };

function parseSpeculative(output: string): {
    tokens: number;
    seconds: number;
    drafted: number;
    accepted: number;
} {
    const decoded = /decoded\s+(\d+) tokens in\s+([\d.]+) seconds/.exec(output);
    const drafted = /n_drafted\s*=\s*(\d+)/.exec(output);
    const accepted = /n_accept\s*=\s*(\d+)/.exec(output);
    if (!decoded || !drafted || !accepted)
        throw new Error(`unexpected llama-speculative-simple output:\n${output.slice(-800)}`);
    return {
        tokens: Number(decoded[1]),
        seconds: Number(decoded[2]),
        drafted: Number(drafted[1]),
        accepted: Number(accepted[1]),
    };
}

/**
 * Runs speculative-simple once. llama.cpp's log is written by a background thread, and now and then
 * the process exits before the closing statistics are flushed (seen here on about 1 run in 8, more under
 * load): such a run is repeated, up to five times; a prompt that never reports is left out and counted
 * (`missing`), never counted as zero.
 */
function runSpeculative(
    bin: string,
    args: string[],
): { tokens: number; seconds: number; drafted: number; accepted: number } | undefined {
    for (let attempt = 0; attempt < 5; attempt++) {
        const run = spawnSync(bin, args, {
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe"],
            maxBuffer: 64 * 2 ** 20,
        });
        if (run.status !== 0)
            throw new Error(`llama-speculative-simple exited with ${run.status}: ${run.stderr.slice(-800)}`);
        // Its statistics go to stderr (llama.cpp's log), the completion to stdout.
        if (/n_accept\s*=/.test(run.stderr)) return parseSpeculative(run.stderr);
    }
    return undefined;
}

/** Plain decode tokens/s of `model` from llama-bench: `tokens` generated after a `depth`-token context. */
function plainDecode(model: string, tokens: number, depth: number, threads: number): number {
    const out = execFileSync(
        resolve(binDir, "llama-bench"),
        [
            "-m",
            model,
            "-p",
            "0",
            "-n",
            String(tokens),
            "-d",
            String(depth),
            "-t",
            String(threads),
            "-r",
            "3",
            "-o",
            "json",
        ],
        { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );
    const rows = JSON.parse(out) as { avg_ts: number; n_gen: number }[];
    const row = rows.find((r) => r.n_gen === tokens);
    if (!row) throw new Error(`llama-bench printed no tg${tokens} row`);
    return row.avg_ts;
}

export function runLlamaCppSpeculative({
    sets,
    maxTokens,
    draftMax = 4,
    onProgress,
}: {
    sets: string[];
    maxTokens: number;
    draftMax?: number;
    onProgress?: (done: number, label: string) => void;
}): LlamaCppResult {
    const spec = resolve(binDir, "llama-speculative-simple");
    if (!existsSync(spec) || !existsSync(resolve(binDir, "llama-bench")))
        return {
            skipped:
                "llama.cpp's C++ tools are not built here (build them with `native/build-tools.sh`, ~15 min on 2 cores)",
        };
    const target = bundledModelPath("target");
    const draft = bundledModelPath("draft");
    const threads = benchThreads;
    const results: LlamaCppSetResult[] = [];
    for (const set of sets) {
        const prompts = readSet(set);
        const r = { set, specTokens: 0, specSeconds: 0, drafted: 0, accepted: 0, missing: 0 };
        let depth = 0;
        prompts.forEach((prompt, i) => {
            const parsed = runSpeculative(spec, [
                "-m",
                target,
                "-md",
                draft,
                "-p",
                prompt,
                "-n",
                String(maxTokens),
                "--spec-type",
                "draft-simple",
                "-lv",
                "4",
                "--spec-draft-n-max",
                String(draftMax),
                "--temp",
                "0",
                "-c",
                "1024",
                "-t",
                String(threads),
                "-td",
                String(threads),
            ]);
            if (!parsed) {
                r.missing++;
                return;
            }
            r.specTokens += parsed.tokens;
            r.specSeconds += parsed.seconds;
            r.drafted += parsed.drafted;
            r.accepted += parsed.accepted;
            depth += prompt.length / 4;
            onProgress?.(
                (sets.indexOf(set) + (i + 1) / (prompts.length + 1)) / sets.length,
                `${set} ${i + 1}`,
            );
        });
        const plain = plainDecode(target, maxTokens, Math.round(depth / prompts.length), threads);
        results.push({ ...r, plainTokensPerSecond: plain, speedup: r.specTokens / r.specSeconds / plain });
    }
    const table = [
        `## llama.cpp C++ speculative-simple (same GGUFs and prompts, draft-max ${draftMax}, ${maxTokens} tokens, ${threads} thread(s))`,
        "",
        "| set | spec tok/s | plain tok/s (llama-bench) | × its plain | acceptance | prompts without statistics |",
        "| --- | --- | --- | --- | --- | --- |",
        ...results.map(
            (r) =>
                `| ${r.set} | ${(r.specTokens / r.specSeconds).toFixed(1)} | ${r.plainTokensPerSecond.toFixed(1)} | ${r.speedup.toFixed(2)} | ${r.drafted ? (r.accepted / r.drafted).toFixed(2) : "–"} | ${r.missing} |`,
        ),
    ].join("\n");
    return { draftMax, threads, sets: results, table };
}

if (import.meta.filename === process.argv[1]) {
    const result = runLlamaCppSpeculative({
        sets: option("--sets", "completion,edit").split(","),
        maxTokens: Number(option("--tokens", "64")),
        draftMax: Number(option("--draft-max", "4")),
        onProgress: (f, label) => process.stderr.write(`\r${(f * 100).toFixed(0)}% ${label}          `),
    });
    process.stderr.write("\n");
    console.log(result.skipped ?? result.table);
}
