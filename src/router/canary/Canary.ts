/**
 * A canary rollout's state: which arm a request is in, each arm's served outcomes, and the sequential
 * test (FailureRatioTest.ts) that decides to promote the candidate or roll it back.
 *
 * Assignment is a stable hash of the session (`hints.session_id`, salted with the candidate's name), so
 * every request of a session is in the same arm and a pinned session never moves between arms; a
 * request without a session draws its arm. Once decided, the decision holds for this router's life:
 * `promoted` serves every request by the candidate, `rolled_back` none (share → 0). Requests served from
 * the cache, cancelled by the caller or decided while the test is over are not evidence.
 *
 * `snapshot()` / `restore()` carry the evidence, the test's ratio and the decision across a restart
 * (CanaryStore.ts), for the same rollout only: same candidate name, kind, share and test parameters.
 */
import { createHash } from "node:crypto";
import { ErrorCode } from "../../errors/codes.js";
import type { RoutingRecord } from "../types.js";
import { FailureRatioTest } from "./FailureRatioTest.js";

export type CanaryArm = "incumbent" | "candidate";
export type CanaryDecision = "collecting" | "promoted" | "rolled_back";

/** The routing record's `canary` field. */
export interface CanaryRecord {
    arm: CanaryArm;
    /** The rollout's state after this request's outcome was counted. */
    decision: CanaryDecision;
}

/** Why a served request counts as failed for the test. */
export type CanaryFailure = "error" | "cascade" | "slow";

export interface CanaryArmStatus {
    /** Served requests counted (cache hits and caller cancels are not). */
    requests: number;
    failures: number;
    failure_rate: number;
    /** Failures by cause. */
    causes: Record<CanaryFailure, number>;
    /** Mean latency of the counted requests (first token for streams, answer for unary), ms. */
    latency_ms_mean: number;
}

/** `router.canaryStatus()`, and the evidence logged with a decision. */
export interface CanaryStatus {
    /** The candidate's name (config `canary.name`). */
    candidate: string;
    kind: "policy" | "target";
    /** The configured share of sessions. */
    share: number;
    /** The share the candidate serves now: `share` while collecting, 1 once promoted, 0 once rolled back. */
    current_share: number;
    decision: CanaryDecision;
    arms: Record<CanaryArm, CanaryArmStatus>;
    /** The sequential test: its log-likelihood ratio (worse over no worse) and the bounds that stop it. */
    test: { log_likelihood_ratio: number; rollback_bound: number; promote_bound: number };
}

export interface CanaryOptions {
    candidate: string;
    kind: "policy" | "target";
    share: number;
    worseRatio: number;
    alpha: number;
    beta: number;
    minRequests: number;
    /** A served request slower than this (ms) failed; null: latency does not count. */
    slowMs: number | null;
    /** In [0, 1): draws the arm of a request without a session. */
    random: () => number;
    /** The test decided; `status` is the evidence. */
    onDecision?: (status: CanaryStatus) => void;
}

/** One arm's counts as persisted. */
export interface CanaryArmSnapshot {
    requests: number;
    failures: number;
    latencyMsSum: number;
    causes: Record<CanaryFailure, number>;
}

/** A rollout's persisted state: which rollout it is, the evidence, the test's ratio and the decision. */
export interface CanarySnapshot {
    candidate: string;
    kind: "policy" | "target";
    share: number;
    worseRatio: number;
    alpha: number;
    beta: number;
    decision: CanaryDecision;
    logLikelihoodRatio: number;
    arms: Record<CanaryArm, CanaryArmSnapshot>;
}

/** The fields that say two snapshots are of the same rollout (evidence is comparable only then). */
const rolloutKeys = ["candidate", "kind", "share", "worseRatio", "alpha", "beta"] as const;

class ArmCounts {
    requests = 0;
    failures = 0;
    latencyMsSum = 0;
    causes: Record<CanaryFailure, number> = { error: 0, cascade: 0, slow: 0 };

    snapshot(): CanaryArmSnapshot {
        const { requests, failures, latencyMsSum } = this;
        return { requests, failures, latencyMsSum, causes: { ...this.causes } };
    }

    restore(saved: CanaryArmSnapshot): void {
        this.requests = saved.requests;
        this.failures = saved.failures;
        this.latencyMsSum = saved.latencyMsSum;
        this.causes = { ...saved.causes };
    }

    status(): CanaryArmStatus {
        const r = this.requests;
        return {
            requests: r,
            failures: this.failures,
            failure_rate: r === 0 ? 0 : round(this.failures / r),
            causes: { ...this.causes },
            latency_ms_mean: r === 0 ? 0 : Math.round(this.latencyMsSum / r),
        };
    }
}

export class Canary {
    readonly #o: CanaryOptions;
    #test: FailureRatioTest;
    readonly #arms: Record<CanaryArm, ArmCounts> = { incumbent: new ArmCounts(), candidate: new ArmCounts() };
    #decision: CanaryDecision = "collecting";
    #updates = 0;

    constructor(options: CanaryOptions) {
        this.#o = options;
        this.#test = new FailureRatioTest(options);
    }

    get decision(): CanaryDecision {
        return this.#decision;
    }

    /** Counts every change of the evidence or the decision (a persisted copy is stale when it moved). */
    get updates(): number {
        return this.#updates;
    }

    snapshot(): CanarySnapshot {
        const { candidate, kind, share, worseRatio, alpha, beta } = this.#o;
        return {
            candidate,
            kind,
            share,
            worseRatio,
            alpha,
            beta,
            decision: this.#decision,
            logLikelihoodRatio: this.#test.logLikelihoodRatio,
            arms: { incumbent: this.#arms.incumbent.snapshot(), candidate: this.#arms.candidate.snapshot() },
        };
    }

    /**
     * Resumes a saved rollout: its evidence, ratio and decision replace this one's. Returns false, and
     * changes nothing, when the snapshot is of another rollout (see `rolloutKeys`).
     */
    restore(saved: CanarySnapshot): boolean {
        const current = this.snapshot();
        if (rolloutKeys.some((key) => saved[key] !== current[key])) return false;
        this.#test = new FailureRatioTest({ ...this.#o, logLikelihoodRatio: saved.logLikelihoodRatio });
        this.#arms.incumbent.restore(saved.arms.incumbent);
        this.#arms.candidate.restore(saved.arms.candidate);
        this.#decision = saved.decision;
        return true;
    }

    /** The arm of a request of `session` (undefined: no session, the arm is drawn). */
    assign(session: string | undefined): CanaryArm {
        if (this.#decision === "promoted") return "candidate";
        if (this.#decision === "rolled_back") return "incumbent";
        const u = session === undefined ? this.#o.random() : sessionPoint(this.#o.candidate, session);
        return u < this.#o.share ? "candidate" : "incumbent";
    }

    /**
     * A routed request's outcome, from its record: counted while collecting (not for cache hits or
     * caller cancels), then the test may decide. Returns the record's `canary` field.
     */
    observe(arm: CanaryArm, record: RoutingRecord): CanaryRecord {
        const counted =
            this.#decision === "collecting" &&
            record.cache !== "hit" &&
            record.error_code !== ErrorCode.Cancelled;
        if (counted) {
            const counts = this.#arms[arm];
            const failure = canaryFailure(record, this.#o.slowMs);
            counts.requests++;
            counts.latencyMsSum += record.ttft_ms ?? record.latency_ms;
            if (failure !== null) {
                counts.failures++;
                counts.causes[failure]++;
                const { incumbent, candidate } = this.#arms;
                this.#test.failure(
                    arm === "candidate",
                    candidate.requests / (candidate.requests + incumbent.requests),
                );
            }
            this.#updates++;
            this.#decide();
        }
        return { arm, decision: this.#decision };
    }

    status(): CanaryStatus {
        const { candidate, kind, share } = this.#o;
        return {
            candidate,
            kind,
            share,
            current_share: this.#decision === "promoted" ? 1 : this.#decision === "rolled_back" ? 0 : share,
            decision: this.#decision,
            arms: { incumbent: this.#arms.incumbent.status(), candidate: this.#arms.candidate.status() },
            test: {
                log_likelihood_ratio: round(this.#test.logLikelihoodRatio),
                rollback_bound: round(this.#test.rollbackBound),
                promote_bound: round(this.#test.promoteBound),
            },
        };
    }

    #decide(): void {
        const verdict = this.#test.verdict();
        if (verdict === "rollback") this.#decision = "rolled_back";
        else if (verdict === "promote" && this.#arms.candidate.requests >= this.#o.minRequests)
            this.#decision = "promoted";
        else return;
        this.#o.onDecision?.(this.status());
    }
}

/**
 * Why a routed request failed for the canary, or null: an error (other than the caller's cancel), a
 * failed cascade check (the answer escalated or was served failing), or its first token (streams) or
 * answer (unary) later than `slowMs`.
 */
export function canaryFailure(record: RoutingRecord, slowMs: number | null): CanaryFailure | null {
    if (record.outcome === "error") return record.error_code === ErrorCode.Cancelled ? null : "error";
    if (record.cascade.some((c) => c.failed_check !== null)) return "cascade";
    if (slowMs !== null && (record.ttft_ms ?? record.latency_ms) > slowMs) return "slow";
    return null;
}

/** A session's point in [0, 1): the first 32 bits of sha256(candidate NUL session). */
function sessionPoint(candidate: string, session: string): number {
    return createHash("sha256").update(`${candidate}\0${session}`).digest().readUInt32BE(0) / 2 ** 32;
}

function round(x: number): number {
    return Math.round(x * 1000) / 1000;
}
