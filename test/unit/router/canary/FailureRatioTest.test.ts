import { describe, expect, it } from "vitest";
import { createRng } from "../../../../models/router/build/rng.js";
import { FailureRatioTest } from "../../../../src/router/canary/FailureRatioTest.js";

const defaults = { worseRatio: 2, alpha: 0.05, beta: 0.05 };

/**
 * One canary run: requests go to the candidate with probability `share` and fail at their arm's rate,
 * until the test decides (or `maxRequests`). Returns the verdict.
 */
function run(
    seed: number,
    o: { share: number; incumbentRate: number; candidateRate: number; maxRequests: number },
): string {
    const rng = createRng(seed);
    const test = new FailureRatioTest(defaults);
    let candidate = 0;
    let total = 0;
    for (let i = 0; i < o.maxRequests; i++) {
        const isCandidate = rng.chance(o.share);
        total++;
        if (isCandidate) candidate++;
        if (rng.chance(isCandidate ? o.candidateRate : o.incumbentRate)) {
            test.failure(isCandidate, candidate / total);
            const verdict = test.verdict();
            if (verdict !== "continue") return verdict;
        }
    }
    return "continue";
}

describe("FailureRatioTest", () => {
    it("has Wald's bounds", () => {
        const test = new FailureRatioTest(defaults);
        expect(test.rollbackBound).toBeCloseTo(Math.log(0.95 / 0.05), 12);
        expect(test.promoteBound).toBeCloseTo(Math.log(0.05 / 0.95), 12);
        expect(test.verdict()).toBe("continue");
    });

    it("adds log(p1/p0) for a candidate failure and log((1-p1)/(1-p0)) for an incumbent one", () => {
        const test = new FailureRatioTest(defaults);
        // share 0.2, θ1 = 2: p0 = 0.2, p1 = 0.4 / 1.2 = 1/3.
        test.failure(true, 0.2);
        expect(test.logLikelihoodRatio).toBeCloseTo(Math.log(1 / 3 / 0.2), 12);
        test.failure(false, 0.2);
        expect(test.logLikelihoodRatio).toBeCloseTo(Math.log(1 / 3 / 0.2) + Math.log(2 / 3 / 0.8), 12);
    });

    it("ignores failures while one arm has no requests (a share of 0 or 1)", () => {
        const test = new FailureRatioTest(defaults);
        test.failure(false, 0);
        test.failure(true, 1);
        expect(test.logLikelihoodRatio).toBe(0);
    });

    it("rolls back on candidate failures and promotes on incumbent failures", () => {
        const worse = new FailureRatioTest(defaults);
        let failures = 0;
        while (worse.verdict() === "continue") {
            worse.failure(true, 0.05);
            failures++;
        }
        expect(worse.verdict()).toBe("rollback");
        // log(19) / log(p1/p0) with p1 = 0.1/1.05: 5 failures in a row from a 5 % arm.
        expect(failures).toBe(5);

        const fine = new FailureRatioTest(defaults);
        failures = 0;
        while (fine.verdict() === "continue") {
            fine.failure(false, 0.05);
            failures++;
        }
        expect(fine.verdict()).toBe("promote");
        expect(failures).toBe(61);
    });

    it("resumes from a saved ratio: the same failures then give the same ratio and verdict", () => {
        const straight = new FailureRatioTest(defaults);
        for (let i = 0; i < 4; i++) straight.failure(true, 0.5);
        const resumed = new FailureRatioTest({
            ...defaults,
            logLikelihoodRatio: straight.logLikelihoodRatio,
        });
        for (let i = 0; i < 8; i++) {
            straight.failure(true, 0.5);
            resumed.failure(true, 0.5);
        }
        expect(resumed.logLikelihoodRatio).toBe(straight.logLikelihoodRatio);
        expect(resumed.verdict()).toBe(straight.verdict());
        expect(() => new FailureRatioTest({ ...defaults, logLikelihoodRatio: Number.NaN })).toThrow(
            /logLikelihoodRatio must be finite/,
        );
    });

    it("rejects options outside their ranges", () => {
        expect(() => new FailureRatioTest({ ...defaults, worseRatio: 1 })).toThrow(/worseRatio must be > 1/);
        expect(() => new FailureRatioTest({ ...defaults, alpha: 0 })).toThrow(/alpha and beta/);
    });

    it("keeps false rollbacks near alpha and false promotions near beta (seeded simulation)", () => {
        const runs = 400;
        const equal = { share: 0.2, incumbentRate: 0.1, candidateRate: 0.1, maxRequests: 50_000 };
        const worse = { ...equal, candidateRate: 0.2 };
        const verdicts = (o: typeof equal) => Array.from({ length: runs }, (_, i) => run(i + 1, o));
        const underEqual = verdicts(equal);
        const underWorse = verdicts(worse);
        const share = (v: string[], verdict: string) => v.filter((x) => x === verdict).length / runs;
        // Every run decides; errors within Wald's bounds (α/(1−β) ≈ 0.053) plus sampling noise.
        expect(share(underEqual, "continue")).toBe(0);
        expect(share(underEqual, "rollback")).toBeLessThan(0.08);
        expect(share(underWorse, "promote")).toBeLessThan(0.08);
        expect(share(underWorse, "rollback")).toBeGreaterThan(0.9);
    });
});
