/**
 * The target's choice at one position under a grammar (response_format), from the candidates
 * node-llama-cpp returned for that position, sorted from most to least likely. Pure: the grammar is a
 * predicate `allows(token)` over the position's grammar state.
 *
 * Semantics, the same as node-llama-cpp's own grammar-aware sampler when the unconstrained choice is
 * forbidden ("apply the grammar first, then the rest of the chain"), and llama.cpp's chain order:
 * - temperature 0: the most likely token the grammar allows (the constrained argmax);
 * - temperature > 0: grammar mask → top-k → top-p → min-p → temperature, each step renormalizing, on
 *   the untempered distribution (logit bias and penalties already applied by node-llama-cpp).
 * Speculation stays exact because every verified position, drafted ones included, is chosen by these
 * functions with that position's own grammar state (generate.ts), as plain decoding chooses it.
 */
import type { Token, TokenDistribution } from "../speculative/types.js";

/**
 * Candidates whose total probability is below this share of the allowed mass found so far are not
 * checked against the grammar (they could move no probability by more than this share).
 */
export const negligibleMass = 1e-9;

/** Sorted `[token, probability]` pairs, most likely first (node-llama-cpp's probability map). */
export type SortedCandidates = Iterable<readonly [Token, number]>;

export interface ConstrainedSampling {
    temperature: number;
    /** 0 = off. */
    topK: number;
    /** 1 = off. */
    topP: number;
    /** 0 = off. */
    minP: number;
}

/** The most likely allowed token, or undefined when the grammar allows none of the candidates. */
export function constrainedArgmax(
    candidates: SortedCandidates,
    allows: (token: Token) => boolean,
): Token | undefined {
    for (const [token] of candidates) if (allows(token)) return token;
    return undefined;
}

/**
 * The constrained sampling distribution (temperature > 0), or undefined when the grammar allows none of
 * the candidates. `candidates` must be the full untempered distribution (temperature 1, no top-k/top-p/
 * min-p), sorted, summing to 1; the walk stops after `topK` allowed tokens or when the rest is negligible.
 */
export function constrainedDistribution(
    candidates: SortedCandidates,
    allows: (token: Token) => boolean,
    s: ConstrainedSampling,
): TokenDistribution | undefined {
    const tokens: Token[] = [];
    const probs: number[] = [];
    let mass = 0;
    let seen = 0;
    for (const [token, p] of candidates) {
        // The unseen rest cannot change the kept mass by more than `negligibleMass` of it: stop there
        // (a grammar that allows few tokens would otherwise check the whole vocabulary at every position).
        if (mass > 0 && 1 - seen < negligibleMass * mass) break;
        seen += p;
        if (p <= 0 || !allows(token)) continue;
        tokens.push(token);
        probs.push(p);
        mass += p;
        if (s.topK > 0 && tokens.length === s.topK) break;
    }
    if (tokens.length === 0 || mass <= 0) return undefined;
    return applyChain(tokens, probs, mass, s);
}

/**
 * The constrained sampling distribution from a top-N list (the N most likely tokens of the untempered
 * distribution, sorted, renormalized over the list), or undefined when the list does not determine it:
 * top-k off, or fewer than `topK` allowed tokens listed. When it returns one, it equals
 * `constrainedDistribution` on the full map (up to that function's negligible-mass stop): the kept set
 * is the first `topK` allowed tokens, all listed, and top-p, min-p and temperature read only the ratios of
 * their probabilities, which the renormalization keeps.
 */
export function listedConstrainedDistribution(
    listed: SortedCandidates,
    allows: (token: Token) => boolean,
    s: ConstrainedSampling,
): TokenDistribution | undefined {
    if (s.topK <= 0) return undefined;
    const tokens: Token[] = [];
    const probs: number[] = [];
    let mass = 0;
    for (const [token, p] of listed) {
        if (p <= 0 || !allows(token)) continue;
        tokens.push(token);
        probs.push(p);
        mass += p;
        if (tokens.length === s.topK) return applyChain(tokens, probs, mass, s);
    }
    return undefined;
}

/** top-p, then min-p, then temperature on the kept allowed tokens (sorted; `mass` is their sum). */
function applyChain(
    tokens: readonly Token[],
    probs: readonly number[],
    mass: number,
    s: ConstrainedSampling,
): TokenDistribution {
    // top-p: the shortest prefix whose renormalized mass reaches topP (at least one token).
    let keep = tokens.length;
    if (s.topP < 1) {
        let cumulative = 0;
        for (let i = 0; i < tokens.length; i++) {
            cumulative += probs[i]! / mass;
            if (cumulative >= s.topP) {
                keep = i + 1;
                break;
            }
        }
    }
    // min-p: drop tokens less likely than minP times the most likely one (at least one token).
    if (s.minP > 0) {
        const floor = s.minP * probs[0]!;
        let kept = 1;
        while (kept < keep && probs[kept]! >= floor) kept++;
        keep = kept;
    }
    // Temperature last: p^(1/T) renormalized is softmax(logit / T) over the kept tokens.
    const weights: number[] = [];
    let total = 0;
    for (let i = 0; i < keep; i++) {
        const w = Math.pow(probs[i]! / probs[0]!, 1 / s.temperature);
        weights.push(w);
        total += w;
    }
    return { tokens: tokens.slice(0, keep), probs: weights.map((w) => w / total) };
}
