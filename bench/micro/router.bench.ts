/**
 * Router overhead (not a test): how long the router itself takes, with no provider call in the way.
 *
 *   1. decision, rules only: `router.decide()` (validation, features, rules, affinity lookup, plan) and
 *      its pure core (extractFeatures + decideTier + buildPlan); goal p99 < 0.2 ms;
 *   2. cache hit end to end: `router.complete()` served from the response cache (validation, decision,
 *      cache keys, lookup, routing record, metrics); goal < 2 ms;
 *   3. stream replay of a cache hit, consumed to the end; then, cache off, `complete()` and `stream()`
 *      answered by an in-process scripted provider (validation, decision, scope and attempt signals,
 *      routing record, metrics: the router's per-request path without the HTTP hops);
 *   4. the learned classifier's input: `featureVector()` on the rules' features (runs on the main thread
 *      before the worker hop, so it is part of every classified decision), for the agent request and for
 *      a 20 kB paste of code.
 *
 * Each call is timed on its own (performance.now around it) after a warm-up, then percentiles are taken
 * over all samples. The request is shaped like a coding agent's: a 2 kB system prompt, 8 tools with
 * schemas, a 24-message history with tool calls and results (~25 kB of JSON).
 *
 *   npm run bench:router            # N=20000 per case
 *   npm run bench:router -- 5000    # fewer samples
 */
import { cpus, loadavg } from "node:os";
import { extractFeatures } from "../../src/router/features.js";
import { featureVector } from "../../src/router/learned/featureVector.js";
import { defaultWordVectorsPath } from "../../src/router/learned/defaults.js";
import { WordVectors } from "../../src/router/learned/WordVectors.js";
import { buildPlan, resolveTiers } from "../../src/router/plan.js";
import { compilePolicy, decideTier } from "../../src/router/policy.js";
import { parseRouterConfig, type RouterConfigInput } from "../../src/router/config.js";
import type { Provider } from "../../src/providers/Provider.js";
import type { ChatMessage, ChatRequest } from "../../src/chat/types.js";
import { baseConfig, setupRouter } from "../../test/unit/router/routerFixture.js";
import { percentileOfSorted } from "../percentile.js";

const samples = Number(process.argv[2] ?? 20_000);
const warmup = Math.min(2_000, samples);

/** The unit tests' three tiers and providers (routerFixture.ts), with an agent-shaped rule set. */
const overrides: Partial<RouterConfigInput> = {
    policy: {
        defaultTier: "mid",
        rules: [
            { name: "security", tier: "frontier", when: { tags: ["security", "architecture"] } },
            { name: "stalled_agent", tier: "frontier", when: { minToolErrorStreak: 2 } },
            { name: "long_context", tier: "frontier", when: { minContextTokens: 60_000 } },
            {
                name: "hard_words",
                tier: "frontier",
                when: {
                    keywords: ["race condition", "deadlock", "memory leak", "refactor the architecture"],
                },
            },
            {
                name: "quick_completion",
                tier: "local",
                when: { taskTypes: ["completion", "commit_message"], maxContextTokens: 2_000 },
            },
            { name: "tight_budget", tier: "local", when: { maxLatencyBudgetMs: 300, hasTools: false } },
        ],
    },
};

function agentRequest(): ChatRequest {
    const tools = [
        "read_file",
        "write_file",
        "run",
        "grep",
        "list_dir",
        "git_diff",
        "apply_patch",
        "search_web",
    ].map((name) => ({
        name,
        description: `${name.replace("_", " ")}: ${"does the thing carefully. ".repeat(4)}`,
        input_schema: {
            type: "object",
            properties: {
                path: { type: "string", description: "relative path" },
                pattern: { type: "string" },
                limit: { type: "integer", minimum: 1 },
            },
            required: ["path"],
        },
    }));
    const messages: ChatMessage[] = [
        {
            role: "user",
            content: "The cache test in test/cache.test.ts fails on CI. Find out why and fix it.",
        },
    ];
    for (let i = 0; i < 11; i++) {
        messages.push({
            role: "assistant",
            content: [
                { type: "text", text: `Step ${i}: let me look at the next file.` },
                {
                    type: "tool_call",
                    id: `toolu_${i}`,
                    name: "read_file",
                    arguments: { path: `src/module${i}.ts` },
                },
            ],
        });
        messages.push({
            role: "user",
            content: [
                {
                    type: "tool_result",
                    tool_call_id: `toolu_${i}`,
                    content: `export function f${i}() {\n${"    return cache.get(key) ?? compute(key);\n".repeat(25)}}`,
                },
            ],
        });
    }
    messages.push({ role: "user", content: "Why does the second lookup miss after an eviction?" });
    return {
        system: "You are a careful coding agent working in a TypeScript repository. ".repeat(30),
        messages,
        tools,
        max_tokens: 2_048,
        hints: { session_id: "bench-session", task_type: "chat", namespace: "tiercel", tags: ["debugging"] },
    };
}

/** One user turn: an instruction around ~20 kB of pasted TypeScript. */
function pastedRequest(): ChatRequest {
    const chunk = `import { cacheKeys } from "./cacheKey.js";
export function lookup(ctx: RouteContext): CachedAnswer | undefined {
    const hit = this.#options.cache?.lookup(ctx.cacheKeys);
    metrics.cacheLookups.inc({ result: hit ? "hit" : "miss" });
    return hit?.answer; // see src/router/ResponseCache.ts
}
`;
    const code = chunk.repeat(Math.ceil(20_000 / chunk.length));
    return {
        messages: [
            {
                role: "user",
                content: `Refactor this so the cache test passes and explain the bug:\n\n\`\`\`ts\n${code}\`\`\`\n\nWhy does the second lookup miss after an eviction?`,
            },
        ],
        max_tokens: 2_048,
    };
}

interface Stats {
    p50: number;
    p90: number;
    p99: number;
    max: number;
    mean: number;
}

function stats(times: number[]): Stats {
    const sorted = [...times].sort((a, b) => a - b);
    const at = (q: number) => percentileOfSorted(sorted, q);
    return {
        p50: at(0.5),
        p90: at(0.9),
        p99: at(0.99),
        max: sorted.at(-1)!,
        mean: times.reduce((s, t) => s + t, 0) / times.length,
    };
}

async function measure(name: string, fn: () => unknown, goalMs?: number): Promise<void> {
    for (let i = 0; i < warmup; i++) await fn();
    const times = new Array<number>(samples);
    for (let i = 0; i < samples; i++) {
        const start = performance.now();
        await fn();
        times[i] = performance.now() - start;
    }
    const s = stats(times);
    const us = (ms: number) => `${(ms * 1000).toFixed(1).padStart(8)} µs`;
    const goal =
        goalMs === undefined
            ? ""
            : `   p99/goal ${(s.p99 / goalMs).toFixed(3)} (goal p99 < ${goalMs} ms${s.p99 < goalMs ? ", met" : ", MISSED"})`;
    console.log(
        `${name.padEnd(44)} p50 ${us(s.p50)}  p90 ${us(s.p90)}  p99 ${us(s.p99)}  max ${us(s.max)}${goal}`,
    );
}

const request = agentRequest();
// Tail percentiles on a shared machine are mostly scheduling and GC: print the load next to them.
console.log(
    `router overhead, ${samples} samples per case, request ${(JSON.stringify(request).length / 1024).toFixed(1)} kB, ` +
        `node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(2)}`,
);

// 1. Rules-only decision.
// The fixture's scripted providers answer at once; no record callback, so the bench measures the
// router's own work (a callback would add a JSON serialization per request).
const fixture = setupRouter(overrides, { realClock: true, onRecord: undefined });
const answer = "The function returns the cached value when the key is present.".repeat(4);
for (const provider of [fixture.anthropic, fixture.openai, fixture.local])
    provider.always({ kind: "ok", text: answer });
const parsed = parseRouterConfig({ ...baseConfig, ...overrides });
const policy = compilePolicy(parsed);
const providers = new Map<string, Provider>([
    ["anthropic", fixture.anthropic],
    ["openai", fixture.openai],
    ["local", fixture.local],
]);
const tiers = resolveTiers(parsed, { providers, breakerFor: () => undefined });
await measure(
    "decision core (features + rules + plan)",
    () => {
        const decision = decideTier(extractFeatures(request), policy);
        return buildPlan(tiers, policy.tierIndex.get(decision.tier)!);
    },
    0.2,
);

const { router } = fixture;
await measure("router.decide() (+ request validation)", () => router.decide(request), 0.2);

// 2. Cache hits end to end.
await router.complete(request);
await measure("complete() cache hit, end to end", () => router.complete(request), 2);
await measure(
    "stream() cache hit, replayed to the end",
    async () => {
        let events = 0;
        for await (const _event of router.stream(request)) events++;
        return events;
    },
    2,
);
await router.close();

// 3b. A routed request with the cache off: every call goes through validation, decision, the request's
// scope and attempt signals, the provider (scripted, in-process, no I/O) and the routing record + metrics:
// the router's whole per-request path, as the gateway pays it, without the HTTP hops.
const uncached = setupRouter(
    { ...overrides, cache: { enabled: false } },
    { realClock: true, onRecord: undefined },
);
for (const provider of [uncached.anthropic, uncached.openai, uncached.local])
    provider.always({ kind: "ok", text: answer });
const small: ChatRequest = {
    system: "You are a coding agent.",
    messages: [{ role: "user", content: "Rename the variable x to count in this function." }],
    max_tokens: 64,
    hints: { tier: "mid" },
};
await measure("complete() to a provider, small request", () => uncached.router.complete(small));
await measure("complete() to a provider, agent request", () => uncached.router.complete(request));
await measure("stream() to a provider, small, drained", async () => {
    let events = 0;
    for await (const _event of uncached.router.stream(small)) events++;
    return events;
});
await uncached.router.close();

// 4. The classifier's input vector: the agent request, and a 20 kB paste (its scanned head and tail are
// all code: dotted names, paths, indentation, the text every cue regex reads).
const vectors = WordVectors.read(defaultWordVectorsPath);
await measure("featureVector (classifier input)", () =>
    featureVector(request, vectors, extractFeatures(request)),
);
const pasted = pastedRequest();
await measure("featureVector, 20 kB pasted code", () =>
    featureVector(pasted, vectors, extractFeatures(pasted)),
);
