import { describe, expect, it } from "vitest";
import type { GenerationStats } from "../../../src/engine/types.js";
import {
    createMetrics,
    observeGeneration,
    observeInterTokenGap,
} from "../../../src/metrics/createMetrics.js";
import { createRegistry } from "../../../src/metrics/registry.js";

const stats = (
    proposer: string,
    acceptedPerPos: number[],
    drafts: number,
    accepted: number,
): GenerationStats => ({
    proposer,
    speculation: {
        chosen: proposer,
        reason: "test",
        switches: [],
        draftLengths: [],
        explorations: 0,
        predictedSpeedup: 1,
    },
    measuredSpeedup: 1,
    mode: "auto",
    promptTokens: 20,
    promptTokensReused: 5,
    promptTokensCopied: 2,
    promptTokensRestored: 3,
    completionTokens: 12,
    spec: {
        drafts,
        targetPasses: 7,
        draftTokens: acceptedPerPos.length * drafts,
        acceptedTokens: accepted,
        acceptedPerPos,
        observedPerPos: acceptedPerPos.map(() => drafts),
        draftedLengths: [...Array<number>(acceptedPerPos.length).fill(0), drafts],
        acceptanceRate: 0,
        meanAcceptanceLength: 0,
        fullMapPasses: 0,
        fullMapAfterDraft: 0,
    },
    ttftMs: 30,
    queueMs: 10,
    totalMs: 100,
    decodeTokensPerSecond: 100,
});

async function values(registry: ReturnType<typeof createRegistry>, name: string) {
    const metric = registry.getSingleMetric(name);
    if (!metric) throw new Error(`no metric ${name}`);
    return (await metric.get()).values;
}

describe("metrics", () => {
    it("uses its own registry, so two instances do not collide", () => {
        const a = createRegistry();
        const b = createRegistry();
        expect(() => createMetrics(a, () => undefined)).not.toThrow();
        expect(() => createMetrics(b, () => undefined)).not.toThrow();
    });

    it("counts speculation per proposer and per draft position, zero positions included", async () => {
        const registry = createRegistry();
        const metrics = createMetrics(registry, () => undefined);
        observeGeneration(metrics, stats("d", [2, 1, 0], 2, 3));
        observeGeneration(metrics, stats("d", [1, 0, 0], 1, 1));
        observeGeneration(metrics, stats("none", [], 0, 0));
        expect(await values(registry, "tiercel_spec_drafts_total")).toEqual([
            { value: 3, labels: { proposer: "d" } },
        ]);
        expect(await values(registry, "tiercel_spec_accepted_tokens_total")).toEqual([
            { value: 4, labels: { proposer: "d" } },
        ]);
        expect(await values(registry, "tiercel_spec_accepted_tokens_per_pos_total")).toEqual([
            { value: 3, labels: { proposer: "d", position: "0" } },
            { value: 1, labels: { proposer: "d", position: "1" } },
            { value: 0, labels: { proposer: "d", position: "2" } },
        ]);
        expect(await values(registry, "tiercel_spec_target_passes_total")).toEqual([
            { value: 14, labels: { proposer: "d" } },
            { value: 7, labels: { proposer: "none" } },
        ]);
        expect(await values(registry, "tiercel_generated_tokens_total")).toEqual([{ value: 36, labels: {} }]);
        expect(await values(registry, "tiercel_prompt_tokens_reused_total")).toEqual([
            { value: 15, labels: {} },
        ]);
        expect(await values(registry, "tiercel_prompt_tokens_copied_total")).toEqual([
            { value: 6, labels: {} },
        ]);
        expect(await values(registry, "tiercel_prompt_tokens_restored_total")).toEqual([
            { value: 9, labels: {} },
        ]);
        const ttft = (await metrics.timeToFirstToken.get()).values;
        const ttftSum = ttft.find((v) => v.metricName === "tiercel_time_to_first_token_seconds_sum");
        expect(ttftSum?.value).toBeCloseTo(3 * 0.04, 10); // queue + ttft, in seconds
        // AUTO's verify-curve samples, a plain request's included (it samples while decoding plainly).
        const exploring = stats("none", [], 0, 0);
        exploring.speculation.explorations = 2;
        observeGeneration(metrics, exploring);
        expect(await values(registry, "tiercel_spec_explorations_total")).toEqual([{ value: 2, labels: {} }]);
    });

    it("splits a chunk's gap among its tokens", async () => {
        const registry = createRegistry();
        const metrics = createMetrics(registry, () => undefined);
        observeInterTokenGap(metrics, 40, 4);
        const v = (await metrics.interTokenLatency.get()).values;
        const count = v.find((x) => x.metricName === "tiercel_inter_token_latency_seconds_count");
        const sum = v.find((x) => x.metricName === "tiercel_inter_token_latency_seconds_sum");
        expect(count?.value).toBe(4);
        expect(sum?.value).toBeCloseTo(0.04, 10);
    });

    it("reads queue depth and sequences from the engine at scrape time", async () => {
        const engine: { load?: { inUse: number; queued: number; size: number } } = {};
        const registry = createRegistry();
        createMetrics(registry, () => engine.load);
        expect(await values(registry, "tiercel_sequences")).toEqual([{ value: 0, labels: {} }]);
        engine.load = { inUse: 3, queued: 5, size: 4 };
        expect(await values(registry, "tiercel_sequences_in_use")).toEqual([{ value: 3, labels: {} }]);
        expect(await values(registry, "tiercel_queue_depth")).toEqual([{ value: 5, labels: {} }]);
        expect(await values(registry, "tiercel_sequences")).toEqual([{ value: 4, labels: {} }]);
    });

    it("reads the host KV cache's holdings and running totals from the engine at scrape time", async () => {
        type Load = Parameters<typeof createMetrics>[1] extends () => infer L ? L : never;
        let load: Load = { inUse: 0, queued: 0, size: 4 };
        const registry = createRegistry();
        createMetrics(registry, () => load);
        // Turned off: the totals read 0.
        expect(await values(registry, "tiercel_host_kv_cache_saves_total")).toEqual([
            { value: 0, labels: { result: "ok" } },
            { value: 0, labels: { result: "failed" } },
        ]);
        const hostCache = {
            bytes: 1000,
            entries: 2,
            saves: { ok: 5, failed: 1 },
            loads: { ok: 3, failed: 0 },
            evictions: 2,
        };
        load = { inUse: 0, queued: 0, size: 4, hostCache };
        expect(await values(registry, "tiercel_host_kv_cache_bytes")).toEqual([{ value: 1000, labels: {} }]);
        expect(await values(registry, "tiercel_host_kv_cache_entries")).toEqual([{ value: 2, labels: {} }]);
        expect(await values(registry, "tiercel_host_kv_cache_saves_total")).toEqual([
            { value: 5, labels: { result: "ok" } },
            { value: 1, labels: { result: "failed" } },
        ]);
        expect(await values(registry, "tiercel_host_kv_cache_loads_total")).toEqual([
            { value: 3, labels: { result: "ok" } },
            { value: 0, labels: { result: "failed" } },
        ]);
        // A later scrape shows the totals then, not their sum with the last scrape's.
        load = { ...load, hostCache: { ...hostCache, saves: { ok: 7, failed: 1 }, evictions: 3 } };
        expect(await values(registry, "tiercel_host_kv_cache_saves_total")).toEqual([
            { value: 7, labels: { result: "ok" } },
            { value: 1, labels: { result: "failed" } },
        ]);
        expect(await values(registry, "tiercel_host_kv_cache_evictions_total")).toEqual([
            { value: 3, labels: {} },
        ]);
    });
});
