/**
 * response_format over gRPC on the bundled pair: the output parses as JSON and validates against the
 * schema (node-llama-cpp's schema validator, apart from the grammar), ends with FINISH_REASON_EOS, is
 * token-identical with every proposer at temperature 0, and a schema the grammar cannot enforce is
 * INVALID_ARGUMENT naming the keyword's path.
 */
import { status as Status } from "@grpc/grpc-js";
import { getLlama } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GenerateRequest } from "../../src/grpc/generated/tiercel/v1/GenerateRequest.js";
import type { GenerateResponse__Output } from "../../src/grpc/generated/tiercel/v1/GenerateResponse.js";
import { bundledModelPath } from "../helpers/bundledModels.js";
import { expectGrpcError, startTestServer, type TestServer } from "../helpers/startTestServer.js";

const schema = {
    type: "object",
    properties: {
        name: { type: "string", maxLength: 12 },
        args: { type: "array", items: { type: "string", maxLength: 8 }, maxItems: 3 },
        pure: { type: "boolean" },
    },
    required: ["name", "args", "pure"],
    additionalProperties: false,
} as const;
const prompt = 'def fib(n):\n    """Return the n-th Fibonacci number."""\n# as JSON: ';
let server: TestServer;

beforeAll(async () => {
    server = await startTestServer({
        models: {
            target: { id: "t", path: bundledModelPath("target") },
            drafts: [{ id: "d", path: bundledModelPath("draft") }],
        },
        engine: { sequences: 1 },
        speculation: { stateFile: null },
    });
});

afterAll(async () => {
    await server.close();
});

describe("response_format", () => {
    it("json_schema: valid JSON matching the schema, the same with every proposer at temperature 0", async () => {
        const base: GenerateRequest = {
            prompt,
            max_tokens: 200,
            response_format: { json_schema: JSON.stringify(schema) },
        };
        const runs: [string, GenerateRequest["speculation"]][] = [
            ["off", { mode: "SPECULATION_MODE_OFF" }],
            ["ngram", { mode: "SPECULATION_MODE_NGRAM" }],
            ["draft", { mode: "SPECULATION_MODE_DRAFT_MODEL", draft_model: "d" }],
            ["auto", { mode: "SPECULATION_MODE_AUTO" }],
        ];
        const results = new Map<string, GenerateResponse__Output>();
        for (const [name, speculation] of runs)
            results.set(name, await server.generate({ ...base, speculation }));
        const plain = results.get("off")!;
        expect(plain.finish_reason).toBe("FINISH_REASON_EOS");
        const llama = await getLlama({ gpu: false, build: "never" });
        const validator = await llama.createGrammarForJsonSchema(schema);
        expect(() => validator.parse(plain.text)).not.toThrow();
        for (const [name, r] of results) expect(r.token_ids, name).toEqual(plain.token_ids);
        // The bundled draft sees no grammar: its drafts are cut where the grammar forbids them, and the
        // rest are verified and accepted.
        expect(results.get("draft")!.stats!.drafted_tokens).toBeGreaterThan(0);
        expect(results.get("draft")!.stats!.accepted_tokens).toBeGreaterThan(0);
    });

    it("GenerateStream: the chunks join to the unary answer, the last one with FINISH_REASON_EOS", async () => {
        const request: GenerateRequest = {
            prompt,
            max_tokens: 200,
            response_format: { json_schema: JSON.stringify(schema) },
            speculation: { mode: "SPECULATION_MODE_DRAFT_MODEL", draft_model: "d" },
        };
        const unary = await server.generate(request);
        const chunks = await server.stream(request).chunks;
        expect(chunks.map((c) => c.text).join("")).toBe(unary.text);
        expect(chunks.flatMap((c) => c.token_ids)).toEqual(unary.token_ids);
        expect(chunks.at(-1)?.finish_reason).toBe("FINISH_REASON_EOS");
    });

    it("json_object: a JSON object", async () => {
        const r = await server.generate({ prompt, max_tokens: 200, response_format: { json_object: true } });
        if (r.finish_reason === "FINISH_REASON_EOS") expect(JSON.parse(r.text)).toBeTypeOf("object");
        else expect(r.text.startsWith("{")).toBe(true);
    });

    it("refuses what the grammar cannot enforce, and an empty format, with INVALID_ARGUMENT", async () => {
        const cases: [GenerateRequest["response_format"], RegExp][] = [
            [{ json_schema: '{"type":"string","pattern":"x"}' }, /\$\.pattern is not supported/],
            [
                { json_schema: '{"type":"object","properties":{"n":{"type":"integer","minimum":1}}}' },
                /\$\.properties\.n\.minimum is not supported/,
            ],
            [{ json_schema: "{type: object}" }, /response_format\.json_schema is not valid JSON/],
            [{ json_object: false }, /response_format is set without a format/],
            [{}, /response_format is set without a format/],
        ];
        for (const [response_format, message] of cases) {
            const error = await expectGrpcError(server.generate({ prompt, response_format }));
            expect(error.code).toBe(Status.INVALID_ARGUMENT);
            expect(error.details).toMatch(message);
        }
    });
});
