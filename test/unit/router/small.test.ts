import { describe, expect, it } from "vitest";
import { parseRetryAfter } from "../../../src/providers/ProviderError.js";
import { backoffMs, retryDelayMs } from "../../../src/router/backoff.js";
import { costUsd, priceOf } from "../../../src/router/cost.js";
import { createRedactor, redactedMarker } from "../../../src/router/redact.js";

describe("backoff", () => {
    it("full jitter below min(max, base · 2^retry)", () => {
        expect(backoffMs(0, 100, 1_000, () => 0.999)).toBe(99);
        expect(backoffMs(3, 100, 1_000, () => 0.999)).toBe(799);
        expect(backoffMs(5, 100, 1_000, () => 0.999)).toBe(999);
        expect(backoffMs(5, 100, 1_000, () => 0)).toBe(0);
    });

    it("honours Retry-After as a lower bound", () => {
        const settings = { backoffBaseMs: 100, backoffMaxMs: 1_000 };
        expect(retryDelayMs(0, 2_000, settings, () => 0.5)).toBe(2_000);
        expect(retryDelayMs(3, 10, settings, () => 0.5)).toBe(400);
        expect(retryDelayMs(1, undefined, settings, () => 0.5)).toBe(100);
    });
});

describe("parseRetryAfter", () => {
    const headers = (h: Record<string, string>) => (name: string) => h[name];
    it.each([
        [{ "retry-after": "3" }, 3_000],
        [{ "retry-after": "0.5" }, 500],
        [{ "retry-after-ms": "250", "retry-after": "9" }, 250],
        [{ "retry-after": "Wed, 21 Oct 2026 07:28:10 GMT" }, 10_000],
        [{ "retry-after": "soon" }, undefined],
        [{ "retry-after": "-1" }, undefined],
        [{}, undefined],
    ])("%j → %s", (h, ms) => {
        expect(parseRetryAfter(headers(h), Date.parse("Wed, 21 Oct 2026 07:28:00 GMT"))).toBe(ms);
    });
});

describe("cost", () => {
    const prices = {
        "claude-sonnet-5-5": { inputPerMTok: 3, outputPerMTok: 15 },
        "bedrock/claude-sonnet-5-5": { inputPerMTok: 3.3, outputPerMTok: 16.5 },
    };
    it("prefers the provider-qualified price and charges per million tokens", () => {
        expect(
            costUsd(priceOf(prices, "anthropic", "claude-sonnet-5-5"), {
                input_tokens: 1_000_000,
                output_tokens: 100_000,
            }),
        ).toBeCloseTo(4.5);
        expect(priceOf(prices, "bedrock", "claude-sonnet-5-5")?.inputPerMTok).toBe(3.3);
    });
    it("bills prompt-cache reads and writes at their prices: a tenth and 1.25× of input unless configured", () => {
        const price = { inputPerMTok: 3, outputPerMTok: 15 };
        const usage = {
            input_tokens: 1_000_000,
            output_tokens: 0,
            cache_read_input_tokens: 600_000,
            cache_creation_input_tokens: 100_000,
        };
        // 300k uncached at 3, 600k read at 0.3, 100k written at 3.75.
        expect(costUsd(price, usage)).toBeCloseTo(0.9 + 0.18 + 0.375);
        expect(costUsd({ ...price, cacheReadPerMTok: 1.5, cacheWritePerMTok: 6 }, usage)).toBeCloseTo(
            0.9 + 0.9 + 0.6,
        );
        // Without cache counts, every prompt token at the input price, as before.
        expect(costUsd(price, { input_tokens: 1_000_000, output_tokens: 0 })).toBeCloseTo(3);
    });
    it("an unpriced model costs null, not zero", () => {
        expect(costUsd(priceOf(prices, "openai", "gpt"), { input_tokens: 1, output_tokens: 1 })).toBeNull();
        expect(priceOf(prices, "x", "toString")).toBeUndefined();
    });
});

describe("redaction", () => {
    const redact = createRedactor(["my-local-token-123"]);
    it.each([
        [
            "Incorrect API key provided: sk-proj-abcdefghijklmnop1234",
            "Incorrect API key provided: [REDACTED]",
        ],
        ["key sk-ant-api03-abcdefghijklmnopqrstuvwx is invalid", "key [REDACTED] is invalid"],
        ['{"authorization":"Bearer abcdefghijklmnop"}', '{"authorization":"[REDACTED]"}'],
        ["x-api-key: 0123456789abcdef", "x-api-key: [REDACTED]"],
        ['{"api_key": "hunter2hunter2"}', '{"api_key": "[REDACTED]"}'],
        ["token my-local-token-123 refused", "token [REDACTED] refused"],
        ["nothing secret here: claude-sonnet-5-5", "nothing secret here: claude-sonnet-5-5"],
    ])("%s", (input, output) => {
        expect(redact(input)).toBe(output);
        expect(redact(input).includes(redactedMarker) || input === output).toBe(true);
    });
});
