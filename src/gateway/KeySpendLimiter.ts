/**
 * Per-key daily spend limits: each gateway key may spend `usdPerDay` (the router's price-table cost of
 * its answers, `routing.cost_usd`) per UTC day. A request is checked before it is routed: a key whose
 * spend today has reached the limit is refused with a `rate_limit` error and `retry-after` until the next
 * UTC midnight. An answer's cost is added when it is known (a unary answer, a stream's last event), so
 * the request that crosses the limit is served and the next one is refused. Answers without a price
 * (`cost_usd: null`: unpriced models, the local tier) and cache hits (0) cost nothing here. Spend is held
 * in memory; SpendStateFile.ts keeps it across restarts (`entries` / `restore`, `onChange`).
 */
import { GatewayError } from "./GatewayError.js";

export interface KeySpendLimiterOptions {
    /** US dollars each key may spend per UTC day. */
    usdPerDay: number;
    /** Wall-clock milliseconds since the epoch (days are UTC days). Defaults to `Date.now`. */
    now?: () => number;
}

/** One key's spend in one UTC day. */
export interface DaySpend {
    /** The UTC day (days since the epoch) `usd` belongs to. */
    day: number;
    usd: number;
}

/** The spend of callers without a key (a loopback gateway with no keys configured). */
const anonymous = "anonymous";
const dayMs = 86_400_000;

export class KeySpendLimiter {
    readonly #spend = new Map<string, DaySpend>();
    readonly #usdPerDay: number;
    readonly #now: () => number;
    /** Called after each recorded cost (the spend file schedules a save). */
    onChange: (() => void) | undefined;

    constructor(options: KeySpendLimiterOptions) {
        this.#usdPerDay = options.usdPerDay;
        this.#now = options.now ?? Date.now;
    }

    /** Throws a `rate_limit` GatewayError (retry-after: seconds to UTC midnight) when `keyId` has spent its day. */
    check(keyId: string | undefined): void {
        const now = this.#now();
        const spent = this.spentToday(keyId, now);
        if (spent < this.#usdPerDay) return;
        const untilMidnightMs = (Math.floor(now / dayMs) + 1) * dayMs - now;
        throw new GatewayError(
            "rate_limit",
            `this gateway key has spent $${spent.toFixed(4)} today, its limit of $${this.#usdPerDay} per UTC day (gateway.spendLimit.usdPerDay); retry after the retry-after header's seconds (UTC midnight), or raise the limit`,
            { retryAfterSeconds: Math.max(1, Math.ceil(untilMidnightMs / 1000)) },
        );
    }

    /** Adds an answer's cost to `keyId`'s spend today; null (no price) adds nothing. */
    record(keyId: string | undefined, costUsd: number | null): void {
        if (costUsd === null || costUsd <= 0) return;
        const now = this.#now();
        const id = keyId ?? anonymous;
        const day = Math.floor(now / dayMs);
        const entry = this.#spend.get(id);
        if (entry === undefined || entry.day !== day) this.#spend.set(id, { day, usd: costUsd });
        else entry.usd += costUsd;
        this.onChange?.();
    }

    /** Each key's spend today (earlier days' entries are left out: they no longer count). */
    entries(now = this.#now()): Record<string, DaySpend> {
        const today = Math.floor(now / dayMs);
        const out: Record<string, DaySpend> = {};
        for (const [id, entry] of this.#spend) if (entry.day === today) out[id] = { ...entry };
        return out;
    }

    /** Takes saved spend back (e.g. after a restart); entries of an earlier UTC day are dropped. */
    restore(entries: Readonly<Record<string, DaySpend>>, now = this.#now()): void {
        const today = Math.floor(now / dayMs);
        for (const [id, entry] of Object.entries(entries))
            if (entry.day === today) this.#spend.set(id, { day: entry.day, usd: entry.usd });
    }

    /** US dollars `keyId` has spent in the UTC day of `now`. */
    spentToday(keyId: string | undefined, now = this.#now()): number {
        const entry = this.#spend.get(keyId ?? anonymous);
        return entry !== undefined && entry.day === Math.floor(now / dayMs) ? entry.usd : 0;
    }
}
