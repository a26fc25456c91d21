/**
 * response_format on tiny real GGUFs (random weights): the output parses as JSON and validates against
 * the schema (checked with node-llama-cpp's own schema validator, apart from the grammar), speculation
 * under the grammar is token-identical to plain constrained decoding at temperature 0 with every
 * proposer, drafts were really used, and unsupported schemas are refused with the path to fix.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/errors/codes.js";
import type { LocalEngine } from "../../src/engine/LocalEngine.js";
import type { GenerateRequest } from "../../src/engine/types.js";
import { collect, loadFixtureEngine } from "../helpers/fixtureEngine.js";

// Bounded strings and arrays: random weights would otherwise fill max_tokens inside a string.
const schema = {
    type: "object",
    properties: {
        name: { type: "string", maxLength: 6 },
        ok: { type: "boolean" },
        kind: { enum: ["add", "remove", "rename"] },
        tags: { type: "array", items: { type: "string", maxLength: 3 }, maxItems: 2 },
    },
    required: ["name", "ok", "kind", "tags"],
    additionalProperties: false,
} as const;

const prompts = ["function add(a, b) {\n    return a + b;\n}\n", "The answer as JSON: "];

let engine: LocalEngine;
beforeAll(async () => {
    engine = await loadFixtureEngine();
});
afterAll(async () => {
    await engine.dispose();
});

function request(prompt: string, extra: Partial<GenerateRequest> = {}): GenerateRequest {
    return {
        prompt,
        maxTokens: 400,
        responseFormat: { type: "json_schema", schema: JSON.stringify(schema) },
        ...extra,
    };
}

async function expectValid(text: string): Promise<void> {
    const validator = await engine.llama.createGrammarForJsonSchema(schema);
    expect(() => validator.parse(text)).not.toThrow();
    const value = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(value).sort()).toEqual(["kind", "name", "ok", "tags"]);
}

describe("JSON-schema output", () => {
    // The code prompt with every proposer here; the bundled pair's identity across modes is checked over
    // gRPC in test/integration/responseFormat.test.ts.
    it("parses and validates, ends with eos, and is the same with every proposer at temperature 0", async () => {
        for (const prompt of prompts.slice(0, 1)) {
            const plain = await collect(engine, request(prompt, { speculation: { mode: "off" } }));
            expect(plain.last.finish?.reason).toBe("eos");
            await expectValid(plain.text);
            for (const speculation of [
                { mode: "draft_model", draftModel: "same-weights" },
                { mode: "draft_model", draftModel: "other-weights" },
                { mode: "ngram" },
                { mode: "auto" },
            ] as const) {
                const spec = await collect(engine, request(prompt, { speculation }));
                expect(spec.tokens, `${JSON.stringify(speculation)} on ${JSON.stringify(prompt)}`).toEqual(
                    plain.tokens,
                );
                expect(spec.text).toBe(plain.text);
            }
        }
    });

    it("n-gram drafts from an example in the prompt are verified under the grammar and accepted", async () => {
        const prompt = `Example: {"name": "ab", "ok": true, "kind": "add", "tags": ["x"]}\nAnswer: `;
        const plain = await collect(engine, request(prompt, { speculation: { mode: "off" } }));
        const spec = await collect(engine, request(prompt, { speculation: { mode: "ngram" } }));
        expect(spec.tokens).toEqual(plain.tokens);
        await expectValid(spec.text);
        const stats = spec.last.finish!.stats.spec;
        expect(stats.draftTokens).toBeGreaterThan(0);
        expect(stats.acceptedTokens).toBeGreaterThan(0);
    });

    it("a draft of free text is cut at the grammar and still verified (same-weights draft, unconstrained)", async () => {
        // The same-weights draft drafts the target's unconstrained argmax, which the grammar often forbids.
        const free = await collect(engine, {
            prompt: prompts[0]!,
            maxTokens: 20,
            speculation: { mode: "off" },
        });
        const json = await collect(engine, request(prompts[0]!, { speculation: { mode: "off" } }));
        expect(json.tokens.slice(0, 5)).not.toEqual(free.tokens.slice(0, 5));
    });

    // One seed: each sampled run of this random-weight fixture takes ~17 s under the grammar (CI time).
    it("is valid JSON at temperature > 0, with speculation", async () => {
        for (const seed of [1]) {
            const out = await collect(
                engine,
                request(prompts[1]!, {
                    sampling: { temperature: 0.9, topK: 20, topP: 0.9, seed },
                    speculation: { mode: "draft_model", draftModel: "same-weights" },
                }),
            );
            expect(out.last.finish?.reason).toBe("eos");
            await expectValid(out.text);
        }
    });

    it("json_object gives a JSON object", async () => {
        const out = await collect(engine, {
            prompt: prompts[1]!,
            maxTokens: 60,
            responseFormat: { type: "json_object" },
            speculation: { mode: "draft_model", draftModel: "same-weights" },
        });
        if (out.last.finish?.reason === "eos") {
            const value: unknown = JSON.parse(out.text);
            expect(typeof value === "object" && value !== null && !Array.isArray(value)).toBe(true);
        } else {
            expect(out.text.startsWith("{")).toBe(true);
        }
    });
});

describe("schemas the grammar cannot enforce", () => {
    it.each([
        // Valid, but not enforceable here: a code of its own, on which routers fall back elsewhere.
        [{ type: "string", pattern: "^a+$" }, "$.pattern is not supported", ErrorCode.SchemaUnsupported],
        [
            { type: "object", properties: { n: { type: "integer", minimum: 0 } } },
            "$.properties.n.minimum",
            ErrorCode.SchemaUnsupported,
        ],
        [{ type: "thing" }, '$.type "thing" is not a JSON Schema type', ErrorCode.InvalidArgument],
        [{ $ref: "#/definitions/x" }, "must point into the root's $defs", ErrorCode.InvalidArgument],
    ])("refuses %j", async (bad, message, code) => {
        const error = await collect(
            engine,
            request(prompts[0]!, { responseFormat: { type: "json_schema", schema: JSON.stringify(bad) } }),
        ).catch((e: unknown) => e);
        expect(error).toMatchObject({ code });
        expect((error as Error).message).toContain(message);
    });

    it("refuses a schema that is not JSON", async () => {
        const error = await collect(
            engine,
            request(prompts[0]!, { responseFormat: { type: "json_schema", schema: "{type: object}" } }),
        ).catch((e: unknown) => e);
        expect(error).toMatchObject({ code: ErrorCode.InvalidArgument });
        expect((error as Error).message).toContain("response_format.json_schema is not valid JSON");
    });
});
