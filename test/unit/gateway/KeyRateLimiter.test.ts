/** Per-key token buckets on a hand-moved clock, and the namespace each caller's requests get. */
import { describe, expect, it } from "vitest";
import { GatewayError } from "../../../src/gateway/GatewayError.js";
import { KeyRateLimiter } from "../../../src/gateway/KeyRateLimiter.js";
import { requestHints } from "../../../src/gateway/requestHints.js";

const refused = (take: () => void): GatewayError => {
    try {
        take();
    } catch (error) {
        if (error instanceof GatewayError) return error;
        throw error;
    }
    throw new Error("the request was let through");
};

describe("KeyRateLimiter", () => {
    it("lets a burst through, then refuses with the seconds until the next token", () => {
        let now = 0;
        const limiter = new KeyRateLimiter({ requestsPerMinute: 6, burst: 2, now: () => now });
        limiter.take("key-a");
        limiter.take("key-a");
        const error = refused(() => {
            limiter.take("key-a");
        });
        expect(error.kind).toBe("rate_limit");
        expect(error.retryAfterSeconds).toBe(10);
        expect(error.message).toContain("6 requests per minute");
        now = 4_000;
        expect(
            refused(() => {
                limiter.take("key-a");
            }).retryAfterSeconds,
        ).toBe(6);
        now = 10_000;
        limiter.take("key-a");
        expect(() => {
            limiter.take("key-a");
        }).toThrow(GatewayError);
    });

    it("keeps one bucket per key: one key's traffic never limits another", () => {
        const limiter = new KeyRateLimiter({ requestsPerMinute: 1, burst: 1, now: () => 0 });
        limiter.take("key-a");
        expect(() => {
            limiter.take("key-a");
        }).toThrow(GatewayError);
        limiter.take("key-b");
        limiter.take(undefined);
        expect(() => {
            limiter.take(undefined);
        }).toThrow(GatewayError);
    });

    it("never refills above the burst", () => {
        let now = 0;
        const limiter = new KeyRateLimiter({ requestsPerMinute: 60, burst: 2, now: () => now });
        now = 3_600_000;
        limiter.take("k");
        limiter.take("k");
        expect(() => {
            limiter.take("k");
        }).toThrow(GatewayError);
    });
});

describe("requestHints namespace", () => {
    it("is the key id, or the named namespace scoped under it; the key id is the KV cache scope", () => {
        expect(requestHints({}, undefined, "key-aaaaaaaaaaaa")).toEqual({
            namespace: "key-aaaaaaaaaaaa",
            cache_scope: "key-aaaaaaaaaaaa",
        });
        expect(requestHints({ "x-tiercel-namespace": "repo" }, undefined, "key-aaaaaaaaaaaa")).toEqual({
            namespace: "key-aaaaaaaaaaaa/repo",
            cache_scope: "key-aaaaaaaaaaaa",
        });
    });

    it("is the named namespace as is without keys, and absent when none is named", () => {
        expect(requestHints({ "x-tiercel-namespace": "repo" }, "local", undefined)).toEqual({
            namespace: "repo",
            tier: "local",
        });
        expect(requestHints({}, undefined, undefined)).toBeUndefined();
    });

    it("refuses a namespace that is not a plain name with a 400 saying what is allowed", () => {
        const error = refused(() => requestHints({ "x-tiercel-namespace": "a/../b" }, undefined, "key-a"));
        expect(error.kind).toBe("invalid_request");
        expect(error.message).toContain("x-tiercel-namespace must be");
    });
});
