import { describe, expect, it } from "vitest";
import { GatewayError } from "../../../src/gateway/GatewayError.js";
import { KeySpendLimiter } from "../../../src/gateway/KeySpendLimiter.js";

const day = 86_400_000;

function refusal(fn: () => void): GatewayError {
    try {
        fn();
    } catch (error) {
        if (error instanceof GatewayError) return error;
        throw error;
    }
    throw new Error("expected a refusal");
}

describe("KeySpendLimiter", () => {
    it("refuses a key once its spend today reaches the limit, with retry-after until UTC midnight", () => {
        let now = 100 * day + 3_600_000; // 01:00 UTC
        const limiter = new KeySpendLimiter({ usdPerDay: 0.01, now: () => now });
        limiter.check("key-a");
        limiter.record("key-a", 0.006);
        limiter.check("key-a");
        limiter.record("key-a", 0.006);
        const error = refusal(() => {
            limiter.check("key-a");
        });
        expect(error.kind).toBe("rate_limit");
        expect(error.retryAfterSeconds).toBe(23 * 3600);
        expect(error.message).toContain("$0.0120 today, its limit of $0.01 per UTC day");
        // Another key has its own day; the next UTC day starts afresh.
        limiter.check("key-b");
        now = 101 * day;
        limiter.check("key-a");
        expect(limiter.spentToday("key-a")).toBe(0);
    });

    it("counts nothing for unpriced answers and cache hits; callers without a key share one budget", () => {
        const limiter = new KeySpendLimiter({ usdPerDay: 1, now: () => 5 * day });
        limiter.record("key-a", null);
        limiter.record("key-a", 0);
        expect(limiter.spentToday("key-a")).toBe(0);
        limiter.record(undefined, 1);
        expect(
            refusal(() => {
                limiter.check(undefined);
            }).kind,
        ).toBe("rate_limit");
        limiter.check("key-a");
    });
});
