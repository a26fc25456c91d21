import { describe, expect, it } from "vitest";
import { VersionWatch, type VersionShift } from "../../../../src/router/versions/VersionWatch.js";

const claude = "anthropic/claude-haiku-5-5";

function watch(random = 0.5) {
    const changes: (VersionShift & { shifted: boolean })[] = [];
    const w = new VersionWatch({
        minAnswers: 4,
        threshold: 0.15,
        windowAnswers: 4,
        shiftedShare: 0.1,
        random: () => random,
        onChange: (c) => changes.push(c),
    });
    const feed = (version: string, outcomes: string): void => {
        for (const o of outcomes) w.observe(claude, version, o === "x");
    };
    return { w, changes, feed };
}

describe("VersionWatch", () => {
    it("shifts a target whose new version fails checks more often than its baseline, and says why", () => {
        const { w, changes, feed } = watch();
        feed("v1", "..x."); // baseline: 25 % failed
        feed("v2", "x.x"); // 3 answers: not enough evidence yet
        expect(w.shiftOf(claude)).toBeUndefined();
        feed("v2", "x"); // 75 % > 25 % + 15 points
        const shift = {
            target: claude,
            version: "v2",
            failure_rate: 0.75,
            baseline_version: "v1",
            baseline_failure_rate: 0.25,
        };
        expect(w.shiftOf(claude)).toEqual(shift);
        expect(w.demotes(claude)).toEqual(shift);
        expect(w.shifts()).toEqual([shift]);
        expect(changes).toEqual([{ ...shift, shifted: true }]);
    });

    it("does not shift within the threshold, nor on the baseline version itself", () => {
        const { w, feed } = watch();
        feed("v1", "....");
        feed("v1", "xx.."); // the baseline's own window worsens: no other version to blame
        expect(w.shiftOf(claude)).toBeUndefined();
        feed("v2", "x..."); // 25 % vs 50 %: better
        expect(w.shiftOf(claude)).toBeUndefined();
    });

    it("keeps shiftedShare of the traffic on the shifted target", () => {
        const { w, feed } = watch(0.05);
        feed("v1", "....");
        feed("v2", "xxxx");
        expect(w.shiftOf(claude)).toBeDefined();
        expect(w.demotes(claude)).toBeUndefined(); // 0.05 < 0.1: this request keeps it first
    });

    it("returns the target when its version recovers or changes again", () => {
        const { w, changes, feed } = watch();
        feed("v1", "....");
        feed("v2", "xxxx");
        feed("v2", "...."); // the window holds the last 4: recovered
        expect(w.shiftOf(claude)).toBeUndefined();
        expect(changes.map((c) => [c.version, c.shifted, c.failure_rate])).toEqual([
            ["v2", true, 1],
            ["v2", false, 0],
        ]);
        feed("v2", "xxxx");
        expect(w.shiftOf(claude)).toBeDefined();
        feed("v3", "."); // a new snapshot starts over
        expect(w.shiftOf(claude)).toBeUndefined();
    });

    it("ignores answers that report no version", () => {
        const { w } = watch();
        for (let i = 0; i < 8; i++) w.observe(claude, null, true);
        expect(w.shifts()).toEqual([]);
    });
});
