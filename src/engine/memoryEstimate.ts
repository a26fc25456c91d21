/**
 * Expected memory of the target and every draft with the configured `engine.gpuLayers`, `contextSize`
 * and `sequences`, from node-llama-cpp's own estimates (GgufInsights: the figures it uses to decide
 * offloading), checked against the free VRAM and RAM before any model is loaded. A configuration that
 * cannot fit fails at start-up with the figures and what to change, instead of a CUDA out-of-memory
 * error halfway through loading the second model.
 *
 * Models are estimated in load order and each one sees the VRAM the previous ones leave: node-llama-cpp
 * sizes `gpuLayers: "auto"` for one model against the VRAM free at that moment, so a target sized alone
 * can take the VRAM its draft needed. `"auto"` is resolved here against the real KV cache
 * (`contextSize × sequences` cells), not node-llama-cpp's default context, and the resolved layer counts
 * are in the report for the loader to pass on.
 *
 * Unified memory (Jetson, Grace Hopper): VRAM and RAM are the same memory and are checked separately, so
 * the check can pass where the sum does not fit.
 */
import { GgufInsights, InsufficientMemoryError, readGgufFileInfo, type Llama } from "node-llama-cpp";
import type { Config } from "../config/schema.js";
import { ConfigError } from "../errors/ServiceError.js";
import type { Logger } from "../util/logger.js";

/** A model to estimate; the first one passed is the target, the rest are drafts. */
export interface MemoryEstimateModel {
    id: string;
    /** GGUF file path. */
    path: string;
}

/** What the host offers, in bytes. */
export interface MemoryBudget {
    /** The GPU backend node-llama-cpp loaded (`false`: CPU only). */
    gpu: Llama["gpu"];
    /** Names of the GPUs in use (CUDA_VISIBLE_DEVICES selects them); empty on CPU. */
    gpuDevices: readonly string[];
    /** Free VRAM over all GPUs minus node-llama-cpp's safety padding. */
    vramBytes: number;
    vramTotalBytes: number;
    /** Free RAM. */
    ramBytes: number;
    /** Free swap (allowed, but slow: a warning, not an error). */
    swapBytes: number;
    ramTotalBytes: number;
}

/** GPU and CPU memory of one part, in bytes. */
export interface MemoryBytes {
    vram: number;
    ram: number;
}

export interface ModelMemory {
    id: string;
    role: "target" | "draft";
    path: string;
    /** Layers in the model (node-llama-cpp counts the output layer too). */
    totalLayers: number;
    /** Layers to offload: the configured number, or what `"auto"` resolved to. Pass it to `loadModel`. */
    gpuLayers: number;
    useMmap: boolean;
    /** Weights and model buffers. */
    weights: MemoryBytes;
    /** KV cache and compute buffers of the context (`contextSize × sequences` cells). */
    context: MemoryBytes;
    /** node-llama-cpp's refusal for this model (a fixed `gpuLayers` that cannot fit), if any. */
    error?: string;
}

export interface MemoryReport {
    budget: MemoryBudget;
    contextSize: number;
    sequences: number;
    /** The configured `engine.gpu` and `engine.gpuLayers`. */
    requestedGpu: Config["engine"]["gpu"];
    requestedGpuLayers: Config["engine"]["gpuLayers"];
    /** Target first, then drafts, in load order. */
    models: ModelMemory[];
    total: MemoryBytes;
    /** Why the models cannot be loaded as configured; empty when they fit. */
    problems: string[];
    /** Loads, but slower than it could (partial offload, swap). */
    warnings: string[];
}

export interface EstimateMemoryOptions {
    /** Use these figures instead of measuring the host (tests, "would this fit on that GPU?"). */
    budget?: MemoryBudget;
}

type EngineMemoryConfig = Pick<Config["engine"], "gpu" | "gpuLayers" | "contextSize" | "sequences">;

/** Measures the host's free VRAM, RAM and swap as node-llama-cpp sees them. */
export async function measureMemoryBudget(llama: Llama): Promise<MemoryBudget> {
    const [vram, ram, swap, gpuDevices] = await Promise.all([
        llama.getVramState(),
        llama.getRamState(),
        llama.getSwapState(),
        llama.getGpuDeviceNames(),
    ]);
    return {
        gpu: llama.gpu,
        gpuDevices,
        vramBytes: Math.max(0, vram.free - llama.vramPaddingSize),
        vramTotalBytes: vram.total,
        ramBytes: ram.free,
        swapBytes: Math.max(0, swap.allocated - swap.used),
        ramTotalBytes: ram.total,
    };
}

/**
 * Estimates every model's memory with the engine config, in load order. Reads GGUF headers only; the
 * weights are not loaded.
 */
export async function estimateMemory(
    llama: Llama,
    models: readonly MemoryEstimateModel[],
    engine: EngineMemoryConfig,
    options: EstimateMemoryOptions = {},
): Promise<MemoryReport> {
    const budget = options.budget ?? (await measureMemoryBudget(llama));
    const { contextSize, sequences } = engine;
    // node-llama-cpp's default batch for a context (LlamaContext.getDefaultContextBatchSize, not exported).
    const batchSize = Math.min(contextSize * sequences, 512);
    let vramLeft = budget.vramBytes;
    const estimates: ModelMemory[] = [];
    for (const [index, model] of models.entries()) {
        const insights = await GgufInsights.from(
            await readGgufFileInfo(model.path, { sourceType: "filesystem" }),
            llama,
        );
        const requested =
            engine.gpuLayers === "auto"
                ? { fitContext: { contextSize: contextSize * sequences } }
                : engine.gpuLayers;
        // Without a GPU node-llama-cpp offloads nothing, whatever gpuLayers says.
        let gpuLayers = 0;
        let useMmap = llama.supportsMmap;
        let error: string | undefined;
        if (engine.gpu !== false && budget.gpu !== false) {
            const free = vramLeft;
            try {
                ({ gpuLayers, useMmap } = await insights.configurationResolver.resolveModelGpuLayersV2(
                    requested,
                    {
                        getVramState: () => Promise.resolve({ total: budget.vramTotalBytes, free }),
                    },
                ));
            } catch (cause) {
                if (!(cause instanceof InsufficientMemoryError)) throw cause;
                // Only a fixed layer count is refused ("auto" shrinks instead): estimate it as asked.
                gpuLayers = Math.min(
                    engine.gpuLayers === "auto" ? 0 : engine.gpuLayers,
                    insights.totalLayers,
                );
                error = cause.message;
            }
        }
        const weights = await insights.estimateModelResourceRequirementsV2({ gpuLayers, useMmap });
        const context = await insights.estimateContextResourceRequirementsV2({
            contextSize,
            sequences,
            batchSize,
            modelGpuLayers: gpuLayers,
            useMmap,
        });
        vramLeft = Math.max(0, vramLeft - weights.gpuVram - context.gpuVram);
        estimates.push({
            id: model.id,
            role: index === 0 ? "target" : "draft",
            path: model.path,
            totalLayers: insights.totalLayers,
            gpuLayers,
            useMmap,
            weights: { vram: weights.gpuVram, ram: weights.cpuRam },
            context: { vram: context.gpuVram, ram: context.cpuRam },
            ...(error === undefined ? {} : { error }),
        });
    }
    return checkMemoryFit(budget, estimates, engine);
}

/** Sums the estimates and says what does not fit and why (pure: the decision, apart from the measuring). */
export function checkMemoryFit(
    budget: MemoryBudget,
    models: readonly ModelMemory[],
    engine: EngineMemoryConfig,
): MemoryReport {
    const total = { vram: 0, ram: 0 };
    for (const m of models) {
        total.vram += m.weights.vram + m.context.vram;
        total.ram += m.weights.ram + m.context.ram;
    }
    const problems: string[] = [];
    const warnings: string[] = [];
    const names = models.map((m) => `${m.role} "${m.id}"`).join(" + ");
    const breakdown = (kind: keyof MemoryBytes): string =>
        models
            .map(
                (m) =>
                    `${m.id}: ${formatBytes(m.weights[kind])} weights + ${formatBytes(m.context[kind])} context` +
                    (kind === "vram" ? ` at ${m.gpuLayers}/${m.totalLayers} layers` : ""),
            )
            .join("; ");
    const contextHint = `lower engine.contextSize (${engine.contextSize}) or engine.sequences (${engine.sequences})`;
    const onGpu = budget.gpu !== false && engine.gpu !== false;

    for (const m of models) {
        if (m.error === undefined) continue;
        problems.push(
            `${m.role} "${m.id}" does not fit in VRAM with engine.gpuLayers ${JSON.stringify(engine.gpuLayers)} ` +
                `(node-llama-cpp: ${m.error}); set engine.gpuLayers lower or to "auto", or ${contextHint}`,
        );
    }
    if (onGpu && total.vram > budget.vramBytes) {
        problems.push(
            `${names} need ${formatBytes(total.vram)} of VRAM (${breakdown("vram")}), but ` +
                `${formatBytes(budget.vramBytes)} is free on ${describeGpus(budget)}; ${contextHint}, ` +
                `set engine.gpuLayers to fewer layers, or use fewer or smaller drafts`,
        );
    }
    if (total.ram > budget.ramBytes + budget.swapBytes) {
        problems.push(
            `${names} need ${formatBytes(total.ram)} of RAM (${breakdown("ram")}), but ` +
                `${formatBytes(budget.ramBytes)} is free (+ ${formatBytes(budget.swapBytes)} swap); ${contextHint}, ` +
                (onGpu ? "offload more layers (engine.gpuLayers), " : "") +
                "or use fewer or smaller drafts",
        );
    } else if (total.ram > budget.ramBytes) {
        warnings.push(
            `${names} need ${formatBytes(total.ram)} of RAM but ${formatBytes(budget.ramBytes)} is free: ` +
                "part of it will be in swap (slow)",
        );
    }
    if (onGpu) {
        for (const m of models) {
            if (m.error === undefined && m.gpuLayers < m.totalLayers) {
                warnings.push(
                    `${m.role} "${m.id}": ${m.gpuLayers}/${m.totalLayers} layers on the GPU, the rest on the CPU (slower)`,
                );
            }
        }
    }
    return {
        budget,
        contextSize: engine.contextSize,
        sequences: engine.sequences,
        requestedGpu: engine.gpu,
        requestedGpuLayers: engine.gpuLayers,
        models: [...models],
        total,
        problems,
        warnings,
    };
}

/** Logs the estimate (one line, figures in MiB) and each warning; throws ConfigError when it does not fit. */
export function reportMemory(report: MemoryReport, log: Logger): void {
    const mib = (bytes: number): number => Math.round(bytes / 2 ** 20);
    log.info("memory estimate", {
        gpu: report.budget.gpu,
        gpuDevices: report.budget.gpuDevices,
        contextSize: report.contextSize,
        sequences: report.sequences,
        models: report.models.map((m) => ({
            id: m.id,
            role: m.role,
            gpuLayers: `${m.gpuLayers}/${m.totalLayers}`,
            vramMiB: mib(m.weights.vram + m.context.vram),
            ramMiB: mib(m.weights.ram + m.context.ram),
        })),
        vramMiB: mib(report.total.vram),
        vramFreeMiB: mib(report.budget.vramBytes),
        ramMiB: mib(report.total.ram),
        ramFreeMiB: mib(report.budget.ramBytes),
    });
    for (const warning of report.warnings) log.warn(warning);
    if (report.problems.length > 0) {
        throw new ConfigError(
            `the models do not fit this host:\n${report.problems.map((p) => `  - ${p}`).join("\n")}`,
            {
                details: { problems: report.problems },
            },
        );
    }
}

function describeGpus(budget: MemoryBudget): string {
    const devices = budget.gpuDevices.length > 0 ? budget.gpuDevices.join(", ") : "the GPU";
    return `${devices} (${formatBytes(budget.vramTotalBytes)} total, after node-llama-cpp's safety padding)`;
}

/** Bytes as GiB above 1 GiB, else MiB, with one decimal. */
export function formatBytes(bytes: number): string {
    const gib = bytes / 2 ** 30;
    return gib >= 1 ? `${gib.toFixed(1)} GiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}
