import { describe, expect, it } from "vitest";
import { microBatches } from "../../../bench/microBatches.js";

describe("microBatches (llama.cpp's split of a multi-sequence batch, kv_unified off)", () => {
    it("one micro-batch for consecutive ids in ascending order with equal tokens", () => {
        expect(microBatches([0, 1, 2, 3], [1, 1, 1, 1])).toBe(1);
        expect(microBatches([4], [9])).toBe(1);
        expect(microBatches([], [])).toBe(0);
    });
    it("a run per gap, and one per sequence in descending order", () => {
        expect(microBatches([0, 1, 3, 4], [1, 1, 1, 1])).toBe(2);
        expect(microBatches([0, 2, 4, 6], [1, 1, 1, 1])).toBe(4);
        expect(microBatches([3, 2, 1, 0], [1, 1, 1, 1])).toBe(4);
        // A run wraps: 2, 3 first (batch order), then 0, 1.
        expect(microBatches([2, 3, 0, 1], [1, 1, 1, 1])).toBe(2);
    });
    it("equal tokens per sequence: a longer pass adds micro-batches", () => {
        // 1 token of each, then the 4 left of sequence 1.
        expect(microBatches([0, 1, 2], [1, 5, 1])).toBe(2);
        // 1 of each, then 2 of sequences 1 and 2 together, then 3 of sequence 2.
        expect(microBatches([0, 1, 2], [1, 3, 6])).toBe(3);
        // 0 and 2 are not consecutive: after the first micro-batch, each goes alone.
        expect(microBatches([0, 1, 2], [3, 1, 3])).toBe(3);
    });
});
