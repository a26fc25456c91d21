/**
 * `npm run bench:gateway`: the gateway's added latency. The same Chat Completions request, sequentially,
 * (a) with the `openai` SDK straight to a local fake OpenAI server, and (b) with the SDK to the gateway,
 * whose router sends it to that same fake (one hosted tier, cache off, so every request goes upstream).
 * Prints p50/p99 of both and of their difference, per call kind (unary, stream to the last chunk).
 * Rounds alternate a and b so machine noise hits both alike. Then the process's CPU time per request of
 * each path (the client, the gateway, its router and the fake all run in this process), the median of
 * alternating blocks: on a shared machine, where wall-clock percentiles move with the neighbours' load,
 * the CPU ratio is the steadier figure. Anchors: Bifrost 0.44 ms, Portkey 2.37 ms,
 * LiteLLM 4.34 ms mean added latency (anchors/gateway-and-agents.md); goal p99 added < 1 ms.
 *
 *   npm run bench:gateway -- [--requests 2000]
 */
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import OpenAI from "openai";
import { startGateway } from "../../src/gateway/startGateway.js";
import { createRouter } from "../../src/router/createRouter.js";
import { silentLogger } from "../../src/util/logger.js";
import {
    openaiCompletion,
    openaiStream,
    startFakeOpenAIServer,
} from "../../test/helpers/fakeOpenAIServer.js";
import { percentile } from "../percentile.js";

const { values } = parseArgs({ options: { requests: { type: "string", default: "2000" } } });
const requests = Number(values.requests);

const fake = await startFakeOpenAIServer();
const router = createRouter(
    {
        providers: { openai: { type: "openai", baseURL: `${fake.url}/v1`, apiKeyEnv: "BENCH_OPENAI_KEY" } },
        tiers: [{ name: "hosted", targets: [{ provider: "openai", model: "gpt-5.1-codex" }] }],
        reliability: { maxRetries: 0 },
        cache: { enabled: false },
        affinity: { enabled: false },
    },
    { env: { BENCH_OPENAI_KEY: "sk-bench" }, logger: silentLogger },
);
const gateway = await startGateway({
    router,
    host: "127.0.0.1",
    port: 0,
    keys: [],
    maxBodyBytes: 1 << 20,
    registry: router.registry,
    ready: () => true,
    logger: silentLogger,
});
const direct = new OpenAI({ baseURL: `${fake.url}/v1`, apiKey: "sk-bench", maxRetries: 0 });
const viaGateway = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: "unused", maxRetries: 0 });
const body = {
    model: "gpt-5.1-codex",
    messages: [
        { role: "system" as const, content: "You are a coding agent." },
        { role: "user" as const, content: "Rename the variable x to count in this function." },
    ],
    max_completion_tokens: 64,
};
const turn = { text: ["Renamed ", "x to ", "count."], finishReason: "stop" };

async function unary(client: OpenAI): Promise<number> {
    fake.enqueue(openaiCompletion(turn));
    const start = performance.now();
    await client.chat.completions.create(body);
    return performance.now() - start;
}

async function streamed(client: OpenAI): Promise<number> {
    fake.enqueue(openaiStream(turn));
    const start = performance.now();
    const stream = await client.chat.completions.create({
        ...body,
        stream: true,
        stream_options: { include_usage: true },
    });
    for await (const _chunk of stream) {
        // drained to the last chunk
    }
    return performance.now() - start;
}

const fmt = (ms: number): string => ms.toFixed(3);
console.log(
    `gateway overhead: ${requests} sequential requests per path and kind; CPU ${cpus()[0]?.model ?? "?"} (${cpus().length} cores)`,
);
for (const [kind, call] of [
    ["unary", unary],
    ["stream", streamed],
] as const) {
    for (let i = 0; i < 200; i++) await call(i % 2 === 0 ? direct : viaGateway); // warm-up (JIT, sockets)
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < requests; i++) {
        a.push(await call(direct));
        b.push(await call(viaGateway));
    }
    const added = b.map((x, i) => x - a[i]!);
    console.log(
        `${kind.padEnd(6)} direct p50 ${fmt(percentile(a, 0.5))} p99 ${fmt(percentile(a, 0.99))} ms | ` +
            `via gateway p50 ${fmt(percentile(b, 0.5))} p99 ${fmt(percentile(b, 0.99))} ms | ` +
            `added p50 ${fmt(percentile(b, 0.5) - percentile(a, 0.5))} p99 ${fmt(percentile(b, 0.99) - percentile(a, 0.99))} ms ` +
            `(paired differences: p50 ${fmt(percentile(added, 0.5))}, p99 ${fmt(percentile(added, 0.99))} ms)`,
    );
}
const cpuBlocks = 7;
const cpuBlockRequests = Math.max(50, Math.floor(requests / cpuBlocks));
for (const [kind, call] of [
    ["unary", unary],
    ["stream", streamed],
] as const) {
    const cpu: [number[], number[]] = [[], []];
    for (let block = 0; block < cpuBlocks; block++) {
        for (const [i, client] of [direct, viaGateway].entries()) {
            const start = process.cpuUsage();
            for (let r = 0; r < cpuBlockRequests; r++) await call(client);
            const used = process.cpuUsage(start);
            cpu[i]!.push((used.user + used.system) / cpuBlockRequests);
        }
    }
    const [a, b] = cpu.map((xs) => percentile(xs, 0.5)) as [number, number];
    console.log(
        `${kind.padEnd(6)} CPU per request (median of ${cpuBlocks} blocks of ${cpuBlockRequests}): direct ${a.toFixed(0)} us | ` +
            `via gateway ${b.toFixed(0)} us | ratio ${(b / a).toFixed(2)}`,
    );
}
await gateway.close();
await router.close();
await fake.close();
