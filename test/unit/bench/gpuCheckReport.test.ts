/**
 * The GPU check's goals table reports what the host KV cache measured on the GPU's large target (the
 * seeded costs the prefix-reuse phase's server decided by), so a lent GPU session shows whether it saves,
 * and at the load phase's most streams how busy the JavaScript thread was against the native decodes.
 */
import { describe, expect, it } from "vitest";
import { gpuCheckMarkdown, type GpuCheckReport } from "../../../bench/gpuCheckReport.js";

const report = (hostCache?: { evalMsPerToken: number; roundTripMsPerToken: number }): GpuCheckReport => ({
    at: "2026-11-29T00:00:00.000Z",
    small: false,
    environment: {},
    prefixReuse: {
        prefixTokens: 1900,
        ttftMsNoReuse: 277,
        ttftMsReuse: 25,
        reusedMedian: 1899,
        speedup: 11.08,
        ...(hostCache && {
            hostCache: {
                bytes: 0,
                entries: 0,
                saves: { ok: 0, failed: 0 },
                loads: { ok: 0, failed: 0 },
                evictions: 0,
                ...hostCache,
            },
        }),
        table: "",
    },
    phases: {},
});

describe("gpuCheckMarkdown", () => {
    it("reports the host KV cache's costs on the large target and whether it saves there", () => {
        const gpu = gpuCheckMarkdown(report({ evalMsPerToken: 0.15, roundTripMsPerToken: 0.4 }), []);
        expect(gpu).toContain(
            "| host KV cache, large target: ms to evaluate a prompt token / to save one and load it back | 0.1500 / 0.4000 (saves: no) |",
        );
        const cpu = gpuCheckMarkdown(report({ evalMsPerToken: 0.19, roundTripMsPerToken: 0.0105 }), []);
        expect(cpu).toContain("0.1900 / 0.0105 (saves: yes)");
        expect(gpuCheckMarkdown(report(), [])).not.toContain("host KV cache");
    });

    it("reports at the most streams how busy the JavaScript thread was against the native decodes", () => {
        const load = (extra: object) => ({
            ...report(),
            load: {
                concurrency: [
                    { concurrency: 1, tokensPerSecond: 100, speedupOverOne: 1, ...extra },
                    { concurrency: 32, tokensPerSecond: 900, speedupOverOne: 9, ...extra },
                ],
            },
        });
        expect(gpuCheckMarkdown(load({ jsThreadBusy: 0.97, decodeShare: 0.62 }), [])).toContain(
            "| at 32 streams: JavaScript thread busy (server and its gRPC clients) / time in the target's native decodes | 97 % / 62 % |",
        );
        // A load phase from before the columns existed: no row.
        expect(gpuCheckMarkdown(load({}), [])).not.toContain("JavaScript thread busy");
    });
});
