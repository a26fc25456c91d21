import { describe, expect, it } from "vitest";
import { cascadeAccounting } from "../../../bench/eval/cascadeAccounting.js";

// Three tiers priced 0 / 1 / 5 per request (local / mid / frontier), as the eval's price table orders them.
const costs = [0, 1, 5];

describe("cascadeAccounting", () => {
    it("counts cascades, the too-low ones, and the under-routing and cost bounds", () => {
        const labels = [0, 1, 1, 2, 2];
        const decisions = [
            { first: 0, cascadeTo: 1 }, // a cascade whose first tier is enough
            { first: 0, cascadeTo: 1 }, // too low, caught by an escalation to mid
            { first: 1, cascadeTo: null }, // plain and right
            { first: 0, cascadeTo: 1 }, // too low, still too low after the escalation
            { first: 1, cascadeTo: null }, // plain and under-routed
        ];
        const a = cascadeAccounting(
            labels,
            decisions,
            labels.map(() => costs),
        );
        expect(a).toMatchObject({ cascades: 3, cascadeShare: 0.6, tooLow: 2 });
        // Caught: only item 1 leaves the under-routed; items 3 and 4 stay under.
        expect(a.underRoutingIfCaught).toBeCloseTo(2 / 5);
        const top = 5 * 5;
        expect(a.costShareFirst).toBeCloseTo((0 + 0 + 1 + 0 + 1) / top);
        // Items 1 and 3 escalate and pay local and mid; item 0 stays local.
        expect(a.costShareCaught).toBeCloseTo((0 + 1 + 1 + 1 + 1) / top);
        expect(a.costShareAllEscalate).toBeCloseTo((1 + 1 + 1 + 1 + 1) / top);
    });

    it("without cascades, every bound is the plain routing", () => {
        const a = cascadeAccounting(
            [2, 0],
            [
                { first: 1, cascadeTo: null },
                { first: 0, cascadeTo: null },
            ],
            [costs, costs],
        );
        expect(a).toEqual({
            cascades: 0,
            cascadeShare: 0,
            tooLow: 0,
            underRoutingIfCaught: 0.5,
            costShareFirst: 0.1,
            costShareCaught: 0.1,
            costShareAllEscalate: 0.1,
        });
    });

    it("refuses inputs of different lengths", () => {
        expect(() => cascadeAccounting([0], [], [costs])).toThrow(/one entry per request/);
    });
});
