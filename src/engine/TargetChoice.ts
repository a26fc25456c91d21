/**
 * The target's choice at the positions of a decoding step: what a target pass asks node-llama-cpp for at
 * a position that chooses the next token (`item`), and which token the answer makes (`pick`, with
 * `reevaluate` as its fallback), or which distribution it samples from (`distributionAt`). One instance
 * per request (generate.ts); the grammar state is passed per position, since a drafted position's state
 * is the committed one advanced through the drafts before it. Pure but for `reevaluate`, the one method
 * that evaluates (on the slot it is given).
 *
 * Contract (what generate.ts relies on):
 * 1. `pick(out, state)` is plain decoding's choice at that position, given its output and grammar state:
 *    - temperature 0 without a grammar: node-llama-cpp's argmax (logit bias and penalties applied);
 *    - temperature 0 with a grammar: the most likely token `state` allows (constrainedChoice.ts);
 *    - temperature > 0: a draw from `distributionAt(out, state)`, the post-chain distribution, or under a
 *      grammar the constrained one (grammar mask, then top-k / top-p / min-p / temperature), with the draw
 *      of the position the token will take in the history (`draws(position)`, positionDraws.ts), so that a
 *      drafted position verified by verifyPositional chooses what plain decoding would.
 * 2. Top-k listing at temperature 0 (a grammar, a large vocabulary, confidence not wanted): a position
 *    lists only its `grammarTopK` most likely tokens, in the full map's order, so the first listed token
 *    the grammar allows is the full map's first allowed token. When the grammar forbids every listed
 *    token, `pick` returns `unlisted`, and `reevaluate` evaluates that position again asking for the full
 *    map and returns the full map's choice. So at temperature 0 the output equals plain constrained
 *    decoding from the full map (test/model/grammarTopK.fixtures.test.ts checks it on a 151,936-token
 *    vocabulary).
 * 3. Top-k listing at temperature > 0 (a grammar, a large vocabulary, top_k on and at most
 *    `grammarTopK`): the constrained distribution keeps the first top_k *allowed* tokens, so where at
 *    least top_k listed tokens are allowed the kept set lies inside the list, and the list's ratios fix
 *    the whole distribution (top-p, min-p and temperature read only ratios within the kept set, which
 *    node-llama-cpp's renormalization of the list keeps; listedConstrainedDistribution). Where fewer are
 *    allowed (a JSON structure position allows a handful of tokens in all) the kept set reaches into
 *    unlisted tokens whose probabilities the list does not carry: `distributionAt` answers undefined and
 *    `pick` `unlisted`, and the position is evaluated again for the full map (`reevaluate`,
 *    `reevaluateDistribution`). In a speculative step the draft is then cut before that position; where
 *    it ends depends only on the drafts before it, so speculative sampling stays exact. With top_k off
 *    every allowed token is kept and each position takes the full map. Rejection sampling from the listed
 *    mass would be exact for the bare mask only (temperature 1, no top-k / top-p / min-p), and needs the
 *    list's share of the mass, which a renormalized list does not give. The same test file checks the
 *    sampled tokens against the full map's distribution with a chi-square bound, with and without a
 *    draft model.
 * 4. Hot path: nothing is awaited but `reevaluate` and `reevaluateDistribution`, which run only for a
 *    position its list did not decide. The generateNext options are built once per request and shared by every item;
 *    only penalties, whose window differs per position, give an item its own options. `pick` allocates
 *    only the map's iterator and, under a grammar, the `allows` closure.
 */
import type {
    ControlledEvaluateIndexOutput,
    ControlledEvaluateInputItem,
    Token as LlamaToken,
    TokenBias,
} from "node-llama-cpp";
import type { PositionDraws } from "../speculative/positionDraws.js";
import { probabilityOf, sampleAt } from "../speculative/sampleDistribution.js";
import type { Token, TokenDistribution } from "../speculative/types.js";
import {
    constrainedArgmax,
    constrainedDistribution,
    listedConstrainedDistribution,
} from "./constrainedChoice.js";
import { greedyConfidence, greedyWithWeight } from "./greedyConfidence.js";
import type { ResolvedPenalties, ResolvedSampling } from "./resolveSampling.js";
import type { Slot } from "./Slot.js";

/**
 * Tokens a position lists under a grammar with a large vocabulary (contract, 2 and 3). The full map of a
 * 151,936-token vocabulary (Qwen2.5) cost 450–700 ms a position against 13–18 ms for the top 256 (CPU,
 * decode included). Where the grammar forbids all 256 the position is evaluated again for the full map:
 * 36 of 574 positions on the bundled pair's JSON outputs (a code model; its 4,096-token map is cheap, so
 * it keeps the full map: `largeVocabulary`).
 */
export const grammarTopK = 256;
/** Vocabularies above this many tokens list `grammarTopK` under a grammar by default (`engine.grammarTopK` "auto"). */
export const largeVocabulary = 32_768;
/** `pick`'s answer when the grammar forbids every listed token (never a token id). */
export const unlisted = -1 as Token;

/** What a target pass asks for at a position that chooses the next token (node-llama-cpp's `generateNext`). */
export type NextTokenRequest = NonNullable<
    Exclude<ControlledEvaluateInputItem, LlamaToken>[1]["generateNext"]
>;

/** The grammar question a position's choice asks: may `token` come next there (TokenGrammar.ts). */
export interface GrammarState {
    allows(token: Token): boolean;
}

export interface TargetChoiceOptions {
    sampling: ResolvedSampling;
    /** The request's logit bias in node-llama-cpp's form; undefined when it has none. */
    tokenBias: TokenBias | undefined;
    /** Whether a grammar constrains the output (its state is passed per position). */
    constrained: boolean;
    /** Measure the log-probability of each picked token (`pickedLogprob`). */
    confidence: boolean;
    /**
     * Tokens a position lists under a grammar (contract, 2 and 3): `grammarTopK` for a large vocabulary
     * by default (`engine.grammarTopK`); 0 = always the full map.
     */
    grammarList: number;
    /** The draw of each history position for sampling; required at temperature > 0. */
    draws: PositionDraws | undefined;
}

/**
 * The generateNext request at a position (pure): under a grammar the choice is made by `pick` from a
 * sorted map: when `listed` > 0, the untempered list of the `listed` most likely tokens; else at temperature > 0 the full
 * untempered map (the chain is applied after the grammar mask) and at temperature 0 the full map. Without
 * a grammar node-llama-cpp chooses the token at temperature 0 and returns the post-chain map above it.
 */
export function nextTokenRequest(
    sampling: ResolvedSampling,
    tokenBias: TokenBias | undefined,
    constrained: boolean,
    confidence: boolean,
    listed: number,
): NextTokenRequest {
    const greedy = sampling.temperature <= 0;
    const { temperature, topK, topP, minP } = sampling;
    const options = greedy ? { temperature: 0, tokenBias } : { temperature, topK, topP, minP, tokenBias };
    if (!constrained)
        return greedy
            ? confidence
                ? { ...greedyWithWeight, options }
                : { token: true, options }
            : { probabilities: true, options };
    if (greedy && listed === 0) return { probabilities: true, options };
    return { probabilities: true, options: { temperature: 1, topK: listed, topP: 1, minP: 0, tokenBias } };
}

/** node-llama-cpp's post-sampler probability map → our sparse distribution (drops zero entries). Pure. */
export function toDistribution(out: ControlledEvaluateIndexOutput | undefined): TokenDistribution {
    const map = out?.next.probabilities ?? failNoOutput();
    const tokens: number[] = [];
    const probs: number[] = [];
    for (const [token, p] of map) {
        if (p > 0) {
            tokens.push(token);
            probs.push(p);
        }
    }
    return { tokens, probs };
}

export class TargetChoice {
    readonly greedy: boolean;
    /** Whether positions list only their `grammarList` most likely tokens (contract, 2 and 3). */
    readonly listTopK: boolean;
    /** Log-probability of the token the last `pick` chose (only set when confidence is wanted). */
    pickedLogprob = 0;
    readonly #sampling: ResolvedSampling;
    readonly #penalties: ResolvedPenalties | undefined;
    readonly #confidence: boolean;
    readonly #constrained: boolean;
    readonly #draws: PositionDraws | undefined;
    readonly #next: NextTokenRequest;
    /** The full-map request `reevaluate` makes (the same as `#next` when nothing is listed). */
    readonly #fullNext: NextTokenRequest;

    constructor(o: TargetChoiceOptions) {
        this.#sampling = o.sampling;
        this.#penalties = o.sampling.penalties;
        this.#confidence = o.confidence;
        this.#constrained = o.constrained;
        this.greedy = o.sampling.temperature <= 0;
        if (!this.greedy && !o.draws)
            throw new Error("TargetChoice: sampling at temperature > 0 needs draws");
        this.#draws = o.draws;
        this.listTopK =
            o.constrained && o.grammarList > 0 && listingDecides(o.sampling, o.confidence, o.grammarList);
        const listed = this.listTopK ? o.grammarList : 0;
        this.#next = nextTokenRequest(o.sampling, o.tokenBias, o.constrained, o.confidence, listed);
        this.#fullNext = this.listTopK
            ? nextTokenRequest(o.sampling, o.tokenBias, o.constrained, o.confidence, 0)
            : this.#next;
    }

    /**
     * The item that evaluates `token` (the last of `context[0, end)`) and asks for the next-token choice.
     * Penalties need the window of tokens before the chosen one, which differs per position (a drafted
     * position's window ends with the drafts before it): those items get their own options; without
     * penalties every item shares one.
     */
    item(
        token: Token,
        context: readonly Token[],
        end: number,
        next = this.#next,
    ): ControlledEvaluateInputItem {
        const penalties = this.#penalties;
        if (!penalties) return [token as LlamaToken, { generateNext: next }];
        const repeatPenalty = {
            punishTokens: context.slice(Math.max(0, end - penalties.lastN), end) as LlamaToken[],
            maxPunishTokens: penalties.lastN,
            penalty: penalties.repeat,
            presencePenalty: penalties.presence,
            frequencyPenalty: penalties.frequency,
        };
        return [
            token as LlamaToken,
            { generateNext: { ...next, options: { ...next.options, repeatPenalty } } },
        ];
    }

    /**
     * The distribution a position samples from: the post-chain one, or the constrained one under a grammar;
     * undefined when `listed` and the top-k list does not determine it (contract, 3), for the caller to
     * evaluate the position again for the full map.
     */
    distributionAt(
        out: ControlledEvaluateIndexOutput | undefined,
        state: GrammarState | undefined,
        listed = this.listTopK,
    ): TokenDistribution | undefined {
        if (!state) return toDistribution(out);
        const candidates = out?.next.probabilities ?? failNoOutput();
        const allows = (t: Token) => state.allows(t);
        if (listed) return listedConstrainedDistribution(candidates, allows, this.#sampling);
        return constrainedDistribution(candidates, allows, this.#sampling) ?? failNoAllowedToken();
    }

    /**
     * The target's choice at a position (contract, 1): `unlisted` when the grammar forbids every token of
     * a top-k list, for the caller to `reevaluate` the position; `listed` false: the map is the full one.
     * `position`: the history index the chosen token will take (its draw at temperature > 0).
     */
    pick(
        out: ControlledEvaluateIndexOutput | undefined,
        state: GrammarState | undefined,
        position: number,
        listed = this.listTopK,
    ): Token {
        if (state && this.greedy) {
            const candidates = out?.next.probabilities ?? failNoOutput();
            const token =
                constrainedArgmax(candidates, (t) => state.allows(t)) ??
                (listed ? unlisted : failNoAllowedToken());
            if (this.#confidence)
                this.pickedLogprob = Math.log(candidates.get(token as LlamaToken) ?? failNoOutput());
            return token;
        }
        if (this.greedy) {
            const token = out?.next.token ?? failNoOutput();
            if (this.#confidence)
                this.pickedLogprob = Math.log(greedyConfidence(out!.next) ?? failNoOutput());
            return token;
        }
        const dist = this.distributionAt(out, state, listed);
        if (!dist) return unlisted;
        const token = sampleAt(dist, this.#draws!(position));
        if (this.#confidence) this.pickedLogprob = Math.log(probabilityOf(dist, token));
        return token;
    }

    /**
     * The log-probability of `token` at a position whose temperature-0 choice it was: from the map under a
     * grammar, else 1 / node-llama-cpp's total logit weight (requested when confidence is wanted; see
     * greedyConfidence.ts).
     */
    greedyLogprob(out: ControlledEvaluateIndexOutput | undefined, token: Token): number {
        if (this.#constrained)
            return Math.log(out?.next.probabilities?.get(token as LlamaToken) ?? failNoOutput());
        return Math.log(greedyConfidence(out?.next) ?? failNoOutput());
    }

    /**
     * Evaluates the target's token at KV index `index` of `slot` again (erasing it and what follows), asking
     * for the full map, and returns the choice there: for a position whose top-k list did not decide it
     * (contract, 2 and 3). `context`/`end` are that position's penalty window, as in its first evaluation;
     * `end` is also the history index the choice takes.
     */
    async reevaluate(
        slot: Slot,
        index: number,
        context: readonly Token[],
        end: number,
        state: GrammarState,
    ): Promise<Token> {
        return this.pick(await this.#evaluateFull(slot, index, context, end), state, end, false);
    }

    /** As `reevaluate`, but returns the position's constrained distribution (temperature > 0). */
    async reevaluateDistribution(
        slot: Slot,
        index: number,
        context: readonly Token[],
        end: number,
        state: GrammarState,
    ): Promise<TokenDistribution> {
        const out = await this.#evaluateFull(slot, index, context, end);
        return this.distributionAt(out, state, false) ?? failNoAllowedToken();
    }

    async #evaluateFull(
        slot: Slot,
        index: number,
        context: readonly Token[],
        end: number,
    ): Promise<ControlledEvaluateIndexOutput | undefined> {
        const token = slot.targetTokens[index]!;
        await slot.truncateTarget(index);
        const pass = await slot.evaluate([this.item(token, context, end, this.#fullNext)]);
        slot.appendTarget([token]);
        return pass.value[0];
    }
}

/**
 * Whether a list of `listed` tokens can decide a position's constrained choice (contract, 2 and 3): at
 * temperature 0 unless confidence is wanted (its log-probability needs the full mass); above 0 when top-k
 * is on and no larger than the list. Pure.
 */
export function listingDecides(
    sampling: ResolvedSampling,
    confidence: boolean,
    listed: number = grammarTopK,
): boolean {
    if (sampling.temperature <= 0) return !confidence;
    return sampling.topK > 0 && sampling.topK <= listed;
}

function failNoAllowedToken(): never {
    throw new Error("the response format's grammar allows none of the target's candidate tokens");
}

function failNoOutput(): never {
    throw new Error("node-llama-cpp returned no next-token output for a position that requested one");
}
