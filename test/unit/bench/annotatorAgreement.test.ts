import { describe, expect, it } from "vitest";
import secondAnnotator from "../../../bench/eval/secondAnnotator.json" with { type: "json" };
import { annotatorAgreement } from "../../../bench/eval/annotatorAgreement.js";
import { handwrittenSet } from "../../../bench/eval/handwritten/handwrittenSet.js";
import { independentSet } from "../../../bench/eval/independent/independentSet.js";
import type { DatasetItem } from "../../../models/router/build/buildDataset.js";

const item = (id: string, label: DatasetItem["label"]): DatasetItem => ({
    id,
    category: "c",
    label,
    request: { messages: [{ role: "user", content: id }] },
    output_tokens: 1,
});

describe("annotatorAgreement", () => {
    it("agreement, Cohen's kappa and the router against each annotator, on the items both labelled", () => {
        const set = [
            item("a", "local"),
            item("b", "mid"),
            item("c", "frontier"),
            item("d", "mid"),
            item("e", "local"),
        ];
        const second = {
            about: "",
            labels: {
                a: { label: "local", confidence: "high" },
                b: { label: "mid", confidence: "high" },
                c: { label: "mid", confidence: "low" },
                d: { label: "mid", confidence: "high" },
            },
        } as const;
        // The router: local, mid, frontier, local (e is skipped: not labelled twice).
        const result = annotatorAgreement(set, [0, 1, 2, 0, 2], second);
        expect(result.items).toBe(4);
        expect(result.agreement).toBe(0.75);
        // Chance: first (1/4 local, 2/4 mid, 1/4 frontier) × second (1/4, 3/4, 0) = 1/16 + 6/16.
        expect(result.kappa).toBeCloseTo((0.75 - 7 / 16) / (1 - 7 / 16), 12);
        expect(result.routerVsFirst).toBe(0.75);
        expect(result.routerVsSecond).toBe(0.5);
        expect(result.differing).toEqual(["c frontier→mid"]);
    });

    it("the committed second labels cover the independent set and every fourth hand-written item, and nothing else", () => {
        const expected = [...independentSet, ...handwrittenSet.filter((_, i) => i % 4 === 1)].map(
            (x) => x.id,
        );
        expect(Object.keys(secondAnnotator.labels).sort()).toEqual(expected.sort());
    });
});
