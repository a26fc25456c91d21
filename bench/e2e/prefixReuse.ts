/**
 * Time to first token for requests that share a long prefix (an agent's system prompt, tools and file
 * context) and differ in a short suffix, with prefix reuse on vs off, measured in one run on the same
 * prompts. Goal: ≥ 5× lower TTFT with reuse on the bundled pair.
 *
 * Two paths: in process (LocalEngine.generate, the reference) and through the gRPC server on loopback
 * with the default config (GenerateStream, TTFT measured by the client as the time to the first chunk
 * carrying tokens). The gRPC path is what a served client sees; it is where a handler that stops reading
 * at the final chunk could lose the cache.
 *
 *   node --import tsx bench/e2e/prefixReuse.ts [--prefix-tokens 2000] [--requests 6] [--scaled]
 *        [--grpc-prefix-tokens 1900]
 *
 * TIERCEL_BENCH_GPU runs both on a GPU; runPrefixReuseGrpc takes another target (the GPU check's).
 */
import { existsSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { resolve } from "node:path";
import { flag, option } from "../cli.js";
import type { HostKvCacheUsage } from "../../src/engine/HostKvCache.js";
import { loadConfig, parseConfig } from "../../src/config/loadConfig.js";
import type { GenerateChunk__Output } from "../../src/grpc/generated/tiercel/v1/GenerateChunk.js";
import { LocalEngine } from "../../src/engine/LocalEngine.js";
import { bundledModelPath, readEvalPrompts } from "../../test/helpers/bundledModels.js";
import { widenedTargetPath, widenTarget } from "../../models/build/widenTarget.js";
import { benchThreads } from "../threads.js";
import { benchGpu } from "../benchGpu.js";
import { startServedBench } from "../startServedBench.js";
import { median } from "../percentile.js";

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
                    gpu: benchGpu,
                    prefixReuse,
                    threads: benchThreads,
                },
                speculation: { stateFile: null },
            }),
            "/",
        );
    const probe = await load(false);
    const { prefix, tokens, suffixes } = sharedPrefixPrompts(probe, prefixTokens, requests);
    await probe.dispose();

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

/** About `prefixTokens` tokens of held-out code, and `requests` short suffixes that differ. */
function sharedPrefixPrompts(
    engine: Pick<LocalEngine, "tokenize" | "detokenize">,
    prefixTokens: number,
    requests: number,
): { prefix: string; tokens: number[]; suffixes: string[] } {
    const held = readEvalPrompts();
    let prefix = "";
    for (const p of held) {
        if (engine.tokenize(prefix).length >= prefixTokens) break;
        prefix += p.prompt + "\n";
    }
    const tokens = engine.tokenize(prefix).slice(0, prefixTokens);
    const suffixes = held
        .slice(-requests)
        .map((p) => "\n# Task: continue this code.\n" + p.prompt.split("\n").slice(-3).join("\n"));
    return { prefix: engine.detokenize(tokens), tokens, suffixes };
}

export interface GrpcPrefixReuseResult {
    prefixTokens: number;
    /** Client-side TTFT medians (first chunk with tokens), reuse off vs on. */
    ttftMsNoReuse: number;
    ttftMsReuse: number;
    reusedMedian: number;
    speedup: number;
    /** The reuse server's host KV cache: what it held and the costs it seeded (HostKvCache.ts). */
    hostCache?: HostKvCacheUsage;
    table: string;
}

/**
 * The same measurement through the gRPC server with the default config (bundled pair; engine.contextSize
 * 2048, so the prefix is a little under 2,000 tokens), reuse off then on, one server each.
 */
export async function runPrefixReuseGrpc(
    prefixTokens: number,
    requests: number,
    target?: { path: string; label: string },
): Promise<GrpcPrefixReuseResult> {
    const loaded = loadConfig(undefined);
    const results: Record<string, { ttftMs: number[]; reused: number[] }> = {};
    let promptTokens = 0;
    let hostCache: HostKvCacheUsage | undefined;
    for (const reuse of [false, true]) {
        const config = parseConfig(
            {
                ...loaded.config,
                ...(target
                    ? {
                          models: {
                              ...loaded.config.models,
                              target: { ...loaded.config.models.target, id: "target", path: target.path },
                          },
                      }
                    : {}),
                engine: {
                    ...loaded.config.engine,
                    contextSize: Math.max(loaded.config.engine.contextSize, prefixTokens + 512),
                    prefixReuse: reuse,
                    threads: benchThreads,
                    gpu: benchGpu,
                },
                speculation: { ...loaded.config.speculation, stateFile: null },
                server: { ...loaded.config.server, grpcPort: 0, metricsPort: 0 },
            },
            "bench config",
        );
        const served = await startServedBench(config, loaded.baseDir);
        const { app, client } = served;
        const { prefix, tokens, suffixes } = sharedPrefixPrompts(app.engine!, prefixTokens, requests);
        if (reuse) hostCache = app.engine!.slotUsage.hostCache;
        promptTokens = tokens.length;
        const r = { ttftMs: [] as number[], reused: [] as number[] };
        for (const [i, suffix] of ["\n", ...suffixes].entries()) {
            const startedAt = performance.now();
            let ttftMs = 0;
            let last: GenerateChunk__Output | undefined;
            const call = client.GenerateStream({
                prompt: prefix + suffix,
                max_tokens: 4,
                speculation: { mode: "SPECULATION_MODE_OFF" },
            });
            for await (const chunk of call as AsyncIterable<GenerateChunk__Output>) {
                if (ttftMs === 0 && chunk.token_ids.length > 0) ttftMs = performance.now() - startedAt;
                last = chunk;
            }
            if (i > 0) {
                r.ttftMs.push(ttftMs);
                r.reused.push(last?.stats?.prompt_tokens_reused ?? 0);
            }
        }
        await served.stop();
        results[reuse ? "reuse" : "no reuse"] = r;
    }
    const off = median(results["no reuse"]!.ttftMs);
    const host = hostCache;
    const on = median(results.reuse!.ttftMs);
    const reusedMedian = median(results.reuse!.reused);
    const table = [
        `## Prefix reuse over gRPC — ${target ? `default config with ${target.label}` : "default config (bundled pair)"}, ${promptTokens}-token shared prefix, ${requests} requests, GenerateStream on loopback`,
        "",
        "| | median client TTFT ms | prompt tokens reused (median) |",
        "| --- | --- | --- |",
        `| no reuse | ${off.toFixed(1)} | ${median(results["no reuse"]!.reused)} |`,
        `| reuse | ${on.toFixed(1)} | ${reusedMedian} |`,
        `| **speed-up** | **${(off / on).toFixed(1)}×** | |`,
        ...(host?.evalMsPerToken !== undefined && host.roundTripMsPerToken !== undefined
            ? [
                  "",
                  `Host KV cache costs seeded at start-up (src/engine/seedHostCacheCosts.ts): evaluating a prompt token ${host.evalMsPerToken.toFixed(4)} ms, saving one and loading it back ${host.roundTripMsPerToken.toFixed(4)} ms; it saves a conversation only when twice the round trip costs less than evaluating it (${2 * host.roundTripMsPerToken < host.evalMsPerToken ? "yes" : "no"} here).`,
              ]
            : []),
    ].join("\n");
    return {
        prefixTokens: promptTokens,
        ttftMsNoReuse: off,
        ttftMsReuse: on,
        reusedMedian,
        speedup: off / on,
        ...(host && { hostCache: host }),
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
    const grpc = await runPrefixReuseGrpc(
        Number(option("--grpc-prefix-tokens", "1900")),
        Number(option("--requests", "6")),
    );
    console.log("\n" + grpc.table);
    console.log(`\nCPU: ${cpus()[0]?.model ?? "?"} × ${cpus().length}; engine threads ${benchThreads}`);
    const file = resolve(import.meta.dirname, `../results/prefixReuse${scaled ? "-scaled" : ""}`);
    writeFileSync(
        `${file}.json`,
        JSON.stringify({ bench: "prefixReuse", at: new Date().toISOString(), ...result, grpc }, null, 2),
    );
    writeFileSync(`${file}.md`, result.table + "\n\n" + grpc.table + "\n");
}
