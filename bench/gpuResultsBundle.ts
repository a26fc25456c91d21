/**
 * The GPU check's results as one file. A device call returns at most 8 files from $OUT, and a call that
 * runs the check several times (tags, load modes) writes two or more result files per run, plus the
 * load phase's own: the earlier session's second call lost its tables to that limit. So the check keeps
 * every result file of the call in one JSON bundle in $OUT (`gpu-check-results.json`, rewritten after
 * every phase, so a call cut short still returns what it had), and `unpack` writes them back here:
 *
 *   node --import tsx bench/gpuResultsBundle.ts /work/.device/N/gpu-check-results.json [bench/results]
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import { pathToFileURL } from "node:url";

export const bundleName = "gpu-check-results.json";

export interface ResultsBundle {
    /** File name (no folders) → its text, in the order first added. */
    files: Record<string, string>;
}

/** A file name the bundle may hold: a plain name, no folders, nothing hidden. */
export function isBundleName(name: string): boolean {
    return /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) && name === basename(name);
}

/** Reads a bundle; a missing file is an empty bundle, anything not shaped like one is an error. */
export function readBundle(path: string): ResultsBundle {
    if (!existsSync(path)) return { files: {} };
    const parsed = JSON.parse(readFileSync(path, "utf8")) as unknown;
    const files = (parsed as { files?: unknown } | null)?.files;
    if (typeof files !== "object" || files === null || Array.isArray(files))
        throw new Error(`${path} is not a GPU results bundle (no "files" object)`);
    for (const [name, text] of Object.entries(files))
        if (!isBundleName(name) || typeof text !== "string")
            throw new Error(`${path}: entry "${name}" is not a plain file name with text`);
    return { files: files as Record<string, string> };
}

/**
 * Adds (or replaces) the files `names` of `dir` that exist to the bundle at `path` and rewrites it;
 * returns the names added.
 */
export function addToBundle(path: string, dir: string, names: readonly string[]): string[] {
    const bundle = readBundle(path);
    const added: string[] = [];
    for (const name of names) {
        if (!isBundleName(name)) throw new Error(`"${name}" is not a plain file name`);
        const file = resolve(dir, name);
        if (!existsSync(file)) continue;
        bundle.files[name] = readFileSync(file, "utf8");
        added.push(name);
    }
    writeFileSync(path, JSON.stringify(bundle) + "\n");
    return added;
}

/** Writes every file of the bundle at `path` into `dir`; returns the names written. */
export function unpackBundle(path: string, dir: string): string[] {
    if (!existsSync(path)) throw new Error(`no bundle at ${path}`);
    const { files } = readBundle(path);
    mkdirSync(dir, { recursive: true });
    for (const [name, text] of Object.entries(files)) writeFileSync(resolve(dir, name), text);
    return Object.keys(files);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
    const [path, dir = resolve(import.meta.dirname, "results")] = process.argv.slice(2);
    if (!path) {
        console.error("usage: node --import tsx bench/gpuResultsBundle.ts <gpu-check-results.json> [dir]");
        process.exit(2);
    }
    for (const name of unpackBundle(path, dir)) console.log(`wrote ${resolve(dir, name)}`);
}
