/**
 * Wording styles laid over any template generator's instruction (buildDataset.ts), independent of its
 * phrasing template: the same request typed tersely in lower case, with typos, as a question, or after a
 * sentence of context. None of them changes what is asked, so none changes the label (the rubric judges
 * the task, not its spelling); they teach the classifier that cue words may be misspelt or missing and
 * that politeness and context are not difficulty. Only the prose is touched: fenced code stays verbatim.
 */
import type { Rng } from "./rng.js";

/** The styles and their shares (the rest stays as the template wrote it). */
export const styleShares = { lower: 0.1, typos: 0.12, question: 0.08, context: 0.1 } as const;
export type Style = keyof typeof styleShares | "plain";

/** Sentences of situation that say nothing about the task's difficulty. */
const contextSentences = [
    "Context: this is for our internal admin tool.",
    "I'm new to this codebase, so bear with me.",
    "We're on Node 20 with strict TypeScript, if that matters.",
    "This file was written a while ago by someone who left the team.",
    "It runs in production but nobody has touched it in months.",
    "Our CI is green right now.",
    "My manager asked for this before the release on Friday.",
    "This is in the payments service.",
    "Following up on the review comments from yesterday.",
    "I tried a couple of things already but I'd rather ask.",
];

/** Applies `edit` to the text outside fenced code blocks only. */
function editProse(text: string, edit: (prose: string) => string): string {
    return text
        .split(/(```[\s\S]*?(?:```|$))/)
        .map((part, i) => (i % 2 === 1 ? part : edit(part)))
        .join("");
}

/** Swaps two inner letters or drops one, in 1–3 words of five letters or more. */
function typos(rng: Rng, prose: string): string {
    const words = prose.split(/(\s+)/);
    const long = words.flatMap((w, i) => (/^[A-Za-z]{5,}$/.test(w) ? [i] : []));
    for (let n = 1 + rng.int(3); n > 0 && long.length > 0; n--) {
        const i = long.splice(rng.int(long.length), 1)[0]!;
        const w = words[i]!;
        const at = 1 + rng.int(w.length - 3);
        words[i] = rng.chance(0.5)
            ? w.slice(0, at) + w[at + 1]! + w[at]! + w.slice(at + 2)
            : w.slice(0, at) + w.slice(at + 1);
    }
    return words.join("");
}

/** "Rename x to y." → "could you rename x to y?" (the first sentence, when it is a plain imperative). */
function asQuestion(rng: Rng, text: string): string | undefined {
    const match = /^([A-Z][a-z]+ [^\n?!]*?)\.(\s|$)/.exec(text);
    if (!match) return undefined;
    const ask = rng.pick(["Could you", "Can you", "How would I", "Is it possible to"]);
    const sentence = match[1]![0]!.toLowerCase() + match[1]!.slice(1);
    return `${ask} ${sentence}?${text.slice(match[1]!.length + 1)}`;
}

/** `text` in a style drawn with `styleShares`, and the style. */
export function restyle(rng: Rng, text: string): { text: string; style: Style } {
    let r = rng.next();
    for (const [style, share] of Object.entries(styleShares) as [keyof typeof styleShares, number][]) {
        if ((r -= share) >= 0) continue;
        switch (style) {
            case "lower":
                return { style, text: editProse(text, (p) => p.toLowerCase().replace(/\.(\s*)$/, "$1")) };
            case "typos":
                return { style, text: editProse(text, (p) => typos(rng, p)) };
            case "question": {
                const asked = asQuestion(rng, text);
                return asked === undefined ? { style: "plain", text } : { style, text: asked };
            }
            case "context":
                return { style, text: `${rng.pick(contextSentences)} ${text}` };
        }
    }
    return { style: "plain", text };
}
