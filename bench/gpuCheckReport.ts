/**
 * The GPU check's report (bench/gpuCheck.ts): what each phase recorded, and its markdown with the goals
 * table of the issue, each goal computed from this run's figures.
 */
import { cpus, totalmem } from "node:os";
import type { runCompareDraft } from "./e2e/compareDraft.js";
import type { runNlcBaselines } from "./e2e/nlcBaselines.js";
import type { runPassAnatomy } from "./e2e/passAnatomy.js";
import type { runPrefixReuseGrpc } from "./e2e/prefixReuse.js";
import { goalsMarkdown, type GoalRow } from "./goalsMarkdown.js";
import { sameAsOff } from "./sameAsOff.js";

type CompareDraftResult = Awaited<ReturnType<typeof runCompareDraft>>;

export interface PhaseRecord {
    seconds: number;
    error?: string;
}
export interface GpuCheckReport {
    at: string;
    small: boolean;
    environment: Partial<
        Record<"gpu" | "driver" | "memory" | "computeCapability" | "cuda" | "backend" | "build", string>
    > & {
        vramGiB?: number;
        versions?: Record<string, string>;
    };
    largeTarget?: {
        path: string;
        width: number;
        layers: number;
        parameters: number;
        bytes: number;
        writeSeconds: number;
    };
    bundled?: CompareDraftResult;
    large?: CompareDraftResult;
    disagreeing?: CompareDraftResult;
    /** The opt-in "sampled" phase: the large target at temperature 1, seeded per prompt. */
    sampled?: CompareDraftResult;
    baselines?: Awaited<ReturnType<typeof runNlcBaselines>>;
    passAnatomy?: Awaited<ReturnType<typeof runPassAnatomy>>;
    agentTrace?: string;
    /** The opt-in "sampler pool" phase's table (bench/e2e/samplerPool.ts). */
    samplerPool?: string;
    /** The opt-in "served step" phase's table (bench/e2e/servedStep.ts). */
    servedStep?: string;
    /** The opt-in "overlap" phase's table (bench/e2e/overlapSteps.ts). */
    overlapSteps?: string;
    prefixReuse?: Awaited<ReturnType<typeof runPrefixReuseGrpc>>;
    load?: {
        concurrency: {
            concurrency: number;
            tokensPerSecond: number;
            speedupOverOne: number;
            /** Event-loop utilisation of the bench's process (server and its gRPC clients), 0–1. */
            jsThreadBusy?: number;
            /** Share of the wall time spent in the target's native decodes, 0–1. */
            decodeShare?: number;
        }[];
    } & Record<string, unknown>;
    phases: Record<string, PhaseRecord>;
}

const tps = (t: { tokens: number; decodeSeconds: number }): number => t.tokens / t.decodeSeconds;
const fmt = (x: number | undefined): string =>
    x !== undefined && Number.isFinite(x) ? `${x.toFixed(2)}×` : "–";

/** The issue's goals for the GPU, each from this run. */
function goals(report: GpuCheckReport): string {
    const rows: GoalRow[] = [];
    const large = report.large;
    for (const [label, r] of [
        ["large target", large],
        ["bundled target", report.bundled],
    ] as const) {
        if (!r) continue;
        for (const set of Object.keys(r.results)) {
            const off = r.results[set]!.off!;
            const best = r.summary[set]!.bestDraft;
            rows.push([
                `draft model (best fixed k) × OFF at batch 1 — ${label}, ${set}`,
                best ? `${fmt(best.tps / tps(off))} (${best.name})` : "–",
                label === "large target" ? "≥ 2×" : "(reference)",
            ]);
            const ngram = r.summary[set]!.bestNgram;
            rows.push([
                `n-gram (best fixed k) × OFF — ${label}, ${set}`,
                ngram ? `${fmt(ngram.tps / tps(off))} (${ngram.name})` : "–",
                "(reference)",
            ]);
            rows.push([
                `AUTO / best fixed choice — ${label}, ${set}`,
                fmt(r.summary[set]!.autoOverBestFixed),
                "≥ 1.0×",
            ]);
            const eff = Object.entries(r.leviathan[set] ?? {})
                .filter(([name]) => name.startsWith("draft"))
                .map(
                    ([name, predicted]) =>
                        `${name} ${(tps(r.results[set]![name]!) / tps(off) / predicted).toFixed(2)}`,
                );
            if (eff.length)
                rows.push([
                    `measured ÷ predicted (cost curve and per-position acceptance measured here) — ${label}, ${set}`,
                    eff.join(", "),
                    "≈ 1",
                ]);
        }
    }
    const never = report.disagreeing?.results.completion;
    if (never?.off && never.auto) {
        rows.push([
            "AUTO × OFF with a draft that never agrees (large target, completion)",
            fmt(tps(never.auto) / tps(never.off)),
            "≥ 0.98×",
        ]);
        if (never["draft k=4"])
            rows.push([
                "fixed draft k=4 × OFF with that draft (what fixed drafting costs)",
                fmt(tps(never["draft k=4"]) / tps(never.off)),
                "(reference)",
            ]);
    }
    const sampled = report.sampled;
    if (sampled?.summary.completion) {
        rows.push([
            "AUTO / best fixed choice at temperature 1 — large target, completion",
            fmt(sampled.summary.completion.autoOverBestFixed),
            "≥ 1.0×",
        ]);
        rows.push([
            "seeded samples at temperature 1 equal to OFF's (large target; passes of other shapes)",
            sameAsOff(sampled),
            "all but near-boundary draws",
        ]);
    }
    const nlcDraft = (report.baselines ?? [])
        .filter((b) => b.system.includes("DraftSequenceTokenPredictor"))
        .reduce((best, b) => Math.max(best, b.decodeSeconds > 0 ? b.tokens / b.decodeSeconds : 0), 0);
    const auto = large?.results.completion?.auto;
    if (nlcDraft > 0 && auto)
        rows.push([
            "tiercel AUTO tok/s ÷ node-llama-cpp DraftSequenceTokenPredictor (best config), large target, completion",
            fmt(tps(auto) / nlcDraft),
            "≥ 1.3×",
        ]);
    const load = report.load?.concurrency;
    const at = (n: number) => load?.find((c) => c.concurrency === n);
    const top = load?.[load.length - 1];
    rows.push([
        `aggregate tokens/s at ${top?.concurrency ?? 32} streams ÷ 1 stream (gRPC, large target)`,
        fmt(top?.speedupOverOne),
        top?.concurrency === 32 ? "≥ 8×" : "(rehearsal)",
    ]);
    if (at(8)) rows.push(["aggregate at 8 streams ÷ 1 stream", fmt(at(8)!.speedupOverOne), "(reference)"]);
    // Whether per-request work on the one JavaScript thread, rather than the decodes, limits the aggregate.
    if (top?.jsThreadBusy !== undefined && top.decodeShare !== undefined)
        rows.push([
            `at ${top.concurrency} streams: JavaScript thread busy (server and its gRPC clients) / time in the target's native decodes`,
            `${(100 * top.jsThreadBusy).toFixed(0)} % / ${(100 * top.decodeShare).toFixed(0)} %`,
            "(reference)",
        ]);
    if (report.prefixReuse)
        rows.push([
            `prefix-reuse TTFT speed-up over gRPC (${report.prefixReuse.prefixTokens}-token prefix, large target)`,
            `${report.prefixReuse.speedup.toFixed(1)}× (${report.prefixReuse.ttftMsNoReuse.toFixed(0)} → ${report.prefixReuse.ttftMsReuse.toFixed(0)} ms)`,
            "(reference)",
        ]);
    const host = report.prefixReuse?.hostCache;
    if (host?.evalMsPerToken !== undefined && host.roundTripMsPerToken !== undefined)
        rows.push([
            "host KV cache, large target: ms to evaluate a prompt token / to save one and load it back",
            `${host.evalMsPerToken.toFixed(4)} / ${host.roundTripMsPerToken.toFixed(4)} (saves: ${2 * host.roundTripMsPerToken < host.evalMsPerToken ? "yes" : "no"})`,
            "(reference)",
        ]);
    return goalsMarkdown(rows);
}

/** The check's report as markdown: environment, phases, the goals table, each phase's tables, failures. */
export function gpuCheckMarkdown(report: GpuCheckReport, tables: readonly string[]): string {
    const { phases, small } = report;
    const env = report.environment;
    const failed = Object.entries(phases).filter(([, p]) => p.error);
    return [
        `# tiercel GPU check — ${report.at}${small ? " (CPU rehearsal, small sizes)" : ""}`,
        "",
        `GPU: ${env.gpu ?? "none"}; driver ${env.driver ?? "?"}; ${env.cuda ?? ""}; backend: ${env.backend ?? "?"} (${env.build ?? ""}).`,
        `Host: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB. Versions: ${JSON.stringify(env.versions ?? {})}.`,
        report.largeTarget
            ? `Large target: Net2Net ×${report.largeTarget.width} widening of the bundled target with ${report.largeTarget.layers} blocks (6 real, the rest zero pass-through), ${(report.largeTarget.parameters / 1e9).toFixed(2)} B parameters, Q8_0, ${(report.largeTarget.bytes / 2 ** 30).toFixed(1)} GiB; written in ${report.largeTarget.writeSeconds.toFixed(0)} s. A cost stand-in: same greedy function as the bundled target.`
            : "Large target: not made.",
        `Phases (s): ${Object.entries(phases)
            .map(([name, p]) => `${name} ${p.seconds.toFixed(0)}${p.error ? " FAILED" : ""}`)
            .join(", ")}.`,
        "",
        goals(report),
        "",
        ...tables,
        ...(failed.length
            ? [
                  "",
                  "## Failures",
                  "",
                  ...failed.map(([name, p]) => `- ${name}: \`${p.error!.split("\n")[0]}\``),
              ]
            : []),
    ].join("\n");
}
