/**
 * A grammar's state over the tokens generated so far (node-llama-cpp's LlamaGrammarEvaluationState),
 * with the two questions speculative decoding under a grammar needs: may this token come next, and
 * advance by one token. node-llama-cpp answers both inside its own sampler only (controlledEvaluate
 * takes no grammar), so they are asked through its native binding here, the one place that knows it;
 * node-llama-cpp is pinned (package.json) and test/model/responseFormat.fixtures.test.ts exercises both.
 */
import { LlamaGrammarEvaluationState, type Llama, type LlamaGrammar, type LlamaModel } from "node-llama-cpp";
import type { Token } from "../speculative/types.js";

interface GrammarBinding {
    canBeNextTokenForGrammarEvaluationState(state: unknown, token: number): boolean;
    acceptGrammarEvaluationStateToken(state: unknown, token: number): void;
}

export class TokenGrammar {
    readonly #binding: GrammarBinding;
    readonly #state: LlamaGrammarEvaluationState;
    readonly #isEog: (token: Token) => boolean;

    private constructor(
        binding: GrammarBinding,
        state: LlamaGrammarEvaluationState,
        isEog: (token: Token) => boolean,
    ) {
        this.#binding = binding;
        this.#state = state;
        this.#isEog = isEog;
    }

    /** A fresh state at the start of `grammar`. */
    static start(llama: Llama, model: LlamaModel, grammar: LlamaGrammar): TokenGrammar {
        const binding = (llama as unknown as { _bindings: { AddonSampler: GrammarBinding } })._bindings
            .AddonSampler;
        return new TokenGrammar(binding, new LlamaGrammarEvaluationState({ model, grammar }), (t) =>
            model.isEogToken(t as Parameters<LlamaModel["isEogToken"]>[0]),
        );
    }

    /** Whether `token` may come next (an end-of-generation token: only once the grammar is complete). */
    allows(token: Token): boolean {
        return this.#binding.canBeNextTokenForGrammarEvaluationState(stateOf(this.#state), token);
    }

    /** Advances past `token`, which must be allowed; end-of-generation tokens leave the state as is. */
    accept(token: Token): void {
        if (this.#isEog(token)) return;
        this.#binding.acceptGrammarEvaluationStateToken(stateOf(this.#state), token);
    }

    /**
     * The states before each position of `tokens` as far as the grammar allows them: `[this, after
     * tokens[0], ...]`, one longer than the allowed prefix (`length - 1` tokens are allowed). `this` is
     * not advanced; the others are copies.
     */
    statesAlong(tokens: readonly Token[]): TokenGrammar[] {
        const states: TokenGrammar[] = [this];
        for (const token of tokens) {
            const last = states[states.length - 1]!;
            if (!last.allows(token)) break;
            const next = last.clone();
            next.accept(token);
            states.push(next);
        }
        return states;
    }

    /** An independent copy (for walking drafted positions without touching the committed state). */
    clone(): TokenGrammar {
        return new TokenGrammar(this.#binding, this.#state.clone(), this.#isEog);
    }
}

function stateOf(state: LlamaGrammarEvaluationState): unknown {
    return (state as unknown as { _state: unknown })._state;
}
