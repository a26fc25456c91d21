/**
 * Cross-request (suffix) drafting on the tiny fixture models: a retried request is drafted from the
 * first one's output and stays token-identical to plain decoding; another session gets nothing from
 * it; a request without a session cannot ask for it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/errors/codes.js";
import type { LocalEngine } from "../../src/engine/LocalEngine.js";
import { collect, loadFixtureEngine } from "../helpers/fixtureEngine.js";

const prompt =
    "def parse(line):\n    key, value = line.split('=')\n    return key.strip(), value.strip()\n\n";

let engine: LocalEngine;
beforeAll(async () => {
    engine = await loadFixtureEngine();
});
afterAll(async () => {
    await engine.dispose();
});

describe("suffix drafting", () => {
    it("drafts a retried request from the first one's output, exactly, and only within its session", async () => {
        const plain = await collect(engine, { prompt, maxTokens: 48, speculation: { mode: "off" } });
        expect(plain.tokens.length).toBeGreaterThan(8);

        const first = await collect(engine, {
            prompt,
            maxTokens: 48,
            sessionId: "tenant-a",
            speculation: { mode: "suffix", maxDraftTokens: 8 },
        });
        expect(first.tokens).toEqual(plain.tokens);
        expect(first.last.finish?.stats.spec.draftTokens).toBe(0); // nothing earlier in the session

        const retry = await collect(engine, {
            prompt,
            maxTokens: 48,
            sessionId: "tenant-a",
            speculation: { mode: "suffix", maxDraftTokens: 8 },
        });
        expect(retry.tokens).toEqual(plain.tokens);
        expect(retry.text).toBe(plain.text);
        const spec = retry.last.finish!.stats.spec;
        expect(retry.last.finish?.stats.proposer).toBe("suffix");
        expect(spec.draftTokens).toBeGreaterThan(plain.tokens.length / 2);
        expect(spec.acceptedTokens).toBe(spec.draftTokens);

        const other = await collect(engine, {
            prompt,
            maxTokens: 48,
            sessionId: "tenant-b",
            speculation: { mode: "suffix", maxDraftTokens: 8 },
        });
        expect(other.tokens).toEqual(plain.tokens);
        expect(other.last.finish?.stats.spec.draftTokens).toBe(0);
    });

    it("AUTO with a session includes the suffix drafter and stays exact", async () => {
        const plain = await collect(engine, {
            prompt: `${prompt}# again\n`,
            maxTokens: 32,
            speculation: { mode: "off" },
        });
        for (let i = 0; i < 3; i++) {
            const auto = await collect(engine, {
                prompt: `${prompt}# again\n`,
                maxTokens: 32,
                sessionId: "tenant-auto",
                speculation: { mode: "auto" },
            });
            expect(auto.tokens).toEqual(plain.tokens);
        }
    });

    it("refuses SUFFIX without a session, saying what to set", async () => {
        await expect(
            collect(engine, { prompt, maxTokens: 4, speculation: { mode: "suffix" } }),
        ).rejects.toMatchObject({
            code: ErrorCode.InvalidArgument,
            message: expect.stringMatching(/set session_id/) as unknown,
        });
    });
});
