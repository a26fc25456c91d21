/**
 * Every sampling field a face accepts reaches the tier that serves the request, driven through the
 * official SDKs: a hosted OpenAI tier receives them in its request body (the fake upstream records it);
 * the real local tier shows their effect: the same seed at temperature > 0 gives the same text and
 * another seed another text, a frequency penalty changes greedy output, and top_k = 1 or a tiny top_p
 * at a high temperature gives the greedy text.
 */
import type Anthropic from "@anthropic-ai/sdk";
import type { MessageCreateParamsNonStreaming } from "@anthropic-ai/sdk/resources/messages";
import type OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { lastOpenAIBody, openaiCompletion } from "../helpers/fakeOpenAIServer.js";
import {
    anthropicClient,
    gatewayKey,
    openaiClient,
    pythonPrompt,
    useGatewayFixture,
} from "../helpers/gatewayFixture.js";

const env = useGatewayFixture();

/* eslint-disable @typescript-eslint/no-deprecated -- `seed` and `max_tokens` are what editors still send */

/** The app's own gateway: local tier only, no keys. */
const localOpenAI = (): OpenAI => openaiClient(env.server.addresses.gatewayUrl);
const localAnthropic = (): Anthropic => anthropicClient(env.server.addresses.gatewayUrl);
/** The three-tier gateway; `model: "frontier"` is the fake OpenAI upstream. */
const tieredOpenAI = (): OpenAI => openaiClient(env.gateway.url, gatewayKey);

const messages: OpenAI.ChatCompletionMessageParam[] = [
    { role: "system", content: pythonPrompt.system },
    { role: "user", content: pythonPrompt.user },
];
const maxTokens = 16;

async function chatText(params: Partial<OpenAI.ChatCompletionCreateParamsNonStreaming>): Promise<string> {
    const answer = await localOpenAI().chat.completions.create({
        model: "auto",
        messages,
        max_completion_tokens: maxTokens,
        ...params,
    });
    return answer.choices[0]?.message.content ?? "";
}

describe("sampling fields on a hosted tier", () => {
    it("Chat Completions: temperature, top_p, seed, penalties and stop arrive at OpenAI", async () => {
        const sampling = {
            temperature: 0.3,
            top_p: 0.5,
            seed: 7,
            presence_penalty: 0.4,
            frequency_penalty: -0.6,
            stop: ["\n\n"],
        };
        env.openai.enqueue(openaiCompletion({ text: ["ok"], finishReason: "stop" }));
        const { response } = await tieredOpenAI()
            .chat.completions.create({
                model: "frontier",
                messages,
                max_completion_tokens: 8,
                ...sampling,
            })
            .withResponse();
        expect(response.headers.get("x-tiercel-ignored")).toBeNull();
        expect(lastOpenAIBody(env.openai)).toMatchObject(sampling);
    });

    it("Responses: temperature and top_p arrive at OpenAI", async () => {
        env.openai.enqueue(openaiCompletion({ text: ["ok"], finishReason: "stop" }));
        await tieredOpenAI().responses.create({
            model: "frontier",
            input: pythonPrompt.user,
            max_output_tokens: 8,
            temperature: 0.2,
            top_p: 0.25,
        });
        expect(lastOpenAIBody(env.openai)).toMatchObject({ temperature: 0.2, top_p: 0.25 });
    });
});

describe("sampling fields on the local tier", () => {
    it("Chat Completions: the same seed at temperature 1.5 gives the same text, another seed another", async () => {
        const sampled = { temperature: 1.5 };
        const first = await chatText({ ...sampled, seed: 11 });
        expect(await chatText({ ...sampled, seed: 11 })).toBe(first);
        const others = new Set<string>();
        for (const seed of [12, 13, 14]) others.add(await chatText({ ...sampled, seed }));
        others.delete(first);
        expect(others.size).toBeGreaterThan(0);
    });

    // Negative penalties favour the tokens already present (the prompt's included): the tiny model's greedy
    // text repeats none of them on its own, so a positive penalty would leave it unchanged.
    it("Chat Completions: a frequency or presence penalty changes greedy output", async () => {
        const greedy = await chatText({ temperature: 0 });
        expect(await chatText({ temperature: 0, frequency_penalty: -2 })).not.toBe(greedy);
        expect(await chatText({ temperature: 0, presence_penalty: -2 })).not.toBe(greedy);
    });

    it("Completions: penalties, top_p and seed reach the local tier", async () => {
        const client = localOpenAI();
        const complete = async (params: Partial<OpenAI.CompletionCreateParamsNonStreaming>) =>
            (
                await client.completions.create({
                    model: "auto",
                    prompt: pythonPrompt.user,
                    max_tokens: maxTokens,
                    ...params,
                })
            ).choices[0]?.text;
        const greedy = await complete({ temperature: 0 });
        expect(await complete({ temperature: 0, frequency_penalty: -2 })).not.toBe(greedy);
        expect(await complete({ temperature: 0, presence_penalty: -2 })).not.toBe(greedy);
        expect(await complete({ temperature: 2, top_p: 1e-6, seed: 5 })).toBe(greedy);
        const seeded = await complete({ temperature: 1.5, seed: 21 });
        expect(await complete({ temperature: 1.5, seed: 21 })).toBe(seeded);
    });

    it("Responses: a tiny top_p at temperature 2 keeps only the most likely token (the greedy text)", async () => {
        const respond = async (params: Partial<OpenAI.Responses.ResponseCreateParamsNonStreaming>) =>
            (
                await localOpenAI().responses.create({
                    model: "auto",
                    instructions: pythonPrompt.system,
                    input: pythonPrompt.user,
                    max_output_tokens: maxTokens,
                    ...params,
                })
            ).output_text;
        const greedy = await respond({ temperature: 0 });
        expect(await respond({ temperature: 2, top_p: 1e-6 })).toBe(greedy);
    });

    it("Messages: top_k = 1 or a tiny top_p at temperature 2 gives the greedy text", async () => {
        const create = async (sampling: Record<string, number>) => {
            const message = await localAnthropic().messages.create({
                model: "auto",
                max_tokens: maxTokens,
                system: pythonPrompt.system,
                messages: [{ role: "user", content: pythonPrompt.user }],
                ...sampling,
            } as MessageCreateParamsNonStreaming);
            return message.content.map((block) => (block.type === "text" ? block.text : "")).join("");
        };
        const greedy = await create({ temperature: 0 });
        expect(await create({ temperature: 2, top_k: 1 })).toBe(greedy);
        expect(await create({ temperature: 2, top_p: 1e-6 })).toBe(greedy);
    });
});
