/**
 * Where a speculative step's time goes, below the engine: node-llama-cpp's `controlledEvaluate` on one
 * sequence, split into the native decode (timed around the context's own `decodeBatch`) and the rest
 * (per-position sampling on the libuv pool, node-llama-cpp's queueing, promise hops). It answers what
 * the engine's cost curve cannot tell apart:
 *
 *  - a verify pass of n tokens with the next token asked at every position (as the engine verifies),
 *    against the same pass asking only at the last position: the difference is the per-position cost;
 *  - one draft-model token (decode plus one sampled position), and a 4-token proposal through the engine's
 *    own drafter (DraftModelProposer with its PassBatcher: what the engine's cost curve calls a draft);
 *  - S sequences decoding one token each, submitted together (S concurrent streams without speculation):
 *    how many native decodes that takes, and what each costs.
 *
 * Decodes are counted and timed by test/helpers/countNativeDecodes.ts (observing the context's native
 * handle, a measurement-only device: node-llama-cpp exposes no per-decode timing; nothing in src/ does this).
 *
 *   node --import tsx bench/e2e/passAnatomy.ts [--target path] [--draft path] [--repeats 20] [--json file]
 *   (TIERCEL_BENCH_GPU=cuda for the GPU)
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { getLlama, type LlamaContextSequence, type LlamaModel, type Token } from "node-llama-cpp";
import { DraftModelProposer } from "../../src/engine/DraftModelProposer.js";
import { PassBatcher } from "../../src/engine/PassBatcher.js";
import type { Token as EngineToken } from "../../src/speculative/types.js";
import { bundledModelPath } from "../../test/helpers/bundledModels.js";
import { countNativeDecodes, type DecodeCounts } from "../../test/helpers/countNativeDecodes.js";
import { benchGpu } from "../benchGpu.js";
import { benchThreads } from "../threads.js";
import { median } from "../percentile.js";

export interface PassAnatomy {
    device: string;
    /** Per pass size n: wall ms with the next token asked at every position / at the last only, and the native decode ms. */
    verify: {
        tokens: number;
        wallAllMs: number;
        wallLastMs: number;
        decodeMs: number;
        perPositionMs: number;
    }[];
    draftToken: { wallMs: number; decodeMs: number };
    /** A 4-token proposal through DraftModelProposer: wall ms, native decode ms, decodes. */
    draftProposal: { wallMs: number; decodeMs: number; decodes: number };
    streams: { sequences: number; wallMs: number; decodes: number; decodeMs: number; perTokenMs: number }[];
    table: string;
}

/** Evaluates `tokens` after the sequence's context and erases them again; returns wall and decode ms. */
async function pass(
    sequence: LlamaContextSequence,
    m: DecodeCounts,
    tokens: Token[],
    askAll: boolean,
): Promise<{ wall: number; decode: number }> {
    const start = sequence.nextTokenIndex;
    const before = m.ms;
    const t0 = performance.now();
    await sequence.controlledEvaluate(
        tokens.map((t, i) =>
            askAll || i === tokens.length - 1 ? [t, { generateNext: { token: true } }] : t,
        ),
    );
    const wall = performance.now() - t0;
    const decode = m.ms - before;
    await sequence.eraseContextTokenRanges([{ start, end: sequence.nextTokenIndex }]);
    return { wall, decode };
}

export async function runPassAnatomy({
    targetPath = bundledModelPath("target"),
    draftPath = bundledModelPath("draft"),
    repeats = 20,
    streams = [1, 8, 32],
}: {
    targetPath?: string;
    draftPath?: string;
    repeats?: number;
    streams?: number[];
} = {}): Promise<PassAnatomy> {
    const llama = await getLlama({ gpu: benchGpu, build: "never" });
    const maxStreams = Math.max(...streams);
    const load = (modelPath: string): Promise<LlamaModel> => llama.loadModel({ modelPath });
    const target = await load(targetPath);
    const draft = await load(draftPath);
    const context = await target.createContext({
        contextSize: 512,
        sequences: maxStreams,
        threads: benchThreads,
    });
    const draftContext = await draft.createContext({ contextSize: 512, sequences: 2, threads: benchThreads });
    try {
        const m = countNativeDecodes(context);
        const dm = countNativeDecodes(draftContext);
        const prompt = target.tokenize(
            "export function parseConfig(text: string): Config {\n    const lines = text.split(",
        );
        const filler = target.tokenize(" value").slice(0, 1);
        const seq = context.getSequence();
        await seq.evaluateWithoutGeneratingNewTokens(prompt);
        const verify: PassAnatomy["verify"] = [];
        for (const n of [1, 2, 5, 9]) {
            const tokens = Array<Token>(n).fill(filler[0]!);
            await pass(seq, m, tokens, true); // warm-up
            const all: number[] = [];
            const last: number[] = [];
            const decode: number[] = [];
            for (let r = 0; r < repeats; r++) {
                const a = await pass(seq, m, tokens, true);
                const b = await pass(seq, m, tokens, false);
                all.push(a.wall);
                last.push(b.wall);
                decode.push(a.decode, b.decode);
            }
            const wallAllMs = median(all);
            const wallLastMs = median(last);
            verify.push({
                tokens: n,
                wallAllMs,
                wallLastMs,
                decodeMs: median(decode),
                perPositionMs: n > 1 ? (wallAllMs - wallLastMs) / (n - 1) : 0,
            });
        }
        const dseq = draftContext.getSequence();
        await dseq.evaluateWithoutGeneratingNewTokens(
            draft.tokenize("export function parseConfig(text: string) {"),
        );
        const dWall: number[] = [];
        const dDecode: number[] = [];
        await pass(dseq, dm, filler, true);
        for (let r = 0; r < repeats; r++) {
            const p = await pass(dseq, dm, filler, true);
            dWall.push(p.wall);
            dDecode.push(p.decode);
        }
        // A proposal as the engine makes one: the drafter erases what the last proposal drafted and drafts
        // again from the same history (its last token not yet evaluated), 4 tokens, no confidence stop.
        const proposer = new DraftModelProposer(
            "draft",
            draftContext.getSequence(),
            { minConfidence: 0 },
            new PassBatcher(9),
            1,
        );
        const history = [
            ...draft.tokenize("export function parseConfig(text: string) {"),
            filler[0]!,
        ] as EngineToken[];
        await proposer.propose(history, 4, undefined, 0);
        const pWall: number[] = [];
        const pDecode: number[] = [];
        const pDecodes: number[] = [];
        for (let r = 0; r < repeats; r++) {
            const d0 = dm.decodes;
            const ms0 = dm.ms;
            const t0 = performance.now();
            await proposer.propose(history, 4, undefined, 0);
            pWall.push(performance.now() - t0);
            pDecode.push(dm.ms - ms0);
            pDecodes.push(dm.decodes - d0);
        }
        const draftProposal = { wallMs: median(pWall), decodeMs: median(pDecode), decodes: median(pDecodes) };
        const others = Array.from({ length: maxStreams - 1 }, () => context.getSequence());
        const all = [seq, ...others];
        for (const s of others) await s.evaluateWithoutGeneratingNewTokens(prompt);
        const streamRows: PassAnatomy["streams"] = [];
        for (const n of streams) {
            const group = all.slice(0, n);
            const walls: number[] = [];
            const decodes: number[] = [];
            const decodeMs: number[] = [];
            for (let r = 0; r < Math.max(5, repeats / 2); r++) {
                const d0 = m.decodes;
                const ms0 = m.ms;
                const t0 = performance.now();
                await Promise.all(group.map((s) => pass(s, m, filler, true)));
                walls.push(performance.now() - t0);
                decodes.push(m.decodes - d0);
                decodeMs.push(m.ms - ms0);
            }
            const wallMs = median(walls);
            streamRows.push({
                sequences: n,
                wallMs,
                decodes: median(decodes),
                decodeMs: median(decodeMs),
                perTokenMs: wallMs / n,
            });
        }
        const device = benchGpu ? `GPU (${benchGpu})` : `CPU (${benchThreads} threads)`;
        const draftToken = { wallMs: median(dWall), decodeMs: median(dDecode) };
        const f = (x: number): string => x.toFixed(2);
        const table = [
            `## Pass anatomy: node-llama-cpp controlledEvaluate on one sequence, ${device}, median of ${repeats}`,
            "",
            "| pass | wall ms, next token at every position | wall ms, at the last only | native decode ms | per extra asked position ms |",
            "| --- | --- | --- | --- | --- |",
            ...verify.map(
                (v) =>
                    `| target, ${v.tokens} token${v.tokens > 1 ? "s" : ""} | ${f(v.wallAllMs)} | ${f(v.wallLastMs)} | ${f(v.decodeMs)} | ${v.tokens > 1 ? f(v.perPositionMs) : "–"} |`,
            ),
            `| draft model, 1 token | ${f(draftToken.wallMs)} | – | ${f(draftToken.decodeMs)} | – |`,
            `| draft model, 4-token proposal through the engine's drafter (${draftProposal.decodes} decodes) | ${f(draftProposal.wallMs)} | – | ${f(draftProposal.decodeMs)} | – |`,
            "",
            "| sequences, 1 token each, submitted together | wall ms | native decodes | native decode ms | wall ms per token |",
            "| --- | --- | --- | --- | --- |",
            ...streamRows.map(
                (s) =>
                    `| ${s.sequences} | ${f(s.wallMs)} | ${s.decodes} | ${f(s.decodeMs)} | ${f(s.perTokenMs)} |`,
            ),
        ].join("\n");
        return { device, verify, draftToken, draftProposal, streams: streamRows, table };
    } finally {
        await draftContext.dispose();
        await context.dispose();
        await draft.dispose();
        await target.dispose();
    }
}

if (import.meta.url === `file://${process.argv[1]}`) {
    const { values } = parseArgs({
        options: {
            target: { type: "string" },
            draft: { type: "string" },
            repeats: { type: "string", default: "20" },
            json: { type: "string" },
        },
    });
    const result = await runPassAnatomy({
        targetPath: values.target,
        draftPath: values.draft,
        repeats: Number(values.repeats),
    });
    console.log(result.table);
    if (values.json) writeFileSync(values.json, JSON.stringify(result) + "\n");
}
