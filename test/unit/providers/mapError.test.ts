/**
 * Provider failures → stable codes, `retryable` and Retry-After. SDK errors are built with the SDKs' own
 * `APIError.generate` (what their clients call on an HTTP error) and their stream-error constructors.
 */
import * as Anthropic from "@anthropic-ai/sdk";
import { Metadata, status as Status } from "@grpc/grpc-js";
import * as OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../../src/errors/codes.js";
import { contextOverflowSizes } from "../../../src/errors/contextOverflow.js";
import {
    contextTokensMetadataKey,
    errorCodeMetadataKey,
    promptTokensMetadataKey,
    retryableMetadataKey,
} from "../../../src/grpc/toGrpcStatus.js";
import { mapAnthropicError } from "../../../src/providers/anthropic/mapError.js";
import { mapLocalError } from "../../../src/providers/local/mapError.js";
import { mapOpenAIError } from "../../../src/providers/openai/mapError.js";
import { ProviderError } from "../../../src/providers/ProviderError.js";

const live = new AbortController().signal;

describe("mapAnthropicError", () => {
    const http = (status: number, type: string, headers: Record<string, string> = {}) =>
        mapAnthropicError(
            "anthropic",
            Anthropic.APIError.generate(
                status,
                { type: "error", error: { type, message: `${type} happened` } },
                undefined,
                new Headers(headers),
            ),
            live,
        );

    it.each([
        [400, "invalid_request_error", ErrorCode.ProviderBadRequest, false],
        [401, "authentication_error", ErrorCode.ProviderAuth, false],
        [402, "billing_error", ErrorCode.ProviderAuth, false],
        [403, "permission_error", ErrorCode.ProviderAuth, false],
        [404, "not_found_error", ErrorCode.ModelNotFound, false],
        [413, "request_too_large", ErrorCode.ProviderBadRequest, false],
        [429, "rate_limit_error", ErrorCode.ProviderRateLimited, true],
        [500, "api_error", ErrorCode.ProviderUnavailable, true],
        [502, "api_error", ErrorCode.ProviderUnavailable, true],
        [503, "api_error", ErrorCode.ProviderOverloaded, true],
        [504, "timeout_error", ErrorCode.ProviderTimeout, true],
        [529, "overloaded_error", ErrorCode.ProviderOverloaded, true],
    ])("HTTP %i %s → %s (retryable %s)", (status, type, code, retryable) => {
        const error = http(status, type);
        expect(error).toBeInstanceOf(ProviderError);
        expect(error).toMatchObject({ code, retryable, status });
        expect(error.message).toContain(`HTTP ${status}`);
    });

    it("a 400 saying the prompt is too long is a context overflow with its sizes (another target may fit it)", () => {
        const error = mapAnthropicError(
            "anthropic",
            Anthropic.APIError.generate(
                400,
                {
                    type: "error",
                    error: {
                        type: "invalid_request_error",
                        message: "prompt is too long: 212345 tokens > 200000 maximum",
                    },
                },
                undefined,
                new Headers(),
            ),
            live,
        );
        expect(error).toMatchObject({ code: ErrorCode.ContextOverflow, retryable: false, status: 400 });
        expect(contextOverflowSizes(error)).toEqual({ promptTokens: 212345, contextTokens: 200000 });
        expect(http(400, "invalid_request_error")).toMatchObject({ code: ErrorCode.ProviderBadRequest });
    });

    it("reads Retry-After from a 429", () => {
        expect(http(429, "rate_limit_error", { "retry-after": "7" })).toMatchObject({ retryAfterMs: 7_000 });
    });

    it.each([
        ["overloaded_error", ErrorCode.ProviderOverloaded, true],
        ["api_error", ErrorCode.ProviderUnavailable, true],
        ["rate_limit_error", ErrorCode.ProviderRateLimited, true],
        ["invalid_request_error", ErrorCode.ProviderBadRequest, false],
        ["something_new", ErrorCode.ProviderUnavailable, true],
    ] as const)("a mid-stream %s event → %s", (type, code, retryable) => {
        const thrown = new Anthropic.APIError(
            undefined,
            { type: "error", error: { type, message: "x" } },
            undefined,
            new Headers(),
            type as never,
        );
        expect(mapAnthropicError("anthropic", thrown, live, "stream")).toMatchObject({ code, retryable });
    });

    it("connection failures, SDK timeouts, a broken body and our own abort", () => {
        expect(
            mapAnthropicError("a", new Anthropic.APIConnectionError({ message: "ECONNREFUSED" }), live),
        ).toMatchObject({ code: ErrorCode.ProviderUnavailable, retryable: true });
        expect(mapAnthropicError("a", new Anthropic.APIConnectionTimeoutError(), live)).toMatchObject({
            code: ErrorCode.ProviderTimeout,
            retryable: true,
        });
        expect(mapAnthropicError("a", new TypeError("terminated"), live, "stream")).toMatchObject({
            code: ErrorCode.ProviderStream,
            retryable: true,
        });
        expect(mapAnthropicError("a", new TypeError("x is undefined"), live, "request")).toMatchObject({
            code: ErrorCode.Internal,
        });
        // Reading a unary answer that arrived whole: the answer is not the API's (the provider's fault).
        expect(
            mapAnthropicError("a", new TypeError("Cannot read properties of null"), live, "response"),
        ).toMatchObject({ code: ErrorCode.ProviderStream, retryable: true });
        const aborted = new AbortController();
        aborted.abort();
        expect(mapAnthropicError("a", new Anthropic.APIUserAbortError(), aborted.signal)).toMatchObject({
            code: ErrorCode.Cancelled,
        });
        const timedOut = new AbortController();
        timedOut.abort(new DOMException("deadline", "TimeoutError"));
        expect(mapAnthropicError("a", new Error("whatever"), timedOut.signal)).toMatchObject({
            code: ErrorCode.DeadlineExceeded,
        });
    });
});

describe("mapOpenAIError", () => {
    const http = (status: number, type: string, code: string | null, headers: Record<string, string> = {}) =>
        mapOpenAIError(
            "openai",
            OpenAI.APIError.generate(
                status,
                { error: { message: "m", type, param: null, code } },
                undefined,
                new Headers(headers),
            ),
            live,
        );

    it.each([
        [400, "invalid_request_error", null, ErrorCode.ProviderBadRequest, false],
        [400, "invalid_request_error", "context_length_exceeded", ErrorCode.ContextOverflow, false],
        [401, "invalid_request_error", "invalid_api_key", ErrorCode.ProviderAuth, false],
        [404, "invalid_request_error", "model_not_found", ErrorCode.ModelNotFound, false],
        [429, "requests", "rate_limit_exceeded", ErrorCode.ProviderRateLimited, true],
        [429, "insufficient_quota", "insufficient_quota", ErrorCode.ProviderRateLimited, false],
        [500, "server_error", null, ErrorCode.ProviderUnavailable, true],
        [503, "server_error", null, ErrorCode.ProviderOverloaded, true],
    ])("HTTP %i %s/%s → %s (retryable %s)", (status, type, code, expected, retryable) => {
        expect(http(status, type, code)).toMatchObject({ code: expected, retryable, status });
    });

    it("prefers retry-after-ms to retry-after", () => {
        expect(
            http(429, "requests", "rate_limit_exceeded", { "retry-after-ms": "150", "retry-after": "2" }),
        ).toMatchObject({ retryAfterMs: 150 });
    });

    it("an error object inside a stream", () => {
        const thrown = new OpenAI.APIError(
            undefined,
            { message: "boom", type: "server_error", param: null, code: null },
            undefined,
            new Headers(),
        );
        expect(mapOpenAIError("openai", thrown, live, "stream")).toMatchObject({
            code: ErrorCode.ProviderUnavailable,
            retryable: true,
        });
    });
});

describe("mapLocalError", () => {
    const grpcError = (code: Status, trailer?: { code: string; retryable: boolean }) => {
        const metadata = new Metadata();
        if (trailer) {
            metadata.set(errorCodeMetadataKey, trailer.code);
            metadata.set(retryableMetadataKey, String(trailer.retryable));
        }
        return Object.assign(new Error(`${code} details`), { code, details: "details", metadata });
    };

    it("reads a context overflow's sizes from the server's trailers", () => {
        const error = grpcError(Status.INVALID_ARGUMENT, {
            code: ErrorCode.ContextOverflow,
            retryable: false,
        });
        error.metadata.set(promptTokensMetadataKey, "4028");
        error.metadata.set(contextTokensMetadataKey, "512");
        const mapped = mapLocalError("local", error, live);
        expect(mapped).toMatchObject({ code: ErrorCode.ContextOverflow });
        expect(contextOverflowSizes(mapped)).toEqual({ promptTokens: 4028, contextTokens: 512 });
        // Without them (an older server), the code alone.
        const bare = grpcError(Status.INVALID_ARGUMENT, {
            code: ErrorCode.ContextOverflow,
            retryable: false,
        });
        expect(contextOverflowSizes(mapLocalError("local", bare, live))).toBeUndefined();
    });

    it("uses the server's tiercel-error-code trailer and its retryable flag", () => {
        expect(
            mapLocalError(
                "local",
                grpcError(Status.RESOURCE_EXHAUSTED, { code: ErrorCode.QueueFull, retryable: true }),
                live,
            ),
        ).toMatchObject({
            code: ErrorCode.QueueFull,
            retryable: true,
            status: Status.RESOURCE_EXHAUSTED,
        });
        expect(
            mapLocalError(
                "local",
                grpcError(Status.INVALID_ARGUMENT, { code: ErrorCode.ContextOverflow, retryable: false }),
                live,
            ),
        ).toMatchObject({
            code: ErrorCode.ContextOverflow,
            retryable: false,
        });
        // The router's own token refused: a provider credential problem.
        expect(
            mapLocalError(
                "local",
                grpcError(Status.UNAUTHENTICATED, { code: ErrorCode.Unauthenticated, retryable: false }),
                live,
            ),
        ).toMatchObject({
            code: ErrorCode.ProviderAuth,
        });
    });

    it.each([
        [Status.UNAVAILABLE, ErrorCode.ProviderUnavailable, true],
        [Status.DEADLINE_EXCEEDED, ErrorCode.ProviderTimeout, true],
        [Status.RESOURCE_EXHAUSTED, ErrorCode.QueueFull, true],
        [Status.NOT_FOUND, ErrorCode.ModelNotFound, false],
        [Status.PERMISSION_DENIED, ErrorCode.ProviderAuth, false],
        [Status.INVALID_ARGUMENT, ErrorCode.ProviderBadRequest, false],
    ])("without a trailer, status %i → %s", (status, code, retryable) => {
        expect(mapLocalError("local", grpcError(status), live)).toMatchObject({ code, retryable });
    });

    it("an unknown trailer code falls back to the status", () => {
        expect(
            mapLocalError(
                "local",
                grpcError(Status.UNAVAILABLE, { code: "E_FROM_THE_FUTURE", retryable: false }),
                live,
            ),
        ).toMatchObject({
            code: ErrorCode.ProviderUnavailable,
            retryable: true,
        });
    });
});
