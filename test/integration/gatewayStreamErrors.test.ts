/**
 * A stream that fails after the gateway opened it (the status and some text already sent) ends with the
 * protocol's own error frame, through each face: Anthropic's `error` event, OpenAI Chat Completions'
 * error object as a `data:` frame with no `[DONE]` after it, and the Responses `error` event followed by
 * `response.failed`. The
 * upstream is the fake Anthropic server failing mid-stream; the raw SSE bodies are read so the exact
 * frames are checked, and the official SDKs must raise the error rather than end quietly.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Gateway } from "../../src/gateway/startGateway.js";
import type { Router } from "../../src/router/ModelRouter.js";
import {
    anthropicErrorFrame,
    anthropicFrames,
    anthropicText,
    startFakeAnthropicServer,
    type FakeAnthropicServer,
} from "../helpers/fakeAnthropicServer.js";
import {
    anthropicClient,
    hostedTestRouter,
    openaiClient,
    startTestGateway,
} from "../helpers/gatewayFixture.js";

let anthropic: FakeAnthropicServer;
let router: Router;
let gateway: Gateway;

beforeAll(async () => {
    anthropic = await startFakeAnthropicServer();
    router = hostedTestRouter(anthropic.url);
    gateway = await startTestGateway(router);
});

afterEach(() => {
    anthropic.reset();
});

afterAll(async () => {
    await gateway.close();
    await router.close();
    await anthropic.close();
});

/** Upstream sends message_start, the first text delta ("Hell"), then an overloaded error. */
function failAfterFirstDelta(): void {
    const frames = anthropicFrames(anthropicText("Hello there"));
    const first = frames.findIndex((f) => f.event === "content_block_delta");
    anthropic.enqueue({
        kind: "sse",
        frames: [
            ...frames.slice(0, first + 1),
            anthropicErrorFrame("overloaded_error", "upstream overloaded"),
        ],
    });
}

async function post(path: string, body: unknown): Promise<{ status: number; text: string }> {
    const response = await fetch(`${gateway.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
        body: JSON.stringify(body),
    });
    return { status: response.status, text: await response.text() };
}

const user = [{ role: "user", content: "Say hello" }];

describe("a stream that fails after it opened", () => {
    it("Anthropic messages: the text so far, then an error event in Anthropic's shape", async () => {
        failAfterFirstDelta();
        const { status, text } = await post("/v1/messages", {
            model: "auto",
            max_tokens: 16,
            messages: user,
            stream: true,
        });
        expect(status).toBe(200);
        expect(text).toContain('"text":"Hell"');
        expect(text.trimEnd().split("\n\n").at(-1)).toMatch(
            /^event: error\ndata: \{"type":"error","error":\{"type":"overloaded_error","message":".*not retried/s,
        );
        expect(text).not.toContain("message_stop");

        failAfterFirstDelta();
        const stream = await anthropicClient(gateway.url).messages.create({
            model: "auto",
            max_tokens: 16,
            messages: [{ role: "user", content: "Say hello" }],
            stream: true,
        });
        const error = await (async () => {
            for await (const _event of stream) {
                // read until it throws
            }
        })().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(Anthropic.APIError);
    });

    it("Chat Completions: the chunks so far, then the error object, and no [DONE]", async () => {
        failAfterFirstDelta();
        const { status, text } = await post("/v1/chat/completions", {
            model: "auto",
            messages: user,
            stream: true,
        });
        expect(status).toBe(200);
        expect(text).toContain('"content":"Hell"');
        expect(text.trimEnd().split("\n\n").at(-1)).toMatch(
            /^data: \{"error":\{"message":".*","type":"server_error","param":null,"code":"overloaded"\}\}$/s,
        );
        expect(text).not.toContain("[DONE]");

        failAfterFirstDelta();
        const stream = await openaiClient(gateway.url).chat.completions.create({
            model: "auto",
            messages: [{ role: "user", content: "Say hello" }],
            stream: true,
        });
        const error = await (async () => {
            for await (const _chunk of stream) {
                // read until it throws
            }
        })().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(OpenAI.APIError);
    });

    it("Responses: the events so far, then an error event and response.failed (what Codex CLI reads)", async () => {
        failAfterFirstDelta();
        const { status, text } = await post("/v1/responses", {
            model: "auto",
            input: "Say hello",
            stream: true,
        });
        expect(status).toBe(200);
        const frames = text.trimEnd().split("\n\n");
        expect(text).toContain('"delta":"Hell"');
        const data = (frame: string) =>
            JSON.parse(frame.slice(frame.indexOf("data: ") + 6)) as Record<string, unknown>;
        const [errorFrame, failedFrame] = frames.slice(-2) as [string, string];
        expect(errorFrame).toMatch(/^event: error\ndata: /);
        const error = data(errorFrame);
        expect(error).toMatchObject({ type: "error", code: "overloaded", param: null });
        expect(error.sequence_number).toBe(frames.length - 2);
        // Codex reads a failure from response.failed only (its code decides: compact, stop, wait or retry).
        expect(failedFrame).toMatch(/^event: response\.failed\ndata: /);
        const failed = data(failedFrame);
        expect(failed).toMatchObject({
            type: "response.failed",
            sequence_number: frames.length - 1,
            response: { status: "failed", error: { code: "overloaded", message: error.message } },
        });
    });
});
