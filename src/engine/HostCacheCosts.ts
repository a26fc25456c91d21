/**
 * What saving, loading and evaluating a conversation cost on this host, measured as they happen, so the
 * host KV cache is used only where a load is cheaper than evaluating (prepareSlot.ts planHostCache).
 *
 * On a 2-vCPU CPU serving the bundled target a load is ~400× cheaper a token than evaluating (7.7 kB a
 * token, ~2 GB/s; prompt passes ~1 ms a token). On a GPU it can be the other way round: a large model
 * without grouped-query attention holds ~0.7 MB a token (the 8.6 B cost stand-in of native/gpu-check.sh)
 * that must cross to the host and back, while its prompt pass runs at ~0.15 ms a token; there the cache
 * never saves (seedHostCacheCosts.ts measures the costs at start-up). Figures are exponential moving
 * averages (weight 0.2 for a new one): passes and copies vary with what shares them.
 */
export class HostCacheCosts {
    #evalMsPerToken: number | undefined;
    #saveMsPerByte: number | undefined;
    #loadMsPerByte: number | undefined;
    #bytesPerToken: number | undefined;
    #takeoverRate = 0;

    /** A prompt pass of `tokens` took `ms`. Passes under 64 tokens measure the call, not the tokens. */
    observePromptPass(tokens: number, ms: number): void {
        if (tokens >= minMeasuredTokens) this.#evalMsPerToken = ewma(this.#evalMsPerToken, ms / tokens);
    }

    /** Saving `tokens` of a target sequence wrote `bytes` in `ms`. */
    observeSave(tokens: number, bytes: number, ms: number): void {
        if (tokens < minMeasuredTokens || bytes <= 0) return;
        this.#saveMsPerByte = ewma(this.#saveMsPerByte, ms / bytes);
        this.#bytesPerToken = ewma(this.#bytesPerToken, bytes / tokens);
    }

    /** Loading a target sequence's `bytes` took `ms`. */
    observeLoad(bytes: number, ms: number): void {
        if (bytes > 0) this.#loadMsPerByte = ewma(this.#loadMsPerByte, ms / bytes);
    }

    /**
     * A request took a slot: `takeover` when it took over another conversation (did not continue the one
     * the slot held, and erased at least minTokens of it), as requests do when sessions outnumber sequences.
     */
    observeTakeover(takeover: boolean): void {
        this.#takeoverRate += 0.2 * ((takeover ? 1 : 0) - this.#takeoverRate);
    }

    /** Share of recent requests that took over another conversation's slot (moving average, from 0). */
    get takeoverRate(): number {
        return this.#takeoverRate;
    }

    /** Measured ms a prompt token costs to evaluate; undefined before a prompt pass of ≥ 64 tokens. */
    get evalMsPerToken(): number | undefined {
        return this.#evalMsPerToken;
    }

    /** Expected ms to load `bytes` (a save's rate until a load is measured); undefined before either. */
    loadMs(bytes: number): number | undefined {
        const perByte = this.#loadMsPerByte ?? this.#saveMsPerByte;
        return perByte === undefined ? undefined : bytes * perByte;
    }

    /** Expected ms to save `tokens` and load them back; undefined before a save is measured. */
    roundTripMs(tokens: number): number | undefined {
        const save = this.#saveMsPerByte;
        const perToken = this.#bytesPerToken;
        if (save === undefined || perToken === undefined) return undefined;
        return tokens * perToken * (save + (this.#loadMsPerByte ?? save));
    }
}

/** Shortest pass or save whose time is taken as a per-token cost. */
const minMeasuredTokens = 64;

function ewma(previous: number | undefined, value: number): number {
    return previous === undefined ? value : previous + 0.2 * (value - previous);
}
