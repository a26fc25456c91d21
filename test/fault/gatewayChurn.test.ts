/**
 * Agents churning through the gateway on a local-only `npm start`: six conversations, more than the
 * engine's sequences, three at a time, each turn resending the conversation so far, through the Anthropic
 * SDK (streamed, as Claude Code sends) and the OpenAI SDK (Chat Completions, streamed and not), a third of
 * the turns abandoned by their client (aborted before the answer, after its first event, or at a short
 * deadline) while the engine saves, loads and copies prefixes (host KV cache on). Nothing but the client's
 * own abort fails; afterwards nothing is left behind: no sequence leased or queued, no HTTP request in
 * flight, the host cache's directory holding exactly the bytes it counts; and every conversation's next
 * turn is answered.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createRandom } from "../../src/speculative/createRandom.js";
import { bundledModelPath, readEvalPrompts } from "../helpers/bundledModels.js";
import { churn, drawCancel, hostCacheBytesOnDisk, untilEngineIdle, type Cancel } from "../helpers/churn.js";
import { anthropicClient, openaiClient } from "../helpers/gatewayFixture.js";
import { startTestServer, type TestServer } from "../helpers/startTestServer.js";

let server: TestServer;
let dir: string;
let anthropic: Anthropic;
let openai: OpenAI;
beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tiercel-gateway-churn-"));
    server = await startTestServer({
        models: {
            target: { id: "target", path: bundledModelPath("target") },
            drafts: [{ id: "draft", path: bundledModelPath("draft") }],
        },
        // Two sequences for six conversations: turns take each other's sequences (saved, loaded, copied).
        engine: { sequences: 2, contextSize: 2048, hostCache: { minTokens: 32, dir } },
    });
    anthropic = anthropicClient(server.addresses.gatewayUrl);
    openai = openaiClient(server.addresses.gatewayUrl);
});
afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
});

const files = readEvalPrompts().map((p) => p.prompt);
const system = `You are a coding agent. House rules:\n${files.slice(30, 32).join("\n").slice(0, 800)}`;

interface Turn {
    readonly role: "user" | "assistant";
    readonly content: string;
}

type Face = "anthropic-stream" | "chat-stream" | "chat";

/** One turn of `history` through `face`; the answer's text, or undefined when the client abandoned it. */
async function send(face: Face, history: readonly Turn[], cancel: Cancel): Promise<string | undefined> {
    const controller = new AbortController();
    const signal = cancel === "deadline" ? AbortSignal.timeout(15) : controller.signal;
    if (cancel === "before")
        setImmediate(() => {
            controller.abort();
        });
    const abandonAfterFirst = cancel === "after-first";
    try {
        if (face === "anthropic-stream") {
            const stream = await anthropic.messages.create(
                { model: "auto", max_tokens: 16, system, messages: [...history], stream: true },
                { signal },
            );
            let text = "";
            for await (const event of stream) {
                if (abandonAfterFirst) {
                    controller.abort();
                    return undefined;
                }
                if (event.type === "content_block_delta" && event.delta.type === "text_delta")
                    text += event.delta.text;
            }
            return text;
        }
        const messages = [{ role: "system" as const, content: system }, ...history];
        if (face === "chat-stream") {
            const stream = await openai.chat.completions.create(
                { model: "auto", max_completion_tokens: 16, messages, stream: true },
                { signal },
            );
            let text = "";
            for await (const chunk of stream) {
                if (abandonAfterFirst) {
                    controller.abort();
                    return undefined;
                }
                text += chunk.choices[0]?.delta.content ?? "";
            }
            return text;
        }
        if (abandonAfterFirst)
            setImmediate(() => {
                controller.abort();
            });
        const completion = await openai.chat.completions.create(
            { model: "auto", max_completion_tokens: 16, messages },
            { signal },
        );
        return completion.choices[0]?.message.content ?? "";
    } catch (error) {
        if (
            cancel !== "none" &&
            (error instanceof Anthropic.APIUserAbortError || error instanceof OpenAI.APIUserAbortError)
        )
            return undefined;
        throw error;
    }
}

/** A metric's value summed over its label sets. */
async function metric(name: string): Promise<number> {
    const lines = (await server.metricsText())
        .split("\n")
        .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
    return lines.reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
}

it("serves every turn its client waits for, and leaves nothing behind", async () => {
    const random = createRandom(7);
    const sessions = 6;
    const turns = 4;
    const faces: Face[] = ["anthropic-stream", "chat-stream", "chat"];
    const histories: Turn[][] = Array.from({ length: sessions }, (_, s) => [
        { role: "user", content: `Review this file.\n${files[s * 2]!.slice(0, 700)}` },
    ]);
    let answered = 0;
    let abandoned = 0;
    await churn({
        sessions,
        turns,
        concurrency: 3,
        random,
        turn: async (session, index) => {
            const history = histories[session]!;
            const text = await send(
                faces[(session + index) % faces.length]!,
                history,
                drawCancel(random, 0.08),
            );
            if (text === undefined) abandoned++;
            else {
                answered++;
                history.push({ role: "assistant", content: text || "(nothing)" });
            }
            history.push({ role: "user", content: `Turn ${index}: now check the error handling.` });
        },
    });
    expect(answered).toBeGreaterThan(sessions * turns * 0.5);
    expect(abandoned).toBeGreaterThan(0);

    // Abandoned requests end on the server side too (their sequences are freed as the abort arrives).
    const engine = server.app.engine!;
    await untilEngineIdle(engine);
    expect(engine.slotUsage).toMatchObject({ inUse: 0, queued: 0 });
    expect(await metric("tiercel_gateway_requests_in_flight")).toBe(0);
    const cache = engine.slotUsage.hostCache!;
    expect(cache.saves.ok + cache.loads.ok).toBeGreaterThan(0);
    expect(cache.saves.failed + cache.loads.failed).toBe(0);
    expect(await hostCacheBytesOnDisk(dir)).toBe(cache.bytes);

    // Every conversation's next turn is answered.
    for (let session = 0; session < sessions; session++) {
        const text = await send("anthropic-stream", histories[session]!, "none");
        expect(text).toBeDefined();
    }
});
