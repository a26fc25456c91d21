import { describe, expect, it } from "vitest";
import {
    Canary,
    canaryFailure,
    type CanaryOptions,
    type CanaryStatus,
} from "../../../../src/router/canary/Canary.js";
import type { CascadeRecord, RoutingRecord } from "../../../../src/router/types.js";

const options: CanaryOptions = {
    candidate: "policy-v2",
    kind: "policy",
    share: 0.5,
    worseRatio: 4,
    alpha: 0.05,
    beta: 0.05,
    minRequests: 3,
    slowMs: 1_000,
    random: () => 0.99,
};

/** A served routing record; `fields` override. Only the fields the canary reads matter. */
function record(fields: Partial<RoutingRecord> = {}): RoutingRecord {
    return {
        outcome: "ok",
        error_code: null,
        cache: "miss",
        cascade: [],
        latency_ms: 100,
        ttft_ms: null,
        ...fields,
    } as RoutingRecord;
}

const failedCheck = { failed_check: "validator:json", escalated_to: "frontier" } as CascadeRecord;
const passedCheck = { failed_check: null, escalated_to: null } as CascadeRecord;

describe("canaryFailure", () => {
    it.each([
        ["a served answer in time", record(), null],
        ["an error", record({ outcome: "error", error_code: "E_UNAVAILABLE" }), "error"],
        ["the caller's cancel", record({ outcome: "error", error_code: "E_CANCELLED" }), null],
        ["a failed cascade check", record({ cascade: [failedCheck, passedCheck] }), "cascade"],
        ["a passed cascade check", record({ cascade: [passedCheck] }), null],
        ["a unary answer slower than slowMs", record({ latency_ms: 1_001 }), "slow"],
        [
            "a stream's first token in time, however long the answer",
            record({ ttft_ms: 900, latency_ms: 9_000 }),
            null,
        ],
        ["a stream's first token slower than slowMs", record({ ttft_ms: 1_500 }), "slow"],
    ])("%s", (_, r, expected) => {
        expect(canaryFailure(r, 1_000)).toBe(expected);
    });

    it("leaves latency out when slowMs is null", () => {
        expect(canaryFailure(record({ latency_ms: 1e9 }), null)).toBeNull();
    });
});

describe("Canary", () => {
    it("assigns a session to the same arm every time, and about `share` of the sessions to the candidate", () => {
        const canary = new Canary({ ...options, share: 0.05 });
        const sessions = Array.from({ length: 20_000 }, (_, i) => `session-${i}`);
        const arms = sessions.map((s) => canary.assign(s));
        expect(sessions.map((s) => canary.assign(s))).toEqual(arms);
        const share = arms.filter((a) => a === "candidate").length / sessions.length;
        expect(share).toBeGreaterThan(0.045);
        expect(share).toBeLessThan(0.055);
    });

    it("draws the arm of a request without a session", () => {
        expect(new Canary({ ...options, random: () => 0.49 }).assign(undefined)).toBe("candidate");
        expect(new Canary({ ...options, random: () => 0.5 }).assign(undefined)).toBe("incumbent");
    });

    it("another candidate name salts the hash: a different slice of sessions", () => {
        const a = new Canary(options);
        const b = new Canary({ ...options, candidate: "policy-v3" });
        const sessions = Array.from({ length: 200 }, (_, i) => `s${i}`);
        const differ = sessions.filter((s) => a.assign(s) !== b.assign(s)).length;
        expect(differ).toBeGreaterThan(50);
    });

    it("rolls back a candidate that fails more often, with the evidence, and then serves no one by it", () => {
        const decisions: CanaryStatus[] = [];
        const canary = new Canary({ ...options, onDecision: (s) => decisions.push(s) });
        const seen = [];
        for (let i = 0; i < 20 && canary.decision === "collecting"; i++) {
            seen.push(canary.observe("incumbent", record()));
            seen.push(canary.observe("candidate", record({ cascade: [failedCheck] })));
        }
        expect(canary.decision).toBe("rolled_back");
        // p0 = 0.5, p1 = 0.8: each candidate failure adds log 1.6; log 19 / log 1.6 → the 7th decides.
        expect(seen.at(-1)).toEqual({ arm: "candidate", decision: "rolled_back" });
        expect(seen.filter((r) => r.decision === "collecting")).toHaveLength(13);
        expect(decisions).toHaveLength(1);
        expect(decisions[0]).toMatchObject({
            candidate: "policy-v2",
            decision: "rolled_back",
            current_share: 0,
            arms: {
                incumbent: { requests: 7, failures: 0 },
                candidate: { requests: 7, failures: 7, failure_rate: 1, causes: { cascade: 7 } },
            },
        });
        expect(decisions[0]!.test.log_likelihood_ratio).toBeGreaterThanOrEqual(
            decisions[0]!.test.rollback_bound,
        );
        // Decided: every session is the incumbent's, and outcomes are no longer evidence.
        expect(canary.assign("any")).toBe("incumbent");
        expect(
            canary.observe("incumbent", record({ outcome: "error", error_code: "E_UNAVAILABLE" })),
        ).toEqual({
            arm: "incumbent",
            decision: "rolled_back",
        });
        expect(canary.status().arms.incumbent.requests).toBe(7);
        expect(decisions).toHaveLength(1);
    });

    it("promotes only after minRequests of the candidate's, then serves every session by it", () => {
        const decisions: CanaryStatus[] = [];
        const canary = new Canary({ ...options, minRequests: 3, onDecision: (s) => decisions.push(s) });
        // Four incumbent failures cross the promote bound (log 0.4 each), with one candidate request so far.
        canary.observe("candidate", record());
        for (let i = 0; i < 6; i++) canary.observe("incumbent", record({ latency_ms: 5_000 }));
        expect(canary.status().test.log_likelihood_ratio).toBeLessThanOrEqual(
            canary.status().test.promote_bound,
        );
        expect(canary.decision).toBe("collecting");
        canary.observe("candidate", record());
        expect(canary.decision).toBe("collecting");
        expect(canary.observe("candidate", record())).toEqual({ arm: "candidate", decision: "promoted" });
        expect(decisions.map((d) => d.decision)).toEqual(["promoted"]);
        expect(decisions[0]!.arms.incumbent).toMatchObject({
            failures: 6,
            causes: { slow: 6 },
            latency_ms_mean: 5_000,
        });
        expect(canary.status().current_share).toBe(1);
        expect(canary.assign("any")).toBe("candidate");
    });

    it("does not count cache hits or the caller's cancels", () => {
        const canary = new Canary(options);
        canary.observe("candidate", record({ cache: "hit" }));
        canary.observe("candidate", record({ outcome: "error", error_code: "E_CANCELLED" }));
        expect(canary.status().arms.candidate.requests).toBe(0);
        expect(canary.status().test.log_likelihood_ratio).toBe(0);
    });
});
