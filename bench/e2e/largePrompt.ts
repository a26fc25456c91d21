/**
 * What oversized prompts cost everyone else: one GenerateStream decodes while four ~3.9 MB requests
 * (two Generate, two Tokenize) arrive at once, through the gRPC server on loopback with the default
 * config. Prints the stream's largest gap between chunks without and with the large requests, and the
 * difference (goal: < 50 ms added). The large requests are refused before tokenizing
 * (engine/promptByteLimit.ts); what is left is decoding the 3.9 MB messages and refusing them.
 *
 *   node --import tsx bench/e2e/largePrompt.ts [--prompt-bytes 3900000] [--rounds 3]
 */
import { once } from "node:events";
import { cpus } from "node:os";
import { Worker } from "node:worker_threads";
import { option } from "../cli.js";
import { benchThreads } from "../threads.js";
import { startServedBench } from "../startServedBench.js";
import { loadConfig, parseConfig } from "../../src/config/loadConfig.js";
import type { GenerateChunk__Output } from "../../src/grpc/generated/tiercel/v1/GenerateChunk.js";
import { inferenceProtoFile, protoLoaderOptions } from "../../src/grpc/loadProto.js";
import { median } from "../percentile.js";

const promptBytes = Number(option("--prompt-bytes", "3900000"));
const rounds = Number(option("--rounds", "3"));

const loaded = loadConfig(undefined);
const config = parseConfig(
    {
        ...loaded.config,
        engine: { ...loaded.config.engine, threads: benchThreads },
        speculation: { ...loaded.config.speculation, stateFile: null },
        server: { ...loaded.config.server, grpcPort: 0, metricsPort: 0 },
    },
    "bench config",
);
const served = await startServedBench(config, loaded.baseDir);
const { client, grpcAddress } = served;

/** Largest gap between consecutive chunks of one stream; `during` runs once the first chunk arrived. */
async function largestGap(during: () => Promise<unknown>): Promise<number> {
    const call = client.GenerateStream({
        prompt: "def main():\n",
        max_tokens: 300,
        speculation: { mode: "SPECULATION_MODE_OFF" },
    });
    let last = 0;
    let gap = 0;
    let side: Promise<unknown> | undefined;
    for await (const _chunk of call as AsyncIterable<GenerateChunk__Output>) {
        const now = performance.now();
        if (last > 0) gap = Math.max(gap, now - last);
        last = now;
        side ??= during();
    }
    await side;
    return gap;
}

/**
 * The large requests come from a worker thread with its own client, so encoding 3.9 MB messages does not
 * run on the server's event loop (a client in the same thread would stall the stream itself).
 */
const sender = new Worker(
    `
    const { parentPort, workerData } = require("node:worker_threads");
    const grpc = require("@grpc/grpc-js");
    const loader = require("@grpc/proto-loader");
    const def = loader.loadSync(workerData.file, { ...workerData.options, longs: String, enums: String });
    const client = new (grpc.loadPackageDefinition(def).tiercel.v1.Inference)(workerData.address, grpc.credentials.createInsecure());
    const large = workerData.large;
    const call = (method, request) => new Promise((resolve) => client[method](request, (error) =>
        resolve(error ? error.code + " " + error.details.slice(0, 60) : "OK")));
    parentPort.on("message", async () => {
        parentPort.postMessage(await Promise.all([
            call("Generate", { prompt: large, max_tokens: 4 }),
            call("Generate", { prompt: large, max_tokens: 4 }),
            call("Tokenize", { text: large }),
            call("Tokenize", { text: large }),
        ]));
    });`,
    {
        eval: true,
        workerData: {
            file: inferenceProtoFile,
            options: { ...protoLoaderOptions, longs: undefined, enums: undefined },
            address: grpcAddress,
            large: "def f(x):\n    return x + 1\n".repeat(Math.ceil(promptBytes / 27)).slice(0, promptBytes),
        },
    },
);
const fourLarge = async (): Promise<string[]> => {
    sender.postMessage("go");
    const [outcomes] = (await once(sender, "message")) as [string[]];
    return outcomes;
};

console.log(`outcomes of the large requests: ${JSON.stringify(await fourLarge())}`);
const without: number[] = [];
const withLarge: number[] = [];
for (let r = 0; r < rounds; r++) {
    without.push(await largestGap(() => Promise.resolve()));
    withLarge.push(await largestGap(fourLarge));
}
console.log(
    [
        `## Large prompts vs a concurrent stream — ${(promptBytes / 1e6).toFixed(1)} MB × 4 (2 Generate, 2 Tokenize), ${rounds} rounds, default config`,
        "",
        "| | largest inter-chunk gap, median over rounds (ms) | per round |",
        "| --- | --- | --- |",
        `| stream alone | ${median(without).toFixed(1)} | ${without.map((g) => g.toFixed(1)).join(", ")} |`,
        `| with 4 large requests | ${median(withLarge).toFixed(1)} | ${withLarge.map((g) => g.toFixed(1)).join(", ")} |`,
        `| **added** | **${(median(withLarge) - median(without)).toFixed(1)}** | |`,
        "",
        `CPU: ${cpus()[0]?.model ?? "?"} × ${cpus().length}; engine threads ${benchThreads}`,
    ].join("\n"),
);
await sender.terminate();
await served.stop();
