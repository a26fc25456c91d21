import { describe, expect, it } from "vitest";
import { fromChatCompletionParams } from "../../../src/gateway/openai/chatRequest.js";
import { fromCompletionParams } from "../../../src/gateway/openai/completionRequest.js";
import { parseOpenAIRequest } from "../../../src/gateway/openai/parseOpenAIRequest.js";

const parsers = [
    ["Chat Completions", fromChatCompletionParams, { messages: [{ role: "user", content: "hi" }] }],
    ["Completions", fromCompletionParams, { prompt: "def f(" }],
] as const;

describe("parseOpenAIRequest", () => {
    it("checks `model` before the parser reads anything else", () => {
        let called = false;
        const toRequest = () => {
            called = true;
            return { messages: [] };
        };
        expect(() => parseOpenAIRequest({ model: "" }, new Set(), toRequest)).toThrow(
            '`model` is required: a model id from GET /v1/models, or "auto"',
        );
        expect(called).toBe(false);
    });

    it.each(parsers)("%s: the shared fields, as both APIs mean them", (_name, parse, own) => {
        const parsed = parse({
            model: "auto",
            ...own,
            temperature: 0.5,
            stop: "\n\n",
            stream: true,
            stream_options: { include_usage: true },
            user: "u1",
            service_tier: "auto",
        });
        expect(parsed).toMatchObject({
            model: "auto",
            stream: true,
            includeUsage: true,
            ignored: ["service_tier", "user"],
        });
        expect(parsed.request).toMatchObject({ temperature: 0.5, stop: ["\n\n"] });
    });

    it.each(parsers)("%s: refuses a missing model with the same message", (_name, parse, own) => {
        expect(() => parse({ ...own })).toThrow(
            '`model` is required: a model id from GET /v1/models, or "auto"',
        );
    });
});
