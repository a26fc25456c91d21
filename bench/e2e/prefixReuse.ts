/**
 * Time to first token for requests that share a long prefix (an agent's system prompt, tools and file
 * context) and differ in a short suffix, with prefix reuse on vs off, measured in one run on the same
 * prompts. Goal (issue 9): ≥ 5× lower TTFT with reuse on the bundled pair.
 *
 *   node --import tsx bench/e2e/prefixReuse.ts [--prefix-tokens 2000] [--requests 6] [--scaled]
 */
import { existsSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { flag, option } from "../cli.js";
import { parseConfig } from "../../src/config/loadConfig.js";
import { LocalEngine } from "../../src/engine/LocalEngine.js";
import { bundledModelPath, readEvalPrompts } from "../../test/helpers/bundledModels.js";
import { widenedTargetPath, widenTarget } from "../../models/build/widenTarget.js";
import { benchThreads } from "../threads.js";

export interface PrefixReuseResult {
    target: string;
    prefixTokens: number;
    ttftMsNoReuse: number;
    ttftMsReuse: number;
    speedup: number;
    table: string;
}

export async function runPrefixReuse(
    prefixTokens: number,
    requests: number,
    scaled: boolean,
): Promise<PrefixReuseResult> {
    let targetPath = bundledModelPath("target");
    if (scaled) {
        targetPath = widenedTargetPath(6);
        if (!existsSync(targetPath)) await widenTarget(6);
    }
    const load = (prefixReuse: boolean) =>
        LocalEngine.load(
            parseConfig({
                models: {
                    target: { id: "target", path: targetPath },
                    drafts: [{ id: "draft", path: bundledModelPath("draft") }],
                },
                engine: {
                    contextSize: prefixTokens + 512,
                    sequences: 1,
                    gpu: false,
                    prefixReuse,
                    threads: benchThreads,
                },
                speculation: { stateFile: null },
            }),
            "/",
        );
    const held = readEvalPrompts();
    const probe = await load(false);
    // Build a prefix of about `prefixTokens` tokens from held-out code.
    let prefix = "";
    for (const p of held) {
        if (probe.tokenize(prefix).length >= prefixTokens) break;
        prefix += p.prompt + "\n";
    }
    const tokens = probe.tokenize(prefix).slice(0, prefixTokens);
    prefix = probe.detokenize(tokens);
    await probe.dispose();
    const suffixes = held
        .slice(-requests)
        .map((p) => "\n# Task: continue this code.\n" + p.prompt.split("\n").slice(-3).join("\n"));

    const results: Record<string, { ttftMs: number[]; reused: number[] }> = {};
    for (const reuse of [false, true]) {
        const engine = await load(reuse);
        const r = { ttftMs: [] as number[], reused: [] as number[] };
        // The first request fills the cache (both configurations pay it); the rest are measured.
        for (const [i, suffix] of ["\n", ...suffixes].entries()) {
            for await (const chunk of engine.generate({
                prompt: prefix + suffix,
                maxTokens: 4,
                speculation: { mode: "off" },
            })) {
                if (chunk.finish && i > 0) {
                    r.ttftMs.push(chunk.finish.stats.ttftMs);
                    r.reused.push(chunk.finish.stats.promptTokensReused);
                }
            }
        }
        results[reuse ? "reuse" : "no reuse"] = r;
        await engine.dispose();
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const off = median(results["no reuse"]!.ttftMs);
    const on = median(results.reuse!.ttftMs);
    const label = scaled ? "cost-scaled target (Net2Net x6, a cost stand-in)" : "bundled target";
    const table = [
        `## Prefix reuse — ${label}, ${tokens.length}-token shared prefix, ${requests} requests`,
        "",
        "| | median TTFT ms | prompt tokens reused (median) |",
        "| --- | --- | --- |",
        `| no reuse | ${off.toFixed(1)} | ${median(results["no reuse"]!.reused)} |`,
        `| reuse | ${on.toFixed(1)} | ${median(results.reuse!.reused)} |`,
        `| **speed-up** | **${(off / on).toFixed(1)}×** | |`,
    ].join("\n");
    return {
        target: label,
        prefixTokens: tokens.length,
        ttftMsNoReuse: off,
        ttftMsReuse: on,
        speedup: off / on,
        table,
    };
}

if (import.meta.filename === process.argv[1]) {
    const scaled = flag("--scaled");
    const result = await runPrefixReuse(
        Number(option("--prefix-tokens", "2000")),
        Number(option("--requests", "6")),
        scaled,
    );
    console.log(result.table);
    const file = resolve(import.meta.dirname, `../results/prefixReuse${scaled ? "-scaled" : ""}`);
    writeFileSync(
        `${file}.json`,
        JSON.stringify({ bench: "prefixReuse", at: new Date().toISOString(), ...result }, null, 2),
    );
    writeFileSync(`${file}.md`, result.table + "\n");
}
