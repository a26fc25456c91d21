import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ModelError } from "../../../../src/errors/ServiceError.js";
import { createRouter } from "../../../../src/router/createRouter.js";
import { extractFeatures } from "../../../../src/router/features.js";
import {
    defaultClassifierModelPath,
    defaultWordVectorsPath,
} from "../../../../src/router/learned/defaults.js";
import { featureCount } from "../../../../src/router/learned/featureVector.js";
import { LearnedClassifier } from "../../../../src/router/learned/LearnedClassifier.js";
import type { ChatRequest } from "../../../../src/chat/types.js";
import { silentLogger } from "../../../../src/util/logger.js";

const ask = (text: string): ChatRequest => ({ messages: [{ role: "user", content: text }] });
const easy = ask(
    "Add a docstring to `parseUser`.\n```ts\nexport function parseUser(s: string) { return JSON.parse(s); }\n```",
);
const hard = ask(
    "Review the architecture of our ingestion pipeline and the security of its auth layer across the codebase; design a migration plan to an event-sourced system with zero downtime. It deadlocks intermittently in production.",
);

/** A copy of the committed model pair in a temp dir, with its metadata edited. */
function editedModel(edit: (metadata: Record<string, unknown>) => void): string {
    const dir = mkdtempSync(join(tmpdir(), "tiercel-classifier-"));
    const metadata = JSON.parse(
        readFileSync(defaultClassifierModelPath.replace(/\.onnx$/, ".json"), "utf8"),
    ) as Record<string, unknown>;
    edit(metadata);
    copyFileSync(defaultClassifierModelPath, join(dir, "classifier.onnx"));
    copyFileSync(defaultWordVectorsPath, join(dir, "word-vectors.bin"));
    writeFileSync(join(dir, "classifier.json"), JSON.stringify(metadata));
    return join(dir, "classifier.onnx");
}

describe("LearnedClassifier (committed models/router/classifier.onnx through the piscina pool)", () => {
    let classifier: LearnedClassifier;
    beforeAll(async () => {
        classifier = new LearnedClassifier({ timeoutMs: 10_000 });
        await classifier.ready();
    });
    afterAll(async () => {
        await classifier.close();
    });

    it("classifies requests into the model's tiers, with the score the thresholds read", async () => {
        expect(classifier.tiers).toEqual(["local", "mid", "frontier"]);
        const low = await classifier.classify(extractFeatures(easy), easy);
        const high = await classifier.classify(extractFeatures(hard), hard);
        expect(low).toMatchObject({ tier: "local", classifier: "learned" });
        expect(high).toMatchObject({ tier: "frontier", classifier: "learned" });
        expect(low!.score).toBeLessThan(classifier.thresholds[0]!);
        expect(high!.score).toBeGreaterThanOrEqual(classifier.thresholds[1]!);
    });

    it("has a version naming its model, word vectors and cut points", async () => {
        expect(classifier.version).toMatch(/^[0-9a-f]{12}$/);
        const same = new LearnedClassifier();
        const moved = new LearnedClassifier({ thresholds: [0.2, 0.6] });
        try {
            expect(same.version).toBe(classifier.version);
            expect(moved.version).not.toBe(classifier.version);
        } finally {
            await Promise.all([same.close(), moved.close()]);
        }
    });

    it("returns a probability distribution per row for batches", async () => {
        const p = await classifier.probabilities(new Float32Array(featureCount * 3));
        expect(p).toHaveLength(9);
        for (let r = 0; r < 3; r++) expect(p[r * 3]! + p[r * 3 + 1]! + p[r * 3 + 2]!).toBeCloseTo(1, 5);
        await expect(classifier.probabilities(new Float32Array(featureCount + 1))).rejects.toThrow(
            /feature rows/,
        );
    });
});

describe("LearnedClassifier cascade decisions", () => {
    const classifiers: LearnedClassifier[] = [];
    afterAll(async () => {
        await Promise.all(classifiers.map((c) => c.close()));
    });
    const make = (options: ConstructorParameters<typeof LearnedClassifier>[0]): LearnedClassifier => {
        const c = new LearnedClassifier(options);
        classifiers.push(c);
        return c;
    };

    it.each([
        [0.1, { tier: "local" }],
        [0.2, { tier: "local", cascadeTo: "mid" }],
        [0.29, { tier: "local", cascadeTo: "mid" }],
        [0.3, { tier: "mid" }],
        [0.65, { tier: "mid", cascadeTo: "frontier" }],
        [0.7, { tier: "frontier" }],
    ])("score %f inside [0.2, 0.3) / [0.6, 0.7) → %j", (score, expected) => {
        const c = make({ thresholds: [0.2, 0.6], cascadeThresholds: [0.3, 0.7] });
        expect(c.verdict(score)).toEqual({ ...expected, score, classifier: "learned" });
    });

    it("makes none with an empty band, or with custom thresholds and no band of their own", () => {
        for (const c of [
            make({ thresholds: [0.2, 0.6] }),
            make({ thresholds: [0.2, 0.6], cascadeThresholds: [] }),
        ]) {
            expect(c.cascadeThresholds).toEqual([]);
            expect(c.verdict(0.25)).toEqual({ tier: "mid", score: 0.25, classifier: "learned" });
        }
    });

    it("takes the band calibrated into the model's metadata by default", () => {
        const model = editedModel((m) => {
            m.thresholds = [0.2, 0.6];
            m.cascadeThresholds = [0.3, 0.6];
        });
        const c = make({ model });
        expect(c.cascadeThresholds).toEqual([0.3, 0.6]);
        expect(c.verdict(0.25)).toMatchObject({ tier: "local", cascadeTo: "mid" });
        expect(c.verdict(0.6)).toEqual({ tier: "frontier", score: 0.6, classifier: "learned" });
    });
});

describe("LearnedClassifier failures", () => {
    it("refuses a model trained on another feature schema, saying how to fix it", () => {
        const model = editedModel((m) => {
            m.featureSchemaVersion = "tiercel-router-features/0";
        });
        expect(() => new LearnedClassifier({ model })).toThrow(ModelError);
        expect(() => new LearnedClassifier({ model })).toThrow(
            /feature schema "tiercel-router-features\/0".*npm run models:router/,
        );
    });

    it("refuses an ONNX file that is not the one its metadata describes", () => {
        const model = editedModel((m) => {
            (m.onnx as Record<string, unknown>).sha256 = "0".repeat(64);
        });
        expect(() => new LearnedClassifier({ model })).toThrow(
            /is not the ONNX model .*npm run models:router/,
        );
    });

    it("refuses a word-vector table that is not the one its metadata describes", () => {
        const model = editedModel((m) => {
            (m.wordVectors as Record<string, unknown>).sha256 = "0".repeat(64);
        });
        expect(() => new LearnedClassifier({ model })).toThrow(ModelError);
        expect(() => new LearnedClassifier({ model })).toThrow(
            /word-vectors\.bin \(sha256 .*\) is not the word-vector table .*npm run models:router/,
        );
        const missing = editedModel((m) => {
            (m.wordVectors as Record<string, unknown>).file = "elsewhere.bin";
        });
        expect(() => new LearnedClassifier({ model: missing })).toThrow(
            /cannot read the routing classifier's word-vector table .*elsewhere\.bin/,
        );
    });

    it("refuses thresholds that are not one ascending number per tier boundary", () => {
        expect(() => new LearnedClassifier({ thresholds: [0.5] })).toThrow(/ascending/);
        expect(() => new LearnedClassifier({ thresholds: [0.6, 0.5] })).toThrow(/ascending/);
    });

    it("refuses a cascade band that is not one edge per threshold, each at or above it", () => {
        const thresholds = [0.2, 0.6];
        expect(() => new LearnedClassifier({ thresholds, cascadeThresholds: [0.3] })).toThrow(
            /cascadeThresholds must be 2 numbers, each at or above its threshold/,
        );
        expect(() => new LearnedClassifier({ thresholds, cascadeThresholds: [0.1, 0.7] })).toThrow(
            /at or above its threshold \[0.2, 0.6\]/,
        );
        const model = editedModel((m) => {
            m.cascadeThresholds = [0, 0];
        });
        expect(() => new LearnedClassifier({ model })).toThrow(/cascadeThresholds must number tiers − 1/);
    });

    it("abstains (and reports) when the worker fails instead of failing the request", async () => {
        // The metadata is valid, but the output name is not in the graph: every run fails in the worker.
        const model = editedModel((m) => {
            (m.onnx as Record<string, unknown>).output = "no_such_output";
        });
        const errors: Error[] = [];
        const broken = new LearnedClassifier({ model, timeoutMs: 10_000, onError: (e) => errors.push(e) });
        try {
            expect(await broken.classify(extractFeatures(easy), easy)).toBeUndefined();
            expect(errors).toHaveLength(1);
        } finally {
            await broken.close();
        }
        expect(await broken.classify(extractFeatures(easy), easy)).toBeUndefined();
    });
});

describe("createRouter with a classifier section", () => {
    const config = {
        providers: { p: { type: "anthropic" as const } },
        tiers: [
            { name: "local", targets: [{ provider: "p", model: "l" }] },
            { name: "mid", targets: [{ provider: "p", model: "m" }] },
            { name: "frontier", targets: [{ provider: "p", model: "f" }] },
        ],
        policy: { defaultTier: "mid", rules: [{ name: "tagged", tier: "mid", when: { tags: ["x"] } }] },
    };

    it("routes unmatched requests by the classifier and records its score; rules still come first", async () => {
        const router = createRouter(
            { ...config, classifier: { timeoutMs: 10_000 } },
            { logger: silentLogger, env: { ANTHROPIC_API_KEY: "k" } },
        );
        try {
            const decided = await router.decide(easy);
            expect(decided).toMatchObject({ tier: "local", routing_reason: "classifier:learned" });
            expect(decided.classifier_score).toBeTypeOf("number");
            const ruled = await router.decide({ ...easy, hints: { tags: ["x"] } });
            expect(ruled).toMatchObject({
                tier: "mid",
                routing_reason: "rule:tagged",
                classifier_score: null,
            });
        } finally {
            await router.close();
        }
    });

    it("decides a fresh router's first request by the loaded model, not a cold abstention", async () => {
        // The default 25 ms decision timeout is far shorter than a worker's session load: without the
        // warm-up wait this first decision would abstain and fall to the default tier.
        const router = createRouter(
            { ...config, classifier: {} },
            { logger: silentLogger, env: { ANTHROPIC_API_KEY: "k" } },
        );
        try {
            const decided = await router.decide(easy);
            expect(decided).toMatchObject({ tier: "local", routing_reason: "classifier:learned" });
            await expect(router.ready()).resolves.toBeUndefined();
        } finally {
            await router.close();
        }
    });

    it("rejects a model whose tiers the config does not have", () => {
        const renamed = {
            ...config,
            tiers: config.tiers.map((t) => (t.name === "mid" ? { ...t, name: "middle" } : t)),
            policy: { defaultTier: "middle" },
        };
        expect(() =>
            createRouter(
                { ...renamed, classifier: {} },
                { logger: silentLogger, env: { ANTHROPIC_API_KEY: "k" } },
            ),
        ).toThrow(/predicts tiers "mid"/);
    });
});
