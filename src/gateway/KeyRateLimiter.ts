/**
 * Per-key request-rate limits: one token bucket per gateway key, `burst` tokens deep, refilled at
 * `requestsPerMinute`. Each request takes one token; with none left the request is refused with the
 * seconds until the next token (the `retry-after` a client waits). Buckets are created on a key's first
 * request; keys come from config, so their number is bounded.
 */
import { GatewayError } from "./GatewayError.js";

export interface KeyRateLimiterOptions {
    /** Sustained requests per minute per key. */
    requestsPerMinute: number;
    /** Bucket size: requests a key may send at once. */
    burst: number;
    /** Monotonic milliseconds. Defaults to `performance.now`. */
    now?: () => number;
}

interface Bucket {
    tokens: number;
    /** When `tokens` was last brought up to date. */
    at: number;
}

/** The bucket of callers without a key (a loopback gateway with no keys configured). */
const anonymous = "anonymous";

export class KeyRateLimiter {
    readonly #buckets = new Map<string, Bucket>();
    readonly #perMs: number;
    readonly #burst: number;
    readonly #requestsPerMinute: number;
    readonly #now: () => number;

    constructor(options: KeyRateLimiterOptions) {
        this.#requestsPerMinute = options.requestsPerMinute;
        this.#perMs = options.requestsPerMinute / 60_000;
        this.#burst = options.burst;
        this.#now = options.now ?? (() => performance.now());
    }

    /** Takes one request from `keyId`'s bucket, or throws a `rate_limit` GatewayError with `retry-after`. */
    take(keyId: string | undefined): void {
        const id = keyId ?? anonymous;
        const now = this.#now();
        let bucket = this.#buckets.get(id);
        if (bucket === undefined) {
            bucket = { tokens: this.#burst, at: now };
            this.#buckets.set(id, bucket);
        } else {
            bucket.tokens = Math.min(this.#burst, bucket.tokens + (now - bucket.at) * this.#perMs);
            bucket.at = now;
        }
        if (bucket.tokens >= 1) {
            bucket.tokens -= 1;
            return;
        }
        const waitMs = (1 - bucket.tokens) / this.#perMs;
        throw new GatewayError(
            "rate_limit",
            `this gateway key is over its limit of ${this.#requestsPerMinute} requests per minute (burst ${this.#burst}); retry after the retry-after header's seconds, or raise gateway.rateLimit`,
            { retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) },
        );
    }
}
