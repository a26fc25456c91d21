import { validateHeaderValue } from "node:http";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { headerSafe } from "../../../src/util/headerSafe.js";

describe("headerSafe", () => {
    it("keeps printable ASCII and escapes the rest as \\uXXXX", () => {
        expect(headerSafe("tools (web_search), user")).toBe("tools (web_search), user");
        expect(headerSafe("a\nb\u0000c\u00ffd\u5e03")).toBe("a\\u000ab\\u0000c\\u00ffd\\u5e03");
    });

    it("cuts a long value at maxLength, saying so", () => {
        const cut = headerSafe("x".repeat(5_000), 100);
        expect(cut).toHaveLength(100);
        expect(cut.endsWith("...")).toBe(true);
    });

    it("makes any string a value Node's writeHead accepts", () => {
        fc.assert(
            fc.property(fc.string({ unit: "binary" }), (text) => {
                expect(() => {
                    validateHeaderValue("x-test", headerSafe(text));
                }).not.toThrow();
            }),
        );
    });
});
