/**
 * A prompt longer than the context, as coding agents need to hear it: Claude Code compacts its
 * conversation on Anthropic's "prompt is too long: N tokens > M maximum", Codex CLI on OpenAI's
 * `context_length_exceeded`. Before, a local tier's overflow came out of the gateway as a 500 "all 1
 * attempt failed", which agents retry unchanged. Driven by the official SDKs through the gateway onto the
 * real local tier (a 512-token context); the gRPC status carries the sizes in trailers; a hosted tier's
 * overflow moves the request to the next tier.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { contextTokensMetadataKey, promptTokensMetadataKey } from "../../src/grpc/toGrpcStatus.js";
import { anthropicError } from "../helpers/fakeAnthropicServer.js";
import { openaiCompletion } from "../helpers/fakeOpenAIServer.js";
import { anthropicClient, gatewayKey, openaiClient, useGatewayFixture } from "../helpers/gatewayFixture.js";
import { expectGrpcError } from "../helpers/startTestServer.js";

const env = useGatewayFixture();

const longFile = "def f(x):\n    return x\n".repeat(400);
const contextTokens = 512;

describe("a prompt longer than the local tier's context", () => {
    it("is Anthropic's 'prompt is too long' with the sizes (a 400, streamed or not), which Claude Code compacts on", async () => {
        const body = { model: "auto", messages: [{ role: "user" as const, content: longFile }] };
        const client = anthropicClient(env.server.addresses.gatewayUrl);
        const counted = await client.messages.countTokens(body);
        for (const stream of [true, false]) {
            const error = await client.messages
                .create({ ...body, max_tokens: 64, stream })
                .then(async (answer) => {
                    if (stream) for await (const _ of answer as AsyncIterable<unknown>);
                })
                .catch((e: unknown) => e);
            expect(error).toBeInstanceOf(Anthropic.BadRequestError);
            const message = (error as InstanceType<typeof Anthropic.BadRequestError>).error as {
                error: { type: string; message: string };
            };
            expect(message.error.type).toBe("invalid_request_error");
            // The same count count_tokens gives for the same messages.
            expect(message.error.message).toMatch(
                new RegExp(
                    `^prompt is too long: ${counted.input_tokens} tokens > ${contextTokens} maximum \\(`,
                ),
            );
        }
    });

    it("is OpenAI's context_length_exceeded with the sizes, on Chat Completions and on the Responses API (Codex)", async () => {
        const client = openaiClient(env.server.addresses.gatewayUrl);
        const chat = await client.chat.completions
            .create({
                model: "auto",
                max_completion_tokens: 64,
                messages: [{ role: "user", content: longFile }],
            })
            .catch((e: unknown) => e);
        const responses = await client.responses
            .create({ model: "auto", stream: true, input: longFile })
            .then(async (s) => {
                for await (const _ of s);
            })
            .catch((e: unknown) => e);
        for (const error of [chat, responses]) {
            expect(error).toBeInstanceOf(OpenAI.BadRequestError);
            const api = error as InstanceType<typeof OpenAI.BadRequestError>;
            expect(api.code).toBe("context_length_exceeded");
            expect(api.type).toBe("invalid_request_error");
            expect(api.message).toMatch(
                new RegExp(
                    `This model's maximum context length is ${contextTokens} tokens\\. However, your messages resulted in \\d+ tokens\\.`,
                ),
            );
        }
    });

    it("carries the sizes in the gRPC status's trailers", async () => {
        const error = await expectGrpcError(env.server.generate({ prompt: longFile, max_tokens: 8 }));
        const prompt = Number(error.metadata.get(promptTokensMetadataKey)[0]);
        expect(prompt).toBeGreaterThan(contextTokens);
        expect(error.metadata.get(contextTokensMetadataKey)).toEqual([String(contextTokens)]);
        expect(error.details).toContain(`prompt is ${prompt} tokens but the context holds ${contextTokens}`);
    });
});

describe("a prompt longer than a hosted tier's context", () => {
    it("moves on to the next tier, which answers", async () => {
        env.anthropic.enqueue(
            anthropicError(
                400,
                "invalid_request_error",
                "prompt is too long: 212345 tokens > 200000 maximum",
            ),
        );
        env.openai.enqueue(openaiCompletion({ text: ["Summarized."], finishReason: "stop" }));
        const { data, response } = await anthropicClient(env.gateway.url, gatewayKey)
            .messages.create({
                model: "mid",
                max_tokens: 64,
                messages: [{ role: "user", content: "a long session" }],
            })
            .withResponse();
        expect(data.content).toMatchObject([{ type: "text", text: "Summarized." }]);
        expect(response.headers.get("x-tiercel-route")).toMatch(
            /^frontier\/openai\/gpt-5\.1-codex;.*fallback_from=mid/,
        );
    });
});
