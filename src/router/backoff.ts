/** Retry delays, pure (the random source is injected so tests are deterministic). */

/**
 * Exponential backoff with full jitter: uniform in [0, min(maxMs, baseMs · 2^retry)). Full jitter
 * spreads synchronized clients best (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015).
 * `retry` counts from 0 for the first retry.
 */
export function backoffMs(retry: number, baseMs: number, maxMs: number, random: () => number): number {
    return Math.floor(random() * Math.min(maxMs, baseMs * 2 ** retry));
}

/**
 * The wait before retrying the same target: at least the provider's Retry-After when it sent one
 * (honoured, never shortened), else the jittered backoff.
 */
export function retryDelayMs(
    retry: number,
    retryAfterMs: number | undefined,
    settings: { backoffBaseMs: number; backoffMaxMs: number },
    random: () => number,
): number {
    const jittered = backoffMs(retry, settings.backoffBaseMs, settings.backoffMaxMs, random);
    return retryAfterMs === undefined ? jittered : Math.max(retryAfterMs, jittered);
}
