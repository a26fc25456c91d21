/**
 * bench/e2e/subAgents.ts runs end to end on small sizes (the docs' sub-agent figures come from it):
 * through the gRPC server with the default config, siblings copy the shared system prompt, later turns
 * reuse nearly all of their own conversations, and one starting while another generates copies too.
 */
import { expect, it } from "vitest";
import { runSubAgents } from "../../bench/e2e/subAgents.js";

it("measures sub-agents sharing a system prompt through gRPC", async () => {
    const result = await runSubAgents({ agents: 2, rounds: 3, systemTokens: 300, tailTokens: 120 });
    expect(result.copiedFirstTurns).toBeGreaterThanOrEqual(300);
    expect(result.laterReusedShare).toBeGreaterThan(0.9);
    expect(result.staggered.copied).toBeGreaterThanOrEqual(300);
    expect(result.table).toContain("nothing cached ÷ later");
});
