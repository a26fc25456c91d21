import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../../../src/errors/ServiceError.js";
import {
    maxVersionsPerCell,
    VersionWatch,
    type VersionShift,
    type VersionWatchOptions,
} from "../../../../src/router/versions/VersionWatch.js";

const claude = "anthropic/claude-haiku-5-5";
const gpt = "openai/gpt-5-mini";
const edit = "edit|m";
const docs = "docs|s";

type Change = VersionShift & { change: "shifted" | "returned" | "cleared" };

function watch(random = 0.5, options: Partial<VersionWatchOptions> = {}) {
    const changes: Change[] = [];
    const w = new VersionWatch({
        minAnswers: 4,
        threshold: 0.15,
        ttftRatio: 2,
        windowAnswers: 4,
        shiftedShare: 0.1,
        maxSignatures: 100,
        maxPendingRequests: 100,
        targets: new Set([claude, gpt]),
        random: () => random,
        onChange: (c) => changes.push(c),
        ...options,
    });
    /** Cascade verdicts of `claude` on `signature`: `x` failed, `.` passed. */
    const feed = (version: string, outcomes: string, signature = edit): void => {
        for (const o of outcomes) w.observe(claude, signature, version, "escalation", o === "x");
    };
    return { w, changes, feed };
}

const escalationShift = (over: Partial<VersionShift> = {}): VersionShift => ({
    target: claude,
    signature: edit,
    version: "v2",
    signal: "escalation",
    value: 0.75,
    baseline_version: "v1",
    baseline_value: 0.25,
    ...over,
});

describe("VersionWatch", () => {
    it("keeps the baseline when an upstream reports a new model id with every answer (versions per cell capped)", () => {
        const { w, feed } = watch();
        feed("v1", "..x."); // baseline
        for (let i = 0; i < 10 * maxVersionsPerCell; i++) feed(`junk-${i}`, ".");
        expect(w.versions(claude, edit)).toHaveLength(maxVersionsPerCell);
        expect(w.versions(claude, edit)[0]).toBe("v1");
        feed("v2", "xxxx");
        expect(w.demotes(claude, edit)).toEqual(escalationShift({ value: 1 }));
    });

    it("shifts a signature whose new version fails checks more often than its baseline, and says why", () => {
        const { w, changes, feed } = watch();
        feed("v1", "..x."); // baseline: 25 % failed
        feed("v2", "x.x"); // 3 answers: not enough evidence yet
        expect(w.shifts()).toEqual([]);
        feed("v2", "x"); // 75 % > 25 % + 15 points
        expect(w.demotes(claude, edit)).toEqual(escalationShift());
        expect(w.shifts()).toEqual([escalationShift()]);
        expect(changes).toEqual([{ ...escalationShift(), change: "shifted" }]);
    });

    it("shifts only the regressed signature: the target's other signatures keep it first", () => {
        const { w, feed } = watch();
        feed("v1", "....", edit);
        feed("v1", "....", docs);
        feed("v2", "xxxx", edit);
        feed("v2", "....", docs);
        expect(w.demotes(claude, edit)).toMatchObject({ signature: edit, value: 1 });
        expect(w.demotes(claude, docs)).toBeUndefined();
        expect(w.demotes(gpt, edit)).toBeUndefined();
        expect(w.shifts().map((s) => s.signature)).toEqual([edit]);
    });

    it("does not shift within the threshold, nor on the baseline version itself", () => {
        const { w, feed } = watch();
        feed("v1", "....");
        feed("v1", "xx.."); // the baseline's own window worsens: no other version to blame
        expect(w.shifts()).toEqual([]);
        feed("v2", "x..."); // 25 % vs 50 %: better
        expect(w.shifts()).toEqual([]);
    });

    it("keeps shiftedShare of the signature's traffic on the shifted target", () => {
        const { w, feed } = watch(0.05);
        feed("v1", "....");
        feed("v2", "xxxx");
        expect(w.shifts()).toHaveLength(1);
        expect(w.demotes(claude, edit)).toBeUndefined(); // 0.05 < 0.1: this request keeps it first
    });

    it("returns the signature when its version recovers or the target reports another version", () => {
        const { w, changes, feed } = watch();
        feed("v1", "....");
        feed("v2", "xxxx");
        feed("v2", "...."); // the window holds the last 4: recovered
        expect(w.shifts()).toEqual([]);
        expect(changes.map((c) => [c.version, c.change, c.value])).toEqual([
            ["v2", "shifted", 1],
            ["v2", "returned", 0],
        ]);
        feed("v2", "xxxx");
        expect(w.shifts()).toHaveLength(1);
        // v3 is first seen on another signature: the shift of v2 is stale.
        feed("v3", ".", docs);
        expect(w.demotes(claude, edit)).toBeUndefined();
        expect(w.shifts()).toEqual([]);
    });

    it("counts provider errors against the version reported last, also when the attempt reported none", () => {
        const { w } = watch();
        for (let i = 0; i < 4; i++) w.observe(claude, edit, "v1", "error", false);
        w.observe(claude, edit, "v2", "error", false);
        for (let i = 0; i < 3; i++) w.observe(claude, edit, null, "error", true);
        expect(w.shifts()).toEqual([escalationShift({ signal: "error", value: 0.75, baseline_value: 0 })]);
    });

    it("shifts on a TTFT median over ttftRatio times the baseline's, and never with ttftRatio null", () => {
        for (const ttftRatio of [2, null]) {
            const { w } = watch(0.5, { ttftRatio });
            for (const ms of [100, 120, 110, 90]) w.observe(claude, edit, "v1", "ttft", ms);
            for (const ms of [300, 200, 250]) w.observe(claude, edit, "v2", "ttft", ms);
            expect(w.shifts()).toEqual([]); // 3 samples
            w.observe(claude, edit, "v2", "ttft", 260);
            expect(w.shifts()).toEqual(
                ttftRatio === null
                    ? []
                    : [escalationShift({ signal: "ttft", value: 255, baseline_value: 105 })],
            );
        }
    });

    it("counts ratings other than accepted against the version that answered, once per request", () => {
        const { w } = watch();
        for (let i = 0; i < 4; i++) {
            w.register(`a${i}`, claude, edit, "v1");
            w.feedback(`a${i}`, true);
        }
        for (let i = 0; i < 4; i++) {
            w.register(`b${i}`, claude, edit, "v2");
            w.feedback(`b${i}`, false);
            w.feedback(`b${i}`, false); // rated once: ignored
        }
        expect(w.shifts()).toEqual([escalationShift({ signal: "feedback", value: 1, baseline_value: 0 })]);
    });

    it("an operator's clear returns the shift, makes the version the baseline, and names an unknown target", () => {
        const { w, changes, feed } = watch();
        feed("v1", "....");
        feed("v1", "....", docs);
        feed("v2", "xxxx");
        feed("v2", "xxxx", docs);
        expect(w.clear(claude, edit)).toEqual([escalationShift({ value: 1, baseline_value: 0 })]);
        expect(w.shifts().map((s) => s.signature)).toEqual([docs]);
        feed("v2", "x"); // the same evidence on the accepted version: no new shift
        expect(w.demotes(claude, edit)).toBeUndefined();
        expect(changes.map((c) => [c.signature, c.change])).toEqual([
            [edit, "shifted"],
            [docs, "shifted"],
            [edit, "cleared"],
        ]);
        expect(w.clear(claude)).toHaveLength(1); // every signature of the target
        expect(w.shifts()).toEqual([]);
        expect(() => w.clear("anthropic/claude-typo")).toThrow(InvalidArgumentError);
        expect(() => w.clear("anthropic/claude-typo")).toThrow(/unknown target.*anthropic\/claude-haiku-5-5/);
    });

    it("keeps maxSignatures cells, dropping the least recently observed", () => {
        const { w, feed } = watch(0.5, { maxSignatures: 1 });
        feed("v1", "....", edit);
        feed("v1", "....", docs); // drops edit's cell (and its baseline)
        feed("v2", "xxxx", edit);
        expect(w.shifts()).toEqual([]);
    });

    it("ignores answers when the target never reported a version", () => {
        const { w } = watch();
        for (let i = 0; i < 8; i++) w.observe(claude, edit, null, "escalation", true);
        expect(w.shifts()).toEqual([]);
    });
});
