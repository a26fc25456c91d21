import { describe, expect, it } from "vitest";
import { parseRouterConfig } from "../../../../src/router/config.js";
import { Hedger } from "../../../../src/router/hedge/Hedger.js";
import type { ResolvedTarget } from "../../../../src/router/plan.js";
import { baseConfig } from "../routerFixture.js";

describe("Hedger", () => {
    const target = { key: "anthropic/claude" } as ResolvedTarget;
    const other = { key: "openai/gpt" } as ResolvedTarget;
    const hedger = (hedging: Record<string, unknown>) =>
        new Hedger({ config: parseRouterConfig({ ...baseConfig, hedging }).hedging, now: () => 0 });

    it("delays a target's hedge by its TTFT p95 once it has minSamples, per target", () => {
        const h = hedger({ enabled: true, minSamples: 20 });
        for (let ms = 1; ms <= 19; ms++) h.observe(target, ms * 10);
        expect(h.delayFor(target)).toBeUndefined();
        h.observe(target, 200);
        expect(h.delayFor(target)).toBe(190); // nearest rank 19 of 20
        expect(h.delayFor(other)).toBeUndefined();
    });

    it("learns nothing and hedges nothing while disabled", () => {
        const h = hedger({ minSamples: 1 });
        h.observe(target, 100);
        expect(h.delayFor(target)).toBeUndefined();
    });
});

describe("hedging config", () => {
    it("is off by default, with a 5 % budget over a minute after the p95 of 20+ samples", () => {
        expect(parseRouterConfig(baseConfig).hedging).toEqual({
            enabled: false,
            quantile: 0.95,
            windowSamples: 200,
            minSamples: 20,
            budgetRatio: 0.05,
            budgetWindowMs: 60_000,
        });
    });

    it("rejects a minSamples the window cannot hold, and unknown keys", () => {
        expect(() =>
            parseRouterConfig({ ...baseConfig, hedging: { windowSamples: 10, minSamples: 11 } }),
        ).toThrow(/hedging\.minSamples must be ≤ hedging\.windowSamples/);
        expect(() => parseRouterConfig({ ...baseConfig, hedging: { delayMs: 10 } })).toThrow(/delayMs/);
    });
});
