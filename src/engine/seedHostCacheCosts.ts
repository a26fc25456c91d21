/**
 * Seeds the host KV cache's costs at warm-up (HostCacheCosts.ts), as seedVerifyCurve seeds AUTO's: a
 * timed prompt pass of `tokens` tokens, a timed save of that sequence to a file in the cache's directory
 * and a timed load back, each twice, the faster kept (a first call's allocations are not a cost). So the
 * cache's first decisions are measured ones: on a host where a save costs more than evaluating (a GPU
 * serving a large model without grouped-query attention) nothing is ever saved, instead of one
 * unmeasured save of a whole conversation stalling every sequence. A save that fails here is a
 * ConfigError naming `engine.hostCache.dir`. The sequence is left empty, the file deleted.
 */
import { unlink } from "node:fs/promises";
import type { LlamaContextSequence, Token as LlamaToken } from "node-llama-cpp";
import { ConfigError } from "../errors/ServiceError.js";
import type { HostKvCache } from "./HostKvCache.js";

export async function seedHostCacheCosts(
    sequence: LlamaContextSequence,
    cache: HostKvCache,
    token: LlamaToken,
    tokens: number,
): Promise<void> {
    const n = Math.min(tokens, Math.floor(sequence.contextSize / 2));
    const file = `${cache.nextBase()}.seed.kv`;
    const timed = async <T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> => {
        const startedAt = performance.now();
        const value = await work();
        return { value, ms: performance.now() - startedAt };
    };
    try {
        const prompt = Array<LlamaToken>(n).fill(token);
        let [evalMs, saveMs, loadMs, bytes] = [Infinity, Infinity, Infinity, 0];
        for (let round = 0; round < 2; round++) {
            await sequence.clearHistory();
            evalMs = Math.min(
                evalMs,
                (await timed(() => sequence.evaluateWithoutGeneratingNewTokens(prompt))).ms,
            );
            const save = await timed(() => sequence.saveStateToFile(file));
            [saveMs, bytes] = [Math.min(saveMs, save.ms), save.value.fileSize];
            await sequence.clearHistory();
            loadMs = Math.min(
                loadMs,
                (await timed(() => sequence.loadStateFromFile(file, { acceptRisk: true }))).ms,
            );
        }
        cache.costs.observePromptPass(n, evalMs);
        cache.costs.observeSave(n, bytes, saveMs);
        cache.costs.observeLoad(bytes, loadMs);
    } catch (cause) {
        throw new ConfigError(
            `engine.hostCache.dir: saving and loading a sequence's state in ${cache.path} failed ` +
                `(${(cause as Error).message}); set it to a writable directory with free space, or engine.hostCache.maxBytes to 0`,
            { cause },
        );
    } finally {
        await sequence.clearHistory();
        await unlink(file).catch(() => undefined);
    }
}
