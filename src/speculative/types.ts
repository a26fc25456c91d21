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

/** Which kind of drafter produced a proposal (a stats/metrics label). */
export type ProposerKind = "draft_model" | "ngram";

/**
 * A drafter, owned by one request at a time. Implemented by a model-backed drafter (engine) and by the
 * model-free `NgramProposer`.
 *
 * Call order per request: `propose` → (target verifies) → `commit` → `propose` → ... → `release`.
 */
export interface DraftProposer {
    /** Stable identifier, used as a metrics label (e.g. `"ngram"` or the draft model's name). */
    readonly id: string;
    readonly kind: ProposerKind;
    /**
     * Propose up to `maxTokens` tokens continuing `history` (prompt + all committed tokens). May return
     * fewer (even 0). Sync for cheap drafters; a Promise for model drafters.
     */
    propose(
        history: readonly Token[],
        maxTokens: number,
        signal?: AbortSignal,
        /** Model drafters stop at a token they are less sure of than this. */
        minConfidence?: number,
    ): DraftProposal | Promise<DraftProposal>;
    /**
     * After verification: `history` now ends with the committed tokens (the `acceptedTokens` accepted
     * drafted tokens plus one recovered or bonus token). Lets the drafter roll back / advance state.
     */
    commit(history: readonly Token[], acceptedTokens: number): void | Promise<void>;
    /** Release per-request state. */
    release(): void | Promise<void>;
}
