/**
 * `npm run bench:gateway`: the gateway's added latency, per face and call kind (unary; stream drained to
 * its last event). Each face's request goes (a) with the official SDK straight to the upstream the
 * gateway would call, and (b) with the SDK to the gateway, whose router sends it to that same upstream:
 *
 *   chat       openai SDK chat.completions → fake OpenAI  |  chat.completions → gateway → OpenAIProvider → fake
 *   responses  openai SDK responses → fake OpenAI         |  responses → gateway → OpenAIProvider (api: "responses") → fake
 *   messages   anthropic SDK messages → fake Anthropic    |  messages → gateway → AnthropicProvider → fake
 *   local      gRPC Generate(Stream) → tiercel server     |  chat.completions → the app's gateway → its gRPC tier
 *
 * The gateway runs as users run it, in its own process (`--gateway process`, the default): the hosted rows'
 * gateway is `npm run gateway` with a config naming the fakes, the local rows' server is `npm start` on
 * the fixture GGUF (8 tokens at temperature 0, so its rows carry the engine's own jitter). The callers and
 * the fakes (test/helpers' protocol-faithful servers) run in this process, as agents and providers run
 * in theirs, so the client's garbage collections no longer land in the gateway's latency.
 * `--gateway in-process` runs everything in this process (sessions 11–13's figures; the added p99 there
 * is the difference of two tails that the shared GC makes). Router cache off, so every request goes
 * upstream. Rounds alternate a and b so machine noise hits both alike; `added` is the difference of the
 * two percentiles. `--builtin-fetch` (in-process only) adds a third path per hosted row: a second gateway
 * whose providers use Node's built-in fetch instead of their KeepAliveFetch. Then CPU time per request
 * (this process plus the gateway's process, read from its own metrics), the median of alternating
 * blocks: on a shared machine the CPU figure is steadier than wall-clock percentiles. The load average is
 * printed before and after. Anchors: Bifrost 0.44 ms, Portkey 2.37 ms, LiteLLM 4.34 ms mean added
 * latency (anchors/gateway-and-agents.md); goal p99 added < 1 ms.
 *
 *   npm run bench:gateway -- [--requests 1000] [--faces chat,responses,messages,local]
 *                             [--gateway process|in-process] [--builtin-fetch] [--client-fetch keepalive|builtin]
 */
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { startGateway, type Gateway } from "../../src/gateway/startGateway.js";
import { KeepAliveFetch } from "../../src/providers/KeepAliveFetch.js";
import { AnthropicProvider } from "../../src/providers/anthropic/AnthropicProvider.js";
import { OpenAIProvider } from "../../src/providers/openai/OpenAIProvider.js";
import type { Provider } from "../../src/providers/Provider.js";
import type { Router } from "../../src/router/ModelRouter.js";
import type { RouterConfigInput } from "../../src/router/config.js";
import { createRouter } from "../../src/router/createRouter.js";
import { silentLogger } from "../../src/util/logger.js";
import {
    anthropicMessage,
    anthropicStream,
    startFakeAnthropicServer,
} from "../../test/helpers/fakeAnthropicServer.js";
import {
    openaiCompletion,
    openaiStream,
    startFakeOpenAIServer,
} from "../../test/helpers/fakeOpenAIServer.js";
import { responsesFrames, responsesReply } from "../../test/helpers/fakeResponsesApi.js";
import { readyAddresses } from "../../test/helpers/runMain.js";
import {
    connectClient,
    startTestServer,
    testConfigInput,
    type TestClient,
} from "../../test/helpers/startTestServer.js";
import { percentile } from "../percentile.js";
import { startBareProxy } from "./bareProxy.js";
import { startBenchChild, type BenchChild } from "./benchChild.js";

const { values } = parseArgs({
    options: {
        requests: { type: "string", default: "1000" },
        faces: { type: "string", default: "chat,responses,messages,local" },
        "builtin-fetch": { type: "boolean", default: false },
        "client-fetch": { type: "string", default: "keepalive" },
        gateway: { type: "string", default: "process" },
    },
});
const requests = Number(values.requests);
const faces = new Set(values.faces.split(","));
const inProcess = values.gateway === "in-process";
if (!inProcess && values.gateway !== "process") throw new Error("--gateway is process or in-process");
if (!inProcess && values["builtin-fetch"])
    throw new Error(
        "--builtin-fetch swaps the providers' fetch in this process: use it with --gateway in-process",
    );

const openaiFake = await startFakeOpenAIServer({ keepRequests: 16 });
const anthropicFake = await startFakeAnthropicServer({ keepRequests: 16 });
const env = { BENCH_OPENAI_KEY: "sk-bench", BENCH_ANTHROPIC_KEY: "sk-ant-bench" };
const openaiModel = "gpt-5.1-codex";
const anthropicModel = "claude-sonnet-5-5";

/** The router: one hosted tier per provider (the request's model picks it). */
const routerSection: RouterConfigInput = {
    providers: {
        openai: { type: "openai", baseURL: `${openaiFake.url}/v1`, apiKeyEnv: "BENCH_OPENAI_KEY" },
        codex: {
            type: "openai",
            api: "responses",
            baseURL: `${openaiFake.url}/v1`,
            apiKeyEnv: "BENCH_OPENAI_KEY",
        },
        anthropic: {
            type: "anthropic",
            baseURL: anthropicFake.url,
            apiKeyEnv: "BENCH_ANTHROPIC_KEY",
        },
    },
    tiers: [
        { name: "openai", targets: [{ provider: "openai", model: openaiModel }] },
        { name: "anthropic", targets: [{ provider: "anthropic", model: anthropicModel }] },
        // Asked for by name (`model: "responses"`): the same model is the `openai` tier's.
        { name: "responses", targets: [{ provider: "codex", model: openaiModel }] },
    ],
    reliability: { maxRetries: 0 },
    cache: { enabled: false },
    affinity: { enabled: false },
};

/** A gateway in this process over a router of `routerSection`. */
async function hostedGateway(
    providers?: Record<string, Provider>,
): Promise<{ router: Router; gateway: Gateway }> {
    const router = createRouter(routerSection, {
        env,
        logger: silentLogger,
        ...(providers === undefined ? {} : { providers }),
    });
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
    return { router, gateway };
}

/** The hosted rows' gateway: in this process, or `npm run gateway` in its own. */
const hosted = inProcess ? await hostedGateway() : undefined;
const hostedChild = inProcess
    ? undefined
    : await startBenchChild("src/gatewayMain.ts", { gateway: { router: routerSection } }, env);
const hostedUrl = hosted?.gateway.url ?? hostedChild?.ready.gateway ?? "";
const builtin = values["builtin-fetch"]
    ? await hostedGateway({
          openai: new OpenAIProvider({
              id: "openai",
              baseURL: `${openaiFake.url}/v1`,
              apiKeyEnv: "BENCH_OPENAI_KEY",
              env,
              fetch: globalThis.fetch,
          }),
          codex: new OpenAIProvider({
              id: "codex",
              api: "responses",
              baseURL: `${openaiFake.url}/v1`,
              apiKeyEnv: "BENCH_OPENAI_KEY",
              env,
              fetch: globalThis.fetch,
          }),
          anthropic: new AnthropicProvider({
              id: "anthropic",
              baseURL: anthropicFake.url,
              apiKeyEnv: "BENCH_ANTHROPIC_KEY",
              env,
              fetch: globalThis.fetch,
          }),
      })
    : undefined;
/** The local rows' server (gRPC and its gateway): the app in this process, or `npm start` in its own. */
interface LocalTier {
    direct: Omit<TestClient, "close">;
    gatewayUrl: string;
    child?: BenchChild;
    close(): Promise<void>;
}

async function localTier(): Promise<LocalTier> {
    if (inProcess) {
        const server = await startTestServer();
        return { direct: server, gatewayUrl: server.addresses.gatewayUrl, close: () => server.close() };
    }
    const child = await startBenchChild("src/main.ts", await testConfigInput());
    const direct = connectClient(readyAddresses(child.ready));
    return {
        direct,
        gatewayUrl: child.ready.gateway,
        child,
        close: async () => {
            direct.close();
            await child.close();
        },
    };
}

const local = faces.has("local") ? await localTier() : undefined;

// In process (`--gateway in-process`), the callers' SDKs (agents, in their own processes in real use)
// share this process with the gateway, so their garbage is collected in the gateway's pauses. With Node's built-in fetch under them every
// young-generation GC took 2.8–7.4 ms (its per-response objects outlive a scavenge; 3,000 direct calls,
// --trace-gc), one every ~40 ms: a p99 of direct calls of ~4 ms, on both paths alike, which the gateway's
// added p99 was the noisy difference of. Over node:http (KeepAliveFetch) the same scavenges take 0.4–0.6
// ms. Both paths use the same client, so the added latency is still only the gateway's.
// `--client-fetch builtin` keeps the built-in fetch.
const clientFetch = values["client-fetch"] === "builtin" ? undefined : new KeepAliveFetch();
const sdk = { maxRetries: 0, ...(clientFetch && { fetch: clientFetch.fetch }) } as const;
const openaiDirect = new OpenAI({ ...sdk, baseURL: `${openaiFake.url}/v1`, apiKey: env.BENCH_OPENAI_KEY });
const anthropicDirect = new Anthropic({
    ...sdk,
    baseURL: anthropicFake.url,
    apiKey: env.BENCH_ANTHROPIC_KEY,
});
const openaiVia = (url: string): OpenAI => new OpenAI({ ...sdk, baseURL: `${url}/v1`, apiKey: "unused" });
const anthropicVia = (url: string): Anthropic => new Anthropic({ ...sdk, baseURL: url, apiKey: "unused" });

const system = "You are a coding agent.";
const user = "Rename the variable x to count in this function.";
const chatBody = {
    model: openaiModel,
    messages: [
        { role: "system" as const, content: system },
        { role: "user" as const, content: user },
    ],
    max_completion_tokens: 64,
};
const openaiTurn = { text: ["Renamed ", "x to ", "count."], finishReason: "stop" };
const anthropicTurn = {
    blocks: [{ type: "text" as const, deltas: ["Renamed ", "x to ", "count."] }],
    stopReason: "end_turn",
};

type Kind = "unary" | "stream";
/** One call; resolves when the answer (or the stream's last event) arrived. */
type Call = (kind: Kind) => Promise<unknown>;

async function drain(stream: AsyncIterable<unknown>): Promise<void> {
    for await (const _event of stream) {
        // drained to the last event
    }
}

function chat(client: OpenAI, body = chatBody): Call {
    return async (kind) => {
        openaiFake.enqueue(kind === "unary" ? openaiCompletion(openaiTurn) : openaiStream(openaiTurn));
        if (kind === "unary") return client.chat.completions.create(body);
        return drain(
            await client.chat.completions.create({
                ...body,
                stream: true,
                stream_options: { include_usage: true },
            }),
        );
    };
}

const responsesTurn = { text: ["Renamed ", "x to ", "count."] };

function responses(client: OpenAI, model = openaiModel): Call {
    const body = { model, instructions: system, input: user, max_output_tokens: 64 };
    return async (kind) => {
        openaiFake.enqueue(
            kind === "unary"
                ? responsesReply(responsesTurn)
                : { kind: "sse", frames: responsesFrames(responsesTurn) },
        );
        if (kind === "unary") return client.responses.create(body);
        return drain(await client.responses.create({ ...body, stream: true }));
    };
}

function messages(client: Anthropic): Call {
    const body = {
        model: anthropicModel,
        system,
        messages: [{ role: "user" as const, content: user }],
        max_tokens: 64,
    };
    return async (kind) => {
        anthropicFake.enqueue(
            kind === "unary" ? anthropicMessage(anthropicTurn) : anthropicStream(anthropicTurn),
        );
        if (kind === "unary") return client.messages.create(body);
        return drain(await client.messages.create({ ...body, stream: true }));
    };
}

function localDirect(server: Omit<TestClient, "close">): Call {
    const request = {
        model: "t",
        max_tokens: 8,
        temperature: 0,
        messages: [
            { role: "system", content: system },
            { role: "user", content: user },
        ],
    };
    return (kind) => (kind === "unary" ? server.generate(request) : server.stream(request).chunks);
}

function localVia(gatewayUrl: string): Call {
    const client = new OpenAI({ ...sdk, baseURL: `${gatewayUrl}/v1`, apiKey: "unused" });
    const body = { ...chatBody, model: "local", max_completion_tokens: 8, temperature: 0 };
    return async (kind) => {
        if (kind === "unary") return client.chat.completions.create(body);
        return drain(await client.chat.completions.create({ ...body, stream: true }));
    };
}

/** A way to make a face's call, and the other process whose CPU it also uses (none: only this one). */
interface Path {
    call: Call;
    meter?: { cpuMicros(): Promise<number> };
}

/**
 * Per face: the direct call, the call through the gateway, and a third path: through the built-in-fetch
 * gateway (`--builtin-fetch`), or, with the gateway in its own process, through the bare proxy (the cost
 * of the process hop alone).
 */
const rows: { face: string; direct: Path; via: Path; third?: Path }[] = [];
const bare = inProcess ? undefined : await startBareProxy([openaiFake.url, anthropicFake.url]);
const third = (call: (url: string) => Call, urls: [builtin: string, bare: string]): Path | undefined => {
    if (builtin !== undefined) return { call: call(urls[0]) };
    return bare === undefined ? undefined : { call: call(urls[1]), meter: bare };
};
const viaHosted = { meter: hostedChild };
const [bareOpenAI = "", bareAnthropic = ""] = bare?.urls ?? [];
if (faces.has("chat"))
    rows.push({
        face: "chat",
        direct: { call: chat(openaiDirect) },
        via: { call: chat(openaiVia(hostedUrl)), ...viaHosted },
        third: third((url) => chat(openaiVia(url)), [builtin?.gateway.url ?? "", bareOpenAI]),
    });
if (faces.has("responses"))
    rows.push({
        face: "responses",
        direct: { call: responses(openaiDirect) },
        via: { call: responses(openaiVia(hostedUrl), "responses"), ...viaHosted },
        // Through the bare proxy the model is the upstream's; through a gateway, the tier's name.
        third: third(
            (url) => responses(openaiVia(url), builtin === undefined ? openaiModel : "responses"),
            [builtin?.gateway.url ?? "", bareOpenAI],
        ),
    });
if (faces.has("messages"))
    rows.push({
        face: "messages",
        direct: { call: messages(anthropicDirect) },
        via: { call: messages(anthropicVia(hostedUrl)), ...viaHosted },
        third: third((url) => messages(anthropicVia(url)), [builtin?.gateway.url ?? "", bareAnthropic]),
    });
if (local !== undefined)
    rows.push({
        face: "local",
        direct: { call: localDirect(local.direct), meter: local.child },
        via: { call: localVia(local.gatewayUrl), meter: local.child },
    });

async function timed(call: Call, kind: Kind): Promise<number> {
    const start = performance.now();
    await call(kind);
    return performance.now() - start;
}

const fmt = (ms: number): string => ms.toFixed(3);
const load = (): string =>
    loadavg()
        .map((x) => x.toFixed(2))
        .join(" ");
const p = (xs: number[], q: number): number => percentile(xs, q);
console.log(
    `gateway overhead: ${requests} sequential requests per path, face and kind; gateway ${inProcess ? "in this process" : "in its own process"}; ` +
        `CPU ${cpus()[0]?.model ?? "?"} (${cpus().length} cores); load average ${load()}`,
);
const thirdName = builtin === undefined ? "bare proxy" : "built-in fetch";
console.log(
    "face      kind   | direct p50/p99 ms | via gateway p50/p99 ms | added p50/p99 ms" +
        (builtin === undefined && bare === undefined
            ? ""
            : ` | ${thirdName}: added p50/p99 ms` +
              (bare === undefined ? "" : " | gateway beyond the hop p50/p99 ms")),
);
const cpuRows: string[] = [];
for (const { face, direct, via, third: other } of rows) {
    for (const kind of ["unary", "stream"] as const) {
        const paths = other === undefined ? [direct, via] : [direct, via, other];
        for (let i = 0; i < 100; i++) for (const path of paths) await path.call(kind); // warm-up (JIT, sockets)
        const times = paths.map((): number[] => []);
        for (let i = 0; i < requests; i++)
            for (const [j, path] of paths.entries()) times[j]!.push(await timed(path.call, kind));
        const [a, b, c] = times as [number[], number[], number[] | undefined];
        const over = (xs: number[], base: number[]): string =>
            `${fmt(p(xs, 0.5) - p(base, 0.5))} / ${fmt(p(xs, 0.99) - p(base, 0.99))}`;
        console.log(
            `${face.padEnd(9)} ${kind.padEnd(6)} | ${fmt(p(a, 0.5))} / ${fmt(p(a, 0.99))} | ${fmt(p(b, 0.5))} / ${fmt(p(b, 0.99))} | ` +
                over(b, a) +
                (c === undefined ? "" : ` | ${over(c, a)}` + (bare === undefined ? "" : ` | ${over(b, c)}`)),
        );
        // CPU per request: the median of alternating blocks.
        const blocks = 5;
        const blockRequests = Math.max(20, Math.floor(requests / 10));
        const cpu = paths.map((): number[] => []);
        for (let block = 0; block < blocks; block++) {
            for (const [j, { call, meter }] of paths.entries()) {
                const meterStart = await meter?.cpuMicros();
                const start = process.cpuUsage();
                for (let r = 0; r < blockRequests; r++) await call(kind);
                const used = process.cpuUsage(start);
                const otherUsed = meter === undefined ? 0 : (await meter.cpuMicros()) - (meterStart ?? 0);
                cpu[j]!.push((used.user + used.system + otherUsed) / blockRequests);
            }
        }
        const [ca, cb, cc] = cpu.map((xs) => p(xs, 0.5)) as [number, number, number | undefined];
        cpuRows.push(
            `${face.padEnd(9)} ${kind.padEnd(6)} | direct ${ca.toFixed(0)} us | via gateway ${cb.toFixed(0)} us (+${(cb - ca).toFixed(0)})` +
                (cc === undefined ? "" : ` | ${thirdName} ${cc.toFixed(0)} us (+${(cc - ca).toFixed(0)})`),
        );
    }
}
console.log(
    `CPU per request, this process${inProcess ? "" : " + the gateway's, server's or proxy's"} (median of 5 alternating blocks):\n${cpuRows.join("\n")}`,
);
console.log(`load average after: ${load()}`);
for (const g of [hosted, builtin]) {
    if (g === undefined) continue;
    await g.gateway.close();
    await g.router.close();
}
await hostedChild?.close();
await bare?.close();
await local?.close();
clientFetch?.close();
await openaiFake.close();
await anthropicFake.close();
