/**
 * The host KV cache's directory disappears while the engine serves (a tmp cleaner, an operator): saves
 * and loads fail, every request is still answered exactly as without the cache, one warning says so, and
 * the cache works again once the directory is back.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { LocalEngine } from "../../src/engine/LocalEngine.js";
import type { GenerateRequest } from "../../src/engine/types.js";
import type { Logger } from "../../src/util/logger.js";
import { collect, loadFixtureEngine, PinnedHostCacheCosts } from "../helpers/fixtureEngine.js";

const warnings: string[] = [];
const logger: Logger = { info() {}, error() {}, warn: (m) => warnings.push(m) };
let dir: string;
let engine: LocalEngine;
let reference: LocalEngine;
beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tiercel-host-cache-fault-"));
    engine = await loadFixtureEngine(
        { engine: { sequences: 1, hostCache: { minTokens: 32, dir } } },
        { hostCacheCosts: new PinnedHostCacheCosts(), logger },
    );
    reference = await loadFixtureEngine({ engine: { sequences: 1, hostCache: { maxBytes: 0 } } });
});
afterAll(async () => {
    await engine.dispose();
    await reference.dispose();
    await rm(dir, { recursive: true, force: true });
});

// Drafting with a draft model: its save fails too, and must not fail the next request's drafting.
const turn = (session: number, turns: number): GenerateRequest => ({
    prompt: `# session ${session}\n` + `data = [${session}, 4, 2]\n`.repeat(8) + "# next\n".repeat(turns),
    maxTokens: 8,
    speculation: { mode: "draft_model", draftModel: "same-weights", maxDraftTokens: 3 },
});

it("serves every request exactly without its directory, warns once, and recovers when it is back", async () => {
    const [own] = await readdir(dir);
    const path = join(dir, own!);
    await rm(path, { recursive: true });
    for (let round = 1; round <= 3; round++)
        for (const session of [1, 2, 3]) {
            const served = await collect(engine, turn(session, round));
            const expected = await collect(reference, turn(session, round));
            expect(served.tokens).toEqual(expected.tokens);
            expect(served.last.finish!.stats.promptTokensRestored).toBe(0);
        }
    expect(warnings.filter((w) => w.startsWith("host KV cache: saving"))).toHaveLength(1);
    // One warning, but every failure counted (tiercel_host_kv_cache_saves_total{result="failed"}).
    expect(engine.slotUsage.hostCache?.saves.failed).toBeGreaterThanOrEqual(6);
    expect(existsSync(path)).toBe(false);
    await mkdir(path, { mode: 0o700 });
    // Saved again as the sessions take the sequence over, then loaded.
    for (const session of [1, 2, 3]) await collect(engine, turn(session, 4));
    const back = await collect(engine, turn(1, 5));
    expect(back.last.finish!.stats.promptTokensRestored).toBeGreaterThan(60);
});
