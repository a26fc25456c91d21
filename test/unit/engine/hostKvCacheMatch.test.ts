/**
 * HostKvCache.match and .wants through the prefix block index (PrefixBlockIndex.ts) answer exactly what
 * comparing every entry answers: property test over entries built from a few shared "system prompts" of
 * any length (below, at and across 64-token block boundaries) and private tails, in two scopes, with
 * entries added and removed (superseded, evicted) along the way.
 */
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import fc from "fast-check";
import { afterEach, expect, it } from "vitest";
import { HostKvCache, type HostKvEntry } from "../../../src/engine/HostKvCache.js";
import { commonPrefixLength } from "../../../src/speculative/commonPrefixLength.js";

const caches: HostKvCache[] = [];
afterEach(async () => {
    await Promise.all(caches.splice(0).map((c) => c.dispose()));
});

const sequence = fc.record({
    system: fc.nat(3),
    systemLength: fc.integer({ min: 0, max: 300 }),
    tail: fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 150 }),
    scope: fc.constantFrom("a", "b"),
});
type Sequence = { system: number; systemLength: number; tail: number[]; scope: string };
const tokensOf = (s: Sequence): number[] => [
    ...Array.from({ length: s.systemLength }, (_, i) => (i * 7 + s.system * 1000) % 997),
    ...s.tail,
];

function reference(entries: readonly HostKvEntry[], tokens: number[], scope: string, minTokens: number) {
    let best: number | undefined;
    for (const e of entries)
        if (e.scope === scope) {
            const common = commonPrefixLength(e.tokens, tokens, tokens.length - 1);
            if (common >= minTokens && (best === undefined || common > best)) best = common;
        }
    return best;
}

it("matches and wants exactly what a comparison with every entry gives", async () => {
    await fc.assert(
        fc.asyncProperty(
            fc.array(sequence, { minLength: 1, maxLength: 12 }),
            fc.array(sequence, { minLength: 1, maxLength: 6 }),
            fc.integer({ min: 1, max: 200 }),
            async (stored, probes, minTokens) => {
                const cache = await HostKvCache.create({ dir: tmpdir(), maxBytes: 1e12, minTokens });
                caches.push(cache);
                const entries: HostKvEntry[] = [];
                for (const s of stored) {
                    const tokens = tokensOf(s);
                    // As the engine adds them: only what `wants` takes.
                    if (!cache.wants(tokens, s.scope)) continue;
                    const base = cache.nextBase();
                    await writeFile(`${base}.target.kv`, "");
                    cache.add(s.scope, tokens, tokens.length, {
                        targetFile: `${base}.target.kv`,
                        draftFiles: new Map(),
                        bytes: 1,
                        targetBytes: 1,
                    });
                }
                // What the cache kept (it drops entries a later one continues): found back by matching
                // each stored sequence whole.
                for (const s of stored) {
                    if (tokensOf(s).length < minTokens) continue;
                    const found = cache.match([...tokensOf(s), -1], s.scope);
                    if (found && found.entry.tokens.length === found.common && !entries.includes(found.entry))
                        entries.push(found.entry);
                }
                expect(entries.length).toBe(cache.usage.entries);
                for (const p of [...probes, ...stored]) {
                    const tokens = tokensOf(p);
                    const found = cache.match(tokens, p.scope);
                    expect(found?.common).toBe(reference(entries, tokens, p.scope, minTokens));
                    if (found)
                        expect(commonPrefixLength(found.entry.tokens, tokens, tokens.length - 1)).toBe(
                            found.common,
                        );
                    const held = entries.some(
                        (e) =>
                            e.scope === p.scope &&
                            e.tokens.length >= tokens.length &&
                            commonPrefixLength(e.tokens, tokens) === tokens.length,
                    );
                    expect(cache.wants(tokens, p.scope)).toBe(tokens.length >= minTokens && !held);
                }
            },
        ),
        { numRuns: 150 },
    );
});
