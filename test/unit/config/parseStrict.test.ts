import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseStrict } from "../../../src/config/parseStrict.js";
import { ConfigError } from "../../../src/errors/ServiceError.js";

const schema = z
    .object({
        port: z.number().int().min(1),
        nested: z.object({ names: z.array(z.string()).default([]) }).strict(),
    })
    .strict();
const options = { what: "settings in test.json", readmeSection: "Settings" };

function failure(input: unknown): ConfigError {
    try {
        parseStrict(schema, input, options);
    } catch (error) {
        if (error instanceof ConfigError) return error;
        throw error;
    }
    throw new Error("expected a ConfigError");
}

describe("parseStrict", () => {
    it("returns the parsed value (defaults applied), frozen all the way down", () => {
        const parsed = parseStrict(schema, { port: 8080, nested: {} }, options);
        expect(parsed).toEqual({ port: 8080, nested: { names: [] } });
        expect(Object.isFrozen(parsed)).toBe(true);
        expect(Object.isFrozen(parsed.nested)).toBe(true);
        expect(Object.isFrozen(parsed.nested.names)).toBe(true);
    });

    it("lists every issue on its own line with its path", () => {
        const error = failure({ port: 0, nested: { names: [1] } });
        expect(error.message.split("\n")).toEqual([
            "invalid settings in test.json:",
            expect.stringMatching(/^ {2}- port: /),
            expect.stringMatching(/^ {2}- nested\.names\.0: /),
        ]);
    });

    it("names unknown keys, where they are, and the README section to check them against", () => {
        expect(failure({ port: 1, nested: {}, extra: 1 }).message).toContain(
            `unknown key(s) "extra" in the top level: remove them or check the spelling against the README's Settings section`,
        );
        expect(failure({ port: 1, nested: { typo: 1 } }).message).toContain(
            `unknown key(s) "typo" in "nested"`,
        );
    });
});
