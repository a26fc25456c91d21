/**
 * Fill-in-the-middle under speculation: held-out code (models/eval/heldout-code.jsonl) cut at a line in its
 * middle, the text before as `prompt`, the text after as `suffix`, the line itself the expected middle;
 * each system (OFF, n-gram, draft model, AUTO) infills every item at temperature 0. Reports decode
 * tokens/s and × OFF, acceptance, how many answers equal OFF's (exactness: they all must), and single-line
 * exact match (the answer's first line equals the cut line, trimmed). Systems are interleaved item by item
 * so load drift on a shared machine hits all alike.
 *
 *   node --import tsx bench/e2e/fimSpeculation.ts [--target path] [--draft path] [--items 24] [--tokens 48]
 *
 * A target without FIM tokens is refused by the engine (E_FIM_UNSUPPORTED): the bench says so and exits 2.
 */
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { resolve } from "node:path";
import { option } from "../cli.js";
import { parseConfig } from "../../src/config/loadConfig.js";
import type { SpeculationMode } from "../../src/config/schema.js";
import { LocalEngine } from "../../src/engine/LocalEngine.js";
import { ServiceError } from "../../src/errors/ServiceError.js";
import { bundledModelPath } from "../../test/helpers/bundledModels.js";
import { benchGpu } from "../benchGpu.js";
import { benchThreads } from "../threads.js";

export interface FimItem {
    prefix: string;
    suffix: string;
    middle: string;
}

/** Cuts each code text at the non-blank line nearest its middle (texts with fewer than 3 lines are skipped). */
export function fimItems(texts: readonly string[]): FimItem[] {
    const items: FimItem[] = [];
    for (const text of texts) {
        const lines = text.split("\n");
        if (lines.length < 3) continue;
        let at = Math.floor(lines.length / 2);
        while (at < lines.length - 1 && lines[at]!.trim() === "") at++;
        if (lines[at]!.trim() === "") continue;
        items.push({
            prefix: lines.slice(0, at).join("\n") + "\n",
            middle: lines[at]!,
            suffix: "\n" + lines.slice(at + 1).join("\n"),
        });
    }
    return items;
}

const systems: { name: string; mode: SpeculationMode; k?: number }[] = [
    { name: "off", mode: "off" },
    { name: "ngram k=4", mode: "ngram", k: 4 },
    { name: "draft k=4", mode: "draft_model", k: 4 },
    { name: "auto", mode: "auto" },
];

if (import.meta.url === `file://${process.argv[1]}`) {
    const maxTokens = Number(option("--tokens", "48"));
    const texts = readFileSync(resolve(import.meta.dirname, "../../models/eval/heldout-code.jsonl"), "utf8")
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => (JSON.parse(l) as { prompt: string }).prompt);
    const items = fimItems(texts).slice(0, Number(option("--items", "24")));
    const engine = await LocalEngine.load(
        parseConfig({
            models: {
                target: { id: "target", path: option("--target", bundledModelPath("target")) },
                drafts: [{ id: "draft", path: option("--draft", bundledModelPath("draft")) }],
            },
            engine: {
                contextSize: 1024,
                sequences: 1,
                gpu: benchGpu,
                prefixReuse: false,
                threads: benchThreads,
            },
            speculation: { stateFile: null },
        }),
        "/",
    );
    const totals = new Map(
        systems.map((s) => [
            s.name,
            { tokens: 0, seconds: 0, drafted: 0, accepted: 0, exact: 0, sameAsOff: 0 },
        ]),
    );
    try {
        for (const [i, item] of items.entries()) {
            let offText: string | undefined;
            for (let j = 0; j < systems.length; j++) {
                // OFF first for each item (the others are compared with it), the rest rotating.
                const system = j === 0 ? systems[0]! : systems[1 + ((i + j - 1) % (systems.length - 1))]!;
                let text = "";
                for await (const chunk of engine.generate({
                    prompt: item.prefix,
                    suffix: item.suffix,
                    maxTokens,
                    speculation: { mode: system.mode, maxDraftTokens: system.k },
                })) {
                    text += chunk.text;
                    const stats = chunk.finish?.stats;
                    if (!stats) continue;
                    const t = totals.get(system.name)!;
                    if (stats.completionTokens >= 2) {
                        t.tokens += stats.completionTokens - 1;
                        t.seconds += (stats.completionTokens - 1) / stats.decodeTokensPerSecond;
                    }
                    t.drafted += stats.spec.draftTokens;
                    t.accepted += stats.spec.acceptedTokens;
                    if (text.split("\n")[0]!.trim() === item.middle.trim()) t.exact++;
                }
                if (system.mode === "off") offText = text;
                if (text === offText) totals.get(system.name)!.sameAsOff++;
            }
        }
    } catch (error) {
        if (error instanceof ServiceError && error.code === "E_FIM_UNSUPPORTED") {
            console.error(`the target has no fill-in-the-middle tokens: ${error.message}`);
            process.exit(2);
        }
        throw error;
    } finally {
        await engine.dispose();
    }
    console.log(
        `## Fill-in-the-middle under speculation: ${items.length} held-out items, ${maxTokens} tokens max, temperature 0\n\n` +
            `${benchGpu ? `GPU (${benchGpu})` : `CPU, threads ${benchThreads}`}, ${cpus().length} × ${cpus()[0]?.model ?? "?"}, load average ${loadavg()[0]!.toFixed(2)}\n`,
    );
    console.log("| system | tok/s | × OFF | acceptance | = OFF | single-line exact match |");
    console.log("| --- | --- | --- | --- | --- | --- |");
    const off = totals.get("off")!;
    for (const system of systems) {
        const t = totals.get(system.name)!;
        const tps = t.tokens / t.seconds;
        console.log(
            `| ${system.name} | ${tps.toFixed(1)} | ${(tps / (off.tokens / off.seconds)).toFixed(2)} | ${t.drafted > 0 ? (t.accepted / t.drafted).toFixed(2) : "–"} | ${t.sameAsOff}/${items.length} | ${t.exact}/${items.length} |`,
        );
    }
}
