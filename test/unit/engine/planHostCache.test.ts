import { describe, expect, it } from "vitest";
import { planHostCache, type HostCacheFacts } from "../../../src/engine/prepareSlot.js";

const facts = (f: Partial<HostCacheFacts>): HostCacheFacts => ({
    held: 0,
    keptInPlace: 0,
    lastPrompt: 0,
    donorTokens: 0,
    worthSaving: true,
    minTokens: 256,
    ...f,
});

describe("planHostCache", () => {
    it.each([
        ["another conversation takes the slot: save it", { held: 4000, lastPrompt: 3990 }, true, false],
        [
            "the same conversation's next turn keeps its prompt: no save",
            { held: 4000, keptInPlace: 3990, lastPrompt: 3990 },
            false,
            false,
        ],
        [
            "a retry keeps all but the answer: no save",
            { held: 4000, keptInPlace: 3989, lastPrompt: 3990 },
            false,
            false,
        ],
        [
            "a sibling sharing a system prompt erases the tail: save",
            { held: 4000, keptInPlace: 2000, lastPrompt: 3990 },
            true,
            false,
        ],
        [
            "erasing less than minTokens: no save",
            { held: 4000, keptInPlace: 3800, lastPrompt: 3990 },
            false,
            false,
        ],
        [
            "nothing worth saving (short, or held by an entry)",
            { held: 4000, lastPrompt: 3990, worthSaving: false },
            false,
            false,
        ],
        [
            "a copy replaces the whole slot: save",
            { held: 4000, keptInPlace: 3990, lastPrompt: 3990, donorTokens: 2000 },
            true,
            false,
        ],
        [
            "the conversation's entry gives 4000 more: restore, and save what the slot held",
            { held: 3000, lastPrompt: 2990, match: { common: 4000, entryTokens: 4100 } },
            true,
            true,
        ],
        [
            "an entry no better than the copy on offer: no restore",
            { donorTokens: 2000, match: { common: 2100, entryTokens: 4000 } },
            false,
            false,
        ],
        [
            "an entry gaining under a quarter of what it loads: no restore",
            { keptInPlace: 2000, match: { common: 2900, entryTokens: 4000 }, worthSaving: false },
            false,
            false,
        ],
        [
            "an entry gaining a quarter of what it loads: restore",
            { keptInPlace: 2000, match: { common: 3000, entryTokens: 4000 }, worthSaving: false },
            false,
            true,
        ],
        [
            "measured: loading (30 ms) costs less than evaluating the gain (3,000 × 1 ms): restore",
            {
                match: { common: 3000, entryTokens: 12000, loadMs: 30 },
                evalMsPerToken: 1,
                worthSaving: false,
            },
            false,
            true,
        ],
        [
            "measured: loading (500 ms) costs more than evaluating the gain (3,000 × 0.15 ms): no restore",
            {
                match: { common: 3000, entryTokens: 3100, loadMs: 500 },
                evalMsPerToken: 0.15,
                worthSaving: false,
            },
            false,
            false,
        ],
        [
            "measured: a round trip under half of evaluating what is erased: save",
            { held: 4000, lastPrompt: 3990, roundTripMs: 100, evalMsPerToken: 1 },
            true,
            false,
        ],
        [
            "measured: a round trip over half of evaluating what is erased: no save",
            { held: 4000, lastPrompt: 3990, roundTripMs: 400, evalMsPerToken: 0.15 },
            false,
            false,
        ],
        [
            "a round trip measured but no prompt pass yet: decided as unmeasured",
            { held: 4000, lastPrompt: 3990, roundTripMs: 400 },
            true,
            false,
        ],
    ] as const)("%s", (_, f, save, restore) => {
        expect(planHostCache(facts(f))).toMatchObject({ save, restore });
    });

    it.each([
        ["another conversation's slot", { held: 4000, lastPrompt: 3990 }, true],
        ["its own conversation continued", { held: 4000, keptInPlace: 3990, lastPrompt: 3990 }, false],
        ["an empty slot", {}, false],
        ["a short conversation", { held: 200, lastPrompt: 190 }, false],
        [
            "an already saved conversation is still taken over",
            { held: 4000, lastPrompt: 3990, worthSaving: false },
            true,
        ],
    ] as const)("counts a takeover: %s", (_, f, takeover) => {
        expect(planHostCache(facts(f)).takeover).toBe(takeover);
    });
});
