import { describe, expect, it } from "vitest";
import { isServiceError } from "../../../src/errors/ServiceError.js";
import { resolveSampling } from "../../../src/engine/resolveSampling.js";
import type { SamplingOptions } from "../../../src/engine/types.js";

const vocab = { size: 100, isEog: (t: number) => t === 2 };

function messageOf(options: SamplingOptions): string {
    try {
        resolveSampling(options, vocab);
    } catch (error) {
        if (isServiceError(error) && error.code === "E_INVALID_ARGUMENT") return error.message;
        throw error;
    }
    throw new Error("expected INVALID_ARGUMENT");
}

describe("resolveSampling", () => {
    it("applies the defaults: greedy, penalties and bias off", () => {
        expect(resolveSampling({}, vocab)).toEqual({
            temperature: 0,
            topK: 40,
            topP: 0.95,
            seed: undefined,
            minP: 0,
            penalties: undefined,
            logitBias: undefined,
        });
    });

    it("turns penalties on when any is set and the window is not empty", () => {
        expect(resolveSampling({ presencePenalty: 0.5 }, vocab).penalties).toEqual({
            repeat: 1,
            lastN: 64,
            presence: 0.5,
            frequency: 0,
        });
        expect(resolveSampling({ repeatPenalty: 1.3, repeatLastN: 0 }, vocab).penalties).toBeUndefined();
        expect(resolveSampling({ repeatPenalty: 1, frequencyPenalty: 0 }, vocab).penalties).toBeUndefined();
    });

    it.each<[SamplingOptions, string]>([
        [{ minP: 1.5 }, "min_p must be in [0, 1], got 1.5"],
        [{ repeatPenalty: 0 }, "repeat_penalty must be a positive number (1 = off), got 0"],
        [{ repeatLastN: -1 }, "repeat_last_n must be a non-negative integer, got -1"],
        [{ presencePenalty: 3 }, "presence_penalty must be in [-2, 2], got 3"],
        [{ frequencyPenalty: -2.5 }, "frequency_penalty must be in [-2, 2], got -2.5"],
        [{ logitBias: new Map([[100, 1]]) }, "logit_bias token id 100 is outside the vocabulary [0, 100)"],
        [{ logitBias: new Map([[2, -5]]) }, "logit_bias token id 2 is an end-of-generation token"],
        [{ logitBias: new Map([[5, Number.NaN]]) }, "logit_bias[5] must be a finite number, got NaN"],
        [{ temperature: 6 }, "temperature must be in [0, 5], got 6"],
        [{ seed: 1.5 }, "seed must be an integer, got 1.5"],
        [{ seed: 2 ** 60 }, "seed must be an integer, got"],
    ])("refuses %o naming the field", (options, message) => {
        expect(messageOf(options)).toContain(message);
    });
});
