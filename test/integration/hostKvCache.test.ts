/**
 * More sessions than sequences, through the gRPC server: a session whose sequence another took gets its
 * conversation back from the host cache (HostKvCache.ts) instead of evaluating it again, over unary and
 * streaming calls; stats and metrics say how many prompt tokens were loaded and what the cache holds.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { GenerateRequest } from "../../src/grpc/generated/tiercel/v1/GenerateRequest.js";
import { bundledModelPath, readEvalPrompts } from "../helpers/bundledModels.js";
import { startTestServer, type TestServer } from "../helpers/startTestServer.js";

// The bundled pair, whose prompt passes cost far more a token than a save and a load (on a CPU ~1 ms
// against ~0.01 ms): the cache's measured costs keep it on (HostCacheCosts.ts). The fixtures' tiny models
// evaluate faster than their states are saved, and would rightly turn it off.
let server: TestServer;
beforeAll(async () => {
    server = await startTestServer({
        models: {
            target: { id: "target", path: bundledModelPath("target") },
            drafts: [{ id: "draft", path: bundledModelPath("draft") }],
        },
        engine: { sequences: 2, contextSize: 1024 },
    });
});
afterAll(async () => {
    await server.close();
});

const files = readEvalPrompts().map((p) => p.prompt);

function turn(session: number, turns: number): GenerateRequest {
    const file = files.slice(session * 3, session * 3 + 3).join("\n");
    return {
        prompt:
            `# session ${session}: its own files\n${file.slice(0, 1800)}\n` + "# more\n".repeat(turns + 1),
        max_tokens: 4,
        session_id: `session-${session}`,
    };
}

it("four sessions round-robin on two sequences: every later turn loads its own conversation", async () => {
    const restored: number[] = [];
    for (let round = 0; round < 3; round++) {
        for (const session of [1, 2, 3, 4]) {
            const stats =
                round % 2 === 0
                    ? (await server.generate(turn(session, round))).stats
                    : (await server.stream(turn(session, round)).chunks).at(-1)?.stats;
            if (!stats) throw new Error("no final stats");
            restored.push(stats.prompt_tokens_restored);
            if (round === 0) {
                expect(stats.prompt_tokens_restored).toBe(0);
                continue;
            }
            // Everything up to the previous turn's prompt is back, loaded from the host cache.
            const previous = (await server.tokenize({ text: turn(session, round - 1).prompt! })).token_ids
                .length;
            const label = `round ${round}, session ${session}`;
            expect(previous, label).toBeGreaterThan(400);
            expect(stats.prompt_tokens_reused, label).toBeGreaterThanOrEqual(previous - 1);
            expect(stats.prompt_tokens_restored, label).toBe(stats.prompt_tokens_reused);
        }
    }
    const metrics = await server.metricsText();
    const total = Number(/^tiercel_prompt_tokens_restored_total (\d+)/m.exec(metrics)?.[1]);
    expect(total).toBe(restored.reduce((a, b) => a + b, 0));
    // Each session's latest conversation: the two in the sequences may be saved too (the last four saved).
    const entries = Number(/^tiercel_host_kv_cache_entries (\d+)/m.exec(metrics)?.[1]);
    expect(entries).toBeGreaterThanOrEqual(2);
    expect(entries).toBeLessThanOrEqual(4);
    expect(Number(/^tiercel_host_kv_cache_bytes (\d+)/m.exec(metrics)?.[1])).toBeGreaterThan(0);
    // Every later turn loaded its conversation; none failed.
    const count = (name: string, result: string) =>
        Number(new RegExp(`^${name}\\{result="${result}"\\} (\\d+)`, "m").exec(metrics)?.[1]);
    expect(count("tiercel_host_kv_cache_loads_total", "ok")).toBe(restored.filter((n) => n > 0).length);
    expect(count("tiercel_host_kv_cache_loads_total", "failed")).toBe(0);
    expect(count("tiercel_host_kv_cache_saves_total", "ok")).toBeGreaterThanOrEqual(4);
    expect(count("tiercel_host_kv_cache_saves_total", "failed")).toBe(0);
});
