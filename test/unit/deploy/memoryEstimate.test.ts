/**
 * The fit decision of the start-up memory estimate (checkMemoryFit, reportMemory), on given figures. The
 * figures themselves come from node-llama-cpp: test/model/memoryEstimate.fixtures.test.ts.
 */
import { describe, expect, it } from "vitest";
import {
    checkMemoryFit,
    formatBytes,
    reportMemory,
    type MemoryBudget,
    type ModelMemory,
} from "../../../src/engine/memoryEstimate.js";
import { ErrorCode } from "../../../src/errors/codes.js";
import { ConfigError } from "../../../src/errors/ServiceError.js";
import type { Logger } from "../../../src/util/logger.js";

const GiB = 2 ** 30;
const h100: MemoryBudget = {
    gpu: "cuda",
    gpuDevices: ["NVIDIA H100 80GB HBM3"],
    vramBytes: 78 * GiB,
    vramTotalBytes: 80 * GiB,
    ramBytes: 200 * GiB,
    swapBytes: 0,
    ramTotalBytes: 256 * GiB,
};
const engine = { gpu: "auto" as const, gpuLayers: "auto" as const, contextSize: 8192, sequences: 8 };

function model(id: string, role: "target" | "draft", vramGiB: number, layers = 33): ModelMemory {
    return {
        id,
        role,
        path: `/models/${id}.gguf`,
        totalLayers: layers,
        gpuLayers: layers,
        useMmap: true,
        weights: { vram: vramGiB * 0.8 * GiB, ram: 0.2 * GiB },
        context: { vram: vramGiB * 0.2 * GiB, ram: 0.1 * GiB },
    };
}

function recordingLogger(): Logger & {
    lines: { level: string; message: string; fields?: Record<string, unknown> }[];
} {
    const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
    return {
        lines,
        info: (message, fields) => lines.push({ level: "info", message, fields }),
        warn: (message, fields) => lines.push({ level: "warn", message, fields }),
        error: (message, fields) => lines.push({ level: "error", message, fields }),
    };
}

describe("checkMemoryFit", () => {
    it("sums target and drafts and passes when both budgets hold them", () => {
        const report = checkMemoryFit(h100, [model("t", "target", 40), model("d", "draft", 4, 17)], engine);
        expect(report.total.vram).toBeCloseTo(44 * GiB);
        expect(report.total.ram).toBeCloseTo(0.6 * GiB);
        expect(report.problems).toEqual([]);
        expect(report.warnings).toEqual([]);
    });

    it("refuses VRAM overcommit with the figures and what to change", () => {
        const report = checkMemoryFit(h100, [model("t", "target", 70), model("d", "draft", 12, 17)], engine);
        expect(report.problems).toHaveLength(1);
        const [problem] = report.problems;
        expect(problem).toContain('target "t" + draft "d" need 82.0 GiB of VRAM');
        expect(problem).toContain("78.0 GiB is free on NVIDIA H100 80GB HBM3");
        expect(problem).toContain("t: 56.0 GiB weights + 14.0 GiB context at 33/33 layers");
        expect(problem).toContain("lower engine.contextSize (8192) or engine.sequences (8)");
        expect(problem).toContain("engine.gpuLayers");
    });

    it("ignores VRAM on the CPU but refuses RAM beyond free RAM and swap", () => {
        const cpu: MemoryBudget = {
            ...h100,
            gpu: false,
            gpuDevices: [],
            vramBytes: 0,
            vramTotalBytes: 0,
            ramBytes: 0.5 * GiB,
        };
        const onCpu = (m: ModelMemory): ModelMemory => ({
            ...m,
            gpuLayers: 0,
            weights: { vram: 0, ram: 0.5 * GiB },
        });
        const report = checkMemoryFit(cpu, [onCpu(model("t", "target", 1))], { ...engine, gpu: false });
        expect(report.problems).toEqual([expect.stringContaining("need 614.4 MiB of RAM")]);
        expect(report.problems[0]).not.toContain("offload");
        const withSwap = checkMemoryFit({ ...cpu, swapBytes: GiB }, [onCpu(model("t", "target", 1))], engine);
        expect(withSwap.problems).toEqual([]);
        expect(withSwap.warnings).toEqual([expect.stringContaining("swap")]);
    });

    it("reports a fixed gpuLayers that node-llama-cpp refused", () => {
        const refused = {
            ...model("t", "target", 90),
            error: "Not enough VRAM to fit the model with the specified settings",
        };
        const report = checkMemoryFit(h100, [refused], { ...engine, gpuLayers: 33 } as const);
        expect(report.problems[0]).toContain('target "t" does not fit in VRAM with engine.gpuLayers 33');
        expect(report.problems[0]).toContain("Not enough VRAM");
    });

    it("warns about partial offload", () => {
        const partial = { ...model("t", "target", 30), gpuLayers: 20 };
        const report = checkMemoryFit(h100, [partial], engine);
        expect(report.problems).toEqual([]);
        expect(report.warnings).toEqual([
            'target "t": 20/33 layers on the GPU, the rest on the CPU (slower)',
        ]);
    });
});

describe("reportMemory", () => {
    it("logs one estimate line in MiB and passes when it fits", () => {
        const log = recordingLogger();
        reportMemory(checkMemoryFit(h100, [model("t", "target", 1)], engine), log);
        expect(log.lines).toHaveLength(1);
        expect(log.lines[0]?.message).toBe("memory estimate");
        expect(log.lines[0]?.fields).toMatchObject({
            gpu: "cuda",
            models: [{ id: "t", role: "target", gpuLayers: "33/33", vramMiB: 1024, ramMiB: 307 }],
            vramFreeMiB: 78 * 1024,
        });
    });

    it("throws a ConfigError listing every problem when it does not fit", () => {
        const small = { ...h100, vramBytes: GiB, ramBytes: 0.1 * GiB };
        const report = checkMemoryFit(small, [model("t", "target", 8)], engine);
        expect(report.problems).toHaveLength(2);
        let thrown: unknown;
        try {
            reportMemory(report, recordingLogger());
        } catch (error) {
            thrown = error;
        }
        expect(thrown).toBeInstanceOf(ConfigError);
        expect((thrown as ConfigError).code).toBe(ErrorCode.ConfigInvalid);
        expect((thrown as ConfigError).message).toMatch(/do not fit this host:\n {2}- .*VRAM.*\n {2}- .*RAM/);
    });
});

describe("formatBytes", () => {
    it("uses GiB from 1 GiB and MiB below", () => {
        expect(formatBytes(1.25 * GiB)).toBe("1.3 GiB");
        expect(formatBytes(300 * 2 ** 20)).toBe("300.0 MiB");
    });
});
