/**
 * The mirror's daily spend cap. A call reserves its worst-case cost before it is sent and settles at
 * its actual cost when it ends, so calls in flight together cannot overshoot the cap: a call is sent
 * only when `spent + reserved + worst case ≤ cap`. Days are UTC days of the wall clock; a new day
 * starts from zero (a call still in flight across midnight is charged to the day it ends in).
 */
const dayMs = 86_400_000;

export interface MirrorSpendOptions {
    capUsd: number;
    /** Wall-clock milliseconds (the cap is per calendar day, so it must follow the date). */
    wallClock: () => number;
}

/** A reservation to settle once the call ends. */
export interface SpendTicket {
    readonly day: number;
    readonly usd: number;
}

export class MirrorSpend {
    readonly #o: MirrorSpendOptions;
    #day = -1;
    #spent = 0;
    #reserved = 0;

    constructor(options: MirrorSpendOptions) {
        this.#o = options;
    }

    /** Reserves `usd` when it fits under today's cap; undefined when it does not (the call is not sent). */
    tryReserve(usd: number): SpendTicket | undefined {
        const day = this.#today();
        if (this.#spent + this.#reserved + usd > this.#o.capUsd) return undefined;
        this.#reserved += usd;
        return { day, usd };
    }

    /** Releases the ticket's reservation and charges the call's actual cost to today. */
    settle(ticket: SpendTicket, actualUsd: number): void {
        const day = this.#today();
        if (ticket.day === day) this.#reserved = Math.max(0, this.#reserved - ticket.usd);
        this.#spent += actualUsd;
    }

    /** Today's settled spend and open reservations. */
    snapshot(): { spentUsd: number; reservedUsd: number; capUsd: number } {
        this.#today();
        return { spentUsd: this.#spent, reservedUsd: this.#reserved, capUsd: this.#o.capUsd };
    }

    #today(): number {
        const day = Math.floor(this.#o.wallClock() / dayMs);
        if (day !== this.#day) {
            this.#day = day;
            this.#spent = 0;
            this.#reserved = 0;
        }
        return day;
    }
}
