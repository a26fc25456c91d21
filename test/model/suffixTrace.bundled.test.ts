/**
 * Suffix drafting on the agent trace's requests, bundled pair. A retried request regenerating repetitive
 * code: the drafter follows the earlier answer's document (SuffixPool's cursor), so every step drafts the
 * whole k and keeps it. Without the cursor, a short key's latest occurrence was a later repetition of a
 * line (the interface's fields, renamed on the second turn), near the document's end: drafts were cut to
 * 4 tokens, some mismatched. A session's first request whose answer repeats itself: the drafter matches
 * the request's own text too (SuffixProposer's `local`); with the pool alone it drafted nothing (43 of 43
 * kept with it). Tenants (cache scopes) sending the same session id never draft from each other's text.
 * Outputs stay token-identical to plain decoding.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig, projectRoot } from "../../src/config/loadConfig.js";
import { LocalEngine } from "../../src/engine/LocalEngine.js";
import { collect } from "../helpers/fixtureEngine.js";

/** The agent trace's second session (bench/prompts/agentTrace.jsonl): a file, then a turn asking for it back edited. */
const trace = readFileSync(resolve(projectRoot, "bench/prompts/agentTrace.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { session: string; kind: string; prompt?: string });
const file = trace.find((t) => t.session === "s2" && t.kind === "new")!.prompt!;
const again = trace.find((t) => t.session === "s2" && t.kind === "continue")!.prompt!;
/** The trace's first echo turn: the bundled target's answer repeats its own sentence. */
const echo = trace.find((t) => t.session === "s1" && t.kind === "echo")!.prompt!;

let engine: LocalEngine;
beforeAll(async () => {
    engine = await LocalEngine.load(
        parseConfig({
            engine: { contextSize: 2048, sequences: 1, gpu: false, threads: 1 },
            speculation: { stateFile: null },
        }),
        projectRoot,
    );
});
afterAll(async () => {
    await engine.dispose();
});

/** A 64-token request in fixed SUFFIX mode (k = 8) of `sessionId`, in `cacheScope` when given. */
function suffixRun(prompt: string, sessionId: string, cacheScope?: string): ReturnType<typeof collect> {
    return collect(engine, {
        prompt,
        maxTokens: 64,
        sessionId,
        ...(cacheScope !== undefined && { cacheScope }),
        speculation: { mode: "suffix", maxDraftTokens: 8 },
    });
}

/** The same request decoded plainly: what every speculative answer must equal. */
function plainRun(prompt: string): ReturnType<typeof collect> {
    return collect(engine, { prompt, maxTokens: 64, speculation: { mode: "off" } });
}

describe("suffix drafting on the agent trace", () => {
    it("a retried request drafts whole k-token steps through repeated lines, and keeps them all", async () => {
        const first = await suffixRun(file, "s");
        const turn = file + first.text + again;
        const answer = await suffixRun(turn, "s");
        const plain = await plainRun(turn);
        expect(answer.tokens).toEqual(plain.tokens);
        expect(plain.tokens.length).toBe(64);
        // The answer repeats its lines: some 4-token window occurs more than once in it.
        const windows = plain.tokens.slice(0, -3).map((_, i) => plain.tokens.slice(i, i + 4).join(","));
        expect(new Set(windows).size).toBeLessThan(windows.length);

        const retry = await suffixRun(turn, "s");
        expect(retry.tokens).toEqual(plain.tokens);
        const spec = retry.last.finish!.stats.spec;
        expect(spec.acceptedTokens).toBe(spec.draftTokens);
        // Every step but the last drafts the whole k: 63 tokens after the first in 7 steps of 9.
        const lengths = spec.draftedLengths;
        const drafting = lengths.reduce((n, c) => n + c, 0) - (lengths[0] ?? 0);
        expect(lengths[8]).toBeGreaterThanOrEqual(drafting - 1);
    });

    it("drafts an answer's repetition of its own text in a session's first request (nothing in the pool)", async () => {
        const answer = await suffixRun(echo, "fresh");
        const plain = await plainRun(echo);
        expect(answer.tokens).toEqual(plain.tokens);
        const spec = answer.last.finish!.stats.spec;
        // The pool alone drafted nothing here (the session had no earlier request).
        expect(spec.draftTokens).toBeGreaterThanOrEqual(16);
        expect(spec.acceptedTokens).toBeGreaterThanOrEqual(spec.draftTokens * 0.75);
    });

    it("never drafts across cache scopes (tenants) that send the same session id", async () => {
        await suffixRun(file, "shared", "tenant-a");
        const drafted = async (sessionId: string, cacheScope: string): Promise<number> =>
            (await suffixRun(file, sessionId, cacheScope)).last.finish!.stats.spec.draftTokens;
        // Another tenant's retry with the same session id drafts what a session with nothing earlier does.
        const otherTenant = await drafted("shared", "tenant-b");
        expect(otherTenant).toBe(await drafted("never-used", "tenant-b"));
        // The same tenant's retry drafts the earlier answer.
        expect(await drafted("shared", "tenant-a")).toBeGreaterThanOrEqual(otherTenant + 40);
    });
});
