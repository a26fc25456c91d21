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
 * included, is made among the tokens the grammar allows there, with that position's grammar state: the
 * committed state advanced through the drafts before it. A draft is cut at its first token the grammar
 * forbids (no accepted token could follow it). What each position asks the target pass for, and how its
 * choice is made, is TargetChoice.ts (with the top-k listing for large vocabularies and its full-map
 * fallback).
 *
 * Overlap (`plan.overlap`, engine.overlapSteps): between two target passes the loop records the last step
 * (costs, acceptance, AUTO's counterfactual scoring: SpeculationController.record), hands its chunk to the
 * consumer and plans the next step, while the target waits. When the last step was a plain pass under
 * plain decoding and the controller says the next one is plain whatever recording teaches
 * (SpeculationController.plainAhead), the next pass is dispatched first and that work runs while it
 * decodes (vLLM's async scheduling and SGLang's overlap scheduler do the same for a whole batch). The
 * decisions are the same in the same order (test/unit/speculative/plainAhead.test.ts), and so is the output
 * (the pass evaluates the same token with the same sampling; the grammar takes the last step's tokens
 * before the pass's result is read). A chunk then reaches the consumer with that pass in flight: a consumer
 * that stops there, or a signal that fires, lets the pass end before the slot goes back (`finally`).
 */
import { randomInt } from "node:crypto";
import type { ControlledEvaluateInputItem, Token as LlamaToken } from "node-llama-cpp";
import { createRandom } from "../speculative/createRandom.js";
import { positionDraws } from "../speculative/positionDraws.js";
import { maxDraftLength } from "../speculative/maxDraftLength.js";
import { probabilityOf } from "../speculative/sampleDistribution.js";
import type { ControllerStep } from "../speculative/controllerTypes.js";
import { SpecStats } from "../speculative/SpecStats.js";
import type {
    DraftConstraint,
    DraftProposal,
    SpecStep,
    Token,
    TokenDistribution,
    VerifyOutcome,
} from "../speculative/types.js";
import { verifyGreedy } from "../speculative/verifyGreedy.js";
import { verifyPositional } from "../speculative/verifyPositional.js";
import { verifyStochastic } from "../speculative/verifyStochastic.js";
import { throwIfAborted } from "../util/abort.js";
import type { Slot } from "./Slot.js";
import type { TokenGrammar } from "./TokenGrammar.js";
import { TargetChoice, unlisted } from "./TargetChoice.js";
import { TextStream } from "./TextStream.js";
import type { GenerationPlan } from "./GenerationPlan.js";
import type { FinishReason, GenerateChunk, GenerationStats } from "./types.js";

type EvalItem = ControlledEvaluateInputItem;
type TargetPass = Awaited<ReturnType<Slot["evaluate"]>>;

const ignore = (): void => undefined;

/**
 * Resolves on the next event-loop turn: by then a pass submitted before was dispatched (PassBatcher's
 * flush and node-llama-cpp's dispatch run in microtasks and `process.nextTick`), so what the caller does
 * next overlaps its decode.
 */
const afterDispatch = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export async function* generate(plan: GenerationPlan, signal?: AbortSignal): AsyncGenerator<GenerateChunk> {
    const { slot, promptTokens, sampling, controller } = plan;
    const greedy = sampling.temperature <= 0;
    // Sampling draws keyed by history position (positionDraws.ts): a seeded request's sample is the same
    // whatever was drafted. A sequential stream only for a drafter with draft distributions (none today).
    // Unseeded: a random uint32 (the wire's seed type), reported in the stats so the sample can be drawn again.
    const seed = greedy ? undefined : (sampling.seed ?? randomInt(2 ** 32));
    const draws = greedy ? undefined : positionDraws(seed);
    let random: (() => number) | undefined;
    const wantConfidence = plan.confidence;
    const { penalties } = sampling;
    const grammar = plan.grammar;
    // Each position's request and choice, under the grammar or not (TargetChoice.ts has the contract).
    const choice = new TargetChoice({
        sampling,
        tokenBias: plan.tokenBias,
        constrained: grammar !== undefined,
        confidence: wantConfidence,
        grammarList: plan.grammarList,
        draws,
    });

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
    // Grammar states along a step's draft, [committed, after drafted[0], ...]: walked by a model drafter
    // as it drafts (`constraint`: it stops at the first token the grammar forbids), else after the
    // proposal (statesAlong).
    let walk: TokenGrammar[] = [];
    const constraint: DraftConstraint | undefined = grammar && {
        allows: (token, index) => walk[index]?.allows(token) ?? false,
        accept: (token, index) => {
            const next = walk[index]!.clone();
            next.accept(token);
            walk.length = index + 1;
            walk.push(next);
        },
    };

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
            i === promptRest.length - 1
                ? choice.item(t, promptTokens, promptTokens.length)
                : (t as LlamaToken),
        );
        const promptPass = await slot.evaluatePrompt(promptItems, promptRest, promptTokens);
        if (!beginBesidePrompt) controller.begin(promptTokens);
        const promptOut = promptPass.value;
        // Other requests' decoding steps in this request's last target pass: what its next pass will
        // likely share, and so what AUTO sizes its draft for (batchDraftLength.ts).
        let otherTokens = promptPass.otherStepTokens;
        let firstToken = choice.pick(promptOut[promptRest.length - 1], grammar, promptTokens.length);
        if (firstToken === unlisted) {
            stats.recordFullMap(false);
            firstToken = await choice.reevaluate(
                slot,
                slot.targetTokens.length - 1,
                promptTokens,
                promptTokens.length,
                grammar!,
            );
        }
        let pending: Token[] = [firstToken];
        grammar?.accept(pending[0]!);
        if (wantConfidence) pendingLogprobs = [choice.pickedLogprob];

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

        // `pending` holds committed tokens not yet evaluated by the target (always exactly one between steps);
        // `unrecorded`, the step that committed them: recorded at the top of the next iteration, after that
        // iteration's pass was dispatched when it is a plain pass whatever the step teaches ("Overlap").
        let unrecorded: SpecStep | undefined;
        let stepStart = 0;
        // The next plain pass, when dispatched before recording (its token: the history's last).
        let ahead: Promise<TargetPass> | undefined;
        try {
            for (;;) {
                for (const t of pending) history.push(t);
                const chunk = commit(pending);
                const last = history[history.length - 1]!;
                if (unrecorded) {
                    if (
                        plan.overlap &&
                        finish === undefined &&
                        unrecorded.drafter === undefined &&
                        plan.contextSize - slot.targetTokens.length >= 1 &&
                        controller.plainAhead(pending)
                    ) {
                        stepStart = performance.now();
                        ahead = slot.evaluate([choice.item(last, history, history.length)]);
                        ahead.catch(ignore); // awaited below, or settled in `finally`
                        await afterDispatch();
                    }
                    stats.record(unrecorded);
                    controller.record(unrecorded);
                    if (grammar) for (const t of unrecorded.committed) grammar.accept(t);
                    unrecorded = undefined;
                }
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

                const limitK = maxDraftLength({
                    requested: plan.maxDraftTokens,
                    contextTokensLeft: plan.contextSize - slot.targetTokens.length,
                    tokensLeft: plan.maxTokens - generated,
                });
                let step: ControllerStep | undefined;
                if (ahead) controller.nextDispatched(history, limitK);
                else {
                    stepStart = performance.now();
                    step = controller.next(history, limitK, otherTokens);
                }
                let draft: DraftProposal | undefined;
                let draftMs: number | undefined = 0;
                walk = grammar ? [grammar] : walk;
                if (step?.proposal) {
                    // Proposed by the controller already (a lookup asked for more, SpeculationController).
                    draft = { tokens: step.proposal.tokens };
                    draftMs = step.proposal.ms;
                } else if (step) {
                    const t0 = performance.now();
                    draft = await step.drafter.proposer.propose(
                        history,
                        step.k,
                        signal,
                        step.minConfidence,
                        constraint,
                    );
                    draftMs = draft.sharedBatch === true ? undefined : performance.now() - t0;
                    throwIfAborted(signal);
                }
                let drafted = draft?.tokens ?? [];
                let draftDists = draft?.dists;
                // Grammar state before each verified position; a draft ends at its first forbidden token. At
                // temperature > 0 that equals verifying the token, because drafts are deterministic (no `dists`,
                // q one-hot): the target's p of a forbidden token is 0, so it would be rejected and the position
                // would emit the target's own draw from p (verifyPositional), what it draws after the cut. A
                // drafter with draft distributions would need the forbidden token verified (and rejected) instead.
                const states =
                    grammar && (walk.length === drafted.length + 1 ? walk : grammar.statesAlong(drafted));
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
                let pass: TargetPass;
                if (ahead) {
                    pass = await ahead;
                    ahead = undefined;
                } else {
                    const items: EvalItem[] = [choice.item(last, window, history.length)];
                    for (let i = 0; i < drafted.length; i++)
                        items.push(choice.item(drafted[i]!, window, history.length + i + 1));
                    pass = await slot.evaluate(items);
                }
                const out = pass.value;
                otherTokens = pass.otherStepTokens;
                slot.appendTarget([last]);
                slot.appendTarget(drafted);
                let outcome: VerifyOutcome;
                let fullMapAt: number | undefined;
                if (drafted.length === 0) {
                    let token = choice.pick(out[0], grammar, history.length);
                    if (token === unlisted) {
                        fullMapAt = 0;
                        token = await choice.reevaluate(slot, base, history, history.length, grammar!);
                    }
                    outcome = { acceptedTokens: 0, tokens: [token], lastKind: "bonus" };
                    if (wantConfidence) pendingLogprobs = [choice.pickedLogprob];
                } else if (greedy) {
                    const targetTokens: Token[] = [];
                    for (let i = 0; i <= drafted.length; i++) {
                        const token = choice.pick(out[i], states?.[i], history.length + i);
                        // A position after one that differs from the draft is never emitted: it needs no choice.
                        const reached = i === 0 || targetTokens[i - 1] === drafted[i - 1];
                        if (token !== unlisted || !reached) {
                            targetTokens.push(token);
                            continue;
                        }
                        // Evaluated again for the full map, which erases the drafts after it from the KV cache:
                        // the step verifies the drafts before it and emits its choice.
                        fullMapAt = i;
                        targetTokens.push(
                            await choice.reevaluate(slot, base + i, window, history.length + i, states![i]!),
                        );
                        drafted = drafted.slice(0, i);
                        break;
                    }
                    outcome = verifyGreedy(drafted, targetTokens);
                    // Emitted token i is the target's argmax at position i: its confidence is that position's.
                    if (wantConfidence) {
                        const logprobs: number[] = [];
                        for (let i = 0; i < outcome.tokens.length; i++)
                            logprobs.push(choice.greedyLogprob(out[i], outcome.tokens[i]!));
                        pendingLogprobs = logprobs;
                    }
                } else {
                    const dists: TokenDistribution[] = [];
                    for (let i = 0; i <= drafted.length; i++) {
                        const dist = choice.distributionAt(out[i], states?.[i]);
                        if (dist) {
                            dists.push(dist);
                            continue;
                        }
                        // Its list does not decide the distribution: evaluated again for the full map, which
                        // erases the drafts after it, so the step verifies the drafts before it with this
                        // position as the bonus. Where the draft ends depends only on the drafts before it (not
                        // on the one it drops), so speculative sampling stays exact.
                        fullMapAt = i;
                        dists.push(
                            await choice.reevaluateDistribution(
                                slot,
                                base + i,
                                window,
                                history.length + i,
                                states![i]!,
                            ),
                        );
                        drafted = drafted.slice(0, i);
                        draftDists = draftDists?.slice(0, i);
                        break;
                    }
                    outcome =
                        draftDists === undefined
                            ? verifyPositional(drafted, dists, draws!, history.length)
                            : verifyStochastic(drafted, draftDists, dists, (random ??= createRandom(seed)));
                    // Accepted, recovered and bonus tokens alike: the target's probability at their position
                    // (under verifyStochastic a recovered token is drawn from the residual, but p is what the
                    // target believed).
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
                    stepMs: performance.now() - stepStart,
                    ...(fullMapAt !== undefined && { fullMapAt }),
                };
                pending = outcome.tokens;
                unrecorded = record;
            }
        } finally {
            // Stopped between a dispatch and its await (the consumer returned at a chunk, or the signal
            // fired): the pass still decodes. Once it ends the slot's bookkeeping takes its token, so the KV
            // cache and the bookkeeping agree again (LocalEngine's `clean`); if it failed, the slot starts
            // the next request empty.
            if (ahead) {
                const evaluated = await ahead.then(
                    () => true,
                    () => false,
                );
                if (evaluated) slot.appendTarget([history[history.length - 1]!]);
                else await slot.reuseTargetPrefix([], false).catch(ignore);
            }
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
            promptTokensCopied: Math.min(reused, plan.copiedPrefix),
            promptTokensRestored: Math.min(reused, plan.restoredPrefix),
            completionTokens: generated,
            spec: stats.toJSON(),
            ttftMs: ttft,
            queueMs: plan.startedAt - plan.queuedAt,
            totalMs: now - plan.startedAt,
            decodeTokensPerSecond: generated > 1 && decodeSeconds > 0 ? (generated - 1) / decodeSeconds : 0,
            ...(seed !== undefined && { seed }),
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
