import { describe, expect, it } from "vitest";

import { SpecStats } from "../../../src/speculative/SpecStats.js";

function statsOf(steps: readonly (readonly [drafted: number, accepted: number] | "plain")[]): SpecStats {
    const stats = new SpecStats();
    for (const step of steps) {
        if (step === "plain") stats.record({ drafted: 0, accepted: 0 });
        else stats.record({ drafted: step[0], accepted: step[1] });
    }
    return stats;
}

describe("SpecStats", () => {
    it.each([
        {
            steps: [],
            json: {
                drafts: 0,
                targetPasses: 0,
                draftTokens: 0,
                acceptedTokens: 0,
                acceptedPerPos: [],
                observedPerPos: [],
                draftedLengths: [0],
                acceptanceRate: 0,
                meanAcceptanceLength: 0,
                fullMapPasses: 0,
                fullMapAfterDraft: 0,
            },
        },
        {
            steps: ["plain", [0, 0]] as const,
            json: {
                drafts: 0,
                targetPasses: 2,
                draftTokens: 0,
                acceptedTokens: 0,
                acceptedPerPos: [],
                observedPerPos: [],
                draftedLengths: [0],
                acceptanceRate: 0,
                meanAcceptanceLength: 0,
                fullMapPasses: 0,
                fullMapAfterDraft: 0,
            },
        },
        {
            steps: [[4, 4], [4, 1], [4, 0], "plain", [2, 2]] as const,
            json: {
                drafts: 4,
                targetPasses: 5,
                draftTokens: 14,
                acceptedTokens: 7,
                acceptedPerPos: [3, 2, 1, 1],
                observedPerPos: [4, 3, 1, 1],
                draftedLengths: [0, 0, 1, 0, 3],
                acceptanceRate: 0.5,
                meanAcceptanceLength: 1 + 7 / 4,
                fullMapPasses: 0,
                fullMapAfterDraft: 0,
            },
        },
    ])("%#: counts steps and derives rates", ({ steps, json }) => {
        const stats = statsOf(steps);
        expect(stats.toJSON()).toEqual(json);
        expect(JSON.parse(JSON.stringify(stats))).toEqual(json);
        expect(stats.acceptanceRate).toBe(json.acceptanceRate);
        expect(stats.meanAcceptanceLength).toBe(json.meanAcceptanceLength);
    });

    it("merges counters and per-position counts of different lengths", () => {
        const total = statsOf([[2, 2], "plain"]).merge(statsOf([[5, 3]]));
        expect(total.toJSON()).toEqual(statsOf([[2, 2], "plain", [5, 3]]).toJSON());
        expect(total.acceptedPerPos).toEqual([2, 2, 1, 0, 0]);
        expect(total.toJSON().draftedLengths).toEqual([0, 0, 1, 0, 0, 1]);
    });

    it("counts full-map passes, those after drafted positions apart", () => {
        const stats = new SpecStats();
        stats.recordFullMap(false); // the first token's
        stats.record({ drafted: 0, accepted: 0, fullMapAt: 0 });
        stats.record({ drafted: 2, accepted: 1, fullMapAt: 2 });
        stats.record({ drafted: 3, accepted: 3 });
        expect(stats.fullMapPasses).toBe(3);
        expect(stats.fullMapAfterDraft).toBe(1);
        expect(stats.targetPasses).toBe(3);
        const total = new SpecStats().merge(stats).merge(stats);
        expect(total.toJSON()).toMatchObject({ fullMapPasses: 6, fullMapAfterDraft: 2 });
    });

    it("rejects impossible records", () => {
        const stats = new SpecStats();
        expect(() => {
            stats.record({ drafted: 2, accepted: 3 });
        }).toThrow(RangeError);
        expect(() => {
            stats.record({ drafted: 2, accepted: -1 });
        }).toThrow(RangeError);
        expect(() => {
            stats.record({ drafted: 1.5, accepted: 1 });
        }).toThrow(RangeError);
        expect(stats.targetPasses).toBe(0);
    });
});
