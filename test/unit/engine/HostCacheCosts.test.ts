import { describe, expect, it } from "vitest";
import { HostCacheCosts } from "../../../src/engine/HostCacheCosts.js";

describe("HostCacheCosts", () => {
    it("knows nothing until measured, and ignores passes and saves too short to measure tokens", () => {
        const costs = new HostCacheCosts();
        expect(costs.evalMsPerToken).toBeUndefined();
        expect(costs.loadMs(1000)).toBeUndefined();
        expect(costs.roundTripMs(100)).toBeUndefined();
        costs.observePromptPass(10, 50);
        costs.observeSave(10, 1000, 5);
        expect(costs.evalMsPerToken).toBeUndefined();
        expect(costs.roundTripMs(100)).toBeUndefined();
    });

    it("prices loads at the save rate until a load is measured, then at the load rate", () => {
        const costs = new HostCacheCosts();
        costs.observeSave(100, 1_000_000, 40); // 10 kB a token, 0.04 ms a kB
        expect(costs.loadMs(500_000)).toBeCloseTo(20, 10);
        expect(costs.roundTripMs(100)).toBeCloseTo(80, 10);
        costs.observeLoad(1_000_000, 10);
        expect(costs.loadMs(500_000)).toBeCloseTo(5, 10);
        expect(costs.roundTripMs(100)).toBeCloseTo(50, 10);
    });

    it("moves toward new measurements by a fifth of the difference", () => {
        const costs = new HostCacheCosts();
        costs.observePromptPass(100, 100);
        expect(costs.evalMsPerToken).toBe(1);
        costs.observePromptPass(200, 400);
        expect(costs.evalMsPerToken).toBeCloseTo(1.2, 10);
    });

    it("tracks the share of recent requests that took over another conversation's slot", () => {
        const costs = new HostCacheCosts();
        expect(costs.takeoverRate).toBe(0);
        for (let i = 0; i < 4; i++) costs.observeTakeover(true);
        expect(costs.takeoverRate).toBeGreaterThan(0.5);
        for (let i = 0; i < 4; i++) costs.observeTakeover(false);
        expect(costs.takeoverRate).toBeLessThan(0.5);
    });
});
