/**
 * Which CPU build of llama.cpp verifies and batches fastest here: node-llama-cpp's prebuilt binary
 * against source builds of its bundled llama.cpp made by `native/build-cpu.sh <profile>` (one
 * `native/profiles/<profile>.env` each). For every profile a child process runs with that profile's
 * NODE_LLAMA_CPP_CMAKE_OPTION_* variables (the only way node-llama-cpp finds a source build; without them
 * it silently loads the prebuilt binary, so the child checks which build it got and fails otherwise),
 * loads the cost-scaled target in each quantization and measures:
 *
 *  - the verify curve: one `controlledEvaluate` of n = 1…9 tokens with the next token at every position
 *    (what a speculative step of k = n − 1 drafts pays), median of --repeats, n interleaved;
 *  - S = 1, 2, 4, 8 sequences of one context decoding one token each, submitted together (what S
 *    concurrent streams without speculation pay a step): aggregate tokens/s over one sequence's.
 *
 * Profiles take turns within each of --rounds rounds (the order rotating), so load drift falls on all of
 * them alike; the report gives medians over rounds, and each profile's figures over the prebuilt
 * binary's from the same rounds. Writes bench/results/buildProfiles.md (and .json beside it).
 *
 *   for p in native/profiles/cpu-*.env; do native/build-cpu.sh "$(basename "$p" .env)"; done
 *   npm run bench:builds -- [--profiles prebuilt,cpu-safe,…] [--types Q8_0,Q4_0,BF16]
 *        [--rounds 3] [--repeats 5]
 *
 * (The first build takes ~4 min on 2 cores, each next one under a minute with ccache.) --profiles defaults
 * to the prebuilt binary and every native/profiles/cpu-*.env.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { getLlama, type ControlledEvaluateInputItem, type Token } from "node-llama-cpp";
import {
    widenedTargetPath,
    widenTarget,
    widenedTypes,
    type WidenedType,
} from "../../models/build/widenTarget.js";
import { benchThreads } from "../threads.js";
import { median } from "../percentile.js";

const lengths = [1, 2, 3, 4, 5, 6, 7, 8, 9];
const streamCounts = [1, 2, 4, 8];
const profilesDir = resolve(import.meta.dirname, "../../native/profiles");

/** One child's figures for one quantization. */
interface TypeFigures {
    /** Median ms of a verify pass of n = 1…9 tokens. */
    verifyMs: number[];
    /** Median ms of one step of S = 1, 2, 4, 8 sequences, one token each. */
    stepMs: number[];
}

interface ChildResult {
    profile: string;
    buildType: string;
    systemInfo: string;
    types: Partial<Record<WidenedType, TypeFigures>>;
}

/** NODE_LLAMA_CPP_CMAKE_OPTION_* for a profile, read as native/lib.sh reads it (KEY=VALUE lines). */
function profileEnvironment(profile: string): Record<string, string> {
    if (profile === "prebuilt") return {};
    const file = resolve(profilesDir, `${profile}.env`);
    if (!existsSync(file)) throw new Error(`no profile ${profile}: ${file} does not exist`);
    const env: Record<string, string> = {};
    for (const line of readFileSync(file, "utf8").split("\n")) {
        const text = line.trim();
        if (text === "" || text.startsWith("#")) continue;
        const eq = text.indexOf("=");
        env[`NODE_LLAMA_CPP_CMAKE_OPTION_${text.slice(0, eq)}`] = text.slice(eq + 1);
    }
    return env;
}

async function measure(profile: string, types: WidenedType[], repeats: number): Promise<ChildResult> {
    const llama = await getLlama({ gpu: false, build: "never", logLevel: "error" as never });
    const wanted = profile === "prebuilt" ? "prebuilt" : "localBuild";
    if (llama.buildType !== wanted)
        throw new Error(
            `profile ${profile} loaded a ${llama.buildType} binary, not a ${wanted} one: ` +
                `build it first with native/build-cpu.sh ${profile}`,
        );
    const result: ChildResult = {
        profile,
        buildType: llama.buildType,
        systemInfo: llama.systemInfo,
        types: {},
    };
    try {
        for (const type of types) {
            const model = await llama.loadModel({ modelPath: widenedTargetPath(6, type) });
            const maxStreams = Math.max(...streamCounts);
            const context = await model.createContext({
                contextSize: 256 * maxStreams,
                sequences: maxStreams,
                threads: benchThreads,
            });
            const sequences = Array.from({ length: maxStreams }, () => context.getSequence());
            const token = (model.tokens.bos ?? 0) as Token;
            const item: ControlledEvaluateInputItem = [token, { generateNext: { token: true } }];
            const prompt = model.tokenize("export function parseConfig(text: string): Config {\n");
            for (const s of sequences) await s.evaluateWithoutGeneratingNewTokens(prompt);
            /** Evaluates n tokens after the prompt on each of the sequences at once, then erases them. */
            const step = async (group: typeof sequences, n: number): Promise<number> => {
                const t0 = performance.now();
                await Promise.all(
                    group.map((s) => s.controlledEvaluate(Array.from({ length: n }, () => item))),
                );
                const ms = performance.now() - t0;
                for (const s of group)
                    await s.eraseContextTokenRanges([{ start: prompt.length, end: s.nextTokenIndex }]);
                return ms;
            };
            await step(sequences, 2); // first-call allocations
            const verify = lengths.map(() => [] as number[]);
            const steps = streamCounts.map(() => [] as number[]);
            for (let r = 0; r < repeats; r++) {
                for (const [i, n] of lengths.entries()) verify[i]!.push(await step(sequences.slice(0, 1), n));
                for (const [i, s] of streamCounts.entries())
                    steps[i]!.push(await step(sequences.slice(0, s), 1));
            }
            result.types[type] = { verifyMs: verify.map(median), stepMs: steps.map(median) };
            await context.dispose();
            await model.dispose();
        }
    } finally {
        await llama.dispose();
    }
    return result;
}

const { values } = parseArgs({
    options: {
        profiles: { type: "string" },
        types: { type: "string", default: widenedTypes.join(",") },
        rounds: { type: "string", default: "3" },
        repeats: { type: "string", default: "5" },
        child: { type: "string" },
        out: { type: "string", default: resolve(import.meta.dirname, "../results/buildProfiles") },
    },
});
const types = values.types.split(",") as WidenedType[];

if (values.child) {
    const result = await measure(values.child, types, Number(values.repeats));
    console.log(JSON.stringify(result));
} else {
    // By default the prebuilt binary and every CPU profile (each built first with native/build-cpu.sh).
    const profiles = values.profiles?.split(",") ?? [
        "prebuilt",
        ...readdirSync(profilesDir)
            .filter((f) => f.startsWith("cpu-") && f.endsWith(".env"))
            .map((f) => f.slice(0, -".env".length))
            .sort(),
    ];
    if (profiles[0] !== "prebuilt") throw new Error("--profiles must start with prebuilt (the reference)");
    for (const p of profiles) profileEnvironment(p); // fail early on a missing profile file
    for (const type of types) if (!existsSync(widenedTargetPath(6, type))) await widenTarget(6, type);
    const load = loadavg().map((x) => x.toFixed(1));
    const runs = new Map<string, ChildResult[]>(profiles.map((p) => [p, []]));
    const rounds = Number(values.rounds);
    for (let r = 0; r < rounds; r++) {
        for (let i = 0; i < profiles.length; i++) {
            const profile = profiles[(i + r) % profiles.length]!;
            // Only the profile's own cmake options: none left over from the environment this bench runs in.
            const env = Object.fromEntries(
                Object.entries(process.env).filter(
                    ([key]) => !key.startsWith("NODE_LLAMA_CPP_CMAKE_OPTION_"),
                ),
            );
            const out = execFileSync(
                process.execPath,
                [
                    "--import",
                    "tsx",
                    import.meta.filename,
                    "--child",
                    profile,
                    "--types",
                    values.types,
                    "--repeats",
                    values.repeats,
                ],
                {
                    env: { ...env, ...profileEnvironment(profile) },
                    encoding: "utf8",
                    stdio: ["ignore", "pipe", "inherit"],
                },
            );
            const result = JSON.parse(out.trim().split("\n").at(-1)!) as ChildResult;
            runs.get(profile)!.push(result);
            console.error(`round ${r + 1}/${rounds}: ${profile} done`);
        }
    }
    const lines = buildProfilesReport(profiles, types, runs, load);
    console.log(lines.join("\n"));
    writeFileSync(`${values.out}.md`, `${lines.join("\n")}\n`);
    writeFileSync(`${values.out}.json`, `${JSON.stringify(Object.fromEntries(runs), null, 1)}\n`);
}

/** The report: per quantization, each profile's curve and batch scaling, medians over rounds. */
function buildProfilesReport(
    profiles: string[],
    types: WidenedType[],
    runs: Map<string, ChildResult[]>,
    load: string[],
): string[] {
    const figure = (profile: string, type: WidenedType, pick: (f: TypeFigures) => number): number =>
        median(runs.get(profile)!.map((r) => pick(r.types[type]!)));
    const lines = [
        `# CPU builds of llama.cpp: verify curve and batch scaling (${new Date().toISOString()})`,
        "",
        `CPU: ${cpus()[0]?.model} × ${cpus().length}; engine threads ${benchThreads}; load average at start ` +
            `${load.join(" ")}; node-llama-cpp ${nodeLlamaCppVersion()}; cost-scaled target (×6 widening of the ` +
            `bundled target). Medians over ${runs.get(profiles[0]!)!.length} rounds, profiles taking turns.`,
        "",
        "Builds (llama.cpp's system info as loaded):",
        "",
        ...profiles.map((p) => `- **${p}**: \`${runs.get(p)![0]!.systemInfo.trim()}\``),
    ];
    for (const type of types) {
        lines.push(
            "",
            `## ${type}`,
            "",
            "| build | verify(1) ms | verify(n) ÷ verify(1), n = 2 … 9 | best tokens per pass-time, k+1 = n | 8 sequences × 1 token: aggregate ÷ 1 sequence | verify(1) × prebuilt |",
            "| --- | --- | --- | --- | --- | --- |",
        );
        const ref = figure("prebuilt", type, (f) => f.verifyMs[0]!);
        for (const p of profiles) {
            const curve = lengths.map((_, i) => figure(p, type, (f) => f.verifyMs[i]!));
            const one = curve[0]!;
            // At perfect acceptance a pass of n tokens yields n: the cap on any drafter's speedup.
            const cap = Math.max(...curve.map((ms, i) => (i + 1) / (ms / one)));
            const eight = figure(p, type, (f) => (8 * f.stepMs[0]!) / f.stepMs[streamCounts.indexOf(8)]!);
            lines.push(
                `| ${p} | ${one.toFixed(1)} | ${curve
                    .slice(1)
                    .map((ms) => (ms / one).toFixed(2))
                    .join(" / ")} | ${cap.toFixed(2)}× | ${eight.toFixed(2)}× | ${(ref / one).toFixed(2)}× |`,
            );
        }
    }
    return lines;
}

function nodeLlamaCppVersion(): string {
    const file = resolve(import.meta.dirname, "../../node_modules/node-llama-cpp/package.json");
    return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
}
