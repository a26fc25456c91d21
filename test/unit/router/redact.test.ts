import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../../src/errors/codes.js";
import { ProviderError } from "../../../src/providers/ProviderError.js";
import { createRedactor, redactError } from "../../../src/router/redact.js";
import { RouteFailedError } from "../../../src/router/RouteFailedError.js";
import type { RoutingRecord } from "../../../src/router/types.js";
import { ask, routeFailure, secretKey, setupRouter } from "./routerFixture.js";

const token = "my-local-token-123";

describe("redaction of every case form", () => {
    const redact = createRedactor([token, secretKey]);
    it.each([
        ["upper-cased key", secretKey.toUpperCase()],
        ["lower-cased token", token.toLowerCase()],
        ["upper-cased token", token.toUpperCase()],
        ["mixed case token", "My-Local-Token-123"],
        ["upper-cased key shape", "SK-PROJ-ABCDEFGHIJKLMNOP1234"],
    ])("%s", (_what, secret) => {
        const out = redact(`rejected: ${secret} (401)`);
        expect(out.toLowerCase()).not.toContain(secret.toLowerCase());
        expect(out).toBe("rejected: [REDACTED] (401)");
    });

    it("keeps other text as it was", () => {
        expect(redact("Model Claude-Sonnet-5-5 said No")).toBe("Model Claude-Sonnet-5-5 said No");
    });
});

describe("redacting an error's cause chain", () => {
    it("copies the chain with messages, stacks and string fields redacted, keeping classes and codes", () => {
        const root = new ProviderError("anthropic", ErrorCode.ProviderAuth, `invalid x-api-key ${secretKey}`);
        const wrapper = new Error(`request failed: ${secretKey.toUpperCase()}`, { cause: root });
        Object.assign(wrapper, { body: { error: { message: `key ${secretKey}` } } });
        const copy = redactError(wrapper, createRedactor([secretKey])) as Error & { body: unknown };
        expect(JSON.stringify({ m: copy.message, s: copy.stack, b: copy.body }).toLowerCase()).not.toContain(
            secretKey.toLowerCase(),
        );
        const cause = copy.cause as ProviderError;
        expect(cause).toBeInstanceOf(ProviderError);
        expect(cause.code).toBe(ErrorCode.ProviderAuth);
        expect(cause.message).toBe("anthropic: invalid x-api-key [REDACTED]");
        expect(String(cause.stack)).not.toContain(secretKey);
        // The originals are untouched.
        expect(root.message).toContain(secretKey);
    });

    it("RouteFailedError keeps no raw key in its message or cause chain", () => {
        const cause = new Error(`HTTP 401 ${secretKey}`, { cause: new Error(`inner ${secretKey}`) });
        const error = new RouteFailedError(
            ErrorCode.ProviderAuth,
            `every target failed: ${secretKey}`,
            { attempts: [] } as unknown as RoutingRecord,
            { retryable: false, cause, redact: createRedactor([secretKey]) },
        );
        const chain = [
            error.message,
            (error.cause as Error).message,
            ((error.cause as Error).cause as Error).message,
        ];
        for (const text of chain) expect(text).not.toContain(secretKey);
    });

    it("through the router: the cause of a failed route is redacted", async () => {
        const f = setupRouter({ reliability: { maxRetries: 0 } });
        f.anthropic.always({
            kind: "error",
            error: new ProviderError(
                "anthropic",
                ErrorCode.ProviderBadRequest,
                `bad key ${secretKey.toUpperCase()}`,
            ),
        });
        const error = await routeFailure(f.router.complete(ask("x")));
        let cause: unknown = error;
        while (cause instanceof Error) {
            expect(cause.message.toLowerCase()).not.toContain(secretKey.toLowerCase());
            cause = cause.cause;
        }
    });
});
