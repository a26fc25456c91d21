import { describe, expect, it } from "vitest";
import { checkJsonSchema } from "../../../src/engine/checkJsonSchema.js";
import { ErrorCode } from "../../../src/errors/codes.js";

const where = "response_format.json_schema";

describe("checkJsonSchema", () => {
    it("accepts what the grammar enforces and keeps it", () => {
        const schema = {
            $schema: "https://json-schema.org/draft/2020-12/schema",
            type: "object",
            title: "Edit",
            properties: {
                path: { type: "string", minLength: 1, maxLength: 200, description: "file" },
                when: { type: "string", format: "date" },
                lines: { type: "array", items: { type: "integer" }, maxItems: 4 },
                mode: { enum: ["a", "b"] },
                node: { $ref: "#/$defs/node" },
            },
            required: ["path"],
            additionalProperties: false,
            $defs: { node: { type: ["string", "null"] } },
        };
        expect(checkJsonSchema(schema, where)).toEqual(schema);
    });

    it("reads draft-07's definitions and #/definitions/ refs as $defs (zod-to-json-schema writes them)", () => {
        const schema = {
            type: "object",
            properties: { path: { $ref: "#/definitions/Path" }, more: { $ref: "#/$defs/More" } },
            definitions: { Path: { type: "string" } },
            $defs: { More: { type: "boolean" } },
        };
        expect(checkJsonSchema(schema, where)).toEqual({
            type: "object",
            properties: { path: { $ref: "#/$defs/Path" }, more: { $ref: "#/$defs/More" } },
            $defs: { Path: { type: "string" }, More: { type: "boolean" } },
        });
    });

    it("reads a one-schema allOf with annotations beside it as that schema (pydantic 1's described refs)", () => {
        const schema = {
            type: "object",
            properties: { at: { allOf: [{ $ref: "#/$defs/Point" }], description: "where" } },
            $defs: { Point: { type: "array", items: { type: "number" } } },
        };
        expect(checkJsonSchema(schema, where)).toEqual({
            ...schema,
            properties: {
                at: { $ref: "#/$defs/Point", description: "where" },
            },
        });
        // A longer allOf is still not enforceable.
        expect(() => checkJsonSchema({ allOf: [{ type: "string" }, { type: "string" }] }, where)).toThrow(
            /allOf/,
        );
    });

    it("describing what it cannot enforce, takes a schema with no type as any JSON value (zod's z.any() is {})", () => {
        const any = checkJsonSchema(
            { type: "object", properties: { meta: {}, n: { minimum: 1, description: "count" } } },
            where,
            { describeUnenforced: true },
        );
        const values = [
            { type: ["string", "number", "boolean", "null"] },
            { type: "object", additionalProperties: true },
            { type: "array" },
        ];
        expect(any).toEqual({
            type: "object",
            properties: {
                meta: { oneOf: values },
                n: { oneOf: values, description: "count (also: minimum 1)" },
            },
        });
        // A long keyword value is cut in the description.
        const long = checkJsonSchema({ type: "string", pattern: "a".repeat(500) }, where, {
            describeUnenforced: true,
        });
        expect(long).toEqual({ type: "string", description: `(also: pattern "${"a".repeat(199)}…)` });
        expect(() => checkJsonSchema({ type: "object", properties: { meta: {} } }, where)).toThrow(
            /needs one of type/,
        );
    });

    it("compiles anyOf as oneOf (an alternation)", () => {
        expect(checkJsonSchema({ anyOf: [{ type: "string" }, { type: "null" }] }, where)).toEqual({
            oneOf: [{ type: "string" }, { type: "null" }],
        });
    });

    it.each([
        [{ type: "string", pattern: "a+" }, `${where}: $.pattern is not supported for type "string"`],
        [
            { type: "object", properties: { n: { type: "number", maximum: 3 } } },
            `${where}: $.properties.n.maximum is not supported for type "number"`,
        ],
        [{ allOf: [{ type: "string" }, { maxLength: 3 }] }, "$.allOf is not supported"],
        [
            { type: "string", format: "email" },
            '$.format "email" is not supported; use date-time, time or date',
        ],
    ])(
        "refuses %j, valid but not enforceable here, as E_SCHEMA_UNSUPPORTED naming the path",
        (schema, message) => {
            // A code of its own: the router falls back to a target that enforces it (OpenAI's structured outputs).
            let error: unknown;
            try {
                checkJsonSchema(schema, where);
            } catch (e) {
                error = e;
            }
            expect(error).toMatchObject({ code: ErrorCode.SchemaUnsupported });
            expect((error as Error).message).toContain(message);
        },
    );

    it.each([
        [{ type: ["object", "null"] }, "use oneOf for objects and arrays"],
        [{ type: "thing" }, '$.type "thing" is not a JSON Schema type'],
        [{ $ref: "#/$defs/missing" }, "must point into the root's $defs"],
        [{ description: "no type" }, "$ needs one of type, const, enum, oneOf, anyOf or $ref"],
        [{ type: "array", items: true }, "$.items must be a schema object"],
        [{ enum: [] }, "$.enum must be a non-empty array"],
        [{ type: "string", maxLength: -1 }, "$.maxLength must be a non-negative integer"],
        [true, "$ must be a schema object"],
    ])("refuses %j naming the path", (schema, message) => {
        let error: unknown;
        try {
            checkJsonSchema(schema, where);
        } catch (e) {
            error = e;
        }
        expect(error).toMatchObject({ code: ErrorCode.InvalidArgument });
        expect((error as Error).message).toContain(message);
    });
});
