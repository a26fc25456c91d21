/** The committed model pair (models/manifest.json) and its held-out evaluation prompts. */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

export const modelsDir = resolve(import.meta.dirname, "../../models");

interface ManifestEntry {
    id: string;
    role: "target" | "draft";
    file: string;
    sha256: string;
}

export function bundledModel(role: "target" | "draft"): ManifestEntry {
    const manifest = JSON.parse(readFileSync(resolve(modelsDir, "manifest.json"), "utf8")) as {
        models: ManifestEntry[];
    };
    const entry = manifest.models.find((m) => m.role === role);
    if (!entry) throw new Error(`models/manifest.json has no ${role}`);
    return entry;
}

export function bundledModelPath(role: "target" | "draft"): string {
    return resolve(modelsDir, bundledModel(role).file);
}

export interface EvalPrompt {
    language: string;
    prompt: string;
    reference: string;
}

export function readEvalPrompts(): EvalPrompt[] {
    return readFileSync(resolve(modelsDir, "eval/heldout-code.jsonl"), "utf8")
        .split("\n")
        .filter((l) => l.length > 0)
        .map((l) => JSON.parse(l) as EvalPrompt);
}
