import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SpecStateStore } from "../../../src/engine/SpecStateStore.js";
import { createRandom } from "../../../src/speculative/createRandom.js";
import { SpeculationPolicy } from "../../../src/speculative/SpeculationPolicy.js";
import type { Logger } from "../../../src/util/logger.js";

function recordingLogger(): Logger & { warnings: string[] } {
    const warnings: string[] = [];
    return { warnings, info() {}, error() {}, warn: (m) => warnings.push(m) };
}

function trainedPolicy(seed: number): SpeculationPolicy {
    const policy = new SpeculationPolicy(createRandom(seed));
    policy.acceptance.record("draft", "js|rep-low", 4, 3);
    policy.acceptance.record("ngram", "python|rep-high", 8, 8);
    policy.costs.recordVerify(3, 12.5);
    policy.costs.recordDraft("draft", 4, 2, false);
    policy.recordConfidence("draft", [0.9, 0.3], 1);
    return policy;
}

const dir = () => mkdtempSync(join(tmpdir(), "tiercel-state-"));

describe("SpecStateStore", () => {
    it("round-trips the learned state", async () => {
        const path = join(dir(), "nested", "state.json");
        const saved = trainedPolicy(1);
        await new SpecStateStore(path, "target:123", recordingLogger()).save(saved);
        const loaded = new SpeculationPolicy(createRandom(2));
        expect(await new SpecStateStore(path, "target:123", recordingLogger()).load(loaded)).toBe(true);
        expect(loaded.toJSON()).toEqual(saved.toJSON());
        expect(loaded.acceptance.mean("ngram", "python|rep-high")).toBeCloseTo(
            saved.acceptance.mean("ngram", "python|rep-high"),
        );
    });

    it("ignores a missing file silently, a corrupt or foreign one with a warning", async () => {
        const d = dir();
        const logger = recordingLogger();
        const policy = new SpeculationPolicy(createRandom(3));
        expect(await new SpecStateStore(join(d, "none.json"), "t", logger).load(policy)).toBe(false);
        expect(logger.warnings).toEqual([]);

        const corrupt = join(d, "corrupt.json");
        for (const body of [
            "{not json",
            JSON.stringify({
                version: 2,
                target: "t",
                savedAt: "x",
                policy: { acceptance: { a: { successes: "many" } } },
            }),
            JSON.stringify({ version: 99 }),
            // The previous format: the verify cost as a fitted line's sums, not a measured curve.
            JSON.stringify({
                version: 1,
                target: "t",
                savedAt: "x",
                policy: {
                    acceptance: {},
                    confidence: {},
                    costs: { verify: { s0: 2, s1: 2, s2: 2, sy: 20, sxy: 20 }, drafters: {} },
                },
            }),
        ]) {
            writeFileSync(corrupt, body);
            expect(await new SpecStateStore(corrupt, "t", logger).load(policy)).toBe(false);
        }
        expect(logger.warnings).toHaveLength(4);

        const foreign = join(d, "foreign.json");
        await new SpecStateStore(foreign, "other-target:1", logger).save(trainedPolicy(4));
        expect(await new SpecStateStore(foreign, "t", logger).load(policy)).toBe(false);
        expect(logger.warnings.at(-1)).toContain("another target");
        expect(policy.acceptance.evidence("draft", "js|rep-low")).toBe(0);
    });

    it("concurrent writers never leave a torn file or temp files behind", async () => {
        const d = dir();
        const path = join(d, "state.json");
        const writers = Array.from({ length: 8 }, (_, i) => ({
            store: new SpecStateStore(path, "t", recordingLogger()),
            policy: trainedPolicy(10 + i),
        }));
        await Promise.all(
            writers.flatMap(({ store, policy }) =>
                Array.from({ length: 5 }, async (_, j) => {
                    policy.acceptance.record("draft", "x", 5, j);
                    await store.save(policy);
                }),
            ),
        );
        const parsed = JSON.parse(readFileSync(path, "utf8")) as { target: string };
        expect(parsed.target).toBe("t");
        expect(
            await new SpecStateStore(path, "t", recordingLogger()).load(
                new SpeculationPolicy(createRandom(1)),
            ),
        ).toBe(true);
        expect(readdirSync(d)).toEqual(["state.json"]);
    });

    it("skips writing when nothing changed since the last save", async () => {
        const path = join(dir(), "state.json");
        const store = new SpecStateStore(path, "t", recordingLogger());
        const policy = trainedPolicy(5);
        await store.save(policy);
        writeFileSync(path, "sentinel");
        await store.save(policy);
        expect(readFileSync(path, "utf8")).toBe("sentinel");
        policy.costs.recordVerify(1, 5);
        await store.save(policy);
        expect(readFileSync(path, "utf8")).not.toBe("sentinel");
    });
});

describe("SpecStateStore on an unwritable path", () => {
    it("warns once, keeps serving, and never throws", async () => {
        const logger = recordingLogger();
        const d = dir();
        writeFileSync(join(d, "file"), "x");
        const store = new SpecStateStore(join(d, "file", "state.json"), "t", logger); // parent is a file
        const policy = trainedPolicy(6);
        await store.save(policy);
        policy.costs.recordVerify(1, 5);
        await store.save(policy);
        expect(logger.warnings).toHaveLength(1);
        expect(logger.warnings[0]).toContain("writable path");
    });
});

describe("SpecStateStore range checks", () => {
    const valid = () => {
        const p = trainedPolicy(7);
        return { version: 2, target: "t", savedAt: "x", policy: p.toJSON() };
    };
    type State = ReturnType<typeof valid>;
    it.each<[string, (s: State) => void]>([
        ["a negative drafter cost", (s) => void (s.policy.costs.drafters.draft!.msPerToken = -5)],
        ["a negative per-call cost", (s) => void (s.policy.costs.drafters.draft!.msPerCall = -1)],
        ["a coverage above 1", (s) => void (s.policy.costs.drafters.draft!.coverage = 1.5)],
        ["a negative verify sum", (s) => void (s.policy.costs.verify[0]!.msSum = -100)],
        ["a verify pass of 0 tokens", (s) => void (s.policy.costs.verify[0]!.tokens = 0)],
        ["a negative acceptance count", (s) => void (s.policy.acceptance["draft|js|rep-low"]!.failures = -3)],
        ["a negative confidence count", (s) => void (s.policy.confidence.draft![0]![1] = -1)],
        ["more accepted than observed", (s) => void s.policy.confidence.draft![9]!.splice(0, 2, 5, 1)],
    ])("ignores a file with %s, with a warning, leaving the policy as it was", async (_what, poison) => {
        const state = valid();
        poison(state);
        const path = join(dir(), "state.json");
        writeFileSync(path, JSON.stringify(state));
        const logger = recordingLogger();
        const policy = new SpeculationPolicy(createRandom(8));
        const before = policy.toJSON();
        expect(await new SpecStateStore(path, "t", logger).load(policy)).toBe(false);
        expect(logger.warnings).toHaveLength(1);
        expect(policy.toJSON()).toEqual(before);
    });

    it("accepts the valid file the poisoned ones started from", async () => {
        const path = join(dir(), "state.json");
        writeFileSync(path, JSON.stringify(valid()));
        expect(
            await new SpecStateStore(path, "t", recordingLogger()).load(
                new SpeculationPolicy(createRandom(9)),
            ),
        ).toBe(true);
    });
});
