/**
 * A gRPC streaming client in its own process, for servedStep.ts: reads one JSON request a line on stdin
 * (`{ "prompt": string, "maxTokens": number }`), streams it from the server at argv[2] as a user's client
 * does, and answers a JSON line per request: tokens received, ms to the first token and to the end, both
 * timed here, where the client sees them.
 */
import { createInterface } from "node:readline";
import { credentials, type ServiceError } from "@grpc/grpc-js";
import type { GenerateChunk__Output } from "../../src/grpc/generated/tiercel/v1/GenerateChunk.js";
import type { InferenceClient } from "../../src/grpc/generated/tiercel/v1/Inference.js";
import { loadInferenceProto } from "../../src/grpc/loadProto.js";

const address = process.argv[2];
if (address === undefined) throw new Error("usage: streamClientChild.ts <host:port>");
const client: InferenceClient = new (loadInferenceProto().grpcObject.tiercel.v1.Inference)(
    address,
    credentials.createInsecure(),
);

function stream(prompt: string, maxTokens: number) {
    return new Promise<{ tokens: number; firstMs: number; ms: number }>((resolve, reject) => {
        const start = performance.now();
        let tokens = 0;
        let firstMs = 0;
        const call = client.GenerateStream({ prompt, max_tokens: maxTokens });
        call.on("data", (chunk: GenerateChunk__Output) => {
            if (tokens === 0 && chunk.token_ids.length > 0) firstMs = performance.now() - start;
            tokens += chunk.token_ids.length;
        });
        call.on("error", (error: ServiceError) => {
            reject(error);
        });
        call.on("end", () => {
            resolve({ tokens, firstMs, ms: performance.now() - start });
        });
    });
}

for await (const line of createInterface({ input: process.stdin })) {
    const { prompt, maxTokens } = JSON.parse(line) as { prompt: string; maxTokens: number };
    process.stdout.write(`${JSON.stringify(await stream(prompt, maxTokens))}\n`);
}
client.close();
