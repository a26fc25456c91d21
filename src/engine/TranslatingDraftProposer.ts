/**
 * A draft model whose tokenizer differs from the target's, used through text ("translated" mode):
 *
 *   target history ──detokenize──▶ text ──draft tokenize──▶ draft history ──greedy draft──▶ draft tokens
 *   draft tokens ──detokenize──▶ continuation text ──target tokenize──▶ proposed target tokens
 *
 * The target verifies the proposed ids like any other draft, so output stays exactly the target's.
 * Boundaries: the continuation is tokenized together with the history text when that keeps the
 * history's tokens intact (else on its own), and the last proposed token is dropped, because the
 * drafted text ends at an arbitrary draft-token boundary and its last target token may be only the
 * prefix of the token the target would produce (e.g. "retu" of "return").
 *
 * No `accept`: acceptance is counted in target tokens, which do not map onto draft tokens; the inner
 * drafter's prefix check at the next `propose` erases what disagrees with the re-tokenized history.
 *
 * Cost: the history text is re-tokenized with the draft's tokenizer at every step (native, O(n));
 * the draft's KV cache keeps the common prefix, so only the changed tail is evaluated.
 */
import type { LlamaModel, Token as LlamaToken } from "node-llama-cpp";
import { commonPrefixLength } from "../speculative/commonPrefixLength.js";
import type { DraftProposal, DraftProposer, Token } from "../speculative/types.js";
import type { DraftModelProposer } from "./DraftModelProposer.js";

export class TranslatingDraftProposer implements DraftProposer {
    constructor(
        readonly inner: DraftModelProposer,
        readonly draftModel: LlamaModel,
        readonly targetModel: LlamaModel,
    ) {}

    get id(): string {
        return this.inner.id;
    }

    begin(prompt: readonly Token[]): void {
        this.inner.begin(this.#draftTokens(this.#text(prompt)));
    }

    async propose(
        history: readonly Token[],
        maxTokens: number,
        signal?: AbortSignal,
        minConfidence?: number,
    ): Promise<DraftProposal> {
        if (maxTokens <= 0) return { tokens: [] };
        const text = this.#text(history);
        const draftHistory = this.#draftTokens(text);
        if (draftHistory.length === 0) return { tokens: [] };
        // Draft enough draft tokens to cover maxTokens target tokens (+1 for the dropped boundary token).
        const ratio = draftHistory.length / Math.max(1, history.length);
        const draftCount = Math.min(2 * maxTokens + 2, Math.ceil((maxTokens + 1) * ratio) + 1);
        const drafted = await this.inner.propose(draftHistory, draftCount, signal, minConfidence);
        const shared = drafted.sharedBatch === true && { sharedBatch: true };
        if (drafted.tokens.length === 0) return { tokens: [], ...shared };
        const continuation = this.draftModel.detokenize(
            drafted.tokens as LlamaToken[],
            false,
            draftHistory.slice(-4) as LlamaToken[],
        );
        if (continuation.length === 0) return { tokens: [], ...shared };
        const joint: Token[] = this.targetModel.tokenize(text + continuation, false);
        let proposal: Token[];
        if (joint.length > history.length && commonPrefixLength(joint, history) === history.length) {
            proposal = joint.slice(history.length);
        } else {
            proposal = this.targetModel.tokenize(continuation, false, "trimLeadingSpace");
        }
        return {
            tokens: proposal.slice(0, Math.min(maxTokens, proposal.length - 1)),
            ...shared,
        };
    }

    idle(): Promise<void> {
        return this.inner.idle();
    }

    release(): Promise<void> {
        return this.inner.release();
    }

    #text(tokens: readonly Token[]): string {
        return this.targetModel.detokenize(tokens as LlamaToken[], false);
    }

    #draftTokens(text: string): Token[] {
        const tokens: Token[] = this.draftModel.tokenize(text, false);
        const bos = this.draftModel.tokens.bos;
        if (this.draftModel.tokens.shouldPrependBosToken && bos !== null) tokens.unshift(bos);
        return tokens;
    }
}
