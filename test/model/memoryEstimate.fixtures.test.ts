/**
 * The start-up memory estimate on real GGUFs (the tiny fixtures, CPU backend): node-llama-cpp's figures per
 * model in load order, matching what loading the model and its context then really allocates, and a clear
 * refusal when the host is too small.
 */
import { getLlama, type Llama } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureFixtures, type FixturePaths } from "../../models/build/buildFixtures.js";
import { estimateMemory, reportMemory } from "../../src/engine/memoryEstimate.js";
import { ConfigError } from "../../src/errors/ServiceError.js";
import { silentLogger } from "../../src/util/logger.js";

let llama: Llama;
let fixtures: FixturePaths;
const engine = { gpu: false, gpuLayers: "auto", contextSize: 512, sequences: 2 } as const;

beforeAll(async () => {
    fixtures = await ensureFixtures();
    llama = await getLlama({ gpu: false, build: "never" });
});

afterAll(async () => {
    await llama.dispose();
});

describe("estimateMemory", () => {
    it("estimates the target and each draft in load order, on the CPU", async () => {
        const report = await estimateMemory(
            llama,
            [
                { id: "t", path: fixtures.base },
                { id: "d", path: fixtures.same },
            ],
            engine,
        );
        expect(report.models.map((m) => [m.id, m.role, m.gpuLayers])).toEqual([
            ["t", "target", 0],
            ["d", "draft", 0],
        ]);
        for (const m of report.models) {
            expect(m.totalLayers).toBeGreaterThan(0);
            expect(m.weights.ram).toBeGreaterThan(0);
            expect(m.context.ram).toBeGreaterThan(0);
            expect(m.weights.vram + m.context.vram).toBe(0);
        }
        expect(report.total.ram).toBe(report.models.reduce((s, m) => s + m.weights.ram + m.context.ram, 0));
        expect(report.problems).toEqual([]);
        expect(() => {
            reportMemory(report, silentLogger);
        }).not.toThrow();
    });

    it("matches what loading the model and its context allocates", async () => {
        const [estimate] = (await estimateMemory(llama, [{ id: "t", path: fixtures.base }], engine)).models;
        const before = (await llama.getLlamaMemoryUsage()).cpuRam;
        const model = await llama.loadModel({ modelPath: fixtures.base, gpuLayers: 0 });
        try {
            const context = await model.createContext({ contextSize: 512, sequences: 2, threads: 1 });
            const used = (await llama.getLlamaMemoryUsage()).cpuRam - before;
            await context.dispose();
            const estimated = estimate!.weights.ram + estimate!.context.ram;
            expect(Math.abs(used - estimated) / used).toBeLessThan(0.1);
        } finally {
            await model.dispose();
        }
    });

    it("grows the context estimate with contextSize × sequences, not the weights", async () => {
        const small = await estimateMemory(llama, [{ id: "t", path: fixtures.base }], engine);
        const large = await estimateMemory(llama, [{ id: "t", path: fixtures.base }], {
            ...engine,
            contextSize: 4096,
            sequences: 8,
        });
        expect(large.models[0]!.weights).toEqual(small.models[0]!.weights);
        expect(large.models[0]!.context.ram).toBeGreaterThan(small.models[0]!.context.ram);
    });

    it("refuses to start when the host lacks the memory, naming the models and the knobs", async () => {
        const report = await estimateMemory(
            llama,
            [
                { id: "t", path: fixtures.base },
                { id: "d", path: fixtures.same },
            ],
            engine,
            {
                budget: {
                    gpu: false,
                    gpuDevices: [],
                    vramBytes: 0,
                    vramTotalBytes: 0,
                    ramBytes: 2 ** 20,
                    swapBytes: 0,
                    ramTotalBytes: 2 ** 30,
                },
            },
        );
        expect(() => {
            reportMemory(report, silentLogger);
        }).toThrow(ConfigError);
        expect(report.problems).toEqual([
            expect.stringMatching(
                /^target "t" \+ draft "d" need .* of RAM .* but 1\.0 MiB is free .*engine\.contextSize \(512\)/,
            ),
        ]);
    });
});
