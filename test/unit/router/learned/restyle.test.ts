import { describe, expect, it } from "vitest";
import { restyle, styleShares } from "../../../../models/router/build/restyle.js";
import { createRng } from "../../../../models/router/build/rng.js";

const code =
    "```ts\nexport function parseConfig(text: string): Config {\n    return JSON.parse(text);\n}\n```";
const request = `Rename parseConfig to loadConfiguration everywhere in this file.\n${code}\nKeep the behaviour.`;

describe("restyle", () => {
    it("changes only the prose: fenced code stays verbatim in every style", () => {
        const rng = createRng(3);
        const seen = new Set<string>();
        for (let n = 0; n < 300; n++) {
            const { text, style } = restyle(rng, request);
            seen.add(style);
            expect(text).toContain(code);
            if (style === "plain") expect(text).toBe(request);
            else expect(text).not.toBe(request);
        }
        expect([...seen].sort()).toEqual([...Object.keys(styleShares), "plain"].sort());
    });

    it("asks a plain imperative as a question, and leaves a text without one alone", () => {
        let question: string | undefined;
        const rng = createRng(11);
        for (let n = 0; n < 200 && question === undefined; n++) {
            const r = restyle(rng, request);
            if (r.style === "question") question = r.text;
        }
        expect(question).toMatch(
            /^(Could you|Can you|Would you|How would I|Is it possible to) rename parseConfig to loadConfiguration everywhere in this file\?\n```ts/,
        );
        const other = createRng(11);
        for (let n = 0; n < 200; n++) expect(restyle(other, code).style).not.toBe("question");
    });

    it("is deterministic for a seed", () => {
        const a = createRng(5);
        const b = createRng(5);
        for (let n = 0; n < 50; n++) expect(restyle(a, request)).toEqual(restyle(b, request));
    });
});
