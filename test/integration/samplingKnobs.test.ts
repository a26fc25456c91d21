/**
 * llama.cpp's sampling knobs over gRPC (min_p, repeat/presence/frequency penalties, logit_bias) on the
 * bundled pair (a draft that agrees with the target, so drafted positions are accepted and a wrong penalty
 * window at a drafted position would change the output): they change what the target chooses, and
 * speculation stays exact under them with every proposer; a seeded sample is the same with every proposer.
 */
import { status as Status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GenerateRequest } from "../../src/grpc/generated/tiercel/v1/GenerateRequest.js";
import type { GenerateResponse__Output } from "../../src/grpc/generated/tiercel/v1/GenerateResponse.js";
import { bundledModelPath } from "../helpers/bundledModels.js";
import { expectGrpcError, startTestServer, type TestServer } from "../helpers/startTestServer.js";

const prompt = "def fib(n):";
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

const off = { mode: "SPECULATION_MODE_OFF" } as const;

describe("sampling knobs", () => {
    it("logit_bias steers greedy choice: a -100 bias removes the token plain decoding chose first", async () => {
        const plain = await server.generate({ prompt, max_tokens: 4, speculation: off });
        const first = plain.token_ids[0]!;
        const biased = await server.generate({
            prompt,
            max_tokens: 4,
            speculation: off,
            logit_bias: { [first]: -100 },
        });
        expect(biased.token_ids[0]).not.toBe(first);
        expect(biased.token_ids).not.toContain(first);
    });

    it("penalties change greedy output, and speculation stays exact under them with every proposer", async () => {
        const knobs: GenerateRequest = {
            prompt,
            max_tokens: 48,
            temperature: 0,
            repeat_penalty: 1.5,
            repeat_last_n: 16,
            presence_penalty: 0.5,
            frequency_penalty: 0.5,
            logit_bias: { 10: 3 },
        };
        const unpenalized = await server.generate({ prompt, max_tokens: 48, speculation: off });
        const runs: [string, GenerateRequest["speculation"]][] = [
            ["off", off],
            ["ngram", { mode: "SPECULATION_MODE_NGRAM" }],
            ["draft", { mode: "SPECULATION_MODE_DRAFT_MODEL", draft_model: "d" }],
            ["auto", { mode: "SPECULATION_MODE_AUTO" }],
        ];
        const results = new Map<string, GenerateResponse__Output>();
        for (const [name, speculation] of runs)
            results.set(name, await server.generate({ ...knobs, speculation }));
        const plain = results.get("off")!;
        expect(plain.token_ids).not.toEqual(unpenalized.token_ids);
        for (const [name, r] of results) expect(r.token_ids, name).toEqual(plain.token_ids);
        for (const name of ["ngram", "draft"])
            expect(results.get(name)!.stats!.accepted_tokens, name).toBeGreaterThan(0);
    });

    it("a seed gives one sample whatever speculates, requests at once included", async () => {
        const seeded: GenerateRequest = { prompt, max_tokens: 48, temperature: 0.9, top_k: 40, seed: 77 };
        const plain = await server.generate({ ...seeded, speculation: off });
        const other = await server.generate({ ...seeded, seed: 78, speculation: off });
        expect(other.token_ids).not.toEqual(plain.token_ids);
        const runs: [string, GenerateRequest["speculation"]][] = [
            ["ngram", { mode: "SPECULATION_MODE_NGRAM", max_draft_tokens: 4 }],
            ["draft", { mode: "SPECULATION_MODE_DRAFT_MODEL", draft_model: "d", max_draft_tokens: 6 }],
            ["auto", { mode: "SPECULATION_MODE_AUTO" }],
        ];
        for (const [name, speculation] of runs) {
            const r = await server.generate({ ...seeded, speculation });
            expect(r.token_ids, name).toEqual(plain.token_ids);
            if (name === "draft") expect(r.stats!.accepted_tokens).toBeGreaterThan(0);
        }
        const together = await Promise.all(
            runs.map(([, speculation]) => server.generate({ ...seeded, speculation })),
        );
        for (const r of together) expect(r.token_ids).toEqual(plain.token_ids);
    });

    it("reports the seed an unseeded sample drew with; sent back, it draws the same sample", async () => {
        const sampled: GenerateRequest = { prompt, max_tokens: 32, temperature: 1 };
        const first = await server.generate({ ...sampled, speculation: off });
        const seed = first.stats!.seed;
        expect(seed).toEqual(expect.any(Number));
        const again = await server.generate({
            ...sampled,
            seed,
            speculation: { mode: "SPECULATION_MODE_DRAFT_MODEL", draft_model: "d" },
        });
        expect(again.token_ids).toEqual(first.token_ids);
        expect(again.stats!.seed).toBe(seed);
        // Greedy decoding draws nothing: no seed.
        const greedy = await server.generate({ prompt, max_tokens: 4, speculation: off });
        expect(greedy.stats!.seed ?? undefined).toBeUndefined();
    });

    it("refuses out-of-range knobs with INVALID_ARGUMENT naming the field", async () => {
        const cases: [GenerateRequest, RegExp][] = [
            [{ prompt, min_p: 2 }, /min_p must be in \[0, 1\]/],
            [{ prompt, repeat_penalty: -1 }, /repeat_penalty must be a positive number/],
            [{ prompt, presence_penalty: 9 }, /presence_penalty must be in \[-2, 2\]/],
            [
                { prompt, logit_bias: { 99999999: 1 } },
                /logit_bias token id 99999999 is outside the vocabulary/,
            ],
        ];
        for (const [request, message] of cases) {
            const error = await expectGrpcError(server.generate(request));
            expect(error.code).toBe(Status.INVALID_ARGUMENT);
            expect(error.details).toMatch(message);
        }
    });
});
