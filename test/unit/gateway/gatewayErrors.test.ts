import { describe, expect, it } from "vitest";
import { authenticate, keyIdOf } from "../../../src/gateway/authenticate.js";
import { GatewayError, toGatewayError } from "../../../src/gateway/GatewayError.js";
import { anthropicFace } from "../../../src/gateway/anthropic/anthropicFace.js";
import { openaiFace } from "../../../src/gateway/openai/openaiFace.js";
import { ErrorCode } from "../../../src/errors/codes.js";
import { CapacityError } from "../../../src/errors/ServiceError.js";
import { RouteFailedError } from "../../../src/router/RouteFailedError.js";
import type { AttemptRecord, RoutingRecord } from "../../../src/index.js";

const attempt = (patch: Partial<AttemptRecord>): AttemptRecord => ({
    tier: "local",
    provider: "local",
    model: "t",
    outcome: "error",
    latency_ms: 0,
    ttft_ms: null,
    error_code: null,
    retry_after_ms: null,
    message: null,
    model_version: null,
    ...patch,
});
const failed = (code: ErrorCode, attempts: AttemptRecord[]) =>
    new RouteFailedError(code, "failed", { attempts } as unknown as RoutingRecord, { retryable: false });

describe("toGatewayError", () => {
    it("makes a request every target declined a 400 that says why", () => {
        const error = toGatewayError(
            failed(ErrorCode.RouteExhausted, [
                attempt({ outcome: "skipped_unsupported", message: "the local tier has no tool calling" }),
            ]),
        );
        expect(error.kind).toBe("invalid_request");
        expect(error.message).toContain("local/local: the local tier has no tool calling");
    });

    it("keeps the upstream's Retry-After on a rate limit, in seconds", () => {
        const error = toGatewayError(
            failed(ErrorCode.ProviderRateLimited, [
                attempt({ error_code: "E_PROVIDER_RATE_LIMITED", retry_after_ms: 1500 }),
            ]),
        );
        expect(error).toMatchObject({ kind: "rate_limit", retryAfterSeconds: 2 });
        expect(openaiFace.error(error).status).toBe(429);
    });

    it("renders overload as Anthropic's 529 and OpenAI's 503, and hides internals of unknown errors", () => {
        const overloaded = toGatewayError(new CapacityError(ErrorCode.QueueFull, "queue full"));
        expect(anthropicFace.error(overloaded)).toEqual({
            status: 529,
            body: { type: "error", error: { type: "overloaded_error", message: "queue full" } },
        });
        expect(openaiFace.error(overloaded).status).toBe(503);
        const bug = toGatewayError(new TypeError("x is undefined"));
        expect(bug.kind).toBe("api_error");
        expect(bug.message).not.toContain("x is undefined");
    });
});

describe("authenticate", () => {
    const key = "k".repeat(20);

    it("accepts a configured key as Bearer or x-api-key, answers its id, and refuses others", () => {
        const check = authenticate([key, "other-key-0123456789"], "0.0.0.0");
        const id = check({ authorization: `Bearer ${key}` });
        expect(id).toBe(keyIdOf(key));
        expect(id).toMatch(/^key-[0-9a-f]{12}$/);
        expect(check({ "x-api-key": "other-key-0123456789" })).toBe(keyIdOf("other-key-0123456789"));
        expect(keyIdOf(key)).not.toBe(keyIdOf("other-key-0123456789"));
        expect(() => check({ authorization: "Bearer nope" })).toThrow(GatewayError);
        expect(() => check({})).toThrow(/missing gateway key/);
    });

    it("is open on loopback without keys, and closed elsewhere without keys", () => {
        expect(authenticate([], "127.0.0.1")({})).toBeUndefined();
        expect(() => authenticate([], "0.0.0.0")({ authorization: `Bearer ${key}` })).toThrow(
            /TIERCEL_GATEWAY_KEYS/,
        );
    });
});
