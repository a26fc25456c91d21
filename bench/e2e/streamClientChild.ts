/**
 * A streaming client in its own process, for servedStep.ts: reads one JSON request a line on stdin
 * (`{ "via": "grpc" | "gateway", "prompt": string, "maxTokens": number }`), streams it as a user's client
 * does, from the gRPC server at argv[2] (GenerateStream) or from the agent gateway at argv[3] (the OpenAI
 * SDK's `completions.create` with `stream: true`, which only the local tier serves), and answers a JSON
 * line per request: tokens received, ms to the first token and to the end, both timed here, where the
 * client sees them.
 */
import { createInterface } from "node:readline";
import { credentials, type ServiceError } from "@grpc/grpc-js";
import OpenAI from "openai";
import type { GenerateChunk__Output } from "../../src/grpc/generated/tiercel/v1/GenerateChunk.js";
import type { InferenceClient } from "../../src/grpc/generated/tiercel/v1/Inference.js";
import { loadInferenceProto } from "../../src/grpc/loadProto.js";

const [address, gatewayUrl] = process.argv.slice(2);
if (address === undefined || gatewayUrl === undefined)
    throw new Error("usage: streamClientChild.ts <gRPC host:port> <gateway URL>");
const openai = new OpenAI({ baseURL: `${gatewayUrl}/v1`, apiKey: "unused", maxRetries: 0 });
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

async function streamGateway(prompt: string, maxTokens: number) {
    const start = performance.now();
    let firstMs = 0;
    let tokens = 0;
    const events = await openai.completions.create({
        model: "auto",
        prompt,
        max_tokens: maxTokens,
        stream: true,
        stream_options: { include_usage: true },
    });
    for await (const event of events) {
        if (firstMs === 0 && (event.choices[0]?.text ?? "") !== "") firstMs = performance.now() - start;
        if (event.usage) tokens = event.usage.completion_tokens;
    }
    return { tokens, firstMs, ms: performance.now() - start };
}

for await (const line of createInterface({ input: process.stdin })) {
    const { via, prompt, maxTokens } = JSON.parse(line) as {
        via: "grpc" | "gateway";
        prompt: string;
        maxTokens: number;
    };
    const outcome = via === "grpc" ? await stream(prompt, maxTokens) : await streamGateway(prompt, maxTokens);
    process.stdout.write(`${JSON.stringify(outcome)}\n`);
}
client.close();
