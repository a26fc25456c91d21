/**
 * Plain data shared by the speculative-decoding parts: proposers (drafters), verifiers and stats.
 * Proposing, verifying and accounting stay separate and talk only through these types.
 *
 * Terms (used with exactly these meanings everywhere in `speculative/`):
 *
 * - **drafted**: tokens proposed by a drafter ({@link DraftProposer}) for one verification step.
 *   `k` always denotes the number of drafted tokens in a step.
 * - **accepted**: the leading drafted tokens that the verifier kept (`0..k`). Accepted tokens are
 *   always a prefix of the draft; verification stops at the first rejection.
 * - **recovered**: after a rejection at draft position `i`, the token that the verifier emits instead,
 *   resampled from the target's residual distribution at `i` (greedy: the target's own choice).
 * - **bonus**: when all `k` drafted tokens were accepted, the target's own token sampled at
 *   position `k`, for free from the same target pass.
 *
 * Hence every verification step emits `acceptedTokens + 1` tokens: at least 1 (nothing accepted,
 * one recovered token), at most `k + 1` (all accepted, plus the bonus).
 */

/** A token id of the (shared) target/draft vocabulary. */
export type Token = number;

/**
 * A sparse probability distribution over tokens: `probs[i]` is the probability of `tokens[i]`.
 *
 * It is the distribution AFTER the whole sampler chain (temperature, top-k, top-p, ...), i.e. the
 * distribution that sampling actually draws from, not the raw softmax of the logits. Only tokens with
 * `p > 0` are listed, each token at most once, and the probabilities sum to 1 up to rounding
 * (consumers normalize by the actual total where it matters).
 */
export interface TokenDistribution {
    readonly tokens: Int32Array | readonly number[];
    readonly probs: Float64Array | readonly number[];
}

/** What a drafter proposes for one verification step. */
export interface DraftProposal {
    /** The drafted tokens, in order (`k = tokens.length`, may be 0). */
    readonly tokens: readonly Token[];
    /**
     * The draft distribution `q` at each drafted position (`dists[i]` is what `tokens[i]` was sampled
     * from). Absent for a deterministic (greedy) drafter, which is treated as `q` one-hot on the token.
     */
    readonly dists?: readonly TokenDistribution[];
    /** Optional drafter confidence per drafted token (e.g. `q(token)`), for adaptive draft lengths. */
    readonly confidences?: readonly number[];
    /**
     * Lookup drafters: how many tokens of the history the match behind the draft covers. A long match's
     * copy is mostly kept whole (SpeculationController, "long matches").
     */
    readonly matchLength?: number;
    /**
     * True when a pass of the drafter shared its batch with other requests' passes: the time spent
     * proposing was then partly theirs, and is not a measurement of this drafter's cost.
     */
    readonly sharedBatch?: boolean;
}

/** The result of verifying one draft against the target. */
export interface VerifyOutcome {
    /** How many drafted tokens were accepted, `0..k`. */
    acceptedTokens: number;
    /** The accepted drafted tokens followed by exactly one recovered or bonus token (`acceptedTokens + 1` long). */
    tokens: Token[];
    /** Whether the last token of {@link tokens} is the bonus token (all accepted) or a recovered one. */
    lastKind: "bonus" | "recovered";
}

/**
 * A request's grammar as a drafter sees it, position by position along one draft: a model drafter asks
 * before drafting past a token and stops at the first one the grammar forbids (no pass spent on a draft
 * the step would cut).
 */
export interface DraftConstraint {
    /** Whether `token` may be drafted at draft position `index` (0-based), after the drafts before it. Pure. */
    allows(token: Token, index: number): boolean;
    /** `token`, which `allows` allowed there, is drafted at `index`; the next position is `index + 1`. */
    accept(token: Token, index: number): void;
}

/**
 * A drafter, owned by one request at a time: the model-backed drafters in engine/ and the model-free
 * lookup drafters here. The lifecycle follows llama.cpp's common/speculative (begin, draft, accept):
 *
 *   begin(prompt) → propose → (target verifies) → accept(n) → propose → ... → release(history)
 *
 * `history` is always the prompt plus every committed token, in order; `propose` receives it by
 * reference (the caller's array, never a copy) and must not keep it past the call.
 */
export interface DraftProposer {
    /** Stable identifier, used as a metrics label (e.g. `"ngram"` or the draft model's name). */
    readonly id: string;
    /**
     * A request starts with `prompt`. Model drafters start evaluating it here, while the target
     * evaluates it too; lookup drafters index it.
     */
    begin(prompt: readonly Token[]): void;
    /** Resolves when no background work of the drafter runs (a model drafter's prefill). */
    idle?(): Promise<void>;
    /**
     * Propose up to `maxTokens` tokens continuing `history`. May return fewer (even 0). Sync for cheap
     * drafters; a Promise for model drafters.
     */
    propose(
        history: readonly Token[],
        maxTokens: number,
        signal?: AbortSignal,
        /** Model drafters stop at a token they are less sure of than this. */
        minConfidence?: number,
        /**
         * The request's grammar, for drafters that spend work per drafted token (model drafters); lookup
         * drafters ignore it, and the caller cuts every draft at its first token the grammar forbids.
         */
        constraint?: DraftConstraint,
    ): DraftProposal | Promise<DraftProposal>;
    /**
     * After verification of the last proposal: its first `acceptedTokens` tokens were accepted (the
     * target then committed one recovered or bonus token, which the next `propose` sees in `history`).
     * Implemented by drafters with state beyond `history` (a draft model's KV cache), which drop the
     * rejected tokens here; drafters that follow `history` alone leave it out.
     */
    accept?(acceptedTokens: number): void | Promise<void>;
    /** The request ended (however it ended) with `history` committed; frees per-request state. */
    release(history: readonly Token[]): void | Promise<void>;
}

/**
 * One verification step as plain data, handed to the controller (learning) and the stats (counters).
 * A plain step (no draft) has `drafted === 0` and `draftMs === 0`; `drafter` is the drafter that was
 * asked, even when it proposed nothing, and undefined when none was.
 */
export interface SpecStep {
    drafter: string | undefined;
    /** Tokens drafted (`k`, 0 for a plain step). */
    drafted: number;
    /** Leading drafted tokens the verifier kept, `0..drafted`. */
    accepted: number;
    /** The drafter's confidence per drafted token, when it reports them. */
    confidences: readonly number[] | undefined;
    /** Tokens the step committed: the accepted ones plus one recovered or bonus token. */
    committed: readonly Token[];
    /**
     * Milliseconds spent drafting (0 when no drafter was asked); undefined when the drafter's passes
     * shared their batch with other requests' (see DraftProposal.sharedBatch).
     */
    draftMs: number | undefined;
    /**
     * Milliseconds of the target pass this step's `drafted + 1` tokens were evaluated in: the whole
     * batch's when other requests' passes shared it. Undefined when it measured something else (a long
     * pass of an earlier batch, a prompt, was decoding beside it).
     */
    verifyMs: number | undefined;
    /**
     * The step's position that was evaluated a second time for its full probability map (a grammar whose
     * listed tokens did not decide it; engine/TargetChoice.ts), 0 = the first; the drafts from it on were
     * dropped, so `drafted` equals it when it is above 0. Undefined when none was.
     */
    fullMapAt?: number;
    /** Tokens in that pass, every request's together (`drafted + 1` when the pass was alone). */
    passTokens: number;
    /** Requests whose passes made up that pass (1 when alone). */
    passRequests: number;
    /** Tokens generated by the request before this step's committed tokens were counted. */
    generated: number;
    /**
     * Milliseconds of the whole step, from choosing the drafter to the verified tokens: drafting, the
     * target pass, and the work around them (waiting for the pass's batch, KV truncation, the drafter's
     * own bookkeeping, choosing tokens). Undefined where not measured.
     */
    stepMs?: number;
}
