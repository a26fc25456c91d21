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
});
