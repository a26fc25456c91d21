/**
 * The hosted providers' transport (not a test): the `openai` SDK calling the local fake OpenAI server
 * with Node's built-in fetch and with `KeepAliveFetch` (src/providers/KeepAliveFetch.ts), the same Chat
 * Completions request unary and streamed, alternating blocks of requests so the machine's load falls on
 * both alike. Prints wall-clock p50/p99 and the process's CPU time per request (the SDK, the transport
 * and the fake server all run in this process), the median of the blocks, and their ratio.
 *
 *   node --import tsx bench/micro/keepAliveFetch.bench.ts [--blocks 10] [--block-requests 100]
 */
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import OpenAI from "openai";
import { KeepAliveFetch } from "../../src/providers/KeepAliveFetch.js";
import {
    openaiCompletion,
    openaiStream,
    startFakeOpenAIServer,
} from "../../test/helpers/fakeOpenAIServer.js";
import { percentile } from "../percentile.js";

const { values } = parseArgs({
    options: {
        blocks: { type: "string", default: "10" },
        "block-requests": { type: "string", default: "100" },
    },
});
const blocks = Number(values.blocks);
const blockRequests = Number(values["block-requests"]);

const fake = await startFakeOpenAIServer({ keepRequests: 16 });
const transport = new KeepAliveFetch();
const sdk = { baseURL: `${fake.url}/v1`, apiKey: "sk-bench", maxRetries: 0 } as const;
const clients: [string, OpenAI][] = [
    ["built-in fetch", new OpenAI({ ...sdk, fetch: globalThis.fetch })],
    ["KeepAliveFetch", new OpenAI({ ...sdk, fetch: transport.fetch })],
];
const body = {
    model: "gpt-5.1-codex",
    messages: [{ role: "user" as const, content: "Rename the variable x to count in this function." }],
    max_completion_tokens: 64,
};
const turn = { text: ["Renamed ", "x to ", "count."], finishReason: "stop" };

async function call(client: OpenAI, kind: "unary" | "stream"): Promise<number> {
    fake.enqueue(kind === "unary" ? openaiCompletion(turn) : openaiStream(turn));
    const start = performance.now();
    if (kind === "unary") await client.chat.completions.create(body);
    else {
        for await (const _chunk of await client.chat.completions.create({ ...body, stream: true })) {
            // drained to the last chunk
        }
    }
    return performance.now() - start;
}

console.log(
    `SDK transport: ${blocks} alternating blocks of ${blockRequests} requests per transport; CPU ${cpus()[0]?.model ?? "?"} ` +
        `(${cpus().length} cores); load average ${loadavg()
            .map((x) => x.toFixed(2))
            .join(" ")}`,
);
for (const kind of ["unary", "stream"] as const) {
    for (let i = 0; i < 200; i++) await call(clients[i % 2]![1], kind); // warm-up
    const times = clients.map((): number[] => []);
    const cpu = clients.map((): number[] => []);
    for (let block = 0; block < blocks; block++) {
        for (const [j, [, client]] of clients.entries()) {
            const start = process.cpuUsage();
            for (let r = 0; r < blockRequests; r++) times[j]!.push(await call(client, kind));
            const used = process.cpuUsage(start);
            cpu[j]!.push((used.user + used.system) / blockRequests);
        }
    }
    const rows = clients.map(
        ([name], j) =>
            `${name} p50 ${percentile(times[j]!, 0.5).toFixed(3)} p99 ${percentile(times[j]!, 0.99).toFixed(3)} ms, ` +
            `CPU ${percentile(cpu[j]!, 0.5).toFixed(0)} us`,
    );
    const ratio = percentile(cpu[0]!, 0.5) / percentile(cpu[1]!, 0.5);
    console.log(`${kind.padEnd(6)} ${rows.join(" | ")} | CPU ratio ${ratio.toFixed(2)}`);
}
transport.close();
await fake.close();
