/**
 * Per-signature tier preferences learned online from outcomes: `router.feedback(requestId, outcome)`
 * and the router's own cascade rejections. A bandit over tiers per feedback signature (feedbackSignature.ts):
 * every (signature, tier) arm keeps a decayed count of outcomes and their summed reward; a signature
 * starts one tier higher than the policy chose when, with enough evidence on its tier, the next tier's
 * estimated reward beats it by more than the cost weight:
 *
 *   value(arm) = (rewardSum + prior) / (count + 1)        (one pseudo-outcome at reward 0.5)
 *   move up  ⇔  count(tier) ≥ minEvidence  ∧  value(tier) < value(tier + 1) − costWeight
 *
 * Deterministic, so a decision is explainable and testable. Exploration comes from decay: evidence
 * halves every `halfLifeMs`, so a signature that was moved up falls back under `minEvidence` and tries
 * its cheaper tier again. Memory is bounded twice: signatures (least recently used evicted) and the
 * answered requests that can still be rated.
 */
import { ErrorCode } from "../../errors/codes.js";
import { ServiceError } from "../../errors/ServiceError.js";

/** What the caller reports about an answer; `rejected` is also what a failed cascade check records. */
export type FeedbackOutcome = "accepted" | "retried" | "tests_failed" | "rejected";

export const feedbackOutcomes: readonly FeedbackOutcome[] = [
    "accepted",
    "retried",
    "tests_failed",
    "rejected",
];

/**
 * Reward of each outcome: an accepted answer is what the tier is for; a retry means it was not good
 * enough but close (the agent tried again rather than giving up); failed tests and rejections earn
 * nothing.
 */
export const outcomeReward: Readonly<Record<FeedbackOutcome, number>> = {
    accepted: 1,
    retried: 0.25,
    tests_failed: 0,
    rejected: 0,
};

/** The prior's pseudo-outcome: one at reward 0.5 (the estimate of an arm nobody has rated). */
const priorReward = 0.5;
const priorCount = 1;

export interface FeedbackBanditOptions {
    /** Tier names, cheapest first (arms are per tier index). */
    tiers: readonly string[];
    halfLifeMs: number;
    minEvidence: number;
    costWeight: number;
    maxSignatures: number;
    maxPendingRequests: number;
    /** Wall-clock ms: decay has to survive restarts, so it cannot be a monotonic clock. */
    now: () => number;
}

/** One (signature, tier) arm: decayed outcome count and reward sum, as of `at`. */
export interface ArmState {
    count: number;
    rewardSum: number;
    /** Wall-clock ms the values were last decayed to. */
    at: number;
}

/** The persisted form: signature → tier name → arm (tier names, so a reordered config is still read right). */
export type BanditJSON = Record<string, Record<string, ArmState>>;

export class FeedbackError extends ServiceError {
    override readonly name = "FeedbackError";
    constructor(message: string) {
        super(ErrorCode.FeedbackUnknownRequest, message, { retryable: false });
    }
}

interface Pending {
    signature: string;
    tierIndex: number;
}

export class FeedbackBandit {
    readonly #o: FeedbackBanditOptions;
    /** signature → arms by tier index; insertion order = least recently used first. */
    readonly #signatures = new Map<string, (ArmState | undefined)[]>();
    readonly #pending = new Map<string, Pending>();
    /** Bumped on every change (the store saves when it moved). */
    updates = 0;

    constructor(options: FeedbackBanditOptions) {
        this.#o = options;
    }

    get signatures(): number {
        return this.#signatures.size;
    }

    /** An arm's count and reward decayed to now (without writing it back). */
    #decayed(arm: ArmState | undefined, now: number): { count: number; rewardSum: number } {
        if (!arm) return { count: 0, rewardSum: 0 };
        const factor = Math.pow(0.5, Math.max(0, now - arm.at) / this.#o.halfLifeMs);
        return { count: arm.count * factor, rewardSum: arm.rewardSum * factor };
    }

    static value(arm: { count: number; rewardSum: number }): number {
        return (arm.rewardSum + priorReward * priorCount) / (arm.count + priorCount);
    }

    /**
     * Whether `signature` should start one tier above `tierIndex`. Side-effect free (decide() uses it
     * too), so it does not refresh the signature's place in the LRU order; outcomes do.
     */
    prefersHigher(signature: string, tierIndex: number): boolean {
        if (tierIndex + 1 >= this.#o.tiers.length) return false;
        const arms = this.#signatures.get(signature);
        if (!arms) return false;
        const now = this.#o.now();
        const here = this.#decayed(arms[tierIndex], now);
        if (here.count < this.#o.minEvidence) return false;
        const up = this.#decayed(arms[tierIndex + 1], now);
        return FeedbackBandit.value(here) < FeedbackBandit.value(up) - this.#o.costWeight;
    }

    /** Remembers an answered request so `rate` can find it (least recently answered evicted). */
    register(requestId: string, signature: string, tierIndex: number): void {
        this.#pending.set(requestId, { signature, tierIndex });
        for (const key of this.#pending.keys()) {
            if (this.#pending.size <= this.#o.maxPendingRequests) break;
            this.#pending.delete(key);
        }
    }

    /** Records the outcome of a registered request (once); throws FeedbackError for unknown ids. */
    rate(requestId: string, outcome: FeedbackOutcome): { signature: string; tier: string } {
        const pending = this.#pending.get(requestId);
        if (!pending) {
            throw new FeedbackError(
                `no rateable request "${requestId}": it was not answered by this router, failed, was already rated, or was evicted (the router keeps the last ${this.#o.maxPendingRequests})`,
            );
        }
        this.#pending.delete(requestId);
        this.record(pending.signature, pending.tierIndex, outcome);
        return { signature: pending.signature, tier: this.#o.tiers[pending.tierIndex]! };
    }

    /** Adds one outcome to a (signature, tier) arm. */
    record(signature: string, tierIndex: number, outcome: FeedbackOutcome): void {
        const now = this.#o.now();
        const arms = this.#signatures.get(signature) ?? [];
        this.#signatures.delete(signature);
        const decayed = this.#decayed(arms[tierIndex], now);
        arms[tierIndex] = {
            count: decayed.count + 1,
            rewardSum: decayed.rewardSum + outcomeReward[outcome],
            at: now,
        };
        this.#signatures.set(signature, arms);
        for (const key of this.#signatures.keys()) {
            if (this.#signatures.size <= this.#o.maxSignatures) break;
            this.#signatures.delete(key);
        }
        this.updates++;
    }

    /** The arms of one signature by tier name, decayed to now (inspection and tests). */
    arms(signature: string): Record<string, { count: number; value: number }> {
        const out: Record<string, { count: number; value: number }> = {};
        const arms = this.#signatures.get(signature) ?? [];
        const now = this.#o.now();
        arms.forEach((arm, i) => {
            if (!arm) return;
            const d = this.#decayed(arm, now);
            out[this.#o.tiers[i]!] = { count: d.count, value: FeedbackBandit.value(d) };
        });
        return out;
    }

    toJSON(): BanditJSON {
        const out: BanditJSON = {};
        for (const [signature, arms] of this.#signatures) {
            const byTier: Record<string, ArmState> = {};
            arms.forEach((arm, i) => {
                if (arm) byTier[this.#o.tiers[i]!] = { ...arm };
            });
            out[signature] = byTier;
        }
        return out;
    }

    /** Loads persisted arms; tiers the config no longer has are dropped. */
    load(state: BanditJSON): void {
        const index = new Map(this.#o.tiers.map((name, i) => [name, i]));
        for (const [signature, byTier] of Object.entries(state)) {
            const arms: (ArmState | undefined)[] = [];
            for (const [tier, arm] of Object.entries(byTier)) {
                const i = index.get(tier);
                if (i !== undefined) arms[i] = { ...arm };
            }
            if (arms.length > 0) this.#signatures.set(signature, arms);
        }
        for (const key of this.#signatures.keys()) {
            if (this.#signatures.size <= this.#o.maxSignatures) break;
            this.#signatures.delete(key);
        }
    }
}
