import fc from "fast-check";
import type { BatchItem, Token } from "node-llama-cpp";
import { describe, expect, it } from "vitest";
import { promptShare, stepsFirstStrategy } from "../../../src/engine/stepsFirstStrategy.js";

const item = (tokens: number): BatchItem => ({
    tokens: Array<Token>(tokens).fill(1 as Token),
    logits: [],
    evaluationPriority: 5,
});
const strategy = stepsFirstStrategy(9);
/** Each item's amount in the result (0 when left out), in queue order. */
const amounts = (items: BatchItem[], size: number): number[] => {
    const result = strategy({ items, size });
    return items.map((i) => result.find((r) => r.item === i)?.processAmount ?? 0);
};

describe("stepsFirstStrategy", () => {
    it("prompts arriving together finish one after another, not all in the last batch", () => {
        // node-llama-cpp's default gives each of these 512 / 8 = 64 tokens a batch.
        expect(
            amounts(
                Array.from({ length: 8 }, () => item(200)),
                512,
            ),
        ).toEqual([200, 200, 112, 0, 0, 0, 0, 0]);
    });

    it("running requests' steps go whole, a prompt takes the rest", () => {
        const items = [item(1), item(9), item(1000), item(3), item(1)];
        expect(amounts(items, 512)).toEqual([1, 9, 498, 3, 1]);
    });

    it("the prompt with the fewest tokens left goes first; equal ones in queue order", () => {
        expect(amounts([item(3000), item(120), item(400), item(120)], 512)).toEqual([0, 120, 272, 120]);
    });

    it("a queued prompt always gets a quarter of the batch, and steps take what it leaves", () => {
        const steps = Array.from({ length: 600 }, () => item(1));
        const stepRoom = 512 - Math.ceil(512 * promptShare);
        const withPrompt = amounts([...steps, item(5000)], 512);
        expect(withPrompt.at(-1)).toBe(512 - stepRoom);
        expect(withPrompt.slice(0, -1).filter((a) => a === 1)).toHaveLength(stepRoom);
        // A short prompt leaves room that waiting steps take.
        const shortPrompt = amounts([...steps, item(100)], 512);
        expect(shortPrompt.at(-1)).toBe(100);
        expect(shortPrompt.reduce((a, b) => a + b, 0)).toBe(512);
        // With no prompt queued, steps fill the batch.
        expect(amounts(steps, 512).reduce((a, b) => a + b, 0)).toBe(512);
    });

    it("a batch smaller than the first step still makes progress", () => {
        expect(amounts([item(9), item(4)], 8)).toEqual([0, 4]);
        expect(amounts([item(9)], 8)).toEqual([8]);
    });

    it("property: bounded, progressing, in queue order, steps whole, prompts their share", () => {
        fc.assert(
            fc.property(
                fc.array(fc.oneof(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 10, max: 3000 })), {
                    minLength: 1,
                    maxLength: 40,
                }),
                fc.integer({ min: 1, max: 2048 }),
                (lengths, size) => {
                    const items = lengths.map(item);
                    const result = strategy({ items, size });
                    expect(result.length).toBeGreaterThan(0);
                    let total = 0;
                    let lastIndex = -1;
                    for (const { item: it, processAmount } of result) {
                        const index = items.indexOf(it);
                        expect(index).toBeGreaterThan(lastIndex);
                        lastIndex = index;
                        expect(processAmount).toBeGreaterThan(0);
                        expect(processAmount).toBeLessThanOrEqual(it.tokens.length);
                        total += processAmount;
                    }
                    expect(total).toBeLessThanOrEqual(size);
                    const clippedStep = result.some(
                        (r) => r.item.tokens.length <= 9 && r.processAmount < r.item.tokens.length,
                    );
                    if (clippedStep) expect(result).toHaveLength(1);
                    const longTokens = lengths.filter((n) => n > 9).reduce((a, b) => a + b, 0);
                    const longTaken = result
                        .filter((r) => r.item.tokens.length > 9)
                        .reduce((a, r) => a + r.processAmount, 0);
                    expect(longTaken).toBeGreaterThanOrEqual(
                        Math.min(longTokens, Math.ceil(size * promptShare)),
                    );
                },
            ),
        );
    });
});
