/**
 * `node --import tsx bench/e2e/hedging.ts`: what hedged streams buy and cost. One tier of two hosted
 * targets (the official SDKs against the local fake Anthropic and OpenAI servers); each reply's first
 * content event comes after a heavy-tailed TTFT: `--slowShare` (5 %) of replies are 10× slower than the
 * rest. The same seeded replies are served with hedging off, then on once per `--budgets` ratio (the
 * other settings at their defaults: p95 of the last 200 first tokens, 20 samples before the first
 * hedge, a one-minute budget window), and the bench prints p50/p95/p99 of TTFT and of end-to-end
 * latency per run, the p99 ratios against the run without hedging, the extra requests by outcome and
 * the extra cost (answers plus the cancelled attempts' cost so far, over the run without hedging).
 *
 *   node --import tsx bench/e2e/hedging.ts [--requests 1000] [--concurrency 8] [--ttftMs 40] [--slowShare 0.05]
 *     [--budgets 0.05,0.1] [--seed 7]
 */
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { createRouter } from "../../src/router/createRouter.js";
import type { Router } from "../../src/router/ModelRouter.js";
import type { RoutingRecord } from "../../src/router/types.js";
import { silentLogger } from "../../src/util/logger.js";
import { anthropicFrames, startFakeAnthropicServer } from "../../test/helpers/fakeAnthropicServer.js";
import type { FakeHttpServer, SseFrame } from "../../test/helpers/fakeHttpServer.js";
import { openaiFrames, startFakeOpenAIServer } from "../../test/helpers/fakeOpenAIServer.js";
import { percentile } from "../percentile.js";

const { values } = parseArgs({
    options: {
        requests: { type: "string", default: "1000" },
        concurrency: { type: "string", default: "8" },
        ttftMs: { type: "string", default: "40" },
        slowShare: { type: "string", default: "0.05" },
        seed: { type: "string", default: "7" },
        budgets: { type: "string", default: "0.05,0.1" },
    },
});
const requests = Number(values.requests);
const concurrency = Number(values.concurrency);
const ttftMs = Number(values.ttftMs);
const slowShare = Number(values.slowShare);
/** One hedged run per budget ratio, after the run without hedging. */
const budgets = values.budgets.split(",").map(Number);
/** Gap between the answer's later chunks (after its first token). */
const chunkGapMs = 5;
const chunks = ["Renamed ", "x ", "to ", "count ", "in ", "app.ts."];

/** mulberry32: a small seeded PRNG, so both runs get the same replies. */
function rng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

/** One reply's TTFT: ±25 % around ttftMs, 10× for the slow share. */
function drawTtft(random: () => number): number {
    const base = ttftMs * (0.75 + 0.5 * random());
    return random() < slowShare ? base * 10 : base;
}

/** A reply's frames with its first content event delayed by the TTFT and the later ones by the gap. */
function paced(frames: SseFrame[], isContent: (f: SseFrame, i: number) => boolean, ttft: number): SseFrame[] {
    let first = true;
    return frames.map((f, i) => {
        if (!isContent(f, i)) return f;
        const delayMs = first ? ttft : chunkGapMs;
        first = false;
        return { ...f, delayMs };
    });
}

const prompt = "Rename the variable x to count in this function.\n" + "const x = 1;\n".repeat(150);
/** The router's estimate of the prompt (characters / 4), reported by the fakes as the usage too, so answers and cancelled attempts are priced alike. */
const promptTokens = Math.ceil(prompt.length / 4);
const outputTokens = chunks.length;

function script(server: FakeHttpServer, kind: "anthropic" | "openai", seed: number): void {
    server.reset();
    const random = rng(seed);
    // Every request could reach either target (the secondary only through hedges), so both get one each.
    for (let i = 0; i < requests; i++) {
        const ttft = drawTtft(random);
        const frames =
            kind === "anthropic"
                ? paced(
                      anthropicFrames({
                          blocks: [{ type: "text", deltas: chunks }],
                          stopReason: "end_turn",
                          usage: { input: promptTokens, output: outputTokens },
                      }),
                      (f) => f.event === "content_block_delta",
                      ttft,
                  )
                : paced(
                      openaiFrames({
                          text: chunks,
                          finishReason: "stop",
                          usage: { prompt: promptTokens, completion: outputTokens },
                      }),
                      // Frame 0 is the role delta; the text deltas follow it.
                      (_f, i) => i >= 1 && i <= chunks.length,
                      ttft,
                  );
        server.enqueue({ kind: "sse", frames });
    }
}

const anthropic = await startFakeAnthropicServer({ keepRequests: 16 });
const openai = await startFakeOpenAIServer({ keepRequests: 16 });

function makeRouter(budgetRatio: number | undefined): Router {
    return createRouter(
        {
            providers: {
                claude: { type: "anthropic", baseURL: anthropic.url, apiKeyEnv: "BENCH_KEY" },
                gpt: { type: "openai", baseURL: `${openai.url}/v1`, apiKeyEnv: "BENCH_KEY" },
            },
            tiers: [
                {
                    name: "hosted",
                    targets: [
                        { provider: "claude", model: "claude-sonnet-5-5" },
                        { provider: "gpt", model: "gpt-5.1-codex" },
                    ],
                },
            ],
            prices: {
                "claude-sonnet-5-5": { inputPerMTok: 3, outputPerMTok: 15 },
                "gpt-5.1-codex": { inputPerMTok: 1.25, outputPerMTok: 10 },
            },
            reliability: { maxRetries: 0 },
            cache: { enabled: false },
            affinity: { enabled: false },
            feedback: { enabled: false },
            hedging: budgetRatio === undefined ? { enabled: false } : { enabled: true, budgetRatio },
        },
        { env: { BENCH_KEY: "sk-bench-0000000000000000" }, logger: silentLogger },
    );
}

interface Sample {
    ttftMs: number;
    totalMs: number;
    record: RoutingRecord;
}

async function run(budgetRatio: number | undefined): Promise<Sample[]> {
    const seed = Number(values.seed);
    script(anthropic, "anthropic", seed);
    script(openai, "openai", seed + 1);
    const router = makeRouter(budgetRatio);
    const samples: Sample[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
        while (next < requests) {
            next++;
            const start = performance.now();
            let ttft = 0;
            for await (const event of router.stream({ messages: [{ role: "user", content: prompt }] })) {
                if (event.type === "text_delta" && ttft === 0) ttft = performance.now() - start;
                if (event.type === "message_end")
                    samples.push({ ttftMs: ttft, totalMs: performance.now() - start, record: event.routing });
            }
        }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    await router.close();
    return samples;
}

const runs: { name: string; samples: Sample[] }[] = [{ name: "off", samples: await run(undefined) }];
for (const ratio of budgets) runs.push({ name: `on, budget ${ratio * 100} %`, samples: await run(ratio) });
await Promise.all([anthropic.close(), openai.close()]);

const off = runs[0]!.samples;
const quantiles = [0.5, 0.95, 0.99] as const;
const pcts = (xs: Sample[], pick: (s: Sample) => number): number[] => {
    const values = xs.map(pick);
    return quantiles.map((q) => percentile(values, q));
};
const cost = (xs: Sample[]): number =>
    xs.reduce((n, s) => n + (s.record.cost_usd ?? 0) + (s.record.hedge?.lost_cost_usd ?? 0), 0);
const cell = (ms: number): string => ms.toFixed(1).padStart(7);

console.log(
    `hedging bench: ${requests} streamed requests, concurrency ${concurrency}, TTFT ${ttftMs} ms ±25 %, ` +
        `${(slowShare * 100).toFixed(1)} % of replies 10× slower (seed ${values.seed}); ` +
        `CPU: ${cpus()[0]?.model ?? "?"} × ${cpus().length}`,
);
console.log(
    `${"hedging".padEnd(16)} ${"TTFT ms: p50".padStart(12)} ${"p95".padStart(7)} ${"p99".padStart(7)}   ` +
        `${"e2e ms: p50".padStart(11)} ${"p95".padStart(7)} ${"p99".padStart(7)}   ` +
        `${"TTFT p99 ×".padStart(10)} ${"e2e p99 ×".padStart(9)}   hedges (won/lost/failed, over budget)   cost`,
);
const [offTtft99, offE2e99] = [pcts(off, (s) => s.ttftMs)[2]!, pcts(off, (s) => s.totalMs)[2]!];
for (const { name, samples } of runs) {
    const ttft = pcts(samples, (s) => s.ttftMs);
    const e2e = pcts(samples, (s) => s.totalMs);
    const count = (o: string): number => samples.filter((s) => s.record.hedge?.outcome === o).length;
    const sent = count("won") + count("lost") + count("failed");
    console.log(
        `${name.padEnd(16)} ${cell(ttft[0]!).padStart(12)} ${cell(ttft[1]!)} ${cell(ttft[2]!)}   ` +
            `${cell(e2e[0]!).padStart(11)} ${cell(e2e[1]!)} ${cell(e2e[2]!)}   ` +
            `${(ttft[2]! / offTtft99).toFixed(2).padStart(10)} ${(e2e[2]! / offE2e99).toFixed(2).padStart(9)}   ` +
            `${`${((sent / requests) * 100).toFixed(1)} % (${count("won")}/${count("lost")}/${count("failed")}, ${count("no_budget")})`.padEnd(38)} ` +
            `${((cost(samples) / cost(off) - 1) * 100).toFixed(1).padStart(5)} %`,
    );
}
