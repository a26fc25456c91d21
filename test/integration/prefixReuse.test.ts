/**
 * Prefix reuse over gRPC: the handlers stop reading the engine's generation at its final chunk, and the
 * slot's KV cache must survive that, so the next request sharing the prompt prefix skips evaluating it.
 * Greedy output is compared with an earlier run of the same prompt on short generations (test/model/
 * prefixReuse.fixtures.test.ts is where reuse-vs-no-reuse equality is tested at length: on random weights,
 * a different KV cell layout can flip a near-tie after ~100 tokens).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GenerateChunk__Output } from "../../src/grpc/generated/tiercel/v1/GenerateChunk.js";
import type { GenerateRequest } from "../../src/grpc/generated/tiercel/v1/GenerateRequest.js";
import type { SpeculationMode } from "../../src/grpc/generated/tiercel/v1/SpeculationMode.js";
import { expectGrpcError, startTestServer, type TestServer } from "../helpers/startTestServer.js";

// Two sequences (the test config), so three sessions are more sessions than sequences. Each case runs with
// the engine's default on this host (engine.overlapSteps "auto": off on a CPU) and with a plain step's pass
// dispatched before the bookkeeping of the step before it (on: the default with the target on a GPU), where
// a stream can stop with a pass in flight (src/engine/generate.ts, "Overlap").
describe.each([
    ["default", undefined],
    ["overlapSteps on", true],
] as const)("prefix reuse through the gRPC server (%s)", (_name, overlapSteps) => {
    let server: TestServer;
    beforeAll(async () => {
        server = await startTestServer(overlapSteps === undefined ? {} : { engine: { overlapSteps } });
    });
    afterAll(async () => {
        await server.close();
    });

    const system = "You are a careful coding assistant. Answer with code only, no prose.\n".repeat(6);

    function request(suffix: string, mode: SpeculationMode = "SPECULATION_MODE_OFF"): GenerateRequest {
        return { prompt: system + suffix, max_tokens: 8, speculation: { mode } };
    }

    async function promptTokens(text: string): Promise<number> {
        return (await server.tokenize({ text })).token_ids.length;
    }

    function last(chunks: readonly GenerateChunk__Output[]): GenerateChunk__Output {
        const chunk = chunks[chunks.length - 1];
        if (!chunk?.stats) throw new Error("the stream ended without a final chunk");
        return chunk;
    }

    it("unary: the same prompt again reuses all but one token; a shared prefix is reused", async () => {
        const first = await server.generate(request("def add(a, b):"));
        const again = await server.generate(request("def add(a, b):"));
        expect(again.stats?.prompt_tokens_reused).toBe((again.usage?.prompt_tokens ?? 0) - 1);
        expect(again.token_ids).toEqual(first.token_ids);
        // The shared part is the system text (the suffixes differ from their first token on).
        const shared = await server.generate(request("class Stack:"));
        expect(shared.stats?.prompt_tokens_reused).toBeGreaterThanOrEqual((await promptTokens(system)) - 1);
    });

    it("streaming: the same, for every speculation mode", async () => {
        const modes = [
            "SPECULATION_MODE_OFF",
            "SPECULATION_MODE_NGRAM",
            "SPECULATION_MODE_DRAFT_MODEL",
        ] as const;
        for (const mode of modes) {
            const cold = await server.stream(request(`import json  # ${mode}\n`, mode)).chunks;
            const warm = await server.stream(request(`import json  # ${mode}\n`, mode)).chunks;
            const stats = last(warm).stats!;
            expect(stats.prompt_tokens_reused, mode).toBe((last(warm).usage?.prompt_tokens ?? 0) - 1);
            expect(
                warm.flatMap((c) => c.token_ids),
                mode,
            ).toEqual(cold.flatMap((c) => c.token_ids));
        }
    });

    it("sessions no more than sequences keep their own slots: alternating requests each reuse all but one token", async () => {
        // Two sessions whose prompts share an opening: taking the other session's slot for a common token
        // or two would erase its cache while the other slot holds something older.
        const a = { prompt: "def alpha(values):\n    total = 0\n", max_tokens: 8 };
        const b = { prompt: "def beta(items):\n    seen = set()\n", max_tokens: 8 };
        for (let round = 0; round < 3; round++) {
            const first = await server.generate(a);
            const second = await server.generate(b);
            if (round === 0) continue;
            expect(first.stats?.prompt_tokens_reused, `round ${round}, session a`).toBe(
                (first.usage?.prompt_tokens ?? 0) - 1,
            );
            expect(second.stats?.prompt_tokens_reused, `round ${round}, session b`).toBe(
                (second.usage?.prompt_tokens ?? 0) - 1,
            );
        }
    });

    it("interleaved concurrent sessions, more than sequences: every warm request reuses the shared prefix", async () => {
        const sessions = ["def fib(n):", "class Queue:", "for i in range(10):"];
        const systemTokens = await promptTokens(system);
        for (let round = 0; round < 3; round++) {
            const streamed = await Promise.all(sessions.map((s) => server.stream(request(s)).chunks));
            const unary = await Promise.all(sessions.map((s) => server.generate(request(s))));
            if (round === 0) continue; // fills the slots
            // Whichever slot a session lands on holds at least the system text.
            for (const chunks of streamed)
                expect(last(chunks).stats!.prompt_tokens_reused).toBeGreaterThanOrEqual(systemTokens - 1);
            for (const response of unary)
                expect(response.stats!.prompt_tokens_reused).toBeGreaterThanOrEqual(systemTokens - 1);
        }
    });

    it("a stream cancelled mid-generation leaves the slot consistent: the next request's output is unchanged", async () => {
        const short = request("def main():");
        const reference = await server.generate(short);
        for (let i = 0; i < 4; i++) {
            const stream = server.stream({ ...short, max_tokens: 400 });
            // Cancelled at the first chunk, and at the 2nd–4th (with the overlap, the next pass decoding).
            let seen = 0;
            stream.call.on("data", () => {
                if (++seen === 1 + i) stream.call.cancel();
            });
            await expectGrpcError(stream.chunks);
            const after = await server.generate(short);
            expect(after.token_ids).toEqual(reference.token_ids);
        }
    });
});
