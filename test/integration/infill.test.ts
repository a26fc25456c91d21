/**
 * Fill-in-the-middle over gRPC on a tiny Qwen2.5-Coder-family GGUF (real tokenizer, FIM, repo and file
 * separator tokens; models/build/buildFamilyFixtures.ts): speculation stays exact with every proposer, the
 * stream matches the unary answer, and a target without FIM tokens refuses with E_FIM_UNSUPPORTED. The
 * bundled pair has FIM tokens (models/README.md): it infills, ends the middle, and stays exact.
 */
import { status as Status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureFamilyFixtures } from "../../models/build/buildFamilyFixtures.js";
import type { GenerateRequest } from "../../src/grpc/generated/tiercel/v1/GenerateRequest.js";
import type { GenerateResponse__Output } from "../../src/grpc/generated/tiercel/v1/GenerateResponse.js";
import { errorCodeMetadataKey } from "../../src/grpc/toGrpcStatus.js";
import { bundledModelPath } from "../helpers/bundledModels.js";
import { expectGrpcError, startTestServer, type TestServer } from "../helpers/startTestServer.js";

const fim: GenerateRequest = {
    prompt: "def add(a, b):\n    ",
    suffix: "\n\nprint(add(1, 2))\n",
    extra_context: [{ name: "util.py", text: "def sub(a, b):\n    return a - b\n" }],
    max_tokens: 32,
    temperature: 0,
};

let server: TestServer;
let plainServer: TestServer;
let bundledServer: TestServer;

beforeAll(async () => {
    const families = await ensureFamilyFixtures();
    server = await startTestServer({
        models: {
            target: { id: "qwen", path: families.qwen25coder.target },
            drafts: [
                { id: "same-family", path: families.qwen25coder.draft },
                { id: "cross-family", path: families.starcoder.target },
            ],
        },
        engine: { contextSize: 1024, sequences: 1 },
        speculation: { stateFile: null },
    });
    plainServer = await startTestServer({ engine: { sequences: 1 } });
    bundledServer = await startTestServer({
        models: {
            target: { id: "target", path: bundledModelPath("target") },
            drafts: [{ id: "draft", path: bundledModelPath("draft") }],
        },
        engine: { contextSize: 1024, sequences: 1 },
        speculation: { stateFile: null },
    });
}, 600_000);

afterAll(async () => {
    await Promise.all([server.close(), plainServer.close(), bundledServer.close()]);
});

describe("fill-in-the-middle", () => {
    it("is exact under speculation with every proposer (greedy: the same tokens as plain decoding)", async () => {
        const runs: [string, GenerateRequest["speculation"]][] = [
            ["off", { mode: "SPECULATION_MODE_OFF" }],
            ["ngram", { mode: "SPECULATION_MODE_NGRAM" }],
            ["same-family draft", { mode: "SPECULATION_MODE_DRAFT_MODEL", draft_model: "same-family" }],
            ["cross-family draft", { mode: "SPECULATION_MODE_DRAFT_MODEL", draft_model: "cross-family" }],
            ["auto", { mode: "SPECULATION_MODE_AUTO" }],
        ];
        const results = new Map<string, GenerateResponse__Output>();
        for (const [name, speculation] of runs)
            results.set(name, await server.generate({ ...fim, speculation }));
        const plain = results.get("off")!;
        expect(plain.token_ids.length).toBeGreaterThan(0);
        for (const [name, r] of results) {
            expect(r.token_ids, name).toEqual(plain.token_ids);
            expect(r.text, name).toBe(plain.text);
            expect(r.usage?.prompt_tokens, name).toBe(plain.usage?.prompt_tokens);
        }
        expect(results.get("same-family draft")!.stats!.drafted_tokens).toBeGreaterThan(0);
        expect(results.get("cross-family draft")!.stats!.drafted_tokens).toBeGreaterThan(0);
    });

    it("streams what Generate returns", async () => {
        const unary = await server.generate(fim);
        const chunks = await server.stream(fim).chunks;
        expect(chunks.map((c) => c.text).join("")).toBe(unary.text);
        expect(chunks.flatMap((c) => c.token_ids)).toEqual(unary.token_ids);
        expect(chunks.at(-1)?.usage).toEqual(unary.usage);
    });

    it("takes an empty prefix and suffix, and counts extra context in the prompt", async () => {
        const bare = await server.generate({ prompt: "", suffix: "", max_tokens: 4 });
        // [FIM_REP]myproject\n [FIM_SEP]filename\n [FIM_PRE][FIM_SUF][FIM_MID]: a handful of tokens.
        expect(bare.usage!.prompt_tokens).toBeGreaterThanOrEqual(5);
        const withExtra = await server.generate({ ...fim, max_tokens: 1 });
        const without = await server.generate({ ...fim, extra_context: [], max_tokens: 1 });
        expect(withExtra.usage!.prompt_tokens).toBeGreaterThan(without.usage!.prompt_tokens);
    });

    it("ListModels reports chat template family, FIM, tool calls and context size per model", async () => {
        const { models } = await server.listModels();
        expect(models.map((m) => [m.id, m.chat_template, m.fim, m.tool_calls, m.context_size])).toEqual([
            ["qwen", "JinjaTemplate", true, true, 1024],
            ["same-family", "JinjaTemplate", true, true, 1024],
            ["cross-family", "ChatML", true, false, 1024],
        ]);
        const plain = await plainServer.listModels();
        expect(plain.models[0]).toMatchObject({ chat_template: "ChatML", fim: false, tool_calls: false });
    });

    it("the bundled pair infills and ends the middle by itself, the same under every proposer", async () => {
        const { models } = await bundledServer.listModels();
        expect(models.map((m) => [m.id, m.fim])).toEqual([
            ["target", true],
            ["draft", true],
        ]);
        const request: GenerateRequest = {
            prompt: "def area(width, height):\n    return ",
            suffix: "\n\n\ndef perimeter(width, height):\n    return 2 * (width + height)\n",
            max_tokens: 48,
            temperature: 0,
        };
        const plain = await bundledServer.generate({
            ...request,
            speculation: { mode: "SPECULATION_MODE_OFF" },
        });
        expect(plain.finish_reason).toBe("FINISH_REASON_EOS"); // the middle ended: not cut at max_tokens
        expect(plain.token_ids.length).toBeGreaterThan(0);
        for (const mode of [
            "SPECULATION_MODE_DRAFT_MODEL",
            "SPECULATION_MODE_NGRAM",
            "SPECULATION_MODE_AUTO",
        ] as const) {
            const spec = await bundledServer.generate({ ...request, speculation: { mode } });
            expect(spec.token_ids, mode).toEqual(plain.token_ids);
        }
    });

    it("refuses a target without FIM tokens: FAILED_PRECONDITION, E_FIM_UNSUPPORTED", async () => {
        const error = await expectGrpcError(plainServer.generate(fim));
        expect(error.code).toBe(Status.FAILED_PRECONDITION);
        expect(error.metadata.get(errorCodeMetadataKey)).toEqual(["E_FIM_UNSUPPORTED"]);
        expect(error.details).toMatch(/no fill-in-the-middle tokens.*leave suffix unset/);
    });

    it("refuses messages with a suffix, and extra_context without one: INVALID_ARGUMENT", async () => {
        const chat = await expectGrpcError(
            server.generate({ suffix: ")", messages: [{ role: "user", content: "hi" }] }),
        );
        expect(chat.code).toBe(Status.INVALID_ARGUMENT);
        const extra = await expectGrpcError(server.generate({ prompt: "x", extra_context: [{ text: "y" }] }));
        expect(extra.code).toBe(Status.INVALID_ARGUMENT);
        expect(extra.details).toMatch(/extra_context is for fill-in-the-middle only/);
    });
});
