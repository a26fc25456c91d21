import { describe, expect, it } from "vitest";
import { GatewayError } from "../../../src/gateway/GatewayError.js";
import { requestHints } from "../../../src/gateway/requestHints.js";

describe("requestHints router headers", () => {
    it("x-tiercel-idempotent and x-tiercel-cache-sampled become hints.idempotent and hints.cache_sampled", () => {
        expect(requestHints({ "x-tiercel-idempotent": "false" }, undefined, undefined)).toEqual({
            idempotent: false,
        });
        expect(
            requestHints(
                { "x-tiercel-idempotent": "TRUE", "x-tiercel-cache-sampled": "true" },
                "local",
                undefined,
            ),
        ).toEqual({ idempotent: true, cache_sampled: true, tier: "local" });
        expect(requestHints({ "x-tiercel-cache-sampled": " false " }, undefined, undefined)).toEqual({
            cache_sampled: false,
        });
        expect(requestHints({}, undefined, undefined)).toBeUndefined();
    });

    it.each([
        ["x-tiercel-idempotent", "no"],
        ["x-tiercel-cache-sampled", "1"],
        ["x-tiercel-cache-sampled", ["true", "false"]],
    ])("refuses %s: %j with a 400 saying what is allowed", (name, value) => {
        let error: unknown;
        try {
            requestHints({ [name]: value }, undefined, undefined);
        } catch (e) {
            error = e;
        }
        expect(error).toBeInstanceOf(GatewayError);
        expect((error as GatewayError).kind).toBe("invalid_request");
        expect((error as GatewayError).message).toContain(`${name} must be true or false`);
    });

    it("takes an agent's session id, up to 256 characters, and refuses a longer one naming the header", () => {
        const id = "3f0c9a5e-8b1d-4c2e-9f7a-0d6b5e4c3a21";
        expect(requestHints({ "x-claude-code-session-id": id }, undefined, undefined)).toEqual({
            session_id: id,
        });
        expect(
            requestHints({ "session-id": "s".repeat(256) }, undefined, undefined)?.session_id,
        ).toHaveLength(256);
        expect(() => requestHints({ "x-session-id": "s".repeat(257) }, undefined, undefined)).toThrow(
            /x-session-id is 257 characters; at most 256/,
        );
    });
});
