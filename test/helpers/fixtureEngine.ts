/**
 * Engines on the project's own tiny GGUFs for model tests. `sameWeightsDraft` loads the target file a
 * second time as its own draft: the draft then always agrees with the target at temperature 0, which
 * makes "the proposer was really used" deterministic even with random weights.
 */
import { ensureFixtures } from "../../models/build/buildFixtures.js";
import { parseConfig } from "../../src/config/loadConfig.js";
import { HostCacheCosts } from "../../src/engine/HostCacheCosts.js";
import type { ConfigInput } from "../../src/config/schema.js";
import { LocalEngine, type LocalEngineOptions } from "../../src/engine/LocalEngine.js";
import type { GenerateChunk, GenerateRequest } from "../../src/engine/types.js";

export async function loadFixtureEngine(
    overrides: { engine?: ConfigInput["engine"]; speculation?: ConfigInput["speculation"] } = {},
    options: LocalEngineOptions = {},
): Promise<LocalEngine> {
    const fixtures = await ensureFixtures();
    const config = parseConfig({
        models: {
            target: { id: "fixture-target", path: fixtures.base },
            drafts: [
                { id: "same-weights", path: fixtures.base },
                { id: "other-weights", path: fixtures.same },
                { id: "other-tokenizer", path: fixtures.typeDiff },
            ],
        },
        // One thread: these models are tiny (the binding, not the math, is the cost), and on a busy
        // 2-core machine llama.cpp's spinning thread barrier makes 2 threads ~100x slower (measured).
        engine: { contextSize: 512, sequences: 2, gpu: false, threads: 1, ...overrides.engine },
        speculation: { minDraftConfidence: 0, stateFile: null, ...overrides.speculation },
    });
    return LocalEngine.load(config, "/", options);
}

export interface Collected {
    tokens: number[];
    text: string;
    chunks: GenerateChunk[];
    last: GenerateChunk;
}

export async function collect(
    engine: LocalEngine,
    request: GenerateRequest,
    signal?: AbortSignal,
): Promise<Collected> {
    const chunks: GenerateChunk[] = [];
    for await (const chunk of engine.generate(request, signal)) chunks.push(chunk);
    const last = chunks.at(-1);
    if (!last?.finish) throw new Error("generation ended without a final chunk");
    return {
        tokens: chunks.flatMap((c) => c.tokens),
        text: chunks.map((c) => c.text).join(""),
        chunks,
        last,
    };
}

/**
 * Host KV cache costs pinned to a CPU host's figures for the bundled target (evaluating 1 ms a token,
 * saving and loading 7.7 kB a token at ~1 GB/s), whatever the fixtures measure: their tiny models evaluate
 * a token faster than its state is saved, so the measured costs would turn the cache off (as they should).
 */
export class PinnedHostCacheCosts extends HostCacheCosts {
    constructor() {
        super();
        super.observePromptPass(1000, 1000);
        super.observeSave(1000, 7_700_000, 7.7);
        super.observeLoad(7_700_000, 7.7);
    }
    override observePromptPass(): void {}
    override observeSave(): void {}
    override observeLoad(): void {}
}
