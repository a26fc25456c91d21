/**
 * The decoding loop of one request on a leased slot: prompt evaluation, then either plain decoding
 * (one target pass per token) or draft-then-verify speculative decoding (one target pass over
 * [last token, d1..dk] per step, verified by a pure verifier, rejected positions erased from the KV
 * cache). The loop yields chunks as soon as tokens are committed and checks the signal between target
 * passes, so a cancel stops it within one step.
 *
 * Exactness: at temperature 0 every emitted token is the target's greedy choice given the committed
 * prefix, whatever the drafter proposed, so output equals plain decoding. At temperature > 0 the
 * verifier implements speculative sampling (accept with min(1, p/q), resample from the residual) on
 * the target's post-sampler-chain distributions, which preserves the target's distribution.
 *
 * Confidence (opt-in, `plan.confidence`): the log-probability of every emitted token under the
 * distribution it was chosen from, summed as tokens are committed. At temperature > 0 the verifier
 * already has those distributions, so it costs one lookup per token. At temperature 0 the target pass
 * otherwise returns only the argmax token; asking node-llama-cpp for `confidence` adds a softmax (and a
 * sort) over the vocabulary at every verified position, which is why it is opt-in (README: "Cascades and
 * feedback" has the measured cost).
 *
 * Grammar (opt-in, `plan.grammar`, from a response_format): every position's choice, drafted positions
 * included, is made among the tokens the grammar allows there (constrainedChoice.ts), with that
 * position's grammar state: the committed state advanced through the drafts before it. A draft is cut at
 * its first token the grammar forbids (no accepted token could follow it). Those target passes return the
 * full sorted probability map (a softmax and a sort over the vocabulary per position), which the walk to
 * the first allowed token needs.
 */
import type {
    ControlledEvaluateInputItem,
    ControlledEvaluateIndexOutput,
    Token as LlamaToken,
    TokenBias,
} from "node-llama-cpp";
import type { SpeculationMode } from "../config/schema.js";
import { createRandom } from "../speculative/createRandom.js";
import { maxDraftLength } from "../speculative/maxDraftLength.js";
import { probabilityOf, sampleDistribution } from "../speculative/sampleDistribution.js";
import type { SpeculationController } from "../speculative/SpeculationController.js";
import { SpecStats } from "../speculative/SpecStats.js";
import type {
    DraftProposal,
    SpecStep,
    Token,
    TokenDistribution,
    VerifyOutcome,
} from "../speculative/types.js";
import { verifyGreedy } from "../speculative/verifyGreedy.js";
import { verifyStochastic } from "../speculative/verifyStochastic.js";
import { throwIfAborted } from "../util/abort.js";
import { constrainedArgmax, constrainedDistribution } from "./constrainedChoice.js";
import type { ResolvedSampling } from "./resolveSampling.js";
import type { Slot } from "./Slot.js";
import type { TokenGrammar } from "./TokenGrammar.js";
import { TextStream, type Detokenize } from "./TextStream.js";
import type { FinishReason, GenerateChunk, GenerationStats } from "./types.js";

export interface GenerationPlan {
    slot: Slot;
    promptTokens: readonly Token[];
    /** Already clamped to the context. */
    maxTokens: number;
    contextSize: number;
    sampling: ResolvedSampling;
    stop: readonly string[];
    mode: SpeculationMode;
    /** Chooses drafter and draft length per step (no drafters: plain decoding). */
    controller: SpeculationController;
    maxDraftTokens: number;
    reusePrefix: boolean;
    /** Measure the emitted tokens' log-probabilities (GenerationStats.confidence). */
    confidence: boolean;
    /** The request's logit bias in node-llama-cpp's form; undefined when it has none. */
    tokenBias: TokenBias | undefined;
    /** The response format's grammar state at the start of the output; undefined for free text. */
    grammar: TokenGrammar | undefined;
    isEog: (token: Token) => boolean;
    detokenize: Detokenize;
    /** performance.now() when the request started waiting for a slot, and when it got one. */
    queuedAt: number;
    startedAt: number;
    /** Other requests holding a slot when this one got its own. */
    othersRunning: number;
    /**
     * Under a grammar at temperature 0, list only each position's `grammarTopK` most likely tokens (a large
     * vocabulary, whose full map is what costs); false: the full map (a small vocabulary, where it is cheap
     * and a top-k list would send more positions to a second evaluation).
     */
    listGrammarTopK: boolean;
}

type EvalItem = ControlledEvaluateInputItem;

/**
 * Tokens a position lists under a grammar at temperature 0 (with a large vocabulary). The full map of a
 * 151,936-token vocabulary (Qwen2.5) cost 450–700 ms a position against 13–18 ms for the top 256 (CPU,
 * decode included). Where the grammar forbids all 256 the position is evaluated again for the full map:
 * 36 of 574 positions on the bundled pair's JSON outputs (a code model; its 4,096-token map is cheap, so
 * it keeps the full map: `largeVocabulary`).
 */
export const grammarTopK = 256;
/** Vocabularies above this many tokens list `grammarTopK` under a grammar at temperature 0. */
export const largeVocabulary = 32_768;
/** `pick`'s answer when the grammar forbids every listed token (never a token id). */
const unlisted = -1 as Token;

export async function* generate(plan: GenerationPlan, signal?: AbortSignal): AsyncGenerator<GenerateChunk> {
    const { slot, promptTokens, sampling, controller } = plan;
    const greedy = sampling.temperature <= 0;
    const random = greedy ? undefined : createRandom(sampling.seed);
    const wantConfidence = plan.confidence;
    const { penalties, minP } = sampling;
    const tokenBias = plan.tokenBias;
    const sampleOptions = greedy
        ? { temperature: 0, tokenBias }
        : { temperature: sampling.temperature, topK: sampling.topK, topP: sampling.topP, minP, tokenBias };
    const grammar = plan.grammar;
    // Under a grammar the choice is made here from the sorted map (constrainedChoice.ts): at temperature
    // > 0 the full untempered distribution, the chain being applied after the grammar mask. At temperature
    // 0 the choice is the first listed token the grammar allows, so a position lists only its
    // `grammarTopK` most likely tokens (unless confidence is wanted, which needs the full mass); one whose
    // listed tokens the grammar all forbids is evaluated again with the full map (`reevaluate`).
    const listTopK = grammar !== undefined && greedy && !wantConfidence && plan.listGrammarTopK;
    const fullNext = { probabilities: true, options: sampleOptions };
    const nextOptions = grammar
        ? listTopK
            ? {
                  probabilities: true,
                  options: { temperature: 1, topK: grammarTopK, topP: 1, minP: 0, tokenBias },
              }
            : greedy
              ? fullNext
              : { probabilities: true, options: { temperature: 1, topK: 0, topP: 1, minP: 0, tokenBias } }
        : greedy
          ? { token: true, confidence: wantConfidence, options: sampleOptions }
          : { probabilities: true, options: sampleOptions };
    /**
     * The item that evaluates `context`'s last token and asks for the next-token choice. Penalties need the
     * window of tokens before the chosen one, which differs per position (a drafted position's window ends
     * with the drafts before it): those items get their own options; without penalties all share one.
     */
    const withNext = (
        token: Token,
        context: readonly Token[],
        end: number,
        next: typeof nextOptions = nextOptions,
    ): EvalItem => {
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
    };
    /** The distribution a position samples from: the post-chain one, or the constrained one under a grammar. */
    const distributionAt = (
        out: ControlledEvaluateIndexOutput | undefined,
        state: TokenGrammar | undefined,
    ): TokenDistribution => {
        if (!state) return toDistribution(out);
        const candidates = out?.next.probabilities ?? failNoOutput();
        return constrainedDistribution(candidates, (t) => state.allows(t), sampling) ?? failNoAllowedToken();
    };
    /** Log-probability of the token the last `pick` chose (only set when confidence is wanted). */
    let pickedLogprob = 0;
    /**
     * The target's choice at a position (`unlisted` when the grammar forbids every listed token of a
     * top-k list: the caller evaluates the position again with `listed` false).
     */
    const pick = (
        out: ControlledEvaluateIndexOutput | undefined,
        state: TokenGrammar | undefined,
        listed = listTopK,
    ): Token => {
        if (state && greedy) {
            const candidates = out?.next.probabilities ?? failNoOutput();
            const token =
                constrainedArgmax(candidates, (t) => state.allows(t)) ??
                (listed ? unlisted : failNoAllowedToken());
            if (wantConfidence)
                pickedLogprob = Math.log(candidates.get(token as LlamaToken) ?? failNoOutput());
            return token;
        }
        if (greedy) {
            const token = out?.next.token ?? failNoOutput();
            if (wantConfidence) pickedLogprob = Math.log(out!.next.confidence ?? failNoOutput());
            return token;
        }
        const dist = distributionAt(out, state);
        const token = sampleDistribution(dist, random!);
        if (wantConfidence) pickedLogprob = Math.log(probabilityOf(dist, token));
        return token;
    };

    /**
     * Evaluates the target's token at KV index `index` again (erasing it and what follows), asking for the
     * full map, and returns the grammar's choice there: for a position whose top-k list the grammar
     * all forbade. `context`/`end` are that position's penalty window, as in its first evaluation.
     */
    const reevaluate = async (
        index: number,
        context: readonly Token[],
        end: number,
        state: TokenGrammar,
    ): Promise<Token> => {
        const token = slot.targetTokens[index]!;
        await slot.truncateTarget(index);
        const pass = await slot.evaluate([withNext(token, context, end, fullNext)]);
        slot.appendTarget([token]);
        return pick(pass.value[0], state, false);
    };

    const stats = new SpecStats();
    const text = new TextStream(plan.detokenize, plan.stop);
    const history: Token[] = [...promptTokens];
    let generated = 0;
    let firstTokenAt = 0;
    let finish: FinishReason | undefined;
    // Confidence accumulators over emitted tokens; `pendingLogprobs` runs parallel to `pending`.
    let logprobSum = 0;
    let logprobMin = 0;
    let logprobTokens = 0;
    let pendingLogprobs: readonly number[] = [];
    let reused = 0;

    // Drafters begin with the prompt and are released with the committed history however decoding ends
    // (the suffix drafter indexes it then). A draft model begins by evaluating the prompt: beside the
    // target's prompt pass when this request is alone (the two overlap), after it when others are running,
    // where it would compete with their steps and this prompt pass for the same cores or GPU and delay the
    // first token (AUTO at 8 concurrent streams on the bundled pair: TTFT p50 646–868 → 512–675 ms, three
    // alternating rounds; bench/e2e/grpcThroughput.ts reports TTFT under load).
    const beginBesidePrompt = plan.othersRunning === 0;
    if (beginBesidePrompt) controller.begin(promptTokens);
    try {
        yield* decode();
    } finally {
        await controller.release(history);
    }

    async function* decode(): AsyncGenerator<GenerateChunk> {
        // Prompt: reuse the KV prefix the slot already holds, evaluate the rest.
        reused = await slot.reuseTargetPrefix(promptTokens, plan.reusePrefix);
        const promptRest = promptTokens.slice(reused);
        const promptItems: EvalItem[] = promptRest.map((t, i) =>
            i === promptRest.length - 1 ? withNext(t, promptTokens, promptTokens.length) : (t as LlamaToken),
        );
        const promptPass = await slot.evaluate(promptItems);
        if (!beginBesidePrompt) controller.begin(promptTokens);
        const promptOut = promptPass.value;
        // Other requests' decoding steps in this request's last target pass: what its next pass will
        // likely share, and so what AUTO sizes its draft for (batchDraftLength.ts).
        let otherTokens = promptPass.otherStepTokens;
        slot.appendTarget(promptRest);
        let firstToken = pick(promptOut[promptRest.length - 1], grammar);
        if (firstToken === unlisted)
            firstToken = await reevaluate(
                slot.targetTokens.length - 1,
                promptTokens,
                promptTokens.length,
                grammar!,
            );
        let pending: Token[] = [firstToken];
        grammar?.accept(pending[0]!);
        if (wantConfidence) pendingLogprobs = [pickedLogprob];

        const commit = (tokens: readonly Token[]): GenerateChunk | undefined => {
            const emitted: Token[] = [];
            for (let i = 0; i < tokens.length; i++) {
                const token = tokens[i]!;
                if (plan.isEog(token)) {
                    finish = "eos";
                    break;
                }
                emitted.push(token);
                if (wantConfidence) {
                    const logprob = pendingLogprobs[i]!;
                    logprobSum += logprob;
                    if (logprobTokens === 0 || logprob < logprobMin) logprobMin = logprob;
                    logprobTokens++;
                }
                generated++;
                if (generated >= plan.maxTokens) {
                    finish = "length";
                    break;
                }
            }
            if (firstTokenAt === 0) firstTokenAt = performance.now();
            const pushed = text.push(emitted);
            if (pushed.stopped) finish = "stop_sequence";
            let delta = pushed.text;
            if (finish !== undefined && !pushed.stopped) delta += text.flush();
            return emitted.length > 0 || delta.length > 0 ? { tokens: emitted, text: delta } : undefined;
        };

        // `pending` holds committed tokens not yet evaluated by the target (always exactly one between steps).
        for (;;) {
            for (const t of pending) history.push(t);
            const chunk = commit(pending);
            if (finish !== undefined) {
                yield {
                    tokens: chunk?.tokens ?? [],
                    text: chunk?.text ?? "",
                    finish: { reason: finish, stats: makeStats() },
                };
                return;
            }
            if (chunk) yield chunk;
            throwIfAborted(signal);

            const last = history[history.length - 1]!;
            const limitK = maxDraftLength({
                requested: plan.maxDraftTokens,
                contextTokensLeft: plan.contextSize - slot.targetTokens.length,
                tokensLeft: plan.maxTokens - generated,
            });
            const step = controller.next(history, limitK, otherTokens);
            let draft: DraftProposal | undefined;
            let draftMs: number | undefined = 0;
            if (step) {
                const t0 = performance.now();
                draft = await step.drafter.proposer.propose(history, step.k, signal, step.minConfidence);
                draftMs = draft.sharedBatch === true ? undefined : performance.now() - t0;
                throwIfAborted(signal);
            }
            let drafted = draft?.tokens ?? [];
            let draftDists = draft?.dists;
            // Grammar state before each verified position; a draft ends at its first forbidden token.
            const states = grammar?.statesAlong(drafted);
            if (states && states.length <= drafted.length) {
                drafted = drafted.slice(0, states.length - 1);
                draftDists = draftDists?.slice(0, drafted.length);
            }

            if (drafted.length === 0 && plan.contextSize - slot.targetTokens.length < 1) {
                finish = "length";
                pending = [];
                pendingLogprobs = [];
                continue;
            }
            const base = slot.targetTokens.length;
            // Position i's window is history + drafted[0, i): built only when penalties are on.
            const window = penalties && drafted.length > 0 ? [...history, ...drafted] : history;
            const items: EvalItem[] = [withNext(last, window, history.length)];
            for (let i = 0; i < drafted.length; i++)
                items.push(withNext(drafted[i]!, window, history.length + i + 1));
            const pass = await slot.evaluate(items);
            const out = pass.value;
            otherTokens = pass.otherStepTokens;
            slot.appendTarget([last]);
            slot.appendTarget(drafted);
            let outcome: VerifyOutcome;
            if (drafted.length === 0) {
                let token = pick(out[0], grammar);
                if (token === unlisted) token = await reevaluate(base, history, history.length, grammar!);
                outcome = { acceptedTokens: 0, tokens: [token], lastKind: "bonus" };
                if (wantConfidence) pendingLogprobs = [pickedLogprob];
            } else if (greedy) {
                const targetTokens: Token[] = [];
                for (let i = 0; i <= drafted.length; i++) {
                    const token = states ? pick(out[i], states[i]) : (out[i]?.next.token ?? failNoOutput());
                    // A position after one that differs from the draft is never emitted: it needs no choice.
                    const reached = i === 0 || targetTokens[i - 1] === drafted[i - 1];
                    if (token !== unlisted || !reached) {
                        targetTokens.push(token);
                        continue;
                    }
                    // Evaluated again for the full map, which erases the drafts after it from the KV cache:
                    // the step verifies the drafts before it and emits its choice.
                    targetTokens.push(await reevaluate(base + i, window, history.length + i, states![i]!));
                    drafted = drafted.slice(0, i);
                    break;
                }
                outcome = verifyGreedy(drafted, targetTokens);
                // Emitted token i is the target's argmax at position i: its confidence is that position's.
                if (wantConfidence && states) {
                    const logprobs: number[] = [];
                    for (let i = 0; i < outcome.tokens.length; i++)
                        logprobs.push(
                            Math.log(
                                out[i]?.next.probabilities?.get(outcome.tokens[i] as LlamaToken) ??
                                    failNoOutput(),
                            ),
                        );
                    pendingLogprobs = logprobs;
                } else if (wantConfidence) {
                    const logprobs: number[] = [];
                    for (let i = 0; i < outcome.tokens.length; i++)
                        logprobs.push(Math.log(out[i]?.next.confidence ?? failNoOutput()));
                    pendingLogprobs = logprobs;
                }
            } else {
                const dists: TokenDistribution[] = [];
                for (let i = 0; i <= drafted.length; i++) dists.push(distributionAt(out[i], states?.[i]));
                outcome = verifyStochastic(drafted, draftDists, dists, random!);
                // Accepted, recovered and bonus tokens alike: the target's probability at their position
                // (a recovered token is drawn from the residual, but the target's p is what it believed).
                if (wantConfidence) {
                    const logprobs: number[] = [];
                    for (let i = 0; i < outcome.tokens.length; i++)
                        logprobs.push(Math.log(probabilityOf(dists[i]!, outcome.tokens[i]!)));
                    pendingLogprobs = logprobs;
                }
            }
            if (draft !== undefined && draft.tokens.length > 0) {
                // Keep [last, accepted drafts]; the recovered/bonus token is evaluated by the next pass.
                await slot.truncateTarget(base + 1 + outcome.acceptedTokens);
                await step!.drafter.proposer.accept?.(outcome.acceptedTokens);
            }
            const record: SpecStep = {
                drafter: step?.drafter.candidate.id,
                drafted: drafted.length,
                accepted: outcome.acceptedTokens,
                confidences: draft?.confidences,
                committed: outcome.tokens,
                draftMs,
                // A shared pass took what the whole batch cost: a point of the curve at the batch's tokens.
                verifyMs: pass.besideLong ? undefined : pass.ms,
                passTokens: pass.tokens,
                passRequests: pass.passes,
                generated,
            };
            stats.record(record);
            controller.record(record);
            if (grammar) for (const t of outcome.tokens) grammar.accept(t);
            pending = outcome.tokens;
        }
    }

    /** Decode tokens/s over the measured plain-decoding rate (1 token per one-token pass). */
    function measuredSpeedup(): number {
        const seconds = (performance.now() - firstTokenAt) / 1000;
        if (generated < 2 || seconds <= 0) return 1;
        return (generated - 1) / seconds / (1000 / controller.policy.costs.verifyMs(1));
    }

    function makeStats(): GenerationStats {
        const now = performance.now();
        const ttft = firstTokenAt - plan.startedAt;
        const decodeSeconds = (now - firstTokenAt) / 1000;
        return {
            proposer: controller.summary.chosen,
            speculation: controller.summary,
            measuredSpeedup: measuredSpeedup(),
            mode: plan.mode,
            promptTokens: promptTokens.length,
            promptTokensReused: reused,
            completionTokens: generated,
            spec: stats.toJSON(),
            ttftMs: ttft,
            queueMs: plan.startedAt - plan.queuedAt,
            totalMs: now - plan.startedAt,
            decodeTokensPerSecond: generated > 1 && decodeSeconds > 0 ? (generated - 1) / decodeSeconds : 0,
            ...(logprobTokens > 0 && {
                confidence: {
                    meanLogprob: logprobSum / logprobTokens,
                    minLogprob: logprobMin,
                    tokens: logprobTokens,
                },
            }),
        };
    }
}

/** node-llama-cpp's post-sampler probability map → our sparse distribution (drops zero entries). */
function toDistribution(out: ControlledEvaluateIndexOutput | undefined): TokenDistribution {
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

function failNoAllowedToken(): never {
    throw new Error("the response format's grammar allows none of the target's candidate tokens");
}

function failNoOutput(): never {
    throw new Error("node-llama-cpp returned no next-token output for a position that requested one");
}
