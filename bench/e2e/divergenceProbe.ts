/**
 * Why a speculative output differs from OFF at temperature 0: the target's next-token probabilities at
 * the first differing position, computed twice on a fresh sequence, once as OFF decodes (the prompt in
 * one pass, then one token per pass) and once as a verification does (the common prefix in one pass).
 * When the two tokens are a near-tie (their probabilities within `nearTie`) and each shape picks its own
 * run's token, the difference is the kernels' arithmetic (a GPU runs other kernels for an n-token pass
 * than for one token), not the speculation: verification is exact against what that pass computes.
 */
import type { LlamaContextSequence, LlamaModel, Token } from "node-llama-cpp";

/** Two tokens whose probabilities differ by less than this are a near-tie (fp16/bf16 accumulations). */
export const nearTie = 0.01;

export interface Divergence {
    /** Index in the output of the first differing token. */
    position: number;
    offToken: string;
    otherToken: string;
    /** Probabilities of OFF's and the other run's token, prefix decoded one token per pass. */
    stepwise: { off: number; other: number; argmax: "off" | "other" | "neither" };
    /** The same, prefix in one pass. */
    batched: { off: number; other: number; argmax: "off" | "other" | "neither" };
    nearTie: boolean;
}

/** The first index where `a` and `b` differ, or undefined when one is a prefix of the other. */
export function firstDifference(a: readonly number[], b: readonly number[]): number | undefined {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
    return undefined;
}

async function nextProbabilities(
    sequence: LlamaContextSequence,
    prompt: readonly Token[],
    prefix: readonly Token[],
    stepwise: boolean,
): Promise<Map<Token, number>> {
    await sequence.clearHistory();
    const all = [...prompt, ...prefix];
    const head = stepwise ? prompt.length : all.length;
    const last = (tokens: readonly Token[]) =>
        sequence.controlledEvaluate(
            tokens.map((t, i) =>
                i === tokens.length - 1 ? [t, { generateNext: { probabilities: true } }] : t,
            ),
        );
    let out = await last(all.slice(0, head));
    for (let i = head; i < all.length; i++) out = await last([all[i]!]);
    const probabilities = out.at(-1)?.next.probabilities;
    if (!probabilities) throw new Error("no next-token probabilities");
    return probabilities;
}

/**
 * Probes the first difference between OFF's and another run's output tokens for one prompt; undefined
 * when they do not differ. Uses a sequence of its own (cleared before each evaluation).
 */
export async function probeDivergence(
    model: LlamaModel,
    sequence: LlamaContextSequence,
    promptIds: readonly number[],
    offIds: readonly number[],
    otherIds: readonly number[],
): Promise<Divergence | undefined> {
    // Token is a branded number in node-llama-cpp's types; the ids come from its own tokenizer.
    const tokens = (ids: readonly number[]) => ids as unknown as readonly Token[];
    const prompt = tokens(promptIds);
    const off = tokens(offIds);
    const other = tokens(otherIds);
    const position = firstDifference(off, other);
    if (position === undefined) return undefined;
    const offToken = off[position]!;
    const otherToken = other[position]!;
    const shape = async (stepwise: boolean) => {
        const p = await nextProbabilities(sequence, prompt, off.slice(0, position), stepwise);
        let best: Token | undefined;
        for (const [t, v] of p) if (best === undefined || v > p.get(best)!) best = t;
        const argmax = best === offToken ? "off" : best === otherToken ? "other" : "neither";
        return { off: p.get(offToken) ?? 0, other: p.get(otherToken) ?? 0, argmax } as const;
    };
    const stepwise = await shape(true);
    const batched = await shape(false);
    return {
        position,
        offToken: model.detokenize([offToken], true),
        otherToken: model.detokenize([otherToken], true),
        stepwise,
        batched,
        nearTie: Math.abs(stepwise.off - stepwise.other) < nearTie,
    };
}
