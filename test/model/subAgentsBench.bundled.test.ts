/**
 * bench/e2e/subAgents.ts runs end to end on small sizes (the docs' sub-agent figures come from it):
 * through the gRPC server with the default config, siblings copy the shared system prompt, later turns
 * reuse nearly all of their own conversations, and one starting while another generates copies too; a
 * fleet larger than the sequences loads its conversations back from the host cache.
 */
import { expect, it } from "vitest";
import { runSubAgents } from "../../bench/e2e/subAgents.js";

it("measures sub-agents sharing a system prompt through gRPC", async () => {
    const result = await runSubAgents({ agents: 2, rounds: 3, systemTokens: 600, tailTokens: 400 });
    expect(result.copiedFirstTurns).toBeGreaterThanOrEqual(600);
    expect(result.laterReusedShare).toBeGreaterThan(0.9);
    expect(result.staggered.copied).toBeGreaterThanOrEqual(600);
    expect(result.table).toContain("nothing cached ÷ later");
    expect(result.fleet.sessions).toBe(8);
    expect(result.fleet.restoredShare).toBeGreaterThan(0.9);
    expect(result.fleet.reusedShareWithoutHostCache).toBeLessThan(0.9);
});
