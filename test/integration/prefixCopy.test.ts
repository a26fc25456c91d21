/**
 * Sub-agents through the gRPC server: sessions that share a long system prompt and differ after it keep
 * their own conversations cached. The second session copies the shared prefix from the first's sequence
 * instead of taking it over (chooseSlot.ts), so each later turn evaluates only its new tokens; stats and
 * metrics say how many prompt tokens were copied.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { GenerateRequest } from "../../src/grpc/generated/tiercel/v1/GenerateRequest.js";
import { startTestServer, type TestServer } from "../helpers/startTestServer.js";

let server: TestServer;
beforeAll(async () => {
    server = await startTestServer({ engine: { sequences: 3, contextSize: 512 } });
});
afterAll(async () => {
    await server.close();
});

const system = "You are one of several sub-agents. Use the tools given; answer with code only.\n".repeat(4);

function turn(agent: number, turns: number): GenerateRequest {
    const task = `# sub-agent ${agent}: review this file\n` + `values = [${agent}, 2, 3]\n`.repeat(8);
    return {
        prompt: system + task + "# continue\n".repeat(turns + 1),
        max_tokens: 4,
        session_id: `agent-${agent}`,
    };
}

it("three sub-agents on three sequences: the shared prompt is copied once each, then every turn reuses its own conversation", async () => {
    const systemTokens = (await server.tokenize({ text: system })).token_ids.length;
    const copied: number[] = [];
    for (let round = 0; round < 3; round++) {
        for (const agent of [1, 2, 3]) {
            const response = round % 2 === 0 ? await server.generate(turn(agent, round)) : undefined;
            const stats =
                response?.stats ??
                (await server.stream(turn(agent, round)).chunks).at(-1)?.stats ??
                undefined;
            if (!stats) throw new Error("no final stats");
            copied.push(stats.prompt_tokens_copied);
            const label = `round ${round}, agent ${agent}`;
            if (round === 0 && agent > 1)
                expect(stats.prompt_tokens_copied, label).toBeGreaterThanOrEqual(systemTokens - 1);
            if (round > 0) {
                // Everything up to the previous turn's prompt is still in this agent's own sequence.
                const previous = (await server.tokenize({ text: turn(agent, round - 1).prompt! })).token_ids
                    .length;
                expect(stats.prompt_tokens_reused, label).toBeGreaterThanOrEqual(previous - 1);
                expect(stats.prompt_tokens_copied, label).toBe(0);
            }
        }
    }
    const metrics = await server.metricsText();
    const total = Number(/^tiercel_prompt_tokens_copied_total (\d+)/m.exec(metrics)?.[1]);
    expect(total).toBe(copied.reduce((a, b) => a + b, 0));
});
