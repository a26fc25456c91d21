/**
 * Content only the caller's protocol carries, driven by the official Anthropic SDK as Claude Code sends
 * it: a pasted screenshot (an image block), a PDF read into a tool result (a document block), a web
 * search made by Anthropic earlier in the session (server_tool_use / web_search_tool_result blocks). The
 * tiers that would translate the request (the local tier, OpenAI) are skipped with the reason, Anthropic is
 * sent the body as written, and count_tokens is asked of Anthropic too; with no tier that can take it, a
 * 400 says which blocks and what to configure. An editor's pasted image on Chat Completions goes to OpenAI
 * the same way. Before, any of these was a 400 on every tier, so one pasted screenshot broke every later
 * turn of the session.
 */
import Anthropic from "@anthropic-ai/sdk";
import type { MessageCreateParamsStreaming } from "@anthropic-ai/sdk/resources/messages/messages";
import OpenAI from "openai";
import type { ResponseCreateParamsNonStreaming } from "openai/resources/responses/responses";
import { describe, expect, it } from "vitest";
import { anthropicStream, anthropicText, lastAnthropicBody } from "../helpers/fakeAnthropicServer.js";
import { lastOpenAIBody, openaiCompletion } from "../helpers/fakeOpenAIServer.js";
import { claudeCodeHeaders, claudeCodeRequest } from "../helpers/fixtures/claudeCodeRequest.js";
import { codexHeaders, codexRequest } from "../helpers/fixtures/codexRequest.js";
import { anthropicClient, gatewayKey, openaiClient, useGatewayFixture } from "../helpers/gatewayFixture.js";

const env = useGatewayFixture();

const tieredClient = (): Anthropic => anthropicClient(env.gateway.url, gatewayKey);

const screenshot = {
    type: "image",
    source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgoAAAANSUhEUg==" },
} as const;

/** A Claude Code session with a screenshot, a web search Anthropic ran, and a PDF read by a tool. */
function sessionWithMedia(model: string): MessageCreateParamsStreaming {
    const request = claudeCodeRequest();
    return {
        ...request,
        model,
        messages: [
            ...request.messages,
            {
                role: "assistant",
                content: [
                    {
                        type: "server_tool_use",
                        id: "srvtoolu_1",
                        name: "web_search",
                        input: { query: "vite 7 css" },
                    },
                    {
                        type: "web_search_tool_result",
                        tool_use_id: "srvtoolu_1",
                        content: [
                            {
                                type: "web_search_result",
                                url: "https://vite.dev/guide",
                                title: "Vite guide",
                                encrypted_content: "EqgfCioIARgBIiQ3",
                            },
                        ],
                    },
                    { type: "tool_use", id: "toolu_2", name: "Read", input: { file_path: "spec.pdf" } },
                ],
            },
            {
                role: "user",
                content: [
                    {
                        type: "tool_result",
                        tool_use_id: "toolu_2",
                        content: [
                            { type: "text", text: "PDF file read: spec.pdf" },
                            {
                                type: "document",
                                source: { type: "base64", media_type: "application/pdf", data: "JVBERi0=" },
                            },
                        ],
                    },
                    screenshot,
                    { type: "text", text: "the header overlaps the menu like this; fix the CSS" },
                ],
            },
        ],
    };
}

describe("content only the Messages API carries", () => {
    it("skips the local tier for Anthropic, which is sent every block as written", async () => {
        env.anthropic.enqueue(anthropicStream(anthropicText("Set the header's z-index.")));
        const body = sessionWithMedia("auto");
        const { data: stream, response } = await tieredClient()
            .messages.create(body, { headers: claudeCodeHeaders })
            .withResponse();
        let text = "";
        for await (const event of stream)
            if (event.type === "content_block_delta" && event.delta.type === "text_delta")
                text += event.delta.text;
        expect(text).toBe("Set the header's z-index.");
        expect(response.headers.get("x-tiercel-route")).toMatch(/^mid\/anthropic\/claude-haiku-5-5;/);
        const sent = lastAnthropicBody(env.anthropic);
        expect(sent.messages).toEqual(JSON.parse(JSON.stringify(body.messages)));
    });

    it("counts tokens with Anthropic, not with the local tier that cannot read the image", async () => {
        env.anthropic.enqueue({ kind: "json", status: 200, body: { input_tokens: 2345 } });
        const { stream: _stream, max_tokens: _max, ...body } = sessionWithMedia("auto");
        const { data, response } = await tieredClient()
            .messages.countTokens(body, { headers: claudeCodeHeaders })
            .withResponse();
        expect(data.input_tokens).toBe(2345);
        expect(response.headers.get("x-tiercel-token-count")).toBe(
            "exact; counted_by=anthropic/claude-haiku-5-5",
        );
    });

    it("with no tier that reads the Messages API as written, a 400 names the blocks and the fix", async () => {
        // The app's own gateway: its one tier is the local tier.
        const error = await anthropicClient(env.server.addresses.gatewayUrl)
            .messages.create(
                { ...sessionWithMedia("auto"), max_tokens: 1024, stream: false },
                { headers: claudeCodeHeaders },
            )
            .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(Anthropic.BadRequestError);
        const message = (error as Error).message;
        expect(message).toContain(
            "document, image, server_tool_use, web_search_tool_result blocks (no form outside the Messages API)",
        );
        expect(message).toContain("only a provider speaking the caller's protocol (anthropic-messages)");
        expect(message).toContain("configure a tier that supports it");
    });

    it("sends an editor's pasted image on Chat Completions to OpenAI as written, past the tiers that cannot read it", async () => {
        env.openai.enqueue(openaiCompletion({ text: ["The button is clipped."], finishReason: "stop" }));
        const messages = [
            {
                role: "user" as const,
                content: [
                    { type: "text" as const, text: "what is wrong in this screenshot?" },
                    { type: "image_url" as const, image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
                ],
            },
        ];
        const { data, response } = await openaiClient(env.gateway.url, gatewayKey)
            .chat.completions.create({ model: "auto", messages })
            .withResponse();
        expect(data.choices[0]?.message.content).toBe("The button is clipped.");
        expect(response.headers.get("x-tiercel-route")).toMatch(/^frontier\/openai\/gpt-5.1-codex;/);
        expect(lastOpenAIBody(env.openai).messages).toEqual(messages);
        expect(env.anthropic.requests).toHaveLength(0);
    });

    it("does not answer a Codex conversation compacted by OpenAI on a tier that cannot read the summary", async () => {
        // The compaction item stands for every turn before it: answered without it, the model would not
        // know the task. This gateway has no tier on the Responses API, so a 400 says so.
        const body = codexRequest([
            { type: "compaction", id: "cmp_1", encrypted_content: "gAAAAABpY29tcGFjdGVk" },
            { type: "message", role: "user", content: [{ type: "input_text", text: "go on" }] },
        ]);
        const error = await openaiClient(env.gateway.url, gatewayKey)
            .responses.create({ ...body, stream: false } as unknown as ResponseCreateParamsNonStreaming, {
                headers: codexHeaders,
            })
            .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(OpenAI.BadRequestError);
        expect((error as Error).message).toContain("compaction items (no form outside the Responses API)");
        expect(env.openai.requests).toHaveLength(0);
        expect(env.anthropic.requests).toHaveLength(0);
    });
});
