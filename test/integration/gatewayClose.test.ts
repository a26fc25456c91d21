/**
 * Closing the gateway (SIGTERM's first step in `npm start` and `npm run gateway`): answers in flight end
 * whole and their keep-alive connections are closed as they end; answers still running at the drain
 * timeout are cut, so the close ends in time and the caller sees a broken answer, never a whole-looking
 * one.
 */
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Router } from "../../src/router/ModelRouter.js";
import {
    anthropicFrames,
    anthropicText,
    startFakeAnthropicServer,
    type FakeAnthropicServer,
} from "../helpers/fakeAnthropicServer.js";
import { anthropicClient, hostedTestRouter, startTestGateway } from "../helpers/gatewayFixture.js";

let anthropic: FakeAnthropicServer;
const routers: Router[] = [];

beforeAll(async () => {
    anthropic = await startFakeAnthropicServer();
});

afterAll(async () => {
    await Promise.all(routers.map((r) => r.close()));
    await anthropic.close();
});

async function gatewayOverFake() {
    const router = hostedTestRouter(anthropic.url);
    routers.push(router);
    const gateway = await startTestGateway(router);
    return { gateway, client: anthropicClient(gateway.url) };
}

const ask = { model: "mid", max_tokens: 16, messages: [{ role: "user" as const, content: "hi" }] };

describe("gateway.close", () => {
    it("lets a stream in flight end whole, then closes its keep-alive connection and resolves", async () => {
        const frames = anthropicFrames(anthropicText("slow but whole"));
        frames[frames.length - 1] = { ...frames.at(-1)!, delayMs: 300 };
        anthropic.enqueue({ kind: "sse", frames });
        const { gateway, client } = await gatewayOverFake();
        const stream = client.messages.stream(ask);
        await stream.withResponse(); // under way
        const closed = gateway.close(10_000);
        const message = await stream.finalMessage();
        expect(message.content).toEqual([{ type: "text", text: "slow but whole", citations: null }]);
        const started = performance.now();
        await closed;
        expect(performance.now() - started).toBeLessThan(5_000);
    });

    it("cuts an answer still running at the drain timeout: the caller sees the stream break", async () => {
        const frames = anthropicFrames(anthropicText("never finished"));
        frames[frames.length - 1] = { ...frames.at(-1)!, delayMs: 30_000 };
        anthropic.enqueue({ kind: "sse", frames });
        const { gateway, client } = await gatewayOverFake();
        const stream = client.messages.stream(ask);
        await stream.withResponse();
        const started = performance.now();
        await gateway.close(200);
        expect(performance.now() - started).toBeLessThan(5_000);
        const broken = await stream.finalMessage().catch((e: unknown) => e);
        expect(broken).toBeInstanceOf(Anthropic.AnthropicError);
        expect((broken as Error).message).toMatch(/terminated/);
    });
});
