import { wordVectors } from "../../../helpers/wordVectors.js";
import { describe, expect, it } from "vitest";
import { buildDataset, isHeldout, tierNames } from "../../../../models/router/build/buildDataset.js";
import { draftRng, familyOf } from "../../../../models/router/build/draft.js";
import { createRng } from "../../../../models/router/build/rng.js";
import { featureNames, featureVector } from "../../../../src/router/learned/featureVector.js";

describe("buildDataset", () => {
    it("is deterministic for a seed and labels every item with a known tier", () => {
        const a = buildDataset({ count: 120 });
        expect(buildDataset({ count: 120 })).toEqual(a);
        expect(buildDataset({ count: 120, seed: 1 })).not.toEqual(a);
        for (const item of a) {
            expect(tierNames).toContain(item.label);
            expect(item.request.messages.at(-1)!.role).toBe("user");
            expect(item.output_tokens).toBeGreaterThan(0);
        }
        expect(new Set(a.map((i) => i.label)).size).toBe(tierNames.length);
    });

    it("holds out about a quarter of the ids, by id alone", () => {
        const items = buildDataset({ count: 800 });
        const share = items.filter((i) => isHeldout(i.id)).length / items.length;
        expect(share).toBeGreaterThan(0.2);
        expect(share).toBeLessThan(0.3);
        expect(isHeldout(items[0]!.id)).toBe(isHeldout(items[0]!.id));
    });

    it("labels agent loops by the rubric: a first turn by its task, a loop at least mid, a stalled one frontier", () => {
        const streak = featureNames.indexOf("marked_error_streak");
        const calls = featureNames.indexOf("log_tool_calls");
        const loops = buildDataset({ count: 600, labelNoise: 0 }).filter((i) => i.category === "agent_loop");
        expect(loops.length).toBeGreaterThan(50);
        let stalled = 0;
        let onToolResults = 0;
        for (const item of loops) {
            const v = featureVector(item.request, wordVectors);
            if (v[streak]! >= 2) {
                stalled++;
                expect(item.label).toBe("frontier");
            } else if (v[calls]! > 0) {
                expect(item.label).not.toBe("local");
            }
            const last = item.request.messages.at(-1)!;
            if (typeof last.content !== "string" && last.content.every((p) => p.type === "tool_result"))
                onToolResults++;
            expect(item.request.tools?.length).toBeGreaterThan(0);
        }
        expect(stalled).toBeGreaterThan(0);
        expect(onToolResults).toBeGreaterThan(0);
    });

    it("records each item's wording family: its templates, or its agent client for a conversation", () => {
        const items = buildDataset({ count: 400 });
        for (const item of items) expect(item.family).toMatch(new RegExp(`^${item.category}(:|$)`));
        const loops = items.filter((i) => i.category === "agent_loop");
        expect(new Set(loops.map((i) => i.family))).toEqual(
            new Set(["agent_loop:claude_code", "agent_loop:codex", "agent_loop:editor"]),
        );
        for (const [category, shape] of [
            ["aider_chat", "aider"],
            ["ide_chat", "ide_chat"],
        ] as const) {
            const chats = items.filter((i) => i.category === category);
            expect(chats.length).toBeGreaterThan(0);
            for (const chat of chats) expect(chat.family).toBe(`${category}:${shape}`);
        }
        const templated = items.filter((i) => i.category === "rename");
        expect(new Set(templated.map((i) => i.family)).size).toBeGreaterThan(1);
    });

    it("draws a phrasing exactly as pick does, so recording families leaves the data set unchanged", () => {
        const templates = ["a", "b", "c", "d", "e"];
        const plain = createRng(5);
        const { rng, record } = draftRng(createRng(5));
        const drawn = Array.from({ length: 20 }, () => rng.phrasing(templates));
        expect(drawn).toEqual(Array.from({ length: 20 }, () => plain.pick(templates)));
        expect(record.phrasings.map((i) => templates[i])).toEqual(drawn);
        expect(familyOf("rename", { phrasings: [2, 0] })).toBe("rename:2.0");
        expect(familyOf("agent_loop", { phrasings: [4], shape: "codex" })).toBe("agent_loop:codex");
        expect(familyOf("hints", { phrasings: [] })).toBe("hints");
    });
});
