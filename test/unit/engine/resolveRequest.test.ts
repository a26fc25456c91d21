import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../../src/errors/codes.js";
import { resolveRequest, type RequestContext } from "../../../src/engine/resolveRequest.js";
import type { GenerateRequest } from "../../../src/engine/types.js";

/** A context of 16 tokens; text tokenizes one token per character, after a BOS (id 1). */
const context: RequestContext = {
    targetId: "t",
    contextSize: 16,
    vocabSize: 100,
    promptByteLimit: 15 * 4,
    drafts: ["d"],
    refusedDrafts: [{ id: "r", rules: ["vocab_type"] }],
    defaultMaxTokens: 8,
    defaultMode: "auto",
    maxDraftTokens: 6,
    suffixDrafting: true,
    isEog: (token) => token === 2,
    // FIM layout for the table: prefix, a separator token (3), suffix.
    infillTokens: (r) => [
        1,
        ...Array.from(String(r.prompt), (c) => c.charCodeAt(0) % 100),
        3,
        ...Array.from(r.suffix, (c) => c.charCodeAt(0) % 100),
    ],
    tokenize: (text) => [1, ...Array.from(text, (c) => c.charCodeAt(0) % 100)],
};

describe("resolveRequest", () => {
    it("fills defaults", () => {
        expect(resolveRequest({ prompt: "abc" }, context)).toEqual({
            promptTokens: [1, 97, 98, 99],
            maxTokens: 8,
            sampling: {
                temperature: 0,
                topK: 40,
                topP: 0.95,
                seed: undefined,
                minP: 0,
                penalties: undefined,
                logitBias: undefined,
            },
            stop: [],
            mode: "auto",
            draftModel: undefined,
            maxDraftTokens: 6,
        });
    });

    it.each<[string, GenerateRequest, Partial<ReturnType<typeof resolveRequest>>]>([
        [
            "max_tokens is clamped to the room left",
            { prompt: "abcdefghij", maxTokens: 100 },
            { maxTokens: 5 },
        ],
        ["token ids are taken as they are", { prompt: [5, 6, 7], maxTokens: 2 }, { promptTokens: [5, 6, 7] }],
        ["the target's id is accepted", { prompt: "a", model: "t" }, { promptTokens: [1, 97] }],
        [
            "fill-in-the-middle lays out prefix and suffix, and the prefix may be empty",
            { prompt: "", suffix: "b" },
            { promptTokens: [1, 3, 98] },
        ],
        [
            "max_draft_tokens is clamped to the config's",
            { prompt: "a", speculation: { maxDraftTokens: 50 } },
            { maxDraftTokens: 6 },
        ],
        [
            "max_draft_tokens under it is kept",
            { prompt: "a", speculation: { maxDraftTokens: 2 } },
            { maxDraftTokens: 2 },
        ],
        [
            "a loaded draft by id",
            { prompt: "a", speculation: { mode: "draft_model", draftModel: "d" } },
            { draftModel: "d", mode: "draft_model" },
        ],
        [
            "an empty draft id is the default",
            { prompt: "a", speculation: { draftModel: "" } },
            { draftModel: undefined },
        ],
    ])("%s", (_name, request, expected) => {
        expect(resolveRequest(request, context)).toMatchObject(expected);
    });

    it.each<[string, GenerateRequest, string, RegExp]>([
        [
            "an unknown target",
            { prompt: "a", model: "x" },
            ErrorCode.ModelNotFound,
            /^unknown model "x"; this server's target is "t" \(leave model empty for it; ListModels lists every model\)$/,
        ],
        [
            "a loaded draft as the target",
            { prompt: "a", model: "d" },
            ErrorCode.ModelNotFound,
            /^"d" is a draft model, not a target; leave model empty \(or set "t"\) and name drafts in speculation.draft_model$/,
        ],
        [
            "a refused draft as the target",
            { prompt: "a", model: "r" },
            ErrorCode.ModelNotFound,
            /"r" is a draft model/,
        ],
        ["an empty prompt", { prompt: "" }, ErrorCode.InvalidArgument, /prompt is empty/],
        [
            "a FIM request whose prefix, suffix and files exceed the byte bound",
            { prompt: "x".repeat(30), suffix: "y".repeat(31) },
            ErrorCode.ContextOverflow,
            /61 bytes, more than the 60/,
        ],
        [
            "a logit bias on an end-of-generation token",
            { prompt: "a", sampling: { logitBias: new Map([[2, -5]]) } },
            ErrorCode.InvalidArgument,
            /logit_bias/,
        ],
        [
            "SUFFIX without a session",
            { prompt: "a", speculation: { mode: "suffix" } },
            ErrorCode.InvalidArgument,
            /set session_id/,
        ],
        ["no token ids", { prompt: [] }, ErrorCode.InvalidArgument, /prompt is empty/],
        ["a token id outside the vocabulary", { prompt: [5, 100] }, ErrorCode.InvalidArgument, /\[0, 100\)/],
        [
            "a prompt over the byte bound",
            { prompt: "x".repeat(61) },
            ErrorCode.ContextOverflow,
            /61 bytes, more than the 60/,
        ],
        [
            "a prompt of as many tokens as the context",
            { prompt: "x".repeat(15) },
            ErrorCode.ContextOverflow,
            /16 tokens but the context holds 16/,
        ],
        [
            "a cache scope longer than 256 characters",
            { prompt: "a", cacheScope: "k".repeat(257) },
            ErrorCode.InvalidArgument,
            /cache_scope is 257 characters; at most 256/,
        ],
        [
            "a session id longer than 256 characters",
            { prompt: "a", sessionId: "s".repeat(257) },
            ErrorCode.InvalidArgument,
            /session_id is 257 characters; at most 256/,
        ],
        [
            "max_tokens 0",
            { prompt: "a", maxTokens: 0 },
            ErrorCode.InvalidArgument,
            /max_tokens must be a positive integer/,
        ],
        ["max_tokens 1.5", { prompt: "a", maxTokens: 1.5 }, ErrorCode.InvalidArgument, /max_tokens/],
        [
            "temperature over 5",
            { prompt: "a", sampling: { temperature: 6 } },
            ErrorCode.InvalidArgument,
            /temperature/,
        ],
        ["top_p 0", { prompt: "a", sampling: { topP: 0 } }, ErrorCode.InvalidArgument, /top_p/],
        ["negative top_k", { prompt: "a", sampling: { topK: -1 } }, ErrorCode.InvalidArgument, /top_k/],
        [
            "an unknown draft",
            { prompt: "a", speculation: { draftModel: "x" } },
            ErrorCode.ModelNotFound,
            /^unknown draft model "x"; loaded drafts: d \(ListModels lists every model\)$/,
        ],
        [
            "a refused draft",
            { prompt: "a", speculation: { draftModel: "r" } },
            ErrorCode.DraftIncompatible,
            /^draft model "r" was refused at load: .* \(vocab_type\) and speculation.translateIncompatibleDrafts is off; ListModels has the full report/,
        ],
        [
            "max_draft_tokens 0",
            { prompt: "a", speculation: { maxDraftTokens: 0 } },
            ErrorCode.InvalidArgument,
            /mode OFF/,
        ],
        [
            "negative max_draft_tokens",
            { prompt: "a", speculation: { maxDraftTokens: -3 } },
            ErrorCode.InvalidArgument,
            /max_draft_tokens/,
        ],
    ])("refuses %s", (_name, request, code, message) => {
        expect(() => resolveRequest(request, context)).toThrow(message);
        expect(() => resolveRequest(request, context)).toThrow(expect.objectContaining({ code }) as Error);
    });

    it("DRAFT_MODEL needs a loaded draft", () => {
        expect(() =>
            resolveRequest({ prompt: "a", speculation: { mode: "draft_model" } }, { ...context, drafts: [] }),
        ).toThrow(/needs a draft model/);
    });
});
