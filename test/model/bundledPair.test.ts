/**
 * The bundled, trained model pair through the engine: every proposer (draft model, n-gram lookup,
 * AUTO, and a translated draft) reproduces plain greedy decoding token for token on held-out code,
 * and each one is really used: its drafts get accepted.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureRetokenizedCopy } from "../../models/build/buildRetokenizedCopy.js";
import { parseConfig, projectRoot } from "../../src/config/loadConfig.js";
import { LocalEngine } from "../../src/engine/LocalEngine.js";
import type { GenerateRequest } from "../../src/engine/types.js";
import { bundledModelPath, readEvalPrompts } from "../helpers/bundledModels.js";
import { collect } from "../helpers/fixtureEngine.js";

let engine: LocalEngine;
beforeAll(async () => {
    const translated = await ensureRetokenizedCopy(bundledModelPath("target"), "target");
    engine = await LocalEngine.load(
        parseConfig({
            models: {
                drafts: [{ id: "tiercel-code-draft" }, { id: "target-retokenized", path: translated }],
            },
            engine: { contextSize: 1024, sequences: 2, gpu: false, threads: 1 },
            speculation: { stateFile: null },
        }),
        projectRoot,
    );
});
afterAll(async () => {
    await engine.dispose();
});

const prompts = readEvalPrompts().slice(0, 4);
const editPrompt = (p: string): string => {
    const snippet = p.split("\n").slice(-10).join("\n");
    return `${snippet}\n\n# The same code again:\n\n${snippet.split("\n")[0]}\n`;
};

describe("bundled pair", () => {
    it("loads the target, the trained draft (direct) and the retokenized copy (translated)", () => {
        const byId = new Map(engine.models().map((m) => [m.id, m]));
        expect(byId.get("tiercel-code-draft")).toMatchObject({ draftMode: "direct", loaded: true });
        expect(byId.get("tiercel-code-draft")?.compatibility?.verdict).toBe("identical");
        expect(byId.get("target-retokenized")).toMatchObject({ draftMode: "translated", loaded: true });
        expect(byId.get("target-retokenized")?.compatibility?.reasons.map((r) => r.rule)).toEqual([
            "vocab_size",
        ]);
    });

    for (const [i, p] of prompts.entries()) {
        it(`every proposer reproduces plain decoding on held-out prompt ${i}`, async () => {
            const base: GenerateRequest = { prompt: p.prompt, maxTokens: 48 };
            const plain = await collect(engine, { ...base, speculation: { mode: "off" } });
            for (const speculation of [
                { mode: "draft_model", draftModel: "tiercel-code-draft", maxDraftTokens: 4 },
                { mode: "draft_model", draftModel: "target-retokenized", maxDraftTokens: 4 },
                { mode: "ngram", maxDraftTokens: 6 },
                { mode: "auto" },
            ] as const) {
                const spec = await collect(engine, { ...base, speculation });
                expect(spec.tokens, JSON.stringify(speculation)).toEqual(plain.tokens);
            }
        });
    }

    it("each drafter gets drafts accepted where it should", async () => {
        let draftAccepted = 0;
        let translatedDrafted = 0;
        let translatedAccepted = 0;
        for (const p of prompts) {
            const d = await collect(engine, {
                prompt: p.prompt,
                maxTokens: 32,
                speculation: { mode: "draft_model", draftModel: "tiercel-code-draft", maxDraftTokens: 3 },
            });
            draftAccepted += d.last.finish!.stats.spec.acceptedTokens;
            const t = await collect(engine, {
                prompt: p.prompt,
                maxTokens: 32,
                speculation: { mode: "draft_model", draftModel: "target-retokenized", maxDraftTokens: 4 },
            });
            translatedDrafted += t.last.finish!.stats.spec.draftTokens;
            translatedAccepted += t.last.finish!.stats.spec.acceptedTokens;
        }
        expect(draftAccepted).toBeGreaterThan(0);
        // The translated draft is the target itself behind another tokenizer: nearly all accepted.
        expect(translatedDrafted).toBeGreaterThan(0);
        expect(translatedAccepted / translatedDrafted).toBeGreaterThan(0.8);

        // Prompt lookup on a copy-heavy prompt.
        const copy = await collect(engine, {
            prompt: editPrompt(prompts[0]!.prompt),
            maxTokens: 48,
            speculation: { mode: "ngram" },
        });
        expect(copy.last.finish!.stats.spec.acceptedTokens).toBeGreaterThan(0);
    });
});
