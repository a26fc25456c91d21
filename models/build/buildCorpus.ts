/**
 * Assembles the code corpus our model pair is trained on, from sources that install on a
 * machine of the project's kind (no network beyond npm and Debian):
 *   - TypeScript / JavaScript from the project's own node_modules (after `npm ci`),
 *   - Python from the interpreter's standard library and site-packages.
 * Minified and generated files are dropped, exact duplicates removed, and a held-out split
 * (by a hash of the file's content, so it is stable across machines) is kept out of training.
 *
 * Output (gitignored): models/.cache/corpus/{manifest.json,train.txt,heldout.txt}. Documents are
 * separated by DOC_SEPARATOR, which the encoder turns into the end-of-text token.
 *
 *   node --import tsx models/build/buildCorpus.ts [--max-mb 120]
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync, mkdirSync, writeFileSync } from "node:fs";
import { join, extname, resolve } from "node:path";
import { execFileSync } from "node:child_process";

export const DOC_SEPARATOR = "\u0000";
export const corpusDir = resolve(import.meta.dirname, "../.cache/corpus");

const codeExtensions = new Set([".ts", ".mts", ".cts", ".js", ".mjs", ".cjs", ".py"]);
/** Held-out fraction: 1 in heldoutModulus documents. */
const heldoutModulus = 50;

function* walk(dir: string): Generator<string> {
    let entries;
    try {
        entries = readdirSync(dir, { withFileTypes: true });
    } catch {
        return;
    }
    for (const entry of entries) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) {
            if (entry.name === ".cache" || entry.name === "test" || entry.name === "__pycache__") continue;
            yield* walk(path);
        } else if (entry.isFile() && codeExtensions.has(extname(entry.name))) {
            yield path;
        }
    }
}

/** Rejects minified, generated and data-like files that would teach the model nothing about code. */
function looksLikeHandWrittenCode(text: string): boolean {
    if (text.length < 300 || text.length > 250_000) return false;
    const lines = text.split("\n");
    let longest = 0;
    for (const line of lines) longest = Math.max(longest, line.length);
    if (longest > 400) return false;
    if (text.length / lines.length > 90) return false;
    // Source maps and base64 blobs.
    if (/sourceMappingURL=data:|[A-Za-z0-9+/]{200}/.test(text)) return false;
    return true;
}

function pythonRoots(): string[] {
    const out = execFileSync("python3", ["-c", "import sysconfig;print(sysconfig.get_paths()['stdlib'])"], {
        encoding: "utf8",
    });
    return [out.trim()];
}

export function buildCorpus(maxBytes: number): { train: number; heldout: number; files: number } {
    const roots = [resolve(import.meta.dirname, "../../node_modules"), ...pythonRoots()];
    const seen = new Set<string>();
    const train: string[] = [];
    const heldout: string[] = [];
    let total = 0;
    let files = 0;
    const perLanguageLimit = maxBytes / roots.length;
    for (const root of roots) {
        let rootBytes = 0;
        for (const path of walk(root)) {
            if (rootBytes >= perLanguageLimit) break;
            if (statSync(path).size > 250_000) continue;
            const text = readFileSync(path, "utf8").replace(/\r\n/g, "\n").replaceAll(DOC_SEPARATOR, "");
            if (!looksLikeHandWrittenCode(text)) continue;
            const digest = createHash("sha256").update(text).digest();
            const key = digest.toString("hex");
            if (seen.has(key)) continue;
            seen.add(key);
            (digest.readUInt32BE(0) % heldoutModulus === 0 ? heldout : train).push(text);
            rootBytes += text.length;
            files++;
        }
        total += rootBytes;
    }
    mkdirSync(corpusDir, { recursive: true });
    writeFileSync(join(corpusDir, "train.txt"), train.join(DOC_SEPARATOR));
    writeFileSync(join(corpusDir, "heldout.txt"), heldout.join(DOC_SEPARATOR));
    const manifest = { roots, files, bytes: total, trainDocs: train.length, heldoutDocs: heldout.length };
    writeFileSync(join(corpusDir, "manifest.json"), JSON.stringify(manifest, null, 2));
    return { train: train.length, heldout: heldout.length, files };
}

if (import.meta.filename === process.argv[1]) {
    const i = process.argv.indexOf("--max-mb");
    const maxMb = i > 0 ? Number(process.argv[i + 1]) : 120;
    console.log(buildCorpus(maxMb * 1024 * 1024));
}
