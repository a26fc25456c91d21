/**
 * KV caches of conversations pushed out of every sequence, kept in host memory (files in a private
 * directory, llama.cpp's sequence state format) and loaded back when the conversation returns.
 *
 * A slot holds one conversation. When more sessions are active than there are sequences (a platform
 * team's agents, a fleet of sub-agents), each turn takes the least recently used sequence and every
 * returning turn evaluated its whole conversation again, keeping only a prompt prefix shared with some
 * other slot. Loading the saved state instead costs a file read of the KV cells: on the bundled target
 * (7.7 kB a token, 2-vCPU EPYC) 10–20 ms for 5,800 tokens that took 5.7 s to evaluate, and ~30–60 ms to
 * save. llama.cpp's server keeps such a host-RAM prompt cache too (`--cache-ram`).
 *
 * Contract:
 * - An entry is a conversation's tokens, its cache scope (entries are matched within one scope only,
 *   like the sequences' caches), and the files holding the target's state and each draft model's.
 * - `match` finds the entry sharing the longest prefix with a prompt; `wants` says whether a slot's cache
 *   is worth saving (long enough, and not already held whole by an entry); `add` makes an entry visible
 *   once all its files are written, dropping entries its tokens extend (they hold nothing more).
 * - Entries are evicted least recently used first (added or matched counts as used) to keep the files
 *   under `maxBytes`; an entry being restored is pinned, and its files are deleted only after the restore.
 *
 * Its own small LRU rather than lru-cache: a pinned entry must outlive its eviction until its restore ends,
 * and lru-cache disposes of an evicted value at once.
 */
import { mkdtemp, readdir, rm, unlink } from "node:fs/promises";
import { join } from "node:path";
import { commonPrefixLength } from "../speculative/commonPrefixLength.js";
import type { Token } from "../speculative/types.js";
import { ConfigError } from "../errors/ServiceError.js";
import { HostCacheCosts } from "./HostCacheCosts.js";
import { PrefixBlockIndex, prefixBlockTokens } from "./PrefixBlockIndex.js";

export interface HostKvEntry {
    readonly id: number;
    readonly scope: string;
    /** The target tokens whose KV state the entry's target file holds. */
    readonly tokens: readonly Token[];
    /** Of those, the leading ones that were the last request's prompt (the rest is its answer). */
    readonly prompt: number;
    /** The target's state file; draft models' files by draft id (only those that held something). */
    readonly targetFile: string;
    readonly draftFiles: ReadonlyMap<string, string>;
    readonly bytes: number;
    readonly targetBytes: number;
}

/** What a slot wrote for `HostKvCache.add`. */
export interface SavedState {
    readonly targetFile: string;
    readonly draftFiles: ReadonlyMap<string, string>;
    /** All files' bytes, and the target file's. */
    readonly bytes: number;
    readonly targetBytes: number;
}

/** What the cache holds, and the costs it decides by (HostCacheCosts.ts; absent until measured). */
export interface HostKvCacheUsage {
    readonly bytes: number;
    readonly entries: number;
    /** ms to evaluate a prompt token, and to save one and load it back. */
    readonly evalMsPerToken?: number;
    readonly roundTripMsPerToken?: number;
    /** Since start: saves and loads by how they ended, and entries evicted to stay under maxBytes. */
    readonly saves: { readonly ok: number; readonly failed: number };
    readonly loads: { readonly ok: number; readonly failed: number };
    readonly evictions: number;
}

export interface HostKvCacheOptions {
    /** Directory in which the cache makes its own private directory. */
    readonly dir: string;
    /** Bytes of files kept at most. */
    readonly maxBytes: number;
    /** Conversations shorter than this are not saved, and a restore must gain at least this much. */
    readonly minTokens: number;
}

export class HostKvCache {
    /** Least recently used first (Map order: re-inserted on use). */
    readonly #entries = new Map<number, HostKvEntry>();
    /** The entries by their prefixes' block hashes (PrefixBlockIndex.ts). */
    readonly #index = new PrefixBlockIndex<HostKvEntry>();
    /** Entries being restored, with how many restores hold each. */
    readonly #pinned = new Map<number, number>();
    /** Evicted while pinned: their files are deleted when the last restore ends. */
    readonly #evictedPinned = new Set<HostKvEntry>();
    #bytes = 0;
    #nextId = 0;
    #disposed = false;
    /** Saves are failing (the directory gone, the disk full): warned once until one succeeds. */
    #failing = false;
    readonly #saves = { ok: 0, failed: 0 };
    readonly #loads = { ok: 0, failed: 0 };
    #evictions = 0;

    private constructor(
        /** The cache's private directory (mode 0700: other users cannot read prompts' KV states). */
        readonly path: string,
        readonly maxBytes: number,
        readonly minTokens: number,
        /** Measured costs of saving, loading and evaluating, for prepareSlot's decisions. */
        readonly costs: HostCacheCosts,
    ) {}

    /**
     * Makes the cache's private directory in `options.dir` (named after this process), first removing
     * directories there that processes no longer running left (a crash skips dispose: a crash-looping
     * server would otherwise fill the disk, up to `maxBytes` a start). A `dir` that cannot hold one is
     * a ConfigError naming `engine.hostCache.dir`.
     */
    static async create(options: HostKvCacheOptions, costs = new HostCacheCosts()): Promise<HostKvCache> {
        let path: string;
        try {
            await removeOrphans(options.dir);
            path = await mkdtemp(join(options.dir, `${dirPrefix}${process.pid}-`));
        } catch (cause) {
            throw new ConfigError(
                `engine.hostCache.dir: cannot make the host KV cache's directory in ${options.dir} ` +
                    `(${(cause as Error).message}); set it to a writable directory, or engine.hostCache.maxBytes to 0`,
                { cause },
            );
        }
        livePaths.add(path);
        return new HostKvCache(path, options.maxBytes, options.minTokens, costs);
    }

    /** Bytes of the entries' files, how many entries there are, and the measured costs. */
    get usage(): HostKvCacheUsage {
        const { costs } = this;
        const evalMsPerToken = costs.evalMsPerToken;
        const roundTripMsPerToken = costs.roundTripMs(1);
        return {
            bytes: this.#bytes,
            entries: this.#entries.size,
            ...(evalMsPerToken !== undefined && { evalMsPerToken }),
            ...(roundTripMsPerToken !== undefined && { roundTripMsPerToken }),
            saves: { ...this.#saves },
            loads: { ...this.#loads },
            evictions: this.#evictions,
        };
    }

    /** A fresh file path prefix for a slot's state files. */
    nextBase(): string {
        return join(this.path, String(this.#nextId++));
    }

    /**
     * The entry of `scope` sharing the longest prefix with `tokens` (at most all but the last token: the
     * last is evaluated for the next-token distribution), when that prefix is at least `minTokens`.
     */
    match(tokens: readonly Token[], scope: string): { entry: HostKvEntry; common: number } | undefined {
        const limit = tokens.length - 1;
        let best: HostKvEntry | undefined;
        let bestCommon = this.minTokens - 1;
        let vouched = 0;
        for (const { depth, items } of this.#index.byDepth(scope, tokens, limit)) {
            // Entries first found here share fewer than depth + 1 blocks: they cannot do better.
            if (bestCommon >= (depth + 1) * prefixBlockTokens - 1) break;
            const blocks = depth * prefixBlockTokens;
            for (const entry of items) {
                // The hashes vouch for the first `depth` blocks: compare from there.
                const common = commonPrefixLength(entry.tokens, tokens, limit, blocks);
                if (common > bestCommon) [best, bestCommon, vouched] = [entry, common, blocks];
            }
        }
        // What the hashes vouched for is compared once, for the entry chosen; a collision falls back to a
        // scan, as does a prefix too short to fill a block when minTokens allows one.
        const exact = best !== undefined && commonPrefixLength(best.tokens, tokens, vouched) === vouched;
        if (exact || (best === undefined && this.minTokens >= prefixBlockTokens))
            return best && { entry: best, common: bestCommon };
        return this.#scan(tokens, scope);
    }

    /** Whether a slot holding `tokens` of `scope` is worth saving: long enough, and no entry holds them all. */
    wants(tokens: readonly Token[], scope: string): boolean {
        if (this.#disposed || tokens.length < this.minTokens) return false;
        const blocks = Math.floor(tokens.length / prefixBlockTokens);
        const holds = (entry: HostKvEntry) =>
            entry.scope === scope &&
            entry.tokens.length >= tokens.length &&
            commonPrefixLength(entry.tokens, tokens) === tokens.length;
        // An entry holding all of them is listed under all of their full blocks.
        const first = this.#index.byDepth(scope, tokens, tokens.length).next();
        const deepest = first.done ? undefined : first.value;
        const candidates =
            blocks === 0 ? this.#entries.values() : deepest?.depth === blocks ? deepest.items : [];
        for (const entry of candidates) if (holds(entry)) return false;
        return true;
    }

    /** `match` by comparing every entry of `scope`. */
    #scan(tokens: readonly Token[], scope: string): { entry: HostKvEntry; common: number } | undefined {
        let best: HostKvEntry | undefined;
        let bestCommon = this.minTokens - 1;
        for (const entry of this.#entries.values()) {
            if (entry.scope !== scope) continue;
            const common = commonPrefixLength(entry.tokens, tokens, tokens.length - 1);
            if (common > bestCommon) [best, bestCommon] = [entry, common];
        }
        return best && { entry: best, common: bestCommon };
    }

    /**
     * Makes a saved state (`tokens`, of which the first `prompt` were its last request's prompt) an entry,
     * the most recently used. Entries of `scope` the new one continues are dropped: it holds all of their
     * prompt (but perhaps its last token), so all they hold beyond it is an earlier answer, which the next
     * turn re-rendered (an answer's tokens as generated need not be its tokens as the chat template renders
     * it, so a conversation's later entry seldom extends its earlier one exactly). Files of a state larger
     * than the whole cache, or added after dispose, are deleted.
     */
    add(scope: string, tokens: readonly Token[], prompt: number, saved: SavedState): void {
        const entry: HostKvEntry = { id: this.#nextId++, scope, tokens, prompt, ...saved };
        if (this.#disposed || saved.bytes > this.maxBytes) {
            void deleteFiles(entry);
            return;
        }
        for (const old of [...this.#entries.values()]) {
            if (old.scope !== scope) continue;
            const common = commonPrefixLength(old.tokens, tokens);
            if (common === old.tokens.length || (old.prompt > 0 && common + 1 >= old.prompt))
                this.#remove(old);
        }
        this.#entries.set(entry.id, entry);
        this.#index.add(entry);
        this.#bytes += entry.bytes;
        for (const old of this.#entries.values()) {
            if (this.#bytes <= this.maxBytes) break;
            this.#remove(old);
            this.#evictions++;
        }
    }

    /** Marks `entry` used and pins its files until `done` is called (once). */
    use(entry: HostKvEntry): () => void {
        if (this.#entries.delete(entry.id)) this.#entries.set(entry.id, entry);
        this.#pinned.set(entry.id, (this.#pinned.get(entry.id) ?? 0) + 1);
        let done = false;
        return () => {
            if (done) return;
            done = true;
            const left = this.#pinned.get(entry.id)! - 1;
            if (left > 0) return void this.#pinned.set(entry.id, left);
            this.#pinned.delete(entry.id);
            if (this.#evictedPinned.delete(entry)) void deleteFiles(entry);
        };
    }

    /**
     * Records how a save ended; returns true when a failure is the first since a save succeeded (the one
     * to warn of: a full disk fails every save, and one warning a save would flood the log).
     */
    saveEnded(ok: boolean): boolean {
        this.#saves[ok ? "ok" : "failed"]++;
        const first = !ok && !this.#failing;
        this.#failing = !ok;
        return first;
    }

    /** Records how a load ended (the metrics' count). */
    loadEnded(ok: boolean): void {
        this.#loads[ok ? "ok" : "failed"]++;
    }

    /** Drops an entry whose files turned out unusable (a failed restore). */
    discard(entry: HostKvEntry): void {
        if (this.#entries.get(entry.id) === entry) this.#remove(entry);
    }

    /** Deletes the directory and every file in it; later saves are refused. */
    async dispose(): Promise<void> {
        this.#disposed = true;
        for (const entry of this.#entries.values()) this.#index.remove(entry);
        this.#entries.clear();
        this.#bytes = 0;
        await rm(this.path, { recursive: true, force: true });
        livePaths.delete(this.path);
    }

    #remove(entry: HostKvEntry): void {
        this.#entries.delete(entry.id);
        this.#index.remove(entry);
        this.#bytes -= entry.bytes;
        if (this.#pinned.has(entry.id)) this.#evictedPinned.add(entry);
        else void deleteFiles(entry);
    }
}

const dirPrefix = "tiercel-kv-";
const orphanName = /^tiercel-kv-(\d+)-/;

/** This process's caches' directories (several engines may share a process: tests, embedding). */
const livePaths = new Set<string>();

/**
 * Removes `dir`'s cache directories whose process (the pid in the name) is not running, or is this one
 * but does not use it (a restarted container's process often gets its predecessor's pid).
 */
async function removeOrphans(dir: string): Promise<void> {
    for (const name of await readdir(dir)) {
        const pid = Number(orphanName.exec(name)?.[1] ?? Number.NaN);
        const path = join(dir, name);
        if (Number.isNaN(pid) || livePaths.has(path) || (pid !== process.pid && isRunning(pid))) continue;
        await rm(path, { recursive: true, force: true }).catch(() => undefined);
    }
}

function isRunning(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (error) {
        // EPERM: running, as another user.
        return (error as NodeJS.ErrnoException).code === "EPERM";
    }
}

async function deleteFiles(entry: HostKvEntry): Promise<void> {
    await Promise.all(
        [entry.targetFile, ...entry.draftFiles.values()].map((file) => unlink(file).catch(() => undefined)),
    );
}
