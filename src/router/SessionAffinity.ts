/**
 * Session affinity with an escalation ratchet. A session (`hints.session_id`) is pinned to the tier it
 * was first served at and to the target that answered there, so one agent conversation keeps one model
 * (and that provider's prompt cache stays warm). The policy can move the pin UP (a rule or a forced
 * tier above the pin: "escalation"); nothing moves it down while the session lives. Fallbacks do not
 * move it: a failover is a reliability event, not a decision about the task, and the session returns to
 * its pinned target once that recovers. Pins expire after `ttlMs` without use and the least recently
 * used are evicted beyond `maxSessions`, so memory stays bounded.
 *
 * LiteLLM cannot combine its stall escalation with session affinity; this ratchet is the combination.
 */

export interface SessionPin {
    tier: string;
    tierIndex: number;
    /** Provider id and model that answered at the pinned tier; null until one did. */
    provider: string | null;
    model: string | null;
    /** The routing reason that set the tier (e.g. `rule:security_review`). */
    reason: string;
    /** Monotonic ms of the last use; the pin expires `ttlMs` after it. */
    lastUsedAt: number;
}

export interface SessionAffinityOptions {
    ttlMs: number;
    maxSessions: number;
    now: () => number;
}

export interface PinUpdate {
    /** The pin moved to a higher tier. */
    escalated: boolean;
    /** The tier before an escalation, else null. */
    from: string | null;
}

export class SessionAffinity {
    readonly #o: SessionAffinityOptions;
    /** Insertion order = least recently used first (every use re-inserts). */
    readonly #pins = new Map<string, SessionPin>();

    constructor(options: SessionAffinityOptions) {
        this.#o = options;
    }

    get size(): number {
        return this.#pins.size;
    }

    /** The session's live pin (and marks it used), or undefined. */
    get(sessionId: string): SessionPin | undefined {
        const pin = this.#pins.get(sessionId);
        if (!pin) return undefined;
        const now = this.#o.now();
        this.#pins.delete(sessionId);
        if (now - pin.lastUsedAt >= this.#o.ttlMs) return undefined;
        pin.lastUsedAt = now;
        this.#pins.set(sessionId, pin);
        return pin;
    }

    /** The pin without touching it (for inspection through the router API). */
    peek(sessionId: string): Readonly<SessionPin> | undefined {
        const pin = this.#pins.get(sessionId);
        return pin && this.#o.now() - pin.lastUsedAt < this.#o.ttlMs ? { ...pin } : undefined;
    }

    /**
     * Records where a session was served. `tierIndex` is the tier the decision chose; `answered` the
     * target that answered, when it belongs to that tier. A lower tier never replaces a higher pin.
     */
    record(
        sessionId: string,
        decision: { tier: string; tierIndex: number; reason: string },
        answered: { provider: string; model: string } | undefined,
    ): PinUpdate {
        const now = this.#o.now();
        const pin = this.#pins.get(sessionId);
        const live = pin && now - pin.lastUsedAt < this.#o.ttlMs ? pin : undefined;
        this.#pins.delete(sessionId);
        if (live && decision.tierIndex <= live.tierIndex) {
            // Same tier (or a lower one, which never moves the pin): keep it; fill in the target once.
            if (decision.tierIndex === live.tierIndex && live.provider === null && answered) {
                live.provider = answered.provider;
                live.model = answered.model;
            }
            live.lastUsedAt = now;
            this.#pins.set(sessionId, live);
            return { escalated: false, from: null };
        }
        this.#pins.set(sessionId, {
            tier: decision.tier,
            tierIndex: decision.tierIndex,
            provider: answered?.provider ?? null,
            model: answered?.model ?? null,
            reason: decision.reason,
            lastUsedAt: now,
        });
        this.#evict();
        return live ? { escalated: true, from: live.tier } : { escalated: false, from: null };
    }

    delete(sessionId: string): boolean {
        return this.#pins.delete(sessionId);
    }

    #evict(): void {
        for (const key of this.#pins.keys()) {
            if (this.#pins.size <= this.#o.maxSessions) return;
            this.#pins.delete(key);
        }
    }
}
